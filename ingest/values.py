"""One cell to one value, by the spreadsheet contract's rules for Vietnamese numbers.

Returns a `CellValue`: a number, a deliberate "missing" (GSO conventions), or a problem
that quarantines the row. The element's value type settles ambiguous text: "1,981" is a
whole number of households, never 1.981 of them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from base.reference import Element
from base.text import fold

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
    message_vi: str | None = None  # the same detail for the clerk, in Vietnamese

    @property
    def ok(self) -> bool:
        return self.rule is None


def _problem(rule: str, message: str, message_vi: str | None = None) -> CellValue:
    return CellValue(rule=rule, message=message, message_vi=message_vi)


# A letter typed for a digit: O for 0, l or I for 1 ("12.5OO").
_LETTER_DIGITS = re.compile(r"^[\d.,\s]*[\doOlI][\d.,\soOlI]*$")


def _not_a_number(text: str) -> CellValue:
    """'12.5OO' is not a number — and, when a letter stands where a digit should, which one."""
    hint_en = hint_vi = ""
    if _LETTER_DIGITS.match(text) and re.search(r"[oOlI]", text) and re.search(r"\d", text):
        if re.search(r"[oO]", text):
            hint_en, hint_vi = " — the letter O for the digit 0?", " — có phải chữ O thay cho số 0?"
        else:
            hint_en = " — the letter l or I for the digit 1?"
            hint_vi = " — có phải chữ l hoặc I thay cho số 1?"
    return _problem("not_a_number", f"{text!r} is not a number{hint_en}",
                    f"'{text}' không phải là số{hint_vi}")


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
        return _problem("excel_error", f"Excel error value {text}", f"ô có lỗi Excel {text}")
    if text.startswith("="):
        return _problem("not_a_number", f"formula text {text[:30]!r} instead of a value",
                        f"công thức '{text[:30]}' thay vì giá trị")
    if text in _NOT_COLLECTED:
        return CellValue(missing="not_collected")
    key = fold(text)
    if element.value_type == "yes_no":
        if key in YES:
            return CellValue(value=1.0)
        if key in NO:
            return CellValue(value=0.0)
        return _problem("not_yes_no", f"{text!r} is not a yes/no answer (Đạt / Chưa đạt)",
                        f"'{text}' không phải Đạt / Chưa đạt")
    if text in _NOT_OCCURRED:
        return CellValue(value=0.0)
    if key == "x":
        return CellValue(missing="not_applicable")
    stripped = _UNIT_WORDS.sub("", key).strip()
    number = parse_number_text(stripped, element.is_whole)
    if number is None:
        return _not_a_number(text)
    return _check(number, element, text)


# No figure of a province comes near this: beyond it a value is a typing accident (30 digits,
# 1E+308), and the warehouse's exact sums (DECIMAL(38, 10): 28 integer digits) must never meet
# it, whatever range a catalogue edited by the office gives (or leaves blank).
ABSOLUTE_LIMIT = 1e15


def _check(value: float, element: Element, shown: str) -> CellValue:
    if math.isnan(value) or math.isinf(value):
        return _not_a_number(shown)
    if abs(value) > ABSOLUTE_LIMIT:
        return _problem("out_of_range", f"{shown} is far beyond any valid {element.code} "
                                        f"(more than {ABSOLUTE_LIMIT:,.0f})",
                        f"{shown} vượt xa mọi giá trị hợp lệ của {element.code} "
                        f"(lớn hơn {ABSOLUTE_LIMIT:,.0f})".replace(",", "."))
    if element.is_whole and not float(value).is_integer():
        return _problem("not_whole", f"{shown} is not a whole number of {element.unit_of_measure}",
                        f"{shown} không phải số nguyên ({element.unit_of_measure})")
    if element.min_value is not None and value < element.min_value:
        return _problem("out_of_range",
                        f"{shown} is below the smallest valid {element.code} ({element.min_value:g})",
                        f"{shown} nhỏ hơn giá trị nhỏ nhất hợp lệ của {element.code} ({element.min_value:g})")
    if element.max_value is not None and value > element.max_value:
        return _problem("out_of_range",
                        f"{shown} is above the largest valid {element.code} ({element.max_value:g})",
                        f"{shown} lớn hơn giá trị lớn nhất hợp lệ của {element.code} ({element.max_value:g})")
    return CellValue(value=value)
