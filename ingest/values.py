"""One cell to one value, by the spreadsheet contract's rules for Vietnamese numbers.

Returns a `CellValue`: a number, a deliberate "missing" (GSO conventions), or a problem
that quarantines the row. The element's value type settles ambiguous text: "1,981" is a
whole number of households, never 1.981 of them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ingest.reference import Element
from ingest.text import fold

EXCEL_ERRORS = {"#DIV/0!", "#REF!", "#VALUE!", "#N/A", "#NAME?", "#NUM!", "#NULL!", "#SPILL!"}
YES = {"dat", "co", "x", "1", "true", "yes", "da dat"}
NO = {"chua dat", "khong dat", "khong", "0", "false", "no"}
_NOT_OCCURRED = {"-", "–", "—"}
_NOT_COLLECTED = {"...", "…", ".."}
_UNIT_WORDS = re.compile(r"\s*(%|ty dong|trieu dong|trieu usd|nguoi|ho|ca|du an|xa|khu|vuon|nha)$")
_VN = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$|^-?\d+,\d+$")  # 1.981 | 16.916,5 | 4,68
_EN = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$|^-?\d+\.\d+$")  # 1,981.5 | 1,234,567 | 4.5
_PLAIN = re.compile(r"^-?\d+$")


@dataclass(frozen=True)
class CellValue:
    value: float | None = None
    missing: str | None = None  # not_reported, not_collected, not_applicable
    rule: str | None = None  # set when the row must be quarantined
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.rule is None


def _problem(rule: str, message: str) -> CellValue:
    return CellValue(rule=rule, message=message)


def parse_number_text(text: str, whole: bool) -> float | None:
    """Vietnamese first; English where only English fits; None when neither does."""
    t = re.sub(r"[\s\u00a0\u202f]", "", text)
    if _PLAIN.match(t):
        return float(t)
    vn, en = _VN.match(t), _EN.match(t)
    if vn and en:
        # One separator followed by exactly three digits: "16.916" or "1,981".
        if "," in t and whole:
            return float(t.replace(",", ""))
        return float(t.replace(".", "").replace(",", "."))
    if vn:
        return float(t.replace(".", "").replace(",", "."))
    if en:
        return float(t.replace(",", ""))
    return None


def parse_cell(raw: object, element: Element, percent_format: bool = False) -> CellValue:
    if raw is None or raw == "":
        return CellValue(missing="not_reported")
    if isinstance(raw, bool):
        raw = int(raw)
    if isinstance(raw, int | float):
        value = float(raw)
        if percent_format and element.value_type == "percent":
            value = round(value * 100, 10)
        shown = str(int(raw)) if float(raw).is_integer() else str(raw)
        return _check(value, element, shown)
    text = str(raw).strip()
    if text in EXCEL_ERRORS:
        return _problem("excel_error", f"Excel error value {text}")
    if text.startswith("="):
        return _problem("not_a_number", f"formula text {text[:30]!r} instead of a value")
    if text in _NOT_COLLECTED:
        return CellValue(missing="not_collected")
    key = fold(text)
    if element.value_type == "yes_no":
        if key in YES:
            return CellValue(value=1.0)
        if key in NO:
            return CellValue(value=0.0)
        return _problem("not_yes_no", f"{text!r} is not a yes/no answer (Đạt / Chưa đạt)")
    if text in _NOT_OCCURRED:
        return CellValue(value=0.0)
    if key == "x":
        return CellValue(missing="not_applicable")
    stripped = _UNIT_WORDS.sub("", key).strip()
    number = parse_number_text(stripped, element.is_whole)
    if number is None:
        return _problem("not_a_number", f"{text!r} is not a number")
    return _check(number, element, text)


# No figure of a province comes near this: beyond it a value is a typing accident (30 digits,
# 1E+308), and the warehouse's exact sums (DECIMAL(38, 10): 28 integer digits) must never meet
# it, whatever range a catalogue edited by the office gives (or leaves blank).
ABSOLUTE_LIMIT = 1e15


def _check(value: float, element: Element, shown: str) -> CellValue:
    if math.isnan(value) or math.isinf(value):
        return _problem("not_a_number", f"{shown!r} is not a number")
    if abs(value) > ABSOLUTE_LIMIT:
        return _problem("out_of_range", f"{shown} is far beyond any valid {element.code} "
                                        f"(more than {ABSOLUTE_LIMIT:,.0f})")
    if element.is_whole and not float(value).is_integer():
        return _problem("not_whole", f"{shown} is not a whole number of {element.unit_of_measure}")
    if element.min_value is not None and value < element.min_value:
        return _problem("out_of_range",
                        f"{shown} is below the smallest valid {element.code} ({element.min_value:g})")
    if element.max_value is not None and value > element.max_value:
        return _problem("out_of_range",
                        f"{shown} is above the largest valid {element.code} ({element.max_value:g})")
    return CellValue(value=value)
