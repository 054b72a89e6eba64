"""docker-compose.yml: validated by the compose client, shaped like the native topology."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import missing

pytestmark = pytest.mark.airflow

PROJECT = Path(__file__).resolve().parents[2]
SERVICES = {"postgres", "redis", "airflow-init", "airflow-apiserver", "airflow-scheduler",
            "airflow-dag-processor", "airflow-triggerer", "airflow-worker"}


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
                "AIRFLOW_API_SECRET_KEY"):
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
