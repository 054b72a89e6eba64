"""Which seeds a build loads: only those whose content changed since they were last loaded.

dbt reloads every seed on every build (dbt_project.yml: `+full_refresh: true`, so that a new
catalogue column reaches an existing warehouse); at national scale the unit list and its changes
are some 25,000 rows parsed and inserted row batch by row batch each night, for nothing on a night
that brings files. A build remembers, in meta.loaded_seeds of the build database, the hash of
each seed it loaded (its CSV, dbt_project.yml where its column types are set, and dbt's version);
the next build leaves out the seeds whose hash is the same and whose table is still there. A full
refresh loads them all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import duckdb

from base.settings import DBT_DIR

SCHEMA = "reference"  # dbt_project.yml: seeds' +schema


def seed_hashes(seeds: Path) -> dict[str, str]:
    """Each seed's name and the hash of what loading it depends on."""
    from dbt.version import __version__ as dbt_version

    common = hashlib.sha256((DBT_DIR / "dbt_project.yml").read_bytes() + dbt_version.encode())
    hashes = {}
    for csv in sorted(seeds.glob("*.csv")):
        digest = common.copy()
        digest.update(csv.read_bytes())
        hashes[csv.stem] = digest.hexdigest()
    return hashes


def unchanged_seeds(db_path: Path, hashes: dict[str, str]) -> list[str]:
    """The seeds loaded before with the same hash whose table still exists (none in a new
    database)."""
    if not db_path.exists():
        return []
    con = duckdb.connect(str(db_path))  # the build's writer, under its lock
    try:
        if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'meta' "
                           "AND table_name = 'loaded_seeds' AND table_catalog = current_database()"
                           ).fetchone()[0]:
            return []
        loaded = dict(con.execute("SELECT seed, hash FROM meta.loaded_seeds").fetchall())
        tables = {t for t, in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
            "AND table_catalog = current_database()", [SCHEMA]).fetchall()}
    finally:
        con.close()
    return sorted(name for name, digest in hashes.items() if loaded.get(name) == digest and name in tables)


def record_loaded_seeds(db_path: Path, hashes: dict[str, str], loaded: Iterable[str],
                        failed: Iterable[str]) -> None:
    """Remember the seeds this build loaded; forget those it failed to load (their table may be
    gone or half-written: the next build loads them again)."""
    loaded, failed = list(loaded), list(failed)
    if not loaded and not failed:
        return
    con = duckdb.connect(str(db_path))
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS meta")
        con.execute("CREATE TABLE IF NOT EXISTS meta.loaded_seeds (seed VARCHAR PRIMARY KEY, hash VARCHAR)")
        for name in loaded + failed:
            con.execute("DELETE FROM meta.loaded_seeds WHERE seed = ?", [name])
        for name in (n for n in loaded if n in hashes):
            con.execute("INSERT INTO meta.loaded_seeds VALUES (?, ?)", [name, hashes[name]])
    finally:
        con.close()
