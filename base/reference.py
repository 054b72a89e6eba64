"""Reference data shared by the reader and the sample generator: units and the catalogue.

Both live as dbt seeds (`dbt_project/seeds/*.csv`) so that the warehouse and the ingest
code read one copy; this module only loads them.
"""

from __future__ import annotations

import csv
import os
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from base.periods import Period

DEFAULT_SEEDS_DIR = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds"


def seeds_dir() -> Path:
    """Read when data is loaded, not at import: a test or a deployment can point
    CHITIEU_SEEDS_DIR at its own unit list, and dbt is given the same folder (chitieu.build)."""
    return Path(os.environ.get("CHITIEU_SEEDS_DIR") or DEFAULT_SEEDS_DIR)


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    unit_type: str
    level: str
    parent_code: str
    valid_from: date
    valid_to: date

    def exists_on(self, day: date) -> bool:
        """A unit may report a period if it exists on the period's last day (eras.md): its
        report covers its territory for the whole period, its predecessors' part included."""
        return self.valid_from <= day <= self.valid_to


@dataclass(frozen=True)
class UnitChange:
    old_code: str
    old_name: str
    new_code: str
    new_name: str
    effective_date: date
    is_default_new: bool = True
    share: float | None = None  # fraction of the old unit's households, where the office knows it


LEVELS = ("commune", "district", "province")


@dataclass(frozen=True)
class Element:
    code: str
    kind: str
    name_vi: str
    unit_of_measure: str
    value_type: str
    agg_over_units: str
    agg_over_time: str
    min_value: float | None
    max_value: float | None
    reported_by: tuple[str, ...] = ()  # commune, district, province; "xa": xã only
    decimals: int = 0  # as the review writes the figure; the template's last value too
    valid_from: date | None = None  # reported from this day (None: since the first year)
    valid_to: date | None = None  # reported up to this day (None: still reported)

    def valid_in(self, period: Period) -> bool:
        """The element is reported for some day of the period: a COVID-19 count (to the end of
        2022) is no row of a 2026 form; the catalogue's valid_from/valid_to say so."""
        return ((self.valid_from is None or self.valid_from <= period.last_day)
                and (self.valid_to is None or self.valid_to >= period.first_day))

    @property
    def is_whole(self) -> bool:
        return self.value_type in {"count", "yes_no"}

    def reported_as_part(self, unit: Unit) -> bool:
        """The unit's level reports this element: its figure is its own part."""
        return unit.level in self.reported_by or (
            "xa" in self.reported_by and unit.level == "commune" and unit.unit_type == "Xã")

    def may_be_sent_by(self, unit: Unit) -> bool:
        """Its own part, or a reported total from a level above one that reports it
        (indicators.md): a ward's NTM status or a commune's GRDP is neither."""
        if not self.reported_by or self.reported_as_part(unit):
            return True
        lowest = min(LEVELS.index("commune" if t == "xa" else t) for t in self.reported_by)
        return LEVELS.index(unit.level) > lowest


# The contract lets any commune report these (indicators.md), but they grade a xã's new-rural
# programme (NTM_MODEL implies NTM_ADVANCED implies NTM_STATUS, which is xã only): a ward's or
# a town's form leaves them out; one that sends them anyway is still loaded.
XA_FORM_ROWS = frozenset({"NTM_ADVANCED", "NTM_MODEL", "NTM_CRITERIA_MET"})


def on_form(element: Element, unit: Unit) -> bool:
    """Whether the unit's form has a row (or an open cell) for the element: the clerk
    templates write these rows, and the reader names one left empty (empty_template_row)."""
    return element.reported_as_part(unit) and not (element.code in XA_FORM_ROWS and unit.unit_type != "Xã")


def _read(name: str, folder: Path) -> list[dict[str, str]]:
    with open(folder / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _float_or_none(text: str) -> float | None:
    return float(text) if text.strip() else None


def _date_or_none(text: str) -> date | None:
    return date.fromisoformat(text) if text.strip() else None


def load_units(folder: Path | None = None) -> tuple[Unit, ...]:
    return _load_units(folder or seeds_dir())


@cache
def _load_units(folder: Path) -> tuple[Unit, ...]:
    return tuple(
        Unit(
            code=row["unit_code"],
            name=unicodedata.normalize("NFC", row["unit_name"]),
            unit_type=row["unit_type"],
            level=row["unit_level"],
            parent_code=row["parent_code"],
            valid_from=date.fromisoformat(row["valid_from"]),
            valid_to=date.fromisoformat(row["valid_to"]),
        )
        for row in _read("admin_units.csv", folder)
    )


def load_unit_changes(folder: Path | None = None) -> tuple[UnitChange, ...]:
    return _load_unit_changes(folder or seeds_dir())


@cache
def _load_unit_changes(folder: Path) -> tuple[UnitChange, ...]:
    return tuple(
        UnitChange(
            old_code=row["old_code"],
            old_name=unicodedata.normalize("NFC", row["old_name"]),
            new_code=row["new_code"],
            new_name=unicodedata.normalize("NFC", row["new_name"]),
            effective_date=date.fromisoformat(row["effective_date"]),
            is_default_new=row["is_default_new"] == "true",
            share=_float_or_none(row.get("share") or ""),
        )
        for row in _read("admin_unit_changes.csv", folder)
    )


def load_catalogue(folder: Path | None = None) -> dict[str, Element]:
    return _load_catalogue(folder or seeds_dir())


@cache
def _load_catalogue(folder: Path) -> dict[str, Element]:
    return {
        row["indicator_code"]: Element(
            code=row["indicator_code"],
            kind=row["kind"],
            name_vi=row["name_vi"],
            unit_of_measure=row["unit_of_measure"],
            value_type=row["value_type"],
            agg_over_units=row["agg_over_units"],
            agg_over_time=row["agg_over_time"],
            min_value=_float_or_none(row["min_value"]),
            max_value=_float_or_none(row["max_value"]),
            reported_by=tuple(t for t in row["reported_by"].split(";") if t),
            decimals=int(row.get("decimals") or 0),
            valid_from=_date_or_none(row.get("valid_from", "")),
            valid_to=_date_or_none(row.get("valid_to", "")),
        )
        for row in _read("indicators.csv", folder)
    }


def data_elements(folder: Path | None = None) -> dict[str, Element]:
    """Only what units report; computed indicators are never read from a file."""
    return {k: v for k, v in load_catalogue(folder).items() if v.kind == "element"}
