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


FINDING_LIST_ITEMS = 8


def bounded_list(items: list[str], limit: int = FINDING_LIST_ITEMS) -> str:
    """The first `limit` items and how many more: what one finding carries stays small however
    many cells share its cause (4,000 duplicates each listing all 4,000 held 1.2 GB)."""
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown} and {len(items) - limit:,} more"
