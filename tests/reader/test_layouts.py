"""Each variation and each kind of bad input of the spreadsheet contract, in small files."""

from __future__ import annotations

import unicodedata
import zipfile
from datetime import date
from pathlib import Path

import pytest

from base.reference import Unit, load_units
from base.units import UnitError, UnitResolver
from ingest.parse import parse_file
from ingest.pipeline import archive_path
from ingest.sample import to_tcvn3
from ingest.sample.workbook import ExcelError, Percent, Sheet, write_workbook
from tests.inboxes import HEADER, MOTTO, SIGNATURE, layout_a_sheet

pytestmark = pytest.mark.unit


def report_a(unit_rows: list[list], period: str = "Năm 2021", rows: list[list] | None = None,
             header: list | None = None) -> Sheet:
    rows = rows if rows is not None else [[1, "HH_TOTAL", "Tổng số hộ", "hộ", "1.981"],
                                          [2, "HH_POOR", "Số hộ nghèo", "hộ", 93]]
    return layout_a_sheet(unit_rows, period, rows, header=header or HEADER)


def values_of(path: Path) -> dict[tuple[str, str, str], float | None]:
    result = parse_file(path, "")
    assert result.file_finding is None, result.file_finding
    return {(v.unit_code, s.period.code, v.element_code): v.value
            for s in result.sheets if s.status == "loaded" for v in s.values}


def findings_of(path: Path) -> list[tuple[str, str, str]]:
    result = parse_file(path, "")
    if result.file_finding is not None:
        return [(result.file_finding.rule, "", "")]
    return [(f.rule, s.sheet, f.cell) for s in result.sheets for f in s.findings
            if f.severity != "info"]


EXPECTED = {("18088", "2021", "HH_TOTAL"): 1981.0, ("18088", "2021", "HH_POOR"): 93.0}


@pytest.mark.parametrize(("suffix", "options"), [
    (".xlsx", {}), (".xls", {}), (".ods", {}), (".csv", {"encoding": "utf-8", "delimiter": ","}),
    (".csv", {"encoding": "utf-8-sig", "delimiter": ";"}),
    (".csv", {"encoding": "utf-16", "delimiter": "\t"}),
])
def test_every_format_reads_the_same(tmp_path: Path, suffix: str, options: dict) -> None:
    path = tmp_path / f"BC thang 12 (2){suffix}"
    write_workbook(path, [report_a([["Mã đơn vị: 18088"]])], **options)
    assert values_of(path) == EXPECTED


@pytest.mark.parametrize("unit_rows", [
    [["Mã đơn vị: 18088"]], [["Mã ĐVHC", None, "18088"]], [["Unit code", 18088]],
    [["Đơn vị báo cáo: Phường Thạch Trung"]], [["Tên đơn vị", "xa thach trung"]],
    [["Đơn vị", unicodedata.normalize("NFD", "Phường Thạch Trung")]], [["Reporting unit: Thạch Trung"]],
    [["Mã xã: 18088"], ["Đơn vị báo cáo: PHƯỜNG THẠCH TRUNG"]],
])
def test_unit_by_code_or_name(tmp_path: Path, unit_rows: list[list]) -> None:
    path = tmp_path / "a.xlsx"
    write_workbook(path, [report_a(unit_rows)])
    assert values_of(path) == EXPECTED


def test_legacy_tcvn3_sheet_is_converted(tmp_path: Path) -> None:
    sheet = report_a([["Đơn vị báo cáo", "Phường Thạch Trung"]])
    sheet.rows = [[to_tcvn3(v) if isinstance(v, str) else v for v in row] for row in sheet.rows]
    path = tmp_path / "tcvn3.xlsx"
    write_workbook(path, [sheet])
    assert "§¬n vÞ b¸o c¸o" in str(sheet.rows)
    assert values_of(path) == EXPECTED


def test_two_row_merged_header_columns_in_any_order(tmp_path: Path) -> None:
    rows = MOTTO + [["Mã đơn vị: 18088"], ["Kỳ", "Năm 2021"], [],
                    ["Ghi chú", "Năm 2021", None, "Mã số", "STT"],
                    [None, "Kế hoạch", "Thực hiện", None, None],
                    ["", 2000, "1.981", "HH_TOTAL", 1], ["", 90, 93, "HH_POOR", 2]] + SIGNATURE
    merges = [(5, 1, 5, 2), (5, 0, 6, 0), (5, 3, 6, 3), (5, 4, 6, 4)]
    path = tmp_path / "merged.xlsx"
    write_workbook(path, [Sheet("BC", rows, merges)])
    assert values_of(path) == EXPECTED


def test_rows_read_equal_loaded_plus_quarantined(tmp_path: Path) -> None:
    rows = [[1, "HH_TOTAL", "", "", "1.981"], [2, "HH_POOR", "", "", "#DIV/0!"],
            [3, "HH_NEAR_POOR", "", "", "khoảng 5"], [4, "POP_TOTAL", "", "", "..."],
            [5, "NOT_A_CODE", "", "", 1], ["", "II. KINH TẾ", "", "", ""]]
    path = tmp_path / "bad rows.csv"
    write_workbook(path, [report_a([["Mã đơn vị: 18088"]], rows=rows)])
    result = parse_file(path, "")
    (sheet,) = result.sheets
    assert sheet.rows_read == 5 == len(sheet.values) + sheet.rows_quarantined
    assert sorted(f.rule for f in sheet.findings) == ["excel_error", "not_a_number", "unknown_indicator"]
    missing = {v.element_code: v.missing for v in sheet.values}
    assert missing == {"HH_TOTAL": None, "POP_TOTAL": "not_collected"}


def test_excel_error_and_percent_cells_read_from_the_xlsx(tmp_path: Path) -> None:
    rows = [[1, "GRDP_GROWTH", "", "%", Percent(0.0502)], [2, "GRDP_PER_CAPITA", "", "", ExcelError("#REF!")]]
    path = tmp_path / "province.xlsx"
    write_workbook(path, [report_a([["Mã đơn vị: 42"]], rows=rows)])
    assert values_of(path) == {("42", "2021", "GRDP_GROWTH"): pytest.approx(5.02)}
    assert findings_of(path) == [("excel_error", "Báo cáo", "E10")]


def test_layout_b_with_total_row_check(tmp_path: Path) -> None:
    header = ["STT", "Mã xã", "Tên xã", "Đạt chuẩn NTM (NTM_STATUS)", "MODEL_GARDENS"]
    rows = MOTTO + [["Mã đơn vị: 436"], ["Kỳ báo cáo: 2021"], [], header,
                    [1, "18088", "Phường Thạch Trung", None, 5], [2, None, "xa thach binh", "Đạt", 7],
                    [3, None, "Xã Không Có", "Đạt", 1], [None, None, "Tổng cộng", 1, 13]] + SIGNATURE
    path = tmp_path / "Tong hop.xlsx"
    write_workbook(path, [Sheet("Tổng hợp", rows)])
    result = parse_file(path, "")
    (sheet,) = result.sheets
    assert sheet.layout == "B" and sheet.unit.code == "436"
    loaded = {(v.unit_code, v.element_code): v.value for v in sheet.values}
    assert loaded[("18088", "MODEL_GARDENS")] == 5 and loaded[("18088", "NTM_STATUS")] is None
    thach_binh = next(u.code for u in load_units() if u.name == "Xã Thạch Bình")
    assert loaded[(thach_binh, "NTM_STATUS")] == 1
    rules = sorted(f.rule for f in sheet.findings)
    assert rules == ["total_mismatch", "unit_not_in_district", "unit_not_in_district"]
    assert sheet.rows_read == len(sheet.values) + sheet.rows_quarantined == 6


@pytest.mark.parametrize(("unit_rows", "period", "rule"), [
    ([["Đơn vị báo cáo: Xã Hòa Bình Mới"]], "Năm 2021", "unknown_unit"),
    ([["Mã đơn vị: 99999"]], "Năm 2021", "unknown_unit"),
    ([["Mã đơn vị: 18088"]], "cuối năm", "bad_period"),
    ([["Mã đơn vị: 18088"]], "", "bad_period"),
    ([["Đơn vị báo cáo: Phường Thành Sen"]], "Năm 2021", "unit_not_valid"),
    ([["Mã đơn vị: 18088"], ["Đơn vị: Xã Thạch Hạ"]], "Năm 2021", "unit_mismatch"),
    ([["Đơn vị báo cáo: Phường Nam Hà"]], "Năm 2026", "unit_not_valid"),
])
def test_structural_problems_reject_the_sheet(tmp_path: Path, unit_rows, period: str, rule: str) -> None:
    path = tmp_path / "x.xlsx"
    write_workbook(path, [report_a(unit_rows, period=period)])
    result = parse_file(path, "")
    assert [s.status for s in result.sheets] == ["rejected"]
    assert [f.rule for f in result.sheets[0].findings] == [rule]
    assert result.sheets[0].values == []


def test_ambiguous_name_needs_the_code() -> None:
    twins = tuple(Unit(code, "Xã Kỳ Phong", "Xã", "commune", p, date(1900, 1, 1), date(2025, 6, 30))
                  for code, p in (("1", "A"), ("2", "B")))
    with pytest.raises(UnitError) as err:
        UnitResolver(twins).resolve(None, "xa ky phong", date(2021, 1, 1), date(2021, 12, 31))
    assert err.value.rule == "ambiguous_unit"


def test_hidden_and_unrelated_sheets_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "several.xlsx"
    write_workbook(path, [report_a([["Mã đơn vị: 18088"]]), Sheet("Hướng dẫn", [["Hướng dẫn"]]),
                          Sheet("Nháp", [["Mã chỉ tiêu", "Giá trị"], ["HH_POOR", 1]], hidden=True)])
    result = parse_file(path, "")
    assert [s.status for s in result.sheets] == ["loaded", "skipped", "skipped"]


@pytest.mark.parametrize(("name", "content", "rule"), [
    ("broken.xlsx", b"PK\x03\x04 not really a zip", "corrupt_file"),
    ("broken.xls", b"\xd0\xcf\x11\xe0 truncated", "corrupt_file"),
    ("notes.docx", b"hello", "unsupported_format"),
    ("latin.csv", b"M\xe3 \xf0\xf5n v\xd2;18088\n", "bad_encoding"),
])
def test_unreadable_files_become_one_finding(tmp_path: Path, name: str, content: bytes, rule: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert findings_of(path) == [(rule, "", "")]


def test_zip_bomb_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    assert path.stat().st_size < 1024 * 1024
    assert findings_of(path) == [("too_large", "", "")]


def test_sheet_of_a_million_rows_is_refused(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "tall.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("BC")
    sheet.write(0, 0, "Mã đơn vị: 18088")
    sheet.write(999_999, 0, "x")
    book.close()
    assert findings_of(path) == [("too_large", "", "")]


def test_archive_path_never_comes_from_the_file_name(tmp_path: Path) -> None:
    sha = "ab" * 32
    target = archive_path(tmp_path, sha, Path("../../etc/passwd.xlsx"))
    assert target == tmp_path / "ab" / f"{sha}.xlsx"
    assert archive_path(tmp_path, sha, Path("evil.sh")).name == sha


def test_password_protected_workbook_is_refused_with_its_reason(tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = tmp_path / "plain.xlsx"
    write_workbook(plain, [report_a([["Mã đơn vị: 18088"]])])
    locked = tmp_path / "BC co mat khau.xlsx"
    with open(plain, "rb") as src, open(locked, "wb") as out:
        OOXMLFile(src).encrypt("matkhau", out)
    assert findings_of(locked) == [("password_protected", "", "")]
