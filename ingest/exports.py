"""The portal's append-only JSON-lines exports (receipts, decisions, answers to findings),
read by the night: one reader for all, so that a blank line is skipped and a line that
cannot be read is counted, never fatal, in the same way for each."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
UNREADABLE = (ValueError, KeyError, TypeError, AttributeError)


def read_export(path: Path | None, parse: Callable[[dict], T]) -> tuple[list[T], int]:
    """`parse` of each line of the export, in order, and how many lines it could not read
    (`parse` raises one of UNREADABLE for a line it refuses). A missing export is empty."""
    if path is None or not path.is_file():
        return [], 0
    parsed: list[T] = []
    bad = 0
    with path.open(encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                parsed.append(parse(json.loads(line)))
            except UNREADABLE:
                bad += 1
    return parsed, bad


def not_held(numbers: list[int], db_path: Path, table: str, column: str) -> int:
    """How many of the export's `numbers` raw.`table` of the build database does not hold yet
    (all of them before the database or its column exists): the night's new work. `table`
    and `column` are the caller's constants, never input."""
    if not numbers:
        return 0
    if not db_path.exists():
        return len(numbers)
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        found = con.execute("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'raw' "
                            "AND table_name = ? AND column_name = ?", [table, column]).fetchone()[0]
        held = {n for (n,) in con.execute(f"SELECT {column} FROM raw.{table} WHERE {column} IS NOT NULL")
                .fetchall()} if found else set()
    finally:
        con.close()
    return sum(1 for n in numbers if n not in held)


def utc_moment(value: object) -> datetime:
    """An exported moment ("…+07:00" or "…Z") as naive UTC, as raw.files stores times; a
    moment without its zone is refused (ValueError)."""
    when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if when.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return when.astimezone(UTC).replace(tzinfo=None)
