"""Every path and knob of a run, read from the environment once and passed down.

The stages, the DAG's tasks and both command lines build one `Settings` (`from_env`) and
hand its values to the functions that need them; nothing below reads the environment for
these. The two exceptions are channels to other processes, each with a single reader:
CHITIEU_SEEDS_DIR (ingest.reference.seeds_dir, read in parse workers and by dbt) and the
variables dbt's profile reads (set for the duration of a build in chitieu.build).

| variable | default | what |
|---|---|---|
| INBOX | none (make run: the sample inbox) | where clerks' files arrive |
| WAREHOUSE_DIR | ./warehouse | build database, published file, Parquet, logs |
| CHITIEU_ARCHIVE_DIR | WAREHOUSE_DIR/archive | originals, byte for byte |
| CHITIEU_REPORTS_DIR | WAREHOUSE_DIR/reports | the review reports |
| CHITIEU_PARSE_WORKERS | the machine's cores | parse worker processes |
| CHITIEU_PARSE_MEMORY_MB | 1024 | a parse worker's address-space limit |
| CHITIEU_PARSE_TIMEOUT_S | 60 | the longest one file may take to parse |
| CHITIEU_SETTLE_S | 0 | a file younger than this waits for the next run |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_DIR = Path(__file__).resolve().parent.parent
DBT_DIR = PROJECT_DIR / "dbt_project"
TIME_ZONE = "Asia/Ho_Chi_Minh"  # the province's clock: schedules, run days, report dates
LOCAL_TZ = ZoneInfo(TIME_ZONE)


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


def _number(env: Mapping[str, str], name: str, default: float, kind: type = float) -> float:
    text = env.get(name)
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        raise SettingsError(f"{name}={text!r} is not a number") from None
    if value < 0:
        raise SettingsError(f"{name}={text!r} must not be negative")
    return value


def require_duckdb_openable(folder: Path, variable: str = "WAREHOUSE_DIR") -> Path:
    """`folder`, if DuckDB can open files in it. DuckDB reads a backslash anywhere in a path
    as a separator, on Linux too, after resolving every link ("a\\b/x.duckdb" opens
    "a/b/x.duckdb"; an alias, /proc/self/fd or a relative path resolve to the same): no
    database under such a folder can be opened. Said here, once, naming the setting, rather
    than as a "no such file" about another path deep inside a night's run."""
    if "\\" in str(folder):
        raise SettingsError(f"{variable}={folder} holds a backslash (\\), which DuckDB reads as a "
                            "path separator: no database in it can be opened; choose a folder "
                            "whose path has none (a share mounted from Windows: mount it under "
                            "a plain name)")
    return folder


@dataclass(frozen=True)
class Settings:
    inbox: Path | None
    warehouse_dir: Path
    archive_dir_setting: Path | None = None
    reports_dir_setting: Path | None = None
    parse_workers: int | None = None
    parse_memory_mb: int = 1024
    parse_timeout_s: float = 60.0
    settle_s: float = 0.0

    def __post_init__(self) -> None:
        require_duckdb_openable(self.warehouse_dir)  # build, published and Parquet files

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """INBOX has no default: a deployed worker without it must not ingest the sample
        (only `make run` points it there). Everything else has the default above."""
        env = os.environ if env is None else env
        inbox = env.get("INBOX")
        warehouse = Path(env.get("WAREHOUSE_DIR") or PROJECT_DIR / "warehouse")
        archive, reports = env.get("CHITIEU_ARCHIVE_DIR"), env.get("CHITIEU_REPORTS_DIR")
        workers = env.get("CHITIEU_PARSE_WORKERS")
        return cls(
            Path(inbox).resolve() if inbox else None,
            warehouse.resolve(),
            Path(archive).resolve() if archive else None,
            Path(reports).resolve() if reports else None,
            int(_number(env, "CHITIEU_PARSE_WORKERS", 0, int)) or None if workers else None,
            int(_number(env, "CHITIEU_PARSE_MEMORY_MB", 1024, int)),
            _number(env, "CHITIEU_PARSE_TIMEOUT_S", 60.0),
            _number(env, "CHITIEU_SETTLE_S", 0.0),
        )

    def require_inbox(self) -> Path:
        if self.inbox is None:
            raise SettingsError("INBOX is not set: the folder where clerks' files arrive "
                                "(make run sets it to the sample inbox)")
        return self.inbox

    @property
    def parse_limits(self):
        """What one file may cost to parse (ingest.guard.ParseLimits)."""
        from ingest.guard import ParseLimits

        return ParseLimits(self.parse_memory_mb, self.parse_timeout_s)

    @property
    def build_db(self) -> Path:
        """The write side: raw layer and dbt models. Never opened by BI tools."""
        return self.warehouse_dir / "build" / "chitieu.duckdb"

    @property
    def archive_dir(self) -> Path:
        """Originals, byte for byte; its own volume in production."""
        return self.archive_dir_setting or self.warehouse_dir / "archive"

    @property
    def published_db(self) -> Path:
        return self.warehouse_dir / "warehouse.duckdb"

    @property
    def parquet_dir(self) -> Path:
        return self.warehouse_dir / "parquet"

    @property
    def reports_dir(self) -> Path:
        """The review reports; its own volume in production."""
        return self.reports_dir_setting or self.warehouse_dir / "reports"

    @property
    def lock_file(self) -> Path:
        """Held by every writer of the warehouse (ingest/writer_lock.py)."""
        from ingest.writer_lock import lock_path_for

        return lock_path_for(self.build_db)

    @property
    def status_file(self) -> Path:
        """Where the last failure is written for an operator (see the on-failure callback)."""
        return self.warehouse_dir / "LAST_FAILURE.txt"
