"""Acceptance tests of "Identifying the unit" (docs/spec/spreadsheets.md), written from the spec alone.

Every letterhead form the spec lists names the same unit, with its code beside it and alone;
a name that clearly names another unit beside a code is a mismatch; a name that matches no
unit rejects the sheet, and the message suggests the closest name(s).

Units (dbt_project/seeds/admin_units.csv, before the July 2025 reform):
- Huyện Vũ Quang 441: Thị trấn Vũ Quang 18313, Xã Ân Phú 18316, Xã Đức Giang 18319;
- Thành phố Hà Tĩnh 436 (Phường Nam Hà 18073 until 2025-06-30), Thị xã Hồng Lĩnh 437;
- from 2025-07-01 the code 18073 is Phường Thành Sen (directly under the province 42).

Independent suite: written from the issue and the spec without reading the implementation, and
kept so: change it from the spec, never to fit the code.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from pathlib import Path

import pytest

from ingest.parse import parse_file
from ingest.sample.workbook import write_workbook
from tests.inboxes import Build, build, deliver, layout_a_sheet, rows_of, value

pytestmark = pytest.mark.warehouse

# A commune's rows and a district's rows (districts report their own elements).
COMMUNE_ROWS = [[1, "HH_TOTAL", "Tổng số hộ dân cư", "hộ", 1981], [2, "HH_POOR", "Số hộ nghèo", "hộ", 93]]
DISTRICT_ROWS = [[1, "BUDGET_REVENUE", "Thu ngân sách trên địa bàn", "tỷ đồng", 120.5],
                 [2, "INVEST_PROJECTS_DOMESTIC", "Số dự án đầu tư trong nước", "dự án", 4]]
COMMUNE_VALUES = {"HH_TOTAL": 1981.0, "HH_POOR": 93.0}
DISTRICT_VALUES = {"BUDGET_REVENUE": 120.5, "INVEST_PROJECTS_DOMESTIC": 4.0}


def nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


def parse_one(tmp_path: Path, unit_rows: list[list], period: str, rows: list[list]):
    path = tmp_path / "BC.xlsx"
    write_workbook(path, [layout_a_sheet(unit_rows, period, rows)])
    result = parse_file(path, "")
    assert result.file_finding is None, result.file_finding
    assert len(result.sheets) == 1, [(s.sheet, s.status) for s in result.sheets]
    return result.sheets[0]


# --------------------------------------------------------------------------- every letterhead form

# (letterhead, its unit's code, period as written, period code, rows, values expected)
FORMS = [
    ("UBND xã Ân Phú", "18316", "Năm 2021", "2021", COMMUNE_ROWS, COMMUNE_VALUES),
    ("ỦY BAN NHÂN DÂN XÃ ÂN PHÚ", "18316", "Năm 2021", "2021", COMMUNE_ROWS, COMMUNE_VALUES),
    ("Xã Ân Phú, huyện Vũ Quang", "18316", "Năm 2021", "2021", COMMUNE_ROWS, COMMUNE_VALUES),
    ("Ân Phú - Vũ Quang - Hà Tĩnh", "18316", "Năm 2021", "2021", COMMUNE_ROWS, COMMUNE_VALUES),
    ("X. Ân Phú", "18316", "Năm 2021", "2021", COMMUNE_ROWS, COMMUNE_VALUES),
    # Thị trấn Vũ Quang, not Huyện Vũ Quang (441): "TT" is the town's prefix
    ("TT Vũ Quang", "18313", "Năm 2021", "2021", COMMUNE_ROWS, COMMUNE_VALUES),
    # a ward before the reform: Phường Nam Hà is 18073 in 2021
    ("P. Nam Hà", "18073", "Năm 2021", "2021", COMMUNE_ROWS, COMMUNE_VALUES),
    # the spec's own example, in its own era: 18073 is Phường Thành Sen in October 2026
    ("P. Thành Sen", "18073", "Tháng 10/2026", "2026-10", COMMUNE_ROWS, COMMUNE_VALUES),
    # district-level units report with layout A too
    ("TX Hồng Lĩnh", "437", "Năm 2021", "2021", DISTRICT_ROWS, DISTRICT_VALUES),
    # Thành phố Hà Tĩnh (436), not Tỉnh Hà Tĩnh (42)
    ("TP Hà Tĩnh", "436", "Năm 2021", "2021", DISTRICT_ROWS, DISTRICT_VALUES),
]


@pytest.mark.parametrize("with_code", [True, False], ids=["beside-code", "alone"])
@pytest.mark.parametrize(("letterhead", "unit", "period", "period_code", "rows", "expected"), FORMS,
                         ids=[f[0] for f in FORMS])
def test_every_letterhead_form_names_the_unit(tmp_path: Path, with_code: bool, letterhead: str, unit: str,
                                               period: str, period_code: str, rows: list[list],
                                               expected: dict[str, float]) -> None:
    """The sheet loads on the unit the letterhead names, confirmed by its code where one is given."""
    unit_rows = ([[f"Mã đơn vị: {unit}"]] if with_code else []) + [[f"Đơn vị báo cáo: {letterhead}"]]
    sheet = parse_one(tmp_path, unit_rows, period, rows)
    problems = [(f.rule, f.message) for f in sheet.findings if f.severity != "info"]
    assert sheet.status == "loaded", problems
    assert sheet.unit.code == unit
    assert sheet.period.code == period_code
    assert problems == []
    # every value on that unit, as written (1981 households, 93 poor; or 120.5 tỷ đồng, 4 projects)
    assert {(v.unit_code, v.element_code): v.value for v in sheet.values} == \
        {(unit, element): pytest.approx(value) for element, value in expected.items()}


# --------------------------------------------------------------------------- a name of another unit

MISMATCHES = [
    # (code, name beside it): the name clearly names another unit of the list
    ("18316", "UBND xã Đức Giang"),  # code of Xã Ân Phú, name of Xã Đức Giang (18319)
    ("18313", "Xã Ân Phú, huyện Vũ Quang"),  # code of Thị trấn Vũ Quang, name of Xã Ân Phú (18316)
    ("18316", "TT Vũ Quang"),  # code of Xã Ân Phú, name of Thị trấn Vũ Quang (18313)
    ("436", "TX Hồng Lĩnh"),  # code of Thành phố Hà Tĩnh, name of Thị xã Hồng Lĩnh (437)
    ("42", "TP Hà Tĩnh"),  # code of the province, name of Thành phố Hà Tĩnh (436)
]


@pytest.mark.parametrize(("unit", "letterhead"), MISMATCHES, ids=[f"{c}-{n}" for c, n in MISMATCHES])
def test_name_of_another_unit_beside_a_code_is_a_mismatch(tmp_path: Path, unit: str, letterhead: str) -> None:
    rows = DISTRICT_ROWS if len(unit) <= 3 else COMMUNE_ROWS
    sheet = parse_one(tmp_path, [[f"Mã đơn vị: {unit}"], [f"Đơn vị báo cáo: {letterhead}"]], "Năm 2021", rows)
    assert sheet.status == "rejected"
    assert [f.rule for f in sheet.findings] == ["unit_mismatch"]
    assert sheet.values == []


# --------------------------------------------------------------------------- a name of no unit

UNKNOWN = [
    # (name matching no unit, the closest name that the message must suggest)
    ("Xã Ân Phùu", "Xã Ân Phú"),
    ("UBND xã Đức Giangg", "Xã Đức Giang"),
    ("Phường Nam Hàa", "Phường Nam Hà"),
]


@pytest.mark.parametrize(("letterhead", "closest"), UNKNOWN, ids=[u[0] for u in UNKNOWN])
def test_unknown_name_is_rejected_with_the_closest_names(tmp_path: Path, letterhead: str,
                                                         closest: str) -> None:
    sheet = parse_one(tmp_path, [[f"Đơn vị báo cáo: {letterhead}"]], "Năm 2021", COMMUNE_ROWS)
    assert sheet.status == "rejected"
    assert sheet.values == []
    assert [f.rule for f in sheet.findings] == ["unknown_unit"]
    message = nfc(sheet.findings[0].message)
    assert closest in message, message


# --------------------------------------------------------------------------- one build

def send(inbox: Path, name: str, unit_rows: list[list], period: str, rows: list[list],
         when: datetime) -> None:
    deliver(inbox, name, [layout_a_sheet(unit_rows, period, rows)], when)


def commune_rows(hh_total: int, hh_poor: int, covid: int) -> list[list]:
    return [[1, "HH_TOTAL", "Tổng số hộ dân cư", "hộ", hh_total],
            [2, "HH_POOR", "Số hộ nghèo", "hộ", hh_poor],
            [3, "COVID_CASES", "Số ca mắc COVID-19", "ca", covid]]


@pytest.fixture(scope="module")
def letterheads(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("shapes_names")
    inbox = root / "inbox"
    inbox.mkdir()
    send(inbox, "an phu 2022", [["Mã đơn vị: 18316"], ["Đơn vị báo cáo: UBND xã Ân Phú"]], "Năm 2022",
         commune_rows(1234, 56, 7), datetime(2023, 1, 10))
    send(inbox, "duc giang 2022", [["Mã xã", "18319"], ["Đơn vị báo cáo", "ỦY BAN NHÂN DÂN XÃ ĐỨC GIANG"]],
         "Năm 2022", commune_rows(800, 40, 3), datetime(2023, 1, 11))
    send(inbox, "tt vu quang 2022", [["Đơn vị báo cáo: TT Vũ Quang"]], "Năm 2022",
         commune_rows(2000, 60, 10), datetime(2023, 1, 12))
    send(inbox, "tp ha tinh 2022", [["Đơn vị báo cáo: TP Hà Tĩnh"]], "Năm 2022",
         [[1, "BUDGET_REVENUE", "Thu ngân sách trên địa bàn", "tỷ đồng", 350.5]], datetime(2023, 1, 20))
    return build(root, inbox)


def test_letterhead_names_reach_district_and_province(letterheads: Build) -> None:
    """Reports headed "Đơn vị báo cáo: UBND xã …" (with the code) and "TT Vũ Quang" (alone) roll up."""
    con = letterheads.con()
    an_phu = rows_of(con, "18316", "2022", "HH_TOTAL")
    assert [(r["unit_name"], r["unit_level"], r["parent_code"], float(r["value"])) for r in an_phu] == \
        [("Xã Ân Phú", "commune", "441", 1234)]
    assert value(con, "18319", "2022", "HH_TOTAL") == 800  # Xã Đức Giang, capitals letterhead
    assert value(con, "18313", "2022", "HH_TOTAL") == 2000  # Thị trấn Vũ Quang, by name alone
    # Huyện Vũ Quang 441: the three communes, the only ones reporting 2022
    assert value(con, "441", "2022", "HH_TOTAL") == 4034  # 1234 + 800 + 2000
    assert value(con, "441", "2022", "HH_POOR") == 156  # 56 + 40 + 60
    assert value(con, "441", "2022", "COVID_CASES") == 20  # 7 + 3 + 10
    assert value(con, "441", "2022", "POVERTY_RATE") == pytest.approx(100 * 156 / 4034)  # 3.8671
    # Province 42: the same three communes
    assert value(con, "42", "2022", "HH_TOTAL") == 4034
    assert value(con, "42", "2022", "COVID_CASES") == 20
    # "TP Hà Tĩnh" alone is the district 436 (its own budget revenue), not the province
    assert value(con, "436", "2022", "BUDGET_REVENUE") == pytest.approx(350.5)
    assert value(con, "42", "2022", "BUDGET_REVENUE") == pytest.approx(350.5)  # province: 436's 350.5 only
    refusals = con.execute("SELECT rule, source_file FROM marts.data_quality_findings "
                           "WHERE rule IN ('unit_mismatch', 'unknown_unit', 'ambiguous_unit')").fetchall()
    assert refusals == []


def test_a_name_that_begins_with_a_type_word_is_found_by_its_whole_name_too() -> None:
    """"Tịnh Khê" reads as type "tinh" + "Khê", but it is also the whole name of Xã Tịnh Khê:
    the name index must look both up and keep the list's order, as the scan it replaced did
    (the hits of the two keys interleave here, so any other order shows)."""
    from datetime import date

    from base.reference import Unit
    from base.units import UnitResolver, read_name

    ever = (date(2000, 1, 1), date(9999, 12, 31))
    units = (Unit("51001", "Tỉnh Khê", "Tỉnh", "province", "", *ever),
             Unit("51234", "Xã Tịnh Khê", "Xã", "commune", "51001", *ever),
             Unit("51235", "Phường Khê", "Phường", "ward", "51001", *ever))
    resolver = UnitResolver(units)
    day = date(2024, 12, 31)
    assert resolver.resolve(None, "Xã Tịnh Khê", day, day).code == "51234"
    assert [u.code for u in resolver.named(read_name("Tịnh Khê"))] == ["51001", "51234", "51235"]


def test_a_district_after_the_comma_narrows_even_once_it_has_ceased() -> None:
    """"Xã Sơn Hồng, huyện Hương Sơn" for August 2025 names the old Sơn Hồng (18139, merged on
    1 July 2025): Huyện Hương Sơn ceased before the period's last day, yet it still tells the
    namesakes apart, so the sheet is refused with where the old commune went, and never taken
    silently for today's Xã Sơn Hồng (18160) of another territory. Without the district, the
    name is today's commune's."""
    from datetime import date

    from base.units import UnitError, UnitResolver

    resolver = UnitResolver.default()
    first, last = date(2025, 8, 1), date(2025, 8, 31)
    with pytest.raises(UnitError) as refused:
        resolver.resolve(None, "Xã Sơn Hồng, huyện Hương Sơn", first, last)
    assert refused.value.rule == "unit_not_valid"
    assert "18139" in str(refused.value) and "18160" in str(refused.value)
    assert resolver.resolve(None, "Xã Sơn Hồng", first, last).code == "18160"
    assert resolver.resolve(None, "Xã Sơn Hồng, huyện Hương Sơn", date(2024, 1, 1),
                            date(2024, 12, 31)).code == "18139"
