"""The night reads the portal's decisions export into raw.decisions (ingest/decisions.py):
each decision once, none ever dropped, an unreadable line skipped and counted; a new
decision is a change the night builds and publishes even when no file arrived."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from ingest import store
from ingest.decisions import load_decisions, new_decisions, read_decisions

pytestmark = pytest.mark.unit

LINE = {
    "decision_id": 1,
    "unit_code": "18685",
    "period": "2026",
    "decision": "approved",
    "decided_by": "duyet42",
    "decided_at": "2027-01-21T02:00:00.000000Z",
    "figures_sha256": "a" * 64,
    "note": "",
}


def write(path: Path, *rows: dict | str) -> None:
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows),
        encoding="utf-8",
    )


def test_each_decision_once_and_bad_lines_counted(tmp_path: Path) -> None:
    export = tmp_path / "decisions.jsonl"
    returned = {
        **LINE,
        "decision_id": 2,
        "decision": "returned",
        "figures_sha256": "",
        "note": "Số hộ nghèo giảm bất thường",
        "decided_at": "2027-01-21T03:00:00Z",
    }
    write(
        export,
        LINE,
        "{torn",
        {**LINE, "decision_id": 3, "decision": "deleted"},
        {**LINE, "decision_id": 4, "decided_at": "2027-01-21T02:00:00"},
        returned,
        LINE,
    )
    rows, bad = read_decisions(export)
    assert bad == 3 and [r[6] for r in rows] == [1, 2]
    db = tmp_path / "build.duckdb"
    assert new_decisions(export, db) == 2  # no build database yet
    con = store.connect(db)
    assert load_decisions(con, export) == 2
    assert load_decisions(con, export) == 0  # read again: nothing doubled
    state = store.raw_state(con)
    got = con.execute(
        "SELECT decision_id, unit_code, period, decision, decided_by, "
        "strftime(decided_at, '%H:%M'), note, figures_sha256 FROM raw.decisions ORDER BY 1"
    ).fetchall()
    assert got == [
        (1, "18685", "2026", "approved", "duyet42", "02:00", "", "a" * 64),
        (2, "18685", "2026", "returned", "duyet42", "03:00", "Số hộ nghèo giảm bất thường", None),
    ]
    # the export lost (a new volume): the table keeps what it held
    export.unlink()
    assert load_decisions(con, export) == 0 and con.execute(
        "SELECT count(*) FROM raw.decisions"
    ).fetchone() == (2,)
    # a later decision: a change to the raw state, which the night builds and publishes
    write(export, {**LINE, "decision_id": 5, "decided_at": "2027-01-22T02:00:00Z"})
    con.close()
    assert new_decisions(export, db) == 1
    con = store.connect(db)
    load_decisions(con, export)
    assert store.raw_state(con) != state
    con.close()
    assert new_decisions(export, db) == 0


def test_no_export_no_decision(tmp_path: Path) -> None:
    assert read_decisions(None) == ([], 0) and read_decisions(tmp_path / "none.jsonl") == ([], 0)
    con = duckdb.connect(str(tmp_path / "b.duckdb"))
    con.close()
    assert new_decisions(tmp_path / "none.jsonl", tmp_path / "b.duckdb") == 0
