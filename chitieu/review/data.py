"""What the review of one target year says, read from the published marts only.

The review reads the published file (what BI tools see), read-only, so the printed report and
the dashboards never disagree. Everything here is plain data; wording lives in `fmt` and
`opening`, layout in the HTML template and the workbook writer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

# Figures of the breakdown by unit, in this order, when the level reports them that year.
BREAKDOWN_CODES = ("POVERTY_RATE", "HH_POOR", "HH_TOTAL", "NEAR_POVERTY_RATE", "NTM_COMMUNE_RATE",
                   "BUDGET_REVENUE")


@dataclass(frozen=True)
class Indicator:
    code: str
    name_vi: str
    name_en: str
    unit: str | None
    decimals: int
    direction: str

    def name(self, lang: str) -> str:
        return self.name_vi if lang == "vi" else self.name_en


@dataclass
class Target:
    unit_code: str
    unit_name: str
    indicator: Indicator
    kind: str
    low: float | None
    high: float | None
    actual: float | None
    gap: float | None
    status: str
    is_partial: bool
    level: float | None = None  # the unit's own figure in the year, beside a change (4,68 % beside -1,22)
    approved: bool = True  # the unit-year's figures are approved (marts.approval_status); else marked ‡


@dataclass
class Scorecard:
    total: int = 0
    met: int = 0
    exceeded: int = 0
    missed: int = 0
    at_risk: int = 0
    on_track: int = 0
    no_data: int = 0


@dataclass
class BreakdownRow:
    unit_code: str
    unit_name: str
    values: dict[str, float | None]
    is_partial: bool
    is_approximate: bool
    targets: list[Target] = field(default_factory=list)
    approved: bool = True  # the unit-year's figures are approved; else each printed is marked ‡


@dataclass
class Breakdown:
    level: str  # 'district' or 'commune'
    current_units: bool  # on today's units (after the reform) or as reported
    indicators: list[Indicator]
    rows: list[BreakdownRow]  # the poorest first


@dataclass
class Completeness:
    period: str
    expected: int
    received: int
    on_time: int
    pct: float | None
    missing: list[str]


@dataclass
class LateUnit:
    unit_code: str
    unit_name: str
    expected: int
    received: int
    on_time: int


@dataclass
class FindingGroup:
    rule: str
    severity: str
    count: int
    examples: list[str]  # "file › sheet › cell: message", where to look
    places: list[str] = field(default_factory=list)  # the same examples' "file › sheet › cell"


@dataclass
class Review:
    year: int
    province_code: str
    province_name: str
    published_at: datetime | None
    closed: bool
    scorecard: Scorecard
    targets: list[Target]  # the province's, every one
    unit_targets: list[Target]  # the districts' or communes' own targets
    province_values: dict[str, float]
    previous_values: dict[str, float]
    breakdown: Breakdown | None
    completeness: list[Completeness]
    late_units: list[LateUnit]
    findings: list[FindingGroup]
    catalogue: dict[str, Indicator] = field(default_factory=dict)
    province_approved: bool = True  # the province's figures of the year are approved


def target_years(published_db: Path, today: date) -> list[int]:
    """Every year with province targets, up to the current year: one review each."""
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        province = _province(con)[0]
        rows = con.execute("SELECT DISTINCT year FROM marts.scorecard WHERE unit_code = ? AND year <= ? "
                           "ORDER BY year", [province, today.year]).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def _province(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    return con.execute("SELECT unit_code, unit_name FROM marts.dim_units WHERE unit_level = 'province' "
                       "ORDER BY valid_to DESC LIMIT 1").fetchone()


def _catalogue(con: duckdb.DuckDBPyConnection) -> dict[str, Indicator]:
    rows = con.execute("SELECT indicator_code, indicator_name, indicator_name_en, unit_of_measure, "
                       "coalesce(decimals, 1), coalesce(direction, 'higher') FROM marts.dim_indicators"
                       ).fetchall()
    return {r[0]: Indicator(*r) for r in rows}


def load_review(published_db: Path, year: int, today: date) -> Review:
    """Everything the review of `year` shows, from the published marts."""
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        return _load(con, year, today)
    finally:
        con.close()


def _load(con: duckdb.DuckDBPyConnection, year: int, today: date) -> Review:
    province, province_name = _province(con)
    catalogue = _catalogue(con)
    published = con.execute("SELECT max(published_at) FROM meta.publication").fetchone()[0]
    card = con.execute("SELECT targets_total, targets_met, targets_exceeded, targets_missed, "
                       "targets_at_risk, targets_on_track, targets_no_data FROM marts.scorecard "
                       "WHERE unit_code = ? AND year = ?", [province, year]).fetchone()
    values = _values(con, "indicator_values", province, str(year))
    previous = _values(con, "indicator_values_current_units", province, str(year - 1))
    approved = _approved_units(con, "indicator_values", str(year))
    targets = _targets(con, catalogue, year, approved)
    year_end = date(year, 12, 31)
    return Review(
        year=year, province_code=province, province_name=province_name, published_at=published,
        closed=year_end < today, scorecard=Scorecard(*card) if card else Scorecard(),
        targets=[t for t in targets if t.unit_code == province],
        unit_targets=sorted((t for t in targets if t.unit_code != province),
                            key=lambda t: (t.status not in ("missed", "at_risk"), t.unit_name)),
        province_values=values, previous_values=previous,
        breakdown=_breakdown(con, catalogue, province, year, targets),
        province_approved=province in approved,
        completeness=_completeness(con, province, year),
        late_units=_late_units(con, province, year),
        findings=_findings(con, year),
        catalogue=catalogue,
    )


def _values(con, mart: str, unit: str, period: str) -> dict[str, float]:
    rows = con.execute(f"SELECT indicator_code, value FROM marts.{mart} "
                       "WHERE unit_code = ? AND period = ? AND value IS NOT NULL", [unit, period]).fetchall()
    return dict(rows)


def _approved_units(con, mart: str, period: str) -> set[str]:
    """The units whose figures of `period` in the mart are approved (the marts' approval_status:
    docs/spec/portal.md, "Sign off"); the review marks every other figure it prints."""
    rows = con.execute(f"SELECT unit_code FROM marts.{mart} WHERE period = ? GROUP BY unit_code "
                       "HAVING bool_and(approval_status = 'approved')", [period]).fetchall()
    return {r[0] for r in rows}


def _targets(con, catalogue: dict[str, Indicator], year: int, approved: set[str]) -> list[Target]:
    rows = con.execute("""
        SELECT t.unit_code, u.unit_name, t.indicator_code, t.target_kind, t.target_low, t.target_high,
               t.actual, t.gap, t.status, t.is_partial, t.unit_value
        FROM marts.target_attainment t
        JOIN marts.dim_units u ON u.unit_code = t.unit_code
         AND u.valid_from <= make_date(t.year, 12, 31) AND u.valid_to >= make_date(t.year, 1, 1)
        WHERE t.year = ?
        QUALIFY row_number() OVER (PARTITION BY t.unit_code, t.indicator_code ORDER BY u.valid_from DESC) = 1
        ORDER BY u.unit_level DESC, t.unit_code, t.indicator_code""", [year]).fetchall()
    # The unit as its code named it in the year (the marts' rule: the last version within the
    # year), and the unit's own figure beside its own target, never the province's.
    return [Target(unit, name, catalogue[code], kind, low, high, actual, gap, status, bool(partial), level,
                   unit in approved)
            for unit, name, code, kind, low, high, actual, gap, status, partial, level in rows]


def _breakdown(con, catalogue, province: str, year: int, targets: list[Target]) -> Breakdown | None:
    """The units directly under the province on the year's last day: districts before the
    reform (as reported), the communes of today after it (on today's units)."""
    year_end = date(year, 12, 31)
    units = con.execute("SELECT unit_code, unit_name, unit_level, valid_to FROM marts.dim_units "
                        "WHERE parent_code = ? AND ? BETWEEN valid_from AND valid_to ORDER BY unit_code",
                        [province, year_end]).fetchall()
    if not units:
        return None
    level = units[0][2]
    current = all(valid_to >= date(9999, 1, 1) for *_, valid_to in units)
    mart = "indicator_values_current_units" if current else "indicator_values"
    rows = con.execute(f"""
        SELECT unit_code, indicator_code, value, is_partial, coalesce(is_approximate, false)
        FROM marts.{mart}
        WHERE period = ? AND unit_level = ? AND indicator_code IN ({", ".join("?" * len(BREAKDOWN_CODES))})
        """, [str(year), level, *BREAKDOWN_CODES]).fetchall()
    by_unit: dict[str, dict] = {}
    for unit, code, value, partial, approx in rows:
        entry = by_unit.setdefault(unit, {"values": {}, "partial": False, "approx": False})
        entry["values"][code] = value
        entry["partial"] |= bool(partial)
        entry["approx"] |= bool(approx)
    present = [c for c in BREAKDOWN_CODES if any(c in e["values"] for e in by_unit.values())]
    approved = _approved_units(con, mart, str(year))
    out = []
    for code, name, _, _ in units:
        entry = by_unit.get(code, {"values": {}, "partial": False, "approx": False})
        out.append(BreakdownRow(code, name, entry["values"], entry["partial"], entry["approx"],
                                [t for t in targets if t.unit_code == code], code in approved))
    # The poorest first; a unit's own missed target puts it before the rest of its rank.
    out.sort(key=lambda r: (-(r.values.get("POVERTY_RATE") or -1),
                            r.unit_name))
    return Breakdown(level, current, [catalogue[c] for c in present], out)


def _completeness(con, province: str, year: int) -> list[Completeness]:
    rows = con.execute("""
        SELECT period, expected_reports, received_reports, on_time_reports, completeness_pct, missing_units
        FROM marts.reporting_completeness
        WHERE unit_code = ? AND (period = ? OR period LIKE ?)
        ORDER BY length(period), period""", [province, str(year), f"{year}-%"]).fetchall()
    return [Completeness(p, e, r, o, pct, [m.strip() for m in (missing or "").split(",") if m.strip()])
            for p, e, r, o, pct, missing in rows]


def _late_units(con, province: str, year: int, limit: int = 10) -> list[LateUnit]:
    """The units with the most reports late or missing in the year (their own reports)."""
    rows = con.execute("""
        SELECT c.unit_code, any_value(u.unit_name), sum(c.expected_reports), sum(c.received_reports),
               sum(c.on_time_reports)
        FROM marts.reporting_completeness c
        JOIN marts.dim_units u ON u.unit_code = c.unit_code
         AND make_date(?, 12, 31) >= u.valid_from AND make_date(?, 1, 1) <= u.valid_to
        WHERE c.unit_code <> ? AND (c.period = ? OR c.period LIKE ?) AND u.unit_level <> 'province'
          AND c.expected_reports = 1
        GROUP BY c.unit_code
        HAVING sum(c.expected_reports) > sum(c.on_time_reports)
        ORDER BY sum(c.expected_reports) - sum(c.on_time_reports) DESC, c.unit_code
        LIMIT ?""", [year, year, province, str(year), f"{year}-%", limit]).fetchall()
    return [LateUnit(*r) for r in rows]


def _findings(con, year: int, examples: int = 3) -> list[FindingGroup]:
    """Findings of the year's periods (and those whose period could not be read), by rule,
    with the first few places to look: file, sheet and cell."""
    rows = con.execute("""
        SELECT rule, severity, source_file, source_sheet, source_cell, message
        FROM marts.data_quality_findings
        WHERE period IS NULL OR period = ? OR period LIKE ?
        ORDER BY rule, source_file, source_sheet, source_row""", [str(year), f"{year}-%"]).fetchall()
    groups: dict[str, FindingGroup] = {}
    for rule, severity, file, sheet, cell, message in rows:
        group = groups.setdefault(rule, FindingGroup(rule, severity, 0, []))
        group.count += 1
        if len(group.examples) < examples:
            place = " › ".join(p for p in (file, sheet, cell) if p)
            group.examples.append(f"{place}: {message}" if place else str(message))
            group.places.append(place)
    return sorted(groups.values(), key=lambda g: (g.severity != "error", -g.count, g.rule))
