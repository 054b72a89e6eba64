"""A clerk's report as a clerk makes it: the real template for a unit and period, filled in.

Used by the tests of `validate`'s messages and of the portal: the file is the one the
template generator writes (ingest/templates.py), its "Thực hiện" column typed into.
"""

from __future__ import annotations

from pathlib import Path

VALUE_HEADER = "Thực hiện"


def filled_template(out_dir: Path, unit_code: str, period_code: str, values: dict[str, object],
                    name: str | None = None, rest: object | None = "...") -> Path:
    """The unit's template for the period with `values` (element code -> what is typed), and
    `rest` typed in every other row the template issues ("...": not collected, an answer, as a
    clerk completes a form); rest=None leaves those rows empty, which validate names."""
    import openpyxl

    from base.periods import period_from_code
    from clerk.templates import Request, write_templates

    out_dir.mkdir(parents=True, exist_ok=True)
    blank_dir = out_dir / f".blank-{unit_code}-{period_code}"
    (path,) = write_templates(Request(period_from_code(period_code), blank_dir, None), unit_code)
    book = openpyxl.load_workbook(path)
    sheet = book[book.sheetnames[0]]
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
    target = out_dir / (name or path.name)
    book.save(target)
    return target
