"""The nightly job's stages as functions of plain values, for Airflow tasks and `make run`."""

from __future__ import annotations

import logging
import os
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from base.settings import LOCAL_TZ, Settings
from base.writer_lock import exclusive

log = logging.getLogger(__name__)


class AuditFailed(RuntimeError):
    """An error-severity data test failed: the build is not published."""


def count_new_files(settings: Settings, scan_token: str | None = None) -> int:
    """Files in the inbox whose content the warehouse has not seen. With `scan_token`, the
    names worth reading are handed to this night's ingest (`ingest_new(settings, scan_token)`),
    which then does not scan the whole inbox again (ingest/scan_handoff.py)."""
    from ingest.pipeline import count_new_files as count

    inbox = settings.require_inbox()
    if not inbox.is_dir():
        raise FileNotFoundError(f"inbox folder {inbox} does not exist")
    from ingest.decisions import new_decisions
    from ingest.finding_answers import new_finding_answers
    from ingest.receipts import new_receipts

    handoff = (scan_handoffs(settings), scan_token) if scan_token else None
    return count(inbox, settings.build_db, settings.parse_limits, handoff) + new_receipts(
        settings.receipts_file, settings.build_db) + new_decisions(
        settings.decisions_file, settings.build_db) + new_finding_answers(
        settings.finding_answers_file, settings.build_db)


def _current_raw_state(build_db: Path, read_only: bool = True) -> str | None:
    """The build database's raw state now (None before anything was ingested). A writer
    holding the lock opens it as dbt does (one process may hold one configuration only)."""
    import duckdb

    from ingest import store

    if not build_db.exists():
        return None
    con = duckdb.connect(str(build_db), read_only=read_only)
    try:
        has_raw = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                              "'raw' AND table_name = 'submissions'").fetchone()[0]
        return store.raw_state(con) if has_raw else None
    finally:
        con.close()


def unpublished_ingest(settings: Settings) -> bool:
    """Whether the build database holds ingested data the published file does not: a run
    killed or failed after ingest (during dbt, the audit or publish) leaves its files
    ingested, and the next night must build and publish them although no file is new."""
    from chitieu.publish import published_raw_state

    state = _current_raw_state(settings.build_db)
    return state is not None and state != published_raw_state(settings.published_db)


def prepare(settings: Settings) -> list[str]:
    """A run's first step: finish or clear what a crashed run left (temporary files, a
    half-swapped publication, partial archive copies) and reserve room for a failure
    report, so that a full disk later cannot leave LAST_FAILURE.txt empty."""
    from chitieu.publish import recover

    with exclusive(settings.lock_file):
        done = recover(settings.published_db, settings.parquet_dir)
        if settings.archive_dir.is_dir():
            for part in settings.archive_dir.glob("*/*.part"):
                part.unlink(missing_ok=True)
                done.append(f"removed {part.name}")
        reserve_failure_slot(settings)
    for line in done:
        log.warning("recovered from an earlier crash: %s", line)
    return done


def scan_handoffs(settings: Settings) -> Path:
    """Where a night's first scan leaves its hand-off for the ingest (beside the build)."""
    return settings.build_db.parent / "inbox_scans"


def ingest_new(settings: Settings, scan_token: str | None = None) -> dict:
    from ingest.pipeline import ingest_inbox

    with exclusive(settings.lock_file):
        summary = ingest_inbox(settings.require_inbox(), settings.build_db, settings.archive_dir,
                               workers=settings.parse_workers, progress=False,
                               settle_s=settings.settle_s, limits=settings.parse_limits,
                               receipts=settings.receipts_file,
                               scanned=(scan_handoffs(settings), scan_token) if scan_token else None)
    log.info("ingest: %s", summary.line())
    return vars(summary)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """A local (Asia/Ho_Chi_Minh) calendar day as naive UTC bounds, as raw.files stores times."""
    start = datetime.combine(day, time(0), LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)
    return start, start + timedelta(days=1)


def backfill_changes(settings: Settings, day: date) -> str | None:
    """What a backfilled night for `day` would change, or None when it changes nothing.

    A backfilled night re-reads the files that arrived on its day and builds as of the day
    already published (build_as_of). With no file arrived that day and nothing published
    after it, its re-read is empty and its build is the published one again: the night ends
    at the short-circuit like a quiet night, instead of costing a dbt build (a month's
    backfill on a sample with one day of arrivals is 29 such nights). New files, decisions
    and unpublished ingests still make it work, as on any night (count_new_files)."""
    from chitieu.publish import published_as_of
    from ingest.pipeline import files_arrived_on

    published = published_as_of(settings.published_db)
    as_of = build_as_of(settings, day)
    if published is None or not settings.build_db.exists():
        return "nothing is published yet: the night builds the warehouse"
    if as_of > published:
        return f"the warehouse is built as of {as_of}, after the published {published}"
    with exclusive(settings.lock_file):
        arrived = len(files_arrived_on(settings.build_db, *local_day_bounds(day)))
    if arrived:
        return f"{arrived} file(s) arrived on {day}: they are read again"
    return None


def reingest_day(settings: Settings, day: date) -> dict:
    """Backfill semantics: parse again, with today's code, the files that arrived on `day`."""
    from ingest.pipeline import files_arrived_on

    if not settings.build_db.exists():
        return {"files_new": 0, "files": []}
    with exclusive(settings.lock_file):
        shas = files_arrived_on(settings.build_db, *local_day_bounds(day))
        return _reingest(settings, shas, f"the files that arrived on {day}")


def reingest_unit(settings: Settings, unit_code: str) -> dict:
    """Parse again every file that holds a submission or a value of this unit or of any
    unit below it (a province, a district, or one commune, before or after the reform)."""
    import duckdb

    if not settings.build_db.exists():
        return {"files_new": 0, "files": []}
    with exclusive(settings.lock_file):
        con = duckdb.connect(str(settings.build_db), read_only=True)
        try:
            shas = [r[0] for r in con.execute("""
                WITH RECURSIVE below(code) AS (
                    SELECT ?::VARCHAR
                    UNION
                    SELECT u.unit_code FROM reference.admin_units u JOIN below b
                      ON u.parent_code = b.code)
                SELECT DISTINCT s.file_sha256 FROM raw.submissions s
                LEFT JOIN raw."values" v USING (submission_id)
                WHERE s.unit_code IN (SELECT code FROM below)
                   OR v.unit_code IN (SELECT code FROM below)
                ORDER BY 1""", [unit_code]).fetchall()]
        finally:
            con.close()
        return _reingest(settings, shas, f"the files of unit {unit_code}")


def reingest_district(settings: Settings, district_code: str) -> dict:
    """The older parameter's name for `reingest_unit` (a district and its communes)."""
    return reingest_unit(settings, district_code)


def _reingest(settings: Settings, shas: list[str], what: str) -> dict:
    """Re-parse `shas` and log each file by name, so the operator sees what was re-read."""
    import duckdb

    from ingest.pipeline import reingest

    names: list[str] = []
    if shas:  # the configuration the re-ingest itself uses (one process may hold both)
        con = duckdb.connect(str(settings.build_db))
        try:
            names = [r[0] for r in con.execute(
                "SELECT original_path FROM raw.files WHERE file_sha256 IN "
                "(SELECT unnest(?::VARCHAR[])) ORDER BY original_path", [shas]).fetchall()]
        finally:
            con.close()
    summary = reingest(settings.build_db, shas, settings.parse_workers, settings.parse_limits)
    log.info("re-ingest of %s: %d file(s) re-read: %s", what, len(names),
             "; ".join(names) or "none")
    log.info("re-ingest of %s: %s", what, summary.line())
    return {**vars(summary), "files": names}


def build_as_of(settings: Settings, day: date | None = None) -> date:
    """The day a night builds the warehouse as of: CHITIEU_AS_OF_DATE when set (tests, an
    operator's explicit choice); else the night's day (`day`: a backfilled night's date;
    today by default), but never a day before the one already published. A backfilled
    night re-reads its own day's files and publishes them as of the latest date, so BI
    readers never see completeness or a closed year go back in time during a backfill."""
    from chitieu.publish import published_as_of

    explicit = os.environ.get("CHITIEU_AS_OF_DATE", "").strip()
    if explicit:
        return date.fromisoformat(explicit)
    day = day or datetime.now(LOCAL_TZ).date()
    published = published_as_of(settings.published_db)
    return max(day, published) if published else day


def build(settings: Settings, full_refresh: bool = False, day: date | None = None,
          periods: list[str] | None = None) -> dict:
    """dbt build as of `build_as_of(settings, day)`: incremental, it rebuilds the periods
    whose files, decisions or reference data changed, those that ended since the last
    build's as-of date, and `periods` (the trigger's rebuild_periods), with the periods they
    overlap (docs/engineer.md, "What a night rebuilds")."""
    from chitieu.build import run_dbt_build

    settings.build_db.parent.mkdir(parents=True, exist_ok=True)
    as_of = build_as_of(settings, day)
    with exclusive(settings.lock_file):
        state = _current_raw_state(settings.build_db, read_only=False)  # what dbt will read
        summary = run_dbt_build(settings.build_db, full_refresh=full_refresh, as_of=as_of,
                                periods=periods)
        if summary.success and state is not None:
            from ingest.store import record_built_state

            record_built_state(settings.build_db, state, as_of)
    log.info("dbt build as of %s: %s", as_of, summary.status_counts)
    return {**summary.as_dict(), "as_of": as_of.isoformat()}


def audit(build_summary: dict) -> None:
    """Stop before publishing when the warehouse itself is broken (error-severity tests)."""
    if not build_summary.get("success"):
        raise AuditFailed("not published, the last good warehouse stays in place; failed: "
                          + "; ".join(build_summary.get("blocking", [])))
    for warning in build_summary.get("warnings", []):
        log.warning("flagged for review (publication continues): %s", warning)


def publish_marts(settings: Settings) -> dict:
    from chitieu.publish import publish

    with exclusive(settings.lock_file):
        counts = publish(settings.build_db, settings.published_db, settings.parquet_dir)
    log.info("published %s: %s", settings.published_db, counts)
    return {"path": str(settings.published_db), "rows": counts}


def write_report(settings: Settings, run_day: date, year: int | None = None, lang: str = "vi") -> dict:
    """The review of every year with targets up to the current one (`year`: that year only),
    as HTML, PDF and Excel under `<reports>/<year>/`; logs the current year's headline."""
    from chitieu.publish import published_as_of
    from chitieu.review import write_reviews

    if not settings.published_db.exists():  # a quiet night before the first publication
        log.info("headline: nothing published yet")
        return {"headline": "nothing published yet", "years": {}}
    # the review speaks as of the published marts' day: a backfilled night's is later
    run_day = max(run_day, published_as_of(settings.published_db) or run_day)
    written = write_reviews(settings.published_db, settings.reports_dir, run_day, lang,
                            [year] if year else None)
    if not written:
        log.info("headline: no targets")
        return {"headline": "no targets", "years": {}}
    for w in written:
        if w.pdf is None:
            log.warning("%s: PDF skipped (no Chromium); HTML and Excel written", w.year)
    current = written[-1]
    log.info("headline: %s", current.headline)
    return {**current.as_dict(), "years": {str(w.year): w.as_dict() for w in written}}


def scorecard_text(published_db: Path) -> str:
    """The province's scorecard lines, for `make run` to print: every status is counted, so
    the figures in brackets add up to the targets set."""
    import duckdb

    con = duckdb.connect(str(published_db), read_only=True)
    try:
        rows = con.execute("""
            SELECT s.year, s.targets_met, s.targets_total, s.targets_exceeded, s.targets_missed,
                   s.targets_at_risk, s.targets_on_track, s.targets_no_data
            FROM marts.scorecard s JOIN reference.admin_units u
              ON u.unit_code = s.unit_code AND u.unit_level = 'province'
            ORDER BY s.year""").fetchall()
    finally:
        con.close()
    return "\n".join(f"{y}: {m} of {t} targets met, {ex} exceeded ({mi} missed, {r} at risk, "
                     f"{ot} on track, {nd} without data)"
                     for y, m, t, ex, mi, r, ot, nd in rows)


FAILURE_SLOT_BYTES = 4096


def _failure_slot(settings: Settings) -> Path:
    return settings.warehouse_dir / ".last_failure.reserved"


def reserve_failure_slot(settings: Settings) -> None:
    """Allocate the failure report's blocks while the disk still has room."""
    slot = _failure_slot(settings)
    if not slot.exists() or slot.stat().st_size < FAILURE_SLOT_BYTES:
        settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
        slot.write_bytes(b" " * FAILURE_SLOT_BYTES)


def write_failure(settings: Settings, text: str) -> None:
    """LAST_FAILURE.txt, short, written into blocks reserved at the run's start (a full disk
    is a common reason to fail) and then renamed into place; written plainly if no slot."""
    from base.text import writable

    stamp = datetime.now(LOCAL_TZ).isoformat(timespec="seconds")  # Vietnam time, +07:00
    data = f"{stamp}\n{writable(text, limit=None)}"[:FAILURE_SLOT_BYTES - 2].encode("utf-8", "replace")[
        :FAILURE_SLOT_BYTES - 1] + b"\n"
    slot = _failure_slot(settings)
    try:
        with open(slot, "r+b") as fh:
            fh.write(data)
            fh.truncate(len(data))
        os.replace(slot, settings.status_file)
    except OSError:
        settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
        settings.status_file.write_bytes(data)


def run_once(settings: Settings, full_refresh: bool = False) -> dict:
    """Every stage in order, without Airflow (tests and debugging)."""
    prepare(settings)
    ingest_summary = ingest_new(settings)
    build_summary = build(settings, full_refresh)
    audit(build_summary)
    published = publish_marts(settings)
    report = write_report(settings, datetime.now(LOCAL_TZ).date())
    return {"ingest": ingest_summary, "build": build_summary, "publish": published,
            "report": report}
