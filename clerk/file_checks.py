"""What the warehouse will say about a file's figures, said by `validate` before it is sent.

The row rules are not written twice: they are read from the warehouse's own model
(dbt_project/models/intermediate/int_rule_violations.sql, its `rule_violation(...)` calls
on the `wide` relation and that relation's element columns) and their conditions are
evaluated by DuckDB in memory, so a rule changed there changes here. The figures are also
set beside the unit's last published value (clerk/last_values.py): a percentage typed as
a fraction (0,0502 for 5,02 %), and a value far above or far below the last one (a digit
added is as likely as a digit dropped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from base.reference import Element, Unit
from base.rules import PROJECT_DIR
from clerk.last_values import LastValue, last_values
from ingest.layouts import Finding, SheetResult

RULES_SQL = PROJECT_DIR / "dbt_project" / "models" / "intermediate" / "int_rule_violations.sql"
# A value at least this many times above or below its last published value is flagged (a
# digit added or dropped multiplies or divides by 10); both under SMALL_COUNT is not.
FAR_FACTOR = 5.0
SMALL_COUNT = 10.0

_CALL = re.compile(r"rule_violation\((.*?)\)\s*}}", re.S)
_ARG = re.compile(r"'((?:[^']|'')*)'")
_COLUMN = re.compile(r"max\(value\) filter \(where element_code = '(\w+)'\) as (\w+)")


@dataclass(frozen=True)
class RowRule:
    """One `rule_violation` of the warehouse: its registered rule, the element it names,
    the observed and expected expressions, the message, and the violating condition."""

    rule: str
    element: str
    observed: str
    expected: str
    message: str
    relation: str
    condition: str


@cache
def row_rules(sql: Path = RULES_SQL) -> tuple[tuple[RowRule, ...], dict[str, str]]:
    """The rules a single report can be checked by (those on `wide`, one unit's figures of
    one period), and the wide relation's columns (column -> element code)."""
    text = sql.read_text(encoding="utf-8")
    rules = []
    for call in _CALL.findall(text):
        args = [a.replace("''", "'") for a in _ARG.findall(call)]
        rules.append(RowRule(*args))
    wide = text[text.index("wide as ("):]
    columns = {col: code for code, col in _COLUMN.findall(wide[:wide.index("\n),")])}
    return tuple(r for r in rules if r.relation == "wide"), columns


def rule_findings(sheet: SheetResult) -> list[Finding]:
    """Each unit's figures in the sheet against the warehouse's row rules."""
    import duckdb

    rules, columns = row_rules()
    if not rules or sheet.period is None:
        return []
    by_unit: dict[str, dict[str, float]] = {}
    for v in sheet.values:
        if v.value is not None:
            by_unit.setdefault(v.unit_code, {})[v.element_code] = v.value
    found = []
    with duckdb.connect() as con:
        for unit_code, figures in by_unit.items():
            row = ", ".join(f"?::double as {col}" for col in columns)
            params = [figures.get(code) for code in columns.values()]
            for r in rules:
                hit = con.execute(f"select {r.condition}, {r.observed}, {r.expected} from (select {row})",
                                  params).fetchone()
                if hit is None or not hit[0]:
                    continue
                found.append(Finding(
                    rule=r.rule, severity="warning", sheet=sheet.sheet, unit_code=unit_code,
                    element_code=r.element, period=sheet.period.code,
                    message=f"{r.message} ({_n(hit[1])} against {_n(hit[2])}); the warehouse will "
                            "flag it",
                    message_vi=f"{r.element}: {_n(hit[1], 'vi')} so với {_n(hit[2], 'vi')}; kho dữ liệu "
                               "sẽ đánh dấu để rà soát"))
    return found


@dataclass(frozen=True)
class _Flag:
    rule: str
    message: str
    message_vi: str


def history_findings(sheet: SheetResult, unit: Unit, catalogue: dict[str, Element],
                     published: Path | None, province: Unit | None = None) -> list[Finding]:
    """The sheet's own figures (layout A) beside the unit's last published values."""
    if sheet.period is None or published is None or sheet.layout != "A":
        return []
    mine = [v for v in sheet.values if v.value is not None and v.unit_code == unit.code]
    codes = sorted({v.element_code for v in mine})
    last = last_values(published, unit, sheet.period, codes)
    percents = [c for c in codes if catalogue[c].value_type == "percent" and c not in last]
    if province is not None and province.code != unit.code and percents:
        last = {**last_values(published, province, sheet.period, percents), **last}
    found = []
    for v in mine:
        before = last.get(v.element_code)
        if before is None:
            continue
        element = catalogue[v.element_code]
        flag = _as_fraction(v.value, before, element) or _far(v.value, before, element)
        if flag is not None:
            found.append(Finding(rule=flag.rule, severity="warning", message=flag.message,
                                 message_vi=flag.message_vi,
                                 sheet=sheet.sheet, row=v.row, col=v.col, raw_text=v.raw_text,
                                 unit_code=v.unit_code, element_code=v.element_code,
                                 period=sheet.period.code))
    return found


def _as_fraction(value: float, before: LastValue, element: Element) -> _Flag | None:
    """0,0502 for 5,02 %: a percentage under 1 where the last published one is above 1, and
    which a hundred times over is nearer to it (0,9 % growth after 5,02 % is a real figure)."""
    if element.value_type != "percent" or not 0 < abs(value) < 1 or abs(before.value) <= 1:
        return None
    as_percent = value * 100
    if abs(as_percent - before.value) >= abs(value - before.value):
        return None
    return _Flag(
        rule="percent_as_fraction",
        message=f"{element.code} {_n(value)} looks like a fraction: the last published value is "
                f"{_n(before.value)} % ({before.period.code}); write {_n(as_percent)} for "
                f"{_n(as_percent)} %",
        message_vi=f"{element.code} {_n(value, 'vi')} giống một phân số: số đã công bố gần nhất là "
                   f"{_n(before.value, 'vi')} % (kỳ {before.period.code}); ghi "
                   f"{_n(as_percent, 'vi')} cho {_n(as_percent, 'vi')} %")


def _far(value: float, before: LastValue, element: Element) -> _Flag | None:
    """Far above or far below the last published value, both ways alike."""
    low, high = sorted((abs(value), abs(before.value)))
    if high < SMALL_COUNT or (element.agg_over_time == "sum" and value == 0):
        return None
    if low * FAR_FACTOR > high:
        return None
    way, way_vi = ("above", "cao hơn") if abs(value) > abs(before.value) else ("below", "thấp hơn")
    times = high / low if low else float("inf")
    ratio = f"{times:.1f}" if low else "∞"
    return _Flag(
        rule="far_from_last_value",
        message=f"{element.code} {_n(value)} is {ratio} times {way} the last published value "
                f"{_n(before.value)} ({before.period.code}): a digit added or dropped?",
        message_vi=f"{element.code} {_n(value, 'vi')} {way_vi} {ratio.replace('.', ',')} lần so với số "
                   f"đã công bố gần nhất {_n(before.value, 'vi')} (kỳ {before.period.code}): thừa hoặc "
                   "thiếu một chữ số?")


def _n(value: float | None, lang: str = "en") -> str:
    """A figure as the clerk writes it: 1.981 and 5,02 in Vietnamese; 1,981 and 5.02 in English."""
    if value is None:
        return "?"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4f}".rstrip("0")
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text
