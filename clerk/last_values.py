"""A unit's last published value of each element, printed beside the value cells of its
template so that a clerk sees a jump before sending it.

Read from the published warehouse (read-only, as BI tools read it); no file, no values. A unit
that exists today is read on today's units (`indicator_values_current_units`), so a new
commune's first months show its predecessors' carried figures; a unit that ceased is read as
reported, only for periods that ended while it existed (a reused code names another unit
outside them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from base.periods import Period, period_from_code
from base.reference import Unit

# How far back a "last value" may be: the year before the period (a 2021 COVID figure beside a
# 2026 form is noise, not a jump to check).
LOOKBACK = timedelta(days=400)
TODAY_UNITS = "marts.indicator_values_current_units"
AS_REPORTED = "marts.indicator_values"


@dataclass(frozen=True)
class LastValue:
    period: Period
    value: float


def last_values(published: Path | None, unit: Unit, period: Period,
                codes: list[str]) -> dict[str, LastValue]:
    """Per element code, the latest published value of the same period type before `period`,
    within the year before it."""
    if published is None or not published.exists() or not codes:
        return {}
    import duckdb

    exists_today = unit.valid_to >= date(9999, 1, 1)
    table = TODAY_UNITS if exists_today else AS_REPORTED
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(
            f"""
            SELECT indicator_code, period, value FROM {table}
            WHERE unit_code = ? AND period_type = ? AND period < ? AND value IS NOT NULL
              AND indicator_code IN (SELECT unnest(?::VARCHAR[]))
            ORDER BY period
            """,
            [unit.code, period.period_type, period.code, codes],
        ).fetchall()
    found: dict[str, LastValue] = {}
    for code, period_code, value in rows:  # in period order: the last one kept is the latest
        earlier = period_from_code(period_code)
        if earlier.last_day < period.first_day - LOOKBACK:
            continue
        if exists_today or unit.valid_from <= earlier.last_day <= unit.valid_to:
            found[code] = LastValue(earlier, float(value))
    return found
