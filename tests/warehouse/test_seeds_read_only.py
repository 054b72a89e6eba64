"""dbt in-process: reference data given from another folder is read, never written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chitieu.build import run_dbt_build
from ingest import store

pytestmark = pytest.mark.warehouse

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"


def test_seeds_folder_outside_the_project_is_left_byte_for_byte(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    before = {p.name: p.read_bytes() for p in seeds.iterdir()}
    monkeypatch.setenv("CHITIEU_SEEDS_DIR", str(seeds))  # absolute, as deployments set it
    db = tmp_path / "build" / "chitieu.duckdb"
    store.connect(db).close()  # the raw layer, empty
    summary = run_dbt_build(db)
    assert summary.success, summary.blocking
    assert {p.name: p.read_bytes() for p in seeds.iterdir()} == before


def test_unit_tests_run_in_the_suite_not_in_the_nightly_build(tmp_path: Path) -> None:
    """dbt's unit tests (the aggregation rules on hand-made rows) pass; the nightly build
    leaves them out, so they must run here."""
    db = tmp_path / "build" / "chitieu.duckdb"
    store.connect(db).close()
    nightly = run_dbt_build(db)
    assert nightly.success and "unit_test" not in nightly.node_types
    suite = run_dbt_build(db, unit_tests=True)
    assert suite.success, suite.blocking
    assert suite.node_types.get("unit_test", 0) >= 7, suite.node_types
