"""How wide a line of text is in Times New Roman (and its metric twin Liberation Serif), so the
.docx can size its columns by their content without a font file at run time.

Widths are the advance widths of Adobe's Times-Roman and Times-Bold core-font metrics, in
thousandths of an em; a Vietnamese letter is as wide as its base letter (ế as e, Ộ as O, ư as
u: the marks sit above or beside it without adding width that matters here). Unknown
characters count as a wide letter, so an estimate errs towards a wider column.
"""

from __future__ import annotations

import unicodedata

MM_PER_PT = 25.4 / 72
_REGULAR = {
    " ": 250, "\u00a0": 250, "!": 333, '"': 408, "#": 500, "$": 500, "%": 833, "&": 778,
    "'": 180, "(": 333, ")": 333, "*": 500, "+": 564, ",": 250, "-": 333, ".": 250, "/": 278,
    ":": 278, ";": 278, "<": 564, "=": 564, ">": 564, "?": 444, "@": 921, "[": 333, "]": 333,
    "_": 500, "|": 200, "–": 500, "—": 1000, "…": 1000, "≥": 549, "≤": 549, "→": 1000,
    "†": 500, "›": 333,
    **dict.fromkeys("0123456789", 500),
    **dict(zip("abcdefghijklmnopqrstuvwxyz",
               (444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500, 500,
                500, 333, 389, 278, 500, 500, 722, 500, 500, 444), strict=True)),
    **dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
               (722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722, 556,
                722, 667, 556, 611, 722, 722, 944, 722, 722, 611), strict=True)),
}
_BOLD = {
    **_REGULAR, " ": 250, "%": 1000, ",": 250, ".": 250, "-": 333, ":": 333, "(": 333, ")": 333,
    **dict(zip("abcdefghijklmnopqrstuvwxyz",
               (500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556, 278, 833, 556, 500, 556,
                556, 444, 389, 333, 556, 500, 722, 500, 500, 444), strict=True)),
    **dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
               (722, 667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667, 944, 722, 778, 611,
                778, 722, 556, 667, 722, 722, 1000, 722, 722, 667), strict=True)),
}
_WIDE = 1000


def _base(ch: str) -> str:
    if ch in "đĐ":
        return "d" if ch == "đ" else "D"
    return unicodedata.normalize("NFD", ch)[0]


def text_mm(text: str, size_pt: float, bold: bool = False) -> float:
    """The width of `text` set on one line at `size_pt`, in millimetres."""
    table = _BOLD if bold else _REGULAR
    ems = sum(table.get(ch, table.get(_base(ch), _WIDE)) for ch in text) / 1000
    return ems * size_pt * MM_PER_PT


def longest_word_mm(text: str, size_pt: float, bold: bool = False) -> float:
    """The widest piece a line may not break (words split at spaces; a no-break space joins)."""
    return max((text_mm(w, size_pt, bold) for w in text.split(" ")), default=0.0)
