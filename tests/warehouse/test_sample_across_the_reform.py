"""The sample across the years and the 2025 reform: both views against the independent values."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.warehouse

FLOWS = ("PARTY_NEW_MEMBERS", "HOUSES_BUILT")


def _published(built) -> duckdb.DuckDBPyConnection:
    settings, _ = built
    return duckdb.connect(str(settings.published_db), read_only=True)


def test_both_views_match_the_independent_calculation(built, sample_dir: Path) -> None:
    with open(sample_dir / "expected" / "indicator_values_eras.csv", encoding="utf-8") as fh:
        expected = list(csv.DictReader(fh))
    assert {r["period"] for r in expected} >= {"2021", "2022", "2023", "2024", "2025", "2026"}
    con = _published(built)
    actual = {}
    for view, table in (("as_reported", "indicator_values"),
                        ("current_units", "indicator_values_current_units")):
        for unit, period, code, value, approx in con.execute(
                f"SELECT unit_code, period, indicator_code, value, is_approximate FROM marts.{table}"
                ).fetchall():
            actual[(view, unit, period, code)] = (value, approx)
    missing = [r for r in expected
               if (r["view"], r["unit_code"], r["period"], r["indicator_code"]) not in actual]
    assert not missing, missing[:5]
    wrong = []
    for r in expected:
        value, approx = actual[(r["view"], r["unit_code"], r["period"], r["indicator_code"])]
        if value != pytest.approx(float(r["value"]), rel=1e-9) or str(approx).lower() != r["is_approximate"]:
            wrong.append((r, value, approx))
    assert not wrong, wrong[:5]
    # The split commune without a share: its default successor's carried figures are approximate.
    assert any(r["is_approximate"] == "true" for r in expected)


def test_2025_flows_nothing_lost_nothing_counted_twice(built) -> None:
    """eras.md: the province's 2025 flow is the same in both views and equals the old
    communes' January-June plus the new communes' July-December."""
    con = _published(built)
    for element in FLOWS:
        halves = con.execute("""
            SELECT sum(value) FILTER (WHERE period BETWEEN '2025-01' AND '2025-06'),
                   sum(value) FILTER (WHERE period BETWEEN '2025-07' AND '2025-12')
            FROM marts.indicator_values
            WHERE unit_level = 'commune' AND indicator_code = ? AND period_type = 'month'""",
                             [element]).fetchone()
        views = [con.execute(f"SELECT value FROM marts.{t} WHERE unit_code = '42' AND period = '2025' "
                             "AND indicator_code = ?", [element]).fetchone()[0]
                 for t in ("indicator_values", "indicator_values_current_units")]
        assert halves[0] > 0 and halves[1] > 0
        assert views[0] == views[1] == pytest.approx(halves[0] + halves[1], rel=1e-12), element


def test_reused_code_is_two_units(built) -> None:
    con = _published(built)
    names = dict(con.execute("SELECT period, unit_name FROM marts.indicator_values WHERE unit_code = "
                             "'18073' AND period IN ('2025-05', '2025-08', '2024', '2025')").fetchall())
    assert names == {"2025-05": "Phường Nam Hà", "2025-08": "Phường Thành Sen",
                     "2024": "Phường Nam Hà", "2025": "Phường Thành Sen"}


def test_a_commune_of_today_has_one_series_from_2021(built, sample_dir: Path) -> None:
    """Phường Thành Sen (18073, from 2025-07-01) has one poverty-rate series from 2021, each
    year's value the sample's independent one: its predecessors combined before the reform
    (not Phường Nam Hà, the old holder of its code, alone), its own figures after."""
    with open(sample_dir / "expected" / "indicator_values_eras.csv", encoding="utf-8") as fh:
        expected = {(r["view"], r["period"]): (float(r["value"]), r["is_approximate"] == "true")
                    for r in csv.DictReader(fh) if r["unit_code"] == "18073"
                    and r["indicator_code"] == "POVERTY_RATE" and len(r["period"]) == 4}
    today = {p: v for (view, p), v in expected.items() if view == "current_units"}
    assert sorted(today)[:6] == ["2021", "2022", "2023", "2024", "2025", "2026"]
    con = _published(built)
    series = {p: (v, a) for p, v, a in con.execute(
        "SELECT period, value, is_approximate FROM marts.indicator_values_current_units WHERE unit_code = "
        "'18073' AND indicator_code = 'POVERTY_RATE' AND period_type = 'year' ORDER BY period").fetchall()}
    assert series == {p: (pytest.approx(v, rel=1e-9), a) for p, (v, a) in today.items()}
    # before the reform the series is not the old ward's own figures under the reused code
    assert all(series[y][0] != pytest.approx(expected[("as_reported", y)][0], rel=1e-6)
               for y in ("2021", "2022", "2023", "2024"))


def test_completeness_follows_the_unit_list_of_each_period(built) -> None:
    con = _published(built)
    rows = dict((p, (e, r)) for p, e, r in con.execute(
        "SELECT period, expected_reports, received_reports FROM marts.reporting_completeness "
        "WHERE unit_code = '42' AND period IN ('2025-06', '2025-07', '2025', '2022-05')").fetchall())
    # June: 209 pre-reform communes; July: the 69 new ones; the year 2025: 69 communes + the
    # province's own report; May 2022: no monthly reports expected by the calendar.
    assert rows == {"2025-06": (209, 209), "2025-07": (69, 69), "2025": (70, 70)}


def test_every_current_units_value_traces_to_submissions(built) -> None:
    con = _published(built)
    orphans = con.execute("""
        SELECT count(*) FROM marts.indicator_values_current_units c
        WHERE c.unit_level = 'commune' AND c.indicator_kind = 'element' AND c.period = '2023'
          AND NOT EXISTS (
            SELECT 1 FROM marts.unit_lineage l JOIN marts.value_sources s
              ON s.unit_code = l.unit_code AND s.period = c.period
             AND s.indicator_code = c.indicator_code
            WHERE l.current_unit_code = c.unit_code)""").fetchone()
    assert orphans == (0,)
