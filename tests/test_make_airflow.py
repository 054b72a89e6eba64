"""`make airflow`: Airflow's own UI and scheduler start locally and the login is printed."""

from __future__ import annotations

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


def test_make_airflow_serves_this_machine_only_and_keeps_the_login_private(tmp_path: Path,
                                                                          sample_dir: Path) -> None:
    port = free_port()
    env = airflow_env(tmp_path / "home", sample_dir / "inbox", tmp_path / "warehouse")
    env |= {"AIRFLOW__API__PORT": str(port), "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://localhost:{port}/execution/"}
    errors = open(tmp_path / "stderr.log", "w")  # noqa: SIM115 (a pipe left unread would block Airflow)
    proc = subprocess.Popen([sys.executable, "-m", "chitieu", "airflow"], env=env, stdout=subprocess.PIPE,
                            stderr=errors, text=True, start_new_session=True)
    try:
        login = None
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and login is None:
            line = proc.stdout.readline() if proc.stdout else ""
            if line.startswith("Airflow UI:"):
                login = line
            elif proc.poll() is not None:
                raise AssertionError(f"make airflow exited with {proc.returncode}: "
                                     f"{(tmp_path / 'stderr.log').read_text()[-3000:]}")
        assert login and f"http://127.0.0.1:{port}" in login and "admin" in login
        password_file = Path(login.split("password in ", 1)[1].strip())
        users = json.loads(password_file.read_text())
        assert users["admin"] not in login, "the password is never printed"
        assert password_file.stat().st_mode & 0o077 == 0, "the login file is the owner's alone"
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
    finally:
        errors.close()
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
