"""The portal's receipts, read by the night: a file sent through the portal arrived when its
receipt says (docs/spec/spreadsheets.md, "Resubmission"), not when the pipeline first saw it.

The portal appends one JSON line per receipt to its export (CHITIEU_RECEIPTS_FILE; written by
portal/office/services.py), keyed by the file's fingerprint. Each ingest reads the export
whole into raw.receipts (the first receipt of a fingerprint counts; none is ever dropped), so
the table holds what the portal said, however many nights failed in between; the night never
opens the portal's database. A line that cannot be read is skipped and counted, never fatal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ingest.exports import read_export, utc_moment

_SHA = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Receipt:
    file_sha256: str
    received_at: datetime  # naive UTC, as raw.files stores times
    sender: str
    unit_code: str
    period: str


def _receipt(row: dict) -> Receipt:
    sha = str(row["file_sha256"])
    if not _SHA.match(sha):
        raise ValueError(sha)
    return Receipt(sha, utc_moment(row["received_at"]), str(row.get("sender", "")),
                   str(row.get("unit_code", "")), str(row.get("period", "")))


def read_receipts(path: Path | None) -> tuple[dict[str, Receipt], int]:
    """The first receipt of each fingerprint in the export, and how many lines were unreadable."""
    receipts, bad = read_export(path, _receipt)
    first: dict[str, Receipt] = {}
    for receipt in receipts:
        sha = receipt.file_sha256
        if sha not in first or receipt.received_at < first[sha].received_at:
            first[sha] = receipt
    return first, bad


def load_receipts(con: duckdb.DuckDBPyConnection, path: Path | None) -> int:
    """raw.receipts gains the export's receipts (one per fingerprint, the earliest kept); a
    receipt is never dropped, even when the export is missing or was cut short (a lost
    volume: `python -m portal export_receipts` writes it again). Returns how many it holds."""
    receipts, _ = read_receipts(path)
    held = {sha: Receipt(sha, when, sender, unit, period) for sha, when, sender, unit, period in
            con.execute("SELECT file_sha256, received_at, sender, unit_code, period FROM raw.receipts")
            .fetchall()}
    merged = dict(held)
    for sha, r in receipts.items():
        if sha not in merged or r.received_at < merged[sha].received_at:
            merged[sha] = r
    if merged == held:
        return len(held)
    con.execute("BEGIN")
    try:
        con.execute("DELETE FROM raw.receipts")
        con.executemany("INSERT INTO raw.receipts VALUES (?, ?, ?, ?, ?)",
                        [(r.file_sha256, r.received_at, r.sender, r.unit_code, r.period)
                         for r in merged.values()])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return len(merged)


def new_receipts(path: Path | None, db_path: Path) -> int:
    """Receipts the build database does not hold yet: a change the night must see even when
    no new file arrived (a file already in the inbox, sent again through the portal)."""
    receipts, _ = read_receipts(path)
    if not receipts:
        return 0
    if not db_path.exists():
        return len(receipts)
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' "
                           "AND table_name = 'receipts'").fetchone()[0]:
            return len(receipts)
        held = dict(con.execute("SELECT file_sha256, received_at FROM raw.receipts").fetchall())
    finally:
        con.close()
    return sum(1 for sha, r in receipts.items() if sha not in held or r.received_at < held[sha])
