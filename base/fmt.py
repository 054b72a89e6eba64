"""Numbers, statuses and labels as the office writes them, in Vietnamese or English.

Vietnamese writes thousands with '.' and decimals with ',' (4,68 %; 16.916 tỷ đồng); English
the other way round. Rounding is half-up on the decimal text of the figure, as a clerk
rounds by hand, never banker's rounding on binary floats (89,0002 → 89,0; 2,675 → 2,68).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

LANGS = ("vi", "en")
# Between a figure and its unit (and after ≥ ≤): a line never breaks there, in the page,
# the PDF or the .docx ("16.916" at a line's end, "tỷ đồng" on the next, reads as two things).
NBSP = "\u00a0"

STATUS_WORDS = {
    "vi": {"met": "Đạt", "exceeded": "Vượt", "missed": "Không đạt",
           "at_risk": "Có nguy cơ không đạt", "on_track": "Đúng tiến độ",
           "no_data": "Chưa có số liệu"},
    "en": {"met": "Met", "exceeded": "Exceeded", "missed": "Missed", "at_risk": "At risk",
           "on_track": "On track", "no_data": "No data"},
}

# The catalogue names units of measure in Vietnamese only; the English report translates them.
UNITS_EN = {"người": "people", "hộ": "households", "tỷ đồng": "billion VND",
            "triệu đồng": "million VND", "triệu đồng/năm": "million VND a year",
            "triệu USD": "million USD", "xã": "communes", "huyện": "districts",
            "dự án": "projects", "khu": "areas", "vườn": "gardens", "nhà": "houses",
            "ca": "cases", "tiêu chí": "criteria", "%": "%"}


def number(value: float | int | None, decimals: int = 0, lang: str = "vi") -> str:
    """`value` rounded half-up to `decimals` and written with the language's separators."""
    if value is None:
        return "—"
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0,00"
    text = f"{rounded:,.{decimals}f}"  # 16,916.50 in English form
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def unit_of_measure(unit: str | None, lang: str = "vi") -> str:
    """The unit as one word that a line never splits ("tỷ đồng", "billion VND")."""
    if not unit:
        return ""
    return (unit if lang == "vi" else UNITS_EN.get(unit, unit)).replace(" ", NBSP)


def quantity(value: float | int | None, decimals: int, unit: str | None, lang: str = "vi") -> str:
    """A figure with its unit: "4,68 %", "16.916 tỷ đồng", "67.0 million VND"."""
    if value is None:
        return "—"
    uom = unit_of_measure(unit, lang)
    return f"{number(value, decimals, lang)}{NBSP}{uom}".rstrip(NBSP)


def points(unit: str | None, lang: str) -> str:
    """The unit of a change: percentage points for a percent, else the figure's own unit."""
    if unit == "%":
        return f"điểm{NBSP}%" if lang == "vi" else "points"
    return unit_of_measure(unit, lang)


def status_word(status: str, lang: str = "vi") -> str:
    return STATUS_WORDS[lang].get(status, status)


def target_text(kind: str, low: float | None, high: float | None, decimals: int, unit: str | None,
                lang: str = "vi") -> str:
    """The target as the resolution writes it: "≥ 14.000 tỷ đồng", "6,50–7,00 %",
    "giảm 1,00–1,50 điểm %". An at_least/at_most target's bound is `low` (the marts' shape)."""
    uom = unit_of_measure(unit, lang)
    if kind == "at_least":
        return f"≥{NBSP}{quantity(low, decimals, unit, lang)}"
    if kind == "at_most":
        return f"≤{NBSP}{quantity(low, decimals, unit, lang)}"
    if kind == "range":
        return f"{number(low, decimals, lang)}–{number(high, decimals, lang)}{NBSP}{uom}".rstrip(NBSP)
    if kind == "change":
        return change_range_text(low, high, decimals, unit, lang)
    return ""


def change_range_text(low: float | None, high: float | None, decimals: int, unit: str | None,
                      lang: str) -> str:
    if low is not None and high is not None and high <= 0:  # a fall: -1.5 .. -1 is "down 1 to 1.5"
        word = "giảm" if lang == "vi" else "down"
        lo, hi = -high, -low
    elif low is not None and low >= 0:
        word = "tăng" if lang == "vi" else "up"
        lo, hi = low, high
    else:
        word = "thay đổi" if lang == "vi" else "change"
        lo, hi = low, high
    span = number(lo, decimals, lang) if hi is None or lo == hi else \
        f"{number(lo, decimals, lang)}–{number(hi, decimals, lang)}"
    return f"{word} {span}{NBSP}{points(unit, lang)}"


def change_text(change: float | None, decimals: int, unit: str | None, lang: str) -> str:
    """An actual change: "giảm 1,22 điểm %", "up 0.30 points"."""
    if change is None:
        return "—"
    word = {("vi", True): "giảm", ("vi", False): "tăng", ("en", True): "down", ("en", False): "up"}[
        (lang, change < 0)]
    return f"{word} {number(abs(change), decimals, lang)}{NBSP}{points(unit, lang)}"


def signed(value: float | None, decimals: int, unit: str | None, lang: str) -> str:
    """A gap with its sign ("+0,22 điểm %", "-1.480 tỷ đồng"); "—" for none or zero."""
    if value is None or number(value, decimals, lang).strip("0,.") == "":
        return "—"
    sign = "+" if value > 0 else ""
    uom = points(unit, lang) if unit == "%" else unit_of_measure(unit, lang)
    return f"{sign}{number(value, decimals, lang)}{NBSP}{uom}".rstrip(NBSP)


def excel_number_format(decimals: int) -> str:
    """An Excel number format with `decimals` places, tagged Vietnamese (LCID 042A).

    The cell stores the number itself; the format code is always written with ',' and '.'
    (the file format's own notation) and the tag asks the spreadsheet to show it the
    Vietnamese way, 16.916 and 4,68 (LibreOffice honours the tag; Excel uses the reader's
    regional separators)."""
    return "[$-42A]#,##0" + ("." + "0" * decimals if decimals else "")


def actual_text(t, lang: str = "vi") -> str:
    """A target's actual as the unit's own figures: "7,50 %", or for a change "giảm 2,40 điểm %
    (7,60 %)" — the change and the unit's own figure of the year (`t`: a data.Target), never
    another unit's (a district's target beside the province's rate reads as a wrong result)."""
    ind = t.indicator
    if t.kind != "change":
        return quantity(t.actual, ind.decimals, ind.unit, lang)
    text = change_text(t.actual, ind.decimals, ind.unit, lang)
    if t.level is not None:
        text += f" ({quantity(t.level, ind.decimals, ind.unit, lang)})"
    return text


def describe_target(t, lang: str = "vi") -> str:
    """A unit's own target in one line, with the unit's own actual:
    "Tỷ lệ hộ nghèo: ≤ 8,00 % — 7,50 % — Đạt" (`t`: a data.Target)."""
    ind = t.indicator
    return (f"{ind.name(lang)}: {target_text(t.kind, t.low, t.high, ind.decimals, ind.unit, lang)}"
            f" — {actual_text(t, lang)} — {status_word(t.status, lang)}")
