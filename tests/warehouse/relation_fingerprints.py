"""What a build left in the warehouse, comparable between an incremental night and a full
refresh: the incremental tests (test_incremental_builds, test_kept_nodes) compare every relation
of a night with the same raw layer built from nothing, and must compare them the same way."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from chitieu.build import run_dbt_build

Fingerprints = dict[str, tuple[list[str], int, str]]


def fingerprints(db: Path, schemas: tuple[str, ...], views: bool = False) -> Fingerprints:
    """Every table of `schemas` (and every view, if asked): its columns, row count and an md5
    of its sorted rows."""
    listed = ", ".join(f"'{schema}'" for schema in schemas)
    query = f"select schema_name, table_name from duckdb_tables() where schema_name in ({listed})"
    if views:
        query += (" union all select schema_name, view_name from duckdb_views() "
                  f"where not internal and schema_name in ({listed})")
    con = duckdb.connect(str(db))  # dbt, in-process, may still hold it
    try:
        out = {}
        for schema, table in con.execute(query + " order by all").fetchall():
            name = f'"{schema}"."{table}"'
            columns = [c for c, *_ in con.execute(f"describe {name}").fetchall()]
            rows, digest = con.execute(
                f"select count(*), md5(coalesce(string_agg(h, ',' order by h), '')) "
                f"from (select md5(t::varchar) as h from {name} as t)").fetchone()
            out[f"{schema}.{table}"] = (columns, rows, digest)
        return out
    finally:
        con.close()


def full_refresh_fingerprints(build_db: Path, tmp: Path, schemas: tuple[str, ...],
                              views: bool = False) -> Fingerprints:
    """The same raw layer built from nothing (--full-refresh on a copy of the build database),
    fingerprinted as `fingerprints` does."""
    copy = tmp / "build" / "chitieu.duckdb"
    copy.parent.mkdir(parents=True)
    # What is still in the write-ahead log must be in the copy: dbt, in-process, keeps the
    # database open, and an incremental night writes too little to checkpoint by itself.
    con = duckdb.connect(str(build_db))
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    shutil.copy(build_db, copy)
    summary = run_dbt_build(copy, full_refresh=True)
    assert summary.success, summary.blocking
    return fingerprints(copy, schemas, views)
