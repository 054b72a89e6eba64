"""The portal's answers to findings (giải trình, đã sửa, chấp nhận), read by the night.

The portal appends one JSON line per answer to its export beside its decisions
(Settings.finding_answers_file; written by portal/office/followup.py), keyed by the
portal's own answer number. Each ingest appends the answers raw.finding_answers does not
hold yet; none is ever changed or dropped (an answer is superseded by a later one, the
history stays). A new row rebuilds its period (dbt int_rebuild_periods) and shows in
marts.finding_follow_up. A line that cannot be read is skipped and counted, never fatal.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from ingest.exports import not_held, read_export, utc_moment

KINDS = {"giai_trinh", "da_sua", "chap_nhan"}
_KEY = re.compile(r"^[0-9a-f]{32}$")
_SHA = re.compile(r"^([0-9a-f]{64})?$")
COLUMNS = ("answer_id", "finding_key", "unit_code", "period", "rule", "indicator_code", "kind",
           "answer_text", "corrected_file_sha256", "answered_by", "answered_at")


def finding_answers_file(receipts: Path | None) -> Path | None:
    """Where the answers export lies: beside the receipts export (Settings.finding_answers_file)."""
    return receipts.with_name("finding_answers.jsonl") if receipts is not None else None


def _answer(row: dict) -> tuple:
    number, key, kind = int(row["answer_id"]), str(row["finding_key"]), str(row["kind"])
    corrected = str(row.get("corrected_file_sha256") or "")
    unit_code, period = str(row["unit_code"]), str(row["period"])
    if kind not in KINDS or not _KEY.match(key) or not _SHA.match(corrected) or not unit_code or not period:
        raise ValueError(row)
    if (kind == "da_sua") != bool(corrected):  # a correction names its file; nothing else does
        raise ValueError(row)
    return (number, key, unit_code, period, str(row.get("rule") or "") or None,
            str(row.get("indicator_code") or "") or None, kind, str(row.get("text", ""))[:2000],
            corrected or None, str(row.get("answered_by", "")), utc_moment(row["answered_at"]))


def read_finding_answers(path: Path | None) -> tuple[list[tuple], int]:
    """The export's answers as raw.finding_answers rows (the first line of a number kept) and
    how many lines were unreadable."""
    answers, bad = read_export(path, _answer)
    rows: dict[int, tuple] = {}
    for row in answers:
        rows.setdefault(row[0], row)
    return list(rows.values()), bad


def _held(con: duckdb.DuckDBPyConnection) -> set[int]:
    return {n for (n,) in con.execute("SELECT answer_id FROM raw.finding_answers").fetchall()}


def load_finding_answers(con: duckdb.DuckDBPyConnection, path: Path | None) -> int:
    """raw.finding_answers gains the export's answers it does not hold. Returns how many."""
    rows, _ = read_finding_answers(path)
    held = _held(con)
    new = [r for r in rows if r[0] not in held]
    if new:
        con.executemany(f"INSERT INTO raw.finding_answers ({', '.join(COLUMNS)}) "
                        f"VALUES ({', '.join('?' for _ in COLUMNS)})", new)
    return len(new)


def new_finding_answers(path: Path | None, db_path: Path) -> int:
    """Answers the build database does not hold yet: a change the night must build even when
    no file arrived."""
    rows, _ = read_finding_answers(path)
    return not_held([r[0] for r in rows], db_path, "finding_answers", "answer_id")
