"""Nights build incrementally: the reference models (the unit hierarchy per period) are kept when
the seeds, the periods and today's units did not change, and rebuilt when one did; the data
models rebuild only the periods that files, decisions, answers to findings, a seed or the date
changed (int_rebuild_periods); either way the warehouse equals a full refresh of the same raw layer,
table for table."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from base.settings import Settings
from chitieu.stages import build, build_as_of, ingest_new, prepare, publish_marts
from tests.warehouse.relation_fingerprints import Fingerprints, fingerprints, full_refresh_fingerprints

pytestmark = pytest.mark.warehouse

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
KEPT = ("int_units_in_period", "int_unit_ancestors")  # incremental on their inputs' key
FIRST_NIGHT = ("2022", "2023", "Ke hoach", "Tinh")  # sample inbox folders
NEXT_NIGHT = ("2024",)
MODEL_SCHEMAS = ("intermediate", "marts")  # the tables a night builds


def _night(settings: Settings) -> dict:
    prepare(settings)
    ingest_new(settings)
    summary = build(settings)
    assert summary["success"], summary["blocking"]
    return summary


def _rebuilt(settings: Settings) -> set[str]:
    """The periods the last build rebuilt (meta.int_rebuild_periods)."""
    con = duckdb.connect(str(settings.build_db))
    try:
        return {p for p, in con.execute("select period from meta.int_rebuild_periods where is_rebuilt")
                .fetchall()}
    finally:
        con.close()


def _all_periods(settings: Settings) -> set[str]:
    con = duckdb.connect(str(settings.build_db))
    try:
        return {p for p, in con.execute("select period from intermediate.int_periods").fetchall()}
    finally:
        con.close()


def _compiled(settings: Settings) -> dict[str, str]:
    """Each model's SQL as the last build ran it (dbt's run_results.json)."""
    results = json.loads((settings.build_db.parent / "dbt_target" / "run_results.json").read_text())
    return {r["unique_id"].split(".")[-1]: r.get("compiled_code") or "" for r in results["results"]
            if r["unique_id"].startswith("model.")}


def _fingerprints(db: Path) -> Fingerprints:
    return fingerprints(db, MODEL_SCHEMAS)


def _full_refresh_of(settings: Settings, tmp: Path) -> Fingerprints:
    return full_refresh_fingerprints(settings.build_db, tmp, MODEL_SCHEMAS)


def _edit_units(seeds: Path, edit) -> None:
    path = seeds / "admin_units.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows = edit(rows)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _corrected_targets(inbox: Path) -> None:
    """The planning office sends its targets workbook again with one 2023 target raised."""
    import openpyxl

    book = openpyxl.load_workbook(inbox / "Ke hoach" / "chi_tieu_ke_hoach.xlsx")
    sheet = book.worksheets[0]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == 2023 and r[3].value == "Tối thiểu")
    row[4].value = row[4].value * 2
    book.save(inbox / "Ke hoach" / "chi_tieu_ke_hoach sua.xlsx")


def _add_commune(seeds: Path) -> str:
    """A new ward (a phường: no XA_COUNT to carry) under the province, from the July 2025
    reform to 30 June 2026."""
    path = seeds / "admin_units.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    province = next(r for r in rows if r["unit_level"] == "province")
    new = dict(province, unit_code="99999", unit_name="Phường Thử Nghiệm", unit_type="Phường",
               unit_level="commune", parent_code=province["unit_code"], valid_from="2025-07-01",
               valid_to="2026-06-30")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows([*rows, new])
    return new["unit_code"]


def test_incremental_nights_equal_a_full_refresh_and_a_seed_change_rebuilds(
        sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    monkeypatch.setenv("CHITIEU_SEEDS_DIR", str(seeds))
    monkeypatch.setenv("CHITIEU_AS_OF_DATE", "2026-05-01")
    inbox = tmp_path / "inbox"
    for folder in FIRST_NIGHT:
        shutil.copytree(sample_dir / "inbox" / folder, inbox / folder)
    settings = Settings(inbox, tmp_path / "warehouse")
    _night(settings)
    assert all("stg_reference__units" in sql for name, sql in _compiled(settings).items()
               if name == "int_units_in_period")

    # A night that brings files: the reference models are kept, the rest follows the files.
    for folder in NEXT_NIGHT:
        shutil.copytree(sample_dir / "inbox" / folder, inbox / folder)
    _night(settings)
    compiled = _compiled(settings)
    for name in KEPT:
        assert "recursive" not in compiled[name] and "stg_reference__units" not in compiled[name], \
            f"{name} was recomputed on a night whose seeds did not change"
    assert _rebuilt(settings) and all(p.startswith("2024") for p in _rebuilt(settings)), \
        "a night rebuilds the periods its files touch (the year 2024's), not the others"
    incremental = _fingerprints(settings.build_db)
    assert incremental == _full_refresh_of(settings, tmp_path / "after_files")

    # A seed change: what depends on the unit list is rebuilt, and still equals a full refresh.
    code = _add_commune(seeds)
    _night(settings)
    compiled = _compiled(settings)
    assert "stg_reference__units" in compiled["int_units_in_period"]
    assert "recursive" in compiled["int_unit_ancestors"]
    con = duckdb.connect(str(settings.build_db))
    try:
        depths = con.execute("select distinct depth from intermediate.int_unit_ancestors "
                             "where unit_code = ? order by depth", [code]).fetchall()
    finally:
        con.close()
    assert [d for d, in depths] == [0, 1], depths  # itself and the province
    after_seeds = _fingerprints(settings.build_db)
    assert after_seeds != incremental
    assert after_seeds == _full_refresh_of(settings, tmp_path / "after_seeds")

    assert _rebuilt(settings) == _all_periods(settings), "a seed change rebuilds every period"

    # A due day passing: no file, no seed, the date alone moves past the end of May. May's
    # reports become expected: May alone is rebuilt, and equals a full refresh. The new date
    # does not make dbt parse the whole project again (it did while it was a dbt var).
    monkeypatch.setenv("CHITIEU_AS_OF_DATE", "2026-06-01")
    shutil.rmtree(settings.build_db.parent / "dbt_logs")
    _night(settings)
    assert _rebuilt(settings) == {"2026-05"}
    parse = (settings.build_db.parent / "dbt_logs" / "dbt.log").read_text(errors="replace")
    assert "Unable to do partial parsing" not in parse, "the as-of date made dbt parse everything"
    after_due = _fingerprints(settings.build_db)
    assert after_due != after_seeds  # May's completeness appeared
    assert after_due == _full_refresh_of(settings, tmp_path / "after_due")

    # A target changed (the targets workbook sent again) and a decision on a unit's period
    # (the portal's raw.decisions): the decision's period and those it overlaps are rebuilt.
    _corrected_targets(inbox)
    con = duckdb.connect(str(settings.build_db))
    try:
        con.execute("insert into raw.decisions (unit_code, period, decision, decided_by, decided_at, note) "
                    "values (?, '2023-Q2', 'approved', 'reviewer', timestamp '2026-06-01 03:00', null)",
                    [code])
        # and the approval of a unit's 2023-Q2 figures as published (their fingerprint): the
        # approval status follows on the incremental night
        approved_unit, shown = con.execute(
            "select unit_code, current_fingerprint from marts.approval_status where period = '2023-Q2' "
            "and approval_status = 'awaiting_approval' order by unit_code limit 1").fetchone()
        con.execute("insert into raw.decisions (unit_code, period, decision, decided_by, decided_at, note, "
                    "decision_id, figures_sha256) values (?, '2023-Q2', 'approved', 'reviewer', "
                    "timestamp '2026-06-01 03:30', null, 2, ?)", [approved_unit, shown])
        # and an answer to a finding of the third quarter of 2022 (raw.finding_answers): its
        # period is rebuilt too, and the follow-up mart shows it (resolved: no longer found)
        con.execute("insert into raw.finding_answers (answer_id, finding_key, unit_code, period, rule, "
                    "kind, answer_text, corrected_file_sha256, answered_by, answered_at) values (1, ?, ?, "
                    "'2022-Q3', 'yoy', 'da_sua', 'đã gửi lại', ?, 'bc', timestamp '2026-06-01 04:00')",
                    ["f" * 32, code, "a" * 64])
    finally:
        con.close()
    _night(settings)
    assert _rebuilt(settings) == {"2023-Q2", "2023-04", "2023-05", "2023-06", "2023-H1", "2023",
                                  "2022-Q3", "2022-07", "2022-08", "2022-09", "2022-H2", "2022"}
    con = duckdb.connect(str(settings.build_db))
    try:
        followed = con.execute("select status, last_answer_kind, answers from marts.finding_follow_up "
                               "where finding_key = ?", ["f" * 32]).fetchall()
    finally:
        con.close()
    assert followed == [("resolved", "da_sua", 1)], followed
    con = duckdb.connect(str(settings.build_db))
    try:
        status = con.execute("select approval_status from marts.approval_status where unit_code = ? "
                             "and period = '2023-Q2' union all select distinct approval_status from "
                             "marts.indicator_values where unit_code = ? and period = '2023-Q2'",
                             [approved_unit, approved_unit]).fetchall()
    finally:
        con.close()
    assert status == [("approved",), ("approved",)], status
    after_decisions = _fingerprints(settings.build_db)
    assert after_decisions["marts.targets"] != after_due["marts.targets"]
    assert after_decisions == _full_refresh_of(settings, tmp_path / "after_decisions")

    # A later day of the same year (same periods) on which that commune has ceased: today's
    # units changed, so the current-units view of every period is rebuilt.
    monkeypatch.setenv("CHITIEU_AS_OF_DATE", "2026-07-15")
    _night(settings)
    assert "stg_reference__units" in _compiled(settings)["int_units_in_period"]
    after_day = _fingerprints(settings.build_db)
    assert after_day != after_seeds
    assert after_day == _full_refresh_of(settings, tmp_path / "after_day")


def test_a_seed_change_to_past_units_only_rebuilds_the_hierarchy(
        sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A unit that ceased before today renamed in the unit list: today's units are the same,
    so only the unit list itself (in int_units_in_period's key) says the hierarchy of the
    past periods changed."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    monkeypatch.setenv("CHITIEU_SEEDS_DIR", str(seeds))
    monkeypatch.setenv("CHITIEU_AS_OF_DATE", "2026-05-01")
    inbox = tmp_path / "inbox"
    shutil.copytree(sample_dir / "inbox" / "2023", inbox / "2023")
    settings = Settings(inbox, tmp_path / "warehouse")
    _night(settings)
    before = _fingerprints(settings.build_db)

    def rename_a_ceased_commune(rows: list[dict]) -> list[dict]:
        ceased = next(r for r in rows if r["unit_level"] == "commune" and r["valid_to"] < "2025-07-01")
        ceased["unit_name"] += " (đổi tên)"
        return rows

    _edit_units(seeds, rename_a_ceased_commune)
    _night(settings)
    assert "stg_reference__units" in _compiled(settings)["int_units_in_period"]
    after = _fingerprints(settings.build_db)
    assert after["intermediate.int_units_in_period"] != before["intermediate.int_units_in_period"]
    assert after == _full_refresh_of(settings, tmp_path / "after_rename")


def test_a_backfilled_quiet_day_publishes_as_of_the_latest_day_and_rebuilds_nothing(
        sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A backfilled night D never moves the published warehouse back in time: it builds as of
    the day already published (or D, if later); with no file and no period newly ended, no
    period is rebuilt."""
    monkeypatch.setenv("CHITIEU_AS_OF_DATE", "2026-05-01")
    inbox = tmp_path / "inbox"
    shutil.copytree(sample_dir / "inbox" / "2023", inbox / "2023")
    settings = Settings(inbox, tmp_path / "warehouse")
    _night(settings)
    publish_marts(settings)
    monkeypatch.delenv("CHITIEU_AS_OF_DATE")
    assert build_as_of(settings, date(2026, 3, 10)) == date(2026, 5, 1)
    assert build_as_of(settings, date(2026, 5, 20)) == date(2026, 5, 20)

    summary = build(settings, day=date(2026, 3, 10))  # a backfilled night, nothing arrived
    assert summary["success"] and summary["as_of"] == "2026-05-01"
    assert _rebuilt(settings) == set()
    publish_marts(settings)
    con = duckdb.connect(str(settings.published_db), read_only=True)
    try:
        assert con.execute("select as_of_date from meta.publication").fetchall() == [(date(2026, 5, 1),)]
    finally:
        con.close()


def _tests_reading_rebuilt_periods(target: Path) -> set[str]:
    """The data tests of a build (its run_results.json) that read only the periods it rebuilt."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[2] for r in results if r["unique_id"].startswith("test.")
            and "int_rebuild_periods" in (r.get("compiled_code") or "")}


def test_a_night_tests_what_it_rebuilt_and_a_macro_edit_rebuilds_every_period(
        sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A night's error tests of the models incremental by period read the periods it rebuilt,
    and still fail on a bad row there; a full refresh tests every period; the project's code
    (a macro here) is in every period's fingerprint, so editing it rebuilds, and tests, every
    period; a seed is loaded again only when it changed."""
    import chitieu.build

    project = tmp_path / "dbt_project"  # a copy whose macro the test edits
    shutil.copytree(chitieu.build.DBT_DIR, project,
                    ignore=shutil.ignore_patterns("target", "dbt_packages", "logs"))
    monkeypatch.setattr(chitieu.build, "DBT_DIR", project)
    monkeypatch.setenv("CHITIEU_AS_OF_DATE", "2026-05-01")
    inbox = tmp_path / "inbox"
    for folder in ("2023", "2024"):
        shutil.copytree(sample_dir / "inbox" / folder, inbox / folder)
    settings = Settings(inbox, tmp_path / "warehouse")
    target = settings.build_db.parent / "dbt_target"
    first = _night(settings)
    assert first["kept_seeds"] == []
    every = _all_periods(settings)

    # A quiet night: no seed loaded again, no period rebuilt, so the narrowed tests read nothing.
    quiet = _night(settings)
    assert sorted(quiet["kept_seeds"]) == sorted(p.stem for p in SEEDS.glob("*.csv"))
    assert _rebuilt(settings) == set()
    narrowed = _tests_reading_rebuilt_periods(target)
    assert {"assert_rollups_reconcile", "assert_units_in_hierarchy"} <= narrowed
    assert any(t.startswith("unique_key_int_unit_rollup_") for t in narrowed), narrowed
    assert "assert_no_rule_violations" not in narrowed  # warn severity: reported every night
    assert any(t.startswith("unique_key_int_units_in_period_") for t in narrowed)  # opted in
    assert not any(t.startswith("unique_key_int_unit_lineage_") for t in narrowed)  # a whole table

    # A macro edited (even a comment): every period is rebuilt.
    macro = project / "macros" / "round_half_up.sql"
    macro.write_text(macro.read_text(encoding="utf-8") + "\n{#- edited -#}\n", encoding="utf-8")
    _night(settings)
    assert _rebuilt(settings) == every, "a macro edit rebuilds every period"

    # A bad row in a period the night rebuilds: a unit counted twice in 2024 by the kept unit
    # hierarchy (a reference model, not rebuilt). The narrowed reconciliation test fails.
    con = duckdb.connect(str(settings.build_db))
    try:
        con.execute("insert into intermediate.int_unit_ancestors "
                    "select * from intermediate.int_unit_ancestors where period = '2024' and depth = 0 "
                    "and unit_code in (select unit_code from raw.values where period = '2024') limit 1")
    finally:
        con.close()
    prepare(settings)
    bad = build(settings, periods=["2024"])
    assert not bad["success"]
    assert any("assert_rollups_reconcile" in b for b in bad["blocking"]), bad["blocking"]
    assert "2024" in _rebuilt(settings) and "2023" not in _rebuilt(settings)
    assert "assert_rollups_reconcile" in _tests_reading_rebuilt_periods(target)

    # A full refresh tests every period (and, rebuilding the hierarchy, mends it).
    _full_refresh_of(settings, tmp_path / "full")
    assert _tests_reading_rebuilt_periods(tmp_path / "full" / "build" / "dbt_target") == set()
