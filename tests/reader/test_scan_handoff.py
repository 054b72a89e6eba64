"""A night scans its inbox once: the first task's scan hands the ingest the names worth
reading (ingest/scan_handoff.py), and the ingest that reads only those leaves the warehouse's
raw layer as a full scan would — new files, a file touched, a copy under a new name — while a
file that arrives between the two is read the next night, a refusal still gets its finding,
and nothing but our own hand-off for this inbox is ever used."""

from __future__ import annotations

import json
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

import ingest.pipeline
from ingest import scan_handoff
from ingest.pipeline import count_new_files, ingest_inbox
from tests.hostile import good_reports

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def _ingest(inbox: Path, warehouse: Path, scanned: tuple[Path, str] | None = None):
    return ingest_inbox(inbox, warehouse / "chitieu.duckdb", warehouse / "archive", workers=1,
                        progress=False, now=NOW, scanned=scanned)


def _raw(warehouse: Path) -> dict[str, list]:
    con = duckdb.connect(str(warehouse / "chitieu.duckdb"), read_only=True)
    try:
        return {table: con.execute(f'select {columns} from raw."{table}" order by all').fetchall()
                for table, columns in (
                    ("files", "file_sha256, original_path, size_bytes, submitted_at, first_seen_at, "
                              "status, rows_loaded"),
                    ("file_sightings", "file_sha256, original_path, seen_at, size_bytes, mtime_ns"),
                    ("values", "submission_id, unit_code, period, element_code, value, cell"))}
    finally:
        con.close()


def _counts(summary) -> dict:
    return {k: v for k, v in vars(summary).items() if k != "seconds"}


def _first_night(tmp_path: Path) -> tuple[Path, Path, Path]:
    inbox = tmp_path / "inbox"
    reports = good_reports(inbox, n=6)
    both = tmp_path / "scanned_twice", tmp_path / "scanned_once"
    for warehouse in both:
        _ingest(inbox, warehouse)
    later = time.time() - 60
    good_reports(tmp_path / "more", n=8)  # two more communes, new files
    for path in sorted((tmp_path / "more").iterdir())[-2:]:
        shutil.copy2(path, inbox / path.name)
    os.utime(reports[0].path, (later, later))  # touched: seen again, same bytes
    shutil.copy2(reports[1].path, inbox / "ban sao.xlsx")  # the same bytes under a new name
    return inbox, *both


def test_an_ingest_of_the_handed_names_equals_a_full_scan_and_scans_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, twice, once = _first_night(tmp_path)
    full = _ingest(inbox, twice)
    handoffs = tmp_path / "handoffs"
    token = scan_handoff.new_token()
    assert count_new_files(inbox, once / "chitieu.duckdb", handoff=(handoffs, token)) == 2
    assert (handoffs / f"{token}.json").exists()

    def no_scan(_inbox: Path):
        raise AssertionError("the ingest scanned the whole inbox again")

    monkeypatch.setattr(ingest.pipeline, "scan", no_scan)
    handed = _ingest(inbox, once, scanned=(handoffs, token))
    assert _counts(handed) == _counts(full)
    assert handed.files_new == 2 and handed.files_skipped == 7
    assert _raw(once) == _raw(twice)
    assert not (handoffs / f"{token}.json").exists(), "a hand-off is used once"


def test_a_file_arriving_between_the_scan_and_the_ingest_is_read_the_next_night(tmp_path: Path) -> None:
    inbox, _, once = _first_night(tmp_path)
    handoffs, token = tmp_path / "handoffs", scan_handoff.new_token()
    count_new_files(inbox, once / "chitieu.duckdb", handoff=(handoffs, token))
    late = good_reports(tmp_path / "late", n=9)[-1]
    shutil.copy2(late.path, inbox / late.path.name)
    assert _ingest(inbox, once, scanned=(handoffs, token)).files_new == 2
    assert _ingest(inbox, once).files_new == 1  # the next night's own scan


def test_a_refusal_is_not_handed_over_and_gets_its_finding(tmp_path: Path) -> None:
    inbox, _, once = _first_night(tmp_path)
    (inbox / "loi tat.xlsx").symlink_to(next(inbox.glob("*.csv")))
    handoffs, token = tmp_path / "handoffs", scan_handoff.new_token()
    assert count_new_files(inbox, once / "chitieu.duckdb", handoff=(handoffs, token)) == 3
    assert not (handoffs / f"{token}.json").exists()
    _ingest(inbox, once, scanned=(handoffs, token))
    con = duckdb.connect(str(once / "chitieu.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from raw.findings where rule = 'symlink'").fetchone() == (1,)
    finally:
        con.close()


def test_only_our_own_handoff_for_this_inbox_is_used(tmp_path: Path) -> None:
    inbox, other = tmp_path / "inbox", tmp_path / "other"
    inbox.mkdir()
    other.mkdir()
    folder, token = tmp_path / "handoffs", scan_handoff.new_token()
    assert scan_handoff.write(folder, token, inbox, ["a.xlsx"], 3)
    assert scan_handoff.take(folder, token, other) is None  # written for another inbox
    assert not (folder / f"{token}.json").exists()
    assert scan_handoff.write(folder, token, inbox, ["a.xlsx"], 3)
    assert scan_handoff.take(folder, token, inbox) == (["a.xlsx"], 3)
    assert scan_handoff.take(folder, token, inbox) is None  # once
    for bad in ("../../etc/passwd", "", "A" * 32, token + "x", None):
        assert scan_handoff.handoff_path(folder, bad) is None
        assert scan_handoff.take(folder, bad, inbox) is None
    ours = str(inbox.resolve())
    for damaged in ("{not json", "[]", json.dumps({"inbox": ours, "names": ["a\0b"], "known": 1}),
                    json.dumps({"inbox": ours, "names": ["a"], "known": True}),
                    json.dumps({"inbox": ours, "names": "a", "known": 1})):
        (folder / f"{token}.json").write_text(damaged, encoding="utf-8")
        assert scan_handoff.take(folder, token, inbox) is None, damaged
    assert not scan_handoff.write(folder, token, inbox, ["x"] * (scan_handoff.MAX_NAMES + 1), 0)


def test_a_name_outside_the_inbox_or_under_a_swapped_folder_is_left_out(tmp_path: Path) -> None:
    from ingest.inbox import Entry, examine_names

    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    (inbox / "xa").mkdir(parents=True)
    outside.mkdir()
    (inbox / "xa" / "bc.xlsx").write_bytes(b"x")
    (outside / "bc.xlsx").write_bytes(b"secret")
    (tmp_path / "bc.xlsx").write_bytes(b"secret")
    names = ["xa/bc.xlsx", "../bc.xlsx", str(tmp_path / "bc.xlsx"), "", "xa/b\0c.xlsx"]
    assert [e.path for e in examine_names(inbox, names) if isinstance(e, Entry)] == [inbox / "xa" / "bc.xlsx"]
    shutil.rmtree(inbox / "xa")
    (inbox / "xa").symlink_to(outside, target_is_directory=True)  # swapped after the scan
    assert list(examine_names(inbox, ["xa/bc.xlsx"])) == []
