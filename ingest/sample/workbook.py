"""Write a sheet grid as .xlsx, .xls, .ods or .csv, the way clerks' tools would.

A `Sheet` is a plain grid (rows of cells) plus merged ranges. Keeping the layout apart
from the file format lets the sample generator and the tests build one report and save it
in every format the spreadsheet contract accepts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Percent:
    """A numeric cell formatted as a percentage in Excel (stored 0.0468, shown 4,68 %)."""

    fraction: float


@dataclass(frozen=True)
class ExcelError:
    """An Excel error value such as #DIV/0!, stored as a formula's cached result."""

    code: str


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    hidden: bool = False


def _display(value: Any) -> str:
    """Text a CSV export would hold for a cell."""
    if value is None:
        return ""
    if isinstance(value, Percent):
        return f"{value.fraction * 100:.2f}".replace(".", ",") + " %"
    if isinstance(value, ExcelError):
        return value.code
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _unmerged_cells(sheet: Sheet) -> Iterator[tuple[int, int, Any]]:
    """Filled cells outside merged ranges (a merged range's value is written with the merge)."""
    merged = {(r, c) for r1, c1, r2, c2 in sheet.merges
              for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    for r, row in enumerate(sheet.rows):
        for c, value in enumerate(row):
            if value is not None and (r, c) not in merged:
                yield r, c, value


def write_xlsx(path: Path, sheets: list[Sheet]) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    pct = book.add_format({"num_format": "0.00%"})
    for sheet in sheets:
        ws = book.add_worksheet(sheet.name)
        if sheet.hidden:
            ws.hide()
        for r1, c1, r2, c2 in sheet.merges:
            ws.merge_range(r1, c1, r2, c2, sheet.rows[r1][c1])
        for r, c, value in _unmerged_cells(sheet):
            if isinstance(value, Percent):
                ws.write_number(r, c, value.fraction, pct)
            elif isinstance(value, ExcelError):
                ws.write_formula(r, c, "=1/0", None, value.code)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
    book.close()


def write_xls(path: Path, sheets: list[Sheet]) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    pct = xlwt.easyxf(num_format_str="0.00%")
    for sheet in sheets:
        ws = book.add_sheet(sheet.name[:31])
        if sheet.hidden:
            ws.visibility = 1
        for r1, c1, r2, c2 in sheet.merges:
            ws.write_merge(r1, r2, c1, c2, sheet.rows[r1][c1])
        for r, c, value in _unmerged_cells(sheet):
            if isinstance(value, Percent):
                ws.write(r, c, value.fraction, pct)
            elif isinstance(value, ExcelError):
                ws.write(r, c, xlwt.Formula("1/0"))
            else:
                ws.write(r, c, value)
    book.save(str(path))


def write_ods(path: Path, sheets: list[Sheet]) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for sheet in sheets:
        table = Table(name=sheet.name)
        spans = {(r1, c1): (r2 - r1 + 1, c2 - c1 + 1) for r1, c1, r2, c2 in sheet.merges}
        covered = {(r, c) for r1, c1, r2, c2 in sheet.merges
                   for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)} - set(spans)
        for r, row in enumerate(sheet.rows):
            tr = TableRow()
            for c, value in enumerate(row):
                if (r, c) in covered:
                    tr.addElement(CoveredTableCell())
                    continue
                attrs: dict[str, Any] = {}
                if (r, c) in spans:
                    attrs = {"numberrowsspanned": spans[(r, c)][0],
                             "numbercolumnsspanned": spans[(r, c)][1]}
                if isinstance(value, Percent):
                    cell = TableCell(valuetype="percentage", value=value.fraction, **attrs)
                    cell.addElement(P(text=_display(value)))
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    cell = TableCell(valuetype="float", value=value, **attrs)
                    cell.addElement(P(text=str(value)))
                elif value is None:
                    cell = TableCell(**attrs)
                else:
                    cell = TableCell(valuetype="string", **attrs)
                    cell.addElement(P(text=_display(value)))
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))


def write_csv(path: Path, sheet: Sheet, encoding: str = "utf-8", delimiter: str = ",") -> None:
    """CSV as Excel writes it: `utf-16` means Excel's "Unicode text" (tab-separated, BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in sheet.rows:
        writer.writerow([_display(v) for v in row])
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_workbook(path: Path, sheets: list[Sheet], **csv_options: str) -> None:
    """Save in the format named by the file's extension."""
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        write_xlsx(path, sheets)
    elif suffix == ".xls":
        write_xls(path, sheets)
    elif suffix == ".ods":
        write_ods(path, sheets)
    elif suffix == ".csv":
        write_csv(path, sheets[0], **csv_options)
    else:
        raise ValueError(f"cannot write {suffix} files")
