"""Write one clerk template workbook: the report sheet(s) the reader reads, and instructions.

Everything a clerk should not change (letterhead with the unit's code, name and period, the
element codes, names and units, last period's figures) is locked behind sheet protection;
only the value and notes cells are open, each value cell with a data validation that fits its
element. The validations warn rather than stop, because the GSO marks "-", "..." and "x" are
valid answers in any number cell (docs/spec/spreadsheets.md).

The letterhead and tables are laid out exactly as `ingest.layouts` reads them (layout A: one
unit, element rows; layout B: a district's communes as rows, elements as columns), so a
filled template is read back without a finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from base.fmt import excel_number_format, number
from base.periods import Period, period_label
from base.reference import Element, Unit, on_form
from base.text import safe_text
from clerk.last_values import LastValue

YES_NO = ["Đạt", "Chưa đạt"]
GSO_MARKS = "'-' = không phát sinh, '...' = không thu thập được, 'x' = không áp dụng"
A_HEADER = ["STT", "Mã chỉ tiêu", "Tên chỉ tiêu", "Đơn vị tính", "Thực hiện",
            "Báo cáo kỳ trước", "Kỳ trước", "Ghi chú"]
A_VALUE_COL, A_LAST_COL, A_LAST_PERIOD_COL, A_NOTES_COL = 4, 5, 6, 7
LETTERHEAD_ROWS = 9  # motto, title, code, name, period, due date; the table header follows
A_SHEET = "Báo cáo"
B_SHEET = "Bảng các xã"
DISTRICT_OWN_SHEET = "Báo cáo của huyện"
INSTRUCTIONS_SHEET = "Hướng dẫn"
# Protection keeps what the reader relies on; the clerk may still resize and select.
PROTECTION = {"select_locked_cells": True, "select_unlocked_cells": True,
              "format_columns": True, "format_rows": True}



@dataclass(frozen=True)
class UnitSheet:
    """A layout-A sheet: one unit, one row per element it reports for the period."""

    unit: Unit
    elements: list[Element]
    last: dict[str, LastValue] = field(default_factory=dict)
    name: str = A_SHEET


@dataclass(frozen=True)
class TableSheet:
    """A layout-B sheet: a district's communes as rows, the communes' elements as columns."""

    district: Unit
    communes: list[Unit]
    elements: list[Element]
    last: dict[str, dict[str, LastValue]] = field(default_factory=dict)  # commune -> element


@dataclass(frozen=True)
class Template:
    """One workbook for one addressee (the unit that fills and sends it)."""

    unit: Unit
    period: Period
    due: date | None
    send_to: str
    table: TableSheet | None = None
    own: UnitSheet | None = None


def _bound(x: float | None) -> float | int | None:
    """A catalogue bound as Excel shows it in the rule: 0, not 0.0."""
    return int(x) if x is not None and float(x).is_integer() else x


# Excel's limit on a cell prompt's title
_TITLE_MAX = 32
MARKS_SHORT = "'-', '...' hoặc 'x'"


def _vi(x: float | int) -> str:
    """A bound as a clerk reads it: 1.000.000.000, 0,5 (never 1e+09)."""
    decimals = 0 if float(x).is_integer() else len(repr(float(x)).split(".")[1])
    return number(x, decimals)


def _title(name: str) -> str:
    """The element's Vietnamese name as the prompt's title, cut with an ellipsis at Excel's 32."""
    return name if len(name) <= _TITLE_MAX else name[:_TITLE_MAX - 1].rstrip() + "…"


def validation(element: Element) -> dict[str, Any]:
    """The data validation of an element's value cell, for xlsxwriter's `data_validation`.

    Counts: whole numbers from the element's minimum (0); amounts and rates: decimals within
    the catalogue's range; yes/no: the dropdown "Đạt / Chưa đạt". A warning, not a stop, so
    that the GSO marks stay possible; the prompt says what is expected.
    """
    lo, hi = _bound(element.min_value), _bound(element.max_value)
    if element.value_type == "yes_no":
        rule: dict[str, Any] = {"validate": "list", "source": YES_NO}
        expect = "Chọn Đạt hoặc Chưa đạt"
    else:
        kind = "integer" if element.is_whole else "decimal"
        if lo is not None and hi is not None:
            rule = {"validate": kind, "criteria": "between", "minimum": lo, "maximum": hi}
            expect = f"Số từ {_vi(lo)} đến {_vi(hi)}"
        elif lo is not None:
            rule = {"validate": kind, "criteria": ">=", "value": lo}
            expect = f"Số không nhỏ hơn {_vi(lo)}"
        elif hi is not None:
            rule = {"validate": kind, "criteria": "<=", "value": hi}
            expect = f"Số không lớn hơn {_vi(hi)}"
        else:
            rule = {"validate": kind, "criteria": "between", "minimum": -1e15, "maximum": 1e15}
            expect = "Số"
        expect += " (số nguyên)" if element.is_whole else " (phần thập phân dùng dấu phẩy)"
    rule.update({
        "error_type": "warning",
        "input_title": _title(element.name_vi),
        "input_message": f"{expect}, đơn vị: {element.unit_of_measure}. {GSO_MARKS}."[:255],
        "error_title": "Kiểm tra số liệu",
        # Yes keeps only a GSO mark; a number out of range is corrected, never kept
        "error_message": f"{expect}. Nếu ô ghi ký hiệu {MARKS_SHORT}, chọn Yes; nếu là số, chọn No "
                         "và sửa lại."[:255],
    })
    return rule


def shown(element: Element, last: LastValue | None) -> Any:
    """Last period's figure as the clerk should compare it: a number, or Đạt / Chưa đạt."""
    if last is None:
        return None
    if element.value_type == "yes_no":
        return YES_NO[0] if last.value >= 0.5 else YES_NO[1]
    return last.value


def _print_setup(sheet: Any) -> None:
    """A4 landscape, one page wide: offices print the filled report for signature."""
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)


class _Book:
    """The workbook and its formats: one place that knows what is locked and what is open."""

    def __init__(self, path: Path) -> None:
        import xlsxwriter

        self.book = xlsxwriter.Workbook(str(path))
        add = self.book.add_format
        self.motto = add({"bold": True, "align": "center"})
        self.title = add({"bold": True, "font_size": 14})
        self.label = add({"bold": True})
        self.fixed = add({"bg_color": "#F2F2F2", "border": 1, "num_format": "@"})
        self.header = add({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                           "valign": "vcenter", "align": "center"})
        self.cell = add({"border": 1, "text_wrap": True, "valign": "vcenter"})
        # Last period's figures in the review workbook's Vietnamese-tagged format (38.430;
        # 4,68), with the catalogue's decimals, as the instructions ask the clerk to type them.
        self.last_by_decimals = {d: add({"border": 1, "font_color": "#595959",
                                         "num_format": excel_number_format(d)}) for d in range(5)}
        self.last = self.last_by_decimals[0]
        self.open_whole = add({"border": 1, "locked": False, "bg_color": "#FFFFFF",
                               "num_format": excel_number_format(0), "border_color": "#2F75B5"})
        self.open_decimal = add({"border": 1, "locked": False, "bg_color": "#FFFFFF",
                                 "num_format": excel_number_format(0) + ".0##",
                                 "border_color": "#2F75B5"})
        self.open_text = add({"border": 1, "locked": False, "bg_color": "#FFFFFF",
                              "text_wrap": True, "border_color": "#2F75B5"})
        self.closed = add({"border": 1, "bg_color": "#D9D9D9"})

    def last_format(self, element: Element) -> Any:
        return self.last_by_decimals[0 if element.is_whole else min(element.decimals, 4)]

    def value_format(self, element: Element) -> Any:
        if element.value_type == "yes_no":
            return self.open_text
        return self.open_whole if element.is_whole else self.open_decimal

    def text(self, sheet: Any, row: int, col: int, value: str, fmt: Any = None) -> None:
        """Every string from reference data or options written as text, never a formula."""
        sheet.write_string(row, col, str(safe_text(value)), fmt)

    def letterhead(self, sheet: Any, unit: Unit, period: Period, due: date | None,
                   title: str) -> None:
        """Motto, title and the label/value cells the reader looks for above the table."""
        self.text(sheet, 0, 2, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", self.motto)
        self.text(sheet, 1, 2, "Độc lập - Tự do - Hạnh phúc", self.motto)
        self.text(sheet, 3, 1, title, self.title)
        lines = [("Mã đơn vị:", unit.code), ("Đơn vị báo cáo:", unit.name),
                 ("Kỳ báo cáo:", period_label(period))]
        if due is not None:
            lines.append(("Hạn gửi:", due.strftime("%d/%m/%Y")))
        for r, (label, value) in enumerate(lines, start=4):
            self.text(sheet, r, 1, label, self.label)
            self.text(sheet, r, 2, value, self.fixed)

    def signature(self, sheet: Any, row: int, left: int, right: int) -> None:
        """The signature block ends the table for the reader, as on a paper report."""
        self.text(sheet, row, left, "Người lập biểu", self.label)
        self.text(sheet, row, right, "Thủ trưởng đơn vị", self.label)
        self.text(sheet, row + 1, left, "(Ký, ghi rõ họ tên)")
        self.text(sheet, row + 1, right, "(Ký, đóng dấu)")

    def unit_sheet(self, spec: UnitSheet, period: Period, due: date | None) -> None:
        sheet = self.book.add_worksheet(spec.name)
        self.letterhead(sheet, spec.unit, period, due, "BÁO CÁO CHỈ TIÊU THỐNG KÊ")
        head = LETTERHEAD_ROWS
        for c, h in enumerate(A_HEADER):
            self.text(sheet, head, c, h, self.header)
        for i, element in enumerate(spec.elements):
            r = head + 1 + i
            sheet.write_number(r, 0, i + 1, self.cell)
            self.text(sheet, r, 1, element.code, self.cell)
            self.text(sheet, r, 2, element.name_vi, self.cell)
            self.text(sheet, r, 3, element.unit_of_measure, self.cell)
            sheet.write_blank(r, A_VALUE_COL, None, self.value_format(element))
            sheet.data_validation(r, A_VALUE_COL, r, A_VALUE_COL, validation(element))
            last = spec.last.get(element.code)
            value = shown(element, last)
            if isinstance(value, str):
                self.text(sheet, r, A_LAST_COL, value, self.last)
            elif value is not None:
                sheet.write_number(r, A_LAST_COL, value, self.last_format(element))
            else:
                sheet.write_blank(r, A_LAST_COL, None, self.last)
            if last is not None:
                self.text(sheet, r, A_LAST_PERIOD_COL, period_label(last.period), self.cell)
            else:
                sheet.write_blank(r, A_LAST_PERIOD_COL, None, self.cell)
            sheet.write_blank(r, A_NOTES_COL, None, self.open_text)
        self.signature(sheet, head + len(spec.elements) + 2, 1, 5)
        for c, width in enumerate((6, 26, 58, 12, 16, 16, 16, 36)):
            sheet.set_column(c, c, width)
        sheet.set_row(head, 32)
        sheet.freeze_panes(head + 1, 0)
        _print_setup(sheet)
        sheet.protect("", PROTECTION)

    def table_sheet(self, spec: TableSheet, period: Period, due: date | None) -> None:
        sheet = self.book.add_worksheet(B_SHEET)
        self.letterhead(sheet, spec.district, period, due, "BẢNG TỔNG HỢP CHỈ TIÊU CÁC XÃ")
        head = LETTERHEAD_ROWS
        self.text(sheet, head, 0, "Mã xã", self.header)
        self.text(sheet, head, 1, "Tên xã", self.header)
        notes_col = 2 + len(spec.elements)
        for j, element in enumerate(spec.elements):
            self.text(sheet, head, 2 + j,
                      f"{element.name_vi}, {element.unit_of_measure} ({element.code})", self.header)
        self.text(sheet, head, notes_col, "Ghi chú", self.header)
        for i, commune in enumerate(spec.communes):
            r = head + 1 + i
            self.text(sheet, r, 0, commune.code, self.fixed)
            self.text(sheet, r, 1, commune.name, self.cell)
            last = spec.last.get(commune.code, {})
            for j, element in enumerate(spec.elements):
                c = 2 + j
                if not on_form(element, commune):  # a ward's NTM status: not its to send
                    sheet.write_blank(r, c, None, self.closed)
                    continue
                sheet.write_blank(r, c, None, self.value_format(element))
                sheet.data_validation(r, c, r, c, validation(element))
                before = last.get(element.code)
                if before is not None:
                    figure = shown(element, before)
                    if isinstance(figure, float):  # 38.430, as the clerk types it
                        figure = number(figure, 0 if element.is_whole else element.decimals)
                    sheet.write_comment(r, c, f"Kỳ trước ({period_label(before.period)}): {figure}",
                                        {"x_scale": 1.4})
            sheet.write_blank(r, notes_col, None, self.open_text)
        self.signature(sheet, head + len(spec.communes) + 2, 1, max(3, notes_col - 1))
        sheet.set_column(0, 0, 9)
        sheet.set_column(1, 1, 24)
        sheet.set_column(2, notes_col - 1, 14)
        sheet.set_column(notes_col, notes_col, 30)
        sheet.set_row(head, 90)
        sheet.freeze_panes(head + 1, 2)
        _print_setup(sheet)
        sheet.protect("", PROTECTION)

    def instructions(self, rows: list[str]) -> None:
        """One wrapped paragraph a row, each row as tall as its lines: a spreadsheet does not
        grow a row for wrapped text it did not lay out, and printed lines would overlap."""
        sheet = self.book.add_worksheet(INSTRUCTIONS_SHEET)
        self.text(sheet, 0, 0, "HƯỚNG DẪN ĐIỀN BIỂU MẪU", self.title)
        wrap = self.book.add_format({"text_wrap": True, "valign": "top"})
        for r, line in enumerate(rows, start=2):
            self.text(sheet, r, 0, line, wrap)
            sheet.set_row(r, instruction_row_height(line))
        sheet.set_column(0, 0, INSTRUCTION_WIDTH)
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
        sheet.set_margins(left=0.6, right=0.6, top=0.6, bottom=0.6)
        sheet.protect("", PROTECTION)

    def close(self) -> None:
        self.book.close()


INSTRUCTION_WIDTH = 64  # characters: fits A4 portrait even where Calibri is replaced by a wider font
LINE_POINTS = 15.5  # one line of 11-point text, with its leading


def instruction_row_height(text: str) -> float:
    """Points for `text` wrapped at INSTRUCTION_WIDTH, with room for wider letters (diacritics,
    capitals): about 85 % of the column's nominal characters fit a line."""
    per_line = int(INSTRUCTION_WIDTH * 0.85)
    lines = max(1, -(-len(text) // per_line))
    return lines * LINE_POINTS + 4


def instruction_lines(template: Template) -> list[str]:
    """The instructions sheet, in Vietnamese: what to type where, the GSO marks, the deadline."""
    unit, period = template.unit, template.period
    lines = [
        f"Biểu mẫu báo cáo của {unit.name} (mã {unit.code}), kỳ báo cáo {period_label(period)}.",
        "Chỉ nhập vào các ô nền trắng viền xanh: cột 'Thực hiện' (hoặc cột của từng chỉ tiêu "
        "trong bảng các xã) và cột 'Ghi chú'. Các ô khác (mã đơn vị, kỳ báo cáo, mã và tên chỉ "
        "tiêu) đã khóa; không đổi tên trang tính, không chèn hay xóa dòng, cột.",
        "Số liệu: gõ số như thường lệ (1.234 hoặc 1234); phần thập phân dùng dấu phẩy (4,5). "
        "Chỉ tiêu đếm (hộ, người, ca...) là số nguyên không âm.",
        "Chỉ tiêu Đạt/Chưa đạt: chọn trong danh sách của ô.",
        "Quy ước của Cục Thống kê: dấu gạch ngang '-' là không phát sinh (bằng 0); "
        "'...' là có phát sinh nhưng không thu thập được; 'x' là không áp dụng. "
        "Ô để trống là chưa báo cáo. Khi Excel cảnh báo một ô ghi các ký hiệu này, chọn Yes để "
        "giữ ký hiệu; khi Excel cảnh báo một con số, chọn No và sửa lại số.",
        "Cột 'Báo cáo kỳ trước' (trong bảng các xã: ghi chú của ô) là số liệu đã công bố của kỳ "
        "trước. Nếu số liệu kỳ này chênh lệch nhiều, hãy kiểm tra lại và ghi lý do vào 'Ghi chú'.",
    ]
    if template.due is not None:
        days = (template.due - period.last_day).days
        lines.append(f"Hạn gửi: ngày {template.due.strftime('%d/%m/%Y')} ({days} ngày sau khi "
                     "kết thúc kỳ báo cáo, theo lịch báo cáo).")
    else:
        lines.append("Kỳ này không có trong lịch báo cáo định kỳ của cấp đơn vị; gửi khi được yêu cầu.")
    lines += [
        f"Nơi gửi: {template.send_to}. Gửi nguyên tệp này (định dạng .xlsx, không đặt mật khẩu); "
        "có thể đổi tên tệp.",
        "Nếu tệp có lỗi, Cục Thống kê sẽ báo lại ô cần sửa; sửa đúng ô đó rồi gửi lại.",
        "Gửi lại tệp đã sửa cho cùng kỳ: báo cáo gửi sau thay thế báo cáo gửi trước.",
    ]
    return lines


def write_book(path: Path, template: Template) -> None:
    """One workbook: the district's table of its communes, then the unit's own report sheet,
    then the instructions."""
    book = _Book(path)
    try:
        if template.table is not None:
            book.table_sheet(template.table, template.period, template.due)
        if template.own is not None:
            book.unit_sheet(template.own, template.period, template.due)
        book.instructions(instruction_lines(template))
        first = book.book.worksheets()[0]
        first.activate()
        first.set_first_sheet()
    finally:
        book.close()
