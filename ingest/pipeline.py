"""Ingest an inbox: fingerprint, archive, parse, and write each file whole or not at all.

Parsing runs in guarded worker processes (CPU-bound, and limited in memory and time: see
guard.py); the single writer process owns the DuckDB file, as DuckDB requires.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingest import store
from ingest.archive import archive_copy, archive_path
from ingest.guard import ParseLimits, parse_guarded
from ingest.layouts import Finding, cell_name
from ingest.parse import FileResult, ParseJob

PARSER_VERSION = "1"
BATCH_FILES = 200
PARSE_WINDOW = 400
SMALL_NIGHT_FILES = 100


@dataclass
class Summary:
    files_new: int = 0
    files_reparsed: int = 0  # re-ingests from the archive: not new files
    files_skipped: int = 0
    files_rejected: int = 0
    sheets_loaded: int = 0
    sheets_rejected: int = 0
    values_loaded: int = 0
    rows_quarantined: int = 0
    files_unsettled: int = 0  # still being written, or younger than the settle time: next run
    seconds: float = 0.0

    def line(self) -> str:
        reparsed = f"{self.files_reparsed} re-parsed, " if self.files_reparsed else ""
        waiting = f"{self.files_unsettled} still being written, " if self.files_unsettled else ""
        return (f"files: {self.files_new} new, {reparsed}{waiting}{self.files_skipped} already ingested, "
                f"{self.files_rejected} rejected; sheets: {self.sheets_loaded} loaded, "
                f"{self.sheets_rejected} rejected; values loaded: {self.values_loaded}; "
                f"rows quarantined: {self.rows_quarantined} ({self.seconds:.1f} s)")


def discover(inbox: Path) -> Iterator[Path]:
    """Every regular file under the inbox, in a stable order; symlinks are not followed."""
    for root, dirs, files in os.walk(inbox, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            if path.is_file() and not path.is_symlink() and not name.startswith(("~$", ".")):
                yield path


def symlinks(inbox: Path) -> Iterator[tuple[Path, str, str]]:
    """Symbolic links in the inbox, never followed (one could point anywhere on the server),
    each with a key of its own: (link, path in the inbox, key)."""
    for root, _, files in os.walk(inbox, followlinks=False):
        for name in sorted(files):
            path = Path(root) / name
            if path.is_symlink() and not name.startswith(("~$", ".")):
                display = str(path.relative_to(inbox))
                key = hashlib.sha256(f"symlink\0{display}\0{os.readlink(path)}".encode()).hexdigest()
                yield path, display, key


def _link_result(link: Path, key: str) -> FileResult:
    result = FileResult(link, key)
    result.file_finding = Finding(
        rule="symlink", severity="error",
        message=f"{link.name} is a link to another file ({os.readlink(link)}), not a "
                "file: links are never followed; put the report itself in the inbox")
    return result


def fingerprints(inbox: Path, sightings: dict[tuple[str, int, int], str]
                 ) -> Iterator[tuple[Path, str, str, tuple[int, int] | None]]:
    """(path, path in the inbox, SHA-256, (size, mtime) when first seen like this, else None).

    A file seen before at the same path with the same size and modification time is not
    read again: a quiet night costs a `stat` per file, not a read.
    """
    for path in discover(inbox):
        display = str(path.relative_to(inbox))
        stat = path.stat()
        key = (display, stat.st_size, stat.st_mtime_ns)
        sha = sightings.get(key)
        if sha is not None:
            yield path, display, sha, None
            continue
        sha = sha256_of(path)
        sightings[key] = sha
        yield path, display, sha, (stat.st_size, stat.st_mtime_ns)


def count_new_files(inbox: Path, db_path: Path) -> int:
    """Files in the inbox whose content the warehouse has not ingested; writes nothing."""
    import duckdb

    known: set[str] = set()
    sightings: dict[tuple[str, int, int], str] = {}
    if db_path.exists():
        con = duckdb.connect(str(db_path), read_only=True)
        try:
            if con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' "
                           "AND table_name = 'files'").fetchone()[0]:
                known = store.known_files(con)
                sightings = store.known_sightings(con)
        finally:
            con.close()
    return sum(1 for _, _, sha, _ in fingerprints(inbox, sightings) if sha not in known) + \
        sum(1 for _, _, key in symlinks(inbox) if key not in known)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _rows_for(result: FileResult, display: str, submitted: datetime, now: datetime,
              archived: Path | None, first_seen: datetime | None = None,
              file_name: str | None = None) -> dict[str, list[tuple]]:
    """The raw rows of one parsed file. A re-parse passes the ledger's first sighting and
    name, so that it leaves raw.files exactly as the first ingest wrote it."""
    sha = result.sha256
    batch: dict[str, list[tuple]] = {t: [] for t in store.TABLE_COLUMNS}
    loaded_total = 0
    for index, sheet in enumerate(result.sheets):
        sub_id = f"{sha[:16]}:{index}"
        loaded = len(sheet.values) + len(sheet.targets)
        loaded_total += loaded
        period = sheet.period
        batch["submissions"].append((
            sub_id, sha, index, sheet.sheet, sheet.layout,
            sheet.unit.code if sheet.unit else None, period.code if period else None,
            period.period_type if period else None, submitted, now, sheet.status,
            sheet.rows_read, loaded, sheet.rows_quarantined))
        if period is not None:
            for v in sheet.values:
                batch["values"].append((sub_id, v.unit_code, period.code, v.element_code, v.value,
                                        v.missing, v.raw_text, sheet.sheet, v.row,
                                        cell_name(v.row - 1, v.col)))
        for t in sheet.targets:
            batch["targets"].append((sub_id, t.year, t.unit_code, t.indicator_code, t.target_kind,
                                     t.target_low, t.target_high, t.source, sheet.sheet, t.row))
        for f in sheet.findings:
            batch["findings"].append((sha, display, f.sheet or sheet.sheet, f.row, f.cell,
                                      f.raw_text, f.rule, f.severity, f.message, f.unit_code,
                                      f.element_code, f.period, now))
    if result.file_finding is not None:
        f = result.file_finding
        batch["findings"].append((sha, display, "", None, "", None, f.rule, f.severity, f.message,
                                  None, None, None, now))
    batch["files"].append((sha, display, file_name or Path(display).name, result.path.lstat().st_size,
                           submitted, first_seen or now, str(archived) if archived else "",
                           result.status, len(result.sheets),
                           result.rows_read, loaded_total, result.rows_quarantined,
                           PARSER_VERSION))
    return batch


class Progress:
    """A bar on a terminal, a line every few seconds in logs."""

    def __init__(self, total: int, stream=sys.stderr) -> None:
        self.total, self.done, self.stream = total, 0, stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.last = 0.0

    def step(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self.tty:
            width = 30
            filled = int(width * self.done / max(1, self.total))
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] "
                              f"{self.done}/{self.total} files")
            if self.done >= self.total:
                self.stream.write("\n")
            self.stream.flush()
        elif now - self.last > 5 or self.done >= self.total:
            self.last = now
            self.stream.write(f"ingest: {self.done}/{self.total} files\n")


def ingest_inbox(
    inbox: Path,
    db_path: Path,
    archive_dir: Path,
    workers: int | None = None,
    progress: bool = True,
    only: Callable[[Path], bool] | None = None,
    settle_s: float = 0.0,
    limits: ParseLimits | None = None,
    now: datetime | None = None,
) -> Summary:
    """Load every new file of the inbox; files seen before (same bytes) are skipped, files
    still being written (or younger than `settle_s`) wait for a later run.

    `now` (timezone-aware) is the time this run records as every new file's first sighting,
    the arrival that timeliness is judged on (docs/spec/indicators.md, "Completeness and
    timeliness"); it defaults to the clock. Tests pass it to stage arrivals around a due day."""
    if now is not None and now.tzinfo is None:
        raise ValueError("ingest_inbox: `now` must be timezone-aware (a naive time is ambiguous)")
    started = time.monotonic()
    summary = Summary()
    con = store.connect(db_path)
    try:
        known = store.known_files(con)
        sightings = store.known_sightings(con)
        now = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
        new: list[tuple[Path, str, str, tuple[int, int] | None]] = []
        new_sightings: list[tuple] = []
        for path, display, sha, sighting in fingerprints(inbox, sightings):
            if only is not None and not only(path):
                continue
            if sha in known:
                if sighting is not None:
                    new_sightings.append((sha, display, now, *sighting))
                summary.files_skipped += 1
                continue
            known.add(sha)
            new.append((path, display, sha, sighting))
        sent: dict[str, Sent] = {}

        def jobs() -> Iterator[ParseJob]:
            """Each new file for a worker, which archives it (hashing while copying) and
            parses the copy; read lazily, so nothing waits for the whole inbox."""
            for path, display, sha, sighting in new:
                submitted = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)
                sent[sha] = Sent(path, display, submitted, sighting)
                yield ParseJob(path, sha, display, archive_dir, settle_s)
        links = {t: [] for t in store.TABLE_COLUMNS}
        for link, display, key in symlinks(inbox):
            if key not in known and (only is None or only(link)):
                known.add(key)
                for table, rows in _rows_for(_link_result(link, key), display, now, now,
                                             None).items():
                    links[table].extend(rows)
                summary.files_new += 1
                summary.files_rejected += 1
        if links["files"]:
            _commit(con, links)
        bar = Progress(len(new)) if progress and new else None
        results = parse_guarded(jobs(), _worker_count(workers, len(new)), limits,
                                window=PARSE_WINDOW)
        _write_all(con, results, sent, archive_dir, now, summary, bar, new_sightings)
        if new_sightings:
            store.insert_rows(con, {"file_sightings": new_sightings})
    finally:
        con.close()
    summary.seconds = time.monotonic() - started
    return summary


def _worker_count(workers: int | None, files: int) -> int:
    """Every file is parsed in a guarded worker (memory and time limits), never in this
    process: one hostile file must not take the batch down with it. A night's few files
    get one worker, since each costs a start-up; otherwise one per core unless set."""
    if files < SMALL_NIGHT_FILES:
        return 1
    return workers if workers is not None else os.cpu_count() or 1


def _results(jobs: list[tuple[Path, str, str]], workers: int | None,
             limits: ParseLimits | None = None) -> Iterator[FileResult]:
    yield from parse_guarded([ParseJob(path, sha, name) for path, sha, name in jobs],
                             _worker_count(workers, len(jobs)), limits, window=PARSE_WINDOW)


@dataclass
class Sent:
    """What the writer needs of a new file besides its parse: where and how it was sent."""

    path: Path
    display: str
    submitted: datetime
    sighting: tuple[int, int] | None


def _write_all(con, results: Iterator[FileResult], sent: dict[str, Sent], archive_dir: Path,
               now: datetime, summary: Summary, bar: Progress | None,
               new_sightings: list[tuple]) -> None:
    """Store each parsed file's rows, a batch of whole files at once. A file still being
    written is skipped (no row, no sighting: the next run reads it again); a file whose
    worker died before archiving it is archived here, so every original is kept."""
    batch: dict[str, list[tuple]] = {t: [] for t in store.TABLE_COLUMNS}
    pending = 0
    for result in results:
        if bar:
            bar.step()
        how = sent[result.sha256]
        target = archive_path(archive_dir, result.sha256, how.path)
        if not result.unsettled and not target.exists():
            result.unsettled = archive_copy(how.path, result.sha256, archive_dir) is None
        if result.unsettled:
            summary.files_unsettled += 1
            continue
        if how.sighting is not None:
            new_sightings.append((result.sha256, how.display, now, *how.sighting))
        for table, rows in _rows_for(result, how.display, how.submitted, now, target).items():
            batch[table].extend(rows)
        summary.files_new += 1
        summary.files_rejected += result.status == "rejected" and result.file_finding is not None
        summary.sheets_loaded += sum(s.status == "loaded" for s in result.sheets)
        summary.sheets_rejected += sum(s.status == "rejected" for s in result.sheets)
        summary.values_loaded += sum(len(s.values) for s in result.sheets)
        summary.rows_quarantined += result.rows_quarantined
        pending += 1
        if pending >= BATCH_FILES:
            _commit(con, batch)
            batch = {t: [] for t in store.TABLE_COLUMNS}
            pending = 0
    if pending:
        _commit(con, batch)


def _commit(con, batch: dict[str, list[tuple]]) -> None:
    """Whole files only: every row of every file in the batch, or none of them."""
    con.execute("BEGIN TRANSACTION")
    try:
        store.insert_rows(con, batch)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def files_arrived_on(db_path: Path, day_start: datetime, day_end: datetime) -> list[str]:
    """Fingerprints of the files submitted in [day_start, day_end) (UTC, naive)."""
    con = store.connect(db_path)
    try:
        rows = con.execute("SELECT file_sha256 FROM raw.files WHERE submitted_at >= ? AND "
                           "submitted_at < ? ORDER BY file_sha256", [day_start, day_end]).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def reingest(db_path: Path, shas: list[str], workers: int | None = None,
             limits: ParseLimits | None = None) -> Summary:
    """Parse archived files again with today's code, replacing what earlier parses produced.

    Reads the archived original (never the inbox, which may have changed since) and keeps the
    file's original path and submission time, so the result equals a first ingest by this code.
    """
    started = time.monotonic()
    summary = Summary()
    con = store.connect(db_path)
    try:
        if not shas:
            return summary
        rows = con.execute("SELECT file_sha256, archive_path, original_path, submitted_at, "
                           "first_seen_at, file_name FROM raw.files WHERE file_sha256 IN "
                           "(SELECT unnest(?)) ORDER BY file_sha256", [shas]).fetchall()
        now = datetime.now(UTC).replace(tzinfo=None)
        jobs = [(Path(a), sha, orig) for sha, a, orig, *_ in rows]
        ledger = {sha: (ts, seen, name) for sha, _, _, ts, seen, name in rows}
        batch: dict[str, list[tuple]] = {t: [] for t in store.TABLE_COLUMNS}
        for (path, sha, display), result in zip(jobs, _results(jobs, workers, limits), strict=True):
            submitted, first_seen, file_name = ledger[sha]
            for table, new_rows in _rows_for(result, display, submitted, now, path, first_seen,
                                             file_name).items():
                batch[table].extend(new_rows)
            summary.files_reparsed += 1
            summary.values_loaded += sum(len(s.values) for s in result.sheets)
            summary.rows_quarantined += result.rows_quarantined
            summary.sheets_loaded += sum(s.status == "loaded" for s in result.sheets)
            summary.sheets_rejected += sum(s.status == "rejected" for s in result.sheets)
        con.execute("BEGIN TRANSACTION")
        try:
            store.forget_files(con, [sha for _, sha, _ in jobs])
            store.insert_rows(con, batch)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()
    summary.seconds = time.monotonic() - started
    return summary
