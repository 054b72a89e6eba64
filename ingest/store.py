"""The warehouse's raw layer in DuckDB: files, submissions, values, targets and findings.

Schema changes here are contract changes for the dbt sources (dbt_project/models/staging).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

SCHEMA = """
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw.files (
    file_sha256 VARCHAR PRIMARY KEY,
    original_path VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    size_bytes BIGINT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    first_seen_at TIMESTAMP NOT NULL,
    archive_path VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    sheets_read INTEGER NOT NULL,
    rows_read INTEGER NOT NULL,
    rows_loaded INTEGER NOT NULL,
    rows_quarantined INTEGER NOT NULL,
    parser_version VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS raw.file_sightings (
    file_sha256 VARCHAR NOT NULL,
    original_path VARCHAR NOT NULL,
    seen_at TIMESTAMP NOT NULL,
    size_bytes BIGINT,
    mtime_ns BIGINT,
    PRIMARY KEY (file_sha256, original_path)
);
CREATE TABLE IF NOT EXISTS raw.submissions (
    submission_id VARCHAR PRIMARY KEY,
    file_sha256 VARCHAR NOT NULL,
    sheet_index INTEGER NOT NULL,
    sheet_name VARCHAR NOT NULL,
    layout VARCHAR,
    unit_code VARCHAR,
    period VARCHAR,
    period_type VARCHAR,
    submitted_at TIMESTAMP NOT NULL,
    ingested_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL,
    rows_read INTEGER NOT NULL,
    rows_loaded INTEGER NOT NULL,
    rows_quarantined INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS raw."values" (
    submission_id VARCHAR NOT NULL,
    unit_code VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    element_code VARCHAR NOT NULL,
    value DOUBLE,
    missing_reason VARCHAR,
    raw_text VARCHAR,
    sheet_name VARCHAR NOT NULL,
    row_number INTEGER NOT NULL,
    cell VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS raw.targets (
    submission_id VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    unit_code VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    target_kind VARCHAR NOT NULL,
    target_low DOUBLE NOT NULL,
    target_high DOUBLE,
    source VARCHAR,
    sheet_name VARCHAR NOT NULL,
    row_number INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.receipts (
    file_sha256 VARCHAR PRIMARY KEY,
    received_at TIMESTAMP NOT NULL,
    sender VARCHAR NOT NULL,
    unit_code VARCHAR NOT NULL,
    period VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS raw.parse_refusals (
    file_sha256 VARCHAR PRIMARY KEY,
    rule VARCHAR NOT NULL,
    memory_mb BIGINT NOT NULL,
    timeout_s DOUBLE NOT NULL
);
CREATE TABLE IF NOT EXISTS raw.findings (
    file_sha256 VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    sheet_name VARCHAR,
    row_number INTEGER,
    cell VARCHAR,
    raw_text VARCHAR,
    rule VARCHAR NOT NULL,
    severity VARCHAR NOT NULL,
    message VARCHAR NOT NULL,
    unit_code VARCHAR,
    element_code VARCHAR,
    period VARCHAR,
    found_at TIMESTAMP NOT NULL
);
-- What the finding says to the people who read it (data_quality_findings.message), in
-- Vietnamese (base/rules.py, in_vietnamese); `message` keeps the reader's detail in English
-- for the engineer. Null in rows written before it: the warehouse shows the rule's title.
ALTER TABLE raw.findings ADD COLUMN IF NOT EXISTS message_vi VARCHAR;
-- Decisions on a unit's period, written by the portal (a reviewer's approval or return). The
-- warehouse's change detection reads them (dbt int_rebuild_periods): a new or changed row
-- rebuilds its period on the next night (docs/engineer.md, "What a night rebuilds").
CREATE TABLE IF NOT EXISTS raw.decisions (
    unit_code VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    decision VARCHAR NOT NULL,
    decided_by VARCHAR,
    decided_at TIMESTAMP NOT NULL,
    note VARCHAR
);
-- the portal's own number of each decision (the export's key: each is loaded once) and the
-- fingerprint of the figures approved (portal/office/published.py, FINGERPRINT_SQL)
ALTER TABLE raw.decisions ADD COLUMN IF NOT EXISTS decision_id BIGINT;
ALTER TABLE raw.decisions ADD COLUMN IF NOT EXISTS figures_sha256 VARCHAR;
-- Answers to findings, written by the portal (a clerk's giai_trinh or da_sua, a reviewer's
-- chap_nhan), keyed by the portal's answer number (ingest/finding_answers.py); a new row
-- rebuilds its period (dbt int_rebuild_periods) and shows in marts.finding_follow_up.
CREATE TABLE IF NOT EXISTS raw.finding_answers (
    answer_id BIGINT NOT NULL,
    finding_key VARCHAR NOT NULL,
    unit_code VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    rule VARCHAR,
    indicator_code VARCHAR,
    kind VARCHAR NOT NULL,
    answer_text VARCHAR,
    corrected_file_sha256 VARCHAR,
    answered_by VARCHAR,
    answered_at TIMESTAMP NOT NULL
);
"""

TABLE_COLUMNS = {
    "files": ["file_sha256", "original_path", "file_name", "size_bytes", "submitted_at",
              "first_seen_at", "archive_path", "status", "sheets_read", "rows_read", "rows_loaded",
              "rows_quarantined", "parser_version"],
    "file_sightings": ["file_sha256", "original_path", "seen_at", "size_bytes", "mtime_ns"],
    "submissions": ["submission_id", "file_sha256", "sheet_index", "sheet_name", "layout",
                    "unit_code", "period", "period_type", "submitted_at", "ingested_at", "status",
                    "rows_read", "rows_loaded", "rows_quarantined"],
    "values": ["submission_id", "unit_code", "period", "element_code", "value", "missing_reason",
               "raw_text", "sheet_name", "row_number", "cell"],
    "targets": ["submission_id", "year", "unit_code", "indicator_code", "target_kind", "target_low",
                "target_high", "source", "sheet_name", "row_number"],
    "parse_refusals": ["file_sha256", "rule", "memory_mb", "timeout_s"],
    "findings": ["file_sha256", "source_file", "sheet_name", "row_number", "cell", "raw_text",
                 "rule", "severity", "message", "unit_code", "element_code", "period", "found_at",
                 "message_vi"],
}


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path))
    con.execute(SCHEMA)
    return con


def known_files(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute("SELECT file_sha256 FROM raw.files").fetchall()}


def known_sightings(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, int, int], str]:
    """{(path, size, mtime_ns): sha256} of every file seen: an unchanged file is not re-read."""
    rows = con.execute("SELECT original_path, size_bytes, mtime_ns, file_sha256 FROM raw.file_sightings "
                       "WHERE size_bytes IS NOT NULL").fetchall()
    return {(path, size, mtime): sha for path, size, mtime, sha in rows}


def insert_rows(con: duckdb.DuckDBPyConnection, batch: dict[str, list[tuple]]) -> None:
    """Insert one batch of whole files inside the caller's transaction: one statement per
    table, each column bound as one list and unnested side by side (no DataFrame library to
    import, no statement per row)."""
    for table, rows in batch.items():
        if not rows:
            continue
        columns = TABLE_COLUMNS[table]
        types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                                 "WHERE table_schema = 'raw' AND table_name = ?", [table]).fetchall())
        names = ", ".join(f'"{c}"' for c in columns)
        unnests = ", ".join(f"unnest(${i + 1}::{types[c]}[])" for i, c in enumerate(columns))
        verb = "INSERT OR REPLACE" if table == "file_sightings" else "INSERT"
        con.execute(f'{verb} INTO raw."{table}" ({names}) SELECT {unnests}',
                    [list(values) for values in zip(*rows, strict=True)])


def forget_files(con: duckdb.DuckDBPyConnection, shas: list[str]) -> None:
    """Drop what earlier parses of these files produced, so they can be read again."""
    if not shas:
        return
    con.execute("CREATE OR REPLACE TEMP TABLE forget AS SELECT unnest(?) AS sha", [shas])
    for table in ("values", "targets"):
        con.execute(f'DELETE FROM raw."{table}" WHERE submission_id IN (SELECT submission_id FROM '
                    "raw.submissions WHERE file_sha256 IN (SELECT sha FROM forget))")
    for table in ("submissions", "findings", "parse_refusals", "files"):
        con.execute(f"DELETE FROM raw.{table} WHERE file_sha256 IN (SELECT sha FROM forget)")


def raw_state(con: duckdb.DuckDBPyConnection) -> str:
    """What the raw layer holds, in one line: it changes with every ingest and re-ingest,
    so a published file that records it can tell whether it is behind the build database."""
    files, submissions, last = con.execute(
        "SELECT (SELECT count(*) FROM raw.files), count(*), max(ingested_at) FROM raw.submissions"
    ).fetchone()
    state = f"files={files};submissions={submissions};last_ingest={last}"
    has_receipts = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' "
                               "AND table_name = 'receipts'").fetchone()[0]
    if has_receipts:  # a new receipt changes arrivals: a change to build and publish
        count, latest = con.execute("SELECT count(*), max(received_at) FROM raw.receipts").fetchone()
        if count:
            state += f";receipts={count};last_receipt={latest}"
    has_decisions = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' "
                                "AND table_name = 'decisions'").fetchone()[0]
    if has_decisions:  # a new decision is a change to build and publish, even with no file
        count, latest = con.execute("SELECT count(*), max(decided_at) FROM raw.decisions").fetchone()
        if count:
            state += f";decisions={count};last_decision={latest}"
    has_answers = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' "
                              "AND table_name = 'finding_answers'").fetchone()[0]
    if has_answers:  # a new answer to a finding, too
        count, latest = con.execute("SELECT count(*), max(answered_at) FROM raw.finding_answers").fetchone()
        if count:
            state += f";finding_answers={count};last_answer={latest}"
    return state


def record_built_state(db_path: Path, state: str, as_of: date | None = None) -> None:
    """Remember the raw state a successful dbt build read (captured before it ran) and the
    day it was built as of: publish records those, not whatever raw holds by then, so files
    loaded by hand between the build and the publish are still seen as unpublished and reach
    the marts next night."""
    con = duckdb.connect(str(db_path))
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS meta")
        con.execute("CREATE OR REPLACE TABLE meta.built_from AS SELECT ? AS raw_state, now() AS built_at, "
                    "?::DATE AS as_of_date", [state, as_of])
    finally:
        con.close()


def built_as_of(con: duckdb.DuckDBPyConnection) -> date | None:
    """The day the marts were built as of (None for a database built before it was recorded)."""
    found = con.execute("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'meta' "
                        "AND table_name = 'built_from' AND column_name = 'as_of_date' "
                        "AND table_catalog = current_database()").fetchone()[0]
    return con.execute("SELECT as_of_date FROM meta.built_from").fetchone()[0] if found else None


def built_state(con: duckdb.DuckDBPyConnection) -> str:
    """The raw state the marts were built from (the current one for a database built before
    builds were recorded)."""
    if con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'meta' "
                   "AND table_name = 'built_from' AND table_catalog = current_database()").fetchone()[0]:
        return con.execute("SELECT raw_state FROM meta.built_from").fetchone()[0]
    return raw_state(con)
