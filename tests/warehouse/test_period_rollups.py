"""Acceptance tests of "Every shorter period rolls into every longer one" (docs/spec/indicators.md),
written from the spec alone.

Stocks (sum over units, last over time): HH_TOTAL, HH_POOR. Flows (sum over units and over
time): COVID_CASES, HOUSES_BUILT. POVERTY_RATE = 100 * HH_POOR / HH_TOTAL.

One build, one commune per case, each in its own district (the only commune of that
district reporting 2022), all in 2022:
- A: Xã Sơn Hồng 18139 (Huyện Hương Sơn 439): four quarterly reports.
- B: Xã Đức Giang 18319 (Huyện Vũ Quang 441): "6 tháng đầu năm 2022" and months 7 to 12.
- C: Xã Đức Lạng 18307 (Huyện Đức Thọ 440): months 1 to 3 AND "Quý I/2022" (consistent),
  then quarters II to IV.
- D: Xã Xuân Hội 18355 (Huyện Nghi Xuân 442): quarters I and II only.

Independent suite: written from the issue and the spec without reading the implementation, and
kept so: change it from the spec, never to fit the code.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.inboxes import Build, build, deliver, one, report_by_code, value

pytestmark = pytest.mark.warehouse

NAMES = {"HH_TOTAL": ("Tổng số hộ dân cư", "hộ"), "HH_POOR": ("Số hộ nghèo", "hộ"),
         "COVID_CASES": ("Số ca mắc COVID-19", "ca"),
         "HOUSES_BUILT": ("Số nhà ở kiên cố được xây dựng", "nhà")}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def send(inbox: Path, name: str, unit: str, period: str, when: datetime, **values: float) -> None:
    deliver(inbox, name, [report_by_code(unit, period, values, NAMES)], when)


# Case A: four quarters (stocks at the end of each quarter, flows of the quarter)
A, A_DISTRICT = "18139", "439"
A_QUARTERS = {1: dict(HH_TOTAL=1000, HH_POOR=50, COVID_CASES=3, HOUSES_BUILT=2),
              2: dict(HH_TOTAL=1002, HH_POOR=48, COVID_CASES=5, HOUSES_BUILT=1),
              3: dict(HH_TOTAL=1004, HH_POOR=46, COVID_CASES=7, HOUSES_BUILT=5),
              4: dict(HH_TOTAL=1006, HH_POOR=44, COVID_CASES=11, HOUSES_BUILT=3)}
# Case B: the first half as one report, then months 7..12
B, B_DISTRICT = "18319", "441"
B_H1 = dict(HH_TOTAL=900, HH_POOR=60, COVID_CASES=20)
B_MONTHS = {m: dict(HH_TOTAL=900 + (m - 6), HH_POOR=60 - (m - 6), COVID_CASES=m - 6) for m in range(7, 13)}
# Case C: months 1..3 and the first quarter, consistent; then quarters II..IV
C, C_DISTRICT = "18307", "440"
C_MONTHS = {1: dict(HH_TOTAL=700, HH_POOR=30, COVID_CASES=2),
            2: dict(HH_TOTAL=701, HH_POOR=31, COVID_CASES=3),
            3: dict(HH_TOTAL=702, HH_POOR=32, COVID_CASES=4)}
C_QUARTERS = {1: dict(HH_TOTAL=702, HH_POOR=32, COVID_CASES=9),  # = March's stocks, 2 + 3 + 4 cases
              2: dict(HH_TOTAL=705, HH_POOR=33, COVID_CASES=10),
              3: dict(HH_TOTAL=708, HH_POOR=34, COVID_CASES=11),
              4: dict(HH_TOTAL=710, HH_POOR=35, COVID_CASES=12)}
# Case D: the first two quarters only
D, D_DISTRICT = "18355", "442"
D_QUARTERS = {1: dict(HH_TOTAL=500, HH_POOR=25, COVID_CASES=4),
              2: dict(HH_TOTAL=505, HH_POOR=24, COVID_CASES=6)}


@pytest.fixture(scope="module")
def periods(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("shapes_periods")
    inbox = root / "inbox"
    inbox.mkdir()
    for q, values in A_QUARTERS.items():
        send(inbox, f"A son hong Q{q}", A, f"Quý {ROMAN[q]}/2022", datetime(2022, 3 * q, 28), **values)
    send(inbox, "B duc giang H1", B, "6 tháng đầu năm 2022", datetime(2022, 7, 5), **B_H1)
    for m, values in B_MONTHS.items():
        send(inbox, f"B duc giang T{m}", B, f"Tháng {m}/2022", datetime(2022, m, 28), **values)
    for m, values in C_MONTHS.items():
        send(inbox, f"C duc lang T{m}", C, f"Tháng {m}/2022", datetime(2022, m, 27), **values)
    for q, values in C_QUARTERS.items():
        send(inbox, f"C duc lang Q{q}", C, f"Quý {ROMAN[q]}/2022", datetime(2022, 3 * q, 29), **values)
    for q, values in D_QUARTERS.items():
        send(inbox, f"D xuan hoi Q{q}", D, f"Quý {ROMAN[q]}/2022", datetime(2022, 3 * q, 30), **values)
    return build(root, inbox)


def test_the_build_publishes(periods: Build) -> None:
    assert periods.error is None, periods.error


def test_four_quarters_make_the_year(periods: Build) -> None:
    """Case A: flows sum the quarters, stocks take the fourth quarter; the year is whole."""
    con = periods.con()
    assert value(con, A, "2022", "COVID_CASES") == 26  # 3 + 5 + 7 + 11
    assert value(con, A, "2022", "HOUSES_BUILT") == 11  # 2 + 1 + 5 + 3
    assert value(con, A, "2022", "HH_TOTAL") == 1006  # Q4
    assert value(con, A, "2022", "HH_POOR") == 44  # Q4
    assert value(con, A, "2022", "POVERTY_RATE") == pytest.approx(100 * 44 / 1006)  # 4.3738
    for indicator in ("COVID_CASES", "HH_TOTAL", "HOUSES_BUILT"):
        assert one(con, A, "2022", indicator)["is_partial"] is False, indicator
    # the halves too: H1 = Q1 + Q2, H2 = Q3 + Q4
    assert value(con, A, "2022-H1", "COVID_CASES") == 8  # 3 + 5
    assert value(con, A, "2022-H2", "COVID_CASES") == 18  # 7 + 11
    assert value(con, A, "2022-H1", "HH_TOTAL") == 1002  # Q2
    # its district and the province include it (the only commune of 439 reporting)
    assert value(con, A_DISTRICT, "2022", "COVID_CASES") == 26
    assert value(con, A_DISTRICT, "2022", "HH_TOTAL") == 1006
    assert value(con, A_DISTRICT, "2022", "HOUSES_BUILT") == 11


def test_half_year_and_the_other_months_make_the_year(periods: Build) -> None:
    """Case B: H1 (reported) + months 7..12 make the year."""
    con = periods.con()
    assert value(con, B, "2022-H1", "COVID_CASES") == 20  # reported
    assert value(con, B, "2022-H2", "COVID_CASES") == 21  # 1 + 2 + 3 + 4 + 5 + 6
    assert one(con, B, "2022-H2", "COVID_CASES")["is_partial"] is False  # all six months
    assert value(con, B, "2022-Q3", "COVID_CASES") == 6  # 1 + 2 + 3
    assert value(con, B, "2022", "COVID_CASES") == 41  # 20 + 21
    assert value(con, B, "2022", "HH_TOTAL") == 906  # December: 900 + 6
    assert value(con, B, "2022", "HH_POOR") == 54  # December: 60 - 6
    assert one(con, B, "2022", "COVID_CASES")["is_partial"] is False
    assert one(con, B, "2022", "HH_TOTAL")["is_partial"] is False
    assert value(con, B_DISTRICT, "2022", "COVID_CASES") == 41
    assert value(con, B_DISTRICT, "2022", "HH_TOTAL") == 906


def test_months_and_their_quarter_count_once(periods: Build) -> None:
    """Case C: months 1..3 and "Quý I/2022" (consistent) count the first quarter once."""
    con = periods.con()
    assert value(con, C, "2022-Q1", "COVID_CASES") == 9  # 2 + 3 + 4 = the reported 9, not 18
    assert value(con, C, "2022-Q1", "HH_TOTAL") == 702  # March = the reported Q1
    assert value(con, C, "2022-H1", "COVID_CASES") == 19  # 9 + 10, not 28
    assert value(con, C, "2022", "COVID_CASES") == 42  # 9 + 10 + 11 + 12, not 51
    assert value(con, C, "2022", "HH_TOTAL") == 710  # Q4
    assert one(con, C, "2022", "COVID_CASES")["is_partial"] is False
    assert value(con, C_DISTRICT, "2022-Q1", "COVID_CASES") == 9
    assert value(con, C_DISTRICT, "2022", "COVID_CASES") == 42
    assert value(con, C_DISTRICT, "2022", "HH_TOTAL") == 710


def test_two_quarters_make_a_whole_half_and_a_partial_year(periods: Build) -> None:
    """Case D: only Q1 and Q2: H1 is whole, the year is partial."""
    con = periods.con()
    h1 = one(con, D, "2022-H1", "COVID_CASES")
    assert (float(h1["value"]), h1["is_partial"]) == (10, False)  # 4 + 6
    assert value(con, D, "2022-H1", "HH_TOTAL") == 505  # Q2
    year = one(con, D, "2022", "COVID_CASES")
    assert (float(year["value"]), year["is_partial"]) == (10, True)  # 4 + 6, Q3 and Q4 missing
    stock = one(con, D, "2022", "HH_TOTAL")
    assert (float(stock["value"]), stock["is_partial"]) == (505, True)  # latest reported: Q2
    assert value(con, D_DISTRICT, "2022", "COVID_CASES") == 10


def test_province_counts_every_case_once(periods: Build) -> None:
    con = periods.con()
    assert value(con, "42", "2022", "COVID_CASES") == 119  # A 26 + B 41 + C 42 + D 10
    assert value(con, "42", "2022", "HH_TOTAL") == 3127  # 1006 + 906 + 710 + 505
    assert value(con, "42", "2022", "HH_POOR") == 157  # 44 + 54 + 35 + 24
    assert value(con, "42", "2022", "HOUSES_BUILT") == 11  # A only
    assert value(con, "42", "2022-Q1", "COVID_CASES") == 16  # A 3 + C 9 + D 4 (B's H1 is not a quarter)
