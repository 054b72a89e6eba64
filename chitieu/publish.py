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
from datetime import date
from pathlib import Path

import duckdb

from ingest import store

MARTS = ["indicator_values", "indicator_values_current_units", "target_attainment", "scorecard",
         "reporting_completeness", "data_quality_findings", "value_sources", "unit_lineage",
         "targets", "dim_units", "dim_indicators", "dim_periods", "finding_follow_up",
         "held_submissions", "approval_status"]
REFERENCE = ["admin_units", "admin_unit_changes", "indicators", "reporting_calendar", "finding_rules"]
STORAGE_VERSION = "v1.4.0"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sql_path(path: Path) -> str:
    """A path as a SQL string literal: DuckDB cannot bind ATTACH or COPY targets as
    parameters, so a quote in WAREHOUSE_DIR is escaped, never pasted raw."""
    return "'" + str(path).replace("'", "''") + "'"


def publish(build_db: Path, published_db: Path, parquet_dir: Path) -> dict[str, int]:
    """Copy marts and reference tables into a fresh file and a fresh Parquet folder, then
    swap both in; returns row counts.

    The Parquet version is written and named inside the new file before either swap, so a
    kill between the file's rename and the `current` link's is repaired by `recover` (the
    file names the version it was published with) and never leaves the two disagreeing.
    """
    published_db.parent.mkdir(parents=True, exist_ok=True)
    parquet_dir.mkdir(parents=True, exist_ok=True)
    tmp = published_db.with_name(f".{published_db.name}.{uuid.uuid4().hex}.tmp")
    version = parquet_dir / uuid.uuid4().hex
    previous = published_parquet_version(published_db)
    counts: dict[str, int] = {}
    # Default configuration, as dbt's own connection uses: in one process they share the file.
    con = duckdb.connect(str(build_db))
    try:
        con.execute(f"ATTACH {sql_path(tmp)} AS pub (STORAGE_VERSION '{STORAGE_VERSION}')")
        con.execute("CREATE SCHEMA pub.marts")
        con.execute("CREATE SCHEMA pub.reference")
        for table in MARTS:
            con.execute(f"CREATE TABLE pub.marts.{table} AS SELECT * FROM marts.{table}")
            counts[table] = con.execute(f"SELECT count(*) FROM pub.marts.{table}").fetchone()[0]
        for table in REFERENCE:
            con.execute(f"CREATE TABLE pub.reference.{table} AS SELECT * FROM reference.{table}")
        version.mkdir()
        for table in MARTS:
            con.execute(f"COPY pub.marts.{table} TO {sql_path(version / (table + '.parquet'))} "
                        "(FORMAT parquet)")
        # What this publication contains: the raw state its marts were built from (a later
        # run knows if ingested data is unpublished) and its Parquet version (a later run
        # can finish a broken swap).
        con.execute("CREATE SCHEMA pub.meta")
        # And the day its marts were built as of: a backfilled night never publishes an
        # earlier one (chitieu.stages.build_as_of).
        con.execute("CREATE TABLE pub.meta.publication AS SELECT now() AS published_at, "
                    "? AS raw_state, ? AS parquet_version, ? AS previous_parquet_version, "
                    "?::DATE AS as_of_date",
                    [store.built_state(con), version.name, previous, store.built_as_of(con)])
        con.execute("DETACH pub")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        shutil.rmtree(version, ignore_errors=True)
        raise
    con.close()
    _fsync(tmp)
    os.replace(tmp, published_db)
    _point_current(parquet_dir, version.name)
    _remove_unreferenced(parquet_dir, keep={version.name, previous})
    return counts


def _point_current(parquet_dir: Path, version: str) -> None:
    """Swap the `current` link atomically (a new link renamed over the old one)."""
    link = parquet_dir / "current"
    tmp_link = parquet_dir / f".current.{version}"
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(version)
    os.replace(tmp_link, link)


def _remove_unreferenced(parquet_dir: Path, keep: set[str | None]) -> None:
    """Delete the versions no publication refers to: the current one and the one before it
    (a reader may still be in it) stay, whatever their modification times."""
    for entry in parquet_dir.iterdir():
        if entry.is_symlink():
            if entry.name.startswith(".current."):
                entry.unlink(missing_ok=True)
            continue
        if entry.is_dir() and entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)


def _meta(published_db: Path, column: str) -> str | None:
    if not published_db.exists():
        return None
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        found = con.execute("SELECT count(*) FROM information_schema.columns WHERE table_schema = "
                            "'meta' AND table_name = 'publication' AND column_name = ?",
                            [column]).fetchone()[0]
        return con.execute(f"SELECT {column} FROM meta.publication").fetchone()[0] if found else None
    finally:
        con.close()


def published_parquet_version(published_db: Path) -> str | None:
    """The Parquet version the published file was published with (None before there was one)."""
    return _meta(published_db, "parquet_version")


def set_aside_if_unreadable(published_db: Path) -> str | None:
    """Move a published file DuckDB cannot open to `<name>.unreadable` (the last one kept,
    for a look) and say so; None when it opens or does not exist.

    Junk over the file (a disk error, a hand, a dashboard user before its connection was
    locked down) would otherwise fail every night's first step, which reads the file's
    publication record. Without the file the night sees its ingested data as unpublished
    and builds and publishes again (`chitieu.stages.unpublished_ingest`).
    """
    if not published_db.exists():
        return None
    try:
        duckdb.connect(str(published_db), read_only=True).close()
    except duckdb.Error as exc:
        kept = published_db.with_name(published_db.name + ".unreadable")
        os.replace(published_db, kept)
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return f"{published_db.name} could not be opened ({first_line}): moved to {kept.name}, " \
               "the night publishes again"
    return None


def recover(published_db: Path, parquet_dir: Path) -> list[str]:
    """Finish or clear what a crashed publication left: temporary files beside the published
    file, and a `current` link that does not name the published file's Parquet version.
    Returns what it did, for the run's log."""
    done: list[str] = []
    for leftover in published_db.parent.glob(f".{published_db.name}.*.tmp*"):
        leftover.unlink(missing_ok=True)
        done.append(f"removed {leftover.name}")
    # The published file is never written after its rename, so a WAL beside it is foreign
    # (DuckDB lets a locked-down reader create this one file): it must not be replayed.
    stray_wal = published_db.with_name(published_db.name + ".wal")
    if stray_wal.exists():
        stray_wal.unlink()
        done.append(f"removed {stray_wal.name}, which no publication writes")
    unreadable = set_aside_if_unreadable(published_db)
    if unreadable:
        done.append(unreadable)
    version = published_parquet_version(published_db)
    link = parquet_dir / "current"
    if version and (parquet_dir / version).is_dir() and \
            (not link.is_symlink() or os.readlink(link) != version):
        _point_current(parquet_dir, version)
        done.append(f"pointed parquet/current at {version}, the published file's version")
    if version and parquet_dir.is_dir():
        _remove_unreferenced(parquet_dir, keep={version, _meta(published_db,
                                                               "previous_parquet_version")})
    return done


def published_as_of(published_db: Path) -> date | None:
    """The day the published marts were built as of (None: nothing published, or published
    before the day was recorded)."""
    return _meta(published_db, "as_of_date")


def published_raw_state(published_db: Path) -> str | None:
    """The raw state the published file was built from (None: nothing published, or a file
    published before publications were recorded)."""
    return _meta(published_db, "raw_state")
