"""The planning office's targets workbook, written for a year (`python -m clerk template
--targets YEAR`): the year's published targets first, then rows pre-filled with the year.
The reader of the same workbook is ingest/targets.py; this side reads the published warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.targets import KIND_LABELS, TEMPLATE_HEADERS


def template_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    """The template's table: its Vietnamese header and the given targets."""
    table: list[list[Any]] = [TEMPLATE_HEADERS]
    for t in rows:
        table.append([t["year"], t["unit_code"], t["indicator_code"],
                      KIND_LABELS[t["target_kind"]], t["target_low"], t.get("target_high"),
                      t.get("source", "")])
    return table


def write_template(path: Path, rows: list[dict[str, Any]], year: int | None = None,
                   blank_rows: int = 0) -> None:
    """The targets workbook as the office edits it: Vietnamese headers, a list of kinds,
    numbers stored as numbers, frozen header, and an instructions sheet. With `year`, the
    next `blank_rows` rows carry that year already (the reader skips a row holding only its
    year) and the year column accepts only it."""
    import xlsxwriter

    table = template_rows(rows)
    book = xlsxwriter.Workbook(str(path))
    try:
        sheet = book.add_worksheet("Chỉ tiêu")
        bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        text = book.add_format({"num_format": "@"})
        for c, header in enumerate(table[0]):
            sheet.write_string(0, c, header, bold)
        for r, row in enumerate(table[1:], start=1):
            sheet.write_number(r, 0, row[0])
            sheet.write_string(r, 1, str(row[1]), text)
            sheet.write_string(r, 2, row[2])
            sheet.write_string(r, 3, row[3])
            sheet.write_number(r, 4, row[4])
            if row[5] is not None:
                sheet.write_number(r, 5, row[5])
            sheet.write_string(r, 6, row[6] or "")
        if year is not None:
            for r in range(len(table), len(table) + blank_rows):
                sheet.write_number(r, 0, year)
        last = max(len(table) + blank_rows + 200, 500)
        sheet.data_validation(1, 3, last, 3, {"validate": "list",
                                              "source": list(KIND_LABELS.values())})
        first_year, last_year = (year, year) if year is not None else (2000, 2100)
        sheet.data_validation(1, 0, last, 0, {"validate": "integer", "criteria": "between",
                                              "minimum": first_year, "maximum": last_year})
        sheet.set_column(1, 1, 12, text)
        sheet.set_column(0, 0, 8)
        sheet.set_column(2, 2, 26)
        sheet.set_column(3, 3, 26)
        sheet.set_column(4, 5, 12)
        sheet.set_column(6, 6, 40)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, len(table) - 1, len(table[0]) - 1)
        notes = book.add_worksheet("Hướng dẫn")
        for r, line in enumerate(INSTRUCTIONS):
            notes.write_string(r, 0, line)
        notes.set_column(0, 0, 110)
    finally:
        book.close()


def targets_in_force(published: Path | None, year: int) -> list[dict[str, Any]]:
    """The year's targets already published (marts.targets), so that a correction starts from
    them; none when there is no published warehouse."""
    if published is None or not published.exists():
        return []
    import duckdb

    with duckdb.connect(str(published), read_only=True) as con:
        cur = con.execute(
            "SELECT year, unit_code, indicator_code, target_kind, target_low, target_high, "
            "coalesce(target_source, '') AS source FROM marts.targets WHERE year = ? "
            "ORDER BY unit_code, indicator_code", [year])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def write_year_template(out_dir: Path, year: int, published: Path | None,
                        blank_rows: int = 60) -> Path:
    """`python -m clerk template --targets YEAR`: the targets workbook of one year, its
    published targets first (a correction is a new send), then rows pre-filled with the year."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"chi_tieu_ke_hoach_{year}.xlsx"
    write_template(path, targets_in_force(published, year), year=year, blank_rows=blank_rows)
    return path


INSTRUCTIONS = [
    "Bảng chỉ tiêu kế hoạch theo Nghị quyết của HĐND tỉnh — mỗi dòng một chỉ tiêu của một đơn vị "
    "trong một năm.",
    "Năm: năm kế hoạch (ví dụ 2026). Mã đơn vị: mã GSO (42 là tỉnh; mã xã, phường có 5 chữ số).",
    "Mã chỉ tiêu: mã trong danh mục chỉ tiêu (ví dụ POVERTY_RATE, BUDGET_REVENUE).",
    "Loại chỉ tiêu: Tối thiểu (đạt ít nhất Mức thấp), Tối đa (không vượt Mức thấp), Trong khoảng "
    "(từ Mức thấp đến Mức cao), Thay đổi so với năm trước (mức tăng/giảm so với năm trước, điểm %).",
    "Mức thấp, Mức cao: số; dùng dấu phẩy cho phần thập phân (6,5). Mức cao chỉ điền cho 'Trong khoảng' "
    "và 'Thay đổi'.",
    "Nguồn: số, ngày Nghị quyết hoặc văn bản giao chỉ tiêu.",
    "Gửi tệp này vào thư mục nhận báo cáo; hệ thống đọc lại mỗi đêm, dòng mới nhất thay thế dòng cũ "
    "cùng năm, đơn vị, chỉ tiêu. Dòng sai được báo lỗi kèm ô cần sửa, các dòng khác vẫn được dùng.",
]
