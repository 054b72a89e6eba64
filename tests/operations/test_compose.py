"""docker-compose.yml: validated by the compose client, shaped like the native topology."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import missing

pytestmark = pytest.mark.airflow

PROJECT = Path(__file__).resolve().parents[2]
SERVICES = {"postgres", "redis", "airflow-init", "airflow-apiserver", "airflow-scheduler",
            "airflow-dag-processor", "airflow-triggerer", "airflow-worker", "portal"}


def compose_client() -> list[str]:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True,
                                                 check=False).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    missing("a compose client (docker compose or docker-compose; .ci/run installs Debian's)")
    raise AssertionError("unreachable")


def _stage(tmp_path: Path, with_env: bool) -> Path:
    from tools.generate_env import generate

    for name in ("docker-compose.yml", "Dockerfile"):
        shutil.copy(PROJECT / name, tmp_path / name)
    if with_env:
        generate(tmp_path)
    return tmp_path


def test_compose_config_is_valid_with_generated_secrets(tmp_path: Path) -> None:
    root = _stage(tmp_path, with_env=True)
    proc = subprocess.run([*compose_client(), "config"], cwd=root, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    config = yaml.safe_load(proc.stdout)
    assert set(config["services"]) >= SERVICES
    password = (root / ".env").read_text().split("POSTGRES_PASSWORD=")[1].split("\n")[0]
    assert password in config["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"]


def test_compose_refuses_to_start_without_secrets(tmp_path: Path) -> None:
    root = _stage(tmp_path, with_env=False)
    proc = subprocess.run([*compose_client(), "config"], cwd=root, capture_output=True, text=True,
                          check=False)
    assert proc.returncode != 0
    assert "run make env to create .env" in proc.stderr


def test_no_secret_in_the_repository_and_services_are_checked() -> None:
    text = (PROJECT / "docker-compose.yml").read_text()
    config = yaml.safe_load(text)
    for name in SERVICES - {"airflow-init"}:
        assert "healthcheck" in config["services"][name], name
    for key in ("POSTGRES_PASSWORD", "REDIS_PASSWORD", "AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET",
                "AIRFLOW_API_SECRET_KEY", "PORTAL_SECRET_KEY"):
        assert f"${{{key}:?" in text, f"{key} must be required, never defaulted"
    reader = config["services"]["warehouse-reader"]
    assert reader["volumes"] == ["warehouse:/data/warehouse:ro"]
    ignored = (PROJECT / ".gitignore").read_text().split()
    assert ".env" in ignored and ".secrets/" in ignored


def test_env_generator_never_overwrites(tmp_path: Path) -> None:
    import pytest

    from tools.generate_env import generate

    generate(tmp_path)
    with pytest.raises(SystemExit, match="exists"):
        generate(tmp_path)
    assert oct((tmp_path / ".env").stat().st_mode)[-3:] == "600"


def test_superset_profile_reads_the_warehouse_read_only_with_the_locked_pins(tmp_path: Path) -> None:
    """The `bi` profile's Superset: the official 6.1.0 image, the warehouse and the bundle read-only,
    bound to localhost, and the DuckDB driver pinned as in bi/superset/requirements.txt."""
    import re

    root = _stage(tmp_path, with_env=True)
    proc = subprocess.run([*compose_client(), "--profile", "bi", "config"], cwd=root, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    service = yaml.safe_load((PROJECT / "docker-compose.yml").read_text())["services"]["superset"]
    assert service["image"] == "apache/superset:6.1.0" and service["profiles"] == ["bi"]
    assert "warehouse:/data/warehouse:ro" in service["volumes"]
    assert "./bi/superset:/opt/chitieu/bi/superset:ro" in service["volumes"]
    assert all(p.startswith("127.0.0.1:") for p in service["ports"])
    locked = dict(re.findall(r"^([a-z0-9-]+)==(\S+)", (PROJECT / "bi/superset/requirements.txt").read_text(),
                             re.MULTILINE))
    pins = dict(re.findall(r"([a-z0-9-]+)==(\S+)", service["command"][0]))
    assert set(pins) == {"duckdb", "duckdb-engine", "flask-caching", "rich", "cachetools"}
    assert all(locked[name] == version for name, version in pins.items()), (pins, locked)


def test_the_portal_runs_beside_airflow_on_postgresql(tmp_path: Path) -> None:
    """The portal's service: its own database on the stack's PostgreSQL, the inbox writable
    (it delivers reports), the published warehouse read-only, the receipts export shared with
    the night (read-only there), served by gunicorn on this machine only by default."""
    root = _stage(tmp_path, with_env=True)
    proc = subprocess.run([*compose_client(), "config"], cwd=root, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    services = yaml.safe_load(proc.stdout)["services"]
    portal = services["portal"]
    env = portal["environment"]
    assert env["PORTAL_DATABASE_URL"].startswith("postgresql://chitieu:") and \
        env["PORTAL_DATABASE_URL"].endswith("@postgres:5432/portal")
    assert env["CHITIEU_RECEIPTS_FILE"] == services["airflow-worker"]["environment"]["CHITIEU_RECEIPTS_FILE"]
    mounts = _mounts(portal)
    assert {("/data/inbox", False), ("/data/receipts", False), ("/data/warehouse", True)} <= mounts
    assert ("/data/receipts", True) in _mounts(services["airflow-worker"])
    assert "gunicorn portal.wsgi" in " ".join(portal["command"])
    assert all((p["host_ip"] if isinstance(p, dict) else p).startswith("127.0.0.1") for p in portal["ports"])
    init = (PROJECT / "tools" / "postgres-init" / "10-portal.sql").read_text()
    assert "CREATE DATABASE portal" in init


def test_the_digest_task_reads_the_portals_database(tmp_path: Path) -> None:
    """The weekly e-mail's task (dags/chitieu_findings_digest.py) runs `python -m portal
    findings_digest` on an Airflow worker: the worker has the portal's database, key and
    address as the portal's service has them (else Django would open an empty SQLite file in
    the image and e-mail nobody), and the other Airflow services do not. The worker's
    environment, as the compose client renders it, loads the portal's settings natively."""
    root = _stage(tmp_path, with_env=True)
    proc = subprocess.run([*compose_client(), "config"], cwd=root, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    services = yaml.safe_load(proc.stdout)["services"]
    portal, worker = services["portal"]["environment"], services["airflow-worker"]["environment"]
    for name in ("PORTAL_DATABASE_URL", "PORTAL_SECRET_KEY", "PORTAL_BASE_URL"):
        assert worker.get(name) == portal[name], name
    assert portal["PORTAL_BASE_URL"] == "http://127.0.0.1:8700"  # the published port, by default
    assert worker["WAREHOUSE_DIR"] == portal["WAREHOUSE_DIR"]  # the findings of the same night
    for other in ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"):
        assert "PORTAL_SECRET_KEY" not in services[other]["environment"], other
    assert "portal" not in services["airflow-worker"].get("depends_on", {}), \
        "the night never waits for the portal (docs/spec/portal.md)"
    # the portal's settings under the worker's environment: PostgreSQL's `portal`, no file written
    data = tmp_path / "not-written"
    env = {k: str(v) for k, v in worker.items() if k.startswith("PORTAL_")}
    key = portal["PORTAL_SECRET_KEY"]
    probe = ("import portal.settings as s; d = s.DATABASES['default']; "
             f"print(d['ENGINE'], d['NAME'], d['HOST'], s.SECRET_KEY == {key!r})")
    done = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PORTAL_DATA_DIR": str(data),
                               **env}, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["django.db.backends.postgresql", "portal", "postgres", "True"]
    assert not data.exists()


def _mounts(service: dict) -> set[tuple[str, bool]]:
    """(target, read-only) of each volume, in the long syntax or the short one."""
    found = set()
    for v in service["volumes"]:
        if isinstance(v, dict):
            found.add((v["target"], bool(v.get("read_only", False))))
        else:
            parts = v.split(":")
            found.add((parts[1], parts[2:] == ["ro"]))
    return found
