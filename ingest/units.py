"""Find the reporting unit a sheet names, by GSO code or by name, valid in its period."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ingest.reference import Unit, load_units
from ingest.text import fold

_PREFIXES = ("thanh pho ", "thi tran ", "thi xa ", "phuong ", "huyen ", "tinh ", "xa ")
_CODE = re.compile(r"^\d{2}(\d{1}|\d{3})?$")


def name_key(name: str) -> str:
    """A unit name without case, diacritics or its type prefix ("Xã", "Phường", ...)."""
    key = fold(name)
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix):].strip()
    return key


class UnitError(ValueError):
    """The sheet's unit cannot be identified; the message says why, for the clerk."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


@dataclass
class UnitResolver:
    units: tuple[Unit, ...]

    @classmethod
    def default(cls) -> UnitResolver:
        return cls(load_units())

    def resolve(self, code: str | None, name: str | None, first: date, last: date) -> Unit:
        if code:
            code = code.strip()
            if code.endswith(".0"):
                code = code[:-2]
            if not _CODE.match(code):
                raise UnitError("unknown_unit", f"unit code {code!r} is not a GSO code")
            by_code = [u for u in self.units if u.code == code]
            if not by_code:
                raise UnitError("unknown_unit", f"no unit has GSO code {code}")
            unit = self._valid(by_code, f"unit code {code}", first, last)
            if name and name_key(name) != name_key(unit.name):
                raise UnitError("unit_mismatch", f"unit code {code} is {unit.name}, but the sheet "
                                                 f"names {name!r}; correct one of them")
            return unit
        if not name:
            raise UnitError("unknown_unit", "no unit code or unit name found above the table")
        key = name_key(name)
        by_name = [u for u in self.units if name_key(u.name) == key]
        if not by_name:
            raise UnitError("unknown_unit", f"no unit is named {name!r} in this province")
        return self._valid(by_name, f"unit {name!r}", first, last)

    @staticmethod
    def _valid(candidates: list[Unit], what: str, first: date, last: date) -> Unit:
        valid = [u for u in candidates if u.valid_on(first, last)]
        if len(valid) == 1:
            return valid[0]
        if not valid:
            spans = ", ".join(f"{u.name} {u.valid_from}..{u.valid_to}" for u in candidates)
            raise UnitError("unit_not_valid",
                            f"{what} did not exist for the whole period {first}..{last} ({spans})")
        names = ", ".join(f"{u.name} ({u.code})" for u in valid)
        raise UnitError("ambiguous_unit", f"{what} matches several units: {names}; give the code")
