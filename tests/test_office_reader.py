"""The office's reader, on small inboxes written by hand from the spec (issue 18, items 6-8):
a unit named only by its issuing body at the top of the sheet, corrections that drop an
element, a blank template sent by mistake, and what `validate` tells the clerk.

Expected answers are counted by hand from docs/spec/spreadsheets.md ("Identifying the unit",
"Resubmission") and docs/spec/indicators.md (validation rules and outliers) on the shipped
unit list (dbt_project/seeds/admin_units.csv).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.parse import parse_file
from ingest.sample.workbook import Sheet, write_workbook
from tests.inboxes import HEADER, SIGNATURE

MOTTO_1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
ROWS = [[1, "HH_TOTAL", "Tổng số hộ dân cư", "hộ", 1981], [2, "HH_POOR", "Số hộ nghèo", "hộ", 93]]


def letterhead_sheet(top: list[list], period: str, rows: list[list] = ROWS,
                     title: str = "BÁO CÁO KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU") -> Sheet:
    """A layout-A report as an official document begins (Decree 30/2020/NĐ-CP): the issuing
    body at top left, the motto at top right in the same rows, then the title, the period,
    the table and the signature; no 'Mã đơn vị' or 'Đơn vị báo cáo' label anywhere."""
    return Sheet("Báo cáo", top + [[], [title], [f"Kỳ báo cáo: {period}"], [], HEADER,
                                   ["I. XÃ HỘI"]] + rows + SIGNATURE)


def unit_of(tmp_path: Path, sheet: Sheet, name: str = "bc") -> tuple[str, str | None, list[str]]:
    """(status, unit code, finding rules) of the report's one sheet, read as the pipeline reads it."""
    path = tmp_path / f"{name}.xlsx"
    write_workbook(path, [sheet])
    result = parse_file(path, "")
    assert result.file_finding is None, result.file_finding
    [s] = result.sheets
    return s.status, s.unit.code if s.unit else None, [f.rule for f in s.findings if f.severity != "info"]


# --------------------------------------------------------------------------- item 6: letterhead

@pytest.mark.unit
@pytest.mark.parametrize(("top", "period", "code"), [
    # one row, a commune before the reform (Xã Thạch Bình, 18112)
    ([["UBND XÃ THẠCH BÌNH", None, MOTTO_1], [None, None, MOTTO_2]], "Năm 2021", "18112"),
    # one row, a ward (Phường Bắc Hồng, 18115), the issuing body in full
    ([["ỦY BAN NHÂN DÂN PHƯỜNG BẮC HỒNG", None, MOTTO_1], [None, None, MOTTO_2]], "Năm 2022", "18115"),
    # two rows: "ỦY BAN NHÂN DÂN" over the unit (Thị trấn Cẩm Xuyên, 18673), motto beside them
    ([["ỦY BAN NHÂN DÂN", None, MOTTO_1], ["THỊ TRẤN CẨM XUYÊN", None, MOTTO_2]], "Năm 2021", "18673"),
    # two rows with the document number below, as Decree 30 writes it
    ([["ỦY BAN NHÂN DÂN", None, MOTTO_1], ["XÃ THẠCH BÌNH", None, MOTTO_2], ["Số: 12/BC-UBND"]],
     "Tháng 3/2022", "18112"),
    # a district before the reform (Huyện Vũ Quang, 441) sending its own total
    ([["UBND HUYỆN VŨ QUANG", None, MOTTO_1], [None, None, MOTTO_2]], "Năm 2023", "441"),
    # the managing body over the issuing body: the issuing body (nearest the title) reports
    ([["UBND HUYỆN CẨM XUYÊN", None, MOTTO_1], ["UBND THỊ TRẤN CẨM XUYÊN", None, MOTTO_2]],
     "Năm 2021", "18673"),
    # a new commune after 2025-07-01: code 18673 reused by Xã Cẩm Xuyên
    ([["ỦY BAN NHÂN DÂN", None, MOTTO_1], ["XÃ CẨM XUYÊN", None, MOTTO_2]], "Tháng 8/2025", "18673"),
    # a new ward after the reform, in lower case and decomposed Unicode (NFD)
    ([["uỷ ban nhân dân phường bắc hồng lĩnh".replace("ỷ", "y\u0309"), None, MOTTO_1]],
     "Tháng 9/2025", "18115"),
])
def test_unlabelled_letterhead_names_the_unit(tmp_path: Path, top: list[list], period: str,
                                              code: str) -> None:
    status, unit, rules = unit_of(tmp_path, letterhead_sheet(top, period))
    assert (status, unit, rules) == ("loaded", code, [])


@pytest.mark.unit
def test_letterhead_of_a_merged_commune_is_told_its_successor(tmp_path: Path) -> None:
    """Xã Thạch Bình (18112) ceased on 2025-06-30: its letterhead on a later month is refused
    with the reform's reason, not read as some other unit."""
    top = [["UBND XÃ THẠCH BÌNH", None, MOTTO_1], [None, None, MOTTO_2]]
    status, unit, rules = unit_of(tmp_path, letterhead_sheet(top, "Tháng 8/2025"))
    assert (status, unit, rules) == ("rejected", None, ["unit_not_valid"])


@pytest.mark.unit
@pytest.mark.parametrize("top", [
    [[None, None, MOTTO_1], [None, None, MOTTO_2]],  # the motto alone names no unit
    [[MOTTO_1], [MOTTO_2]],  # nor in the first column
    [["BÁO CÁO"], [None, None, MOTTO_2]],  # nor a title
])
def test_motto_and_title_are_not_units(tmp_path: Path, top: list[list]) -> None:
    status, unit, rules = unit_of(tmp_path, letterhead_sheet(top, "Năm 2021"))
    assert (status, unit, rules) == ("rejected", None, ["unknown_unit"])


@pytest.mark.unit
def test_letterhead_below_the_title_is_not_the_issuing_body(tmp_path: Path) -> None:
    """Only the first rows above the title are the letterhead: a 'UBND xã …' line in the body
    (a recipient, a note) does not name the reporting unit."""
    sheet = letterhead_sheet([[None, None, MOTTO_1], [None, None, MOTTO_2]], "Năm 2021")
    sheet.rows.insert(4, ["Kính gửi: UBND XÃ THẠCH BÌNH"])
    sheet.rows.insert(4, ["UBND XÃ THẠCH BÌNH"])
    status, unit, rules = unit_of(tmp_path, sheet)
    assert (status, unit, rules) == ("rejected", None, ["unknown_unit"])


@pytest.mark.unit
@pytest.mark.parametrize(("letterhead", "rules", "code"), [
    ("UBND XÃ THẠCH BÌNH", [], "18112"),  # the letterhead confirms the code
    ("UBND PHƯỜNG BẮC HỒNG", ["unit_mismatch"], None),  # and a letterhead naming another unit refutes it
])
def test_letterhead_beside_a_code(tmp_path: Path, letterhead: str, rules: list[str],
                                  code: str | None) -> None:
    top = [[letterhead, None, MOTTO_1], [None, None, MOTTO_2], ["Mã đơn vị: 18112"]]
    _, unit, found = unit_of(tmp_path, letterhead_sheet(top, "Năm 2021"))
    assert (unit, found) == (code, rules)


# --------------------------------------------------------------------------- item 7: corrections

CORRECTED, BLANKED, LETTERHEAD = "18112", "18115", "18673"  # Xã Thạch Bình, Phường Bắc Hồng, TT Cẩm Xuyên
HH_ROWS = [[1, "HH_TOTAL", "Tổng số hộ dân cư", "hộ", 1981], [2, "HH_POOR", "Số hộ nghèo", "hộ", 93],
           [3, "HH_NEAR_POOR", "Số hộ cận nghèo", "hộ", 120]]
BLANK_ROWS = [[r[0], r[1], r[2], r[3], None] for r in HH_ROWS]


def coded(code: str, period: str, rows: list[list]) -> Sheet:
    return letterhead_sheet([[f"Mã đơn vị: {code}"]], period, rows)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory):
    """One build on a hand-made inbox: a correction dropping HH_NEAR_POOR, a blank template
    sent after a filled report, and a report named only by its two-row letterhead."""
    from datetime import datetime

    from tests.inboxes import build, deliver

    root = tmp_path_factory.mktemp("office")
    inbox = root / "inbox"
    inbox.mkdir()
    # Xã Thạch Bình, year 2022: three households' rows, then a correction with two of them.
    deliver(inbox, "thach binh 2022", [coded(CORRECTED, "Năm 2022", HH_ROWS)], datetime(2023, 1, 5, 9))
    deliver(inbox, "thach binh 2022 sua", [coded(CORRECTED, "Năm 2022", [
        [1, "HH_TOTAL", "Tổng số hộ dân cư", "hộ", 1990], [2, "HH_POOR", "Số hộ nghèo", "hộ", 90]])],
        datetime(2023, 1, 9, 9))
    # Phường Bắc Hồng, year 2022: a filled report, then the blank template by mistake.
    deliver(inbox, "bac hong 2022", [coded(BLANKED, "Năm 2022", HH_ROWS)], datetime(2023, 1, 5, 10))
    deliver(inbox, "bac hong 2022 mau", [coded(BLANKED, "Năm 2022", BLANK_ROWS)], datetime(2023, 1, 9, 10))
    # Thị trấn Cẩm Xuyên, year 2022, named only by "ỦY BAN NHÂN DÂN" over "THỊ TRẤN CẨM XUYÊN".
    deliver(inbox, "cam xuyen 2022", [letterhead_sheet(
        [["ỦY BAN NHÂN DÂN", None, MOTTO_1], ["THỊ TRẤN CẨM XUYÊN", None, MOTTO_2]], "Năm 2022", HH_ROWS)],
        datetime(2023, 1, 6, 9))
    return build(root, inbox)


def _findings(con, rule: str, unit: str) -> list[tuple]:
    return con.execute("SELECT indicator_code, period, observed, source_file, message "
                       "FROM marts.data_quality_findings WHERE rule = ? AND unit_code = ? "
                       "ORDER BY indicator_code", [rule, unit]).fetchall()


@pytest.mark.warehouse
def test_correction_dropping_an_element_is_named_and_no_longer_current(office) -> None:
    from tests.inboxes import rows_of, value

    con = office.con()
    assert value(con, CORRECTED, "2022", "HH_TOTAL") == 1990
    assert value(con, CORRECTED, "2022", "HH_POOR") == 90
    assert [r["value"] for r in rows_of(con, CORRECTED, "2022", "HH_NEAR_POOR")] in ([], [None])
    dropped = _findings(con, "dropped_element", CORRECTED)
    assert [(d[0], d[1], float(d[2])) for d in dropped] == [("HH_NEAR_POOR", "2022", 120.0)]
    assert dropped[0][3].endswith("thach binh 2022.xlsx") and "thach binh 2022 sua.xlsx" in dropped[0][4]
    # a correction that keeps every element drops nothing
    assert _findings(con, "dropped_element", LETTERHEAD) == []


@pytest.mark.warehouse
def test_blank_template_is_refused_and_replaces_nothing(office) -> None:
    from tests.inboxes import value

    con = office.con()
    figures = [value(con, BLANKED, "2022", c) for c in ("HH_TOTAL", "HH_POOR", "HH_NEAR_POOR")]
    assert figures == [1981, 93, 120]
    blank = con.execute("SELECT severity, source_file FROM marts.data_quality_findings "
                        "WHERE rule = 'blank_report'").fetchall()
    assert len(blank) == 1 and blank[0][0] == "error" and blank[0][1].endswith("bac hong 2022 mau.xlsx")
    assert _findings(con, "dropped_element", BLANKED) == []


@pytest.mark.warehouse
def test_letterhead_report_reaches_the_marts(office) -> None:
    from tests.inboxes import value

    assert value(office.con(), LETTERHEAD, "2022", "HH_POOR") == 93


@pytest.mark.unit
def test_validate_refuses_a_blank_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ingest.__main__ import main

    path = tmp_path / "mau.xlsx"
    write_workbook(path, [coded(BLANKED, "Năm 2022", BLANK_ROWS)])
    assert main(["validate", str(path)]) == 1
    assert "no value at all" in capsys.readouterr().out
    assert main(["validate", "--lang", "vi", str(path)]) == 1
    assert "không có số liệu nào" in capsys.readouterr().out
