"""Acceptance tests of targets (docs/spec/indicators.md, "Targets"; marts.md), written from the
spec alone, every expected answer computed by hand.

Flows (sum over units and time): HOUSES_BUILT, PARTY_NEW_MEMBERS. Stocks: HH_TOTAL, HH_POOR,
HH_NEAR_POOR. POVERTY_RATE = 100 * HH_POOR / HH_TOTAL and NEAR_POVERTY_RATE = 100 * HH_NEAR_POOR
/ HH_TOTAL, both "lower is better"; every other indicator used here is "higher is better".

One build, as of 2026-11-28 (CHITIEU_AS_OF_DATE): 2022, 2023 and 2024 are closed, 2026 is not.
- Closed year with a month missing: Xã Sơn Hồng 18139, Xã Sơn Tiến 18142, Xã Sơn Lâm 18145 (all
  of Huyện Hương Sơn 439) report HOUSES_BUILT 4, 3 and 3 for each month 2024-01 .. 2024-11
  (no December): 10 a month, 110 for the eleven months.
- Year in progress: Phường Thành Sen 18073, Phường Trần Phú 18100, Xã Sơn Hồng 18160 (post-reform,
  directly under 42) report each month 2026-01 .. 2026-10: HOUSES_BUILT 2, 3, 5 (10 a month) and
  PARTY_NEW_MEMBERS 1, 1, 2 (4 a month).
- Direction: the province 42 reports for "Năm 2024" GRDP_GROWTH 8.0, GRDP_PER_CAPITA 75,
  INCOME_PER_CAPITA 42; Xã Ân Phú 18316 (Huyện Vũ Quang 441) is the only unit reporting
  households, in its annual reports:
      year  HH_TOTAL  HH_POOR  HH_NEAR_POOR  POVERTY_RATE  NEAR_POVERTY_RATE
      2022  1000      65       40            6.5           4.0
      2023  1000      45       45            4.5           4.5
      2024  1000      25       50            2.5           5.0
  so the province's rates are Ân Phú's.

Independent suite: written from the issue and the spec without reading the implementation, and
kept so: change it from the spec, never to fit the code.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from ingest.sample.workbook import Sheet
from tests.inboxes import Build, build, deliver, report_by_code

pytestmark = pytest.mark.warehouse

AS_OF = "2026-11-28"
NAMES = {"HH_TOTAL": ("Tổng số hộ dân cư", "hộ"), "HH_POOR": ("Số hộ nghèo", "hộ"),
         "HH_NEAR_POOR": ("Số hộ cận nghèo", "hộ"),
         "HOUSES_BUILT": ("Số nhà ở kiên cố được xây dựng", "nhà"),
         "PARTY_NEW_MEMBERS": ("Số đảng viên mới kết nạp", "người"),
         "GRDP_GROWTH": ("Tốc độ tăng trưởng GRDP", "%"),
         "GRDP_PER_CAPITA": ("GRDP bình quân đầu người", "triệu đồng"),
         "INCOME_PER_CAPITA": ("Thu nhập bình quân đầu người", "triệu đồng/năm")}
TARGETS_HEADER = ["Năm", "Mã đơn vị", "Mã chỉ tiêu", "Loại chỉ tiêu", "Mức thấp", "Mức cao", "Nguồn"]

PROVINCE, HUONG_SON = "42", "439"
OLD_COMMUNES = {"18139": 4, "18142": 3, "18145": 3}  # HOUSES_BUILT each month of 2024-01..11
# (HOUSES_BUILT, PARTY_NEW_MEMBERS) each month of 2026-01..10
NEW_COMMUNES = {"18073": (2, 1), "18100": (3, 1), "18160": (5, 2)}
AN_PHU = "18316"
AN_PHU_YEARS = {2022: dict(HH_TOTAL=1000, HH_POOR=65, HH_NEAR_POOR=40),
                2023: dict(HH_TOTAL=1000, HH_POOR=45, HH_NEAR_POOR=45),
                2024: dict(HH_TOTAL=1000, HH_POOR=25, HH_NEAR_POOR=50)}

TARGETS = [
    # closed year 2024, flows from eleven months
    [2024, PROVINCE, "HOUSES_BUILT", "Tối thiểu", 115, None, "T1"],
    [2024, HUONG_SON, "HOUSES_BUILT", "Tối thiểu", 105, None, "T1"],
    # year in progress 2026
    [2026, PROVINCE, "HOUSES_BUILT", "Tối thiểu", 115, None, "T2"],
    [2026, PROVINCE, "PARTY_NEW_MEMBERS", "Tối thiểu", 50, None, "T2"],
    # direction, ranges of 2024
    [2024, PROVINCE, "GRDP_GROWTH", "Trong khoảng", "7", "7,5", "T3"],
    [2024, PROVINCE, "GRDP_PER_CAPITA", "Trong khoảng", 80, 90, "T3"],
    [2024, PROVINCE, "INCOME_PER_CAPITA", "Trong khoảng", 40, 45, "T3"],
    [2024, PROVINCE, "POVERTY_RATE", "Trong khoảng", 3, 4, "T3"],
    [2024, PROVINCE, "NEAR_POVERTY_RATE", "Trong khoảng", 3, 4, "T3"],
    # direction, changes of 2023 against 2022
    [2023, PROVINCE, "POVERTY_RATE", "Thay đổi so với năm trước", "-1,5", "-1", "T3"],
    [2023, PROVINCE, "NEAR_POVERTY_RATE", "Thay đổi so với năm trước", "-1,5", "-1", "T3"],
    # nothing reported
    [2024, PROVINCE, "PUBLIC_INVEST_DISBURSED", "Tối thiểu", 95, None, "T4"],
    [2024, PROVINCE, "BUDGET_REVENUE", "Tối thiểu", 100, None, "T4"],
]


def send(inbox: Path, name: str, unit: str, period: str, when: datetime, **values: float) -> None:
    deliver(inbox, name, [report_by_code(unit, period, values, NAMES, section="I. KINH TẾ - XÃ HỘI")], when)


@pytest.fixture(scope="module")
def targets(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("shapes_targets")
    inbox = root / "inbox"
    inbox.mkdir()
    for unit, houses in OLD_COMMUNES.items():
        for m in range(1, 12):  # January .. November 2024, December never sent
            send(inbox, f"BC {unit} T{m}-2024", unit, f"Tháng {m}/2024", datetime(2024, m + 1, 3),
                 HOUSES_BUILT=houses)
    for unit, (houses, members) in NEW_COMMUNES.items():
        for m in range(1, 11):  # January .. October 2026
            send(inbox, f"BC {unit} T{m}-2026", unit, f"Tháng {m}/2026", datetime(2026, m + 1, 3),
                 HOUSES_BUILT=houses, PARTY_NEW_MEMBERS=members)
    for year, values in AN_PHU_YEARS.items():
        send(inbox, f"BC nam {year} An Phu", AN_PHU, f"Năm {year}", datetime(year + 1, 1, 10), **values)
    send(inbox, "BC nam 2024 tinh", PROVINCE, "Năm 2024", datetime(2025, 1, 20),
         GRDP_GROWTH=8.0, GRDP_PER_CAPITA=75, INCOME_PER_CAPITA=42)
    deliver(inbox, "chi tieu ke hoach",
            [Sheet("Chỉ tiêu", [["CHỈ TIÊU KẾ HOẠCH"], [], TARGETS_HEADER, *TARGETS])], datetime(2026, 1, 15))

    return build(root, inbox, env={"CHITIEU_AS_OF_DATE": AS_OF})


def attainment(con, unit: str, year: int, indicator: str) -> dict:
    cur = con.execute("SELECT * FROM marts.target_attainment WHERE unit_code = ? AND year = ? "
                      "AND indicator_code = ?", [unit, year, indicator])
    cols = [d[0] for d in cur.description]
    rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    assert len(rows) == 1, f"{unit} {year} {indicator}: expected one row, got {rows}"
    return rows[0]


def scorecard(con, unit: str, year: int) -> dict:
    cur = con.execute("SELECT * FROM marts.scorecard WHERE unit_code = ? AND year = ?", [unit, year])
    cols = [d[0] for d in cur.description]
    rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    assert len(rows) == 1, f"scorecard {unit} {year}: expected one row, got {rows}"
    return rows[0]


def test_the_build_publishes(targets: Build) -> None:
    assert targets.error is None, targets.error


def test_closed_year_with_a_month_missing_is_judged_on_what_was_reported(targets: Build) -> None:
    """2024 is closed on 2026-11-28: met or missed on the eleven months' sum (never projected,
    never at risk), and the actual is said to be partial."""
    con = targets.con()
    # province: 11 months x (4 + 3 + 3) = 110 < 115 -> missed (a projection 110 x 12/11 = 120
    # would wrongly say met); shortfall 5
    row = attainment(con, PROVINCE, 2024, "HOUSES_BUILT")
    assert (row["target_kind"], float(row["target_low"])) == ("at_least", 115.0)
    assert float(row["actual"]) == 110.0
    assert row["status"] == "missed"
    assert row["is_partial"] is True
    assert abs(float(row["gap"])) == pytest.approx(5.0)
    # district 439 (its three communes): 110 >= 105 -> met, still partial
    row = attainment(con, HUONG_SON, 2024, "HOUSES_BUILT")
    assert (float(row["actual"]), row["status"], row["is_partial"]) == (110.0, "met", True)
    # the year is closed: no 2024 target anywhere is on track or at risk
    open_statuses = con.execute("SELECT count(*) FROM marts.target_attainment WHERE year = 2024 "
                                "AND status IN ('on_track', 'at_risk')").fetchone()[0]
    assert open_statuses == 0


def test_year_in_progress_is_projected_from_the_communes_months(targets: Build) -> None:
    """2026 is not closed: the province's pace is its communes' months January..October,
    projected x 12/10."""
    con = targets.con()
    # HOUSES_BUILT: 10 months x (2 + 3 + 5) = 100 so far, projected 100 x 12/10 = 120 >= 115
    # -> on_track (the 100 so far alone is below 115)
    row = attainment(con, PROVINCE, 2026, "HOUSES_BUILT")
    assert row["status"] == "on_track"
    assert row["is_partial"] is True
    assert float(row["actual"]) in (100.0, 120.0)  # the year to date or its projection
    # PARTY_NEW_MEMBERS: 10 x (1 + 1 + 2) = 40 so far, projected 48 < 50 -> at_risk
    row = attainment(con, PROVINCE, 2026, "PARTY_NEW_MEMBERS")
    assert row["status"] == "at_risk"
    assert row["is_partial"] is True
    assert float(row["actual"]) in (40.0, 48.0)
    # an open year is never judged met or missed
    card = scorecard(con, PROVINCE, 2026)
    assert (card["targets_total"], card["targets_met"], card["targets_no_data"]) == (2, 0, 0)


def test_ranges_follow_the_desirable_direction(targets: Build) -> None:
    con = targets.con()
    # GRDP_GROWTH (higher is better): 8.0 above the range 7..7.5 -> exceeded
    row = attainment(con, PROVINCE, 2024, "GRDP_GROWTH")
    assert (row["target_kind"], float(row["target_low"]), float(row["target_high"])) == ("range", 7.0, 7.5)
    assert (float(row["actual"]), row["status"], row["is_partial"]) == (8.0, "exceeded", False)
    # GRDP_PER_CAPITA (higher is better): 75 below 80..90 -> missed
    row = attainment(con, PROVINCE, 2024, "GRDP_PER_CAPITA")
    assert (float(row["actual"]), row["status"]) == (75.0, "missed")
    # INCOME_PER_CAPITA: 42 inside 40..45 -> met
    row = attainment(con, PROVINCE, 2024, "INCOME_PER_CAPITA")
    assert (float(row["actual"]), row["status"]) == (42.0, "met")
    # POVERTY_RATE (lower is better): 100 x 25 / 1000 = 2.5 below 3..4 -> exceeded
    row = attainment(con, PROVINCE, 2024, "POVERTY_RATE")
    assert float(row["actual"]) == pytest.approx(2.5)
    assert (row["status"], row["is_partial"]) == ("exceeded", False)
    # NEAR_POVERTY_RATE (lower is better): 100 x 50 / 1000 = 5.0 above 3..4 -> missed
    row = attainment(con, PROVINCE, 2024, "NEAR_POVERTY_RATE")
    assert float(row["actual"]) == pytest.approx(5.0)
    assert row["status"] == "missed"


def test_changes_follow_the_desirable_direction(targets: Build) -> None:
    con = targets.con()
    # POVERTY_RATE 2023 vs 2022: 4.5 - 6.5 = -2.0, below the planned -1.5..-1 (a bigger fall,
    # lower is better) -> exceeded
    row = attainment(con, PROVINCE, 2023, "POVERTY_RATE")
    assert (row["target_kind"], float(row["target_low"]), float(row["target_high"])) == ("change", -1.5, -1.0)
    assert float(row["actual"]) == pytest.approx(-2.0)
    assert row["status"] == "exceeded"
    # NEAR_POVERTY_RATE 2023 vs 2022: 4.5 - 4.0 = +0.5, a rise where -1.5..-1 was planned -> missed
    row = attainment(con, PROVINCE, 2023, "NEAR_POVERTY_RATE")
    assert float(row["actual"]) == pytest.approx(0.5)
    assert row["status"] == "missed"


def test_no_data_where_nothing_was_reported(targets: Build) -> None:
    con = targets.con()
    # nobody reported PUBLIC_INVEST_DISBURSED or BUDGET_REVENUE for 2024 (a flow with no
    # report is no data, not 0 and missed)
    for indicator in ("PUBLIC_INVEST_DISBURSED", "BUDGET_REVENUE"):
        row = attainment(con, PROVINCE, 2024, indicator)
        assert (row["status"], row["actual"]) == ("no_data", None), indicator


def test_scorecard_counts_exceeded_as_met(targets: Build) -> None:
    con = targets.con()
    # 42 / 2024, eight targets: HOUSES_BUILT missed, GRDP_GROWTH exceeded, GRDP_PER_CAPITA missed,
    # INCOME_PER_CAPITA met, POVERTY_RATE exceeded, NEAR_POVERTY_RATE missed,
    # PUBLIC_INVEST_DISBURSED and BUDGET_REVENUE no data -> met 3 (1 met + 2 exceeded), missed 3, no data 2
    card = scorecard(con, PROVINCE, 2024)
    assert (card["targets_total"], card["targets_met"], card["targets_missed"],
            card["targets_no_data"]) == (8, 3, 3, 2)
    # 42 / 2023: POVERTY_RATE exceeded, NEAR_POVERTY_RATE missed -> 2 targets, 1 met, 1 missed
    card = scorecard(con, PROVINCE, 2023)
    assert (card["targets_total"], card["targets_met"], card["targets_missed"],
            card["targets_no_data"]) == (2, 1, 1, 0)
    # 439 / 2024: HOUSES_BUILT met
    card = scorecard(con, HUONG_SON, 2024)
    assert (card["targets_total"], card["targets_met"], card["targets_missed"],
            card["targets_no_data"]) == (1, 1, 0, 0)
