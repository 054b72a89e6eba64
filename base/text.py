"""Text as clerks type it: any Unicode form, legacy TCVN3/VNI fonts, stray spaces.

`clean` gives the text to store (NFC, legacy encodings converted); `fold` gives the key
to match on (no case, no diacritics, single spaces), so "xa Thach Binh" meets "Xã Thạch Bình".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"[\s\u00a0\u202f\u2007]+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Matching key: lower case, no diacritics (đ -> d), one space between words."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "d").replace("đ", "d"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", bare.replace("\u00ad", "")).strip().lower()


def detect_legacy_encoding(sample: str) -> str | None:
    """Which legacy font encoding a sheet's text is in, judged once on all its text."""
    import viparse

    return viparse.detect_text_encoding(sample)


def convert_legacy(text: str, encoding: str) -> str:
    import viparse

    return viparse.fix(text, encoding=encoding, normalize="NFC")


# Latin-1 characters that Vietnamese text never uses but TCVN3/VNI text shows everywhere
# (TCVN3 "§¬n vÞ" = "Đơn vị", VNI "Vieät"): every char of U+00A1..U+00FF except the
# Vietnamese letters. The soft hyphen is TCVN3's "ư".
_VIETNAMESE_LATIN1 = set("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")
LEGACY_MARKERS = frozenset(chr(c) for c in range(0xA1, 0x100)) - _VIETNAMESE_LATIN1 - {"\u00d7", "\u00f7"}


def looks_legacy(sample: str) -> bool:
    """Cheap pre-check before the (slow) detector: any legacy-only character at all."""
    return not LEGACY_MARKERS.isdisjoint(sample)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> object:
    """Text that no spreadsheet will evaluate (clerk-typed text reaches the review workbook
    and the templates): a leading = + - @ is neutralised; numbers pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# Characters no writer may receive raw: C0 and C1 controls and DEL (python-docx and XML refuse
# them; a terminal obeys ESC sequences), lone surrogates (a name that is not UTF-8, as read with
# surrogateescape: no UTF-8 writer can encode them), noncharacters (U+FFFE, U+FDD0..., illegal
# in XML) and the bidirectional embeddings, overrides and isolates (they reorder what a reader
# sees: "BC\u202eslx.exe").
_UNWRITABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
                         "\u202a-\u202e\u2066-\u2069\U0001fffe\U0001ffff\U0010fffe\U0010ffff]")
WRITABLE_LIMIT = 2000


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # one undecodable byte of a name (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def writable(text: object, limit: int | None = WRITABLE_LIMIT, keep: str = "\t\n\r") -> str:
    """Text any writer takes (docx, PDF, HTML, xlsx, LAST_FAILURE.txt, an e-mail): every
    character above shown visibly as its escape (\\x1b, \\ud800, \\u202e), never dropped;
    tabs and line breaks kept unless `keep` says otherwise (a header line keeps none); at
    most `limit` characters, the rest counted. File names, sheet names and cells reach every
    writer: one such character stopped the report every night."""
    text = str(text)
    shown = _UNWRITABLE.sub(lambda m: m.group() if m.group() in keep else _escaped(m), text)
    if limit is not None and len(shown) > limit:
        shown = f"{shown[:limit]}… ({len(shown) - limit:,} more characters)"
    return shown


FINDING_LIST_ITEMS = 8


def bounded_list(items: list[str], limit: int = FINDING_LIST_ITEMS, more: str = "and {:,} more") -> str:
    """The first `limit` items and how many more (`more`, in the message's language): what one
    finding carries stays small however many cells share its cause (4,000 duplicates each
    listing all 4,000 held 1.2 GB)."""
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown} {more.format(len(items) - limit)}"
