"""The reporting calendar seed (`reporting_calendar.csv`): who reports which period, by when.

The warehouse reads the same rules for completeness and timeliness; the clerk templates read
them to know which units to write a template for and which due date to print on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from base.periods import Period
from base.reference import _read, seeds_dir


@dataclass(frozen=True)
class CalendarRule:
    unit_level: str
    period_type: str
    due_days: int
    valid_from: date
    valid_to: date

    def applies_to(self, period: Period) -> bool:
        """A rule covers the periods of its type that end between its validity dates."""
        return (self.period_type == period.period_type
                and self.valid_from <= period.last_day <= self.valid_to)

    def due_date(self, period: Period) -> date:
        return period.last_day + timedelta(days=self.due_days)


def load_calendar(folder: Path | None = None) -> tuple[CalendarRule, ...]:
    return tuple(
        CalendarRule(row["unit_level"], row["period_type"], int(row["due_days"]),
                     date.fromisoformat(row["valid_from"]), date.fromisoformat(row["valid_to"]))
        for row in _read("reporting_calendar.csv", folder or seeds_dir())
    )


def rules_for(period: Period, folder: Path | None = None) -> dict[str, CalendarRule]:
    """The levels expected to report `period`, each with its rule (one per level)."""
    return {r.unit_level: r for r in load_calendar(folder) if r.applies_to(period)}
