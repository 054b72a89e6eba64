"""Every path and knob of a run, read once (the office's settings file, then the environment
over it) and passed down.

The stages, the DAG's tasks and both command lines build one `Settings` (`from_env`) and
hand its values to the functions that need them; nothing below reads the environment for
these. The two exceptions are channels to other processes, each with a single reader:
CHITIEU_SEEDS_DIR (base.reference.seeds_dir, read in parse workers and by dbt) and the
variables dbt's profile reads (set for the duration of a build in chitieu.build).

| variable | default | what |
|---|---|---|
| INBOX | none (make run: the sample inbox) | where clerks' files arrive |
| WAREHOUSE_DIR | ./warehouse | build database, published file, Parquet, logs |
| CHITIEU_ARCHIVE_DIR | WAREHOUSE_DIR/archive | originals, byte for byte |
| CHITIEU_REPORTS_DIR | WAREHOUSE_DIR/reports | the review reports |
| CHITIEU_RECEIPTS_FILE | WAREHOUSE_DIR/receipts/receipts.jsonl | portal receipts (night reads) |
| CHITIEU_PARSE_WORKERS | the machine's cores | parse worker processes |
| CHITIEU_PARSE_MEMORY_MB | 1024 | a parse worker's address-space limit |
| CHITIEU_PARSE_TIMEOUT_S | 60 | the longest one file may take to parse |
| CHITIEU_SETTLE_S | 0 | a file younger than this waits for the next run |
| CHITIEU_ALERT_TO | none | alert addresses, comma-separated (no address: no e-mail) |
| CHITIEU_ALERT_FROM | chitieu@localhost | the alerts' sender |
| CHITIEU_SMTP_HOST, CHITIEU_SMTP_PORT | none, 25 | the office's mail server |

The office keeps these in one file an operator edits, `chitieu.toml` at the project's root
(or the file CHITIEU_SETTINGS names): the same names in lower case without `chitieu_`
(`inbox = "/srv/inbox"`, `settle_s = 60`, `alert_to = ["a@x.vn"]`). A variable set in the
environment wins over the file, so one run can be pointed elsewhere without editing it.
CHITIEU_SAMPLE_INBOX (set by the Makefile) is the inbox of last resort, used only when
neither names one, and said so in every run's log.
"""

from __future__ import annotations

import os
import tomllib
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


SETTINGS_FILE = PROJECT_DIR / "chitieu.toml"
# The settings file's keys are these variables' names in lower case, without "chitieu_".
FILE_KEYS = ("INBOX", "WAREHOUSE_DIR", "CHITIEU_ARCHIVE_DIR", "CHITIEU_REPORTS_DIR", "CHITIEU_RECEIPTS_FILE",
             "CHITIEU_PARSE_WORKERS", "CHITIEU_PARSE_MEMORY_MB", "CHITIEU_PARSE_TIMEOUT_S",
             "CHITIEU_SETTLE_S", "CHITIEU_ALERT_TO", "CHITIEU_ALERT_FROM", "CHITIEU_SMTP_HOST",
             "CHITIEU_SMTP_PORT")


def settings_file(env: Mapping[str, str], process_env: bool) -> Path | None:
    """CHITIEU_SETTINGS, else chitieu.toml beside the project when this is the process's
    own environment (a mapping handed in by a test reads only the file it names)."""
    named = env.get("CHITIEU_SETTINGS")
    if named:
        return Path(named)
    return SETTINGS_FILE if process_env and SETTINGS_FILE.is_file() else None


def read_settings_file(path: Path) -> dict[str, str]:
    """The file's values as the variables they stand for; an unknown key is refused by name
    (a typo must not silently leave the sample inbox in place)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"settings file {path} does not exist (CHITIEU_SETTINGS)") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"settings file {path}: {exc}") from None
    known = {name.lower().removeprefix("chitieu_"): name for name in FILE_KEYS}
    values: dict[str, str] = {}
    for key, value in data.items():
        if key not in known:
            raise SettingsError(f"settings file {path}: unknown setting {key!r} "
                                f"(known: {', '.join(sorted(known))})")
        if isinstance(value, list):
            value = ",".join(str(v) for v in value)
        values[known[key]] = str(value)
    return values


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
class ParseLimits:
    """What one file may cost to read (CHITIEU_PARSE_MEMORY_MB, _TIMEOUT_S); ingest/guard.py enforces it."""

    memory_mb: int = 1024
    timeout_s: float = 60.0


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
    alert_to: tuple[str, ...] = ()
    alert_from: str = "chitieu@localhost"
    smtp_host: str | None = None
    smtp_port: int = 25
    inbox_source: str = "INBOX"  # where the inbox was named: logged with every run
    receipts_file_setting: Path | None = None

    def __post_init__(self) -> None:
        require_duckdb_openable(self.warehouse_dir)  # build, published and Parquet files

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """INBOX has no default: a deployed worker without it must not ingest the sample
        (only the Makefile names it, as CHITIEU_SAMPLE_INBOX). Everything else has the
        default above. The settings file is read first, the environment wins over it."""
        process_env = env is None
        env = os.environ if env is None else env
        path = settings_file(env, process_env)
        from_file = read_settings_file(path) if path else {}
        source = "INBOX" if env.get("INBOX") else \
            f"the settings file {path}" if from_file.get("INBOX") else "nowhere"
        env = {**from_file, **{k: v for k, v in env.items() if v != ""}}
        inbox = env.get("INBOX")
        if not inbox and env.get("CHITIEU_SAMPLE_INBOX"):
            inbox, source = env["CHITIEU_SAMPLE_INBOX"], "the sample inbox (no INBOX set)"
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
            tuple(a.strip() for a in env.get("CHITIEU_ALERT_TO", "").split(",") if a.strip()),
            env.get("CHITIEU_ALERT_FROM") or "chitieu@localhost",
            env.get("CHITIEU_SMTP_HOST") or None,
            int(_number(env, "CHITIEU_SMTP_PORT", 25, int)),
            source,
            Path(env["CHITIEU_RECEIPTS_FILE"]).resolve() if env.get("CHITIEU_RECEIPTS_FILE") else None,
        )

    @property
    def receipts_file(self) -> Path:
        """The portal's receipts export (portal/office/services.py), read by the ingest stage."""
        return self.receipts_file_setting or self.warehouse_dir / "receipts" / "receipts.jsonl"

    def require_inbox(self) -> Path:
        if self.inbox is None:
            raise SettingsError("INBOX is not set: the folder where clerks' files arrive "
                                "(`inbox` in chitieu.toml, or the INBOX variable)")
        return self.inbox

    @property
    def parse_limits(self):
        """What one file may cost to parse (ParseLimits, enforced by ingest/guard.py)."""
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
        """Held by every writer of the warehouse (base/writer_lock.py)."""
        from base.writer_lock import lock_path_for

        return lock_path_for(self.build_db)

    @property
    def status_file(self) -> Path:
        """Where the last failure is written for an operator (see the on-failure callback)."""
        return self.warehouse_dir / "LAST_FAILURE.txt"
