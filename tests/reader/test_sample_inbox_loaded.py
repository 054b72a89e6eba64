"""Ingesting the sample inbox: nothing lost, nothing doubled, bad input exactly as labelled."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingest import store
from ingest.pipeline import ingest_inbox, reingest

pytestmark = pytest.mark.warehouse

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def loaded(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("ingest")
    db = root / "chitieu.duckdb"
    summary = ingest_inbox(sample_dir / "inbox", db, root / "archive", progress=False)
    return db, root / "archive", summary


def _query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_every_row_read_is_loaded_or_quarantined(loaded) -> None:
    db, _, _ = loaded
    bad = _query(db, """
        WITH stored AS (
            SELECT submission_id FROM raw."values" UNION ALL SELECT submission_id FROM raw.targets)
        SELECT s.submission_id, s.rows_read, s.rows_loaded, s.rows_quarantined,
               (SELECT count(*) FROM stored v WHERE v.submission_id = s.submission_id)
        FROM raw.submissions s
        WHERE s.rows_read != s.rows_loaded + s.rows_quarantined
           OR s.rows_loaded != (SELECT count(*) FROM stored v
                                WHERE v.submission_id = s.submission_id)""")
    assert bad == []
    assert _query(db, "SELECT sum(rows_read) FROM raw.submissions")[0][0] > 10_000


DBT_RULES = {"vax18_dose_order", "replaced_value"}  # found by the warehouse, not the reader


def test_findings_are_exactly_the_labelled_bad_inputs(loaded, bad_inputs) -> None:
    db, _, _ = loaded
    found = set(_query(db, "SELECT source_file, rule, coalesce(cell, '') FROM raw.findings "
                           "WHERE severity != 'info'"))
    labelled = {(b["file"], b["rule"], b["cell"]) for b in bad_inputs if b["rule"] not in DBT_RULES}
    # Sheet- and file-level findings carry no cell; the total-row finding names its cell.
    assert {(f, r) for f, r, _ in found} == {(f, r) for f, r, _ in labelled}
    cells = {(f, r, c) for f, r, c in labelled if c}
    assert cells <= found


def test_running_twice_changes_nothing(loaded, sample_dir: Path) -> None:
    db, archive, _ = loaded
    fingerprint = 'SELECT count(*), sum(hash(submission_id, element_code, value)) FROM raw."values"'
    before = _query(db, fingerprint)
    summary = ingest_inbox(sample_dir / "inbox", db, archive, progress=False)
    assert summary.files_new == 0 and summary.files_skipped > 800
    assert _query(db, fingerprint) == before


def test_originals_are_archived_byte_for_byte(loaded, sample_dir: Path) -> None:
    db, _, _ = loaded
    rows = _query(db, "SELECT file_sha256, archive_path, original_path FROM raw.files")
    assert len(rows) == len({r[0] for r in rows})
    for sha, archived, original in rows:
        data = Path(archived).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha
        assert (sample_dir / "inbox" / original).exists()
    sightings = _query(db, "SELECT count(*) FROM raw.file_sightings")[0][0]
    inbox_files = sum(1 for p in (sample_dir / "inbox").rglob("*") if p.is_file())
    assert sightings == inbox_files, "every path is recorded, duplicates included"


def test_every_file_of_a_pipelined_load_is_archived_whole_and_loaded(tmp_path: Path) -> None:
    """Over SMALL_NIGHT_FILES, two workers each hold PIPELINE files at once: no file is lost at
    a pipeline's end, each archived copy is the original byte for byte (read once, hashed and
    written from that buffer, parsed from it), and each file's own values are loaded."""
    from ingest.guard import PIPELINE
    from ingest.pipeline import SMALL_NIGHT_FILES
    from tests import hostile

    n = SMALL_NIGHT_FILES + 2 * PIPELINE + 1  # two workers, and a last pipeline left unfilled
    reports = hostile.good_reports(tmp_path / "inbox", n)
    db = tmp_path / "db.duckdb"
    summary = ingest_inbox(tmp_path / "inbox", db, tmp_path / "archive", workers=2, progress=False)
    assert (summary.files_new, summary.files_rejected) == (n, 0), summary.line()
    archived = {name: Path(path) for name, path in _query(db, "SELECT file_name, archive_path "
                                                              "FROM raw.files")}
    assert len(archived) == n
    loaded = {(unit, element, value) for unit, element, value in _query(
        db, 'SELECT unit_code, element_code, value FROM raw."values"')}
    for report in reports:
        assert archived[report.path.name].read_bytes() == report.path.read_bytes(), report.path.name
        for element, value in report.values.items():
            assert (report.unit_code, element, value) in loaded, (report.path.name, element)


def test_a_crash_mid_file_leaves_nothing(tmp_path: Path, sample_dir: Path, monkeypatch) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(sample_dir / "inbox" / "Tinh", inbox)
    real_insert = store.insert_rows

    def failing_insert(con, batch):
        if batch.get("values"):
            real_insert(con, {"submissions": batch["submissions"]})
            raise OSError("disk full")
        return real_insert(con, batch)

    monkeypatch.setattr(store, "insert_rows", failing_insert)
    with pytest.raises(OSError):
        ingest_inbox(inbox, tmp_path / "db.duckdb", tmp_path / "archive", workers=1, progress=False)
    monkeypatch.undo()
    for table in ("files", "submissions", "values", "findings"):
        assert _query(tmp_path / "db.duckdb", f'SELECT count(*) FROM raw."{table}"')[0][0] == 0, table
    summary = ingest_inbox(inbox, tmp_path / "db.duckdb", tmp_path / "archive", workers=1, progress=False)
    assert summary.files_new == 2 and summary.values_loaded > 0


def test_reingest_replaces_earlier_parses_exactly(loaded) -> None:
    """Every raw table a file feeds (ledger, submissions, values, targets, findings), not only
    the values, is as the first ingest wrote it — but for the times of the new parse. CSV
    files are included: they are named by their file, which the archive renames."""
    db, _, _ = loaded
    shas = [r[0] for r in _query(db, "SELECT file_sha256 FROM raw.files WHERE file_name NOT ILIKE "
                                     "'%.csv' ORDER BY 1 LIMIT 25")]
    shas += [r[0] for r in _query(db, "SELECT file_sha256 FROM raw.files WHERE file_name ILIKE "
                                      "'%.csv' ORDER BY 1 LIMIT 5")]
    shas += [r[0] for r in _query(db, "SELECT DISTINCT file_sha256 FROM raw.findings ORDER BY 1 LIMIT 10")
             if r[0] not in shas]
    fingerprint = {
        "files": "SELECT * FROM raw.files WHERE file_sha256 IN (SELECT unnest(?))",
        "submissions": "SELECT * EXCLUDE (ingested_at) FROM raw.submissions "
                       "WHERE file_sha256 IN (SELECT unnest(?))",
        "values": 'SELECT v.* FROM raw."values" v JOIN raw.submissions s USING (submission_id) '
                  "WHERE s.file_sha256 IN (SELECT unnest(?))",
        "targets": "SELECT t.* FROM raw.targets t JOIN raw.submissions s USING (submission_id) "
                   "WHERE s.file_sha256 IN (SELECT unnest(?))",
        "findings": "SELECT * EXCLUDE (found_at) FROM raw.findings WHERE file_sha256 IN (SELECT unnest(?))",
    }

    def snapshot() -> dict[str, list]:
        return {table: sorted(_query(db, sql, [shas]), key=repr) for table, sql in fingerprint.items()}

    before = snapshot()
    assert before["values"] and before["findings"]
    summary = reingest(db, shas, workers=1)
    after = snapshot()
    for table in fingerprint:
        assert after[table] == before[table], table
    assert (summary.files_new, summary.files_reparsed) == (0, len(shas))
    assert _query(db, "SELECT count(*) - count(DISTINCT submission_id) FROM raw.submissions")[0][0] == 0


def test_validate_prints_file_sheet_cell_and_exits_1(sample_dir: Path) -> None:
    bad = sample_dir / "inbox" / "Loi" / "BC thang 9 - Phuong Dai Nai.xlsx"
    good = sample_dir / "inbox" / "Tinh" / "BC KTXH tinh 2021.xlsx"
    proc = subprocess.run([sys.executable, "-m", "ingest", "validate", str(bad)], capture_output=True,
                          text=True, cwd=PROJECT, check=False)
    assert proc.returncode == 1
    assert "BC thang 9 - Phuong Dai Nai.xlsx › T9 › E12: Excel error value #DIV/0!" in proc.stdout
    assert "› T9 › E14: 'khoảng 5' is not a number" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "ingest", "validate", str(good)], capture_output=True,
                          text=True, cwd=PROJECT, check=False)
    assert proc.returncode == 0, proc.stdout
    assert "layout A, Tỉnh Hà Tĩnh (42), period 2021, 9 values" in proc.stdout


def test_load_command_prints_a_summary(tmp_path: Path, sample_dir: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(sample_dir / "inbox" / "Loi", inbox)
    proc = subprocess.run([sys.executable, "-m", "ingest", "load", "--inbox", str(inbox), "--warehouse",
                           str(tmp_path / "w")], capture_output=True, text=True, cwd=PROJECT,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert "files: 7 new, 0 already ingested, 1 rejected" in proc.stdout
    assert "rows quarantined: 12" in proc.stdout  # 3 bad cells and a blank template's 9 rows
    assert "ingest: 7/7 files" in proc.stderr  # line-based progress when not on a terminal
