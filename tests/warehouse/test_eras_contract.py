"""Acceptance tests of the eras contract (shared/spec/eras.md), written from the spec alone.

Every expected number is computed by hand in the comment beside it, from the small reports
each fixture writes. Elements used: HH_TOTAL and HH_POOR (stocks: sum over units, last over
time), COVID_CASES (a flow: sum over units and over time), and POVERTY_RATE
(100 * HH_POOR / HH_TOTAL, a ratio of sums).

Units (dbt_project/seeds/admin_units.csv, admin_unit_changes.csv):
- before 1 July 2025, under district 436 (Thành phố Hà Tĩnh): Phường Nam Hà 18073,
  Phường Bắc Hà 18077, Phường Đại Nài 18082 (split: default Thành Sen, also Hà Huy Tập);
  Xã Thạch Đài 18643 (into Hà Huy Tập, whole);
- from 1 July 2025, directly under the province 42: Phường Thành Sen 18073 (the code of
  Nam Hà reused), Phường Hà Huy Tập 18652 (the code of Xã Tân Lâm Hương reused);
- district 445 (Huyện Thạch Hà): Xã Tân Lộc 18409, Xã Ngọc Sơn 18565 (moved to 436 on
  2023-07-01 in the edited seeds of test 4).

Three builds: one inbox on the shipped seeds (tests 1, 3, 6, 7), one on the shipped seeds
for a split without share and an annual report of a new commune (tests 2, 5a), one on
edited seeds with a share and a parent change (tests 4, 5b).

Independent suite: written from the issue and the spec without reading the implementation, and
kept so: change it from the spec, never to fit the code.
"""

from __future__ import annotations

import csv
import shutil
import unicodedata
from datetime import date, datetime
from pathlib import Path

import pytest

from tests import inboxes
from tests.inboxes import Build, build, deliver, layout_a_sheet

pytestmark = pytest.mark.warehouse

PROJECT = Path(__file__).resolve().parents[2]
SEEDS = PROJECT / "dbt_project" / "seeds"

AS_REPORTED = "marts.indicator_values"
CURRENT = "marts.indicator_values_current_units"


# --------------------------------------------------------------------------- helpers

def element_rows(hh_total: float | None = None, hh_poor: float | None = None,
                 covid: float | None = None) -> list[list]:
    rows = []
    if hh_total is not None:
        rows.append(["HH_TOTAL", "Tổng số hộ dân cư", "hộ", hh_total])
    if hh_poor is not None:
        rows.append(["HH_POOR", "Số hộ nghèo", "hộ", hh_poor])
    if covid is not None:
        rows.append(["COVID_CASES", "Số ca mắc COVID-19", "ca", covid])
    return [[i + 1, *row] for i, row in enumerate(rows)]


def send(inbox: Path, name: str, unit_rows: list[list], period: str, when: datetime, **values) -> Path:
    """Write one report file and date it (its modification time is its submission time)."""
    return deliver(inbox, name, [layout_a_sheet(unit_rows, period, element_rows(**values))], when)


def code(c: str) -> list[list]:
    return [[f"Mã đơn vị: {c}"]]


def name(n: str) -> list[list]:
    return [[f"Đơn vị báo cáo: {n}"]]


def code_and_name(c: str, n: str) -> list[list]:
    return [[f"Mã đơn vị: {c}"], [f"Đơn vị báo cáo: {n}"]]


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def communes_on(day: date) -> list[str]:
    """NFC names of the communes in the shipped unit list on a day."""
    _, units = read_csv(SEEDS / "admin_units.csv")
    return sorted(unicodedata.normalize("NFC", u["unit_name"]) for u in units
                  if u["unit_level"] == "commune" and u["valid_from"] <= day.isoformat() <= u["valid_to"])


TODAYS_UNITS = {u["unit_code"] for u in read_csv(SEEDS / "admin_units.csv")[1]
                if u["valid_to"] == "9999-12-31"}


# This file's lookups name the view first: AS_REPORTED or CURRENT.
def rows_of(con, table: str, unit: str, period: str, indicator: str) -> list[dict]:
    return inboxes.rows_of(con, unit, period, indicator, table)


def one(con, table: str, unit: str, period: str, indicator: str) -> dict:
    return inboxes.one(con, unit, period, indicator, table)


def value(con, table: str, unit: str, period: str, indicator: str) -> float:
    return inboxes.value(con, unit, period, indicator, table)


def findings_for(con, file_part: str) -> list[tuple[str, str, str]]:
    return con.execute("SELECT rule, coalesce(severity, ''), coalesce(message, '') "
                       "FROM marts.data_quality_findings WHERE source_file LIKE ?",
                       [f"%{file_part}%"]).fetchall()


def approx(x: float):
    return pytest.approx(x, rel=1e-9, abs=1e-9)


# --------------------------------------------------------------------------- build A: shipped seeds

@pytest.fixture(scope="module")
def eras(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("eras")
    inbox = root / "inbox"
    inbox.mkdir()
    # Test 1: two old wards before the change, the new ward after it.
    send(inbox, "nam ha T5", code("18073"), "Tháng 5/2025", datetime(2025, 6, 3),
         hh_total=2000, hh_poor=100, covid=5)
    send(inbox, "nam ha T6", code("18073"), "Tháng 6/2025", datetime(2025, 7, 3),
         hh_total=2010, hh_poor=98, covid=7)
    send(inbox, "bac ha T5", code("18077"), "Tháng 5/2025", datetime(2025, 6, 3, 1),
         hh_total=1500, hh_poor=60, covid=3)
    # Bắc Hà's June (ends on its last day, 2025-06-30), sent after it ceased: accepted.
    send(inbox, "bac ha T6", code("18077"), "Tháng 6/2025", datetime(2025, 7, 3, 1),
         hh_total=1510, hh_poor=59, covid=4)
    send(inbox, "thanh sen T8", code_and_name("18073", "Phường Thành Sen"), "Tháng 8/2025",
         datetime(2025, 9, 3), hh_total=9000, hh_poor=300, covid=20)
    send(inbox, "thanh sen T12", code("18073"), "Tháng 12/2025", datetime(2026, 1, 3),
         hh_total=9100, hh_poor=290, covid=11)
    # Test 3: a ceased ward reporting after the change (by code, then by name), and the
    # reused code 18073 with the old era's name. Sent after Thành Sen's August, so that
    # if one were wrongly accepted it would be the newest and would show.
    send(inbox, "bac ha T8 ma", code("18077"), "Tháng 8/2025", datetime(2025, 9, 4),
         hh_total=7005, hh_poor=7003, covid=7001)
    send(inbox, "bac ha T8 ten", name("Phường Bắc Hà"), "Tháng 8/2025", datetime(2025, 9, 5),
         hh_total=7105, hh_poor=7103, covid=7101)
    send(inbox, "18073 nam ha T8", code_and_name("18073", "Phường Nam Hà"), "Tháng 8/2025",
         datetime(2025, 9, 6), hh_total=7205, hh_poor=7203, covid=7201)
    # Test 6: annual reports of 2023 by the two old wards.
    send(inbox, "nam ha 2023", code("18073"), "Năm 2023", datetime(2024, 1, 10),
         hh_total=1980, hh_poor=120, covid=40)
    send(inbox, "bac ha 2023", code("18077"), "Năm 2023", datetime(2024, 1, 10, 1),
         hh_total=1490, hh_poor=30, covid=25)
    # Test 7: nothing at all for 2026.
    return build(root, inbox)


REFUSED_VALUES = [7001, 7003, 7005, 7101, 7103, 7105, 7201, 7203, 7205]
# periods of 2025 that end after Bắc Hà's last day (2025-06-30)
AFTER_THE_CHANGE = [f"2025-{m:02d}" for m in range(7, 13)] + ["2025-Q3", "2025-Q4", "2025-H2", "2025"]


def test_month_before_and_after_the_change_as_reported(eras: Build) -> None:
    """Test 1: the reused code 18073 is Nam Hà in May 2025 and Thành Sen in August; the
    year 2025 of Thành Sen carries its predecessors' months; the build publishes."""
    assert eras.error is None, eras.error
    con = eras.con()
    may = one(con, AS_REPORTED, "18073", "2025-05", "HH_TOTAL")
    assert (may["unit_name"], may["parent_code"], may["unit_level"]) == ("Phường Nam Hà", "436", "commune")
    assert float(may["value"]) == 2000  # Nam Hà's own May
    aug = one(con, AS_REPORTED, "18073", "2025-08", "HH_TOTAL")
    assert (aug["unit_name"], aug["parent_code"], aug["unit_level"]) == ("Phường Thành Sen", "42", "commune")
    assert float(aug["value"]) == 9000  # Thành Sen's own August, nothing of the refused reports
    assert value(con, AS_REPORTED, "18073", "2025-08", "COVID_CASES") == 20  # own August only
    assert value(con, AS_REPORTED, "18077", "2025-06", "COVID_CASES") == 4  # Bắc Hà's June, accepted

    # The hierarchy of May 2025: commune -> district 436 -> province.
    assert value(con, AS_REPORTED, "436", "2025-05", "COVID_CASES") == 8  # Nam Hà 5 + Bắc Hà 3
    assert value(con, AS_REPORTED, "436", "2025-05", "HH_TOTAL") == 3500  # 2000 + 1500
    assert value(con, AS_REPORTED, "42", "2025-05", "COVID_CASES") == 8  # only these two reported May
    assert value(con, AS_REPORTED, "42", "2025-08", "COVID_CASES") == 20  # only Thành Sen's August

    # The year 2025 of 18073 is Thành Sen's (the unit on 2025-12-31), one row per indicator.
    year = {i: one(con, AS_REPORTED, "18073", "2025", i) for i in ("COVID_CASES", "HH_TOTAL", "HH_POOR",
                                                                     "POVERTY_RATE")}
    assert {r["unit_name"] for r in year.values()} == {"Phường Thành Sen"}
    assert {r["parent_code"] for r in year.values()} == {"42"}
    # flow: Nam Hà 5 + 7, Bắc Hà 3 + 4 (carried), Thành Sen 20 + 11 (own) = 12 + 7 + 31 = 50
    assert float(year["COVID_CASES"]["value"]) == 50
    # stocks: the latest month of the year, Thành Sen's own December
    assert float(year["HH_TOTAL"]["value"]) == 9100
    assert float(year["HH_POOR"]["value"]) == 290
    # 100 * 290 / 9100 = 3.186813...
    assert float(year["POVERTY_RATE"]["value"]) == approx(100 * 290 / 9100)
    # months 1-4, 7, 9-11 are missing: a year derived from less than the whole period
    assert year["COVID_CASES"].get("is_partial") is True
    # The province's 2025: its only commune with figures is Thành Sen.
    assert value(con, AS_REPORTED, "42", "2025", "COVID_CASES") == 50  # 50, no month counted twice
    assert value(con, AS_REPORTED, "42", "2025", "HH_TOTAL") == 9100  # sum over units of 9100

    # A ceased ward has no year 2025 of its own: its months reached 2025 through Thành Sen.
    assert rows_of(con, AS_REPORTED, "18077", "2025", "COVID_CASES") == []


def test_ceased_unit_reporting_after_the_change_is_refused(eras: Build) -> None:
    """Test 3: Bắc Hà's August 2025 (by code and by name) is refused naming its successor and
    the date; its June is accepted; 18073 with the name Phường Nam Hà for August is refused."""
    con = eras.con()
    for file_part in ("bac ha T8 ma", "bac ha T8 ten"):
        found = findings_for(con, file_part)
        refusals = [f for f in found if f[0] == "unit_not_valid"]
        assert refusals, f"{file_part}: no unit_not_valid finding in {found}"
        message = unicodedata.normalize("NFC", refusals[0][2])
        assert "Phường Thành Sen (18073)" in message, message
        assert "01/07/2025" in message, message  # the day of the change, as a Vietnamese reader writes it
    # the mismatch: refused with some rule (unit_mismatch or the like), never loaded
    found = findings_for(con, "18073 nam ha T8")
    assert [f for f in found if f[0] != "loaded" and f[1] != "info"], found
    # Bắc Hà's June, ending on its last day, is not refused
    assert [f for f in findings_for(con, "bac ha T6") if f[0] == "unit_not_valid"] == []
    june = one(con, AS_REPORTED, "18077", "2025-06", "COVID_CASES")
    assert (june["unit_name"], float(june["value"])) == ("Phường Bắc Hà", 4)

    # None of the refused values is anywhere in the marts.
    for table in (AS_REPORTED, CURRENT):
        hits = con.execute(f"SELECT unit_code, period, indicator_code, value FROM {table} "
                           f"WHERE value IN ({', '.join(map(str, REFUSED_VALUES))})").fetchall()
        assert hits == [], (table, hits)
        late = con.execute(f"SELECT period, indicator_code, value FROM {table} WHERE unit_code = '18077' "
                           f"AND period IN ({', '.join(repr(p) for p in AFTER_THE_CHANGE)})").fetchall()
        assert late == [], (table, late)
    # 18073 in August 2025 is Thành Sen's own 9000 / 300 / 20 in both views (nothing added)
    for table in (AS_REPORTED, CURRENT):
        assert value(con, table, "18073", "2025-08", "HH_TOTAL") == 9000
        assert value(con, table, "18073", "2025-08", "HH_POOR") == 300
        assert value(con, table, "18073", "2025-08", "COVID_CASES") == 20
        assert value(con, table, "42", "2025-08", "COVID_CASES") == 20


def test_comparable_series_on_todays_units(eras: Build) -> None:
    """Test 6: Thành Sen has a 2023 in the comparable series, the sum of Nam Hà's and Bắc Hà's
    annual reports; POVERTY_RATE is the ratio of the carried sums, not an average."""
    con = eras.con()
    # As reported, 2023's 18073 is Nam Hà alone.
    nam_ha = one(con, AS_REPORTED, "18073", "2023", "HH_TOTAL")
    assert (nam_ha["unit_name"], nam_ha["parent_code"]) == ("Phường Nam Hà", "436")
    assert float(nam_ha["value"]) == 1980  # Nam Hà's own, nothing of Bắc Hà
    assert value(con, AS_REPORTED, "18073", "2023", "POVERTY_RATE") == approx(100 * 120 / 1980)  # 6.0606
    assert value(con, AS_REPORTED, "436", "2023", "HH_TOTAL") == 3470  # 1980 + 1490

    rows = {i: one(con, CURRENT, "18073", "2023", i) for i in ("HH_TOTAL", "HH_POOR", "COVID_CASES",
                                                                "POVERTY_RATE")}
    assert {r["unit_name"] for r in rows.values()} == {"Phường Thành Sen"}
    assert {r["parent_code"] for r in rows.values()} == {"42"}
    assert float(rows["HH_TOTAL"]["value"]) == 3470  # 1980 + 1490
    assert float(rows["HH_POOR"]["value"]) == 150  # 120 + 30
    assert float(rows["COVID_CASES"]["value"]) == 65  # 40 + 25
    rate = rows["POVERTY_RATE"]
    # 100 * 150 / 3470 = 4.3228; the mean of the two rates would be (6.0606 + 2.0134) / 2 = 4.0370
    assert float(rate["value"]) == approx(100 * 150 / 3470)
    assert (float(rate["numerator"]), float(rate["denominator"])) == (150, 3470)
    assert {r["is_approximate"] for r in rows.values()} == {False}  # whole mergers, no split
    assert value(con, CURRENT, "42", "2023", "COVID_CASES") == 65  # same total as reported
    assert value(con, AS_REPORTED, "42", "2023", "COVID_CASES") == 65  # 40 + 25

    # May 2025 on today's units: Nam Hà + Bắc Hà carried whole into Thành Sen.
    may = one(con, CURRENT, "18073", "2025-05", "HH_TOTAL")
    assert (may["unit_name"], float(may["value"]), may["is_approximate"]) == ("Phường Thành Sen", 3500, False)
    assert value(con, CURRENT, "18073", "2025-05", "COVID_CASES") == 8  # 5 + 3
    # The year 2025 is the same in both views: 50 cases, 9100 households.
    assert value(con, CURRENT, "18073", "2025", "COVID_CASES") == 50
    assert value(con, CURRENT, "18073", "2025", "HH_TOTAL") == 9100

    # Only today's units, and 18073 is Thành Sen in every period.
    codes = {r[0] for r in con.execute(f"SELECT DISTINCT unit_code FROM {CURRENT}").fetchall()}
    assert codes and codes <= TODAYS_UNITS, sorted(codes - TODAYS_UNITS)
    names = {r[0] for r in con.execute(f"SELECT DISTINCT unit_name FROM {CURRENT} "
                                       "WHERE unit_code = '18073'").fetchall()}
    assert names == {"Phường Thành Sen"}


ALL_NEW = communes_on(date(2026, 3, 31))
ALL_OLD = communes_on(date(2025, 5, 31))


@pytest.mark.parametrize(("period", "expected", "received", "missing"), [
    # no report at all: the 69 communes of today are expected and all missing
    ("2026-03", 69, 0, ALL_NEW),
    # only Thành Sen's August counts; Bắc Hà's and the mismatched report were refused
    ("2025-08", 69, 1, [n for n in ALL_NEW if n != "Phường Thành Sen"]),
    # before the reform: the 209 communes of 2025-05-31; Nam Hà and Bắc Hà reported
    ("2025-05", 209, 2, [n for n in ALL_OLD if n not in ("Phường Nam Hà", "Phường Bắc Hà")]),
], ids=["2026-03-empty", "2025-08-after", "2025-05-before"])
def test_completeness_of_the_province(eras: Build, period: str, expected: int, received: int,
                                      missing: list[str]) -> None:
    """Test 7: communes expected from the unit list on the period's last day, for any period."""
    assert (len(ALL_NEW), len(ALL_OLD)) == (69, 209)  # the shipped list: 69 after, 209 before
    con = eras.con()
    rows = con.execute("SELECT expected_reports, received_reports, completeness_pct, missing_units "
                       "FROM marts.reporting_completeness WHERE unit_code = '42' AND period = ?",
                       [period]).fetchall()
    assert len(rows) == 1, rows
    exp, rec, pct, missing_units = rows[0]
    assert (exp, rec) == (expected, received)
    # 0 %, 100 * 1 / 69 = 1.45 %, 100 * 2 / 209 = 0.96 % (rounding to one decimal tolerated)
    assert float(pct) == pytest.approx(100 * received / expected, abs=0.05)
    listed = sorted(n.strip() for n in (missing_units or "").split(",") if n.strip())
    assert all(unicodedata.is_normalized("NFC", n) for n in listed)
    assert listed == sorted(missing)


# --------------------------------------------------------------------------- split Đại Nài

def send_split_year(inbox: Path) -> None:
    """2025 of the two successors of Đại Nài and of some of their predecessors.

    Old communes, January-June: Đại Nài 5 + 10, Nam Hà 4, Thạch Đài 3 = 22 cases.
    New communes, July-December: Thành Sen 10 + 1, Hà Huy Tập 8 + 2 = 21 cases.
    """
    send(inbox, "dai nai T1", code("18082"), "Tháng 1/2025", datetime(2025, 2, 3),
         hh_total=800, hh_poor=40, covid=5)
    send(inbox, "dai nai T6", name("Phường Đại Nài"), "Tháng 6/2025", datetime(2025, 7, 3),
         hh_total=810, hh_poor=35, covid=10)
    send(inbox, "nam ha T3", code("18073"), "Tháng 3/2025", datetime(2025, 4, 3),
         hh_total=2000, hh_poor=100, covid=4)
    send(inbox, "thach dai T4", code("18643"), "Tháng 4/2025", datetime(2025, 5, 3),
         hh_total=1200, hh_poor=50, covid=3)
    send(inbox, "thanh sen T7", code("18073"), "Tháng 7/2025", datetime(2025, 8, 3),
         hh_total=9000, hh_poor=300, covid=10)
    send(inbox, "thanh sen T12", code("18073"), "Tháng 12/2025", datetime(2026, 1, 3),
         hh_total=9050, hh_poor=280, covid=1)
    send(inbox, "ha huy tap T9", code_and_name("18652", "Phường Hà Huy Tập"), "Tháng 9/2025",
         datetime(2025, 10, 3), hh_total=5000, hh_poor=200, covid=8)
    send(inbox, "ha huy tap T12", code("18652"), "Tháng 12/2025", datetime(2026, 1, 3, 1),
         hh_total=5020, hh_poor=190, covid=2)


@pytest.fixture(scope="module")
def split_without_share(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("split_default")
    inbox = root / "inbox"
    inbox.mkdir()
    send_split_year(inbox)
    # Test 2: Thành Sen's own annual report of 2025 (stocks only, so the flow checks of
    # test 5 stay on months), sent in January 2026 for its whole territory.
    send(inbox, "thanh sen nam 2025", code("18073"), "Năm 2025", datetime(2026, 1, 12),
         hh_total=9500, hh_poor=250)
    return build(root, inbox)


def test_annual_report_of_a_new_commune_wins(split_without_share: Build) -> None:
    """Test 2: Thành Sen's "Năm 2025" is accepted and wins over the year derived from months."""
    assert split_without_share.error is None, split_without_share.error
    con = split_without_share.con()
    assert [f for f in findings_for(con, "thanh sen nam 2025") if f[0] == "unit_not_valid"] == []
    for table in (AS_REPORTED, CURRENT):
        # reported 9500 / 250, not the derived December 9050 / 280
        assert value(con, table, "18073", "2025", "HH_TOTAL") == 9500
        assert value(con, table, "18073", "2025", "HH_POOR") == 250
        assert value(con, table, "18073", "2025", "POVERTY_RATE") == approx(100 * 250 / 9500)  # 2.6316
        # province: Thành Sen's 9500 + Hà Huy Tập's latest month 5020 = 14520
        assert value(con, table, "42", "2025", "HH_TOTAL") == 14520
    row = one(con, AS_REPORTED, "18073", "2025", "HH_TOTAL")
    assert row["unit_name"] == "Phường Thành Sen" and row.get("is_partial") is False  # a whole-year report


def test_split_without_share_goes_whole_to_the_default_successor(split_without_share: Build) -> None:
    """Test 5a: no share written, Đại Nài's months go whole to Thành Sen, marked approximate;
    the province's 2025 flow is the same in both views: 22 + 21 = 43."""
    con = split_without_share.con()
    # As reported, Đại Nài's own months are on Đại Nài, exact.
    jan = one(con, AS_REPORTED, "18082", "2025-01", "HH_TOTAL")
    assert (jan["unit_name"], float(jan["value"])) == ("Phường Đại Nài", 800)
    assert value(con, AS_REPORTED, "436", "2025-01", "COVID_CASES") == 5  # Đại Nài alone in January

    # On today's units: January is Đại Nài whole on Thành Sen, approximate.
    for indicator, expected in (("HH_TOTAL", 800), ("HH_POOR", 40), ("COVID_CASES", 5),
                                ("POVERTY_RATE", 100 * 40 / 800)):  # 5.0
        row = one(con, CURRENT, "18073", "2025-01", indicator)
        assert (float(row["value"]), row["is_approximate"]) == (approx(expected), True), indicator
    assert value(con, CURRENT, "18073", "2025-06", "HH_TOTAL") == 810  # June, whole
    assert one(con, CURRENT, "18073", "2025-06", "COVID_CASES")["is_approximate"] is True
    # Hà Huy Tập gets nothing of Đại Nài
    assert rows_of(con, CURRENT, "18652", "2025-01", "COVID_CASES") == []
    assert rows_of(con, CURRENT, "18652", "2025-06", "HH_TOTAL") == []
    # March is Nam Hà's alone: not built from the split, not approximate
    march = one(con, CURRENT, "18073", "2025-03", "COVID_CASES")
    assert (float(march["value"]), march["is_approximate"]) == (4, False)
    # April: Thạch Đài, whole into Hà Huy Tập
    april = one(con, CURRENT, "18652", "2025-04", "HH_TOTAL")
    assert (april["unit_name"], float(april["value"]), april["is_approximate"]) == ("Phường Hà Huy Tập", 1200,
                                                                                  False)

    # Thành Sen's year, built from Đại Nài carried whole: approximate on today's units
    assert one(con, CURRENT, "18073", "2025", "COVID_CASES")["is_approximate"] is True
    for table in (AS_REPORTED, CURRENT):
        # Thành Sen: own 10 + 1, Nam Hà 4, Đại Nài whole 5 + 10 = 30
        assert value(con, table, "18073", "2025", "COVID_CASES") == 30, table
        # Hà Huy Tập: own 8 + 2, Thạch Đài 3 = 13
        assert value(con, table, "18652", "2025", "COVID_CASES") == 13, table
        # province: old Jan-Jun 22 + new Jul-Dec 21 = 43 (= 30 + 13), nothing lost or counted twice
        assert value(con, table, "42", "2025", "COVID_CASES") == 43, table


# --------------------------------------------------------------------------- edited seeds

MOVER, OLD_DISTRICT, NEW_DISTRICT, NEIGHBOUR = "18565", "445", "436", "18409"  # Ngọc Sơn, Tân Lộc


def edited_seeds(root: Path) -> Path:
    """Shipped seeds, with Đại Nài's share (0.6 Thành Sen, 0.4 Hà Huy Tập) and Xã Ngọc Sơn
    moved from Huyện Thạch Hà (445) to Thành phố Hà Tĩnh (436) on 2023-07-01."""
    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    fields, changes = read_csv(seeds / "admin_unit_changes.csv")
    if "share" not in fields:
        fields.append("share")
    shares = {("18082", "18073"): "0.6", ("18082", "18652"): "0.4"}
    for row in changes:
        row["share"] = shares.get((row["old_code"], row["new_code"]), row.get("share") or "")
    assert sum(1 for r in changes if r["share"]) == 2
    write_csv(seeds / "admin_unit_changes.csv", fields, changes)

    fields, units = read_csv(seeds / "admin_units.csv")
    out = []
    for row in units:
        if row["unit_code"] == MOVER and row["valid_to"] == "2025-06-30":
            assert row["parent_code"] == OLD_DISTRICT
            out.append({**row, "valid_to": "2023-06-30"})
            out.append({**row, "parent_code": NEW_DISTRICT, "valid_from": "2023-07-01"})
        else:
            out.append(row)
    assert len(out) == len(units) + 1
    write_csv(seeds / "admin_units.csv", fields, out)
    return seeds


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("edited")
    inbox = root / "inbox"
    inbox.mkdir()
    send_split_year(inbox)
    # Test 4: the mover and a neighbour that stays in 445, March and September 2023.
    send(inbox, "ngoc son T3 2023", code(MOVER), "Tháng 3/2023", datetime(2023, 4, 3),
         hh_total=1000, hh_poor=80, covid=6)
    send(inbox, "ngoc son T9 2023", name("Xã Ngọc Sơn"), "Tháng 9/2023", datetime(2023, 10, 3),
         hh_total=1010, hh_poor=75, covid=9)
    send(inbox, "tan loc T3 2023", code(NEIGHBOUR), "Tháng 3/2023", datetime(2023, 4, 3, 1),
         hh_total=700, hh_poor=30, covid=2)
    send(inbox, "tan loc T9 2023", code(NEIGHBOUR), "Tháng 9/2023", datetime(2023, 10, 3, 1),
         hh_total=705, hh_poor=28, covid=1)
    return build(root, inbox, edited_seeds(root))


def test_parent_change_mid_year(edited: Build) -> None:
    """Test 4: a commune moving from 445 to 436 on 2023-07-01; its months sit on the district of
    their period, its year 2023 on the district of 2023-12-31, once; the build publishes."""
    assert edited.error is None, edited.error
    con = edited.con()
    assert one(con, AS_REPORTED, MOVER, "2023-03", "COVID_CASES")["parent_code"] == OLD_DISTRICT
    assert one(con, AS_REPORTED, MOVER, "2023-09", "COVID_CASES")["parent_code"] == NEW_DISTRICT
    year = one(con, AS_REPORTED, MOVER, "2023", "COVID_CASES")
    assert (year["unit_name"], year["parent_code"]) == ("Xã Ngọc Sơn", NEW_DISTRICT)
    assert float(year["value"]) == 15  # 6 + 9
    assert value(con, AS_REPORTED, MOVER, "2023", "HH_TOTAL") == 1010  # latest month, September

    # Months: each on the hierarchy of its period.
    assert value(con, AS_REPORTED, OLD_DISTRICT, "2023-03", "COVID_CASES") == 8  # Ngọc Sơn 6 + Tân Lộc 2
    assert value(con, AS_REPORTED, OLD_DISTRICT, "2023-09", "COVID_CASES") == 1  # Tân Lộc alone
    assert value(con, AS_REPORTED, NEW_DISTRICT, "2023-09", "COVID_CASES") == 9  # Ngọc Sơn alone
    # The year: the mover under 436 only, the old district without it.
    assert value(con, AS_REPORTED, NEW_DISTRICT, "2023", "COVID_CASES") == 15  # Ngọc Sơn 6 + 9
    assert value(con, AS_REPORTED, NEW_DISTRICT, "2023", "HH_TOTAL") == 1010  # Ngọc Sơn's September
    assert value(con, AS_REPORTED, OLD_DISTRICT, "2023", "COVID_CASES") == 3  # Tân Lộc 2 + 1
    assert value(con, AS_REPORTED, OLD_DISTRICT, "2023", "HH_TOTAL") == 705  # Tân Lộc's September
    # Province: 15 + 3 = 18 cases; 1010 + 705 = 1715 households; counted once.
    assert value(con, AS_REPORTED, "42", "2023", "COVID_CASES") == 18
    assert value(con, AS_REPORTED, "42", "2023", "HH_TOTAL") == 1715
    assert value(con, AS_REPORTED, "42", "2023-03", "COVID_CASES") == 8  # 6 + 2
    assert value(con, CURRENT, "42", "2023", "COVID_CASES") == 18  # same on today's units


def test_split_with_share(edited: Build) -> None:
    """Test 5b: share 0.6 / 0.4 written: each successor gets its share, not approximate;
    the province's 2025 flow is still 43 in both views."""
    con = edited.con()
    for unit, share in (("18073", 0.6), ("18652", 0.4)):
        for period, expected in (("2025-01", {"HH_TOTAL": 800, "HH_POOR": 40, "COVID_CASES": 5}),
                                 ("2025-06", {"HH_TOTAL": 810, "HH_POOR": 35, "COVID_CASES": 10})):
            for indicator, whole in expected.items():
                # e.g. Thành Sen January: 0.6 * 800 = 480, Hà Huy Tập: 0.4 * 800 = 320
                row = one(con, CURRENT, unit, period, indicator)
                expected_value = pytest.approx(share * whole, rel=1e-9)
                assert float(row["value"]) == expected_value, (unit, period, indicator)
                assert row["is_approximate"] is False, (unit, period, indicator)
        # January's rate: 100 * (s * 40) / (s * 800) = 5.0 for either share
        assert value(con, CURRENT, unit, "2025-01", "POVERTY_RATE") == approx(5.0)

    # with the share written, the years built from Đại Nài are exact
    assert one(con, CURRENT, "18073", "2025", "COVID_CASES")["is_approximate"] is False
    assert one(con, CURRENT, "18652", "2025", "COVID_CASES")["is_approximate"] is False
    for table in (AS_REPORTED, CURRENT):
        # Thành Sen: own 10 + 1, Nam Hà 4, 0.6 * (5 + 10) = 9 -> 24
        assert value(con, table, "18073", "2025", "COVID_CASES") == pytest.approx(24), table
        # Hà Huy Tập: own 8 + 2, Thạch Đài 3, 0.4 * 15 = 6 -> 19
        assert value(con, table, "18652", "2025", "COVID_CASES") == pytest.approx(19), table
        # province: old Jan-Jun 22 + new Jul-Dec 21 = 43 = 24 + 19
        assert value(con, table, "42", "2025", "COVID_CASES") == pytest.approx(43), table
