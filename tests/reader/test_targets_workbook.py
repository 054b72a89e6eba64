"""The planning office's targets workbook: read like a report, every bad row named."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingest.parse import parse_file
from ingest.sample.workbook import Sheet, write_workbook
from tests.inboxes import deliver, layout_a_sheet

pytestmark = pytest.mark.warehouse

HEADER = ["Năm", "Mã đơn vị", "Mã chỉ tiêu", "Loại chỉ tiêu", "Mức thấp", "Mức cao", "Nguồn"]


def _targets(rows: list[list], title: bool = True) -> Sheet:
    top = [["ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH"], ["CHỈ TIÊU KẾ HOẠCH"], []] if title else []
    return Sheet("Chỉ tiêu", [*top, HEADER, *rows])


def test_every_bad_row_is_refused_with_its_cell_and_the_rest_load(tmp_path: Path) -> None:
    path = tmp_path / "chi tieu 2026.xlsx"
    write_workbook(path, [_targets([
        [2026, "42", "POVERTY_RATE", "Tối đa", "3,5", None, "NQ 25/NQ-HĐND"],       # row 5: good
        [2026, "42", "GRDP_GROWTH", "Trong khoảng", "7,5", "8", "NQ 25"],          # row 6: good
        ["năm nay", "42", "HH_POOR", "Tối đa", 100, None, ""],                    # row 7: bad year
        [2026, "42", "NOT_A_CODE", "Tối thiểu", 1, None, ""],                    # row 8: unknown code
        [2026, "436", "POVERTY_RATE", "Tối đa", 2, None, ""],                    # row 9: district gone
        [2026, "42", "BUDGET_REVENUE", "nhiều nhất có thể", 1, None, ""],        # row 10: bad kind
        [2026, "42", "INCOME_PER_CAPITA", "Trong khoảng", 60, None, ""],         # row 11: range, one bound
        [2026, "42", "GRDP_PER_CAPITA", "Trong khoảng", 90, 80, ""],             # row 12: high < low
        [2026, "42", "POVERTY_RATE", "Tối đa", 4, None, ""],                     # row 13: duplicate of 5
        [2026, "18073", "POVERTY_RATE", "Thay đổi so với năm trước", "-1", "-0,5", ""],  # row 14: good
    ])])
    result = parse_file(path, "")
    (sheet,) = result.sheets
    assert sheet.layout == "targets"
    loaded = {(t.year, t.unit_code, t.indicator_code): (t.target_kind, t.target_low, t.target_high)
              for t in sheet.targets}
    assert loaded == {
        (2026, "42", "POVERTY_RATE"): ("at_most", 3.5, None),
        (2026, "42", "GRDP_GROWTH"): ("range", 7.5, 8.0),
        (2026, "18073", "POVERTY_RATE"): ("change", -1.0, -0.5),
    }
    refused = {(f.rule, f.cell) for f in sheet.findings}
    assert refused == {("bad_target", "A7"), ("bad_target", "C8"), ("bad_target", "B9"),
                       ("bad_target", "D10"), ("bad_target", "F11"), ("bad_target", "F12"),
                       ("duplicate_target", "C13")}
    assert sheet.rows_read == 10 and sheet.rows_quarantined == 7
    district = next(f for f in sheet.findings if f.cell == "B9")
    assert "Thành phố Hà Tĩnh (436) ceased on 2025-06-30" in district.message


def test_cli_validate_names_the_cell(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from ingest.__main__ import main

    path = tmp_path / "chi tieu.xlsx"
    write_workbook(path, [_targets([[2026, "42", "POVERTY_RATE", "Tối đa", "ba", None, ""]],
                                   title=False)])
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "chi tieu.xlsx › Chỉ tiêu › E2: low 'ba' is not a number" in out


@pytest.fixture(scope="module")
def built_with_targets(tmp_path_factory: pytest.TempPathFactory):
    """A small inbox: one commune's poverty in 2024 (Phường Nam Hà, code 18073) and 2025
    (Phường Thành Sen, the same code after the reform), and two versions of the targets."""
    from base.settings import Settings
    from chitieu.stages import run_once

    root = tmp_path_factory.mktemp("targets")
    inbox = root / "inbox"
    inbox.mkdir()
    for year, poor in ((2024, 60), (2025, 45)):
        path = inbox / f"BC nam {year} Thanh Sen.xlsx"
        write_workbook(path, [layout_a_sheet([["Mã đơn vị: 18073"]], f"Năm {year}", [
            [1, "HH_TOTAL", "Tổng số hộ", "hộ", 1000], [2, "HH_POOR", "Số hộ nghèo", "hộ", poor]])])
    deliver(inbox, "chi tieu v1", [_targets([
        [2025, "18073", "POVERTY_RATE", "Thay đổi so với năm trước", "-2", "-1", "v1"],
        [2025, "18073", "HH_POOR", "Tối đa", 50, None, "v1"],
    ])], datetime(2026, 1, 10))
    deliver(inbox, "chi tieu v2", [_targets([
        [2025, "18073", "HH_POOR", "Tối đa", 40, None, "v2"],
    ])], datetime(2026, 2, 10))
    settings = Settings(inbox, root / "warehouse")
    run_once(settings)
    return settings


def test_newest_workbook_row_wins_and_change_compares_with_last_year(built_with_targets) -> None:
    con = duckdb.connect(str(built_with_targets.published_db), read_only=True)
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT indicator_code, target_kind, target_low, actual, status FROM marts.target_attainment "
        "WHERE unit_code = '18073' AND year = 2025").fetchall()}
    # HH_POOR: v2 (newer) says at most 40; 45 poor households in a closed year -> missed.
    assert rows["HH_POOR"] == ("at_most", 40.0, 45.0, "missed")
    # POVERTY_RATE: 4.5 % in 2025 against 6.0 % in 2024 on today's units (Nam Hà's 2024
    # carried to Thành Sen) -> change -1.5, inside [-2, -1] -> met.
    assert rows["POVERTY_RATE"][0] == "change"
    assert rows["POVERTY_RATE"][2] == pytest.approx(-1.5) and rows["POVERTY_RATE"][3] == "met"
    source = con.execute("SELECT target_source, source_file, row_number FROM marts.targets "
                         "WHERE unit_code = '18073' AND indicator_code = 'HH_POOR'").fetchone()
    assert source == ("v2", "chi tieu v2.xlsx", 5)  # three title rows, the header, then row 5
