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
def test_letterhead_below_the_title_names_the_unit_a_recipient_does_not(tmp_path: Path) -> None:
    """The issuing body may stand anywhere in the header block, under the title too
    (spreadsheets.md, since issue 25); a recipient carries its label ("Kính gửi: UBND …") and
    names no unit."""
    sheet = letterhead_sheet([[None, None, MOTTO_1], [None, None, MOTTO_2]], "Năm 2021")
    sheet.rows.insert(4, ["Kính gửi: UBND XÃ THẠCH BÌNH"])
    assert unit_of(tmp_path, sheet) == ("rejected", None, ["unknown_unit"])
    sheet.rows.insert(4, ["UBND XÃ THẠCH BÌNH"])
    assert unit_of(tmp_path, sheet) == ("loaded", "18112", [])


@pytest.mark.unit
def test_a_list_under_a_recipient_label_names_no_unit(tmp_path: Path) -> None:
    """"Nơi nhận:" (or "Kính gửi:") alone on its row, the recipients listed under it until a
    blank row: none of them is the sender; the issuing body above them is."""
    grounds = [[f"Căn cứ văn bản số {n}/UBND"] for n in range(1, 9)]
    listed = [["Nơi nhận:"], ["UBND HUYỆN VŨ QUANG"], ["Chi cục Thống kê"]]
    top = [[None, None, MOTTO_1], [None, None, MOTTO_2], *grounds, *listed]
    assert unit_of(tmp_path, letterhead_sheet(top, "Năm 2021"))[:2] == ("rejected", None)
    top = [[None, None, MOTTO_1], ["UBND XÃ THẠCH BÌNH", None, MOTTO_2], *grounds, *listed]
    assert unit_of(tmp_path, letterhead_sheet(top, "Năm 2021"))[:2] == ("loaded", "18112")


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
BREACHED = "18316"  # Xã Ân Phú
HH_ROWS = [[1, "HH_TOTAL", "Tổng số hộ dân cư", "hộ", 1981], [2, "HH_POOR", "Số hộ nghèo", "hộ", 93],
           [3, "HH_NEAR_POOR", "Số hộ cận nghèo", "hộ", 120]]
BLANK_ROWS = [[r[0], r[1], r[2], r[3], None] for r in HH_ROWS]


# History before July sorted: 1169 1170 1172 1175 1178 1180, median 1173.5; deviations sorted
# 1.5 1.5 3.5 4.5 4.5 6.5, MAD 4; July 117: 0.6745 * (117 - 1173.5) / 4 = -178.2, |z| > 3.5.
MEMBERS = [1169, 1172, 1175, 1170, 1180, 1178, 117]
# poor + near-poor 950 + 100 = 1050 > 1000 households; 2 doses 700 > 1 dose 650.
BREACH_ROWS = [[1, "HH_TOTAL", "Tổng số hộ dân cư", "hộ", "1.000"], [2, "HH_POOR", "Số hộ nghèo", "hộ", 950],
               [3, "HH_NEAR_POOR", "Số hộ cận nghèo", "hộ", 100],
               [4, "VAX18_DOSE1", "Số người từ 18 tuổi trở lên đã tiêm ít nhất 1 mũi", "người", 650],
               [5, "VAX18_DOSE2", "Số người từ 18 tuổi trở lên đã tiêm đủ 2 mũi", "người", 700]]


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
    # Xã Thạch Bình, year 2022: a first report, a second with three households' rows, then a
    # correction with two of them (the drop names the second report's 120, not the first's 110).
    deliver(inbox, "thach binh 2022 lan 1", [coded(CORRECTED, "Năm 2022", [*HH_ROWS[:2], [
        3, "HH_NEAR_POOR", "Số hộ cận nghèo", "hộ", 110]])], datetime(2023, 1, 2, 9))
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
    # Xã Thạch Bình, PARTY_MEMBERS (a stock) monthly in 2022, July with a digit dropped.
    for month, members in enumerate(MEMBERS, start=1):
        deliver(inbox, f"thach binh thang {month}", [coded(CORRECTED, f"Tháng {month}/2022", [
            [1, "PARTY_MEMBERS", "Tổng số đảng viên", "người", members]])], datetime(2022, month + 1, 3, 9))
    # Xã Ân Phú, Q2 2022: a households breach the warehouse flags (and validate must too).
    deliver(inbox, "an phu quy", [coded(BREACHED, "Quý II/2022", BREACH_ROWS)], datetime(2022, 7, 5, 9))
    # The province's GRDP growth 2022 (a percentage, above 1).
    deliver(inbox, "tinh 2022", [coded("42", "Năm 2022", [
        [1, "GRDP_GROWTH", "Tốc độ tăng trưởng GRDP", "%", "5,02"]])], datetime(2023, 1, 20, 9))
    # ... then 0,0502 typed for 5,02 % in 2023, and a real slow year, 0,9 %, in 2024.
    for year, growth in ((2023, "0,0502"), (2024, "0,9")):
        deliver(inbox, f"tinh {year}", [coded("42", f"Năm {year}", [
            [1, "GRDP_GROWTH", "Tốc độ tăng trưởng GRDP", "%", growth]])], datetime(year + 1, 1, 20, 9))
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
def test_deliberate_marks_are_not_a_blank_template(tmp_path: Path) -> None:
    """'...' (not collected) and 'x' (not applicable) are something sent (GSO conventions):
    such a report is loaded, not refused as blank."""
    rows = [[1, "HH_TOTAL", "Tổng số hộ dân cư", "hộ", "..."], [2, "HH_POOR", "Số hộ nghèo", "hộ", "x"]]
    assert unit_of(tmp_path, coded(BLANKED, "Năm 2022", rows)) == ("loaded", BLANKED, [])
    assert unit_of(tmp_path, coded(BLANKED, "Năm 2022", BLANK_ROWS), "blank") == (
        "rejected", BLANKED, ["blank_report"])


@pytest.mark.unit
def test_validate_refuses_a_blank_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ingest.__main__ import main

    path = tmp_path / "mau.xlsx"
    write_workbook(path, [coded(BLANKED, "Năm 2022", BLANK_ROWS)])
    assert main(["validate", str(path)]) == 1
    assert "no value at all" in capsys.readouterr().out
    assert main(["validate", "--lang", "vi", str(path)]) == 1
    assert "không có số liệu nào" in capsys.readouterr().out


@pytest.mark.warehouse
def test_warehouse_flags_a_value_far_below_its_history(office) -> None:
    """A digit dropped is as likely as a digit added (indicators.md): July's 117 against a
    median of 1173.5 is an outlier; the earlier months are not scored (under 6 earlier values)."""
    con = office.con()
    rows = con.execute("SELECT period, observed, expected FROM marts.data_quality_findings "
                       "WHERE rule = 'outlier' AND unit_code = ? AND indicator_code = 'PARTY_MEMBERS'",
                       [CORRECTED]).fetchall()
    assert [(p, float(o), float(e)) for p, o, e in rows] == [("2022-07", 117.0, 1173.5)]


@pytest.mark.warehouse
def test_warehouse_flags_a_percentage_typed_as_a_fraction(office) -> None:
    """0,0502 after 5,02 % is flagged; 0,9 after a usual level of 2,535 (the median of 5,02 and
    0,0502) is a real figure, nearer to it than 90 would be."""
    rows = office.con().execute(
        "SELECT unit_code, indicator_code, period, observed, expected FROM marts.data_quality_findings "
        "WHERE rule = 'percent_as_fraction'").fetchall()
    assert [(u, i, p, float(o), float(e)) for u, i, p, o, e in rows] == [
        ("42", "GRDP_GROWTH", "2023", 0.0502, 5.02)]


# --------------------------------------------------------------------------- item 8: validate

@pytest.fixture(autouse=True)
def no_default_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """validate reads <WAREHOUSE_DIR>/warehouse.duckdb when there is one: none here, unless
    a test passes --published, so that a machine's own `make run` changes no answer."""
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path / "no-warehouse"))


def validate(tmp_path: Path, capsys: pytest.CaptureFixture[str], sheets: list[Sheet], *args: str,
             name: str = "bc") -> tuple[int, str]:
    from ingest.__main__ import main

    path = tmp_path / f"{name}.xlsx"
    write_workbook(path, sheets)
    code = main(["validate", *args, str(path)])
    return code, capsys.readouterr().out


@pytest.mark.warehouse
def test_validate_says_what_the_warehouse_says(office, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """The same report: validate names the row rules the warehouse flagged on it."""
    con = office.con()
    flagged = set(con.execute(
        "SELECT rule, indicator_code FROM marts.data_quality_findings WHERE unit_code = ? AND period = "
        "'2022-Q2' AND found_by = 'validation'", [BREACHED]).fetchall())
    assert flagged == {("households_composition", "HH_POOR"), ("vax18_dose_order", "VAX18_DOSE2")}
    code, out = validate(tmp_path, capsys, [coded(BREACHED, "Quý II/2022", BREACH_ROWS)], "--json")
    import json

    said = {(m["rule"], m["text"]) for e in json.loads(out)["files"] for m in e["messages"]}
    assert code == 0 and {r for r, _ in said} == {r for r, _ in flagged}
    assert any("1,050 against 1,000" in m for _, m in said)


@pytest.mark.unit
def test_validate_row_rules_in_vietnamese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = validate(tmp_path, capsys, [coded(CORRECTED, "Quý II/2022", BREACH_ROWS)], "--lang", "vi")
    assert code == 0
    assert "bc.xlsx › Báo cáo: Xã Thạch Bình (18112), Quý II/2022: nhận 5 số liệu, từ chối 0 dòng" in out
    assert "Hộ nghèo và cận nghèo nhiều hơn tổng số hộ" in out and "HH_POOR: 1.050 so với 1.000" in out
    assert "VAX18_DOSE2: 700 so với 650" in out
    ok_rows = [BREACH_ROWS[0], [2, "HH_POOR", "Số hộ nghèo", "hộ", 900], BREACH_ROWS[2],
               BREACH_ROWS[3], [5, "VAX18_DOSE2", "x", "người", 650]]
    code, out = validate(tmp_path, capsys, [coded(CORRECTED, "Quý II/2022", ok_rows)], name="ok")
    assert code == 0 and out.count("\n") == 2, out  # 1,000 households hold 900 + 100: only the summaries
    assert out.endswith("ok.xlsx: 0 errors, 0 warnings — can be sent\n"), out


@pytest.mark.unit
@pytest.mark.parametrize(("typed", "detail"), [
    ("12.5OO", "'12.5OO' không phải là số — có phải chữ O thay cho số 0?"),
    ("1l.500", "'1l.500' không phải là số — có phải chữ l hoặc I thay cho số 1?"),
    ("khoảng 5", "'khoảng 5' không phải là số. Nhập số"),
])
def test_validate_detail_in_vietnamese(tmp_path: Path, capsys: pytest.CaptureFixture[str], typed: str,
                                       detail: str) -> None:
    rows = [[1, "HH_TOTAL", "Tổng số hộ dân cư", "hộ", typed]]
    code, out = validate(tmp_path, capsys, [coded(CORRECTED, "Năm 2021", rows)], "--lang", "vi")
    assert code == 1 and detail in out, out


@pytest.mark.unit
def test_validate_reform_message_names_the_successor_in_vietnamese(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = validate(tmp_path, capsys, [coded(CORRECTED, "Tháng 8/2025", ROWS)], "--lang", "vi")
    assert code == 1
    assert ("Xã Thạch Bình (18112) đã sáp nhập vào Xã Cẩm Bình (18685) từ ngày 01/07/2025; hãy báo cáo "
            "với tên Xã Cẩm Bình") in out, out


@pytest.mark.warehouse
@pytest.mark.parametrize(("code", "period", "rows", "expected"), [
    # 0,0502 typed for 5,02 %: the province's last published GRDP growth is 5.02
    ("42", "Năm 2023", [[1, "GRDP_GROWTH", "Tốc độ tăng trưởng GRDP", "%", "0,0502"]],
     {("percent_as_fraction", "GRDP_GROWTH")}),
    ("42", "Năm 2023", [[1, "GRDP_GROWTH", "Tốc độ tăng trưởng GRDP", "%", "0,06"]],
     {("percent_as_fraction", "GRDP_GROWTH")}),
    ("42", "Năm 2023", [[1, "GRDP_GROWTH", "Tốc độ tăng trưởng GRDP", "%", "0,9"]], set()),  # a slow year
    ("42", "Năm 2023", [[1, "GRDP_GROWTH", "Tốc độ tăng trưởng GRDP", "%", "4,8"]], set()),
    # last 2022 year: HH_TOTAL 1990 and HH_POOR 90. A digit dropped, a digit added, both flagged.
    (CORRECTED, "Năm 2023", [[1, "HH_TOTAL", "Tổng số hộ dân cư", "hộ", 199]],
     {("far_from_last_value", "HH_TOTAL")}),
    (CORRECTED, "Năm 2023", [[1, "HH_POOR", "Số hộ nghèo", "hộ", 900]],
     {("far_from_last_value", "HH_POOR")}),
    # five times is the limit; a little less is a real change
    (CORRECTED, "Năm 2023", [[1, "HH_POOR", "Số hộ nghèo", "hộ", 18]], {("far_from_last_value", "HH_POOR")}),
    (CORRECTED, "Năm 2023", [[1, "HH_POOR", "Số hộ nghèo", "hộ", 19]], set()),
    (CORRECTED, "Năm 2023", [[1, "HH_POOR", "Số hộ nghèo", "hộ", 449]], set()),
    (CORRECTED, "Năm 2023", [[1, "HH_TOTAL", "Tổng số hộ dân cư", "hộ", "2.010"]], set()),
])
def test_validate_against_the_last_published_value(office, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   code: str, period: str, rows: list[list],
                                                   expected: set[tuple[str, str]]) -> None:
    import json

    published = str(office.con() and office.settings.published_db)
    exit_code, out = validate(tmp_path, capsys, [coded(code, period, rows)], "--json",
                              "--published", published)
    said = {(m["rule"], m["text"].split()[0]) for e in json.loads(out)["files"] for m in e["messages"]}
    assert exit_code == 0 and said == expected, out


@pytest.mark.warehouse
def test_validate_last_value_messages_in_vietnamese(office, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    published = str(office.con() and office.settings.published_db)
    rows = [[1, "HH_TOTAL", "Tổng số hộ dân cư", "hộ", 199]]
    _, out = validate(tmp_path, capsys, [coded(CORRECTED, "Năm 2023", rows)], "--lang", "vi",
                      "--published", published)
    assert "HH_TOTAL 199 thấp hơn 10,0 lần so với số đã công bố gần nhất 1.990 (Năm 2022)" in out, out
    rows = [[1, "GRDP_GROWTH", "Tốc độ tăng trưởng GRDP", "%", "0,0502"]]
    _, out = validate(tmp_path, capsys, [coded("42", "Năm 2023", rows)], "--lang", "vi",
                      "--published", published)
    assert "Tỷ lệ phần trăm ghi dạng phân số" in out and "ghi 5,02 cho 5,02 %" in out, out
