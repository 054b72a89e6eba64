"""A night leaves out the dbt nodes whose result cannot have changed (chitieu/kept_nodes.py):
the view models and the reference subgraph, when neither the project's code, the seeds nor the
raw layer's columns changed since the last successful build, and their relations are there.

Each night of this test is a real `dbt build` on the sample inbox; what it shows:
- a night with new files keeps them, still runs the tests of the raw views and the tests that
  read a kept model and a rebuilt one, still records the periods it built, and its warehouse
  (every table and view, reference included) equals a full refresh of the same raw layer;
- a seed change, a code change (a comment in a model) or a kept view dropped by hand brings
  every node back, and the result equals a full refresh again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from base.settings import Settings
from chitieu.stages import build, ingest_new, prepare
from tests.warehouse.relation_fingerprints import Fingerprints, fingerprints, full_refresh_fingerprints

pytestmark = pytest.mark.warehouse

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
VIEW = "stg_raw__values"  # a view over raw data: kept, its tests run
REFERENCE = ("dim_units", "int_unit_lineage", "stg_reference__indicators")  # the reference subgraph
BOTH = "relationships_indicator_values_indicator_code"  # reads a kept model and a rebuilt one
EVERY_SCHEMA = ("staging", "intermediate", "marts", "reference")


def _night(settings: Settings) -> dict:
    prepare(settings)
    ingest_new(settings)
    summary = build(settings)
    assert summary["success"], summary["blocking"]
    return summary


def _ran(settings: Settings) -> set[str]:
    """The nodes the last build ran (its run_results.json), by name."""
    results = json.loads((settings.build_db.parent / "dbt_target" / "run_results.json").read_text())
    return {r["unique_id"].split(".")[2] for r in results["results"]}


def _rebuilt(db: Path) -> set[str]:
    con = duckdb.connect(str(db))
    try:
        return {p for p, in con.execute("select period from meta.int_rebuild_periods where is_rebuilt")
                .fetchall()}
    finally:
        con.close()


def _built_periods(db: Path) -> set[str]:
    """The periods the last successful build recorded as built (meta.built_periods)."""
    con = duckdb.connect(str(db))
    try:
        return {p for p, in con.execute("select period from meta.built_periods").fetchall()}
    finally:
        con.close()


def _everything(db: Path) -> Fingerprints:
    """Every table and view dbt builds (staging, intermediate, marts, reference)."""
    return fingerprints(db, EVERY_SCHEMA, views=True)


def _full_refresh_of(settings: Settings, tmp: Path) -> Fingerprints:
    return full_refresh_fingerprints(settings.build_db, tmp, EVERY_SCHEMA, views=True)


def _assert_everything_ran(settings: Settings, summary: dict) -> None:
    assert summary["kept_nodes"] == []
    assert {VIEW, *REFERENCE} <= _ran(settings)


def test_a_night_keeps_what_cannot_change_and_equals_a_full_refresh(
        sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import chitieu.build

    project = tmp_path / "dbt_project"  # a copy whose model the test edits
    shutil.copytree(chitieu.build.DBT_DIR, project,
                    ignore=shutil.ignore_patterns("target", "dbt_packages", "logs"))
    monkeypatch.setattr(chitieu.build, "DBT_DIR", project)
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    monkeypatch.setenv("CHITIEU_SEEDS_DIR", str(seeds))
    monkeypatch.setenv("CHITIEU_AS_OF_DATE", "2026-05-01")
    inbox = tmp_path / "inbox"
    shutil.copytree(sample_dir / "inbox" / "2023", inbox / "2023")
    settings = Settings(inbox, tmp_path / "warehouse")
    _assert_everything_ran(settings, _night(settings))  # the first night builds everything

    # A night with new files: the views and the reference subgraph are kept.
    shutil.copytree(sample_dir / "inbox" / "2024", inbox / "2024")
    summary = _night(settings)
    ran = _ran(settings)
    assert {VIEW, *REFERENCE} <= set(summary["kept_nodes"]), summary["kept_nodes"]
    assert not ({VIEW, *REFERENCE} & ran), "a kept node ran"
    assert any(t.startswith("unique_stg_raw__submissions") for t in ran), "the raw views' tests run"
    assert any(t.startswith(BOTH) for t in ran), "a test of a kept and a rebuilt model runs"
    assert not any(t.startswith("unique_key_dim_units_") for t in ran), "a reference test ran"
    rebuilt = _rebuilt(settings.build_db)
    assert rebuilt and all(p.startswith("2024") for p in rebuilt)
    assert rebuilt <= _built_periods(settings.build_db), "a night that kept nodes recorded no built periods"
    assert _everything(settings.build_db) == _full_refresh_of(settings, tmp_path / "after_files")

    # A seed changed (an indicator's name): every node runs.
    indicators = seeds / "indicators.csv"
    text = indicators.read_text(encoding="utf-8")
    assert text.count(",Dân số trung bình,") == 1
    indicators.write_text(text.replace(",Dân số trung bình,", ",Dân số trung bình năm,"), encoding="utf-8")
    _assert_everything_ran(settings, _night(settings))

    # The project's code changed (a comment in a model): every node runs.
    model = project / "models" / "marts" / "dim_indicators.sql"
    model.write_text(model.read_text(encoding="utf-8") + "-- the same select, new code\n", encoding="utf-8")
    _assert_everything_ran(settings, _night(settings))

    # A kept view dropped by hand: every node runs, and the view is back.
    con = duckdb.connect(str(settings.build_db))
    try:
        con.execute(f"drop view staging.{VIEW}")
    finally:
        con.close()
    _assert_everything_ran(settings, _night(settings))
    assert _everything(settings.build_db) == _full_refresh_of(settings, tmp_path / "after_drop")
