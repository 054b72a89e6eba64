"""Reporting periods written every way clerks write them, to one canonical code.

Canonical codes follow the marts: `2021`, `2021-H1`, `2021-Q4`, `2021-12`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from base.text import fold


@dataclass(frozen=True)
class Period:
    code: str
    period_type: str  # month, quarter, half, year
    first_day: date
    last_day: date


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_Y = r"((?:19|20)\d{2})"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"^{_Y}-(0?[1-9]|1[0-2])$"), "ym"),
    (re.compile(rf"^{_Y}-q([1-4])$"), "yq"),
    (re.compile(rf"^{_Y}-h([12])$"), "yh"),
    (re.compile(rf"^(?:thang|t)\s*(0?[1-9]|1[0-2])\s*(?:/|nam|-)\s*{_Y}$"), "my"),
    (re.compile(rf"^(0?[1-9]|1[0-2])\s*/\s*{_Y}$"), "my"),
    (re.compile(rf"^(?:quy|q)\s*(iv|iii|ii|i|[1-4])\s*(?:/|nam|-)\s*{_Y}$"), "qy"),
    (re.compile(rf"^6 thang dau nam\s*{_Y}$"), "h1"),
    (re.compile(rf"^6 thang cuoi nam\s*{_Y}$"), "h2"),
    (re.compile(rf"^(?:nam\s*)?{_Y}$"), "y"),
]


def _month(year: int, month: int) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(f"{year}-{month:02d}", "month", date(year, month, 1), date(year, month, last))


def _quarter(year: int, q: int) -> Period:
    first_month = 3 * (q - 1) + 1
    last = calendar.monthrange(year, first_month + 2)[1]
    return Period(f"{year}-Q{q}", "quarter", date(year, first_month, 1),
                  date(year, first_month + 2, last))


def _half(year: int, h: int) -> Period:
    if h == 1:
        return Period(f"{year}-H1", "half", date(year, 1, 1), date(year, 6, 30))
    return Period(f"{year}-H2", "half", date(year, 7, 1), date(year, 12, 31))


def parse_period(text: str) -> Period | None:
    """The period a header cell names, or None when it cannot be read."""
    key = fold(str(text)).strip(" .:")
    key = re.sub(r"\s*/\s*", "/", key)
    for pattern, kind in _PATTERNS:
        m = pattern.match(key)
        if not m:
            continue
        if kind == "ym":
            return _month(int(m[1]), int(m[2]))
        if kind == "yq":
            return _quarter(int(m[1]), int(m[2]))
        if kind == "yh":
            return _half(int(m[1]), int(m[2]))
        if kind == "my":
            return _month(int(m[2]), int(m[1]))
        if kind == "qy":
            q = _ROMAN.get(m[1]) or int(m[1])
            return _quarter(int(m[2]), q)
        if kind == "h1":
            return _half(int(m[1]), 1)
        if kind == "h2":
            return _half(int(m[1]), 2)
        return Period(m[1], "year", date(int(m[1]), 1, 1), date(int(m[1]), 12, 31))
    return None


def period_from_code(code: str) -> Period:
    parsed = parse_period(code)
    if parsed is None:
        raise ValueError(f"not a period code: {code!r}")
    return parsed


_ROMAN_OUT = {1: "I", 2: "II", 3: "III", 4: "IV"}


def period_label(period: Period) -> str:
    """The period as a letterhead writes it ("Tháng 12/2025", "Quý IV/2025", "Năm 2025"):
    one of the forms of the contract, so that `parse_period` reads it back to the same code."""
    year = period.first_day.year
    if period.period_type == "month":
        return f"Tháng {period.first_day.month}/{year}"
    if period.period_type == "quarter":
        return f"Quý {_ROMAN_OUT[(period.first_day.month + 2) // 3]}/{year}"
    if period.period_type == "half":
        return f"6 tháng {'đầu' if period.first_day.month == 1 else 'cuối'} năm {year}"
    return f"Năm {year}"
