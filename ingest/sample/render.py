"""Lay out reports the way clerks type them: layout A (one unit) and layout B (district wide).

Each function returns `Sheet`s; the variations of the spreadsheet contract (free header
position, label and value in one cell or two, Vietnamese number text, "-" and "...",
NFD text, merged two-row headers, section rows, signature blocks) are chosen by the
caller's random generator so the inbox is reproducible from its seed.
"""

from __future__ import annotations

import random
import unicodedata
from typing import Any

from base.reference import Element
from ingest.sample.workbook import Percent, Sheet

MOTTO = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
TITLE = "BÁO CÁO KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU KINH TẾ - XÃ HỘI"
SIGNATURE = [["Người lập biểu", None, None, "Thủ trưởng đơn vị"],
             [None, None, None, "CHỦ TỊCH"],
             ["Ngày ... tháng ... năm ...", None, None, None]]
SECTIONS = {
    "I. KINH TẾ": {"BUDGET_REVENUE", "INVEST_PROJECTS_DOMESTIC", "INVEST_CAPITAL_DOMESTIC",
                   "INVEST_PROJECTS_FDI", "INVEST_CAPITAL_FDI", "GRDP_GROWTH", "GRDP_PER_CAPITA",
                   "INCOME_PER_CAPITA", "PUBLIC_INVEST_DISBURSED"},
    "II. XÃ HỘI": None,  # everything else
}


def vn_number(value: float, decimals: int | None = None) -> str:
    """Vietnamese number text: '.' groups thousands, ',' marks decimals."""
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 2
    text = f"{value:,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def cell_text(element: Element, value: float | None, rng: random.Random, style: str) -> Any:
    """How a clerk would have typed one value."""
    if value is None:
        return rng.choice(["...", "…"])
    if element.value_type == "yes_no":
        yes = rng.choice(["Đạt", "Có", "x", "1"]) if style == "text" else 1
        no = rng.choice(["Chưa đạt", "Không đạt", "Không", "0"]) if style == "text" else 0
        return yes if value else no
    if value == 0 and element.is_whole and rng.random() < 0.5:
        return "-"
    if style == "percent" and element.value_type == "percent":
        return Percent(round(value / 100, 6))
    if style == "text":
        return vn_number(value)
    if style == "english" and element.is_whole and value >= 1000:
        return f"{int(value):,}"
    return int(value) if float(value).is_integer() else value


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def header_block(unit_label: list[list[Any]], period_text: str, rng: random.Random) -> list[list[Any]]:
    """Motto, title, unit and period lines, with label and value in one cell or two."""
    rows: list[list[Any]] = [[None, None, None, MOTTO[0]], [None, None, None, MOTTO[1]], [],
                             [TITLE]]
    rows += unit_label
    if rng.random() < 0.5:
        rows.append([f"Kỳ báo cáo: {period_text}"])
    else:
        rows.append([rng.choice(["Kỳ báo cáo", "Kỳ", "Period"]), period_text])
    rows.append([])
    return rows


def unit_lines(code: str | None, name: str | None, rng: random.Random) -> list[list[Any]]:
    rows: list[list[Any]] = []
    if code is not None:
        label = rng.choice(["Mã đơn vị", "Mã ĐVHC", "Unit code"])
        rows.append([f"{label}: {code}"] if rng.random() < 0.5 else [label, code])
    if name is not None:
        label = rng.choice(["Đơn vị báo cáo", "Đơn vị", "Tên đơn vị"])
        rows.append([f"{label}: {name}"] if rng.random() < 0.5 else [label, name])
    return rows


def layout_a(
    sheet_name: str,
    unit_rows: list[list[Any]],
    period_text: str,
    items: list[tuple[Element, Any]],
    rng: random.Random,
    offset_cols: int = 0,
) -> Sheet:
    """One unit's long-form report; `items` are (element, cell already typed)."""
    rows = header_block(unit_rows, period_text, rng)
    merges: list[tuple[int, int, int, int]] = []
    two_row = rng.random() < 0.3
    columns = ["STT", "Mã chỉ tiêu", "Tên chỉ tiêu", "ĐVT", "Kế hoạch", "Thực hiện", "Ghi chú"]
    if rng.random() < 0.4:
        columns = ["STT", "Chỉ tiêu", "Mã số", "Đơn vị tính", "Giá trị", "Ghi chú"]
        two_row = False
    if two_row:
        top = len(rows)
        first = ["STT", "Mã số", "Tên chỉ tiêu", "ĐVT", "Năm báo cáo", None, "Ghi chú"]
        second = [None, None, None, None, "Kế hoạch", "Thực hiện", None]
        rows += [first, second]
        merges.append((top, 4 + offset_cols, top, 5 + offset_cols))
        for c in (0, 1, 2, 3, 6):
            merges.append((top, c + offset_cols, top + 1, c + offset_cols))
    else:
        rows.append(list(columns))
    index = {name: i for i, name in enumerate(rows[-1] if not two_row else columns)}
    code_col = index.get("Mã chỉ tiêu", index.get("Mã số", 1))
    name_col = index.get("Tên chỉ tiêu", index.get("Chỉ tiêu", 2))
    unit_col = index.get("ĐVT", index.get("Đơn vị tính", 3))
    value_col = index.get("Thực hiện", index.get("Giá trị", 5))
    width = len(columns)
    number = 0
    for section, members in SECTIONS.items():
        chosen = [(e, v) for e, v in items
                  if (members is None and not any(e.code in m for m in SECTIONS.values() if m))
                  or (members is not None and e.code in members)]
        if not chosen:
            continue
        rows.append([section] + [None] * (width - 1))
        for element, typed in chosen:
            number += 1
            row: list[Any] = [None] * width
            row[0] = number
            row[code_col] = element.code
            row[name_col] = element.name_vi
            row[unit_col] = element.unit_of_measure
            row[value_col] = typed
            rows.append(row)
    rows.append([])
    rows += SIGNATURE
    if offset_cols:
        rows = [[None] * offset_cols + r for r in rows]
    return Sheet(sheet_name, rows, merges)


def layout_b(
    sheet_name: str,
    district_rows: list[list[Any]],
    period_text: str,
    elements: list[Element],
    communes: list[tuple[str, str, list[Any]]],
    total_row: list[Any] | None,
    rng: random.Random,
) -> Sheet:
    """A district's table of its communes: (code, name, typed cells in element order)."""
    rows = header_block(district_rows, period_text, rng)
    header = ["STT", "Mã xã", "Tên xã"]
    header += [f"{e.name_vi} ({e.code})" if rng.random() < 0.6 else e.code for e in elements]
    rows.append(header)
    for n, (code, name, cells) in enumerate(communes, start=1):
        rows.append([n, code, name, *cells])
    if total_row is not None:
        rows.append([None, None, rng.choice(["Tổng cộng", "Cộng", "Toàn huyện"]), *total_row])
    rows.append([])
    rows += SIGNATURE
    return Sheet(sheet_name, rows)
