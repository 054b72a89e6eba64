"""Airflow's own services as real processes, on the machine's PostgreSQL (and Redis).

Used by the backfill test (LocalExecutor) and the distributed suite (CeleryExecutor with
two workers). Every process is started in its own session so it can be stopped with its
children; the metadata database is created fresh and dropped at the end, also on failure.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from base64 import urlsafe_b64encode
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from chitieu.airflow_home import init_metadata

PROJECT = Path(__file__).resolve().parent.parent

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS = ("127.0.0.1", 6379)


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def require_services(redis: bool = False) -> None:
    """Fail with what is missing: the suite needs the real services, never stand-ins."""
    missing = []
    if not reachable(PG["host"], PG["port"]):
        missing.append(f"PostgreSQL on {PG['host']}:{PG['port']} (trust auth, user postgres)")
    if redis and not reachable(*REDIS):
        missing.append(f"Redis on {REDIS[0]}:{REDIS[1]}")
    if missing:
        from tests.conftest import missing as skip_or_fail

        skip_or_fail(" and ".join(missing))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _psql(sql: str) -> None:
    import psycopg2

    con = psycopg2.connect(dbname="postgres", **PG)
    con.autocommit = True
    try:
        with con.cursor() as cur:
            cur.execute(sql)
    finally:
        con.close()


@dataclass
class AirflowCluster:
    home: Path
    inbox: Path
    warehouse: Path
    executor: str = "LocalExecutor"
    workers: int = 0
    db_name: str = field(default_factory=lambda: f"chitieu_af_{secrets.token_hex(4)}")
    port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    redis_db: int = field(default_factory=lambda: 1 + secrets.randbelow(14))
    extra_env: dict[str, str] = field(default_factory=dict)
    secrets_env: dict[str, str] = field(default_factory=lambda: {
        "AIRFLOW__CORE__FERNET_KEY": urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "AIRFLOW__API__SECRET_KEY": secrets.token_hex(16),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
    })

    @property
    def env(self) -> dict[str, str]:
        db = f"postgresql+psycopg2://{PG['user']}@{PG['host']}:{PG['port']}/{self.db_name}"
        env = dict(os.environ)
        env.update({
            "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
            "PYTHONPATH": str(PROJECT),
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": self.executor,
            "AIRFLOW__CORE__PARALLELISM": "8",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": db,
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.port}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(self.home / "passwords.json"),
            "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "120",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__CELERY__BROKER_URL": f"redis://{REDIS[0]}:{REDIS[1]}/{self.redis_db}",
            "AIRFLOW__CELERY__RESULT_BACKEND": db.replace("postgresql+psycopg2", "db+postgresql"),
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
            "AIRFLOW__CELERY__TASK_ACKS_LATE": "True",
            "INBOX": str(self.inbox),
            "WAREHOUSE_DIR": str(self.warehouse),
            "DO_NOT_TRACK": "1",
        })
        env.update(self.secrets_env)  # the same keys for every process of the cluster
        env.update(self.extra_env)
        return env

    def _airflow(self, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
        proc = subprocess.run([str(Path(sys.executable).with_name("airflow")), *args], env=self.env,
                              capture_output=True, text=True, timeout=timeout, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args)} failed:\n"
                               f"{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
        return proc

    def _spawn(self, name: str, *args: str) -> None:
        log = open(self.home / f"{name}.log", "a")  # noqa: SIM115 - closed with the process
        self.processes[name] = subprocess.Popen(
            [str(Path(sys.executable).with_name("airflow")), *args], env=self.env, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)

    def start(self) -> None:
        require_services(redis=self.executor == "CeleryExecutor")
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "passwords.json").write_text(json.dumps({"admin": self.password}))
        _psql(f'CREATE DATABASE "{self.db_name}"')
        init_metadata(self.env)  # migrate, and the one-slot writer pool
        self.start_processes()

    def start_processes(self) -> None:
        self._spawn("api-server", "api-server", "--port", str(self.port))
        self._spawn("scheduler", "scheduler")
        self._spawn("dag-processor", "dag-processor")
        self._spawn("triggerer", "triggerer")
        for n in range(1, self.workers + 1):
            self._spawn(f"worker{n}", "celery", "worker", "--celery-hostname", f"worker{n}@%h",
                        "--concurrency", "1")
        self.wait_healthy()

    def stop_process(self, name: str, sig: int = signal.SIGTERM) -> None:
        proc = self.processes.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        import psutil

        descendants = psutil.Process(proc.pid).children(recursive=True)
        if sig == signal.SIGKILL:  # a crash: the whole tree dies at once, tasks included
            for child in descendants:
                child.kill()
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with_kill = proc.poll() is None
            if with_kill:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)

    def stop_processes(self) -> None:
        for name in list(self.processes):
            self.stop_process(name)

    def redeploy(self, extra_env: dict[str, str]) -> None:
        """Stop every service and start it again with new code or settings, same database."""
        self.stop_processes()
        self.extra_env = extra_env
        self.start_processes()

    def stop(self) -> None:
        self.stop_processes()
        try:
            _psql(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        finally:
            if self.executor == "CeleryExecutor" and reachable(*REDIS):
                import redis

                redis.Redis(host=REDIS[0], port=REDIS[1], db=self.redis_db).flushdb()

    @contextmanager
    def running(self, unpause: bool = True) -> Iterator[AirflowCluster]:
        """Start, hand over, and always stop and drop; logs are printed when a step fails.
        Without the services the test is skipped naming them, before anything is started
        (stopping would otherwise ask the missing PostgreSQL to drop the database)."""
        require_services(redis=self.executor == "CeleryExecutor")
        try:
            self.start()
            if unpause:
                self.unpause()  # runs of a paused DAG stay queued
            yield self
        except BaseException:
            print(self.logs())
            raise
        finally:
            self.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ---\n" + p.read_text(errors="replace")[-3000:]
                         for p in sorted(self.home.glob("*.log")))

    # --- REST API -------------------------------------------------------------------
    def _request(self, method: str, path: str, body: dict | None = None, token: str | None = None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read() or b"null")

    def wait_healthy(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            for name, proc in self.processes.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode}\n{self.logs()}")
            try:
                health = self._request("GET", "/api/v2/monitor/health")
                last = health
                healthy = all(health.get(k, {}).get("status") == "healthy"
                              for k in ("metadatabase", "scheduler", "dag_processor", "triggerer"))
                if healthy and self._dag_parsed():
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(2)
        raise TimeoutError(f"Airflow not healthy after {timeout}s: {last}\n{self.logs()}")

    def _dag_parsed(self) -> bool:
        try:
            self.api("GET", "/api/v2/dags/chitieu_nightly")
            return True
        except urllib.error.HTTPError:
            return False

    def token(self) -> str:
        return self._request("POST", "/auth/token", {"username": "admin", "password": self.password})[
            "access_token"]

    def api(self, method: str, path: str, body: dict | None = None):
        return self._request(method, path, body, self.token())

    def unpause(self) -> None:
        self.api("PATCH", "/api/v2/dags/chitieu_nightly", {"is_paused": False})

    def trigger(self, conf: dict | None = None, logical_date: str | None = None) -> str:
        body = {"conf": conf or {}, "logical_date": logical_date}
        return self.api("POST", "/api/v2/dags/chitieu_nightly/dagRuns", body)["dag_run_id"]

    def run_state(self, run_id: str) -> str:
        return self.api("GET", f"/api/v2/dags/chitieu_nightly/dagRuns/{run_id}")["state"]

    def wait_run(self, run_id: str, timeout: float = 300) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.run_state(run_id)
            if state in {"success", "failed"}:
                return state
            time.sleep(3)
        raise TimeoutError(f"run {run_id} still running after {timeout}s\n{self.logs()}")

    def runs(self) -> list[dict]:
        return self.api("GET", "/api/v2/dags/chitieu_nightly/dagRuns?limit=100")["dag_runs"]

    def task_instances(self, run_id: str) -> list[dict]:
        return self.api("GET", f"/api/v2/dags/chitieu_nightly/dagRuns/{run_id}/taskInstances")[
            "task_instances"]


@contextmanager
def airflow_home_dir() -> Iterator[Path]:
    """A fresh folder for an Airflow home, outside pytest's base folder: run as root, the
    embedded PostgreSQL runs as another user, who cannot enter pytest-of-root (0700, and
    reset to 0700 by every pytest session that starts meanwhile)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="chitieu-airflow-"))
    folder.chmod(0o755)
    try:
        yield folder / "home"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class MakeAirflow:
    """`make airflow` itself (`python -m chitieu airflow`) on its embedded PostgreSQL, in a
    home and on a port of the test's own, as a data engineer runs it."""

    home: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    def __post_init__(self) -> None:
        self.env = dict(self.env, AIRFLOW_HOME=str(self.home), AIRFLOW_PORT=str(self.port))
        self.env.pop("AIRFLOW__API__PORT", None)
        self.console = self.home.parent / f"{self.home.name}-console.log"  # kept beside it

    def start(self, timeout: float = 300) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.console, "w") as out:  # a file, not a pipe: nothing blocks Airflow
            self.proc = subprocess.Popen([sys.executable, "-m", "chitieu", "airflow"], env=self.env,
                                         stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"make airflow exited with {self.proc.returncode}:\n{self.logs()}")
            try:
                if self.healthy() and self.api("GET", "/api/v2/dags/chitieu_nightly"):
                    return
            except (OSError, KeyError, ValueError, urllib.error.HTTPError):
                pass
            time.sleep(2)
        raise TimeoutError(f"make airflow not healthy after {timeout:.0f} s:\n{self.logs()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)  # as a service manager stops it
            try:
                self.proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)

    @contextmanager
    def running(self) -> Iterator[MakeAirflow]:
        try:
            self.start()
            yield self
        except BaseException:
            print(self.logs())
            raise
        finally:
            self.stop()

    def logs(self) -> str:
        return self.console.read_text(errors="replace")[-6000:] if self.console.exists() else ""

    def _request(self, method: str, path: str, body: dict | None = None, token: str | None = None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read() or b"null")

    def healthy(self) -> bool:
        health = self._request("GET", "/api/v2/monitor/health")
        return all(health.get(k, {}).get("status") == "healthy"
                   for k in ("metadatabase", "scheduler", "dag_processor", "triggerer"))

    def api(self, method: str, path: str, body: dict | None = None):
        from chitieu.airflow_home import password_file

        password = json.loads(password_file(self.env).read_text())["admin"]
        token = self._request("POST", "/auth/token", {"username": "admin", "password": password})
        return self._request(method, path, body, token["access_token"])

    def wait_backfill(self, backfill_id: int, timeout: float = 1200) -> list[dict]:
        """The backfill's runs once it is complete and none is queued or running."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            backfill = self.api("GET", f"/api/v2/backfills/{backfill_id}")
            runs = self.backfill_runs(backfill)
            if backfill["completed_at"] and not any(r["state"] in {"queued", "running"} for r in runs):
                return runs
            time.sleep(5)
        raise TimeoutError(f"backfill {backfill_id} not done after {timeout:.0f} s\n{self.logs()}")

    def backfill_runs(self, backfill: dict) -> list[dict]:
        from urllib.parse import urlencode

        query = urlencode({"run_type": "backfill", "logical_date_gte": backfill["from_date"],
                           "logical_date_lte": backfill["to_date"], "limit": 100})
        return self.api("GET", f"/api/v2/dags/chitieu_nightly/dagRuns?{query}")["dag_runs"]
