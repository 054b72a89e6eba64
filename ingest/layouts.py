"""Recognise layout A (one unit, long form) or B (a district's communes, wide form) in a grid.

The header block and the table may sit anywhere; labels are matched on folded text
(no case, no diacritics), so "MÃ CHỈ TIÊU" and "ma chi tieu" are one label. Every data row
read comes out either as values or as a finding that says which cell and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from base.periods import Period, parse_period, period_label
from base.reference import Element, Unit, on_form
from base.text import bounded_list, convert_legacy, detect_legacy_encoding, fold, looks_legacy, nfc
from base.units import UnitError, UnitResolver
from ingest.sources import Grid, cell_name
from ingest.values import parse_cell

UNIT_CODE_LABELS = ("ma don vi", "ma dvhc", "ma xa", "unit code")
UNIT_NAME_LABELS = ("don vi bao cao", "ten don vi", "reporting unit", "don vi")
PERIOD_LABELS = ("ky bao cao", "period", "ky")
CODE_HEADERS = {"ma chi tieu", "ma so", "ma", "code"}
VALUE_HEADERS = ("thuc hien", "gia tri", "so lieu", "ket qua", "value")
B_UNIT_CODE_HEADERS = {"ma xa", "ma don vi", "unit code", "ma dvhc"}
B_UNIT_NAME_HEADERS = {"ten xa", "xa/phuong/thi tran", "don vi", "ten don vi"}
TOTAL_LABELS = {"tong cong", "cong", "toan huyen", "tong so", "tong"}
SIGNATURE_WORDS = ("nguoi lap bieu", "thu truong don vi", "chu tich", "ngay ... thang",
                   "ngay thang nam", "ky ten", "xac nhan")
# The issuing body of an official document (Decree 30/2020/NĐ-CP): "UBND XÃ THẠCH BÌNH", or
# "ỦY BAN NHÂN DÂN" over "THỊ TRẤN CẨM XUYÊN". It usually stands top left, above the title, but
# clerks also put it under the title, beside the period or right of the motto: anywhere in the
# header block (spreadsheets.md, "Identifying the unit"). A recipient carries its label
# ("Kính gửi: UBND …", "Nơi nhận:" over its list) and names no unit.
ISSUER_PREFIXES = ("uy ban nhan dan ", "ubnd ")
BARE_ISSUERS = {"uy ban nhan dan", "ubnd"}
UNIT_TYPE_WORDS = ("xa ", "phuong ", "thi tran ", "huyen ", "thi xa ", "thanh pho ", "tinh ")
# The level a type word names, lowest first: a managing body ("UBND HUYỆN …") may stand beside
# the issuing body, which is the lowest one named.
ISSUER_LEVELS = (("thi tran ", 0), ("thi xa ", 2), ("thanh pho ", 2), ("xa ", 0), ("phuong ", 0),
                 ("huyen ", 2), ("tinh ", 3))
RECIPIENT_LABELS = ("kinh gui", "noi nhan")
_IN_BRACKETS = re.compile(r"\(([A-Z0-9_]+)\)")
_CODE_LIKE = re.compile(r"^[A-Za-z0-9_.\-]+$")
HEADER_SCAN_ROWS = 60
MORE_VI = "và {:,} ô khác"  # bounded_list's tail in a Vietnamese message
# The catalogue's `reported_by` levels as a clerk names them.
LEVELS_VI = {"xa": "xã (không gồm phường, thị trấn)", "commune": "cấp xã", "district": "cấp huyện",
             "province": "cấp tỉnh"}


@dataclass
class Finding:
    rule: str
    severity: str  # error: refused or quarantined; warning: loaded and flagged for review
    message: str
    sheet: str = ""
    row: int | None = None  # 1-based, as Excel shows it
    col: int | None = None  # 0-based
    raw_text: str | None = None
    unit_code: str | None = None
    element_code: str | None = None
    period: str | None = None
    message_vi: str | None = None  # the detail in Vietnamese, for `validate --lang vi`

    @property
    def cell(self) -> str:
        if self.row is None:
            return ""
        if self.col is None:
            return f"row {self.row}"
        return cell_name(self.row - 1, self.col)


@dataclass
class ValueRow:
    unit_code: str
    element_code: str
    value: float | None
    missing: str | None
    raw_text: str
    row: int
    col: int


@dataclass
class SheetResult:
    sheet: str
    status: str  # loaded, rejected, skipped
    layout: str | None = None
    unit: Unit | None = None
    period: Period | None = None
    values: list[ValueRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    targets: list[Any] = field(default_factory=list)  # ingest.targets.TargetRow, targets sheets only
    rows_read: int = 0
    rows_quarantined: int = 0


def _text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _normalise(grid: Grid) -> list[list[Any]]:
    """NFC everywhere; a sheet typed in a legacy font is converted as a whole."""
    rows = [[nfc(v) if isinstance(v, str) else v for v in row] for row in grid.rows]
    sample = " ".join(v for row in rows[:200] for v in row if isinstance(v, str))
    if sample and looks_legacy(sample):
        encoding = detect_legacy_encoding(sample)
        if encoding:
            rows = [[convert_legacy(v, encoding) if isinstance(v, str) and v else v for v in row]
                    for row in rows]
    return rows


def _label_value(rows: list[list[Any]], r: int, c: int, labels: tuple[str, ...]) -> str | None:
    """The value beside a label: after a colon in the same cell, or in the next filled cell."""
    key = fold(_text(rows[r][c]))
    for label in labels:
        if key == label or key == label + ":":
            for cc in range(c + 1, min(len(rows[r]), c + 6)):
                if _text(rows[r][cc]):
                    return _text(rows[r][cc])
            return ""
        if key.startswith(label) and key[len(label):].lstrip().startswith(":"):
            raw = _text(rows[r][c])
            return raw.split(":", 1)[1].strip()
    return None


def _header_block(rows: list[list[Any]], end: int) -> dict[str, str]:
    found: dict[str, str] = {}
    for r in range(min(end, len(rows))):
        for c in range(len(rows[r])):
            if not isinstance(rows[r][c], str) or not rows[r][c]:
                continue
            for kind, labels in (("code", UNIT_CODE_LABELS), ("name", UNIT_NAME_LABELS),
                                 ("period", PERIOD_LABELS)):
                if kind in found:
                    continue
                value = _label_value(rows, r, c, labels)
                if value is not None:
                    found[kind] = value
                    break
    return found


def _issuer_level(name: str) -> int:
    """How high the unit an issuing body names stands (0 commune, 1 unknown, 2 district, 3
    province), from its type word after "UBND"."""
    key = fold(name)
    for prefix in ISSUER_PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix):]
            break
    return next((level for word, level in ISSUER_LEVELS if key.startswith(word)), 1)


def _letterhead(rows: list[list[Any]], end: int) -> str | None:
    """The unit named only as the issuing body, anywhere in the header block above the table:
    the lowest issuing body there (a managing body may stand beside it), the first of them if
    several are as low, with the unit on the row below a bare "ỦY BAN NHÂN DÂN". The motto and
    the title name no unit; nor does a recipient, on a row holding "Kính gửi" or "Nơi nhận" or
    in the list under such a label alone on its row (until a blank row)."""
    found: list[str] = []
    recipients = False  # inside the list under a bare "Kính gửi:" / "Nơi nhận:"
    for r in range(min(end, len(rows))):
        cells = [(c, _text(v)) for c, v in enumerate(rows[r]) if isinstance(v, str) and _text(v)]
        if not cells:
            recipients = False
            continue
        labels = [fold(text).startswith(RECIPIENT_LABELS) for _, text in cells]
        if any(labels):
            recipients = len(cells) == 1 and fold(cells[0][1]).rstrip(": ") in RECIPIENT_LABELS
            continue
        if recipients:
            continue
        for c, text in cells:
            key = fold(text)
            if key not in BARE_ISSUERS and not key.startswith(ISSUER_PREFIXES):
                continue
            below = _text(rows[r + 1][c]) if r + 1 < min(end, len(rows)) and c < len(rows[r + 1]) \
                else ""
            if below and fold(below).startswith(UNIT_TYPE_WORDS):
                found.append(f"UBND {below}")  # "ỦY BAN NHÂN DÂN" (or the managing body) over the unit
            elif key not in BARE_ISSUERS:
                found.append(text)
    return min(found, key=_issuer_level) if found else None


@dataclass
class TableShape:
    layout: str
    header_row: int
    data_start: int
    code_col: int | None = None
    value_col: int | None = None
    unit_code_col: int | None = None
    unit_name_col: int | None = None
    element_cols: dict[int, str] = field(default_factory=dict)


def _element_code(header: str, catalogue: dict[str, Element]) -> str | None:
    upper = header.strip().upper()
    if upper in catalogue:
        return upper
    m = _IN_BRACKETS.search(header)
    if m and m.group(1) in catalogue:
        return m.group(1)
    return None


def _find_table(rows: list[list[Any]], catalogue: dict[str, Element]) -> TableShape | None:
    for r in range(min(HEADER_SCAN_ROWS, len(rows))):
        labels = [fold(_text(v)) for v in rows[r]]
        below = [fold(_text(v)) for v in rows[r + 1]] if r + 1 < len(rows) else []
        code_col = next((c for c, lab in enumerate(labels) if lab in CODE_HEADERS), None)
        if code_col is not None:
            value_col, two_rows = None, False
            for wanted in VALUE_HEADERS:
                for c, lab in enumerate(labels):
                    if lab == wanted:
                        value_col = c
                        break
                for c, lab in enumerate(below):
                    if value_col is None and lab == wanted:
                        value_col, two_rows = c, True
                if value_col is not None:
                    break
            if value_col is not None:
                return TableShape("A", r, r + (2 if two_rows else 1), code_col=code_col,
                                  value_col=value_col)
        unit_code_col = next((c for c, lab in enumerate(labels) if lab in B_UNIT_CODE_HEADERS), None)
        unit_name_col = next((c for c, lab in enumerate(labels) if lab in B_UNIT_NAME_HEADERS), None)
        if unit_code_col is None and unit_name_col is None:
            continue
        elements = {c: code for c, v in enumerate(rows[r])
                    if (code := _element_code(_text(v), catalogue))}
        if elements:
            return TableShape("B", r, r + 1, unit_code_col=unit_code_col,
                              unit_name_col=unit_name_col, element_cols=elements)
    return None


def _is_signature(row: list[Any]) -> bool:
    return any(fold(_text(v)).startswith(SIGNATURE_WORDS) for v in row if isinstance(v, str))


def parse_grid(grid: Grid, catalogue: dict[str, Element], resolver: UnitResolver) -> SheetResult:
    """Everything one sheet says, as values and findings; never raises for bad content."""
    result = SheetResult(grid.name, "skipped")
    rows = _normalise(grid)
    shape = _find_table(rows, catalogue)
    if not grid.visible:
        result.findings.append(Finding(
            rule="hidden_sheet", severity="info", message="hidden sheet: not read", sheet=grid.name))
        return result
    if shape is None:
        result.findings.append(Finding(
            rule="no_table", severity="info",
            message="no indicator table found (no 'Mã chỉ tiêu' + 'Giá trị' "
                    "columns, nor a unit column with indicator columns): skipped", sheet=grid.name))
        return result
    result.layout = shape.layout
    block = _header_block(rows, shape.header_row)
    if "name" not in block and (letterhead := _letterhead(rows, shape.header_row)):
        block["name"] = letterhead
    period_text = block.get("period")
    period = parse_period(period_text) if period_text else None
    if period is None:
        where = f"'{period_text}' is not a period" if period_text else "no 'Kỳ báo cáo' line found"
        result.status = "rejected"
        result.findings.append(Finding(
            rule="bad_period", severity="error",
            message=f"reporting period unreadable: {where} (write e.g. 'Năm 2021', 'Tháng 12/2021', "
                    "'Quý IV/2021')",
            message_vi=(f"'{period_text}' không phải là kỳ báo cáo" if period_text
                        else "không thấy dòng 'Kỳ báo cáo'") + " (ghi ví dụ 'Năm 2021', 'Tháng 12/2021', "
                                                             "'Quý IV/2021')",
            sheet=grid.name, raw_text=period_text))
        return result
    result.period = period
    try:
        unit = resolver.resolve(block.get("code"), block.get("name"), period.first_day,
                                period.last_day)
    except UnitError as exc:
        result.status = "rejected"
        result.findings.append(Finding(
            rule=exc.rule, severity="error", message=str(exc), message_vi=exc.message_vi, sheet=grid.name,
            raw_text=block.get("code") or block.get("name"), period=period.code))
        return result
    result.unit = unit
    result.status = "loaded"
    empty_communes: list[tuple[Unit, int, int]] = []
    if shape.layout == "A":
        _read_long(rows, shape, grid, catalogue, result)
    else:
        empty_communes = _read_wide(rows, shape, grid, catalogue, resolver, result)
    _settle_duplicates(result, grid.name)
    _refuse_blank(result)
    if result.status == "loaded" and shape.layout == "A":
        _name_empty_rows(result, catalogue)
    if result.status == "loaded":
        _name_empty_commune_rows(result, empty_communes)
    return result


def _name_empty_rows(result: SheetResult, catalogue: dict[str, Element]) -> None:
    """A row the template issues for the unit and period (indicators.md: the elements its
    level reports as its own part, collected in the period) left empty is named, each with its
    cell, as a warning: a unit may have nothing to report, but a clerk may have skipped it.
    A GSO mark ("-", "...", "x") is something sent, not an empty row."""
    assert result.unit is not None and result.period is not None
    for v in result.values:
        element = catalogue[v.element_code]
        if v.missing != "not_reported" or not on_form(element, result.unit) \
                or not element.valid_in(result.period):
            continue
        result.findings.append(Finding(
            rule="empty_template_row", severity="warning",
            message=f"{v.element_code} ({element.name_vi}) is left empty: not reported for "
                    f"{result.period.code} (write '-' for none, '...' if not collected)",
            message_vi=f"dòng {v.element_code} ({element.name_vi}) để trống: chưa báo cáo "
                       f"{period_label(result.period)}",
            sheet=result.sheet, row=v.row, col=v.col, unit_code=result.unit.code,
            element_code=v.element_code, period=result.period.code))


def _name_empty_commune_rows(result: SheetResult, empty: list[tuple[Unit, int, int]]) -> None:
    """A commune's row of a district's table with every value cell empty is no report for that
    commune (spreadsheets.md: one report per commune row; a report holding no value replaces
    nothing): its cells load as not reported, which the warehouse neither counts as the
    commune's report nor as a correction. Named like a template row left empty, as a warning."""
    assert result.unit is not None and result.period is not None
    for commune, r, c in empty:
        result.findings.append(Finding(
            rule="empty_template_row", severity="warning",
            message=f"the row of {commune.name} ({commune.code}) is left empty: {commune.name} has not "
                    f"reported for {result.period.code} (write '-' for none, '...' if not collected)",
            message_vi=f"dòng của {commune.name} ({commune.code}) để trống: {commune.name} chưa báo cáo "
                       f"{period_label(result.period)}",
            sheet=result.sheet, row=r + 1, col=c, unit_code=commune.code, period=result.period.code))


def collection_dates(element: Element) -> tuple[str, str]:
    """The element's collection dates as the catalogue gives them, in English and Vietnamese."""
    def vi(day: date) -> str:
        return day.strftime("%d/%m/%Y")
    if element.valid_from and element.valid_to:
        return (f"from {element.valid_from} to {element.valid_to}",
                f"từ ngày {vi(element.valid_from)} đến ngày {vi(element.valid_to)}")
    if element.valid_to:
        return f"until {element.valid_to}", f"đến ngày {vi(element.valid_to)}"
    assert element.valid_from is not None
    return f"from {element.valid_from}", f"từ ngày {vi(element.valid_from)}"


def _refuse_blank(result: SheetResult) -> None:
    """A report holding no value at all (a blank template sent by mistake) is refused and
    replaces nothing (spreadsheets.md, Resubmission): were it loaded, the newest report of
    the unit and period would be empty and the month's figures would vanish. A deliberate
    mark ("-", "x", "...") or a refused cell is something sent, not a blank."""
    if result.rows_quarantined or any(v.value is not None or v.missing not in (None, "not_reported")
                                      for v in result.values):
        return
    assert result.period is not None and result.unit is not None
    result.status = "rejected"
    result.rows_quarantined, result.values = result.rows_read, []
    result.findings.append(Finding(
        rule="blank_report", severity="error",
        message=f"no value at all in {result.rows_read} rows for {result.unit.name} "
                f"({result.unit.code}), {result.period.code}: a blank template? Refused; it "
                "replaces nothing (the last report sent stays in use)",
        message_vi=f"không có số liệu nào trong {result.rows_read} dòng của {result.unit.name} "
                   f"({result.unit.code}), {period_label(result.period)}: gửi nhầm mẫu trống? Không nhận; "
                   "báo cáo gửi trước vẫn được dùng",
        sheet=result.sheet, unit_code=result.unit.code, period=result.period.code))


def _settle_duplicates(result: SheetResult, sheet: str) -> None:
    """One element given twice for one unit in one sheet is never settled silently: the
    same value twice is loaded once (the copy quarantined with a warning); different values
    are all quarantined, since nothing in the sheet says which is right."""
    assert result.period is not None
    seen: dict[tuple[str, str], list[ValueRow]] = {}
    for v in result.values:
        seen.setdefault((v.unit_code, v.element_code), []).append(v)
    dropped: set[int] = set()
    for (unit_code, element_code), rows in seen.items():
        if len(rows) < 2:
            continue
        names = [cell_name(v.row - 1, v.col) for v in rows]
        same = len({(v.value, v.missing) for v in rows}) == 1
        values = bounded_list([v.raw_text or "(empty)" for v in rows])
        values_vi = bounded_list([v.raw_text or "(trống)" for v in rows], more=MORE_VI)
        for v in rows[1:] if same else rows:
            dropped.add(id(v))
            own = cell_name(v.row - 1, v.col)  # first: a bounded list still names this cell
            cells = bounded_list([own] + [n for n in names if n != own])
            cells_vi = bounded_list([own] + [n for n in names if n != own], more=MORE_VI)
            message = (f"{element_code} is given {len(rows)} times in this sheet ({cells}) with "
                       "the same value: loaded once" if same else
                       f"{element_code} is given {len(rows)} times in this sheet ({cells}) with "
                       f"different values ({values}): "
                       "none is loaded; keep one row and send the report again")
            message_vi = (f"{element_code} ghi {len(rows)} lần trong trang này ({cells_vi}) cùng một số: "
                          "chỉ nhận một lần" if same else
                          f"{element_code} ghi {len(rows)} lần trong trang này ({cells_vi}) với các số khác "
                          f"nhau ({values_vi}): không nhận số nào; giữ một dòng và gửi lại báo cáo")
            _quarantine(result, Finding(
                rule="duplicate_element", severity="warning" if same else "error", message=message,
                message_vi=message_vi,
                sheet=sheet, row=v.row, col=v.col, raw_text=v.raw_text, unit_code=unit_code,
                element_code=element_code, period=result.period.code))
    if dropped:
        result.values = [v for v in result.values if id(v) not in dropped]


def _quarantine(result: SheetResult, finding: Finding) -> None:
    result.rows_quarantined += 1
    result.findings.append(finding)


def _read_long(rows: list[list[Any]], shape: TableShape, grid: Grid,
               catalogue: dict[str, Element], result: SheetResult) -> None:
    assert result.unit is not None and result.period is not None
    blank_run = 0
    for r in range(shape.data_start, len(rows)):
        row = rows[r]
        if _is_signature(row):
            break
        if not any(_text(v) for v in row):
            blank_run += 1
            if blank_run >= 3:
                break
            continue
        blank_run = 0
        code_raw = _text(row[shape.code_col]) if shape.code_col < len(row) else ""
        raw = row[shape.value_col] if shape.value_col < len(row) else None
        if not code_raw or (not _CODE_LIKE.match(code_raw) and not _text(raw)):
            continue  # a section row ("I. KINH TẾ") or a note: not data
        result.rows_read += 1
        code = code_raw.upper()
        if code not in catalogue:
            _quarantine(result, Finding(
                rule="unknown_indicator", severity="error",
                message=f"indicator code {code_raw!r} is not in the catalogue",
                message_vi=f"mã chỉ tiêu '{code_raw}' không có trong danh mục", sheet=grid.name, row=r + 1,
                col=shape.code_col, raw_text=code_raw, unit_code=result.unit.code, element_code=None,
                period=result.period.code))
            continue
        _take(result, grid, catalogue[code], result.unit, raw, r, shape.value_col)


def _take(result: SheetResult, grid: Grid, element: Element, unit: Unit, raw: Any,
          r: int, c: int) -> None:
    assert result.period is not None
    unit_code = unit.code
    raw_text = _text(raw)
    if raw_text and not element.may_be_sent_by(unit):
        who = ", ".join("xã" if t == "xa" else t for t in element.reported_by)
        who_vi = ", ".join(LEVELS_VI.get(t, t) for t in element.reported_by)
        _quarantine(result, Finding(
            rule="not_reported_by_level", severity="error",
            message=f"{element.code} is reported by {who} (catalogue 'reported by'), not by "
                    f"{unit.name} ({unit.unit_type}): not loaded",
            message_vi=f"{element.code} ({element.name_vi}) do {who_vi} báo cáo (theo danh mục), không "
                       f"phải {unit.name} ({unit.unit_type}): không nhận", sheet=grid.name, row=r + 1, col=c,
            raw_text=raw_text, unit_code=unit_code, element_code=element.code, period=result.period.code))
        return
    parsed = parse_cell(raw, element, (r, c) in grid.percent_cells)
    if not parsed.ok:
        _quarantine(result, Finding(
            rule=parsed.rule or "", severity="error", message=parsed.message or "",
            message_vi=parsed.message_vi, sheet=grid.name,
            row=r + 1, col=c, raw_text=raw_text, unit_code=unit_code, element_code=element.code,
            period=result.period.code))
        return
    result.values.append(ValueRow(unit_code, element.code, parsed.value, parsed.missing,
                                  raw_text, r + 1, c))
    if parsed.value is not None and not element.valid_in(result.period):
        dates, dates_vi = collection_dates(element)
        result.findings.append(Finding(
            rule="outside_collection_dates", severity="warning",
            message=f"{element.code} is collected {dates} (catalogue), not for {result.period.code}: "
                    "loaded and flagged for review",
            message_vi=f"{element.code} ({element.name_vi}) chỉ thu thập {dates_vi}, không thu thập "
                       f"cho {period_label(result.period)}: đã nhận, cần rà soát",
            sheet=grid.name, row=r + 1, col=c, raw_text=raw_text, unit_code=unit_code,
            element_code=element.code, period=result.period.code))


def _read_wide(rows: list[list[Any]], shape: TableShape, grid: Grid, catalogue: dict[str, Element],
               resolver: UnitResolver, result: SheetResult) -> list[tuple[Unit, int, int]]:
    """Each commune x indicator cell is one row of the long form, loaded or quarantined.
    Returns the communes whose row sent nothing (every value cell empty), with the row and its
    first value column."""
    assert result.unit is not None and result.period is not None
    district = result.unit
    children = resolver.children(district.code, result.period.last_day)
    child_resolver = UnitResolver(tuple(children), resolver.changes)
    sums: dict[int, float] = dict.fromkeys(shape.element_cols, 0.0)
    empty: list[tuple[Unit, int, int]] = []
    for r in range(shape.data_start, len(rows)):
        row = rows[r]
        if _is_signature(row):
            break
        if not any(_text(v) for v in row):
            continue
        code = _text(row[shape.unit_code_col]) if shape.unit_code_col is not None else ""
        name = _text(row[shape.unit_name_col]) if shape.unit_name_col is not None else ""
        if any(fold(_text(v)) in TOTAL_LABELS for v in row[:max(shape.element_cols)]):
            _check_total(row, r, shape, grid, catalogue, sums, result)
            continue
        if not code and not name:
            continue
        try:
            unit = child_resolver.resolve(code or None, name or None, result.period.first_day,
                                          result.period.last_day)
        except UnitError as exc:
            for c in shape.element_cols:
                result.rows_read += 1
                _quarantine(result, Finding(
                    rule="unit_not_in_district" if exc.rule == "unknown_unit" else exc.rule,
                    severity="error", message=f"{exc} (among the communes of {district.name})",
                    message_vi=f"{exc.message_vi} (trong các xã của {district.name})" if exc.message_vi
                    else f"'{code or name}' không phải là xã của {district.name}",
                    sheet=grid.name, row=r + 1, col=shape.unit_code_col if code else shape.unit_name_col,
                    raw_text=code or name, unit_code=None, element_code=shape.element_cols[c],
                    period=result.period.code))
            continue
        row_start, refused = len(result.values), result.rows_quarantined
        for c, element_code in shape.element_cols.items():
            result.rows_read += 1
            raw = row[c] if c < len(row) else None
            before = len(result.values)
            _take(result, grid, catalogue[element_code], unit, raw, r, c)
            if len(result.values) > before and result.values[-1].value is not None:
                sums[c] += result.values[-1].value
        if result.rows_quarantined == refused and shape.element_cols and all(
                v.value is None and v.missing == "not_reported" for v in result.values[row_start:]):
            empty.append((unit, r, min(shape.element_cols)))
    return empty


def _check_total(row: list[Any], r: int, shape: TableShape, grid: Grid,
                 catalogue: dict[str, Element], sums: dict[int, float],
                 result: SheetResult) -> None:
    assert result.period is not None and result.unit is not None
    for c, element_code in shape.element_cols.items():
        element = catalogue[element_code]
        raw = row[c] if c < len(row) else None
        if element.agg_over_units not in {"sum", "count_yes"} or _text(raw) == "":
            continue
        stated = parse_cell(raw, catalogue[element_code]) if element.value_type != "yes_no" \
            else parse_cell(raw, catalogue["HH_TOTAL"])
        if stated.value is None or abs(stated.value - sums[c]) <= 1e-6 * max(1.0, abs(sums[c])):
            continue
        result.findings.append(Finding(
            rule="total_mismatch", severity="warning",
            message=f"total row says {_text(raw)} for {element_code} but the commune rows add up to "
                    f"{sums[c]:g}",
            message_vi=f"dòng tổng cộng ghi {_text(raw)} cho {element_code} nhưng cộng các dòng xã được "
                       f"{sums[c]:g}", sheet=grid.name, row=r + 1, col=c, raw_text=_text(raw),
            unit_code=result.unit.code, element_code=element_code, period=result.period.code))
