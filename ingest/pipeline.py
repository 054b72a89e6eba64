"""Ingest an inbox: fingerprint, archive, parse, and write each file whole or not at all.

Parsing runs in guarded worker processes (CPU-bound, and limited in memory and time: see
guard.py); the single writer process owns the DuckDB file, as DuckDB requires.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from base.rules import in_vietnamese
from base.settings import ParseLimits
from ingest import scan_handoff, store
from ingest.archive import archive_copy, archive_path
from ingest.decisions import decisions_file, load_decisions
from ingest.finding_answers import finding_answers_file, load_finding_answers
from ingest.guard import parse_guarded
from ingest.inbox import Entry, Refusal, examine_names, file_time_text, scan, trusted_file_time
from ingest.layouts import Finding, cell_name
from ingest.parse import FileResult, ParseJob
from ingest.receipts import load_receipts

PARSER_VERSION = "1"
BATCH_FILES = 200
PARSE_WINDOW = 400
SMALL_NIGHT_FILES = 100

log = logging.getLogger(__name__)


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
    files_interrupted: int = 0  # the server killed its reader twice: read again next run
    files_internal_error: int = 0  # our own code failed on it: read again next run
    seconds: float = 0.0

    def line(self) -> str:
        reparsed = f"{self.files_reparsed} re-parsed, " if self.files_reparsed else ""
        waiting = f"{self.files_unsettled} still being written, " if self.files_unsettled else ""
        if self.files_interrupted:
            waiting += f"{self.files_interrupted} stopped by the server (read again next run), "
        if self.files_internal_error:
            waiting += (f"{self.files_internal_error} not checked: internal error of chitieu, "
                        "not the files' (read again next run; tell the office), ")
        return (f"files: {self.files_new} new, {reparsed}{waiting}{self.files_skipped} already ingested, "
                f"{self.files_rejected} rejected; sheets: {self.sheets_loaded} loaded, "
                f"{self.sheets_rejected} rejected; values loaded: {self.values_loaded}; "
                f"rows quarantined: {self.rows_quarantined} ({self.seconds:.1f} s)")


def _refusal_result(refusal: Refusal) -> FileResult:
    """A refused entry of the inbox as a rejected 'file' with its finding, under its own key."""
    result = FileResult(refusal.path, refusal.key)
    result.file_finding = Finding(rule=refusal.rule, severity="error", message=refusal.message)
    return result


def fingerprints(inbox: Path, sightings: dict[tuple[str, int, int], str],
                 refusals: list[Refusal] | None = None, names: list[str] | None = None
                 ) -> Iterator[tuple[Entry, str, tuple[int, int] | None]]:
    """(entry, SHA-256, (size, mtime) when first seen like this, else None); what is refused
    unread (links, hard links, files over the size limit, unreadable folders) goes to
    `refusals` instead, never hashed nor copied.

    A file seen before at the same path with the same size and modification time is not
    read again: a quiet night costs a `stat` per file, not a read. A file deleted or made
    unreadable since it was listed is left for the next run. `names`: only those (the
    night's earlier scan handed them over), not the whole inbox."""
    for item in (scan(inbox) if names is None else examine_names(inbox, names)):
        if isinstance(item, Refusal):
            if refusals is not None:
                refusals.append(item)
            continue
        key = (item.display, item.size, item.mtime_ns)
        sha = sightings.get(key)
        if sha is not None:
            yield item, sha, None
            continue
        try:
            sha = sha256_of(item.path)
        except OSError as exc:
            log.warning("ingest: %s could not be read (%s); it is tried again next run",
                        item.display, exc.strerror)
            continue
        sightings[key] = sha
        # A time beyond BIGINT (year 11476 in nanoseconds) is stored as unknown.
        yield item, sha, (item.size, item.mtime_ns if abs(item.mtime_ns) < 2**63 else None)


def count_new_files(inbox: Path, db_path: Path, limits: ParseLimits | None = None,
                    handoff: tuple[Path, str] | None = None) -> int:
    """Files in the inbox whose content the warehouse has not ingested, and files refused
    under parse limits lower than `limits` (read again: `refused_below`); writes nothing in
    the warehouse. `handoff` (a folder and a token): when there is work, the names worth
    reading are left there for this night's ingest (ingest/scan_handoff.py)."""
    import duckdb

    known: set[str] = set()
    sightings: dict[tuple[str, int, int], str] = {}
    again: list[str] = []
    if db_path.exists():
        con = duckdb.connect(str(db_path), read_only=True)
        try:
            tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                                "WHERE table_schema = 'raw'").fetchall()}
            if "files" in tables:
                known = store.known_files(con)
                sightings = store.known_sightings(con)
            if {"findings", "parse_refusals"} <= tables:
                again = refused_below(con, limits or ParseLimits())
        finally:
            con.close()
    refusals: list[Refusal] = []
    worth_reading: list[str] = []
    new = already = 0
    for entry, sha, sighting in fingerprints(inbox, sightings, refusals):
        if sha not in known or sighting is not None:
            worth_reading.append(os.path.relpath(entry.path, inbox))
        if sha not in known:
            new += 1
        elif sighting is None:
            already += 1
    unrecorded = sum(1 for r in refusals if r.key not in known)
    count = new + unrecorded + len(again)
    if handoff is not None and count and not unrecorded:  # a refusal's finding needs a full scan
        scan_handoff.write(*handoff, inbox, worth_reading, already)
    return count


LIMIT_RULES = ("parse_memory_limit", "parse_time_limit")


def refused_below(con, limits: ParseLimits) -> list[str]:
    """Fingerprints of the files refused for our own limits (memory, time) under a limit lower
    than the one in force now: the refusal was the setting's, not the file's, and is tried
    again. A refusal recorded before the limits were (an older warehouse) is tried once."""
    return [r[0] for r in con.execute("""
        SELECT DISTINCT f.file_sha256 FROM raw.findings f
        LEFT JOIN raw.parse_refusals r USING (file_sha256)
        WHERE f.rule IN (SELECT unnest(?::VARCHAR[])) AND coalesce(f.sheet_name, '') = ''
          AND (r.file_sha256 IS NULL
               OR (r.rule = 'parse_memory_limit' AND r.memory_mb < ?)
               OR (r.rule = 'parse_time_limit' AND r.timeout_s < ?))
        ORDER BY 1""", [list(LIMIT_RULES), limits.memory_mb, limits.timeout_s]).fetchall()]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _rows_for(result: FileResult, display: str, submitted: datetime, now: datetime,
              archived: Path | None, first_seen: datetime | None = None,
              file_name: str | None = None, size: int | None = None,
              notes: list[Finding] | None = None) -> dict[str, list[tuple]]:
    """The raw rows of one parsed file. A re-parse passes the ledger's first sighting and
    name, so that it leaves raw.files exactly as the first ingest wrote it; `notes` are
    file-level findings the writer adds (an untrusted file time, a name that is not UTF-8)."""
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
                                      f.element_code, f.period, now,
                                      in_vietnamese(f.rule, f.message_vi, f.message)))
    limits = result.refused_under
    if limits is not None and result.file_finding is not None:
        batch["parse_refusals"].append((sha, result.file_finding.rule, limits.memory_mb,
                                        limits.timeout_s))
    for f in [result.file_finding] * (result.file_finding is not None) + (notes or []):
        batch["findings"].append((sha, display, "", None, "", None, f.rule, f.severity, f.message,
                                  None, None, None, now, in_vietnamese(f.rule, f.message_vi, f.message)))
    if size is None:
        size = result.path.lstat().st_size
    batch["files"].append((sha, display, file_name or Path(display).name, size,
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
    receipts: Path | None = None,
    scanned: tuple[Path, str | None] | None = None,
) -> Summary:
    """Load every new file of the inbox; files seen before (same bytes) are skipped, files
    still being written (or younger than `settle_s`) wait for a later run.

    `now` (timezone-aware) is the time this run records as every new file's first sighting,
    the arrival that timeliness is judged on (docs/spec/indicators.md, "Completeness and
    timeliness"); it defaults to the clock. Tests pass it to stage arrivals around a due day.
    `receipts` is the portal's receipts export: copied into raw.receipts first, so a file sent
    through the portal arrives at its receipt's time (ingest/receipts.py); its decisions export
    beside it is appended to raw.decisions (ingest/decisions.py), its answers to findings to
    raw.finding_answers (ingest/finding_answers.py). `scanned` (a folder and a token): the
    names this night's first scan handed over, read instead of scanning the inbox again
    (ingest/scan_handoff.py; without a usable hand-off, the whole inbox is scanned)."""
    if now is not None and now.tzinfo is None:
        raise ValueError("ingest_inbox: `now` must be timezone-aware (a naive time is ambiguous)")
    started = time.monotonic()
    summary = Summary()
    con = store.connect(db_path)
    try:
        load_receipts(con, receipts)
        load_decisions(con, decisions_file(receipts))
        load_finding_answers(con, finding_answers_file(receipts))
        known = store.known_files(con)
        sightings = store.known_sightings(con)
        clock = now.timestamp() if now is not None else time.time()  # tests stage arrivals
        now = datetime.fromtimestamp(clock, UTC).replace(tzinfo=None)
        new: list[tuple[Entry, str, tuple[int, int] | None]] = []
        new_sightings: list[tuple] = []
        refusals: list[Refusal] = []
        handed = scan_handoff.take(*scanned, inbox) if scanned is not None and only is None else None
        if handed is not None:
            summary.files_skipped += handed[1]
            log.info("ingest: %d name(s) handed over by this night's scan, %d file(s) it knew",
                     len(handed[0]), handed[1])
        for entry, sha, sighting in fingerprints(inbox, sightings, refusals,
                                                 handed[0] if handed is not None else None):
            if only is not None and not only(entry.path):
                continue
            if sha in known:
                if sighting is not None:
                    new_sightings.append((sha, entry.display, now, *sighting))
                summary.files_skipped += 1
                continue
            known.add(sha)
            new.append((entry, sha, sighting))
        sent: dict[str, Sent] = {}

        def jobs() -> Iterator[ParseJob]:
            """Each new file for a worker, which archives it (hashing while copying) and
            parses the copy; read lazily, so nothing waits for the whole inbox."""
            for entry, sha, sighting in new:
                submitted = trusted_file_time(entry.mtime_ns, clock) or now
                sent[sha] = Sent(entry.path, entry.display, submitted, sighting, _notes(entry, clock))
                yield ParseJob(entry.path, sha, entry.display, archive_dir, settle_s)
        refused = {t: [] for t in store.TABLE_COLUMNS}
        for refusal in refusals:
            if refusal.key not in known and (only is None or only(refusal.path)):
                known.add(refusal.key)
                for table, rows in _rows_for(_refusal_result(refusal), refusal.display, now, now,
                                             None, size=refusal.size).items():
                    refused[table].extend(rows)
                summary.files_new += 1
                summary.files_rejected += 1
        if refused["files"]:
            _commit(con, refused)
        bar = Progress(len(new)) if progress and new else None
        results = parse_guarded(jobs(), _worker_count(workers, len(new)), limits,
                                window=PARSE_WINDOW)
        _write_all(con, results, sent, archive_dir, now, summary, bar, new_sightings)
        if new_sightings:
            store.insert_rows(con, {"file_sightings": new_sightings})
        again = refused_below(con, limits or ParseLimits())
    finally:
        con.close()
    if again:  # refused under lower limits than today's: read again from the archive
        log.info("ingest: %d file(s) refused under lower parse limits are read again", len(again))
        reread = reingest(db_path, again, workers, limits)
        for name in ("files_reparsed", "values_loaded", "rows_quarantined", "sheets_loaded",
                     "sheets_rejected"):
            setattr(summary, name, getattr(summary, name) + getattr(reread, name))
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
    notes: list[Finding]


def _notes(entry: Entry, clock: float) -> list[Finding]:
    """File-level notes on how a file was sent: a name that is not UTF-8 (stored with its
    odd bytes as \\xNN) and a file time that is not trusted. The submission time is the file's
    own time where it is trusted, else the time the pipeline first saw the file."""
    notes = []
    if not entry.name_is_utf8:
        notes.append(Finding(
            rule="file_name_not_utf8", severity="warning",
            message=f"the file name {entry.display} is not valid UTF-8 (unzipped from an old "
                    "archive?): it is read and stored with the odd bytes written as \\xNN; "
                    "rename it in Unicode when sending again"))
    if trusted_file_time(entry.mtime_ns, clock) is None:
        notes.append(Finding(
            rule="file_time_untrusted", severity="warning",
            message=f"the file's time ({file_time_text(entry.mtime_ns)}) is in the future or "
                    "beyond any calendar: it is not trusted, and the time the pipeline first saw "
                    "the file stands for when it was sent"))
    return notes


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
        if result.interrupted:  # not the file's fault: a note, and no ledger row, so the
            summary.files_interrupted += 1  # next night reads it again
            batch["findings"].append(_interrupted_finding(result.sha256, how.display, now))
            continue
        if result.internal_error:  # ours, not the file's: the same, with the error named
            summary.files_internal_error += 1
            log.error("internal error of chitieu on %s (not the file's fault; read again next "
                      "run): %s", how.display, result.internal_error)
            batch["findings"].append(_interrupted_finding(result.sha256, how.display, now,
                                                          result.internal_error))
            continue
        if how.sighting is not None:
            new_sightings.append((result.sha256, how.display, now, *how.sighting))
        for table, rows in _rows_for(result, how.display, how.submitted, now, target,
                                     size=target.stat().st_size, notes=how.notes).items():
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
    if pending or batch["findings"]:
        _commit(con, batch)


def _interrupted_finding(sha: str, display: str, now: datetime,
                         internal_error: str | None = None) -> tuple:
    """A machine-side note (raw.findings row) for a file whose reader was killed from outside
    twice, or on which our own code failed: not a rejection; dropped once the file is read."""
    note = Finding(rule="parse_interrupted", severity="warning",
                   message=f"{display} was not read: the server stopped its reader twice (out of "
                           "memory or an operator), which is not the file's fault; it is read "
                           "again on the next run")
    if internal_error:
        note = Finding(rule="internal_error", severity="warning",
                       message=f"chitieu could not check {display}: internal error "
                               f"({internal_error}), not the file's fault; tell the office; it "
                               "is read again on the next run")
    return (sha, display, "", None, "", None, note.rule, note.severity, note.message, None, None,
            None, now, in_vietnamese(note.rule, note.message_vi, note.message))


def _commit(con, batch: dict[str, list[tuple]]) -> None:
    """Whole files only: every row of every file in the batch, or none of them. A file
    read now drops the machine-side notes of earlier nights that could not read it."""
    con.execute("BEGIN TRANSACTION")
    try:
        if batch["files"]:
            con.execute("DELETE FROM raw.findings WHERE rule IN ('parse_interrupted', "
                        "'internal_error') AND file_sha256 IN (SELECT unnest(?))",
                        [[row[0] for row in batch["files"]]])
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
        ledger = {sha: (Path(a), orig, ts, seen, name) for sha, a, orig, ts, seen, name in rows}
        batch: dict[str, list[tuple]] = {t: [] for t in store.TABLE_COLUMNS}
        replaced: list[str] = []
        for result in _results(jobs, workers, limits):  # a retried file comes last
            sha = result.sha256
            path, display, submitted, first_seen, file_name = ledger[sha]
            if result.interrupted:  # the machine's doing: the earlier parse stays
                log.warning("re-ingest: %s was stopped by the server twice; kept as it was", display)
                continue
            if result.internal_error:  # ours: the earlier parse stays
                summary.files_internal_error += 1
                log.error("re-ingest: internal error of chitieu on %s (not the file's fault); "
                          "kept as it was: %s", display, result.internal_error)
                continue
            replaced.append(sha)
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
            store.forget_files(con, replaced)
            store.insert_rows(con, batch)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()
    summary.seconds = time.monotonic() - started
    return summary
