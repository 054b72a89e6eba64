"""How wide a line of text is in Times New Roman (and its metric twin Liberation Serif), so the
.docx and the printed page (Chromium sets Liberation Serif) can size their tables' columns by
their content without a font file at run time.

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


def column_widths(headers: list[str], rows: list[list[str]], numeric: set[int], total_mm: float,
                  size_pt: float, pad_mm: float, name_lines: int = 2,
                  names_give_way: bool = False) -> list[float]:
    """A table's column widths (mm) by content, for the .docx and the printed page alike.

    Every column is at least as wide as its longest unbreakable piece (a word, or a figure
    joined to its unit by no-break spaces: a figure never wraps); a name column at least wide
    enough for its longest name on `name_lines` lines. The room left goes first to the number
    columns, up to their widest figure (or header) on one line, then to the name columns in
    proportion to what their names (or headers) would take on one line. Short of room, with
    `names_give_way` the names take more lines (down to their longest word: the printed page,
    where a figure wider than its column would run into the next); only when even that cannot
    fit is every column scaled down alike."""
    lines = [[str(v).split("\n") for v in row] for row in rows]
    cols = range(len(headers))
    floor = [max([longest_word_mm(headers[c], size_pt, bold=True)]
                 + [longest_word_mm(t, size_pt) for r in lines for t in r[c]]) + pad_mm
             for c in cols]
    least = list(floor)
    one_line = [max([text_mm(t, size_pt) for r in lines for t in r[c]] or [0.0]) for c in cols]
    ideal = [max(one_line[c], text_mm(headers[c], size_pt, bold=True)) + pad_mm for c in cols]
    names = [c for c in cols if c not in numeric]
    for c in names:  # on n lines a name needs a little more than 1/n of it: words do not split
        least[c] = max(least[c], one_line[c] / name_lines * 1.15 + pad_mm)
    widths = [max(a, 0.0) for a in least]
    spare = total_mm - sum(widths)
    if spare < 0 and names_give_way:  # the names take more lines, down to their longest word
        slack = {c: widths[c] - floor[c] for c in names}
        given = min(-spare, sum(slack.values()))
        for c in names:
            widths[c] -= given * slack[c] / (sum(slack.values()) or 1.0)
        spare += given
    if spare < 0:
        return [round(w * total_mm / sum(widths), 1) for w in widths]
    for group in ([c for c in cols if c in numeric], names):
        wish = {c: max(ideal[c] - widths[c], 0.0) for c in group}
        total_wish = sum(wish.values())
        if not total_wish or spare <= 0:
            continue
        given = min(spare, total_wish)
        for c in group:
            widths[c] += given * wish[c] / total_wish
        spare -= given
    # every wish met: the rest to the name columns alike (to every column if there is none)
    for c in names or list(cols):
        widths[c] += max(spare, 0.0) / len(names or list(cols))
    return [round(w, 1) for w in widths]
