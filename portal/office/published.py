"""A unit's page reads the published warehouse (read-only, a few rows, then closed at once;
the night publishes by renaming a new file over it, so a reader never blocks it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class UnitFacts:
    periods: list[dict]
    values: list[dict]
    findings: list[dict]
    available: bool


def _rows(con, sql: str, params: list) -> list[dict]:
    cur = con.execute(sql, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def unit_facts(published: Path | None, unit_code: str) -> UnitFacts:
    if published is None or not published.exists():
        return UnitFacts([], [], [], False)
    import duckdb

    try:
        con = duckdb.connect(str(published), read_only=True)
    except duckdb.Error:
        return UnitFacts([], [], [], False)
    try:
        periods = _rows(con, """
            SELECT c.period, p.period_type, c.expected_reports, c.received_reports, c.on_time_reports
            FROM marts.reporting_completeness c JOIN marts.dim_periods p USING (period)
            WHERE c.unit_code = ? ORDER BY p.last_day DESC, p.period_type LIMIT 24""", [unit_code])
        latest = _rows(con, """
            SELECT period FROM marts.indicator_values v JOIN marts.dim_periods p USING (period)
            WHERE unit_code = ? ORDER BY p.last_day DESC, p.period_type LIMIT 1""", [unit_code])
        values = _rows(con, """
            SELECT period, indicator_code, indicator_name, value, unit_of_measure
            FROM marts.indicator_values WHERE unit_code = ? AND period = ?
            ORDER BY indicator_code""", [unit_code, latest[0]["period"]]) if latest else []
        findings = _rows(con, """
            SELECT period, indicator_code, rule, severity, message, source_cell
            FROM marts.data_quality_findings WHERE unit_code = ? AND severity <> 'info'
            ORDER BY period DESC, rule LIMIT 50""", [unit_code])
    except duckdb.Error:
        return UnitFacts([], [], [], False)
    finally:
        con.close()
    return UnitFacts(periods, values, findings, True)
