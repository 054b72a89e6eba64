"""Find the reporting unit a sheet names, by GSO code or by name, valid in its period."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from ingest.reference import Unit, UnitChange, load_unit_changes, load_units
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
    """Who may report a period (eras.md): the unit of that code or name that exists on the
    period's last day. A code reused across eras is resolved by the period; a unit that
    ceased is told where its territory went."""

    units: tuple[Unit, ...]
    changes: tuple[UnitChange, ...] = ()

    @classmethod
    def default(cls) -> UnitResolver:
        return cls(load_units(), load_unit_changes())

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
            unit = self._existing(by_code, f"unit code {code}", last)
            if name and name_key(name) != name_key(unit.name):
                era = next((u for u in by_code if name_key(u.name) == name_key(name)), None)
                if era is not None:
                    raise UnitError("unit_mismatch", f"unit code {code} is {unit.name} for a period "
                                                     f"ending {last}, but the sheet names {name!r}: "
                                                     f"{self.why_not(era, last)}")
                raise UnitError("unit_mismatch", f"unit code {code} is {unit.name}, but the sheet "
                                                 f"names {name!r}; correct one of them")
            return unit
        if not name:
            raise UnitError("unknown_unit", "no unit code or unit name found above the table")
        key = name_key(name)
        by_name = [u for u in self.units if name_key(u.name) == key]
        if not by_name:
            raise UnitError("unknown_unit", f"no unit is named {name!r} in this province")
        return self._existing(by_name, f"unit {name!r}", last)

    def _existing(self, candidates: list[Unit], what: str, last: date) -> Unit:
        valid = [u for u in candidates if u.exists_on(last)]
        if len(valid) == 1:
            return valid[0]
        if not valid:
            raise UnitError("unit_not_valid", f"{what} may not report a period ending {last}: "
                            + "; ".join(self.why_not(u, last) for u in candidates))
        names = ", ".join(f"{u.name} ({u.code})" for u in valid)
        raise UnitError("ambiguous_unit", f"{what} matches several units: {names}; give the code")

    def why_not(self, unit: Unit, last: date) -> str:
        """Why `unit` may not report a period ending on `last`, and whom to report as."""
        if unit.valid_from > last:
            return f"{unit.name} ({unit.code}) exists only from {unit.valid_from}"
        changed_on = unit.valid_to + timedelta(days=1)
        successors = [c for c in self.changes
                      if c.old_code == unit.code and c.effective_date == changed_on]
        if successors:
            into = " and ".join(f"{c.new_name} ({c.new_code})" for c in successors)
            verb = "was merged into" if len(successors) == 1 else "was divided between"
            report_as = " or ".join(c.new_name for c in successors)
            return f"{unit.name} ({unit.code}) {verb} {into} on {changed_on}; report as {report_as}"
        later = [u for u in self.units if u.code == unit.code and u.valid_from == changed_on]
        if later:
            return (f"{unit.name} ({unit.code}) became {later[0].name} ({unit.code}) on "
                    f"{changed_on}; report as {later[0].name}")
        return f"{unit.name} ({unit.code}) ceased on {unit.valid_to}"
