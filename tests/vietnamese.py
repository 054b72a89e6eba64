"""Whether a text a user reads is Vietnamese (GUIDE: everything a user reads in Vietnamese):
shared by the tests that read findings in the warehouse (tests/warehouse/
test_findings_read_in_vietnamese.py) and on the portal's pages (tests/portal/test_browser.py)."""

from __future__ import annotations

import re

# Words of English prose; none is Vietnamese (Vietnamese words written without their marks,
# as in a file name, are no concern once the file names are taken out).
ENGLISH_PROSE = (
    "the a an is are was were be been not no of and or but with without than this that these here "
    "there now used use newer older new exceed exceeds exceeded against own history earlier values "
    "value outside band set for unit units report reports reported row rows cell file files sheet "
    "empty looks like meant its it range valid arrived same time different left out correction "
    "longer current total differs from sum below above found read cannot could should given times "
    "loaded none keep send again catalogue collected indicator code name named period unreadable "
    "write too large far beyond number whole answer yes per commune district province"
)
ENGLISH = frozenset(ENGLISH_PROSE.split())
VIETNAMESE_LETTER = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]")


def english_in(message: str, names: tuple[str, ...] = ()) -> list[str]:
    """What is wrong with a message a user reads: no Vietnamese letter, or English words
    (outside the file names, sheet names and codes it quotes)."""
    text = message
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(re.escape(name) + r"(\.xlsx)?", " ", text, flags=re.IGNORECASE)
    problems = [] if VIETNAMESE_LETTER.search(text.lower()) else ["no Vietnamese letter"]
    words = re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text)
    return problems + sorted({w for w in words if w.lower() in ENGLISH and not w.isupper()})
