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


# The fingerprint of a unit-period's figures: the same expression the warehouse uses for
# approval status (dbt: approval_status), so that "changed after approval" compares like with like.
FINGERPRINT_SQL = ("sha256(string_agg(indicator_code || '=' || coalesce(cast(value AS VARCHAR), ''), ';' "
                   "ORDER BY indicator_code))")


def _connect(published: Path | None):
    if published is None or not published.exists():
        return None
    import duckdb

    try:
        return duckdb.connect(str(published), read_only=True)
    except duckdb.Error:
        return None


def period_review(published: Path | None, unit_codes: list[str], period: str, previous: str,
                  last_year: str) -> dict[str, dict]:
    """For each unit: received, on time, its findings, its figures beside the previous period
    and the same period last year, and the fingerprint of its figures for `period`."""
    con = _connect(published)
    if con is None or not unit_codes:
        return {}
    import duckdb

    marks = ", ".join("?" for _ in unit_codes)
    try:
        done = _rows(con, f"""SELECT unit_code, received_reports, on_time_reports
            FROM marts.reporting_completeness WHERE period = ? AND unit_code IN ({marks})""",
                     [period, *unit_codes])
        figures = _rows(con, f"""
            SELECT unit_code, indicator_code, any_value(indicator_name) AS indicator_name,
                   any_value(unit_of_measure) AS unit_of_measure,
                   max(value) FILTER (WHERE period = ?) AS value,
                   max(value) FILTER (WHERE period = ?) AS previous_value,
                   max(value) FILTER (WHERE period = ?) AS last_year_value
            FROM marts.indicator_values WHERE period IN (?, ?, ?) AND unit_code IN ({marks})
            GROUP BY unit_code, indicator_code HAVING count(*) FILTER (WHERE period = ?) > 0
            ORDER BY unit_code, indicator_code""",
                        [period, previous, last_year, period, previous, last_year, *unit_codes, period])
        prints = _rows(con, f"""SELECT unit_code, {FINGERPRINT_SQL} AS fingerprint FROM marts.indicator_values
            WHERE period = ? AND unit_code IN ({marks}) GROUP BY unit_code""", [period, *unit_codes])
        findings = _rows(con, f"""SELECT unit_code, indicator_code, rule, severity, message
            FROM marts.data_quality_findings
            WHERE period = ? AND severity <> 'info' AND unit_code IN ({marks}) ORDER BY unit_code, rule""",
                         [period, *unit_codes])
    except duckdb.Error:
        return {}
    finally:
        con.close()
    out: dict[str, dict] = {c: {"figures": [], "findings": []} for c in unit_codes}
    for r in done:
        received = r["received_reports"] > 0
        on_time = r["on_time_reports"] >= r["received_reports"] if received else None
        out[r["unit_code"]].update(received=received, on_time=on_time)
    for r in figures:
        out[r["unit_code"]]["figures"].append(r)
    for r in prints:
        out[r["unit_code"]]["fingerprint"] = r["fingerprint"]
    for r in findings:
        out[r["unit_code"]]["findings"].append(r)
    return out


def figures_fingerprints(published: Path | None) -> dict[tuple[str, str], str]:
    """Every unit-period of the published figures with its fingerprint (bulk approval)."""
    con = _connect(published)
    if con is None:
        return {}
    import duckdb

    try:
        rows = con.execute(f"""SELECT unit_code, period, {FINGERPRINT_SQL} FROM marts.indicator_values
            GROUP BY unit_code, period""").fetchall()
    except duckdb.Error:
        return {}
    finally:
        con.close()
    return {(u, p): fp for u, p, fp in rows}


def held_in_warehouse(published: Path | None, unit_codes: list[str], period: str | None = None) -> list[dict]:
    """The files last night's build held (marts.held_submissions) for these units, whether
    the unit's period is held (unit_code) or the file is the unit's (report_unit_code: a
    district's table held for a commune's row): a file dropped into the inbox, not sent
    through the portal, has no receipt to show it, and a table's commune rows are held by
    the communes' locks, which a receipt of the district does not know. Arrival and approval
    times as the mart writes them (naive UTC). Empty while nothing is published (or the file
    predates the mart)."""
    con = _connect(published)
    if con is None or not unit_codes:
        return []
    import duckdb

    marks = ", ".join("?" for _ in unit_codes)
    where = f"(unit_code IN ({marks}) OR report_unit_code IN ({marks}))"
    params: list = [*unit_codes, *unit_codes]
    if period is not None:
        where += " AND period = ?"
        params.append(period)
    try:
        return _rows(con, f"""SELECT unit_code, unit_name, report_unit_code, period, source_file,
                file_sha256, portal_sender, arrived_at, approved_at
            FROM marts.held_submissions WHERE {where}
            ORDER BY arrived_at DESC, unit_code LIMIT 200""", params)
    except duckdb.Error:
        return []
    finally:
        con.close()
