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
from pathlib import Path

import pytest

from tests.cluster import free_port
from tests.conftest import airflow_env

pytestmark = pytest.mark.airflow


def listening_ports() -> dict[int, set[str]]:
    """Every TCP port listened on here, with the addresses it is bound to (from /proc)."""
    found: dict[int, set[str]] = {}
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state != "0A":  # LISTEN
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
    port = free_port()
    env = airflow_env(tmp_path / "home", sample_dir / "inbox", tmp_path / "warehouse")
    env |= {"AIRFLOW__API__PORT": str(port), "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://localhost:{port}/execution/"}
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
        listening = listening_ports()
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
        # SIGTERM to the command alone (as a service manager sends it): nothing stays running.
        started = descendants(proc.pid)
        assert len(started) >= 4, started
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=90)
        time.sleep(1)
        left = {pid for pid in started if alive(pid)}
        assert not left, f"left running after SIGTERM: {left}"
        assert port not in listening_ports(), "the UI's port is closed"
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
