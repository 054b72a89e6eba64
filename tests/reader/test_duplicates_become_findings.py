"""Choices the warehouse used to make silently (issue 13, item 5), each now a finding.

- One element twice in one sheet: the same value is loaded once, with a warning; different
  values are all quarantined, naming every cell (nothing in the sheet says which is right).
- Two reports of one unit and period that arrive in the same scan with the same file time
  and different values: one is used (reproducibly), and a `same_time_conflict` finding names
  both files, since nothing says which is newer.

Hand-made inboxes; the expected numbers are the ones typed into them.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from ingest.parse import parse_file
from ingest.sample.workbook import write_workbook
from tests.inboxes import build, deliver, layout_a_sheet, report_by_code

pytestmark = pytest.mark.warehouse

COMMUNE = "18142"  # Xã Sơn Tiến, district 439
NAMES = {"HH_TOTAL": ("Tổng số hộ dân cư", "hộ"), "HH_POOR": ("Số hộ nghèo", "hộ")}


def sheet_with_rows(rows: list[list]) -> list:
    return [layout_a_sheet([[f"Mã đơn vị: {COMMUNE}"]], "Năm 2022", rows)]


@pytest.mark.unit
def test_an_element_twice_with_different_values_is_quarantined_naming_both_cells(tmp_path: Path) -> None:
    path = tmp_path / "bc.xlsx"
    write_workbook(path, sheet_with_rows([[1, "HH_TOTAL", "Tổng số hộ dân cư", "hộ", 1200],
                                          [2, "HH_POOR", "Số hộ nghèo", "hộ", 60],
                                          [3, "HH_TOTAL", "Tổng số hộ dân cư", "hộ", 1250]]))
    sheet = parse_file(path, "").sheets[0]
    assert [(v.element_code, v.value) for v in sheet.values] == [("HH_POOR", 60.0)]
    assert sheet.rows_read == 3 and sheet.rows_quarantined == 2
    found = [f for f in sheet.findings if f.rule == "duplicate_element"]
    assert len(found) == 2 and {f.severity for f in found} == {"error"}
    cells = {f.cell for f in found}
    assert len(cells) == 2
    for finding in found:
        assert all(cell in finding.message for cell in cells), finding.message
        assert "1200" in finding.message and "1250" in finding.message


@pytest.mark.unit
def test_an_element_twice_with_the_same_value_is_loaded_once_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "bc.xlsx"
    write_workbook(path, sheet_with_rows([[1, "HH_TOTAL", "Tổng số hộ dân cư", "hộ", 1200],
                                          [2, "HH_TOTAL", "Tổng số hộ dân cư", "hộ", "1.200"]]))
    sheet = parse_file(path, "").sheets[0]
    assert [(v.element_code, v.value) for v in sheet.values] == [("HH_TOTAL", 1200.0)]
    assert sheet.rows_read == 2 and sheet.rows_quarantined == 1
    assert [(f.rule, f.severity) for f in sheet.findings] == [("duplicate_element", "warning")]


@pytest.fixture(scope="module")
def same_time(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("same_time")
    inbox = root / "inbox"
    inbox.mkdir()
    when = datetime(2023, 1, 10, 9, 30)
    for name, households in (("BC nam 2022 Son Tien", 1200), ("BC nam 2022 Son Tien (sua)", 1300)):
        deliver(inbox, name, [report_by_code(COMMUNE, "Năm 2022", {"HH_TOTAL": households,
                                                                    "HH_POOR": 60}, NAMES)], when)
    return build(root, inbox)


def test_same_time_reports_with_different_values_get_a_finding_naming_both(same_time) -> None:
    con = same_time.con()
    rows = con.execute("""
        SELECT rule, observed, expected, message, source_file FROM marts.data_quality_findings
        WHERE unit_code = ? AND period = '2022' AND indicator_code = 'HH_TOTAL'""",
                       [COMMUNE]).fetchall()
    assert [r[0] for r in rows] == ["same_time_conflict"], rows
    _, observed, expected, message, source_file = rows[0]
    assert {float(observed), float(expected)} == {1200.0, 1300.0}
    files = {"BC nam 2022 Son Tien.xlsx", "BC nam 2022 Son Tien (sua).xlsx"}
    assert Path(source_file).name in files
    assert any(name in message for name in files - {Path(source_file).name}), message
    used = con.execute("SELECT value FROM marts.indicator_values WHERE unit_code = ? AND "
                       "period = '2022' AND indicator_code = 'HH_TOTAL'", [COMMUNE]).fetchone()[0]
    assert float(used) == float(expected), "the value used is the one the finding names as used"
    poor = con.execute("SELECT count(*) FROM marts.data_quality_findings WHERE unit_code = ? "
                       "AND indicator_code = 'HH_POOR' AND rule LIKE '%conflict%'",
                       [COMMUNE]).fetchone()[0]
    assert poor == 0, "equal values in both reports are no conflict"
