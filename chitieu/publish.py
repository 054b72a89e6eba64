"""Publish the audited marts to BI tools: one DuckDB file, replaced in one step.

The published file is written beside the old one under a temporary name and moved over
it with `os.replace`, an atomic rename: a reader that has the old file open keeps reading
the old marts, a reader that opens it afterwards sees the new ones, and nobody sees a mix.
The writer never opens the published file, so a reader holding it never blocks a run.
It is written in DuckDB's v1.4.0 storage format, which the older DuckDB bundled in BI
clients (Superset's duckdb<2, Metabase, DBeaver) can read.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import duckdb

from ingest import store

MARTS = ["indicator_values", "indicator_values_current_units", "target_attainment", "scorecard",
         "reporting_completeness", "data_quality_findings", "value_sources", "unit_lineage",
         "targets", "dim_units", "dim_indicators", "dim_periods"]
REFERENCE = ["admin_units", "admin_unit_changes", "indicators", "reporting_calendar"]
STORAGE_VERSION = "v1.4.0"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(build_db: Path, published_db: Path, parquet_dir: Path) -> dict[str, int]:
    """Copy marts and reference tables into a fresh file and swap it in; returns row counts."""
    published_db.parent.mkdir(parents=True, exist_ok=True)
    tmp = published_db.with_name(f".{published_db.name}.{uuid.uuid4().hex}.tmp")
    counts: dict[str, int] = {}
    # Default configuration, as dbt's own connection uses: in one process they share the file.
    con = duckdb.connect(str(build_db))
    try:
        con.execute(f"ATTACH '{tmp}' AS pub (STORAGE_VERSION '{STORAGE_VERSION}')")
        con.execute("CREATE SCHEMA pub.marts")
        con.execute("CREATE SCHEMA pub.reference")
        for table in MARTS:
            con.execute(f"CREATE TABLE pub.marts.{table} AS SELECT * FROM marts.{table}")
            counts[table] = con.execute(f"SELECT count(*) FROM pub.marts.{table}").fetchone()[0]
        for table in REFERENCE:
            con.execute(f"CREATE TABLE pub.reference.{table} AS SELECT * FROM reference.{table}")
        # What this publication contains, so a later run knows if ingested data is unpublished.
        con.execute("CREATE SCHEMA pub.meta")
        con.execute("CREATE TABLE pub.meta.publication AS SELECT now() AS published_at, "
                    "? AS raw_state", [store.raw_state(con)])
        con.execute("DETACH pub")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    _fsync(tmp)
    os.replace(tmp, published_db)
    _publish_parquet(published_db, parquet_dir)
    return counts


def _publish_parquet(published_db: Path, parquet_dir: Path) -> None:
    """Parquet copies in a fresh folder, then the `current` link is swapped atomically."""
    parquet_dir.mkdir(parents=True, exist_ok=True)
    version = parquet_dir / uuid.uuid4().hex
    version.mkdir()
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        for table in MARTS:
            con.execute(f"COPY marts.{table} TO '{version / table}.parquet' (FORMAT parquet)")
    finally:
        con.close()
    link = parquet_dir / "current"
    tmp_link = parquet_dir / f".current.{version.name}"
    tmp_link.symlink_to(version.name)
    os.replace(tmp_link, link)
    # Keep the current version and the one before it (a reader may still be in it).
    versions = sorted((p for p in parquet_dir.iterdir() if p.is_dir() and not p.is_symlink()),
                      key=lambda p: p.stat().st_mtime, reverse=True)
    for old in versions[2:]:
        shutil.rmtree(old, ignore_errors=True)


def published_raw_state(published_db: Path) -> str | None:
    """The raw state the published file was built from (None: nothing published, or a file
    published before publications were recorded)."""
    if not published_db.exists():
        return None
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        found = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                            "'meta' AND table_name = 'publication'").fetchone()[0]
        return con.execute("SELECT raw_state FROM meta.publication").fetchone()[0] if found else None
    finally:
        con.close()
