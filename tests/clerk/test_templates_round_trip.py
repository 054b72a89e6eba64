"""Clerk templates (issue 14): generated, filled by a clerk with openpyxl, sent back, read exactly.

The expected marts values are what the clerk typed, read by hand by the contract's rules
("38.400" is 38400, "4,5" is 4.5, "-" is 0, "Đạt" is yes), and sums and ratios of them worked
out here; the count of xã comes from the unit seed, not from the code under test.
"""

from __future__ import annotations

import csv
import itertools
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from base.periods import period_from_code
from base.reference import seeds_dir
from clerk.target_book import write_year_template
from clerk.templates import Request, write_templates
from tests.conftest import PROJECT, require_tool
from tests.inboxes import Build, build, stamp, value

pytestmark = pytest.mark.warehouse

PROVINCE, DISTRICT, XA, WARD_B, WARD_N, NEW_WARD = "42", "437", "18130", "18115", "18118", "18073"


def _rows_by_code(ws) -> tuple[int, dict[str, int]]:
    """The layout-A table's header row and each element code's row, found as a clerk would."""
    for row in ws.iter_rows():
        if row[1].value == "Mã chỉ tiêu":
            header = row[1].row
            break
    codes = {}
    for r in range(header + 1, ws.max_row + 1):
        code = ws.cell(r, 2).value
        if not code:
            break
        codes[code] = r
    return header, codes


def _col(ws, header: int, title: str) -> int:
    return next(c.column for c in ws[header] if c.value == title)


def _fill_a(path: Path, sheet: str, typed: dict[str, object], notes: dict[str, str]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    header, rows = _rows_by_code(ws)
    value_col, notes_col = _col(ws, header, "Thực hiện"), _col(ws, header, "Ghi chú")
    for code, typed_value in typed.items():
        ws.cell(rows[code], value_col).value = typed_value
    for code, note in notes.items():
        ws.cell(rows[code], notes_col).value = note
    wb.save(path)


def _fill_b(path: Path, typed: dict[tuple[str, str], object]) -> None:
    """Type into the district's table: (commune code, element code) -> what the clerk types."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Bảng các xã"]
    header = next(r for r in range(1, 40) if ws.cell(r, 1).value == "Mã xã")
    cols = {ws.cell(header, c).value.rsplit("(", 1)[1].rstrip(")"): c
            for c in range(3, ws.max_column + 1) if "(" in str(ws.cell(header, c).value)}
    rows = {ws.cell(r, 1).value: r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, 1).value}
    for (commune, code), typed_value in typed.items():
        ws.cell(rows[commune], cols[code]).value = typed_value
    wb.save(path)


def _generate(out: Path, period: str, unit: str, published: Path | None = None) -> Path:
    (path,) = write_templates(Request(period_from_code(period), out, published), unit_code=unit)
    return path


@pytest.fixture(scope="module")
def sent(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Templates for a pre-reform district (its table of communes and its own report), a new
    ward and the province, filled as clerks fill them and dropped into an empty inbox."""
    root = tmp_path_factory.mktemp("templates")
    inbox = root / "inbox"
    district = _generate(inbox, "2024", DISTRICT)
    ward = _generate(inbox, "2025-12", NEW_WARD)
    province = _generate(inbox, "2025", PROVINCE)
    _fill_b(district, {
        (XA, "HH_TOTAL"): "2.345", (XA, "HH_POOR"): 61, (XA, "NTM_STATUS"): "Đạt",
        (XA, "NTM_CRITERIA_MET"): 19,
        (WARD_B, "HH_TOTAL"): 3120, (WARD_B, "HH_POOR"): "-",
        (WARD_N, "HH_TOTAL"): "4.001", (WARD_N, "HH_POOR"): "..."})
    _fill_a(district, "Báo cáo của huyện", {"BUDGET_REVENUE": "1.234,5", "NTM_DISTRICT_STATUS": "Đạt",
                                            "INVEST_PROJECTS_DOMESTIC": 3}, {})
    _fill_a(ward, "Báo cáo", {"HH_TOTAL": "38.400", "HH_POOR": 105, "HH_NEAR_POOR": "-",
                              "PARTY_NEW_MEMBERS": "12"},
            {"HH_TOTAL": "Tăng 24 hộ do nhập khẩu"})
    _fill_a(province, "Báo cáo", {"BUDGET_REVENUE": "18.250,5", "GRDP_GROWTH": "4,5",
                                  "INVEST_PROJECTS_FDI": 2, "PUBLIC_INVEST_DISBURSED": 95.2}, {})
    targets = write_year_template(inbox, 2025, None)  # the planning office's workbook for 2025
    wb = openpyxl.load_workbook(targets)
    ws = wb["Chỉ tiêu"]
    assert ws["A2"].value == 2025 and ws["B2"].value is None  # pre-filled with the year only
    for cell, typed in zip(("B2", "C2", "D2", "E2"), ("42", "GRDP_GROWTH", "Tối thiểu", "6,5"), strict=True):
        ws[cell] = typed
    wb.save(targets)
    for i, path in enumerate((district, ward, province, targets)):
        stamp(path, datetime(2026, 1, 10 + i, 9, 0))
    return {"root": root, "inbox": inbox, "district": district, "ward": ward, "province": province,
            "targets": targets}


@pytest.fixture(scope="module")
def round_trip(sent: dict[str, Path]) -> Build:
    return build(sent["root"], sent["inbox"])


def test_filled_templates_validate_without_a_problem(sent: dict[str, Path]) -> None:
    files = [sent["district"], sent["ward"], sent["province"], sent["targets"]]
    run = subprocess.run([sys.executable, "-m", "ingest", "validate", *map(str, files)],
                         capture_output=True, text=True, cwd=PROJECT, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    read = [line for line in lines if " values loaded, " in line]
    assert len(read) == 4, run.stdout  # the district's table and own report, the ward, the province
    assert all(line.endswith(", 0 rows refused") for line in read), run.stdout
    assert f"{sent['targets'].name} › Chỉ tiêu: targets, 1 rows loaded, 0 rows refused" in lines
    # each file's count: no error; its warnings are the rows left empty (indicators.md, since
    # issue 25), never a row the clerk typed in, "-" and "..." included
    counts = [line for line in lines if re.search(r": 0 errors, \d+ warnings — can be sent$", line)]
    empty = [line for line in lines if " is left empty: " in line]
    typed = {"district": {"BUDGET_REVENUE", "NTM_DISTRICT_STATUS", "INVEST_PROJECTS_DOMESTIC"},
             "ward": {"HH_TOTAL", "HH_POOR", "HH_NEAR_POOR", "PARTY_NEW_MEMBERS"},
             "province": {"BUDGET_REVENUE", "GRDP_GROWTH", "INVEST_PROJECTS_FDI", "PUBLIC_INVEST_DISBURSED"}}
    assert {o.split(" › ")[0] for o in empty} == {sent[k].name for k in typed}, empty
    assert not [o for o in empty for k, codes in typed.items() for code in codes
                if o.startswith(sent[k].name + " › ") and f": {code} (" in o], empty
    # the instructions sheets, which hold no table, say nothing
    assert len(counts) == 4 and len(lines) == 4 + 1 + 4 + len(empty), run.stdout


def test_typed_values_reach_the_marts_exactly(round_trip: Build) -> None:
    con = round_trip.con()
    # the district's table, 2024: "2.345" = 2345; "4.001" = 4001; "-" = 0; "..." not collected
    assert value(con, XA, "2024", "HH_TOTAL") == 2345
    assert value(con, WARD_B, "2024", "HH_POOR") == 0
    assert value(con, WARD_N, "2024", "HH_TOTAL") == 4001
    assert value(con, DISTRICT, "2024", "HH_TOTAL") == 2345 + 3120 + 4001
    assert value(con, DISTRICT, "2024", "HH_POOR") == 61 + 0  # the "..." ward adds nothing
    assert value(con, DISTRICT, "2024", "NTM_CRITERIA_MET") == 19  # the xã's: a ward reports no NTM
    assert value(con, XA, "2024", "NTM_STATUS") == 1
    with open(seeds_dir() / "admin_units.csv", encoding="utf-8") as fh:
        xa_of_district = [u for u in csv.DictReader(fh) if u["parent_code"] == DISTRICT
                          and u["unit_type"] == "Xã" and u["valid_to"] >= "2024-12-31"
                          and u["valid_from"] <= "2024-12-31"]
    assert value(con, DISTRICT, "2024", "NTM_COMMUNE_RATE") == pytest.approx(100 * 1 / len(xa_of_district))
    # the district's own report: "1.234,5" = 1234.5, also the province's 2024 figure
    assert value(con, DISTRICT, "2024", "BUDGET_REVENUE") == pytest.approx(1234.5)
    assert value(con, PROVINCE, "2024", "BUDGET_REVENUE") == pytest.approx(1234.5)
    assert value(con, DISTRICT, "2024", "NTM_DISTRICT_STATUS") == 1
    # the new ward, December 2025: "38.400" = 38400, "-" = 0, "Chưa đạt" = no, "12" = 12
    assert value(con, NEW_WARD, "2025-12", "HH_TOTAL") == 38400
    assert value(con, NEW_WARD, "2025-12", "HH_NEAR_POOR") == 0
    assert value(con, NEW_WARD, "2025-12", "PARTY_NEW_MEMBERS") == 12
    assert value(con, NEW_WARD, "2025-12", "POVERTY_RATE") == pytest.approx(100 * 105 / 38400)
    assert value(con, PROVINCE, "2025-12", "HH_POOR") == 105  # the only commune that reported
    # the province, 2025: "18.250,5" = 18250.5, "4,5" = 4.5
    assert value(con, PROVINCE, "2025", "BUDGET_REVENUE") == pytest.approx(18250.5)
    assert value(con, PROVINCE, "2025", "GRDP_GROWTH") == pytest.approx(4.5)
    assert value(con, PROVINCE, "2025", "INVEST_PROJECTS_FDI") == 2
    assert value(con, PROVINCE, "2025", "PUBLIC_INVEST_DISBURSED") == pytest.approx(95.2)
    findings = con.execute("SELECT rule, message FROM marts.data_quality_findings "
                           "WHERE severity = 'error'").fetchall()
    assert findings == []


def test_next_template_shows_the_last_published_value(round_trip: Build, tmp_path: Path) -> None:
    round_trip.con().close()  # fails here, with the reason, if the build did not publish
    path = _generate(tmp_path, "2026-01", NEW_WARD, round_trip.settings.published_db)
    ws = openpyxl.load_workbook(path)["Báo cáo"]
    header, rows = _rows_by_code(ws)
    last, when = _col(ws, header, "Báo cáo kỳ trước"), _col(ws, header, "Kỳ trước")
    assert ws.cell(rows["HH_TOTAL"], last).value == 38400
    assert ws.cell(rows["HH_TOTAL"], when).value == "Tháng 12/2025"
    assert ws.cell(rows["HH_TOTAL"], last).number_format == "[$-42A]#,##0"  # the review's format
    assert ws.cell(rows["POP_TOTAL"], last).value is None  # never reported: left empty
    assert not [c for c in rows if c.startswith("NTM_")]  # a ward (phường) reports no NTM row
    # As printed by LibreOffice: 38.400 the Vietnamese way (not 38,400), and the instructions
    # page with no line over another and none past the page's edge.
    soffice = require_tool("soffice", "libreoffice")
    pdf = _soffice(soffice, tmp_path / "profile", "pdf", path, tmp_path / "pdf")
    require_tool("pdftotext")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"\b38\.400\b", text) and "38,400" not in text, text
    _assert_instructions_print_cleanly(pdf)


def _assert_instructions_print_cleanly(pdf: Path) -> None:
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    page = next(p for p in out.split("<page ")[1:] if "HƯỚNG" in p)
    width = float(re.match(r'width="([\d.]+)"', page).group(1))
    words = [(float(a), float(b), float(c), float(d)) for a, b, c, d in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', page)]
    assert len(words) > 100 and max(x1 for _, _, x1, _ in words) <= width
    lines: dict[float, float] = {}  # each printed line's top and bottom
    for _, y0, _, y1 in words:
        top = round(y0, 1)
        lines[top] = max(lines.get(top, y1), y1)
    tops = sorted(lines)
    for above, below in itertools.pairwise(tops):
        # accents and descenders of two lines of one paragraph touch; a row too short for its
        # text puts a whole line over the next one
        assert below >= lines[above] - 3.0, (above, lines[above], below)


def test_template_rows_follow_the_level_and_the_era(tmp_path: Path) -> None:
    """The catalogue's validity (valid_to: COVID-19 counts end in 2022) and "reported by" (NTM:
    xã only) decide the rows: a 2022 table has COVID columns, a 2024 one none; a ward's NTM
    cells are closed; a 2026 ward's form has neither. Read from the seed here, not the code."""
    with open(seeds_dir() / "indicators.csv", encoding="utf-8") as fh:
        catalogue = {r["indicator_code"]: r for r in csv.DictReader(fh) if r["kind"] == "element"}
    ended = {c for c, r in catalogue.items() if r["valid_to"] and r["valid_to"] < "2023-01-01"}
    assert {"COVID_CASES", "VAX18_DOSE1"} <= ended and "HH_TOTAL" not in ended
    from base.reference import XA_FORM_ROWS

    xa_only = {c for c, r in catalogue.items() if r["reported_by"] == "xa"} | XA_FORM_ROWS
    assert {"NTM_STATUS", "NTM_ADVANCED", "NTM_MODEL", "NTM_CRITERIA_MET"} <= xa_only

    def table_codes(period: str) -> tuple[dict[str, int], object]:
        ws = openpyxl.load_workbook(_generate(tmp_path / period, period, DISTRICT))["Bảng các xã"]
        header = next(r for r in range(1, 40) if ws.cell(r, 1).value == "Mã xã")
        return ({str(ws.cell(header, c).value).rsplit("(", 1)[-1].rstrip(")"): c
                 for c in range(3, ws.max_column + 1)}, ws)

    before, _ = table_codes("2022")
    assert ended <= set(before)
    after, ws = table_codes("2024")
    assert not ended & set(after) and "HH_TOTAL" in after
    header = next(r for r in range(1, 40) if ws.cell(r, 1).value == "Mã xã")
    rows = {ws.cell(r, 1).value: r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, 1).value}
    for code in xa_only:
        assert ws.cell(rows[WARD_B], after[code]).protection.locked, code
        assert not ws.cell(rows[XA], after[code]).protection.locked, code
    ws = openpyxl.load_workbook(_generate(tmp_path / "2026", "2026-01", NEW_WARD))["Báo cáo"]
    _, own = _rows_by_code(ws)
    assert not (ended | xa_only) & set(own) and "HH_TOTAL" in own


def test_instructions_speak_to_the_clerk(tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(_generate(tmp_path, "2025-12", NEW_WARD))["Hướng dẫn"]
    lines = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value]
    text = " ".join(lines)
    assert "python" not in text.lower() and "validate" not in text  # the office's command, not the clerk's
    assert "Cục Thống kê" in text and "Tổng cục" not in text
    for r in range(3, ws.max_row + 1):  # every wrapped paragraph has a row tall enough for it
        if ws.cell(r, 1).value and len(ws.cell(r, 1).value) > 60:
            assert ws.row_dimensions[r].height and ws.row_dimensions[r].height > 20, r


def test_only_value_and_notes_cells_are_open(tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(_generate(tmp_path, "2025-12", NEW_WARD))["Báo cáo"]
    assert ws.protection.sheet is True
    header, rows = _rows_by_code(ws)
    letterhead = {ws.cell(r, 2).value: ws.cell(r, 3) for r in range(1, header)}
    assert letterhead["Mã đơn vị:"].value == NEW_WARD and letterhead["Mã đơn vị:"].protection.locked
    assert letterhead["Kỳ báo cáo:"].value == "Tháng 12/2025" and letterhead["Kỳ báo cáo:"].protection.locked
    open_cols = {_col(ws, header, "Thực hiện"), _col(ws, header, "Ghi chú")}
    for r in rows.values():
        for c in range(1, ws.max_column + 1):
            assert ws.cell(r, c).protection.locked is (c not in open_cols), ws.cell(r, c).coordinate


def test_value_cells_carry_validation_fitting_the_element(tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(_generate(tmp_path, "2025", PROVINCE))["Báo cáo"]
    header, rows = _rows_by_code(ws)
    col = openpyxl.utils.get_column_letter(_col(ws, header, "Thực hiện"))
    rules = {}
    for dv in ws.data_validations.dataValidation:
        for cell in str(dv.sqref).split():
            rules[cell] = dv
    fdi, growth, revenue = (rules[f"{col}{rows[c]}"] for c in
                            ("INVEST_PROJECTS_FDI", "GRDP_GROWTH", "BUDGET_REVENUE"))
    # "between" is the default operator of OOXML, left out of the file; every count has a finite
    # maximum in the catalogue (issue 19: nothing a clerk types may reach a cast that fails)
    assert (fdi.type, fdi.operator or "between", fdi.formula1, fdi.formula2) == (
        "whole", "between", "0", "1000000000")
    assert (growth.type, growth.operator or "between", growth.formula1, growth.formula2) == (
        "decimal", "between", "-50", "50")
    assert (revenue.type, revenue.operator or "between", revenue.formula1, revenue.formula2) == (
        "decimal", "between", "0", "1000000000")
    ws = openpyxl.load_workbook(_generate(tmp_path, "2024", DISTRICT))["Bảng các xã"]
    yes_no = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert yes_no and all(dv.formula1 == '"Đạt,Chưa đạt"' for dv in yes_no)
    # a ward's NTM status cell (xã only) is closed, the xã's is open with the dropdown
    header = next(r for r in range(1, 40) if ws.cell(r, 1).value == "Mã xã")
    ntm = next(c for c in range(1, ws.max_column + 1) if "(NTM_STATUS)" in str(ws.cell(header, c).value))
    rows = {ws.cell(r, 1).value: r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, 1).value}
    assert ws.cell(rows[WARD_B], ntm).protection.locked
    assert not ws.cell(rows[XA], ntm).protection.locked
    assert any(ws.cell(rows[XA], ntm).coordinate in str(dv.sqref).split() for dv in yes_no)


def _soffice(soffice: str, profile: Path, target: str, source: Path, out: Path) -> Path:
    """Convert with LibreOffice headless, in a profile of its own (others may run it at once)."""
    run = subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                          "--convert-to", target, "--outdir", str(out), str(source)],
                         capture_output=True, text=True, timeout=180)
    converted = out / f"{source.stem}.{target.split(':')[0]}"
    assert run.returncode == 0 and converted.exists(), run.stdout + run.stderr
    return converted


def test_a_filled_template_survives_libreoffice_calc(sent: dict[str, Path], tmp_path: Path) -> None:
    """Offices on LibreOffice open, fill and save the template as .ods (or back as .xlsx): the
    reader reads the same values, and the protection and validations are still there."""
    from ingest.parse import parse_file

    soffice = require_tool("soffice", "libreoffice")
    profile = tmp_path / "profile"
    ods = _soffice(soffice, profile, "ods", sent["ward"], tmp_path / "ods")
    before, after = parse_file(sent["ward"], ""), parse_file(ods, "")
    (a,), (b,) = ([s for s in r.sheets if s.status == "loaded"] for r in (before, after))
    assert (b.layout, b.unit.code, b.period.code) == ("A", NEW_WARD, "2025-12")
    # the same findings as before: only the rows left empty, each with its cell
    said = [(f.rule, f.cell) for f in b.findings if f.severity != "info"]
    assert said == [(f.rule, f.cell) for f in a.findings if f.severity != "info"]
    assert said and {rule for rule, _ in said} == {"empty_template_row"}
    typed = {v.element_code: (v.value, v.missing) for v in a.values}
    assert {v.element_code: (v.value, v.missing) for v in b.values} == typed
    assert typed["HH_TOTAL"] == (38400, None) and typed["HH_NEAR_POOR"] == (0, None)
    back = _soffice(soffice, profile, "xlsx:Calc MS Excel 2007 XML", ods, tmp_path / "xlsx")
    ws = openpyxl.load_workbook(back)["Báo cáo"]
    header, rows = _rows_by_code(ws)
    assert ws.protection.sheet is True
    assert ws.cell(rows["HH_TOTAL"], 2).protection.locked
    assert not ws.cell(rows["HH_TOTAL"], _col(ws, header, "Thực hiện")).protection.locked
    assert {dv.type for dv in ws.data_validations.dataValidation} >= {"whole"}
    # The yes/no dropdown (NTM: xã only, so in the district's table, not on a ward's form).
    ods = _soffice(soffice, profile, "ods", sent["district"], tmp_path / "ods")
    back = _soffice(soffice, profile, "xlsx:Calc MS Excel 2007 XML", ods, tmp_path / "xlsx")
    ws = openpyxl.load_workbook(back)["Bảng các xã"]
    assert "list" in {dv.type for dv in ws.data_validations.dataValidation}


def test_targets_workbook_of_a_year(round_trip: Build, tmp_path: Path) -> None:
    """The 2025 row typed into the year's workbook is the target in force, judged against the
    province's typed 4,5 %; next time the workbook starts from it, then rows holding the year."""
    con = round_trip.con()
    (row,) = con.execute("SELECT unit_code, target_kind, target_low, target_high FROM marts.targets "
                         "WHERE year = 2025").fetchall()
    assert row == ("42", "at_least", 6.5, None)
    status = con.execute("SELECT status FROM marts.target_attainment WHERE year = 2025 AND "
                         "unit_code = '42' AND indicator_code = 'GRDP_GROWTH'").fetchone()
    assert status == ("missed",)  # 4.5 is below at least 6.5
    con.close()
    ws = openpyxl.load_workbook(write_year_template(tmp_path, 2025, round_trip.settings.published_db)
                                )["Chỉ tiêu"]
    assert [c.value for c in ws[2]][:5] == [2025, "42", "GRDP_GROWTH", "Tối thiểu", 6.5]
    assert ws["A3"].value == 2025 and ws["B3"].value is None


def test_command_line_writes_the_calendar_s_units(tmp_path: Path) -> None:
    """The year 2025: the calendar expects the 69 new communes and the province (no district
    exists on 31 December 2025); each file named from its period, code and name in ASCII."""
    run = subprocess.run([sys.executable, "-m", "ingest", "template", "--period", "Năm 2025",
                          "--out", str(tmp_path), "--published", str(tmp_path / "none.duckdb")],
                         capture_output=True, text=True, cwd=PROJECT, timeout=300)
    assert run.returncode == 0, run.stderr
    names = sorted(p.name for p in tmp_path.glob("*.xlsx"))
    with open(seeds_dir() / "admin_units.csv", encoding="utf-8") as fh:
        expected = [u for u in csv.DictReader(fh) if u["valid_from"] <= "2025-12-31" <= u["valid_to"]
                    and u["unit_level"] in ("commune", "province")]
    assert len(names) == len(expected) == 70
    assert "BC_2025_42_Tinh_Ha_Tinh.xlsx" in names and "BC_2025_18073_Phuong_Thanh_Sen.xlsx" in names
    assert all(n.isascii() for n in names)


def test_a_cell_prompt_speaks_vietnamese_numbers(tmp_path: Path) -> None:
    """What Excel shows a clerk on a value cell: the element's Vietnamese name as the prompt's
    title (not its code), bounds in Vietnamese digits (1.000.000.000, not 1e+09), and a warning
    that keeps only a GSO mark: a number out of range is corrected (No), never kept (Yes)."""
    ws = openpyxl.load_workbook(_generate(tmp_path, "2025", PROVINCE))["Báo cáo"]
    header, rows = _rows_by_code(ws)
    col = openpyxl.utils.get_column_letter(_col(ws, header, "Thực hiện"))
    rules = {cell: dv for dv in ws.data_validations.dataValidation for cell in str(dv.sqref).split()}
    fdi, growth = rules[f"{col}{rows['INVEST_PROJECTS_FDI']}"], rules[f"{col}{rows['GRDP_GROWTH']}"]
    assert fdi.promptTitle == "Số dự án FDI được thu hút"
    assert growth.promptTitle == "Tốc độ tăng trưởng GRDP"
    assert "Số từ 0 đến 1.000.000.000" in fdi.prompt and "e+" not in fdi.prompt
    assert "Số từ -50 đến 50" in growth.prompt
    for dv in rules.values():
        if dv.type != "list":
            assert dv.promptTitle and len(dv.promptTitle) <= 32
            assert not re.fullmatch(r"[A-Z0-9_]+", dv.promptTitle)
            assert "chọn No và sửa lại" in dv.error and "e+" not in dv.error + dv.prompt


def test_command_line_takes_a_unit_by_name(tmp_path: Path) -> None:
    """--unit "Xã Cẩm Bình" is resolved as a letterhead is; a name that matches nothing is refused
    in Vietnamese with no traceback; one template is "1 biểu mẫu"."""
    def template(unit: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "ingest", "template", "--period", "Năm 2024",
                               "--unit", unit, "--out", str(tmp_path), "--published",
                               str(tmp_path / "none.duckdb")], capture_output=True, text=True,
                              cwd=PROJECT, timeout=300)

    run = template("Xã Cẩm Bình")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Đã tạo 1 biểu mẫu kỳ Năm 2024"), run.stdout
    (written,) = tmp_path.glob("*.xlsx")
    assert "Cam_Binh" in written.name
    refused = template("Xã Không Có")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith("Không tạo biểu mẫu nào:"), refused.stderr
