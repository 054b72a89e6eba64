"""`python -m ingest sample`: a reproducible inbox for the whole province, plus its answers.

The inbox holds what a province really receives for 2021: every commune's annual report
and its Q4 monthly reports (layout A), every district's table of its communes (layout B)
and its own report, the province's own report, corrected resubmissions, exact duplicate
copies, and a small share of labelled bad input. Beside it, `expected/` holds the values
the warehouse must publish and the list of bad inputs it must refuse or flag.
"""

from __future__ import annotations

import csv
import os
import random
import re
import shutil
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from base.reference import Element, Unit, data_elements
from ingest.sample.expected import write_expected
from ingest.sample.render import cell_text, layout_a, layout_b, nfd, unit_lines
from ingest.sample.truth import MONTHS, YEAR, Truth, build_truth
from ingest.sample.workbook import ExcelError, Sheet, write_workbook

ANNUAL_ELEMENTS = [
    "POP_TOTAL", "POP_18PLUS", "POP_12_17", "HH_TOTAL", "HH_POOR", "HH_NEAR_POOR",
    "VAX18_DOSE1", "VAX18_DOSE2", "VAX12_DOSE1", "VAX12_DOSE2", "COVID_CASES",
    "COVID_RECOVERED", "COVID_DEATHS", "PARTY_MEMBERS", "PARTY_NEW_MEMBERS", "HOUSES_BUILT",
]
MONTHLY_ELEMENTS = [
    "POP_18PLUS", "POP_12_17", "VAX18_DOSE1", "VAX18_DOSE2", "VAX12_DOSE1", "VAX12_DOSE2",
    "COVID_CASES", "COVID_RECOVERED", "COVID_DEATHS",
]
WIDE_ELEMENTS = ["NTM_STATUS", "NTM_ADVANCED", "NTM_MODEL", "NTM_CRITERIA_MET",
                 "MODEL_RESIDENTIAL_AREAS", "MODEL_GARDENS"]
DISTRICT_ELEMENTS = ["BUDGET_REVENUE", "INVEST_PROJECTS_DOMESTIC", "INVEST_CAPITAL_DOMESTIC",
                     "NTM_DISTRICT_STATUS"]
PROVINCE_ELEMENTS = ["BUDGET_REVENUE", "INVEST_PROJECTS_DOMESTIC", "INVEST_CAPITAL_DOMESTIC",
                     "INVEST_PROJECTS_FDI", "INVEST_CAPITAL_FDI", "GRDP_GROWTH", "GRDP_PER_CAPITA",
                     "INCOME_PER_CAPITA", "PUBLIC_INVEST_DISBURSED"]
ANNUAL_PERIODS = ["Năm 2021", "2021", "NĂM 2021", "năm 2021"]
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
BAD_FIELDS = ["file", "sheet", "cell", "rule", "disposition"]


def ascii_slug(text: str) -> str:
    """A file-name-safe, diacritic-free form of a Vietnamese name ("Thạch Bình" -> "Thach Binh")."""
    text = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return re.sub(r"[^A-Za-z0-9 ]+", "", "".join(c for c in text if not unicodedata.combining(c)))


def _tcvn3_table() -> dict[str, str]:
    from viparse.normalize.encodings import CHARMAPS

    table: dict[str, str] = {}
    for legacy, uni in CHARMAPS["tcvn3"].pairs:
        if len(uni) == 1:
            table.setdefault(uni, legacy)
    return table


def to_tcvn3(text: str) -> str:
    """Encode text as a TCVN3 (.VnTime) document shows it when read as Unicode."""
    table = _tcvn3_table()
    nfc = unicodedata.normalize("NFC", text)
    return "".join(table.get(ch) or table.get(ch.lower(), ch) for ch in nfc)


def a1(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def locate(sheet: Sheet, marker: Any) -> str:
    for r, row in enumerate(sheet.rows):
        for c, value in enumerate(row):
            if value is marker:
                return a1(r, c)
    raise LookupError("marker not in sheet")


@dataclass
class Inbox:
    root: Path
    rng: random.Random
    bad: list[dict]
    files: int = 0

    def save(self, rel: str, sheets: list[Sheet], when: datetime, **csv_options: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        write_workbook(path, sheets, **csv_options)
        stamp = when.replace(tzinfo=LOCAL_TZ).timestamp()  # clerks' times are Vietnam time
        os.utime(path, (stamp, stamp))
        self.files += 1
        return path

    def label(self, rel: str, sheet: str, cell: str, rule: str, disposition: str) -> None:
        self.bad.append({"file": rel, "sheet": sheet, "cell": cell, "rule": rule,
                         "disposition": disposition})


def _ambiguous_names(units: list[Unit]) -> set[str]:
    from base.units import name_key

    seen: dict[str, int] = {}
    for u in units:
        seen[name_key(u.name)] = seen.get(name_key(u.name), 0) + 1
    return {k for k, n in seen.items() if n > 1}


def _unit_rows(unit: Unit, rng: random.Random, ambiguous: set[str]) -> tuple[list, str]:
    """Identify a unit by code, by name, or both; returns rows and a tag for the name form."""
    from base.units import name_key

    choice = rng.random()
    if choice < 0.5 or name_key(unit.name) in ambiguous:
        return unit_lines(unit.code, unit.name, rng), "both"
    if choice < 0.75:
        return unit_lines(unit.code, None, rng), "code"
    name = unit.name
    form = rng.choice(["nfd", "ascii", "bare"])
    if form == "nfd":
        name = nfd(name)
    elif form == "ascii":
        name = ascii_slug(name).lower()
    else:
        name = name[len(unit.unit_type):].strip()
    return unit_lines(None, name, rng), form


def _typed_items(elements: dict[str, Element], codes: list[str], values: dict, rng: random.Random,
                 style: str) -> list[tuple[Element, Any]]:
    return [(elements[c], cell_text(elements[c], values.get(c), rng, style))
            for c in codes if c in values]


def _format(rng: random.Random) -> tuple[str, dict[str, str]]:
    roll = rng.random()
    if roll < 0.70:
        return ".xlsx", {}
    if roll < 0.80:
        return ".xls", {}
    if roll < 0.90:
        return ".ods", {}
    return ".csv", rng.choice([
        {"encoding": "utf-8", "delimiter": ","},
        {"encoding": "utf-8-sig", "delimiter": ";"},
        {"encoding": "utf-16", "delimiter": "\t"},
    ])


def _style(rng: random.Random, ext: str) -> str:
    if ext == ".csv":
        return "text"
    return rng.choice(["number", "number", "text", "english"])


def _commune_reports(inbox: Inbox, truth: Truth, elements: dict[str, Element]) -> None:
    rng = inbox.rng
    year = str(YEAR)
    ambiguous = _ambiguous_names(list(truth.units.values()))
    for n, commune in enumerate(truth.communes):
        folder = ascii_slug(truth.units[commune.parent_code].name)
        values = truth.values[(commune.code, year)]
        ext, csv_opts = _format(rng)
        unit_rows, _ = _unit_rows(commune, rng, ambiguous)
        items = _typed_items(elements, ANNUAL_ELEMENTS, values, rng, _style(rng, ext))
        sheet = layout_a("Báo cáo", unit_rows, rng.choice(ANNUAL_PERIODS), items, rng,
                         offset_cols=rng.choice([0, 0, 1]))
        sheets = [sheet]
        if ext in {".xlsx", ".ods"} and rng.random() < 0.15:
            sheets.append(Sheet("Hướng dẫn", [["Hướng dẫn điền biểu mẫu"], ["Điền số liệu..."]]))
        if ext == ".xlsx" and rng.random() < 0.1:
            sheets.append(Sheet("Nháp", [["Mã chỉ tiêu", "Giá trị"], ["HH_POOR", 99999]],
                                hidden=True))
        submitted = datetime(YEAR + 1, 1, 4, 9) + timedelta(hours=rng.randint(0, 16 * 24))
        rel = f"{folder}/BC nam {year} - {ascii_slug(commune.name)}{ext}"
        if n % 70 == 5:  # a first version with a typo, corrected a few days later
            wrong = dict(values, HH_POOR=values["HH_POOR"] + 15)
            first = layout_a("Báo cáo", unit_rows, "Năm 2021",
                             _typed_items(elements, ANNUAL_ELEMENTS, wrong, rng, "number"), rng)
            first_rel = f"{folder}/BC nam {year} {commune.code}.xlsx"
            inbox.save(first_rel, [first], submitted - timedelta(days=3))
            inbox.label(first_rel, "Báo cáo", "", "replaced_value", "flagged")  # listed for review
            rel = f"{folder}/BC nam {year} {commune.code} (sua lan 2){ext}"
        if n == 11 and ext != ".csv":  # a legacy-font clerk: TCVN3 text throughout
            unit_rows = [["Đơn vị báo cáo", commune.name],
                         ["Mã đơn vị", commune.code]]
            sheet = layout_a("Bao cao", unit_rows, "Năm 2021", items, rng)
            sheet.rows = [[to_tcvn3(v) if isinstance(v, str) else v for v in row]
                          for row in sheet.rows]
            sheets = [sheet]
        inbox.save(rel, sheets, submitted, **csv_opts)
        for month in MONTHS:
            _monthly_report(inbox, truth, elements, commune, month, folder, ambiguous)


def _monthly_report(inbox: Inbox, truth: Truth, elements: dict[str, Element], commune: Unit,
                    month: int, folder: str, ambiguous: set[str]) -> None:
    rng = inbox.rng
    period = f"{YEAR}-{month:02d}"
    values = truth.values[(commune.code, period)]
    ext, csv_opts = _format(rng)
    unit_rows, _ = _unit_rows(commune, rng, ambiguous)
    period_text = rng.choice([f"Tháng {month}/{YEAR}", f"Tháng {month} năm {YEAR}",
                              f"T{month}/{YEAR}", f"{month}/{YEAR}", period,
                              nfd(f"Tháng {month}/{YEAR}")])
    items = _typed_items(elements, MONTHLY_ELEMENTS, values, rng, _style(rng, ext))
    sheet = layout_a(f"T{month}", unit_rows, period_text, items, rng)
    due = datetime(YEAR + (month == 12), month % 12 + 1, 5, 17)
    submitted = due - timedelta(days=3) + timedelta(hours=rng.randint(0, 5 * 24))
    rel = f"{folder}/thang {month}/BC thang {month} ({rng.randint(1, 999)}){ext}"
    while (inbox.root / rel).exists():  # clerks' names collide; the inbox keeps both files
        rel = f"{folder}/thang {month}/BC thang {month} ({rng.randint(1, 999)}){ext}"
    path = inbox.save(rel, [sheet], submitted, **csv_opts)
    if month == 12 and commune.code.endswith("7") and rng.random() < 0.3:
        copy = inbox.root / f"{folder}/thang {month}/BC thang {month} (2){ext}"
        copy.write_bytes(path.read_bytes())  # the same bytes sent twice, at the same time
        shutil.copystat(path, copy)


def _district_reports(inbox: Inbox, truth: Truth, elements: dict[str, Element]) -> None:
    rng = inbox.rng
    year = str(YEAR)
    wide = [elements[c] for c in WIDE_ELEMENTS]
    for i, district in enumerate(truth.districts):
        folder = ascii_slug(district.name)
        communes = [c for c in truth.communes if c.parent_code == district.code]
        rows = []
        totals = [0.0] * len(wide)
        for c in communes:
            values = truth.values[(c.code, year)]
            cells = []
            for j, e in enumerate(wide):
                v = values.get(e.code)
                cells.append(None if v is None else cell_text(e, v, rng, "text"
                                                            if e.value_type == "yes_no" else "number"))
                totals[j] += v or 0
            name = c.name if rng.random() < 0.8 else nfd(c.name)
            rows.append((c.code if rng.random() < 0.7 else None, name, cells))
        total_row: list[Any] = [int(t) if float(t).is_integer() else round(t, 2) for t in totals]
        total_row[WIDE_ELEMENTS.index("NTM_CRITERIA_MET")] = None  # an average has no total
        ext = ".ods" if i == 3 else ".xlsx"
        rel = f"{folder}/Tong hop NTM {year}{ext}"
        if i == 5:  # a typo in the total row: flagged, the commune rows still load
            total_row[WIDE_ELEMENTS.index("MODEL_GARDENS")] += 10
            inbox.label(rel, "Tổng hợp", "", "total_mismatch", "flagged")
        sheet = layout_b("Tổng hợp", unit_lines(district.code, district.name, rng),
                         rng.choice(ANNUAL_PERIODS), wide, rows, total_row, rng)
        inbox.save(rel, [sheet], datetime(YEAR + 1, 1, 14 + i % 6, 10))
        own = truth.values[(district.code, year)]
        items = _typed_items(elements, DISTRICT_ELEMENTS, own, rng, "text")
        sheet = layout_a("Báo cáo", unit_lines(district.code, district.name, rng), "Năm 2021",
                         items, rng)
        inbox.save(f"{folder}/BC KTXH huyen {year}.xlsx", [sheet],
                   datetime(YEAR + 1, 1, 15 + i % 6, 15))


def _province_reports(inbox: Inbox, truth: Truth, elements: dict[str, Element]) -> None:
    rng = inbox.rng
    p = truth.province
    items = _typed_items(elements, PROVINCE_ELEMENTS, truth.values[(p.code, str(YEAR))], rng,
                         "percent")
    sheet = layout_a("Tỉnh", unit_lines(p.code, p.name, rng), "Năm 2021", items, rng)
    inbox.save("Tinh/BC KTXH tinh 2021.xlsx", [sheet], datetime(YEAR + 1, 1, 18, 8))
    items = _typed_items(elements, ["HH_TOTAL", "HH_POOR", "HH_NEAR_POOR"],
                         truth.values[(p.code, "2020")], rng, "text")
    sheet = layout_a("Tỉnh", unit_lines(p.code, p.name, rng), "Năm 2020", items, rng)
    inbox.save("Tinh/Ho ngheo 2020.xlsx", [sheet], datetime(YEAR, 1, 20, 8))


def _bad_inputs(inbox: Inbox, truth: Truth, elements: dict[str, Element]) -> None:
    """Labelled bad input; none of it touches a value the expected files count."""
    rng = inbox.rng
    first, second = truth.communes[3], truth.communes[40]
    when = datetime(YEAR, 10, 4, 9)

    rel = "Loi/BC nam 2021 - xa moi.xlsx"
    items = _typed_items(elements, ANNUAL_ELEMENTS, truth.values[(first.code, "2021")], rng, "number")
    sheet = layout_a("Báo cáo", [["Đơn vị báo cáo: Xã Hòa Bình Mới"]], "Năm 2021", items, rng)
    inbox.save(rel, [sheet], when)
    inbox.label(rel, "Báo cáo", "", "unknown_unit", "rejected_sheet")

    rel = "Loi/BC cuoi nam.xlsx"
    sheet = layout_a("Báo cáo", unit_lines(first.code, first.name, rng), "cuối năm", items, rng)
    inbox.save(rel, [sheet], when)
    inbox.label(rel, "Báo cáo", "", "bad_period", "rejected_sheet")

    rel = "Loi/BC xa moi sau sap nhap.xlsx"
    sheet = layout_a("Báo cáo", [["Đơn vị báo cáo", "Phường Thành Sen"]],
                     "Năm 2021", items, rng)
    inbox.save(rel, [sheet], when)
    inbox.label(rel, "Báo cáo", "", "unit_not_valid", "rejected_sheet")

    # September reports (outside the sample's reporting calendar) with bad cells.
    rel = f"Loi/BC thang 9 - {ascii_slug(first.name)}.xlsx"
    text_cell, error_cell, negative_cell = "khoảng 5", ExcelError("#DIV/0!"), -1
    sept = [(elements["POP_18PLUS"], 2000), (elements["VAX18_DOSE1"], error_cell),
            (elements["VAX18_DOSE2"], 1500), (elements["COVID_CASES"], text_cell),
            (elements["COVID_DEATHS"], negative_cell), (elements["COVID_RECOVERED"], 0)]
    sheet = layout_a("T9", unit_lines(first.code, first.name, rng), "Tháng 9/2021", sept, rng)
    inbox.save(rel, [sheet], when)
    inbox.label(rel, "T9", locate(sheet, error_cell), "excel_error", "quarantined")
    inbox.label(rel, "T9", locate(sheet, text_cell), "not_a_number", "quarantined")
    # -1 is an int and may be interned: find it by its row's code instead.
    for r, row in enumerate(sheet.rows):
        if "COVID_DEATHS" in row:
            inbox.label(rel, "T9", a1(r, row.index(negative_cell)), "out_of_range", "quarantined")

    rel = f"Loi/BC thang 9 - {ascii_slug(second.name)}.xlsx"
    sept = [(elements["POP_18PLUS"], 3000), (elements["VAX18_DOSE1"], 2500),
            (elements["VAX18_DOSE2"], 2600)]
    sheet = layout_a("T9", unit_lines(second.code, second.name, rng), "Tháng 9/2021", sept, rng)
    inbox.save(rel, [sheet], when)
    inbox.label(rel, "T9", "", "vax18_dose_order", "flagged")

    # A blank template sent by mistake after the real December report: refused, replaces nothing.
    rel = f"Loi/BC thang 12 - {ascii_slug(second.name)} (mau trong).xlsx"
    blank = [(elements[c], None) for c in MONTHLY_ELEMENTS]
    sheet = layout_a("T12", unit_lines(second.code, second.name, rng), "Tháng 12/2021", blank, rng)
    inbox.save(rel, [sheet], datetime(2022, 1, 25, 9))
    inbox.label(rel, "T12", "", "blank_report", "rejected_sheet")

    rel = "Loi/BC thang 12.xlsx"
    path = inbox.root / rel
    path.write_bytes(b"PK\x03\x04" + bytes(rng.getrandbits(8) for _ in range(600)))
    stamp = datetime(2022, 1, 6, 9, 0, tzinfo=LOCAL_TZ).timestamp()  # dated like any report
    os.utime(path, (stamp, stamp))
    inbox.files += 1
    inbox.label(rel, "", "", "corrupt_file", "rejected_file")


TARGETS_TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "chi_tieu_ke_hoach.xlsx"


def _targets_workbook(inbox: Inbox) -> None:
    """The planning office's targets workbook, as it ships (2021 and 2022 targets)."""
    path = inbox.root / "Ke hoach" / "chi_tieu_ke_hoach.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(TARGETS_TEMPLATE, path)
    stamp = datetime(2022, 1, 19, 8, 0, tzinfo=LOCAL_TZ).timestamp()
    os.utime(path, (stamp, stamp))
    inbox.files += 1


def generate(inbox_dir: Path, expected_dir: Path, seed: int = 2021,
             today: date | None = None) -> dict[str, int]:
    """Write the inbox and the expected answers; returns counts for the caller to print.

    2021 is the article's year; every year after it, across the July 2025 reform, is
    written up to the last month that has ended by `today` (eras.py)."""
    from ingest.sample.eras import build_era_truth, write_era_expected, write_era_inbox

    today = today or datetime.now(LOCAL_TZ).date()
    truth = build_truth(seed)
    elements = data_elements()
    inbox = Inbox(inbox_dir, random.Random(seed + 1), [])
    inbox_dir.mkdir(parents=True, exist_ok=True)
    _commune_reports(inbox, truth, elements)
    _district_reports(inbox, truth, elements)
    _province_reports(inbox, truth, elements)
    _bad_inputs(inbox, truth, elements)
    _targets_workbook(inbox)
    era = build_era_truth(truth, today)
    write_era_inbox(inbox, era, elements)
    write_expected(truth, expected_dir)
    write_era_expected(truth, era, expected_dir)
    with open(expected_dir / "bad_inputs.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=BAD_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(inbox.bad)
    return {"files": inbox.files, "bad_inputs": len(inbox.bad)}
