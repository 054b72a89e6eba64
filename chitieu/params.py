"""Manual-trigger parameters of the nightly DAG, checked beyond what JSON schema can say.

Checked in the run's first task and refused there with AirflowFailException: a wrong
parameter is the operator's to fix, and a retry would only fail the same way again.
"""

from __future__ import annotations

from datetime import date

from base.periods import parse_period

KNOWN = ("full_refresh", "rebuild_periods", "reingest_district", "reingest_unit", "reingest_day")


class BadParams(ValueError):
    """A trigger parameter is wrong; the message names it and says what is expected."""


def earliest_day() -> date:
    """The first day the warehouse can hold anything for: the reporting calendar's first
    rule (1 January 2021). No file can have arrived for it before."""
    from base.calendar import load_calendar

    return min(rule.valid_from for rule in load_calendar())


def check_day(name: str, day: date, today: date) -> str | None:
    """Why `day` cannot be a run's day (before the calendar's first day, after today), or None."""
    first = earliest_day()
    if day < first:
        return (f"{name}: {day.isoformat()} is before {first.isoformat()}, the first day of the "
                "reporting calendar (nothing can have arrived then)")
    if day > today:
        return f"{name}: {day.isoformat()} is after today ({today.isoformat()})"
    return None


def resolve_unit(text: str, today: date) -> tuple[str | None, str | None]:
    """(the GSO code, None) for a unit's code or name, resolved as a report's unit is
    (base.units: the type written and the parents after a comma decide between
    namesakes, every era counts); (None, why) when it names none or several, naming the
    candidates so the operator can pick one."""
    from base.units import UnitResolver, read_name

    resolver = UnitResolver.default()
    found = resolver.in_any_era(text, today)
    codes = list(dict.fromkeys(u.code for u in found))
    if len(codes) == 1:
        return codes[0], None
    if not codes:
        return None, (f"reingest_unit: {text!r} is not the GSO code nor the name of any unit "
                      "(province, district or commune, before or after the 2025 reform)"
                      + resolver._suggest(read_name(text)))
    latest = {code: [u for u in found if u.code == code][-1] for code in codes}
    return None, (f"reingest_unit: {text!r} names {len(codes)} units: "
                  + "; ".join(resolver.describe(u, today) for u in latest.values())
                  + "; give its GSO code, or its type ('Xã …', 'Huyện …') or its district "
                    "after a comma")


def check_params(params: dict, today: date | None = None) -> dict:
    """Return normalised params or raise BadParams with every problem found."""
    from base.settings import LOCAL_TZ

    if today is None:
        from datetime import datetime

        today = datetime.now(LOCAL_TZ).date()
    problems: list[str] = [f"{key!r} is not a parameter of this DAG (known: {', '.join(KNOWN)})"
                           for key in sorted(set(params) - set(KNOWN))]
    periods = params.get("rebuild_periods") or []
    canonical = []
    for text in periods:
        period = parse_period(str(text))
        if period is None:
            problems.append(f"rebuild_periods: {text!r} is not a period (use 2021, 2021-Q4, 2021-12)")
        else:
            canonical.append(period.code)
    district = params.get("reingest_district") or None
    unit = params.get("reingest_unit") or None
    if district is not None:
        from base.reference import load_units

        if not any(u.code == district and u.level == "district" for u in load_units()):
            problems.append(f"reingest_district: {district!r} is not a district GSO code")
    if unit is not None:
        unit, problem = resolve_unit(str(unit), today)
        if problem:
            problems.append(problem)
    day = params.get("reingest_day") or None
    if day is not None:
        try:
            problem = check_day("reingest_day", date.fromisoformat(day), today)
        except ValueError:
            problem = f"reingest_day: {day!r} is not a date (YYYY-MM-DD)"
        if problem:
            problems.append(problem)
    if problems:
        raise BadParams("; ".join(problems))
    return {"rebuild_periods": canonical, "reingest_district": district, "reingest_unit": unit,
            "reingest_day": day, "full_refresh": bool(params.get("full_refresh"))}
