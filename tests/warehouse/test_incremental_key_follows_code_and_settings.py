"""The incremental keys (macros/inputs_key.sql, int_rebuild_periods) follow what the files do
not carry: a setting changed in dbt_project.yml's vars rebuilds every period (the outlier
checks are judged with it), and a reference model whose code changed is recomputed (its key
holds its own checksum), while a night that changes neither keeps them.

dbt builds a copy of the project (so the test may edit it, as an upgrade or an operator
would) on an empty raw layer, as of 1 May 2026, three times: unchanged, with the outlier
threshold changed, with a comment added to int_units_in_period.sql."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from base.settings import DBT_DIR
from ingest import store

pytestmark = pytest.mark.warehouse

REFERENCE_MODEL = "int_units_in_period"


def _build(project: Path, db: Path) -> dict[str, str]:
    """dbt build of the copy; each model's SQL as it ran."""
    from dbt.cli.main import dbtRunner

    from chitieu.build import _dbt_environment

    target = db.parent / "dbt_target"
    with _dbt_environment({"CHITIEU_DB": str(db), "CHITIEU_DBT_SEED_PATH": "seeds"}):
        result = dbtRunner().invoke([
            "build", "--project-dir", str(project), "--profiles-dir", str(project), "--threads", "2",
            "--target-path", str(target), "--log-path", str(db.parent / "dbt_logs"),
            "--exclude-resource-type", "unit_test", "--vars", json.dumps({"as_of_date": "2026-05-01"})])
    assert result.success, result.exception
    ran = json.loads((target / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[-1]: r.get("compiled_code") or "" for r in ran
            if r["unique_id"].startswith("model.")}


def _rebuilt_and_all(db: Path) -> tuple[set[str], set[str]]:
    con = duckdb.connect(str(db))
    try:
        rows = con.execute("select period, is_rebuilt from meta.int_rebuild_periods "
                           "where period is not null").fetchall()
    finally:
        con.close()
    return {p for p, rebuilt in rows if rebuilt}, {p for p, _ in rows}


def _recomputed(compiled: dict[str, str]) -> bool:
    """The reference model's select read its inputs (else it compiled to an empty select)."""
    return "stg_reference__units" in compiled[REFERENCE_MODEL]


def test_a_changed_setting_or_model_code_rebuilds_what_it_touches(tmp_path: Path) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    db = tmp_path / "build" / "chitieu.duckdb"
    store.connect(db).close()  # the raw layer, empty: every period still has its fingerprint
    assert _recomputed(_build(project, db))  # the first build computes everything

    settings = project / "dbt_project.yml"
    text = settings.read_text(encoding="utf-8")
    assert text.count("outlier_z_threshold: 3.5") == 1
    changed = text.replace("outlier_z_threshold: 3.5", "outlier_z_threshold: 4.0")
    settings.write_text(changed, encoding="utf-8")
    compiled = _build(project, db)
    rebuilt, every = _rebuilt_and_all(db)
    assert every and rebuilt == every, "a changed setting rebuilds every period"
    assert not _recomputed(compiled), "the unit hierarchy does not depend on the setting: kept"

    model = project / "models" / "intermediate" / f"{REFERENCE_MODEL}.sql"
    model.write_text(model.read_text(encoding="utf-8") + "-- the same select, new code\n", encoding="utf-8")
    assert _recomputed(_build(project, db)), "a model whose code changed is recomputed"
