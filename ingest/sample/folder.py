"""Which sample folder `make sample` may remove before writing it again (issue 25, item 1).

The Makefile names the folder from PROVINCE; a value such as `../../..` or `01 /srv` once made
`rm -rf` remove folders outside the project. Make refuses such values itself; this is the
second wall, in the one place that deletes: the folder goes only when its real path (links
followed) is the project's own data/sample or data/provinces/<one of the 34 codes>.
"""

from __future__ import annotations

import shutil
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
# Today's 34 province codes (after the 1 July 2025 reform), as vietnamadminunits lists them;
# the Makefile's PROVINCES holds the same list (tests/test_make_province.py compares them).
PROVINCE_CODES = ("01", "04", "08", "11", "12", "14", "15", "19", "20", "22", "24", "25", "31",
                  "33", "37", "38", "40", "42", "44", "46", "48", "51", "52", "56", "66", "68",
                  "75", "79", "80", "82", "86", "91", "92", "96")


class UnsafeFolder(ValueError):
    """A province or a folder that the sample command must not write or remove."""


def require_province(code: str) -> str:
    if code not in PROVINCE_CODES:
        raise UnsafeFolder(f"province {code!r} is not one of today's 34 province codes "
                           f"({' '.join(PROVINCE_CODES)})")
    return code


def removable(folder: Path) -> Path:
    """`folder`'s real path, if it is one the sample command regenerates inside the project."""
    data = (PROJECT_DIR / "data").resolve()
    real = folder.resolve()
    allowed = {data / "sample", *(data / "provinces" / code for code in PROVINCE_CODES)}
    if real not in allowed:
        raise UnsafeFolder(f"{folder} (really {real}) is not the project's data/sample nor "
                           f"data/provinces/<code>: it is not removed")
    return real


def remove_generated(folder: Path) -> None:
    """Remove a sample folder before it is written again, only where `removable` allows."""
    real = removable(folder)
    if real.is_dir() and not folder.is_symlink():
        shutil.rmtree(real)
