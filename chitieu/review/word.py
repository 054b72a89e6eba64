"""The review as an editable Word document (.docx, python-docx): the same draft as the PDF,
because the office edits the wording before it signs.

Same words and figures as the page (`html.context`), in the frame of Decree 30/2020/NĐ-CP:
A4, margins 20/20/30/15 mm, Times New Roman 13 pt (LibreOffice shows Liberation Serif, the
same metrics), the issuing body and number top left, the national motto top right, title,
body, "Nơi nhận:" and the signature block with room to sign and a line for the signer's name.
No charts: the office rewrites text, not drawings.

Every table's grid (w:tblGrid, what LibreOffice lays out by) and its cells' widths (w:tcW,
what Word does) are the same, fixed widths: the header's columns as wide as the motto needs
to stay on one line, a data table's columns sized by their content (`column_widths`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from base.text import writable
from chitieu.review.data import Review
from chitieu.review.frame import Frame
from chitieu.review.html import context
from chitieu.review.measure import column_widths, text_mm

FONT = "Times New Roman"
BODY_PT, TABLE_PT, SMALL_PT, FRAME_PT = 13, 10, 11, 12
TEXT_MM = 210 - 30 - 15  # A4 less the left and right margins
CELL_PAD_MM = 2 * 1.91 + 1.5  # Word's default cell margins (0.075 in each side) and some slack
NAME_LINES = 2  # the longest name in a table wraps over at most this many lines
SIGN_ROOM = 4  # empty lines between the signer's title and name: signature and seal


def _style(doc: Any) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):  # Vietnamese letters are hAnsi
        fonts.set(qn(attr), FONT)
    normal.paragraph_format.space_after = Pt(3)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)


def _line(cell_or_doc: Any, text: str, bold: bool = False, italic: bool = False,
          size: int | None = None, align: Any = WD_ALIGN_PARAGRAPH.CENTER, first: bool = False) -> Any:
    """One paragraph of one run; `first` reuses a table cell's empty first paragraph."""
    para = cell_or_doc.paragraphs[0] if first else cell_or_doc.add_paragraph()
    para.alignment = align
    para.paragraph_format.space_after = Pt(0)
    run = para.add_run(writable(text))  # a file name or a cell may hold anything
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)
    return para


def _no_borders(table: Any) -> None:
    borders = table._tbl.tblPr.first_child_found_in("w:tblBorders")
    if borders is not None:
        table._tbl.tblPr.remove(borders)


def set_widths(table: Any, widths_mm: list[float]) -> None:
    """Fixed column widths, the same in the grid, in every cell and in the table's own width,
    so Word and LibreOffice lay the table out alike."""
    table.autofit = False
    tbl = table._tbl
    for col, width in zip(tbl.tblGrid.gridCol_lst, widths_mm, strict=True):
        col.w = Mm(width)
    tbl_w = tbl.tblPr.find(qn("w:tblW"))  # python-docx's new table has one (type auto)
    if tbl_w is not None:
        tbl_w.set(qn("w:type"), "dxa")
        tbl_w.set(qn("w:w"), str(round(sum(widths_mm) / 25.4 * 1440)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _frame_top(doc: Any, frame: dict) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = table.rows[0].cells
    right_mm = max(text_mm(frame["motto"], FRAME_PT, bold=True),
                   text_mm(frame["motto_sub"], FRAME_PT + 1, bold=True),
                   text_mm(frame["place_date"], FRAME_PT + 1)) + CELL_PAD_MM
    set_widths(table, [TEXT_MM - right_mm, right_mm])
    _line(left, frame["parent"], size=FRAME_PT, first=True)
    _line(left, frame["issuer"], bold=True, size=FRAME_PT)
    _line(left, "―――――", size=8)
    _line(left, frame["number"], size=FRAME_PT)
    _line(right, frame["motto"], bold=True, size=FRAME_PT, first=True)
    _line(right, frame["motto_sub"], bold=True, size=FRAME_PT + 1)
    _line(right, "―――――――――", size=8)
    _line(right, frame["place_date"], italic=True, size=13)
    _line(doc, "")
    _line(doc, frame["doc_kind"], bold=True, size=14)
    _line(doc, frame["subject"], bold=True, size=14)


def _table(doc: Any, headers: list[str], rows: list[list[str]], numeric: set[int]) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for c, header in enumerate(headers):
        _line(table.rows[0].cells[c], header, bold=True, size=TABLE_PT, first=True)
    for row in rows:
        cells = table.add_row().cells
        for c, value in enumerate(row):
            align = WD_ALIGN_PARAGRAPH.RIGHT if c in numeric else WD_ALIGN_PARAGRAPH.LEFT
            _line(cells[c], str(value), size=TABLE_PT, align=align, first=True)
    set_widths(table, column_widths(headers, [[str(v) for v in row] for row in rows], numeric, TEXT_MM,
                                    TABLE_PT, CELL_PAD_MM, NAME_LINES))


def _heading(doc: Any, text: str) -> None:
    _line(doc, text, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT).paragraph_format.space_before = Pt(9)


def _unapproved_note(doc: Any, shown: bool, t: dict) -> None:
    """Under a table that marks a figure not yet approved (‡), what the mark means."""
    if shown:
        _line(doc, f"‡ {t['unapproved']}", italic=True, size=SMALL_PT, align=WD_ALIGN_PARAGRAPH.LEFT)


def _body(doc: Any, ctx: dict) -> None:
    t = ctx["t"]
    if ctx["subtitle"]:
        _line(doc, ctx["subtitle"], italic=True, size=SMALL_PT)
    if ctx["in_progress"]:
        _line(doc, ctx["in_progress"], italic=True, size=SMALL_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _line(doc, ctx["opening"], align=WD_ALIGN_PARAGRAPH.JUSTIFY).paragraph_format.first_line_indent = Mm(10)
    if ctx["frame"]["reform"]:
        para = _line(doc, ctx["frame"]["reform"], align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        para.paragraph_format.first_line_indent = Mm(10)
    if ctx["opening_unapproved"]:
        _line(doc, ctx["opening_unapproved"], italic=True, size=SMALL_PT, align=WD_ALIGN_PARAGRAPH.LEFT)
    _heading(doc, f"{t['scorecard']}: {ctx['headline']}")
    _heading(doc, t["targets"])
    _table(doc, [t["indicator"], t["target"], t["actual"], t["gap"], t["status"]],
           [[r["name"], r["target"], r["actual"], r["gap"], r["status"]] for r in ctx["targets"]],
           {1, 2, 3})
    _unapproved_note(doc, ctx["any_unapproved"], t)
    if ctx["unit_targets"]:
        _heading(doc, t["unit_targets"])
        _table(doc, [t["unit_name"], t["indicator"], t["target"], t["actual"], t["status"]],
               [[r["unit_name"], r["name"], r["target"], r["actual"], r["status"]]
                for r in ctx["unit_targets"]], {2, 3})
        _unapproved_note(doc, ctx["any_unit_unapproved"], t)
    b = ctx["breakdown"]
    if b:
        _heading(doc, b["title"])
        _table(doc, [t["unit_name"], *b["columns"]], [[r["name"], *r["values"]] for r in b["rows"]],
               set(range(1, len(b["columns"]) + 1)))
        _unapproved_note(doc, b["any_unapproved"], t)
    _heading(doc, t["completeness"])
    _table(doc, [t["period"], t["expected"], t["received"], t["on_time"], t["pct"], t["missing"]],
           [[c["period"], c["expected"], c["received"], c["on_time"], c["pct"], c["missing"]]
            for c in ctx["completeness"]], {1, 2, 3, 4})
    _heading(doc, t["findings"])
    if ctx["findings"]:
        _table(doc, [t["rule"], t["severity"], t["count"], t["where"]],
               [[f["rule"] + (f"\n{t['action']}: {f['action']}" if f["action"] else ""),
                 f["severity"], str(f["count"]), "\n".join(f["examples"])] for f in ctx["findings"]],
               {2})
    else:
        _line(doc, t["no_findings"], align=WD_ALIGN_PARAGRAPH.LEFT)


def _signature(doc: Any, frame: dict) -> None:
    _line(doc, "")
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    set_widths(table, [TEXT_MM / 2, TEXT_MM / 2])
    left, right = table.rows[0].cells
    _line(left, frame["recipients_title"], bold=True, italic=True, size=12,
          align=WD_ALIGN_PARAGRAPH.LEFT, first=True)
    for r in frame["recipients"]:
        _line(left, f"- {r}", size=SMALL_PT, align=WD_ALIGN_PARAGRAPH.LEFT)
    _line(right, frame["signer"], bold=True, size=13, first=True)
    _line(right, frame["sign_note"], italic=True, size=13)
    for _ in range(SIGN_ROOM):
        _line(right, "")
    _line(right, frame["signer_name"], bold=True, size=13)


def write_docx(review: Review, frame: Frame, path: Path, lang: str, today: date) -> Path:
    """The editable draft at `path` (the caller writes it under a temporary name and renames it)."""
    ctx = context(review, lang, today, frame)
    doc = Document()
    _style(doc)
    doc.core_properties.title = writable(f"{ctx['frame']['doc_kind']} {ctx['frame']['subject']}", 255)
    doc.core_properties.language = lang
    _frame_top(doc, ctx["frame"])
    _body(doc, ctx)
    _signature(doc, ctx["frame"])
    doc.save(str(path))
    return path
