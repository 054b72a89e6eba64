"""Acceptance tests of three spec edges made explicit in issue 25 (items 15, 16, 17), written from
the spec text alone (docs/spec/spreadsheets.md, "Identifying the unit" and "Resubmission, and one
report in several pieces"; docs/spec/indicators.md, "Validation rules"), before reading the
reader's code. Inboxes written by hand; every expected figure worked out by hand below.

15. The issuing body anywhere in the header block. Phường Trần Phú is 18100 after the reform
    (18094 before it); a March 2026 report naming no code:
    - "UBND phường Trần Phú" on its own line under the title;
    - "UBND PHƯỜNG TRẦN PHÚ" beside the period, in the period's row;
    - "ủy ban nhân dân phường trần phú" on the right of the motto;
    each loaded for 18100. Beside "Mã đơn vị: 18100" the name under the title confirms the code;
    "UBND phường Thành Sen" (18073) under the title beside the code 18100 is a mismatch. A
    recipient written with its label ("Kính gửi: UBND thành phố Hà Tĩnh") names no unit.
    A district's table (layout B) whose only unit is "UBND huyện Can Lộc" under its title is 443's.
    In the warehouse: Phường Trần Phú's March 2026 report (name under the title) HH_TOTAL 4210.
16. A district's table carries one report per commune row. Thị xã Hồng Lĩnh 437, June 2024,
    its six communes 18115, 18118, 18121, 18124, 18127, 18130 (the unit list on 2024-06-30):
    run 1 (one night, three tables, in this order of file time):
      T1 18115: HH_TOTAL 1000, HH_POOR 50; 18118: 1100, 40; total row 2101 (wrong: 2100), 90;
      T2 18121: 1200, 30; 18124: 1300, 20; total row 2500, 50 (right for its own rows);
      T3 18130: 900, 10 (no total row);
      -> the five communes all current; 437's HH_TOTAL 1000 + 1100 + 1200 + 1300 + 900 = 5500,
         HH_POOR 50 + 40 + 30 + 20 + 10 = 150; a total_mismatch on T1 only; nothing dropped.
    run 2 (a week later): T4 18115: HH_TOTAL 1010, HH_POOR left empty; 18127: 800, 16;
      total row 1810, 16 (right for its own rows);
      -> 18115's HH_TOTAL 1010 and HH_POOR no longer current (a dropped_element names it);
         18118, 18121, 18124, 18130 keep theirs; 18127 new: HH_TOTAL 1010 + 1100 + 1200 + 1300
         + 800 + 900 = 6310, HH_POOR 40 + 30 + 20 + 16 + 10 = 116; no total_mismatch on T4.
17. Elements outside their collection dates, and rows left empty on a template.
    - Xã Đồng Lộc 18484, March 2026, HH_TOTAL 3000 and COVID_CASES 5 (COVID_CASES is collected
      until 2022-12-31 in the catalogue): loaded (COVID_CASES 5 in indicator_values), and
      flagged naming 2022-12-31 (or 31/12/2022), in validate and in the warehouse; a warning.
    - Xã Xuân Lộc 18481, August 2026, its template (python -m ingest template) with HH_TOTAL
      2500, HH_POOR 75, HOUSES_BUILT "-" (0) and NTM_STATUS "..." (not collected) typed: the
      template of a xã in 2026 issues the fifteen rows of the elements communes report that are
      collected in 2026 (POP_TOTAL, POP_18PLUS, POP_12_17, HH_TOTAL, HH_POOR, HH_NEAR_POOR,
      NTM_STATUS, NTM_ADVANCED, NTM_MODEL, NTM_CRITERIA_MET, MODEL_RESIDENTIAL_AREAS,
      MODEL_GARDENS, PARTY_MEMBERS, PARTY_NEW_MEMBERS, HOUSES_BUILT); the eleven left empty are
      each named as a warning, in validate and in the warehouse. Đồng Lộc's hand-built report,
      which leaves no row empty, gets no such warning.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from ingest.sample.workbook import Sheet, write_workbook
from tests.inboxes import HEADER, MOTTO, SIGNATURE, Build, build, deliver, rows_of, stamp, value

pytestmark = pytest.mark.warehouse

OUTSIDE_DATES = "outside_collection_dates"  # the rule naming an element sent outside its dates
EMPTY_ROW = "empty_template_row"  # the rule naming a template row left empty

NAMES = {
    "HH_TOTAL": ("Tổng số hộ dân cư", "hộ"),
    "HH_POOR": ("Số hộ nghèo", "hộ"),
    "COVID_CASES": ("Số ca mắc COVID-19", "ca"),
    "NTM_STATUS": ("Đạt chuẩn nông thôn mới", "xã"),
    "COVID_DEATHS": ("Số ca tử vong", "ca"),
}

TRAN_PHU, THANH_SEN, CAN_LOC = "18100", "18073", "443"
HONG_LINH = "437"
C1, C2, C3, C4, C5, C6 = "18115", "18118", "18121", "18124", "18127", "18130"
DONG_LOC, XUAN_LOC = "18484", "18481"
XA_2026_ROWS = {
    "POP_TOTAL",
    "POP_18PLUS",
    "POP_12_17",
    "HH_TOTAL",
    "HH_POOR",
    "HH_NEAR_POOR",
    "NTM_STATUS",
    "NTM_ADVANCED",
    "NTM_MODEL",
    "NTM_CRITERIA_MET",
    "MODEL_RESIDENTIAL_AREAS",
    "MODEL_GARDENS",
    "PARTY_MEMBERS",
    "PARTY_NEW_MEMBERS",
    "HOUSES_BUILT",
}
XUAN_LOC_TYPED = {"HH_TOTAL": 2500, "HH_POOR": 75, "HOUSES_BUILT": "-", "NTM_STATUS": "..."}


# --------------------------------------------------------------------------- the reports


def body(values: dict[str, object]) -> list[list]:
    return [[i + 1, code, *NAMES[code], v] for i, (code, v) in enumerate(values.items())]


def a_report(top: list[list], values: dict[str, object]) -> Sheet:
    """A layout-A sheet: the header block rows as given (motto, title, unit, period in any
    place), then the table and the signature."""
    return Sheet("Báo cáo", top + [[], HEADER, ["I. XÃ HỘI"]] + body(values) + SIGNATURE)


TITLE = ["BÁO CÁO TÌNH HÌNH KINH TẾ - XÃ HỘI THÁNG 3 NĂM 2026"]
MARCH = ["Kỳ báo cáo: Tháng 3/2026"]
FIGURES = {"HH_TOTAL": 4210, "HH_POOR": 63}

UNDER_TITLE = a_report(MOTTO + [TITLE, ["UBND phường Trần Phú"], MARCH], FIGURES)
BESIDE_PERIOD = a_report(
    MOTTO + [TITLE, ["Kỳ báo cáo:", "Tháng 3/2026", None, "UBND PHƯỜNG TRẦN PHÚ"]], FIGURES
)
RIGHT_OF_MOTTO = a_report(
    [[None, None, MOTTO[0][2], None, "ủy ban nhân dân phường trần phú"], MOTTO[1], TITLE, MARCH], FIGURES
)
CODE_CONFIRMED = a_report(
    MOTTO + [[f"Mã đơn vị: {TRAN_PHU}"], TITLE, ["UBND phường Trần Phú"], MARCH], FIGURES
)
CODE_REFUTED = a_report(
    MOTTO + [[f"Mã đơn vị: {TRAN_PHU}"], TITLE, ["UBND phường Thành Sen"], MARCH], FIGURES
)
RECIPIENT = a_report(
    MOTTO + [[f"Mã đơn vị: {TRAN_PHU}"], TITLE, ["Kính gửi: UBND thành phố Hà Tĩnh"], MARCH], FIGURES
)


def district_table(
    communes: list[tuple[str, dict[str, object]]],
    total: list | None,
    top: list[list] | None = None,
    period: str = "Tháng 6/2024",
) -> Sheet:
    """Layout B: one row per commune (code, no name), HH_TOTAL and HH_POOR columns, a total row."""
    head = ["STT", "Mã xã", "Tên xã", "Tổng số hộ dân cư (HH_TOTAL)", "Số hộ nghèo (HH_POOR)"]
    rows = [
        [i, code, None, v.get("HH_TOTAL"), v.get("HH_POOR")] for i, (code, v) in enumerate(communes, start=1)
    ]
    totals = [[None, None, "Tổng cộng", *total]] if total else []
    top = top or [[f"Mã đơn vị: {HONG_LINH}"], [f"Kỳ báo cáo: {period}"]]
    return Sheet(
        "Tổng hợp", MOTTO + [["BÁO CÁO TỔNG HỢP CÁC XÃ"]] + top + [[], head] + rows + totals + SIGNATURE
    )


T1 = district_table(
    [(C1, {"HH_TOTAL": 1000, "HH_POOR": 50}), (C2, {"HH_TOTAL": 1100, "HH_POOR": 40})], [2101, 90]
)
T2 = district_table(
    [(C3, {"HH_TOTAL": 1200, "HH_POOR": 30}), (C4, {"HH_TOTAL": 1300, "HH_POOR": 20})], [2500, 50]
)
T3 = district_table([(C6, {"HH_TOTAL": 900, "HH_POOR": 10})], None)
T4 = district_table([(C1, {"HH_TOTAL": 1010}), (C5, {"HH_TOTAL": 800, "HH_POOR": 16})], [1810, 16])
CAN_LOC_UNDER_TITLE = district_table(
    [("18406", {"HH_TOTAL": 700, "HH_POOR": 7})], None, top=[["UBND huyện Can Lộc"], ["Kỳ báo cáo: Năm 2023"]]
)

COVID_2026 = a_report(
    MOTTO + [TITLE, [f"Mã đơn vị: {DONG_LOC}"], MARCH], {"HH_TOTAL": 3000, "COVID_CASES": 5}
)


def xuan_loc_template(out: Path) -> Path:
    """Xã Xuân Lộc's August 2026 template as the office writes it, typed in as a clerk types."""
    from base.periods import period_from_code
    from clerk.templates import Request, write_templates

    (path,) = write_templates(Request(period_from_code("2026-08"), out, None), unit_code=XUAN_LOC)
    wb = openpyxl.load_workbook(path)
    ws = wb["Báo cáo"]
    header = next(c for row in ws.iter_rows() for c in row if c.value == "Mã chỉ tiêu")
    value_col = next(c.column for c in ws[header.row] if c.value == "Thực hiện")
    for r in range(header.row + 1, ws.max_row + 1):
        code = ws.cell(r, header.column).value
        if code in XUAN_LOC_TYPED:
            ws.cell(r, value_col).value = XUAN_LOC_TYPED[code]
    wb.save(path)
    return path


def issued_rows(path: Path) -> set[str]:
    """The element rows the template issues (its "Mã chỉ tiêu" column)."""
    ws = openpyxl.load_workbook(path)["Báo cáo"]
    header = next(c for row in ws.iter_rows() for c in row if c.value == "Mã chỉ tiêu")
    return {
        ws.cell(r, header.column).value
        for r in range(header.row + 1, ws.max_row + 1)
        if re.fullmatch(r"[A-Z][A-Z0-9_]+", str(ws.cell(r, header.column).value or ""))
    }


# --------------------------------------------------------------------------- validate


@pytest.fixture(autouse=True)
def no_default_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """validate reads <WAREHOUSE_DIR>/warehouse.duckdb when there is one: none here."""
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path / "no-warehouse"))


def validate(tmp_path: Path, capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, dict]:
    """`python -m ingest validate --json FILE`, in process: its exit code and its one file's entry."""
    from ingest.__main__ import main

    code = main(["validate", "--json", str(path)])
    (entry,) = json.loads(capsys.readouterr().out)["files"]
    # validate's JSON names a sheet's unit `unit_code` and its problems `messages` (each with
    # its rule, severity, cell and text): read here under the names these tests use
    for sheet in entry["sheets"]:
        sheet["unit"] = sheet["unit_code"]
    entry["findings"] = [{**m, "message": m["text"]} for m in entry["messages"]]
    return code, entry


def sheet_file(tmp_path: Path, name: str, *sheets: Sheet) -> Path:
    path = tmp_path / f"{name}.xlsx"
    write_workbook(path, list(sheets))
    return path


@pytest.mark.parametrize(
    "sheet",
    [UNDER_TITLE, BESIDE_PERIOD, RIGHT_OF_MOTTO, CODE_CONFIRMED, RECIPIENT],
    ids=["under title", "beside period", "right of motto", "code confirmed", "labelled recipient"],
)
def test_issuing_body_anywhere_in_the_header_block_names_the_unit(
    sheet: Sheet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, entry = validate(tmp_path, capsys, sheet_file(tmp_path, "bc", sheet))
    assert code == 0, entry
    assert [(s["status"], s["layout"], s["unit"], s["period"], s["values"]) for s in entry["sheets"]] == [
        ("loaded", "A", TRAN_PHU, "2026-03", 2)
    ]
    assert [f for f in entry["findings"] if f["severity"] == "error"] == []


def test_issuing_body_naming_another_unit_beside_the_code_is_a_mismatch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, entry = validate(tmp_path, capsys, sheet_file(tmp_path, "bc", CODE_REFUTED))
    assert code == 1
    assert [(s["status"], s["values"]) for s in entry["sheets"]] == [("rejected", 0)]
    assert [(f["rule"], f["severity"]) for f in entry["findings"]] == [("unit_mismatch", "error")]
    assert "Thành Sen" in entry["findings"][0]["message"]


def test_issuing_body_under_a_district_tables_title(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, entry = validate(tmp_path, capsys, sheet_file(tmp_path, "bc", CAN_LOC_UNDER_TITLE))
    assert code == 0, entry
    assert [(s["status"], s["layout"], s["unit"], s["period"], s["values"]) for s in entry["sheets"]] == [
        ("loaded", "B", CAN_LOC, "2023", 2)
    ]


def test_element_outside_its_collection_dates_is_loaded_and_flagged_by_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, entry = validate(tmp_path, capsys, sheet_file(tmp_path, "bc", COVID_2026))
    assert code == 0, entry  # a warning: nothing refused
    assert [
        (s["status"], s["unit"], s["period"], s["values"], s["rows_refused"]) for s in entry["sheets"]
    ] == [("loaded", DONG_LOC, "2026-03", 2, 0)]
    flagged = [f for f in entry["findings"] if f["rule"] == OUTSIDE_DATES]
    assert len(flagged) == 1 and len(entry["findings"]) == 1, entry["findings"]
    (f,) = flagged
    assert f["severity"] == "warning" and f["sheet"] == "Báo cáo"
    # row 10: motto (2), title, unit, period, blank, header, section, HH_TOTAL, then COVID_CASES
    assert f["cell"] in {"E10", "B10"}, f
    assert "COVID_CASES" in f["message"]
    assert "2022-12-31" in f["message"] or "31/12/2022" in f["message"], f["message"]


def test_rows_left_empty_on_a_template_are_each_named_by_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = xuan_loc_template(tmp_path / "out")
    assert issued_rows(path) == XA_2026_ROWS  # the template as the spec and catalogue say
    code, entry = validate(tmp_path, capsys, path)
    assert code == 0, entry
    empty = [f for f in entry["findings"] if f["rule"] == EMPTY_ROW]
    assert all(f["severity"] == "warning" and f["sheet"] == "Báo cáo" and f["cell"] for f in empty), empty
    named = {
        code
        for f in empty
        for code in XA_2026_ROWS
        if code in f["message"].split() or f"{code}:" in f["message"] or f"({code})" in f["message"]
    }
    assert named == XA_2026_ROWS - set(XUAN_LOC_TYPED) and len(empty) == 11, empty
    assert len({f["cell"] for f in empty}) == 11  # each row its own cell


def test_a_report_leaving_no_row_empty_gets_no_empty_row_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, entry = validate(tmp_path, capsys, sheet_file(tmp_path, "bc", UNDER_TITLE))
    assert [f for f in entry["findings"] if f["rule"] == EMPTY_ROW] == []


# --------------------------------------------------------------------------- the warehouse


@dataclass
class Runs:
    first: Build
    second: Build
    t4_name: str


def run(root: Path, inbox: Path, keep: Path) -> Build:
    done = build(root, inbox)
    if done.error is None:
        shutil.copyfile(done.settings.published_db, keep)  # the next run replaces the published file
    return replace(done, snapshot=keep)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    root = tmp_path_factory.mktemp("spec_edges")
    inbox = root / "inbox"
    inbox.mkdir()
    deliver(inbox, "tran phu t3", [UNDER_TITLE], datetime(2026, 4, 3, 8))
    deliver(inbox, "hong linh bang 1", [T1], datetime(2024, 7, 3, 8))
    deliver(inbox, "hong linh bang 2", [T2], datetime(2024, 7, 3, 9))
    deliver(inbox, "hong linh bang 3", [T3], datetime(2024, 7, 3, 10))
    deliver(inbox, "dong loc t3", [COVID_2026], datetime(2026, 4, 3, 9))
    stamp(xuan_loc_template(inbox), datetime(2026, 9, 3, 8))
    first = run(root, inbox, root / "first.duckdb")
    t4 = deliver(inbox, "hong linh bang 4", [T4], datetime(2024, 7, 10, 8))  # a week later
    second = run(root, inbox, root / "second.duckdb")
    return Runs(first, second, t4.name)


def findings(con, rule: str, unit: str | None = None) -> list[dict]:
    cur = con.execute(
        "SELECT * FROM marts.data_quality_findings WHERE rule = ? AND (? IS NULL OR unit_code = ?)",
        [rule, unit, unit],
    )
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def test_issuing_body_under_the_title_loads_for_the_unit(runs: Runs) -> None:
    con = runs.first.con()
    assert value(con, TRAN_PHU, "2026-03", "HH_TOTAL") == 4210
    assert value(con, TRAN_PHU, "2026-03", "HH_POOR") == 63


def test_tables_of_one_night_lose_no_commune(runs: Runs) -> None:
    con = runs.first.con()
    for unit, total, poor in ((C1, 1000, 50), (C2, 1100, 40), (C3, 1200, 30), (C4, 1300, 20), (C6, 900, 10)):
        assert (value(con, unit, "2024-06", "HH_TOTAL"), value(con, unit, "2024-06", "HH_POOR")) == (
            total,
            poor,
        )
    assert rows_of(con, C5, "2024-06", "HH_TOTAL") == []
    assert value(con, HONG_LINH, "2024-06", "HH_TOTAL") == 5500
    assert value(con, HONG_LINH, "2024-06", "HH_POOR") == 150
    assert [f for f in findings(con, "dropped_element") if f["period"] == "2024-06"] == []


def test_each_total_row_is_checked_against_its_own_table(runs: Runs) -> None:
    mismatches = [f for f in findings(runs.second.con(), "total_mismatch") if f["period"] == "2024-06"]
    assert {(f["source_file"], f["indicator_code"]) for f in mismatches} == {
        ("hong linh bang 1.xlsx", "HH_TOTAL")
    }, mismatches


def test_a_later_table_replaces_only_the_communes_it_lists(runs: Runs) -> None:
    con = runs.second.con()
    assert value(con, C1, "2024-06", "HH_TOTAL") == 1010
    assert rows_of(con, C1, "2024-06", "HH_POOR") == []  # left out of its corrected row: dropped
    for unit, total, poor in ((C2, 1100, 40), (C3, 1200, 30), (C4, 1300, 20), (C5, 800, 16), (C6, 900, 10)):
        assert (value(con, unit, "2024-06", "HH_TOTAL"), value(con, unit, "2024-06", "HH_POOR")) == (
            total,
            poor,
        )
    assert value(con, HONG_LINH, "2024-06", "HH_TOTAL") == 6310
    assert value(con, HONG_LINH, "2024-06", "HH_POOR") == 116


def test_an_element_left_out_of_a_listed_communes_row_is_dropped(runs: Runs) -> None:
    dropped = [f for f in findings(runs.second.con(), "dropped_element") if f["period"] == "2024-06"]
    assert [(f["unit_code"], f["indicator_code"]) for f in dropped] == [(C1, "HH_POOR")], dropped


def test_element_outside_its_collection_dates_is_loaded_and_flagged_in_the_warehouse(runs: Runs) -> None:
    con = runs.first.con()
    assert value(con, DONG_LOC, "2026-03", "COVID_CASES") == 5
    (f,) = findings(con, OUTSIDE_DATES)
    assert (f["severity"], f["unit_code"], f["indicator_code"], f["period"]) == (
        "warning",
        DONG_LOC,
        "COVID_CASES",
        "2026-03",
    )
    assert "2022-12-31" in f["message"] or "31/12/2022" in f["message"], f


def test_rows_left_empty_on_a_template_are_listed_in_the_warehouse(runs: Runs) -> None:
    con = runs.first.con()
    assert value(con, XUAN_LOC, "2026-08", "HH_TOTAL") == 2500
    empty = findings(con, EMPTY_ROW)
    assert all(
        (f["severity"], f["unit_code"], f["period"]) == ("warning", XUAN_LOC, "2026-08") for f in empty
    ), empty
    assert sorted(f["indicator_code"] for f in empty) == sorted(XA_2026_ROWS - set(XUAN_LOC_TYPED))


# --------------------------------------------------------------------------- added after the fix
# Cases added once the reader's code was read, where mutating the fix let every test above pass.

WARD_2026 = a_report(
    MOTTO + [TITLE, ["UBND phường Trần Phú"], MARCH],
    {"HH_TOTAL": 4210, "HH_POOR": None, "COVID_CASES": None, "NTM_STATUS": None, "COVID_DEATHS": "..."},
)


def test_only_rows_the_template_issues_are_named_when_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ward's March 2026 report by hand: HH_POOR left empty is named; COVID_CASES (not collected
    in 2026) and NTM_STATUS (xã only) left empty are rows its template does not issue; COVID_DEATHS
    "..." (not collected) is no value sent, so nothing outside its dates."""
    code, entry = validate(tmp_path, capsys, sheet_file(tmp_path, "bc", WARD_2026))
    assert code == 0, entry
    assert [(f["rule"], f["cell"]) for f in entry["findings"]] == [(EMPTY_ROW, "E10")], entry["findings"]


@pytest.mark.parametrize(
    "top",
    [
        # the managing body named after the issuing body: the lowest reports
        MOTTO + [["UBND phường Trần Phú"], TITLE, ["UBND THÀNH PHỐ HÀ TĨNH"], MARCH],
        # the managing body first, the issuing body under the title: the lowest reports
        MOTTO + [["UBND THÀNH PHỐ HÀ TĨNH"], TITLE, ["UBND phường Trần Phú"], MARCH],
        # a body of no type first ("UBND Hà Tĩnh"): the ward below it is lower
        MOTTO + [["UBND Hà Tĩnh"], TITLE, ["UBND phường Trần Phú"], MARCH],
        # below a long title block (eleven rows of grounds): still the header block
        MOTTO
        + [TITLE]
        + [[f"Căn cứ văn bản số {n}/UBND"] for n in range(1, 12)]
        + [["UBND phường Trần Phú"], MARCH],
        # a recipient in the cell beside its label names no unit
        MOTTO + [TITLE, ["Kính gửi:", "UBND phường Thành Sen"], ["UBND phường Trần Phú"], MARCH],
    ],
    ids=[
        "managing body below",
        "managing body above",
        "untyped body above",
        "after eleven rows",
        "recipient beside its label",
    ],
)
def test_the_issuing_body_among_other_bodies(
    top: list[list], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, entry = validate(tmp_path, capsys, sheet_file(tmp_path, "bc", a_report(top, FIGURES)))
    assert code == 0, entry
    assert [(s["status"], s["unit"]) for s in entry["sheets"]] == [("loaded", TRAN_PHU)]


def test_a_district_tables_empty_cell_is_no_empty_template_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty cell of a commune's row in a district's table is an element left out (dropped in
    the warehouse), not a template row of the district's own report."""
    code, entry = validate(tmp_path, capsys, sheet_file(tmp_path, "bc", T4))
    assert code == 0, entry
    assert [(s["status"], s["layout"], s["unit"]) for s in entry["sheets"]] == [("loaded", "B", HONG_LINH)]
    assert entry["findings"] == []
