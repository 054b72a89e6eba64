"""The built and published warehouse on the sample inbox: the article's 2021 review."""

from __future__ import annotations

import csv
import json
import subprocess
import unicodedata
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from tests.conftest import fetched, uv_path

pytestmark = pytest.mark.warehouse

PROJECT = Path(__file__).resolve().parents[2]


def _published(built) -> duckdb.DuckDBPyConnection:
    settings, _ = built
    return duckdb.connect(str(settings.published_db), read_only=True)


def test_marts_match_the_independent_calculation(built, expected_values) -> None:
    con = _published(built)
    rows = con.execute("SELECT unit_code, period, indicator_code, value FROM marts.indicator_values "
                       "WHERE period = '2021'").fetchall()
    actual = {(u, p, i): v for u, p, i, v in rows}
    missing = [k for k in expected_values if k not in actual]
    assert not missing, missing[:10]
    wrong = {k: (actual[k], v) for k, v in expected_values.items() if actual[k] != pytest.approx(v, rel=1e-9)}
    assert not wrong, list(wrong.items())[:10]


def test_province_review_reads_like_the_article(built) -> None:
    con = _published(built)
    value = dict(con.execute("SELECT indicator_code, value FROM marts.indicator_values "
                             "WHERE unit_code = '42' AND period = '2021'").fetchall())
    assert round(value["POVERTY_RATE"], 2) == 4.68
    assert round(value["NEAR_POVERTY_RATE"], 2) == 5.09
    assert (round(value["VAX18_DOSE1_RATE"]), round(value["VAX18_DOSE2_RATE"])) == (99, 96)
    assert (round(value["VAX12_DOSE1_RATE"]), round(value["VAX12_DOSE2_RATE"])) == (98, 89)
    assert value["PARTY_MEMBERS"] == 99_776 and value["PARTY_NEW_MEMBERS"] == 1_870
    assert value["BUDGET_REVENUE"] == pytest.approx(16_916)
    assert value["INVEST_PROJECTS_DOMESTIC"] + value["INVEST_PROJECTS_FDI"] == 55
    assert round(value["NTM_COMMUNE_RATE"]) == 94
    scorecard = con.execute("SELECT targets_met, targets_total FROM marts.scorecard "
                            "WHERE unit_code = '42' AND year = 2021").fetchone()
    assert scorecard == (9, 17)


def test_ratio_of_sums_differs_from_average_of_commune_rates(built, sample_dir: Path) -> None:
    con = _published(built)
    mean_of_rates = con.execute("""
        SELECT avg(value) FROM marts.indicator_values
        WHERE indicator_code = 'POVERTY_RATE' AND period = '2021' AND unit_level = 'commune'""").fetchone()[0]
    naive = float((sample_dir / "expected" / "poverty_rate_naive_average.txt").read_text())
    assert mean_of_rates == pytest.approx(naive, rel=1e-9)
    assert abs(mean_of_rates - 4.68) > 1


def test_shortfalls_and_findings_are_published(built, bad_inputs) -> None:
    con = _published(built)
    missed = con.execute("SELECT indicator_code, actual, gap FROM marts.target_attainment "
                         "WHERE unit_code = '42' AND year = 2021 AND status = 'missed'").fetchall()
    assert len(missed) == 8 and all(gap < 0 for _, _, gap in missed)
    rules = {r[0] for r in con.execute("SELECT rule FROM marts.data_quality_findings").fetchall()}
    assert rules == {b["rule"] for b in bad_inputs}
    flagged = con.execute("SELECT unit_code, period, observed, expected FROM marts.data_quality_findings "
                          "WHERE rule = 'vax18_dose_order'").fetchall()
    (labelled,) = [b for b in bad_inputs if b["rule"] == "vax18_dose_order"]
    commune = _unit_named_in(labelled["file"])  # "BC thang 9 - Xa Ham Truong.xlsx" -> its code
    assert flagged == [(commune, "2021-09", "2600.0", "2500.0")]


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _unit_named_in(file_name: str) -> str:
    """The commune a labelled bad file names, looked up in the unit list (not the warehouse)."""
    wanted = _ascii(Path(file_name).stem.split(" - ", 1)[1])
    with open(PROJECT / "dbt_project" / "seeds" / "admin_units.csv", encoding="utf-8") as fh:
        (code,) = {r["unit_code"] for r in csv.DictReader(fh) if _ascii(r["unit_name"]) == wanted
                   and r["valid_from"] <= "2021-09-30" <= r["valid_to"]}
    return code


def test_every_value_traces_to_a_submission(built) -> None:
    con = _published(built)
    orphans = con.execute("""
        SELECT count(*) FROM marts.indicator_values i
        WHERE i.unit_level = 'commune' AND i.indicator_kind = 'element' AND i.period IN ('2021', '2021-12')
          AND NOT EXISTS (SELECT 1 FROM marts.value_sources s WHERE s.unit_code = i.unit_code
                          AND s.period = i.period AND s.indicator_code = i.indicator_code)""").fetchone()
    assert orphans == (0,)
    source = con.execute("SELECT source_file, source_sheet, source_row, source_cell, submitted_at "
                         "FROM marts.value_sources WHERE unit_code = '42' AND indicator_code = "
                         "'GRDP_GROWTH' AND period = '2021'").fetchone()
    assert source[0] == "Tinh/BC KTXH tinh 2021.xlsx" and source[2] > 0 and source[4] is not None


def test_corrected_resubmission_wins(built) -> None:
    con = _published(built)
    rows = con.execute("SELECT source_file FROM marts.value_sources WHERE indicator_code = 'HH_POOR' "
                       "AND period = '2021' AND source_file LIKE '%(sua lan 2)%'").fetchall()
    assert len(rows) == 3


def test_completeness_lists_missing_units(built) -> None:
    con = _published(built)
    row = con.execute("SELECT expected_reports, received_reports, completeness_pct, missing_units FROM "
                      "marts.reporting_completeness WHERE unit_code = '42' AND period = '2021-10'").fetchone()
    assert row == (209, 209, 100.0, None) or row == (209, 209, 100.0, "")
    # Wherever reports are missing, the list names exactly that many units, each a real unit.
    names = {r[0] for r in con.execute("SELECT unit_name FROM marts.dim_units").fetchall()}
    gaps = con.execute("SELECT unit_code, period, expected_reports - received_reports, missing_units "
                       "FROM marts.reporting_completeness WHERE received_reports < expected_reports"
                       ).fetchall()
    assert gaps, "the sample has periods with missing reports"
    for unit, period, count, listed in gaps:
        missing = [n.strip() for n in (listed or "").split(",") if n.strip()]
        assert len(missing) == count, (unit, period, count, listed)
        assert set(missing) <= names, (unit, period, set(missing) - names)


OLDER_DUCKDB = ["--no-project", "--with", "duckdb==1.4.*", "python"]


def older_duckdb(offline: bool) -> list[str]:
    """The command line of a Python with DuckDB 1.4, its environment made (from uv's cache
    when `offline`); raises CalledProcessError when it cannot be made."""
    command = [uv_path(), "run", *(["--offline"] if offline else []), *OLDER_DUCKDB]
    subprocess.run([*command, "-c", "import duckdb"], capture_output=True, check=True, timeout=600)
    return command


def test_published_file_opens_with_an_older_duckdb(built) -> None:
    """BI clients bundle DuckDB 1.4/1.5 (Superset pins duckdb<2): they must read the file."""
    settings, _ = built
    python = fetched("DuckDB 1.4 (uv run --with duckdb==1.4.*)", older_duckdb)
    code = ("import duckdb, json, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
            "print(json.dumps([duckdb.__version__, c.execute(\"SELECT targets_met FROM marts.scorecard "
            "WHERE unit_code = '42' AND year = 2021\").fetchone()[0]]))")
    proc = subprocess.run([*python, "-c", code, str(settings.published_db)], capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    version, met = json.loads(proc.stdout.strip().splitlines()[-1])
    assert version.startswith("1.4") and met == 9


def test_superset_path_sqlalchemy_duckdb_engine_read_only(built) -> None:
    from sqlalchemy import create_engine, text

    settings, _ = built
    engine = create_engine(f"duckdb:///{settings.published_db}", connect_args={"read_only": True})
    with engine.connect() as conn:
        rows = conn.execute(text("""
            SELECT unit_name, round(value, 2) AS poverty_rate FROM marts.indicator_values
            WHERE indicator_code = 'POVERTY_RATE' AND period = '2021' AND unit_level = 'district'
            ORDER BY poverty_rate DESC""")).fetchall()
        assert len(rows) == 12 and rows[0][1] > rows[-1][1]
        with pytest.raises(Exception, match="read-only"):
            conn.execute(text("DELETE FROM marts.scorecard"))
    engine.dispose()


def test_parquet_copies_match(built) -> None:
    settings, _ = built
    con = _published(built)
    parquet = settings.parquet_dir / "current" / "indicator_values.parquet"
    assert con.execute(f"SELECT count(*) FROM '{parquet}'").fetchone() == \
        con.execute("SELECT count(*) FROM marts.indicator_values").fetchone()


def test_reports_are_written(built) -> None:
    """The nightly report reviews every target year up to the current one (the review's own
    tests are in test_review_report.py)."""
    settings, result = built
    report = result["report"]
    # The current year by default (the sample's targets run to 2026; today is later than 2026-01).
    assert report["headline"].startswith(f"{datetime.now().year}: ")
    assert report["years"]["2021"]["headline"] == "2021: 9 of 17 targets met"
    page = Path(report["years"]["2021"]["html"]).read_text(encoding="utf-8")
    assert "<svg" in page and "9/17" in page
    assert Path(report["xlsx"]).parent == settings.reports_dir / str(datetime.now().year)


def test_dbt_docs_generate(built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dbt.cli.main import dbtRunner

    from base.settings import DBT_DIR

    settings, _ = built
    monkeypatch.setenv("CHITIEU_DB", str(settings.build_db))
    result = dbtRunner().invoke(["docs", "generate", "--project-dir", str(DBT_DIR), "--profiles-dir",
                                 str(DBT_DIR), "--target-path", str(tmp_path / "target")])
    assert result.success, result.exception
    catalog = json.loads((tmp_path / "target" / "catalog.json").read_text())
    assert any(k.endswith("indicator_values") for k in catalog["nodes"])
