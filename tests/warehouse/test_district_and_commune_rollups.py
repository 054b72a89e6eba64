"""Acceptance tests of how an office reviews districts and communes (issue 18, items 1, 2 and 5):
a district's own totals reaching the levels above in both views, a district's half-year total
and a commune's later months making the year, and completeness and timeliness judged on
arrival (docs/spec/indicators.md, "Completeness and timeliness"; eras.md, "What must never
happen"). Inboxes written by hand, answers computed by hand from the spec.

One build, 2022, each shape in its own district:
- (1) Huyện Can Lộc 443 sends its own HH_NEAR_POOR total (150), none of its communes does;
  Xã Điền Mỹ 18499 of Huyện Hương Khê 444 sends its own (40): the province is 190 in both views.
- (2) Huyện Cẩm Xuyên 446 sends its own COVID_CASES for the first half (120), none of its
  communes sends the first half; Xã Yên Hòa 18679 sends July to December (1 + ... + 6 = 21):
  the district's and the province's year is 141. Thị trấn Cẩm Xuyên 18673 sends its HH_TOTAL
  for the year: another element, so it does not set aside the district's COVID_CASES.
- (2b) The mirror of (2): Huyện Đức Thọ 440 sends its own HOUSES_BUILT for the second half (50),
  none of its communes sends the second half; Thị trấn Đức Thọ 18229 sends January to June
  (1 + ... + 6 = 21): the months are before the half, so they do not set aside the district's
  total, and the district's and the province's year is 71.
- (5) Arrival (the pipeline's first sighting, staged with ingest_inbox's `now`) around the
  communes' annual due day, 15 January 2023 (the year's last day + 15), in Thị xã Kỳ Anh 449:
  C1 first seen 15 Jan 23:30 Vietnam time (16:30 UTC): on time, though its file says 25 Jan;
  C2 first seen 16 Jan 00:30 Vietnam time (15 Jan 17:30 UTC): late, though its file says 10 Jan;
  C3 on time on 10 Jan, corrected on 20 Jan: still on time;
  C4 four quarters, the fourth first seen 14 Jan: reported, on time;
  C5 four quarters, the fourth first seen 17 Jan: reported, late;
  C6 three quarters only: missing. The district itself sends nothing.
  Thị xã Hồng Lĩnh 437 sends one layout-B table of its six communes for the year on 12 Jan:
  the district and each commune reported, on time.
- (6) A commune's row left wholly empty in its district's table is no report for that commune
  (spreadsheets.md, "A district's table carries one report per commune row"; a report holding
  no value at all replaces nothing), and is named (indicators.md: a row of the template left
  empty, a warning). Both tables are the district's template (python -m ingest template), filled:
  Huyện Vũ Quang 441 (10 communes) sends its template on 12 Jan, its last commune's row (E1)
  left empty, the nine others and its own report filled: E1 has not reported; 441 has received
  10 of its 11 reports (itself and nine communes), all on time, and names E1 as missing.
  Huyện Nghi Xuân 442 (17 communes) sends its template on 12 Jan, its first commune's row (E2)
  left empty, then on 17 Jan the template again with E2's row alone filled (the sixteen others
  left empty): E2 reported on 17 Jan, after its due day (15 Jan), so late, not on 12 Jan; the
  sixteen keep their figures and their arrival; 442 has 18 of 18, 17 on time.
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ingest.sample.workbook import Sheet, write_workbook
from tests.filled import filled_district_table
from tests.inboxes import MOTTO, SIGNATURE, Build, build, one, report_by_code, rows_of, stamp, value

pytestmark = pytest.mark.warehouse

PROJECT = Path(__file__).resolve().parents[2]
SEEDS = PROJECT / "dbt_project" / "seeds"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
CURRENT = "marts.indicator_values_current_units"
PROVINCE = "42"

NAMES = {"HH_TOTAL": ("Tổng số hộ dân cư", "hộ"), "HH_NEAR_POOR": ("Số hộ cận nghèo", "hộ"),
         "COVID_CASES": ("Số ca mắc COVID-19", "ca"),
         "HOUSES_BUILT": ("Số nhà ở kiên cố được xây dựng cho hộ dân", "nhà")}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

# (1) a district's own total beside another district's commune
TOTAL_DISTRICT, OTHER_DISTRICT, OTHER_COMMUNE = "443", "444", "18499"
# (2) a district's first half beside a commune's July to December
H1_DISTRICT, H2_COMMUNE, OTHER_ELEMENT_COMMUNE = "446", "18679", "18673"
# (2b) a district's second half beside a commune's January to June
H2_DISTRICT, H1_COMMUNE = "440", "18229"
# (5) completeness and timeliness
TABLE_DISTRICT, LATE_DISTRICT = "437", "449"
# (6) a commune's row left empty in its district's template
EMPTY_ROW_DISTRICT, LATE_ROW_DISTRICT = "441", "442"


def vn(*args: int) -> datetime:
    """A moment in Vietnam time (aware)."""
    return datetime(*args, tzinfo=VN)


def communes_of(district: str, day: str = "2022-12-31") -> list[tuple[str, str]]:
    """(code, name) of the district's communes in the unit list on `day`, by code."""
    with open(SEEDS / "admin_units.csv", encoding="utf-8", newline="") as fh:
        return sorted((u["unit_code"], u["unit_name"]) for u in csv.DictReader(fh)
                      if u["parent_code"] == district and u["valid_from"] <= day <= u["valid_to"])


C1, C2, C3, C4, C5, C6 = (code for code, _ in communes_of(LATE_DISTRICT)[:6])
TABLE_COMMUNES = communes_of(TABLE_DISTRICT)
EMPTY_ROW_COMMUNES, LATE_ROW_COMMUNES = communes_of(EMPTY_ROW_DISTRICT), communes_of(LATE_ROW_DISTRICT)
E1, E2 = EMPTY_ROW_COMMUNES[-1][0], LATE_ROW_COMMUNES[0][0]


def district_table(district: str, communes: list[tuple[str, str]], period: str,
                   values: dict[str, list[int]]) -> Sheet:
    """A layout-B table: the district's communes, one row each, one column per element."""
    header = ["STT", "Mã xã", "Tên xã", *(f"{NAMES[e][0]} ({e})" for e in values)]
    rows = [[n, code, name, *(v[n - 1] for v in values.values())]
            for n, (code, name) in enumerate(communes, start=1)]
    return Sheet("Tổng hợp", MOTTO + [["BÁO CÁO"], [f"Mã đơn vị: {district}"], [f"Kỳ báo cáo: {period}"], [],
                                      header] + rows + SIGNATURE)


class Inbox:
    """An inbox that the pipeline reads in stages, each stage at its own arrival time."""

    def __init__(self, root: Path) -> None:
        from base.settings import Settings

        self.root = root
        self.path = root / "inbox"
        self.path.mkdir()
        self.settings = Settings(self.path, root / "warehouse")

    def send(self, name: str, sheets: list[Sheet], mtime: datetime) -> None:
        """Write a workbook whose own modification time is `mtime` (never its arrival)."""
        path = self.path / f"{name}.xlsx"
        write_workbook(path, sheets)
        stamp(path, mtime)

    def template(self, name: str, district: str, communes: list[str], mtime: datetime) -> None:
        """The district's 2022 template filled as its clerk fills it: HH_TOTAL and "..." in the
        rows of `communes`, every other commune's row left wholly empty, its own report filled."""
        typed = {code: {"HH_TOTAL": 500 + n} for n, code in enumerate(communes)}
        path = filled_district_table(self.root / "filled", district, "2022", typed, {"BUDGET_REVENUE": 100},
                                     name=f"{name}.xlsx")
        path.rename(self.path / path.name)
        stamp(self.path / path.name, mtime)

    def report(self, name: str, unit: str, period: str, mtime: datetime, **values: int) -> None:
        self.send(name, [report_by_code(unit, period, values, NAMES)], mtime)

    def arrive(self, when: datetime) -> None:
        """The pipeline's run at `when`: every file written since the last run is first seen now."""
        from ingest.pipeline import ingest_inbox

        self.settings.build_db.parent.mkdir(parents=True, exist_ok=True)
        summary = ingest_inbox(self.path, self.settings.build_db, self.settings.archive_dir, progress=False,
                               now=when)
        assert summary.files_new and not summary.files_rejected, summary.line()


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Build:
    inbox = Inbox(tmp_path_factory.mktemp("office_rollup"))
    # 20 Dec 2022: (2), and the first three quarters of C4, C5 and C6
    inbox.report("cam xuyen H1", H1_DISTRICT, "6 tháng đầu năm 2022", vn(2022, 7, 10), COVID_CASES=120)
    for m in range(7, 13):
        inbox.report(f"yen hoa T{m}", H2_COMMUNE, f"Tháng {m}/2022", vn(2022, m, 28), COVID_CASES=m - 6)
    inbox.report("duc tho H2", H2_DISTRICT, "6 tháng cuối năm 2022", vn(2023, 1, 5), HOUSES_BUILT=50)
    for m in range(1, 7):
        inbox.report(f"tt duc tho T{m}", H1_COMMUNE, f"Tháng {m}/2022", vn(2022, m, 28), HOUSES_BUILT=m)
    for unit in (C4, C5, C6):
        for q in (1, 2, 3):
            inbox.report(f"{unit} Q{q}", unit, f"Quý {ROMAN[q]}/2022", vn(2022, 3 * q, 28), HH_TOTAL=1000 + q)
    inbox.arrive(vn(2022, 12, 20, 10))
    # 10 Jan 2023: C3 on time
    inbox.report("C3 2022", C3, "Năm 2022", vn(2023, 1, 9), HH_TOTAL=800)
    inbox.arrive(vn(2023, 1, 10, 9))
    # 12 Jan: (1), and 437's table of its communes
    inbox.report("can loc 2022", TOTAL_DISTRICT, "Năm 2022", vn(2023, 1, 11), HH_NEAR_POOR=150)
    inbox.report("dien my 2022", OTHER_COMMUNE, "Năm 2022", vn(2023, 1, 11), HH_NEAR_POOR=40)
    table = district_table(TABLE_DISTRICT, TABLE_COMMUNES, "Năm 2022",
                           {"HH_TOTAL": [600 + n for n in range(len(TABLE_COMMUNES))]})
    inbox.send("hong linh 2022", [table], vn(2023, 1, 11))
    inbox.report("cam xuyen tt 2022", OTHER_ELEMENT_COMMUNE, "Năm 2022", vn(2023, 1, 11), HH_TOTAL=3000)
    # (6) each district's template, one commune's row left empty
    inbox.template("vu quang 2022", EMPTY_ROW_DISTRICT, [c for c, _ in EMPTY_ROW_COMMUNES if c != E1],
                   vn(2023, 1, 11))
    inbox.template("nghi xuan 2022", LATE_ROW_DISTRICT, [c for c, _ in LATE_ROW_COMMUNES if c != E2],
                   vn(2023, 1, 11))
    inbox.arrive(vn(2023, 1, 12, 10))
    # 14 Jan: C4's fourth quarter
    inbox.report(f"{C4} Q4", C4, "Quý IV/2022", vn(2023, 1, 14), HH_TOTAL=1004)
    inbox.arrive(vn(2023, 1, 14, 15))
    # the due day's last half hour, and the next day's first
    inbox.report("C1 2022", C1, "Năm 2022", vn(2023, 1, 25), HH_TOTAL=700)
    inbox.arrive(vn(2023, 1, 15, 23, 30))
    inbox.report("C2 2022", C2, "Năm 2022", vn(2023, 1, 10), HH_TOTAL=750)
    inbox.arrive(vn(2023, 1, 16, 0, 30))
    # 17 Jan: C5's fourth quarter; 20 Jan: C3's correction
    inbox.report(f"{C5} Q4", C5, "Quý IV/2022", vn(2023, 1, 17), HH_TOTAL=1004)
    inbox.template("nghi xuan 2022 bo sung", LATE_ROW_DISTRICT, [E2], vn(2023, 1, 17))  # (6): E2's row alone
    inbox.arrive(vn(2023, 1, 17, 9))
    inbox.report("C3 2022 sua", C3, "Năm 2022", vn(2023, 1, 20), HH_TOTAL=810)
    inbox.arrive(vn(2023, 1, 20, 9))
    return build(inbox.root, inbox.path)


def test_the_arrivals_are_staged_in_vietnam_time(office: Build) -> None:
    """The staging itself: the pipeline recorded 23:30 Vietnam time as 16:30 UTC."""
    import duckdb

    con = duckdb.connect(str(office.settings.build_db))  # as the build opened it, in this process
    seen = con.execute("SELECT first_seen_at FROM raw.files WHERE original_path = 'C1 2022.xlsx'").fetchall()
    assert seen == [(datetime(2023, 1, 15, 16, 30),)]


def test_the_build_publishes(office: Build) -> None:
    assert office.error is None, office.error


# --------------------------------------------------------------------------- (1)

def test_a_district_total_and_another_districts_commune_make_the_province(office: Build) -> None:
    con = office.con()
    assert value(con, TOTAL_DISTRICT, "2022", "HH_NEAR_POOR") == 150  # its own total
    assert value(con, OTHER_DISTRICT, "2022", "HH_NEAR_POOR") == 40  # its commune's
    assert value(con, PROVINCE, "2022", "HH_NEAR_POOR") == 190  # 150 + 40
    assert value(con, PROVINCE, "2022", "HH_NEAR_POOR", CURRENT) == 190  # on today's units too


# --------------------------------------------------------------------------- (2)

def test_a_district_first_half_and_a_communes_later_months_make_the_year(office: Build) -> None:
    con = office.con()
    assert value(con, H1_DISTRICT, "2022-H1", "COVID_CASES") == 120  # its own
    assert value(con, H1_DISTRICT, "2022-H2", "COVID_CASES") == 21  # 1 + 2 + ... + 6
    assert value(con, H2_COMMUNE, "2022", "COVID_CASES") == 21  # the commune's months only
    assert value(con, H1_DISTRICT, "2022", "COVID_CASES") == 141  # 120 + 21
    assert value(con, H1_DISTRICT, "2022", "HH_TOTAL") == 3000  # 18673's, another element
    assert value(con, PROVINCE, "2022", "COVID_CASES") == 141
    assert value(con, PROVINCE, "2022", "COVID_CASES", CURRENT) == 141


def test_a_district_second_half_and_a_communes_earlier_months_make_the_year(office: Build) -> None:
    """The overlap check looks at both ends: months before the district's half do not overlap it."""
    con = office.con()
    assert value(con, H2_DISTRICT, "2022-H2", "HOUSES_BUILT") == 50  # its own
    assert value(con, H1_COMMUNE, "2022-H1", "HOUSES_BUILT") == 21  # 1 + 2 + ... + 6
    assert value(con, H2_DISTRICT, "2022", "HOUSES_BUILT") == 71  # 50 + 21
    assert value(con, PROVINCE, "2022", "HOUSES_BUILT") == 71
    assert value(con, PROVINCE, "2022", "HOUSES_BUILT", CURRENT) == 71


# --------------------------------------------------------------------------- (5)

def completeness(office: Build, unit: str, period: str = "2022") -> tuple[int, int, int]:
    """(expected, received, on time) of a unit's row in marts.reporting_completeness."""
    rows = office.con().execute(
        "SELECT expected_reports, received_reports, on_time_reports FROM marts.reporting_completeness "
        "WHERE unit_code = ? AND period = ?", [unit, period]).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


@pytest.mark.parametrize(("unit", "received", "on_time", "why"), [
    (C1, 1, 1, "first seen at 23:30 on the due day, Vietnam time (its file's own time is later)"),
    (C2, 1, 0, "first seen at 00:30 the next day, Vietnam time (16 Jan; still 15 Jan in UTC)"),
    (C3, 1, 1, "first seen on time; a correction after the due day does not make it late"),
    (C4, 1, 1, "four quarters, the last first seen before the due day"),
    (C5, 1, 0, "four quarters, the last first seen after the due day"),
    (C6, 0, 0, "three quarters do not make the year"),
])
def test_each_commune_reported_on_arrival(office: Build, unit: str, received: int, on_time: int,
                                          why: str) -> None:
    assert completeness(office, unit) == (1, received, on_time), why


def test_a_district_table_reports_each_of_its_communes(office: Build) -> None:
    assert len(TABLE_COMMUNES) == 6
    for code, name in TABLE_COMMUNES:
        assert completeness(office, code) == (1, 1, 1), name
    # the district itself sent the table: its six communes and itself, all on time
    assert completeness(office, TABLE_DISTRICT) == (7, 7, 7)
    missing = office.con().execute("SELECT missing_units FROM marts.reporting_completeness "
                                   "WHERE unit_code = ? AND period = '2022'", [TABLE_DISTRICT]).fetchone()
    assert missing == ("",)


def test_the_district_counts_its_communes_reports(office: Build) -> None:
    expected = len(communes_of(LATE_DISTRICT)) + 1  # its communes and itself
    assert completeness(office, LATE_DISTRICT) == (expected, 5, 3)  # C1..C5; C1, C3, C4 on time


def test_the_province_counts_every_report_once(office: Build) -> None:
    with open(SEEDS / "admin_units.csv", encoding="utf-8", newline="") as fh:
        units = [u for u in csv.DictReader(fh) if u["valid_from"] <= "2022-12-31" <= u["valid_to"]]
    # 437 and its 6 communes, C1..C5, 443, 18499 and 18673; on time: 437's 7, C1, C3, C4, 443,
    # 18499 and 18673; (6): 441 and nine communes, on time; 442 and its 17 communes, E2 late
    assert completeness(office, PROVINCE) == (len(units), 15 + 10 + 18, 13 + 10 + 17)
    assert one(office.con(), H2_COMMUNE, "2022", "COVID_CASES")["is_partial"] is True  # not its year


# --------------------------------------------------------------------------- (6)

def test_a_communes_empty_row_in_its_districts_table_is_no_report(office: Build) -> None:
    assert len(EMPTY_ROW_COMMUNES) == 10
    assert completeness(office, E1) == (1, 0, 0)
    for code, name in EMPTY_ROW_COMMUNES[:-1]:
        assert completeness(office, code) == (1, 1, 1), name
    assert completeness(office, EMPTY_ROW_DISTRICT) == (11, 10, 10)  # itself and nine communes
    missing = office.con().execute("SELECT missing_units FROM marts.reporting_completeness "
                                   "WHERE unit_code = ? AND period = '2022'", [EMPTY_ROW_DISTRICT]).fetchone()
    assert missing == (EMPTY_ROW_COMMUNES[-1][1],)


def test_a_communes_empty_row_then_its_late_row_is_late(office: Build) -> None:
    """E2 reported when its row was first filled (17 Jan), not when it was first left empty."""
    assert len(LATE_ROW_COMMUNES) == 17
    assert completeness(office, E2) == (1, 1, 0)
    for code, name in LATE_ROW_COMMUNES[1:]:
        assert completeness(office, code) == (1, 1, 1), name
    assert completeness(office, LATE_ROW_DISTRICT) == (18, 18, 17)


def test_an_empty_row_of_a_later_table_keeps_the_communes_figures(office: Build) -> None:
    con = office.con()
    assert value(con, E2, "2022", "HH_TOTAL") == 500  # its row in the second table
    second = LATE_ROW_COMMUNES[1][0]
    assert value(con, second, "2022", "HH_TOTAL") == 500  # the first table's; its row was empty in the second
    assert value(con, LATE_ROW_DISTRICT, "2022", "HH_TOTAL") == sum(500 + n for n in range(16)) + 500
    assert value(con, EMPTY_ROW_DISTRICT, "2022", "HH_TOTAL") == sum(500 + n for n in range(9))
    assert rows_of(con, E1, "2022", "HH_TOTAL") == []


def test_a_communes_empty_row_is_named(office: Build) -> None:
    """Each wholly empty commune row is a warning naming the commune and its row, as a row left
    empty on a template is (in Vietnamese for the clerk)."""
    con = office.con()
    named = con.execute("SELECT unit_code, severity, source_file, message FROM marts.data_quality_findings "
                        "WHERE rule = 'empty_template_row' AND period = '2022'").fetchall()
    by_file = {}
    for unit, severity, source, message in named:
        assert severity == "warning", message
        by_file.setdefault(source.rsplit("/", 1)[-1], set()).add(unit)
    assert by_file == {"vu quang 2022.xlsx": {E1}, "nghi xuan 2022.xlsx": {E2},
                       "nghi xuan 2022 bo sung.xlsx": {c for c, _ in LATE_ROW_COMMUNES[1:]}}, named


def test_due_day_is_the_years_last_day_plus_fifteen() -> None:
    """The calendar the hand counts above rest on: a commune's annual report is due on 15 January."""
    with open(SEEDS / "reporting_calendar.csv", encoding="utf-8", newline="") as fh:
        rules = [r for r in csv.DictReader(fh) if r["unit_level"] == "commune" and r["period_type"] == "year"]
    assert [int(r["due_days"]) for r in rules] == [15]
    assert datetime(2022, 12, 31) + timedelta(days=15) == datetime(2023, 1, 15)
