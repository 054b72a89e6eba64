"""Shared fixtures: a freshly generated sample inbox and a warehouse built from it."""

from __future__ import annotations

import csv
import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlparse

import pytest

PROJECT = Path(__file__).resolve().parent.parent


def missing(what: str) -> None:
    """Skip naming what is missing, or fail where CI demands every tier (CHITIEU_REQUIRE_ALL=1)."""
    message = f"needs {what} (not available here)"
    if os.environ.get("CHITIEU_REQUIRE_ALL") == "1":
        pytest.fail(message + "; CHITIEU_REQUIRE_ALL=1 demands it")
    pytest.skip(message)


def require_tool(*names: str) -> str:
    """The first of `names` on PATH; else skip naming it, or fail where CI demands every tier.

    A laptop without Chromium or LibreOffice still passes `make test` with the skip named;
    `.ci/run` sets CHITIEU_REQUIRE_ALL=1 so that a missing install step fails instead.
    """
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    missing(f"{' or '.join(names)} on PATH")
    raise AssertionError("unreachable")


T = TypeVar("T")


def index_reachable(timeout: float = 3.0) -> bool:
    """Whether uv's package index answers at all (UV_DEFAULT_INDEX, UV_INDEX_URL or PyPI): a
    laptop without network is told so in seconds, not after uv's retries."""
    url = os.environ.get("UV_DEFAULT_INDEX") or os.environ.get("UV_INDEX_URL") or "https://pypi.org/simple"
    parsed = urlparse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname or "", port), timeout=timeout):
            return True
    except OSError:
        return False


def fetched(what: str, fetch: Callable[[bool], T]) -> T:
    """`fetch(offline=True)` from uv's cache alone; failing that, `fetch(offline=False)` with
    the network; with neither, skip naming `what` (or fail under CHITIEU_REQUIRE_ALL=1).
    `fetch` only prepares an environment: a test's own failure is never retried nor skipped."""
    try:
        return fetch(True)
    except subprocess.CalledProcessError:
        if not index_reachable():
            missing(f"{what}: not in uv's cache, and no network to download it")
        return fetch(False)


def uv_path() -> str:
    """The uv that make installed (exported as UV), else the one on PATH or in ~/.local/bin."""
    found = os.environ.get("UV") or shutil.which("uv") or str(Path.home() / ".local" / "bin" / "uv")
    if not Path(found).exists() and shutil.which(found) is None:
        missing("uv (make setup installs it)")
    return found


# What the unit tier (`make test-quick`, under a minute) must never start: the sample's
# generation and build, and Airflow's metadata migration, are minutes of the full suite.
NOT_UNIT_FIXTURES = {"sample_dir", "built", "airflow_metadata"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse a `unit` test that asks for a fixture of the full suite, before anything runs."""
    wrong = [f"{item.nodeid} ({', '.join(sorted(NOT_UNIT_FIXTURES & set(item.fixturenames)))})"
             for item in items if item.get_closest_marker("unit")
             and NOT_UNIT_FIXTURES & set(getattr(item, "fixturenames", ()))]
    if wrong:
        raise pytest.UsageError("marked unit but needs the sample, the warehouse or Airflow: "
                                + "; ".join(wrong))


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`make test` runs on every core (pytest-xdist): a module's tests stay on one worker, so a
    module-scoped build is made once; and the modules marked `superset` share one worker, which
    boots the review room's one Superset (tests/review/conftest.py) and makes its venv alone."""
    from xdist.scheduler import LoadScopeScheduling

    booting = superset_modules()

    class ByModule(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::")[0]
            return "superset" if module in booting else module

    return ByModule(config, log)


def superset_modules() -> set[str]:
    """The test modules that boot Superset (marked `pytest.mark.superset`), as node ids name them."""
    return {path.relative_to(PROJECT).as_posix() for path in (PROJECT / "tests").rglob("test_*.py")
            if "pytest.mark.superset" in path.read_text(encoding="utf-8")}


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample inbox as `python -m ingest sample` writes it, generated for this run."""
    from ingest.sample import generate

    out = tmp_path_factory.mktemp("sample")
    generate(out / "inbox", out / "expected")  # every year to the last month ended today
    return out


@pytest.fixture(scope="session")
def expected_values(sample_dir: Path) -> dict[tuple[str, str, str], float]:
    with open(sample_dir / "expected" / "indicator_values_2021.csv", encoding="utf-8") as fh:
        return {(r["unit_code"], r["period"], r["indicator_code"]): float(r["value"])
                for r in csv.DictReader(fh)}


@pytest.fixture(scope="session")
def bad_inputs(sample_dir: Path) -> list[dict[str, str]]:
    with open(sample_dir / "expected" / "bad_inputs.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def built(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The whole job run once in-process (no Airflow) on the sample inbox, after its files
    arrived night by night as `make run` replays them (chitieu.replay)."""
    from base.settings import Settings
    from chitieu.replay import replay_sample
    from chitieu.stages import run_once

    settings = Settings(sample_dir / "inbox", tmp_path_factory.mktemp("warehouse"))
    replay_sample(settings)
    result = run_once(settings)
    return settings, result


def airflow_env(home: Path, inbox: Path, warehouse: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "PYTHONPATH": str(PROJECT),
        "INBOX": str(inbox),
        "WAREHOUSE_DIR": str(warehouse),
        "DO_NOT_TRACK": "1",
    })
    return env


@pytest.fixture(scope="session")
def airflow_metadata(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Airflow's SQLite metadata database migrated once for the session, with the one-slot
    writer pool (chitieu.airflow_home.init_metadata): two Airflow commands of 10-30 s each
    that every test home would otherwise run again. A test copies it (`airflow_home`)."""
    from chitieu.airflow_home import init_metadata

    root = tmp_path_factory.mktemp("airflow-metadata")
    init_metadata(airflow_env(root / "home", root / "inbox", root / "warehouse"))
    return root / "home"


def airflow_home(metadata: Path, home: Path) -> Path:
    """A new Airflow home holding a copy of the session's migrated metadata database."""
    home.mkdir(parents=True, exist_ok=True)
    for path in metadata.glob("airflow.db*"):
        shutil.copy2(path, home / path.name)
    return home


PASSWORD = "mat-khau-thu-nghiem"  # the first-time password given to every test account
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def postgres_database(prefix: str) -> Iterator[str]:
    """A fresh database on the machine's PostgreSQL (trust auth), dropped afterwards."""
    try:
        import psycopg2

        admin = psycopg2.connect(dbname="postgres", connect_timeout=5, **PG)
    except Exception as exc:
        missing(f"PostgreSQL on 127.0.0.1:5432 ({exc})")
        raise
    admin.autocommit = True
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="session")
def portal_django(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Django set up once for the session; yields the portal's data folder. Defined here, once:
    Django reads its settings once per process, so a second instance of this fixture (a room
    importing it) would hand its tests a data folder and database Django never uses."""
    data = tmp_path_factory.mktemp("portal-data")
    for url in postgres_database("chitieu_portal_test"):
        os.environ.update({"PORTAL_DATABASE_URL": url, "PORTAL_DATA_DIR": str(data),
                           "PORTAL_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
                           "DJANGO_SETTINGS_MODULE": "portal.settings"})
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        call_command("create_accounts", sheet=data / "sheet.txt", password=PASSWORD, verbosity=0)
        yield data
        from django.db import connections

        connections.close_all()
