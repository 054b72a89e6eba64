"""`make airflow`: Airflow's own UI and scheduler start locally and the login is printed."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from base.settings import LOCAL_TZ
from tests.cluster import airflow_home_dir, free_port
from tests.conftest import airflow_env

pytestmark = pytest.mark.airflow


def sockets_of(pids: set[int]) -> set[str]:
    """The socket inodes the processes `pids` hold open (from /proc/<pid>/fd)."""
    inodes = set()
    for pid in pids:
        try:
            links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
        except OSError:
            continue
        inodes |= {link[8:-1] for link in links if link.startswith("socket:[")}
    return inodes


def listening_ports(owners: set[int] | None = None) -> dict[int, set[str]]:
    """Every TCP port listened on here, with the addresses it is bound to (from /proc); with
    `owners`, only those of these processes (other tests may run beside this one)."""
    found: dict[int, set[str]] = {}
    inodes = sockets_of(owners) if owners is not None else None
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state, inode = line.split()[1], line.split()[3], line.split()[9]
            if state != "0A" or (inodes is not None and inode not in inodes):  # LISTEN
                continue
            address, port = local.split(":")
            if width == 8:
                shown = ".".join(str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0))
            else:
                shown = "::" if set(address) == {"0"} else "::1" if address.endswith("01000000") \
                    and set(address[:24]) == {"0"} else address
            found.setdefault(int(port, 16), set()).add(shown)
    return found


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (from /proc), zombies left out."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def test_make_airflow_serves_this_machine_only_and_keeps_the_login_private(tmp_path: Path,
                                                                          sample_dir: Path) -> None:
    with airflow_home_dir() as home:
        _make_airflow_serves_this_machine_only(home, tmp_path, sample_dir)


def _make_airflow_serves_this_machine_only(home: Path, tmp_path: Path, sample_dir: Path) -> None:
    port = free_port()
    env = airflow_env(home, sample_dir / "inbox", tmp_path / "warehouse")
    env |= {"AIRFLOW_PORT": str(port), "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://localhost:{port}/execution/"}
    env.pop("AIRFLOW__API__PORT", None)  # make's variable is AIRFLOW_PORT
    console = {name: tmp_path / f"{name}.log" for name in ("stdout", "stderr")}
    # Files, not pipes: a pipe left unread would block Airflow, and every line must be read.
    with open(console["stdout"], "w") as out, open(console["stderr"], "w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "chitieu", "airflow"], env=env, stdout=out,
                                stderr=err, text=True, start_new_session=True)
    started: set[int] = set()
    try:
        login = None
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and login is None:
            login = next((line for line in console["stdout"].read_text().splitlines()
                          if line.startswith("Airflow UI:")), None)
            if login is None and proc.poll() is not None:
                raise AssertionError(f"make airflow exited with {proc.returncode}: "
                                     f"{console['stderr'].read_text()[-3000:]}")
            time.sleep(0.5)
        assert login and f"http://127.0.0.1:{port}" in login and "admin" in login
        password_file = Path(login.split("password in ", 1)[1].strip())
        users = json.loads(password_file.read_text())
        assert password_file.stat().st_mode & 0o077 == 0, "the login file is the owner's alone"
        assert f"inbox read by the nightly runs: {sample_dir / 'inbox'} (from INBOX)" in \
            console["stdout"].read_text()
        health = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://localhost:{port}/api/v2/monitor/health", timeout=5) as r:
                    health = json.loads(r.read())
                if health["scheduler"]["status"] == "healthy":
                    break
            except OSError:
                pass
            time.sleep(2)
        assert health and health["scheduler"]["status"] == "healthy", health
        # Airflow's metadata on its own PostgreSQL, in the home, on a Unix socket only.
        from chitieu import metadata_db

        assert f"Airflow's metadata: PostgreSQL in {home.resolve() / 'postgres'}" in \
            console["stdout"].read_text()
        assert metadata_db.is_running(home) and (home / "postgres" / "PG_VERSION").exists()
        assert health["metadatabase"]["status"] == "healthy"
        assert not list(home.glob("airflow.db*")), "make airflow no longer uses SQLite"
        assert metadata_db.PG_PORT not in listening_ports(), "the metadata server opens no TCP port"
        listening = listening_ports(descendants(proc.pid) | {proc.pid})  # make airflow's own
        assert listening.get(port) == {"127.0.0.1"}, f"the UI listens on {listening.get(port)}"
        assert not {8793, 8794} & set(listening), "no log server is opened on the network"
        token_request = urllib.request.Request(
            f"http://localhost:{port}/auth/token", method="POST",
            data=json.dumps({"username": "admin", "password": users["admin"]}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(token_request, timeout=10) as r:
            assert json.loads(r.read())["access_token"]
        for name, path in console.items():  # Airflow's own components included
            assert users["admin"] not in path.read_text(), f"the password is printed on {name}"
        _starting_runs_no_night(port, users["admin"], console["stdout"].read_text())
        # SIGTERM to the command alone (as a service manager sends it): nothing stays running.
        started = descendants(proc.pid)
        assert len(started) >= 4, started
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=90)
        time.sleep(1)
        left = {pid for pid in started if alive(pid)}
        assert not left, f"left running after SIGTERM: {left}"
        assert port not in listening_ports(), "the UI's port is closed"
        assert metadata_db.wait_stopped(home) and not metadata_db.is_running(home), \
            "the metadata server stops with make airflow"
    finally:  # whatever the outcome, nothing of this test stays running
        started |= descendants(proc.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        for pid in started:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=30)


def _starting_runs_no_night(port: int, password: str, console: str) -> None:
    """A fresh Airflow runs no night when it starts (the DAGs have no start date and
    run_immediately=timedelta(0)): the nightly DAG, once parsed, waits for the next 01:00 and
    no run of any DAG (nor the Monday digest) is created meanwhile; the console says so
    (docs/engineer.md, "What starting Airflow runs")."""
    def api(path: str) -> dict:
        request = urllib.request.Request(
            f"http://localhost:{port}/auth/token", method="POST",
            data=json.dumps({"username": "admin", "password": password}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as r:
            token = json.loads(r.read())["access_token"]
        request = urllib.request.Request(f"http://localhost:{port}{path}",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=10) as r:
            return json.loads(r.read())

    assert "starting Airflow runs no night; the next night runs at 01:00 on " in console, console
    deadline, dag = time.monotonic() + 180, {}
    while time.monotonic() < deadline and not dag.get("next_dagrun_run_after"):
        with contextlib.suppress(OSError):
            dag = api("/api/v2/dags/chitieu_nightly")
        time.sleep(1)
    assert dag.get("next_dagrun_run_after"), f"the DAG was not scheduled: {dag}"
    next_night = datetime.fromisoformat(dag["next_dagrun_run_after"])
    assert next_night > datetime.now(UTC), f"a night already due is scheduled: {next_night}"
    assert next_night.astimezone(LOCAL_TZ).strftime("%H:%M") == "01:00"
    settle = time.monotonic() + 20  # a past night would be created within a scheduler loop
    while time.monotonic() < settle:
        runs = api("/api/v2/dags/~/dagRuns")  # every DAG: the Monday digest e-mail neither
        assert runs["total_entries"] == 0, f"starting Airflow ran a DAG: {runs['dag_runs']}"
        time.sleep(2)


def test_the_metadata_server_runs_while_anyone_holds_it(tmp_path: Path) -> None:
    """The first holder starts it, the last to let go stops it; a holder killed outright
    (SIGKILL) lets go with its process, and the next holder's exit stops the server."""
    from chitieu import metadata_db

    with airflow_home_dir() as home:
        _held_while_anyone_holds_it(home, metadata_db)


def _held_while_anyone_holds_it(home: Path, metadata_db) -> None:
    hold = ("import sys, time; from pathlib import Path; from chitieu.metadata_db import running\n"
            "with running(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(600)\n")
    other = subprocess.Popen([sys.executable, "-c", hold, str(home)], stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "held"
        with metadata_db.running(home) as url:
            assert url.startswith("postgresql+psycopg2://postgres@/airflow?host=")
            import sqlalchemy

            engine = sqlalchemy.create_engine(url)
            with engine.connect() as con:
                assert con.exec_driver_sql("SHOW port").scalar() == str(metadata_db.PG_PORT)
                assert con.exec_driver_sql("SHOW listen_addresses").scalar() == "", "no TCP"
            engine.dispose()
        assert metadata_db.is_running(home), "the other holder still uses it"
        other.kill()  # no clean-up of its own: its hold ends with the process
        other.wait(timeout=30)
        assert metadata_db.is_running(home)
        with metadata_db.running(home):
            pass
        assert metadata_db.wait_stopped(home) and not metadata_db.is_running(home)
    finally:
        if other.poll() is None:
            other.kill()
        subprocess.run([str(Path(sys.executable).parent / "python"), "-c",
                        "import sys; from pathlib import Path; from chitieu import metadata_db as m; "
                        "m.is_running(Path(sys.argv[1])) and m._stop(Path(sys.argv[1]))", str(home)],
                       check=False)
