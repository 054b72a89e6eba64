"""The night's side of receipts (ingest/receipts.py): the export read whole and defensively
into raw.receipts, every night, so a night that failed loses none; a new receipt is new work."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingest import store
from ingest.receipts import load_receipts, new_receipts, read_receipts

pytestmark = pytest.mark.unit
A, B = "a" * 64, "b" * 64


def line(sha: str, when: str, rid: int = 1) -> str:
    return json.dumps({"receipt_id": rid, "file_sha256": sha, "received_at": when, "sender": "bc18685",
                       "unit_code": "18685", "period": "2026"}) + "\n"


def test_the_first_receipt_counts_and_bad_lines_are_skipped(tmp_path: Path) -> None:
    export = tmp_path / "receipts.jsonl"
    export.write_text(line(A, "2026-12-07T02:43:26.5Z") + "not json\n"
                      + line(A, "2026-12-08T00:00:00Z", 2) + line("../etc", "2026-12-07T00:00:00Z", 3)
                      + line(B, "2026-12-07T01:00:00", 4)  # no zone: refused, never guessed
                      + '{"receipt_id": 5, "file_sha256": "' + B)  # a torn last line
    receipts, bad = read_receipts(export)
    assert list(receipts) == [A] and bad == 4
    assert receipts[A].received_at == datetime(2026, 12, 7, 2, 43, 26, 500000)


def test_every_ingest_copies_the_export_whole(tmp_path: Path) -> None:
    export, db = tmp_path / "receipts.jsonl", tmp_path / "build.duckdb"
    assert read_receipts(export) == ({}, 0) and new_receipts(export, db) == 0
    export.write_text(line(A, "2026-12-07T02:00:00Z"))
    assert new_receipts(export, db) == 1  # no build database yet: new work
    con = store.connect(db)
    before = store.raw_state(con)
    assert load_receipts(con, export) == 1
    after = store.raw_state(con)
    con.close()
    assert after != before and "receipts=1" in after  # a night that fails after this builds again
    assert new_receipts(export, db) == 0
    with export.open("a") as f:
        f.write(line(B, "2026-12-07T03:00:00Z", 2))
    assert new_receipts(export, db) == 1  # a receipt alone is a change the night sees
    con = store.connect(db)
    load_receipts(con, export)
    load_receipts(con, export)  # again: the same table, never doubled
    rows = con.execute("SELECT file_sha256, received_at FROM raw.receipts ORDER BY 1").fetchall()
    con.close()
    assert rows == [(A, datetime(2026, 12, 7, 2)), (B, datetime(2026, 12, 7, 3))]


def test_a_lost_export_loses_no_receipt(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "b.duckdb"))
    con.execute(store.SCHEMA)
    con.execute("INSERT INTO raw.receipts VALUES (?, '2026-12-07 02:00:00', 'x', '1', '2026')", [A])
    assert load_receipts(con, tmp_path / "missing.jsonl") == 1
    export = tmp_path / "receipts.jsonl"
    export.write_text(line(B, "2026-12-07T03:00:00Z"))  # written again from an empty start
    assert load_receipts(con, export) == 2
    assert con.execute("SELECT count(*) FROM raw.receipts").fetchone()[0] == 2
