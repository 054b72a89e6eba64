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

from tests.cluster import free_port
from tests.conftest import airflow_env


def test_standalone_serves_the_ui_and_prints_the_login(tmp_path: Path, sample_dir: Path) -> None:
    port = free_port()
    env = airflow_env(tmp_path / "home", sample_dir / "inbox", tmp_path / "warehouse")
    env |= {"AIRFLOW__API__PORT": str(port), "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://localhost:{port}/execution/"}
    proc = subprocess.Popen([sys.executable, "-m", "chitieu", "airflow"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        login = None
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and login is None:
            line = proc.stdout.readline() if proc.stdout else ""
            if line.startswith("Airflow UI:"):
                login = line
            elif proc.poll() is not None:
                raise AssertionError(f"airflow standalone exited with {proc.returncode}")
        assert login and f"http://localhost:{port}" in login and "admin" in login
        users = json.loads(login.split("login: ", 1)[1])
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
        token_request = urllib.request.Request(
            f"http://localhost:{port}/auth/token", method="POST",
            data=json.dumps({"username": "admin", "password": users["admin"]}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(token_request, timeout=10) as r:
            assert json.loads(r.read())["access_token"]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
