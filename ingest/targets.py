"""The planning office's targets spreadsheet, read like a report (eras.md).

The People's Council sets targets every year; the planning office keeps them in one
workbook (template: templates/chi_tieu_ke_hoach.xlsx) with one row per year, unit,
indicator, kind, low, high and source, and drops it into the inbox. It is fingerprinted,
archived and parsed like any report; every bad row is quarantined with a finding that
names its cell, so one typo never loses the other targets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from base.reference import Element
from base.rules import IngestProblem
from base.text import fold
from base.units import UnitError, UnitResolver
from ingest.layouts import Finding, SheetResult, _text
from ingest.sources import Grid
from ingest.values import parse_number_text

# Header (folded) -> field. The template writes the first form of each.
HEADERS = {
    "nam": "year", "nam ke hoach": "year", "year": "year",
    "ma don vi": "unit_code", "ma dvhc": "unit_code", "unit code": "unit_code",
    "ma chi tieu": "indicator_code", "indicator code": "indicator_code",
    "loai chi tieu": "target_kind", "loai": "target_kind", "kind": "target_kind",
    "muc thap": "target_low", "muc toi thieu": "target_low", "low": "target_low",
    "muc cao": "target_high", "muc toi da": "target_high", "high": "target_high",
    "nguon": "source", "can cu": "source", "source": "source",
}
REQUIRED = {"year", "unit_code", "indicator_code", "target_kind", "target_low"}
# Kind as written (folded) -> kind; the template offers the Vietnamese forms in a list.
KINDS = {
    "toi thieu": "at_least", "khong thap hon": "at_least", "at_least": "at_least",
    "toi da": "at_most", "khong vuot qua": "at_most", "at_most": "at_most",
    "trong khoang": "range", "khoang": "range", "range": "range",
    "thay doi so voi nam truoc": "change", "thay doi": "change", "change": "change",
}
KIND_LABELS = {"at_least": "Tối thiểu", "at_most": "Tối đa", "range": "Trong khoảng",
               "change": "Thay đổi so với năm trước"}
TEMPLATE_HEADERS = ["Năm", "Mã đơn vị", "Mã chỉ tiêu", "Loại chỉ tiêu", "Mức thấp", "Mức cao",
                    "Nguồn"]


@dataclass
class TargetRow:
    year: int
    unit_code: str
    indicator_code: str
    target_kind: str
    target_low: float
    target_high: float | None
    source: str
    row: int


def header_row(grid: Grid) -> tuple[int, dict[str, int]] | None:
    """The row and columns of a targets table, if the sheet is one."""
    for r, row in enumerate(grid.rows[:30]):
        columns: dict[str, int] = {}
        for c, value in enumerate(row):
            if not isinstance(value, str) or not value:
                continue  # a header is words: numbers and blanks are not folded (most cells)
            field = HEADERS.get(fold(_text(value)))
            if field and field not in columns:
                columns[field] = c
        if columns.keys() >= REQUIRED:
            return r, columns
    return None


def parse_targets(grid: Grid, header: tuple[int, dict[str, int]],
                  catalogue: dict[str, Element], resolver: UnitResolver) -> SheetResult:
    """Every row of the targets table, loaded or quarantined with its reason."""
    result = SheetResult(grid.name, "loaded", layout="targets")
    start, columns = header
    seen: dict[tuple[int, str, str], int] = {}
    for r in range(start + 1, len(grid.rows)):
        row = grid.rows[r]
        cells = {f: _text(row[c]) if c < len(row) else "" for f, c in columns.items()}
        if not any(v for f, v in cells.items() if f != "year"):
            continue  # empty, or an unused row of a template pre-filled with its year
        result.rows_read += 1
        try:
            problem = _check_row(cells, catalogue, resolver)
        except BadTarget as bad:
            result.rows_quarantined += 1
            result.findings.append(Finding(
                rule="bad_target", severity="error", message=str(bad), sheet=grid.name, row=r + 1,
                col=columns.get(bad.field), raw_text=cells.get(bad.field, ""),
                element_code=cells.get("indicator_code") or None))
            continue
        problem.row = r + 1
        key = (problem.year, problem.unit_code, problem.indicator_code)
        if key in seen:
            result.rows_quarantined += 1
            result.findings.append(Finding(
                rule="duplicate_target", severity="error",
                message=f"target {problem.indicator_code} of unit {problem.unit_code} for {problem.year} "
                        f"is already on row {seen[key]}; keep one row",
                message_vi=f"chỉ tiêu kế hoạch {problem.indicator_code} của đơn vị {problem.unit_code} năm "
                           f"{problem.year} đã có ở dòng {seen[key]}; giữ một dòng",
                sheet=grid.name, row=r + 1,
                col=columns["indicator_code"], raw_text=problem.indicator_code, unit_code=problem.unit_code,
                element_code=problem.indicator_code, period=str(problem.year)))
            continue
        seen[key] = r + 1
        result.targets.append(problem)
    return result


class BadTarget(IngestProblem):
    """A row that cannot be a target (rule bad_target); `field` names the cell to correct."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__("bad_target", message)
        self.field = field


def _check_row(cells: dict[str, str], catalogue: dict[str, Element],
               resolver: UnitResolver) -> TargetRow:
    year_text = cells["year"]
    if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
        raise BadTarget("year", f"year {year_text!r} is not a year (write e.g. 2026)")
    year = int(year_text)
    code = cells["indicator_code"].upper()
    if code not in catalogue:
        raise BadTarget("indicator_code",
                        f"{cells['indicator_code']!r} is not an indicator of the catalogue")
    try:
        unit = resolver.resolve(cells["unit_code"] or None, None, date(year, 1, 1),
                                date(year, 12, 31))
    except UnitError as exc:
        raise BadTarget("unit_code", f"unit of the target: {exc}") from None
    kind = KINDS.get(fold(cells["target_kind"]))
    if kind is None:
        raise BadTarget("target_kind", f"kind {cells['target_kind']!r} is not one of "
                        + ", ".join(KIND_LABELS.values()))
    low = parse_number_text(cells["target_low"], whole=False) if cells["target_low"] else None
    if low is None:
        raise BadTarget("target_low", f"low {cells['target_low']!r} is not a number")
    high_text = cells.get("target_high", "")
    high = parse_number_text(high_text, whole=False) if high_text else None
    if high_text and high is None:
        raise BadTarget("target_high", f"high {high_text!r} is not a number")
    if kind in {"range", "change"} and high is None:
        raise BadTarget("target_high", f"a '{KIND_LABELS[kind]}' target needs both bounds")
    if high is not None and kind in {"at_least", "at_most"}:
        raise BadTarget("target_high", f"a '{KIND_LABELS[kind]}' target has one bound; leave "
                        "'Mức cao' empty")
    if high is not None and high < low:
        raise BadTarget("target_high", f"high {high:g} is below low {low:g}")
    return TargetRow(year, unit.code, code, kind, low, high, cells.get("source", ""), 0)
