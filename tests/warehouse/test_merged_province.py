"""A province formed by merging provinces (eras.md, "A province formed by merging provinces"):
today's Tỉnh Quảng Trị (44) from old Tỉnh Quảng Bình (44) and old Tỉnh Quảng Trị (45), set up
by the unit-list generator and the province sample alone, read right in both views."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest

from tests.inboxes import Build, build, deliver, layout_a_sheet

pytestmark = pytest.mark.warehouse

PROVINCE = "44"
pytest.importorskip("vietnamadminunits", reason="the unit list is generated from vietnamadminunits")


def _units(seeds: Path) -> list[dict]:
    with open(seeds / "admin_units.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _namesake(units: list[dict], busy: set[str]) -> tuple[str, dict, dict]:
    """A commune name that both old provinces have, and the commune of each (none of which
    reports in the sample, so the hand-written report is its only one)."""
    seen: dict[str, dict] = {}
    for u in units:
        if u["unit_level"] == "commune" and u["valid_to"] == "2025-06-30" and u["unit_code"] not in busy:
            other = seen.get(u["unit_name"])
            if other is not None and other["province_code"] != u["province_code"]:
                return u["unit_name"], other, u
            seen.setdefault(u["unit_name"], u)
    raise AssertionError("no namesakes across the old provinces")


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, Path, dict]:
    from ingest.sample.province import generate_province

    out = tmp_path_factory.mktemp("province44")
    counts = generate_province(PROVINCE, out, communes=4, today=date(2026, 12, 6))
    busy = {r["unit_code"] for r in _expected(out)}
    name, in_44, in_45 = _namesake(_units(out / "seeds"), busy)
    province_name = {
        u["unit_code"]: u["unit_name"]
        for u in _units(out / "seeds")
        if u["unit_level"] == "province" and u["valid_to"] == "2025-06-30"
    }
    # Named, not coded: resolved by the old province written after a comma; alone, refused.
    # HOUSES_BUILT: an element the province sample does not carry, so its expected values hold
    rows = [[1, "HOUSES_BUILT", "Số nhà ở kiên cố được xây dựng cho hộ dân", "nhà", 7]]
    deliver(
        out / "inbox",
        "namesake_with_province",
        [
            layout_a_sheet(
                [[f"Đơn vị báo cáo: {name}, {province_name[in_45['province_code']]}"]], "Năm 2023", rows
            )
        ],
        datetime(2024, 1, 12, 9),
    )
    deliver(
        out / "inbox",
        "namesake_alone",
        [layout_a_sheet([[f"Đơn vị báo cáo: {name}"]], "Năm 2023", rows)],
        datetime(2024, 1, 12, 10),
    )
    return (
        build(out, out / "inbox", seeds=out / "seeds"),
        out,
        {"counts": counts, "name": name, "in_44": in_44, "in_45": in_45},
    )


def _expected(out: Path) -> list[dict]:
    with open(out / "expected" / "indicator_values_eras.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_generator_writes_every_old_province_and_the_links(tmp_path: Path) -> None:
    from ingest.sample.province import write_seeds

    write_seeds(PROVINCE, tmp_path)
    units = _units(tmp_path)
    provinces = {
        (u["unit_code"], u["unit_name"], u["valid_to"]) for u in units if u["unit_level"] == "province"
    }
    assert provinces == {
        ("44", "Tỉnh Quảng Bình", "2025-06-30"),
        ("45", "Tỉnh Quảng Trị", "2025-06-30"),
        ("44", "Tỉnh Quảng Trị", "9999-12-31"),
    }
    by_province = {}
    for u in units:
        if u["unit_level"] == "commune" and u["valid_to"] == "2025-06-30":
            by_province[u["province_code"]] = by_province.get(u["province_code"], 0) + 1
    assert set(by_province) == {"44", "45"} and min(by_province.values()) > 100
    with open(tmp_path / "admin_unit_changes.csv", encoding="utf-8") as fh:
        changes = list(csv.DictReader(fh))
    assert {(c["old_code"], c["new_code"]) for c in changes if len(c["old_code"]) == 2} == {
        ("44", "44"),
        ("45", "44"),
    }
    old_communes = {
        u["unit_code"] for u in units if u["unit_level"] == "commune" and u["valid_to"] == "2025-06-30"
    }
    linked = {c["old_code"] for c in changes}
    assert old_communes <= linked, sorted(old_communes - linked)[:5]  # every old commune goes somewhere


def test_both_views_match_the_independent_values(merged) -> None:
    built, out, _ = merged
    con = built.con()
    expected = _expected(out)
    actual = {}
    for view, table in (
        ("as_reported", "indicator_values"),
        ("current_units", "indicator_values_current_units"),
    ):
        for unit, period, code, value in con.execute(
            f"SELECT unit_code, period, indicator_code, value FROM marts.{table}"
        ).fetchall():
            actual[(view, unit, period, code)] = value
    wrong = [
        (r, actual.get((r["view"], r["unit_code"], r["period"], r["indicator_code"])))
        for r in expected
        if actual.get((r["view"], r["unit_code"], r["period"], r["indicator_code"]))
        != pytest.approx(float(r["value"]))
    ]
    assert not wrong, wrong[:5]
    # A commune of each old province, and the province's 2024 in both views, are among them.
    checked = {(r["view"], r["unit_code"], r["period"]) for r in expected}
    provinces = {
        u["unit_code"]: u["province_code"] for u in _units(out / "seeds") if u["unit_level"] == "commune"
    }
    assert {
        provinces[r["unit_code"]]
        for r in expected
        if r["unit_level"] == "commune" and r["period"] == "2024" and r["view"] == "as_reported"
    } == {"44", "45"}
    assert {
        ("as_reported", "44", "2024"),
        ("as_reported", "45", "2024"),
        ("current_units", "44", "2024"),
    } <= checked


def test_old_provinces_side_by_side_and_today_carries_both(merged) -> None:
    built, _, _ = merged
    con = built.con()
    as_reported = dict(
        con.execute(
            "SELECT unit_code, value FROM marts.indicator_values WHERE period = '2024' "
            "AND indicator_code = 'HH_TOTAL' AND unit_level = 'province'"
        ).fetchall()
    )
    today = con.execute(
        "SELECT value FROM marts.indicator_values_current_units WHERE period = '2024' "
        "AND indicator_code = 'HH_TOTAL' AND unit_level = 'province'"
    ).fetchall()
    assert set(as_reported) == {"44", "45"}
    assert len(today) == 1 and today[0][0] == pytest.approx(as_reported["44"] + as_reported["45"])
    names = dict(
        con.execute(
            "SELECT unit_code, unit_name FROM marts.indicator_values WHERE period = '2024' "
            "AND unit_level = 'province' GROUP BY ALL"
        ).fetchall()
    )
    assert names == {"44": "Tỉnh Quảng Bình", "45": "Tỉnh Quảng Trị"}
    # Today's province has one series from 2021, carrying both old provinces every year.
    years = [
        r[0]
        for r in con.execute(
            "SELECT period FROM marts.indicator_values_current_units WHERE unit_code = '44' "
            "AND unit_level = 'province' AND indicator_code = 'HH_TOTAL' AND period_type = 'year' ORDER BY 1"
        ).fetchall()
    ]
    assert years[:5] == ["2021", "2022", "2023", "2024", "2025"]


def test_a_name_both_old_provinces_have(merged) -> None:
    built, _, facts = merged
    con = built.con()
    # with the old province after a comma: the commune of that province, and only it
    value = con.execute(
        "SELECT value FROM marts.indicator_values WHERE unit_code = ? AND period = '2023' "
        "AND indicator_code = 'HOUSES_BUILT'",
        [facts["in_45"]["unit_code"]],
    ).fetchall()
    assert value == [(7.0,)]
    # alone: refused as ambiguous, naming both candidates and their old provinces
    message = con.execute(
        "SELECT string_agg(message, ' | ') FROM marts.data_quality_findings "
        "WHERE rule = 'ambiguous_unit' AND source_file LIKE '%namesake_alone%'"
    ).fetchone()[0]
    assert message and facts["in_44"]["unit_code"] in message and facts["in_45"]["unit_code"] in message
    assert "Tỉnh Quảng Bình" in message and "Tỉnh Quảng Trị" in message
