"""Targets below the province and on their limits, as the planning office reviews them
(docs/spec/eras.md, "Calendar and targets for every year"; docs/spec/indicators.md, "Targets").
Every expected answer below is computed by hand from the reports this module writes.

POVERTY_RATE = 100 * HH_POOR / HH_TOTAL, "lower is better", two decimals. HOUSES_BUILT and
COVID_CASES are flows (sum over units and time) reported by communes; INVEST_CAPITAL_FDI is a
flow reported by the province (one decimal); GRDP_GROWTH, GRDP_PER_CAPITA, INCOME_PER_CAPITA and
PUBLIC_INVEST_DISBURSED are the province's own figures (never summed).

One build, as of 2026-12-10 (CHITIEU_AS_OF_DATE): 2021 .. 2025 are closed, 2026 is in progress
with January .. November reported.

A district before the reform, Huyện Hương Sơn 439 (its communes Sơn Hồng 18139, Sơn Tiến 18142),
beside Xã Ân Phú 18316 of another district (441); annual reports:
    year  unit   HH_TOTAL  HH_POOR
    2021  18139  800       80
    2021  18142  200       20      -> 439: 100 / 1000 = 10.00 %
    2021  18316  1000      50      -> province: 150 / 2000 = 7.50 %
    2022  18139  800       64
    2022  18142  200       12      -> 439: 76 / 1000 = 7.60 %
    2022  18316  1000      45      -> province: 121 / 2000 = 6.05 %
  439's change 2022 vs 2021: 7.60 - 10.00 = -2.40 (in binary floating point -2.4000000000000004);
  the province's: 6.05 - 7.50 = -1.45. 439 no longer exists: on today's units it has no series.

A reused code: 18073 was Phường Nam Hà (district 436) until 2025-06-30 and is Phường Thành Sen
(Nam Hà, Bắc Hà 18077 and others) since; annual reports:
    year  unit   HH_TOTAL  HH_POOR
    2023  18073  1000      51      Nam Hà 5.10 %
    2023  18077  1000      29      Bắc Hà 2.90 %   -> Thành Sen's territory 80 / 2000 = 4.00 %
    2024  18073  1000      20      Nam Hà 2.00 %
    2024  18077  1000      30      Bắc Hà 3.00 %   -> Thành Sen's territory 50 / 2000 = 2.50 %
  Nam Hà's own change 2024 vs 2023: 2.00 - 5.10 = -3.10 (floating point -3.0999999999999996);
  Thành Sen's combined series would say 2.50 - 4.00 = -1.50.

A commune that exists today: Xã Sơn Hồng 18160 (since 2025-07-01, from old Sơn Hồng 18139 and
old Xã Sơn Lĩnh, whose code 18160 it took):
    2024  18139  HH_TOTAL 600   HH_POOR 30
    2024  18160  HH_TOTAL 400   HH_POOR 30   (old Sơn Lĩnh: 7.50 %) -> predecessors 60 / 1000 = 6.00 %
    2025  18160  HH_TOTAL 1000  HH_POOR 45   (new Sơn Hồng: 4.50 %)
  change 2025 vs 2024 on today's units: 4.50 - 6.00 = -1.50 (old Sơn Lĩnh alone would say -3.00).
  The 2024 province: (20 + 30 + 30 + 30) / (1000 + 1000 + 600 + 400) = 3.67 %.

Flows in the year in progress (2026, January .. November reported, so 12/11 of the sum):
- Phường Trần Phú 18100 (today's): "Năm 2025" HOUSES_BUILT 132, COVID_CASES 100; each month of
  2026-01 .. 11 HOUSES_BUILT 11 (121 so far, projected 132) and COVID_CASES 10 (110 so far,
  projected 120).
- Phường Thành Sen 18073: each month of 2026-01 .. 11 HOUSES_BUILT 7 (77 so far, projected 84).
- The province 42: each month of 2026-01 .. 11 INVEST_CAPITAL_FDI 0,3 (3,3 so far, projected 3,6;
  in floating point 3.3 * 12 / 11 = 3.5999999999999996).
The province's own "Năm 2024": GRDP_GROWTH 8, GRDP_PER_CAPITA 75, INCOME_PER_CAPITA 42,
PUBLIC_INVEST_DISBURSED 95.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from ingest.sample.workbook import Sheet
from tests.inboxes import Build, build, deliver, report_by_code

pytestmark = pytest.mark.warehouse

AS_OF = "2026-12-10"
TODAY = date(2026, 12, 10)
NAMES = {"HH_TOTAL": ("Tổng số hộ dân cư", "hộ"), "HH_POOR": ("Số hộ nghèo", "hộ"),
         "HOUSES_BUILT": ("Số nhà ở kiên cố được xây dựng", "nhà"),
         "COVID_CASES": ("Số ca mắc COVID-19", "ca"),
         "INVEST_CAPITAL_FDI": ("Vốn đăng ký FDI", "triệu USD"),
         "GRDP_GROWTH": ("Tốc độ tăng trưởng GRDP", "%"),
         "GRDP_PER_CAPITA": ("GRDP bình quân đầu người", "triệu đồng"),
         "INCOME_PER_CAPITA": ("Thu nhập bình quân đầu người", "triệu đồng/năm"),
         "PUBLIC_INVEST_DISBURSED": ("Tỷ lệ giải ngân vốn đầu tư công", "%")}
TARGETS_HEADER = ["Năm", "Mã đơn vị", "Mã chỉ tiêu", "Loại chỉ tiêu", "Mức thấp", "Mức cao", "Nguồn"]
CHANGE, AT_LEAST, AT_MOST, RANGE = "Thay đổi so với năm trước", "Tối thiểu", "Tối đa", "Trong khoảng"

PROVINCE, HUONG_SON, NAM_HA, SON_HONG, TRAN_PHU = "42", "439", "18073", "18160", "18100"

# (year, unit): (HH_TOTAL, HH_POOR), each sent as the unit's annual report
HOUSEHOLDS = {
    (2021, "18139"): (800, 80), (2021, "18142"): (200, 20), (2021, "18316"): (1000, 50),
    (2022, "18139"): (800, 64), (2022, "18142"): (200, 12), (2022, "18316"): (1000, 45),
    (2023, "18073"): (1000, 51), (2023, "18077"): (1000, 29),
    (2024, "18073"): (1000, 20), (2024, "18077"): (1000, 30),
    (2024, "18139"): (600, 30), (2024, "18160"): (400, 30),
    (2025, "18160"): (1000, 45),
    (2023, "18316"): (4000, 87),  # 2.175 %: 2.18 through DECIMAL, 2.17 rounded on the double
}

TARGETS = [
    # 3a: a district before the reform, on its limit (-2.40 is the low end)
    [2022, HUONG_SON, "POVERTY_RATE", CHANGE, "-2,4", "-2", "district"],
    [2022, PROVINCE, "POVERTY_RATE", CHANGE, "-1,45", "-1", "province"],
    # 3b: the old ward under a reused code, on its limit (-3.10 is the high end)
    [2024, NAM_HA, "POVERTY_RATE", CHANGE, "-4", "-3,1", "old ward"],
    [2024, PROVINCE, "GRDP_GROWTH", RANGE, "7", "8", "limits"],
    [2024, PROVINCE, "GRDP_PER_CAPITA", AT_LEAST, "75", None, "limits"],
    [2024, PROVINCE, "INCOME_PER_CAPITA", AT_MOST, "42", None, "limits"],
    [2024, PROVINCE, "PUBLIC_INVEST_DISBURSED", RANGE, "95", "100", "limits"],
    # a commune that exists today: against its predecessors (-1.50 is the low end)
    [2025, SON_HONG, "POVERTY_RATE", CHANGE, "-1,5", "-1", "today's commune"],
    # 4: flows in the year in progress
    [2026, TRAN_PHU, "HOUSES_BUILT", CHANGE, "0", "10", "flow"],
    [2026, TRAN_PHU, "COVID_CASES", CHANGE, "-100", "15", "flow"],
    [2026, NAM_HA, "HOUSES_BUILT", AT_LEAST, "84", None, "flow"],
    [2026, PROVINCE, "INVEST_CAPITAL_FDI", AT_LEAST, "3,6", None, "flow"],
    # a stock in the year in progress, taken as it stands (never projected like a flow)
    [2026, TRAN_PHU, "HH_TOTAL", AT_LEAST, "1150", None, "stock"],
    # rounded half up as published: 2.175 % is 2,18 %
    [2023, "18316", "POVERTY_RATE", AT_MOST, "2,18", None, "rounding"],
]


def send(inbox: Path, name: str, unit: str, period: str, when: datetime, **values: object) -> None:
    deliver(inbox, name, [report_by_code(unit, period, values, NAMES, section="I. KINH TẾ - XÃ HỘI")], when)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("office_targets")
    inbox = root / "inbox"
    inbox.mkdir()
    for (year, unit), (total, poor) in HOUSEHOLDS.items():
        send(inbox, f"BC nam {year} {unit}", unit, f"Năm {year}", datetime(year + 1, 1, 10),
             HH_TOTAL=total, HH_POOR=poor)
    send(inbox, "BC nam 2025 18100", TRAN_PHU, "Năm 2025", datetime(2026, 1, 12),
         HOUSES_BUILT=132, COVID_CASES=100)
    for m in range(1, 12):  # January .. November 2026
        when = datetime(2026, m + 1, 3)
        send(inbox, f"BC 18100 T{m}-2026", TRAN_PHU, f"Tháng {m}/2026", when, HOUSES_BUILT=11, COVID_CASES=10,
             HH_TOTAL=1100)
        send(inbox, f"BC 18073 T{m}-2026", NAM_HA, f"Tháng {m}/2026", when, HOUSES_BUILT=7)
        send(inbox, f"BC tinh T{m}-2026", PROVINCE, f"Tháng {m}/2026", when, INVEST_CAPITAL_FDI=0.3)
    send(inbox, "BC nam 2024 tinh", PROVINCE, "Năm 2024", datetime(2025, 1, 20),
         GRDP_GROWTH=8, GRDP_PER_CAPITA=75, INCOME_PER_CAPITA=42, PUBLIC_INVEST_DISBURSED=95)
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



def _plain(text: str) -> str:
    """The review's text with its no-break spaces (a figure never split from its unit) plain."""
    return text.replace("\xa0", " ")

def test_the_build_publishes(office: Build) -> None:
    assert office.error is None, office.error


def test_a_district_change_is_judged_on_the_district_as_it_was(office: Build) -> None:
    """439 ceased in 2025: its 2022 change is 7.60 - 10.00 on its own series as reported (not
    "no data" because today's units have no 439), exactly the low end of -2.40..-2: met, not
    exceeded (the floating-point -2.4000000000000004 is -2.40 at the indicator's two decimals)."""
    con = office.con()
    row = attainment(con, HUONG_SON, 2022, "POVERTY_RATE")
    assert float(row["actual"]) == pytest.approx(-2.4)
    assert row["status"] == "met"
    # the province beside it: 6.05 - 7.50 = -1.45, the low end of -1.45..-1 -> met
    row = attainment(con, PROVINCE, 2022, "POVERTY_RATE")
    assert float(row["actual"]) == pytest.approx(-1.45)
    assert row["status"] == "met"


def test_a_reused_code_is_judged_on_the_old_ward(office: Build) -> None:
    """18073 in 2024 is Phường Nam Hà: 2.00 - 5.10 = -3.10, the high end of -4..-3.10 -> met.
    Thành Sen's combined series (2.50 - 4.00 = -1.50) would say missed."""
    con = office.con()
    row = attainment(con, NAM_HA, 2024, "POVERTY_RATE")
    assert float(row["actual"]) == pytest.approx(-3.1)
    assert row["status"] == "met"


def test_a_commune_of_today_is_judged_against_its_predecessors(office: Build) -> None:
    """New Sơn Hồng 18160 in 2025 against old Sơn Hồng + old Sơn Lĩnh in 2024: 4.50 - 6.00 =
    -1.50, the low end of -1.5..-1 -> met (old Sơn Lĩnh alone, who had the code: -3.00)."""
    con = office.con()
    row = attainment(con, SON_HONG, 2025, "POVERTY_RATE")
    assert float(row["actual"]) == pytest.approx(-1.5)
    assert row["status"] == "met"


def test_a_flow_change_in_the_year_in_progress_is_projected(office: Build) -> None:
    """November reported: 121 houses so far, projected 121 x 12/11 = 132, against 132 in 2025:
    change 0, the low end of 0..10 -> on track (the eleven months alone: -11, at risk)."""
    con = office.con()
    row = attainment(con, TRAN_PHU, 2026, "HOUSES_BUILT")
    assert float(row["actual"]) == pytest.approx(0.0)
    assert (row["status"], row["is_year_to_date"]) == ("on_track", True)
    # COVID cases (lower is better): 110 so far, projected 120, against 100: +20, above the
    # planned -100..+15 -> at risk (the eleven months alone: +10, on track)
    row = attainment(con, TRAN_PHU, 2026, "COVID_CASES")
    assert float(row["actual"]) == pytest.approx(20.0)
    assert row["status"] == "at_risk"


def test_a_projection_exactly_on_its_limit_is_on_track(office: Build) -> None:
    con = office.con()
    # 77 houses so far, projected 84 = the least planned -> on track
    row = attainment(con, NAM_HA, 2026, "HOUSES_BUILT")
    assert float(row["actual"]) == pytest.approx(84.0)
    assert row["status"] == "on_track"
    # 3.3 so far, projected 3.6 (3.5999999999999996 in floating point) = the least planned
    row = attainment(con, PROVINCE, 2026, "INVEST_CAPITAL_FDI")
    assert float(row["actual"]) == pytest.approx(3.6)
    assert row["status"] == "on_track"


def test_a_stock_in_the_year_in_progress_is_taken_as_it_stands(office: Build) -> None:
    """Trần Phú's households, 1,100 in each month to November: the year so far is 1,100 (a stock
    takes its latest month), below the least planned 1,150 -> at risk. Projected like a flow
    (1,100 x 12/11 = 1,200) it would read on track."""
    row = attainment(office.con(), TRAN_PHU, 2026, "HH_TOTAL")
    assert float(row["actual"]) == pytest.approx(1100.0)
    assert (row["status"], row["is_year_to_date"]) == ("at_risk", True)


def test_an_actual_is_rounded_half_up_through_decimal(office: Build) -> None:
    """Ân Phú 2023: 87 / 4,000 = 2.175 %, which the review prints 2,18 % (half up). Rounded on
    the double (2.17499999... in binary) it would be 2,17."""
    row = attainment(office.con(), "18316", 2023, "POVERTY_RATE")
    assert float(row["actual"]) == 2.18
    assert row["status"] == "met"  # at most 2,18


def test_a_year_report_is_no_arrival_for_its_months(office: Build) -> None:
    """New Sơn Hồng 18160 sent only its year 2025: each month it owed from July 2025 is missing
    (a year's report does not stand for the monthly reports due during it)."""
    con = office.con()
    for month in ("2025-07", "2025-12"):
        rows = con.execute("SELECT expected_reports, received_reports, on_time_reports "
                           "FROM marts.reporting_completeness WHERE unit_code = ? AND period = ?",
                           [SON_HONG, month]).fetchall()
        assert rows == [(1, 0, 0)], (month, rows)
    rows = con.execute("SELECT received_reports FROM marts.reporting_completeness "
                       "WHERE unit_code = ? AND period = '2025'", [SON_HONG]).fetchall()
    assert rows == [(1,)]  # the year itself arrived


@pytest.mark.parametrize(("indicator", "actual"), [
    ("GRDP_GROWTH", 8.0),                # the high end of 7..8 (higher is better): met, not exceeded
    ("PUBLIC_INVEST_DISBURSED", 95.0),   # the low end of 95..100
    ("GRDP_PER_CAPITA", 75.0),           # at least 75
    ("INCOME_PER_CAPITA", 42.0),         # at most 42
])
def test_an_actual_on_a_limit_meets_it(office: Build, indicator: str, actual: float) -> None:
    row = attainment(office.con(), PROVINCE, 2024, indicator)
    assert (float(row["actual"]), row["status"], row["gap"]) == (actual, "met", 0)


# ---------------------------------------------------------------- the review prints each unit's own figures

def _review_target(office: Build, year: int, unit: str, indicator: str):
    from chitieu.review.data import load_review

    review = load_review(office.settings.published_db, year, TODAY)
    (target,) = [t for t in review.targets + review.unit_targets
                 if t.unit_code == unit and t.indicator.code == indicator]
    return target


def test_the_review_prints_the_districts_own_figure(office: Build) -> None:
    """Beside 439's 2022 change, 439's own 7,60 % (the province's is 6,05 %)."""
    from chitieu.review.html import target_row

    target = _review_target(office, 2022, HUONG_SON, "POVERTY_RATE")
    assert target.level == pytest.approx(7.6)
    # no decision in this inbox: every printed figure is not yet approved (‡, docs/reviewer.md)
    assert _plain(target_row(target, "vi")["actual"]) == "giảm 2,40 điểm % (7,60 %) ‡"
    province = _review_target(office, 2022, PROVINCE, "POVERTY_RATE")
    assert _plain(target_row(province, "vi")["actual"]) == "giảm 1,45 điểm % (6,05 %) ‡"


def test_the_review_prints_the_old_wards_own_figure(office: Build) -> None:
    """Beside Nam Hà's 2024 change, Nam Hà's own 2,00 % (not Thành Sen's 2,50 %, nor the
    province's 3,67 %), under its own name."""
    from chitieu.review.html import target_row

    target = _review_target(office, 2024, NAM_HA, "POVERTY_RATE")
    assert target.unit_name == "Phường Nam Hà"
    assert _plain(target_row(target, "vi")["actual"]) == "giảm 3,10 điểm % (2,00 %) ‡"  # no decision: ‡


def test_the_breakdown_line_carries_the_units_own_actual(office: Build) -> None:
    """The district breakdown (HTML and workbook) writes 439's own target with 439's own figures."""
    from base import fmt

    target = _review_target(office, 2022, HUONG_SON, "POVERTY_RATE")
    assert _plain(fmt.describe_target(target, "vi")) == (
        "Tỷ lệ hộ nghèo: giảm 2,00–2,40 điểm % — giảm 2,40 điểm % (7,60 %) — Đạt")


# ---------------------------------------------------------------- two rows of one code before the reform

MOVER, TAN_LOC, HONG_LOC = "18565", "18409", "18412"


def edited_seeds(root: Path) -> Path:
    """Shipped seeds with two changes before the reform (the unit list keeps its history):
    Xã Ngọc Sơn 18565 moves from Huyện Thạch Hà 445 to Thành phố Hà Tĩnh 436 on 2023-07-01 (a
    parent change: one territory, two rows of one code); Xã Hồng Lộc 18412 merges into Xã Tân
    Lộc 18409 on 2023-01-01 (a listed change: the Tân Lộc of 2023 is another territory than
    the Tân Lộc of 2022, under the same code)."""
    from tests.warehouse.test_eras_contract import SEEDS, read_csv, write_csv

    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    fields, units = read_csv(seeds / "admin_units.csv")
    out = []
    for row in units:
        old_era = row["valid_to"] == "2025-06-30"
        if row["unit_code"] == MOVER and old_era:
            out += [{**row, "valid_to": "2023-06-30"},
                    {**row, "parent_code": "436", "valid_from": "2023-07-01"}]
        elif row["unit_code"] == TAN_LOC and old_era:
            out += [{**row, "valid_to": "2022-12-31"}, {**row, "valid_from": "2023-01-01"}]
        elif row["unit_code"] == HONG_LOC and old_era:
            out.append({**row, "valid_to": "2022-12-31"})
        else:
            out.append(row)
    write_csv(seeds / "admin_units.csv", fields, out)
    fields, changes = read_csv(seeds / "admin_unit_changes.csv")
    changes = [r for r in changes if r["old_code"] != HONG_LOC]
    for old, name in ((TAN_LOC, "Xã Tân Lộc"), (HONG_LOC, "Xã Hồng Lộc")):
        changes.append({**dict.fromkeys(fields, ""), "old_code": old, "old_name": name, "new_code": TAN_LOC,
                        "new_name": "Xã Tân Lộc", "is_split": "false", "is_default_new": "true",
                        "effective_date": "2023-01-01"})
    write_csv(seeds / "admin_unit_changes.csv", fields, changes)
    return seeds


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """Annual reports (HH_TOTAL, HH_POOR):
        Ngọc Sơn 2022 1000, 80 (8.00 %); 2023 1000, 60 (6.00 %)            -> change -2.00
        Tân Lộc 2022 1000, 100 (10.00 %); Hồng Lộc 2022 1000, 20 (2.00 %)
        Tân Lộc (merged) 2023 2000, 100 (5.00 %)  -> against its territory's 2022 (120 / 2000 =
        6.00 %) -1.00; against the old Tân Lộc alone -5.00, a figure of another territory."""
    root = tmp_path_factory.mktemp("office_targets_edited")
    inbox = root / "inbox"
    inbox.mkdir()
    for (year, unit), (total, poor) in {(2022, MOVER): (1000, 80), (2023, MOVER): (1000, 60),
                                        (2022, TAN_LOC): (1000, 100), (2022, HONG_LOC): (1000, 20),
                                        (2023, TAN_LOC): (2000, 100)}.items():
        send(inbox, f"BC nam {year} {unit}", unit, f"Năm {year}", datetime(year + 1, 1, 10),
             HH_TOTAL=total, HH_POOR=poor)
    rows = [[2023, MOVER, "POVERTY_RATE", CHANGE, "-2", "-1", "x"],
            [2023, TAN_LOC, "POVERTY_RATE", CHANGE, "-6", "-4", "x"]]
    sheet = Sheet("Chỉ tiêu", [["CHỈ TIÊU KẾ HOẠCH"], [], TARGETS_HEADER, *rows])
    deliver(inbox, "chi tieu ke hoach", [sheet],
            datetime(2024, 1, 15))
    return build(root, inbox, edited_seeds(root), env={"CHITIEU_AS_OF_DATE": AS_OF})


def test_a_parent_change_keeps_the_units_series(edited: Build) -> None:
    """Ngọc Sơn moved district in 2023 (two rows of one code, one territory): 6.00 - 8.00 =
    -2.00, the low end of -2..-1 -> met."""
    row = attainment(edited.con(), MOVER, 2023, "POVERTY_RATE")
    assert (row["actual"], row["status"]) == (pytest.approx(-2.0), "met")


def test_a_code_taken_by_a_merged_unit_never_mixes_territories(edited: Build) -> None:
    """The merged Tân Lộc's 2023 is never measured against the old Tân Lộc's 2022 (-5.00, which
    would read as met): against its territory (-1.00, missed) or, as reported, no data."""
    row = attainment(edited.con(), TAN_LOC, 2023, "POVERTY_RATE")
    assert row["actual"] is None or float(row["actual"]) == pytest.approx(-1.0), row
    assert row["status"] in ("no_data", "missed")
