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

SEEDS_DIR = Path(os.environ.get("CHITIEU_SEEDS_DIR")
                 or Path(__file__).resolve().parent.parent / "dbt_project" / "seeds")


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    unit_type: str
    level: str
    parent_code: str
    valid_from: date
    valid_to: date

    def valid_on(self, first_day: date, last_day: date) -> bool:
        """A unit may report a period only if it existed for the whole of it."""
        return self.valid_from <= first_day and last_day <= self.valid_to


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

    @property
    def is_whole(self) -> bool:
        return self.value_type in {"count", "yes_no"}


def _read(name: str, seeds_dir: Path) -> list[dict[str, str]]:
    with open(seeds_dir / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _float_or_none(text: str) -> float | None:
    return float(text) if text.strip() else None


@cache
def load_units(seeds_dir: Path = SEEDS_DIR) -> tuple[Unit, ...]:
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
        for row in _read("admin_units.csv", seeds_dir)
    )


@cache
def load_catalogue(seeds_dir: Path = SEEDS_DIR) -> dict[str, Element]:
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
        )
        for row in _read("indicators.csv", seeds_dir)
    }


def data_elements(seeds_dir: Path = SEEDS_DIR) -> dict[str, Element]:
    """Only what units report; computed indicators are never read from a file."""
    return {k: v for k, v in load_catalogue(seeds_dir).items() if v.kind == "element"}
