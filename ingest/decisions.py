"""The portal's decisions (approve, return, the province's acceptance, the office's exception
on an approved unit-period), read by the night. An approval locks its unit-period: a file
arriving after it is held out of the published marts until an exception (dbt
int_held_submissions).

The portal appends one JSON line per decision to its export, beside its receipts
(Settings.decisions_file; written by portal/office/signoff.py), keyed by the portal's own
decision number. Each ingest appends the decisions raw.decisions does not hold yet, so the
table keeps every decision however many nights failed in between (the night never opens
the portal's database); a new row rebuilds its unit-period (dbt int_rebuild_periods on the
incremental night). A line that cannot be read is skipped and counted, never fatal.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from ingest.exports import not_held, read_export, utc_moment

_SHA = re.compile(r"^([0-9a-f]{64})?$")
DECISIONS = {"approved", "returned", "accepted", "exception"}


def decisions_file(receipts: Path | None) -> Path | None:
    """Where the decisions export lies: beside the receipts export (Settings.decisions_file)."""
    return receipts.with_name("decisions.jsonl") if receipts is not None else None


def _decision(row: dict) -> tuple:
    number, decision = int(row["decision_id"]), str(row["decision"])
    fingerprint = str(row.get("figures_sha256") or "")
    if decision not in DECISIONS or not _SHA.match(fingerprint):
        raise ValueError(row)
    return (str(row["unit_code"]), str(row["period"]), decision, str(row.get("decided_by", "")),
            utc_moment(row["decided_at"]), str(row.get("note", ""))[:1000], number, fingerprint or None)


def read_decisions(path: Path | None) -> tuple[list[tuple], int]:
    """The export's decisions as raw.decisions rows (one per decision number, the first line
    of a number kept), and how many lines were unreadable."""
    decisions, bad = read_export(path, _decision)
    rows: dict[int, tuple] = {}
    for row in decisions:
        rows.setdefault(row[6], row)
    return list(rows.values()), bad


def _held(con: duckdb.DuckDBPyConnection) -> set[int]:
    return {n for (n,) in con.execute("SELECT decision_id FROM raw.decisions WHERE decision_id IS NOT NULL")
            .fetchall()}


def load_decisions(con: duckdb.DuckDBPyConnection, path: Path | None) -> int:
    """raw.decisions gains the export's decisions it does not hold; none is ever dropped or
    changed (a decision is superseded by a later one, not edited). Returns how many were added."""
    rows, _ = read_decisions(path)
    held = _held(con)
    new = [r for r in rows if r[6] not in held]
    if new:
        con.executemany("INSERT INTO raw.decisions (unit_code, period, decision, decided_by, decided_at, "
                        "note, decision_id, figures_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", new)
    return len(new)


def new_decisions(path: Path | None, db_path: Path) -> int:
    """Decisions the build database does not hold yet: a change the night must see even
    when no file arrived."""
    rows, _ = read_decisions(path)
    return not_held([r[6] for r in rows], db_path, "decisions", "decision_id")
