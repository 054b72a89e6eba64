"""The review as an Excel workbook: one sheet per level, then reports received and findings.

Numbers are stored as numbers with a Vietnamese-tagged number format and the catalogue's
decimals, so the office can compute with them; headers are frozen and filtered. Clerk-typed
text reaches the workbook (unit names, file names, messages): every string is written as
text, never as a formula, and a leading = + - @ is neutralised by `safe_text` so a later CSV
export cannot turn it into one either.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import xlsxwriter

from base import fmt
from base.text import safe_text, writable
from chitieu.review.data import Review, Target
from chitieu.review.labels import LABELS, rule_text


class _Sheet:
    """One table per sheet: a title row, a frozen and filtered header row, typed cells."""

    def __init__(self, book: xlsxwriter.Workbook, name: str, title: str, headers: list[str],
                 widths: list[int], formats: dict):
        self.ws = book.add_worksheet(name[:31])
        self.formats = formats
        self.ws.write_string(0, 0, safe_text(writable(title)), formats["title"])
        for c, (h, w) in enumerate(zip(headers, widths, strict=True)):
            self.ws.write_string(2, c, safe_text(writable(h)), formats["header"])
            self.ws.set_column(c, c, w)
        self.ws.freeze_panes(3, 1)
        self.ncols = len(headers)
        self.row = 3

    def add(self, cells: list[object], decimals: list[int | None] | None = None) -> None:
        for c, value in enumerate(cells):
            places = decimals[c] if decimals else None
            if value is None:
                continue
            if isinstance(value, bool):
                value = str(value)
            if isinstance(value, int | float):
                self.ws.write_number(self.row, c, value, self.formats["num"][places or 0])
            else:
                self.ws.write_string(self.row, c, safe_text(writable(value)), self.formats["text"])
        self.row += 1

    def close(self) -> None:
        self.ws.autofilter(2, 0, max(self.row - 1, 2), self.ncols - 1)


def _formats(book: xlsxwriter.Workbook) -> dict:
    return {
        "title": book.add_format({"bold": True, "font_size": 13}),
        "header": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                   "valign": "top"}),
        "text": book.add_format({"text_wrap": False}),
        "num": {d: book.add_format({"num_format": fmt.excel_number_format(d)}) for d in range(0, 5)},
    }


def _approval_word(approved: bool, printed: bool, lang: str) -> str | None:
    """Whether a row's printed figures are approved (the page's ‡, as a column: a number cell
    stays a number); blank where the row prints no figure."""
    if not printed:
        return None
    return LABELS[lang]["approved_word" if approved else "unapproved_word"]


def _target_cells(t: Target, lang: str) -> tuple[list[object], list[int | None]]:
    ind = t.indicator
    d = ind.decimals
    cells = [t.unit_name, ind.code, ind.name(lang), fmt.unit_of_measure(ind.unit, lang),
             fmt.target_text(t.kind, t.low, t.high, d, ind.unit, lang), t.low, t.high, t.actual,
             t.gap, fmt.status_word(t.status, lang), _approval_word(t.approved, t.actual is not None, lang)]
    return cells, [None, None, None, None, None, d, d, d, d, None, None]


def write_workbook(review: Review, path: Path, lang: str = "vi", today: date | None = None) -> Path:
    """The workbook at `path`; with `today`, the first sheet says under its title when the data
    were published and the report made (Vietnam time), as the page does."""
    from chitieu.review.html import subtitle

    text = LABELS[lang]
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                           "strings_to_urls": False})
    formats = _formats(book)
    headers = [text["unit_name"], text["code"], text["indicator"], text["unit"], text["target"],
               text["target_low"], text["target_high"], text["actual"], text["gap"], text["status"],
               text["approval"]]
    widths = [22, 22, 48, 14, 24, 12, 12, 14, 12, 18, 14]
    title = text["title"].format(year=review.year)
    # The province's targets.
    sheet = _Sheet(book, text["sheet_province"], f"{title} — {review.province_name}", headers, widths,
                   formats)
    if today is not None:
        sheet.ws.write_string(1, 0, str(safe_text(subtitle(review, lang, today))))
    for t in review.targets:
        sheet.add(*_target_cells(t, lang))
    sheet.close()
    # The level below the province: its figures, then its own targets.
    if review.breakdown:
        b = review.breakdown
        name = text["sheet_commune" if b.level == "commune" else "sheet_district"]
        cols = [text["code"], text["unit_name"],
                *[f"{i.name(lang)} ({fmt.unit_of_measure(i.unit, lang)})" for i in b.indicators],
                text["own_target"], text["approval"]]
        heading = text["breakdown_commune" if b.level == "commune" else "breakdown_district"]
        sheet = _Sheet(book, name, heading, cols, [10, 28] + [16] * len(b.indicators) + [50, 14], formats)
        for r in b.rows:
            own = "; ".join(fmt.describe_target(t, lang) for t in r.targets)
            values = [r.values.get(i.code) for i in b.indicators]
            printed = any(v is not None for v in values)
            approval = _approval_word(r.approved, printed, lang)
            sheet.add([r.unit_code, r.unit_name, *values, own or None, approval],
                      [None, None, *[i.decimals for i in b.indicators], None, None])
        sheet.close()
    # Reports received.
    sheet = _Sheet(book, text["sheet_completeness"], text["completeness"],
                   [text["period"], text["expected"], text["received"], text["on_time"], text["pct"],
                    text["missing"]], [12, 12, 12, 12, 14, 80], formats)
    for c in review.completeness:
        sheet.add([c.period, c.expected, c.received, c.on_time, c.pct, ", ".join(c.missing) or None],
                  [None, 0, 0, 0, 1, None])
    sheet.close()
    # Findings, one row per rule with where to look.
    sheet = _Sheet(book, text["sheet_findings"], text["findings"],
                   [text["rule"], text["code"], text["severity"], text["count"], text["where"]],
                   [40, 22, 16, 10, 100], formats)
    for f in review.findings:
        sheet.add([rule_text(f.rule, lang), f.rule, text.get(f.severity, f.severity), f.count,
                   " | ".join(f.examples)], [None, None, None, 0, None])
    sheet.close()
    book.close()
    return path
