"""The shortfall report of each published run: an Excel workbook and an HTML page.

Read from the published file (what BI tools see), so the report and the dashboards agree.
Clerk-typed text can reach the workbook (unit names in findings, raw cell text): every
string is written as text, never as a formula, and a leading = + - @ is neutralised so a
later CSV export cannot turn it into one either.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
STATUS_VI = {"met": "Đạt", "exceeded": "Vượt", "missed": "Không đạt",
             "at_risk": "Có nguy cơ không đạt",
             "on_track": "Đúng tiến độ", "no_data": "Chưa có số liệu"}


def safe_text(value: object) -> object:
    """Text that no spreadsheet will evaluate; numbers pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass
class Headline:
    year: int
    met: int
    total: int

    def __str__(self) -> str:
        return f"{self.year}: {self.met} of {self.total} targets met"


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate in used:
        candidate = f"{clean[:28]} {n}"
        n += 1
    used.add(candidate)
    return candidate


def default_year(con: duckdb.DuckDBPyConnection, province: str, today: date | None = None) -> int | None:
    """The current year (the latest year with targets, not after today's): the report's default."""
    today = today or date.today()
    row = con.execute("SELECT max(year) FROM marts.scorecard WHERE unit_code = ? AND year <= ?",
                      [province, today.year]).fetchone()
    return row[0] if row and row[0] is not None else None


def headline(con: duckdb.DuckDBPyConnection, province: str, year: int) -> Headline | None:
    row = con.execute("SELECT year, targets_met, targets_total FROM marts.scorecard "
                      "WHERE unit_code = ? AND year = ?", [province, year]).fetchone()
    return Headline(*row) if row else None


def write_reports(published_db: Path, out_dir: Path, year: int | None = None) -> dict[str, str]:
    """Write shortfalls.xlsx and shortfalls.html for one target year (default: the current
    year, on today's units; an earlier year on request, on that year's units); returns their
    paths and the headline."""
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        province = con.execute("SELECT unit_code FROM reference.admin_units "
                               "WHERE unit_level = 'province'").fetchone()[0]
        year = year or default_year(con, province)
        head = headline(con, province, year) if year else None
        shortfalls = con.execute("""
            SELECT t.unit_code, u.unit_name, u.unit_level, t.year, t.indicator_code,
                   i.name_vi, t.status, t.actual, t.target_kind, t.target_low, t.target_high,
                   t.gap, i.unit_of_measure
            FROM marts.target_attainment t
            JOIN reference.admin_units u ON u.unit_code = t.unit_code
             AND make_date(t.year, 12, 31) BETWEEN u.valid_from AND u.valid_to
            JOIN reference.indicators i USING (indicator_code)
            WHERE t.status IN ('missed', 'at_risk') AND t.year = ?
            ORDER BY u.unit_level DESC, t.unit_code, t.indicator_code""", [year]).fetchall()
        attainment = con.execute("""
            SELECT t.indicator_code, t.year, t.status, t.actual, t.target_low, t.target_high
            FROM marts.target_attainment t WHERE t.unit_code = ? AND t.year = ?
            ORDER BY t.indicator_code""", [province, year]).fetchall()
        completeness = con.execute("""
            SELECT c.period, c.completeness_pct, c.missing_units
            FROM marts.reporting_completeness c
            WHERE c.unit_code = ? AND c.period LIKE ? ORDER BY c.period""",
                                   [province, f"{year}%"]).fetchall()
    finally:
        con.close()
    xlsx = out_dir / "shortfalls.xlsx"
    _write_workbook(xlsx, shortfalls)
    page = out_dir / "shortfalls.html"
    page.write_text(_html(head, shortfalls, attainment, completeness), encoding="utf-8")
    return {"xlsx": str(xlsx), "html": str(page), "headline": str(head) if head else "no targets"}


def _write_workbook(path: Path, shortfalls: list[tuple]) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                           "strings_to_numbers": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    headers = ["Mã chỉ tiêu", "Chỉ tiêu", "Năm", "Tình trạng", "Thực hiện", "Loại mục tiêu",
               "Mục tiêu (dưới)", "Mục tiêu (trên)", "Chênh lệch", "ĐVT"]
    by_unit: dict[tuple[str, str], list[tuple]] = {}
    for row in shortfalls:
        by_unit.setdefault((row[0], row[1]), []).append(row)
    used: set[str] = set()
    if not by_unit:
        book.add_worksheet("Tổng hợp").write(0, 0, "Không có chỉ tiêu nào không đạt.")
    for (_, unit_name), rows in by_unit.items():
        ws = book.add_worksheet(_sheet_name(unit_name, used))
        ws.write_string(0, 0, safe_text(f"Các chỉ tiêu không đạt / có nguy cơ — {unit_name}"))
        for c, h in enumerate(headers):
            ws.write_string(2, c, h, bold)
        for r, row in enumerate(rows, start=3):
            (_, _, _, year, code, name, status, actual, kind, low, high, gap, uom) = row
            values = [code, name, year, STATUS_VI.get(status, status), actual, kind, low, high,
                      gap, uom]
            for c, value in enumerate(values):
                if value is None:
                    continue
                if isinstance(value, int | float):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, safe_text(str(value)))
        ws.set_column(0, 0, 26)
        ws.set_column(1, 1, 48)
        ws.set_column(2, 9, 14)
    book.close()


def _bar_chart(title: str, bars: list[tuple[str, float, str]], max_value: float = 100.0) -> str:
    """A horizontal SVG bar chart: (label, value, colour)."""
    height = 24 * len(bars) + 40
    parts = [f'<svg width="760" height="{height}" role="img" aria-label="{html.escape(title)}">']
    parts.append(f'<text x="0" y="16" font-weight="bold">{html.escape(title)}</text>')
    for i, (label, value, colour) in enumerate(bars):
        y = 30 + 24 * i
        width = max(0.0, min(1.0, value / max_value if max_value else 0)) * 420
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{html.escape(label)}</text>')
        parts.append(f'<rect x="260" y="{y}" width="{width:.1f}" height="18" fill="{colour}"/>')
        parts.append(f'<text x="{265 + width:.1f}" y="{y + 14}" font-size="12">{value:.1f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _html(head: Headline | None, shortfalls, attainment, completeness) -> str:
    colours = {"met": "#2e7d32", "exceeded": "#1b5e20", "missed": "#c62828", "at_risk": "#ef6c00",
               "on_track": "#1565c0", "no_data": "#9e9e9e"}
    bars = []
    for code, year, status, actual, low, high in attainment:
        if actual is None or not low:
            continue
        target = high if high and status != "met" and actual > high else low
        ratio = 100 * actual / target if target else 0
        bars.append((f"{year} {code} ({STATUS_VI.get(status, status)})", abs(ratio),
                     colours.get(status, "#555")))
    chart1 = _bar_chart("Thực hiện so với mục tiêu (% mục tiêu), toàn tỉnh", bars, 150)
    chart2 = _bar_chart("Tỷ lệ báo cáo đã nhận theo kỳ, toàn tỉnh (%)",
                        [(p, pct, "#1565c0") for p, pct, _ in completeness])
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in (
            name, year, code, STATUS_VI.get(status, status), actual, low, high, gap, uom)) + "</tr>"
        for (_, name, _, year, code, _, status, actual, _, low, high, gap, uom) in shortfalls)
    title = html.escape(str(head)) if head else "No targets"
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>chitieu — {title}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px}}</style></head><body>
<h1>{title}</h1>
{chart1}
{chart2}
<h2>Chỉ tiêu không đạt hoặc có nguy cơ</h2>
<table><tr><th>Đơn vị</th><th>Năm</th><th>Mã</th><th>Tình trạng</th><th>Thực hiện</th>
<th>Mục tiêu (dưới)</th><th>Mục tiêu (trên)</th><th>Chênh lệch</th><th>ĐVT</th></tr>{rows}</table>
</body></html>
"""
