"""`make test` on a laptop with no PostgreSQL and no network (issue 18, item 9): what needs a
service or a download is skipped naming it — in seconds, and before anything is started —
and fails instead under CHITIEU_REQUIRE_ALL=1 (CI)."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from tests import cluster
from tests.conftest import fetched, index_reachable
from tests.warehouse.test_sample_article_figures import older_duckdb
from tools import bi_superset

pytestmark = pytest.mark.unit


@pytest.fixture
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No network and an empty uv cache: an index that does not answer, no Python downloads."""
    monkeypatch.delenv("CHITIEU_REQUIRE_ALL", raising=False)
    monkeypatch.delenv("UV_INDEX_URL", raising=False)
    monkeypatch.setenv("UV_DEFAULT_INDEX", f"http://127.0.0.1:{cluster.free_port()}/simple")
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "empty-uv-cache"))
    monkeypatch.setenv("UV_PYTHON_DOWNLOADS", "never")


def test_cluster_without_postgresql_skips_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHITIEU_REQUIRE_ALL", raising=False)
    monkeypatch.setitem(cluster.PG, "port", cluster.free_port())
    with pytest.raises(pytest.skip.Exception, match=r"PostgreSQL on 127\.0\.0\.1"), \
            cluster.AirflowCluster(tmp_path / "home", tmp_path / "inbox", tmp_path / "wh").running():
        pytest.fail("the cluster started without PostgreSQL")


def test_cluster_without_postgresql_fails_in_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHITIEU_REQUIRE_ALL", "1")
    monkeypatch.setitem(cluster.PG, "port", cluster.free_port())
    with pytest.raises(pytest.fail.Exception, match=r"PostgreSQL.*CHITIEU_REQUIRE_ALL=1"), \
            cluster.AirflowCluster(tmp_path / "home", tmp_path / "inbox", tmp_path / "wh").running():
        pass


@pytest.mark.usefixtures("offline")
def test_older_duckdb_offline_skips_naming_it() -> None:
    assert not index_reachable()
    with pytest.raises(pytest.skip.Exception, match=r"DuckDB 1\.4.*no network"):
        fetched("DuckDB 1.4 (uv run --with duckdb==1.4.*)", older_duckdb)


@pytest.mark.usefixtures("offline")
def test_superset_offline_skips_naming_it(tmp_path: Path) -> None:
    with pytest.raises(pytest.skip.Exception, match=r"Superset's locked packages.*no network"):
        fetched("Superset's locked packages", lambda off: bi_superset.ensure_venv(tmp_path / "venv", off))


def test_a_test_failure_is_never_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only preparing the environment may skip: the same failure with the network reachable
    is retried online and raised, never turned into a skip."""
    monkeypatch.delenv("CHITIEU_REQUIRE_ALL", raising=False)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        monkeypatch.setenv("UV_DEFAULT_INDEX", f"http://127.0.0.1:{server.getsockname()[1]}/simple")
        assert index_reachable()

        def broken(offline: bool) -> None:
            raise subprocess.CalledProcessError(1, ["uv", "run", "--offline" if offline else "--online"])

        with pytest.raises(subprocess.CalledProcessError, match="online"):
            fetched("anything", broken)
