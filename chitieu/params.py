"""Manual-trigger parameters of the nightly DAG, checked beyond what JSON schema can say."""

from __future__ import annotations

from datetime import date

from ingest.periods import parse_period

KNOWN = ("full_refresh", "rebuild_periods", "reingest_district", "reingest_day")


class BadParams(ValueError):
    """A trigger parameter is wrong; the message names it and says what is expected."""


def check_params(params: dict) -> dict:
    """Return normalised params or raise BadParams with every problem found."""
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
    if district is not None:
        from ingest.reference import load_units

        if not any(u.code == district and u.level == "district" for u in load_units()):
            problems.append(f"reingest_district: {district!r} is not a district GSO code")
    day = params.get("reingest_day") or None
    if day is not None:
        try:
            date.fromisoformat(day)
        except ValueError:
            problems.append(f"reingest_day: {day!r} is not a date (YYYY-MM-DD)")
    if problems:
        raise BadParams("; ".join(problems))
    return {"rebuild_periods": canonical, "reingest_district": district, "reingest_day": day,
            "full_refresh": bool(params.get("full_refresh"))}
