"""A clerk's report as a clerk makes it: the real template for a unit and period, filled in.

Used by the tests of `validate`'s messages, of the portal and of the warehouse: the file is the
one the template generator writes (clerk/templates.py), its "Thực hiện" column typed into, and
for a district before the reform its table of communes (one row per commune) too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

VALUE_HEADER = "Thực hiện"
TABLE_SHEET = "Bảng các xã"  # clerk/template_book.py B_SHEET
TABLE_UNIT_HEADER = "Mã xã"


def _blank(out_dir: Path, unit_code: str, period_code: str) -> Any:
    """The unit's template for the period as generated (an openpyxl workbook) and its path."""
    import openpyxl

    from base.periods import period_from_code
    from clerk.templates import Request, write_templates

    out_dir.mkdir(parents=True, exist_ok=True)
    blank_dir = out_dir / f".blank-{unit_code}-{period_code}"
    (path,) = write_templates(Request(period_from_code(period_code), blank_dir, None), unit_code)
    return openpyxl.load_workbook(path), path


def _fill_own(sheet: Any, unit_code: str, values: dict[str, object], rest: object | None) -> None:
    """Type into a layout-A sheet's "Thực hiện" column: `values` by element code, `rest` in every
    other open row (None leaves them empty)."""
    header = next(r for r in sheet.iter_rows() if any(c.value == VALUE_HEADER for c in r))
    value_col = next(c.column for c in header if c.value == VALUE_HEADER)
    code_col = next(c.column for c in header if c.value == "Mã chỉ tiêu")
    left = dict(values)
    for row in sheet.iter_rows(min_row=header[0].row + 1):
        code = sheet.cell(row[0].row, code_col).value
        cell = sheet.cell(row[0].row, value_col)
        if code in left:
            cell.value = left.pop(code)
        elif code and rest is not None and not cell.protection.locked:
            cell.value = rest
    assert not left, f"not on the template of {unit_code}: {sorted(left)}"


def filled_template(out_dir: Path, unit_code: str, period_code: str, values: dict[str, object],
                    name: str | None = None, rest: object | None = "...") -> Path:
    """The unit's template for the period with `values` (element code -> what is typed), and
    `rest` typed in every other row the template issues ("...": not collected, an answer, as a
    clerk completes a form); rest=None leaves those rows empty, which validate names."""
    book, path = _blank(out_dir, unit_code, period_code)
    _fill_own(book[book.sheetnames[0]], unit_code, values, rest)
    target = out_dir / (name or path.name)
    book.save(target)
    return target


def filled_district_table(out_dir: Path, district: str, period_code: str,
                          communes: dict[str, dict[str, object]], own: dict[str, object],
                          name: str | None = None, rest: object | None = "...") -> Path:
    """A district's template (before the reform: its table of communes and its own report)
    with, in the table, each commune of `communes` typed (element code -> what is typed, `rest`
    in its row's other open cells) and every other commune's row left wholly empty; its own
    report filled as `filled_template` fills one."""
    book, path = _blank(out_dir, district, period_code)
    table = book[TABLE_SHEET]
    head = next(r for r in table.iter_rows() if r[0].value == TABLE_UNIT_HEADER)
    cols = {str(c.value).rsplit("(", 1)[1].rstrip(")"): c.column for c in head if "(" in str(c.value)}
    left = {code: dict(typed) for code, typed in communes.items()}
    for row in table.iter_rows(min_row=head[0].row + 1):
        typed = left.pop(str(row[0].value), None)
        if typed is None:
            continue
        for element, col in cols.items():
            cell = table.cell(row[0].row, col)
            if element in typed:
                cell.value = typed.pop(element)
            elif rest is not None and not cell.protection.locked:
                cell.value = rest
        assert not typed, f"not in the table of {district}: {sorted(typed)}"
    assert not left, f"not communes of {district} in {period_code}: {sorted(left)}"
    sheet_names = [s for s in book.sheetnames if s != TABLE_SHEET]
    _fill_own(book[sheet_names[0]], district, own, rest)
    target = out_dir / (name or path.name)
    book.save(target)
    return target
