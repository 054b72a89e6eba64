"""`chitieu sql "SELECT …"`: a read-only query on the published warehouse, for the runbook and
for an engineer at a shell (there is no duckdb command-line tool in the environment).

The published file is opened as BI opens it: read-only, with file-system access off and the
configuration locked, so a query can read the marts and nothing else (no read_csv of a
server file, no COPY … TO, no ATTACH, no extension loaded, no setting turned back on). The
nightly run replaces that file atomically, so a query never blocks it. `--build` queries the
build database instead (the audit tables a failed night names): that one is the writers'
file, so the query takes the writers' lock and is refused while a run holds it.
"""

from __future__ import annotations

import csv
import sys
from contextlib import nullcontext
from pathlib import Path

from base.errors import BUSY, OK, REFUSED
from base.settings import Settings

MAX_ROWS = 10_000  # printed as a table; --csv prints every row


def connect_read_only(path: Path):
    """The only way this command opens a database: read-only, nothing outside the file."""
    import duckdb

    return duckdb.connect(str(path), read_only=True,
                          config={"enable_external_access": False, "lock_configuration": True})


def run_query(settings: Settings, query: str, build: bool = False, as_csv: bool = False) -> int:
    import duckdb

    from base.writer_lock import WarehouseBusy, exclusive

    path = settings.build_db if build else settings.published_db
    if not path.exists():
        what = "build database" if build else "published warehouse"
        print(f"chitieu sql: no {what} at {path} yet (run the nightly job first)", file=sys.stderr)
        return REFUSED
    try:
        with exclusive(settings.lock_file) if build else nullcontext():
            con = connect_read_only(path)
            try:
                relation = con.sql(query)
                if relation is None:  # a statement without rows (SET, PRAGMA …)
                    return OK
                columns, rows = relation.columns, relation.fetchall()
            finally:
                con.close()
    except WarehouseBusy as exc:
        print(f"chitieu sql: {exc}", file=sys.stderr)
        return BUSY
    except duckdb.Error as exc:  # the query's own problem, said as DuckDB says it
        print(f"chitieu sql: {exc}", file=sys.stderr)
        return REFUSED
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        print(table(columns, rows[:MAX_ROWS]))
        if len(rows) > MAX_ROWS:
            print(f"({len(rows)} rows; the first {MAX_ROWS} shown: add --csv for all)")
    return OK


def table(columns: list[str], rows: list[tuple]) -> str:
    """Columns aligned under their names, then the row count (what `duckdb -c` shows, plainly)."""
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    lines = [" | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(lines)
