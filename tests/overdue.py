"""A copy of the built warehouse in which two communes' reports of the last month have not
arrived: the due-day alert then has someone to name (the sample itself is complete).

A plain module shared by the alert tests (test_operations.py, test_alerts.py)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from base.settings import Settings


@dataclass(frozen=True)
class Missing:
    settings: Settings  # the copy's warehouse folder (no inbox)
    period: str
    due: date  # the last day the two communes had
    gone: list[str]  # their unit codes


def two_reports_missing(built: Settings, folder: Path) -> Missing:
    from base.calendar import load_calendar
    from base.periods import parse_period

    con = duckdb.connect(str(built.build_db))  # the configuration dbt holds it open with
    con.execute("CHECKPOINT")
    con.close()
    copy = Settings(None, folder)
    copy.build_db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(built.build_db, copy.build_db)
    con = duckdb.connect(str(copy.build_db))
    try:
        period = con.execute("SELECT max(period) FROM intermediate.int_submissions_ranked "
                             "WHERE length(period) = 7").fetchone()[0]
        gone = [code for (code,) in con.execute(
            "SELECT DISTINCT unit_code FROM intermediate.int_submissions_ranked WHERE period = ? "
            "ORDER BY unit_code LIMIT 2", [period]).fetchall()]
        con.execute("DELETE FROM intermediate.int_submissions_ranked WHERE period = ? AND "
                    "unit_code IN (SELECT unnest(?::VARCHAR[]))", [period, gone])
    finally:
        con.close()
    month = parse_period(period)
    rule = next(r for r in load_calendar() if r.unit_level == "commune" and r.applies_to(month))
    return Missing(copy, period, rule.due_date(month), gone)
