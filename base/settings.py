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
| CHITIEU_RECEIPTS_FILE | WAREHOUSE_DIR/receipts/receipts.jsonl | portal receipts; decisions.jsonl beside it |
| CHITIEU_PARSE_WORKERS | the machine's cores | parse worker processes |
| CHITIEU_PARSE_MEMORY_MB | 1024 | a parse worker's address-space limit |
| CHITIEU_PARSE_TIMEOUT_S | 60 | the longest one file may take to parse |
| CHITIEU_SETTLE_S | 0 | a file younger than this waits for the next run |
| CHITIEU_ALERT_TO | none | alert addresses, comma-separated (no address: no e-mail) |
| CHITIEU_ALERT_FROM | chitieu@localhost | the alerts' sender |
| CHITIEU_SMTP_HOST, CHITIEU_SMTP_PORT | none, 25 | the office's mail server |
| CHITIEU_SMTP_SECURITY | none | none, starttls or ssl (a login needs one of the last two) |
| CHITIEU_SMTP_USER | none | the login at the mail server (none: no login) |
| CHITIEU_SMTP_PASSWORD | none | its password: environment only, never in chitieu.toml |
| CHITIEU_SMTP_PASSWORD_FILE | none | or a file holding it (0600, outside the repository) |
| CHITIEU_SMTP_CA_FILE | the system's | CA certificates to verify the server with |
| CHITIEU_SMTP_TIMEOUT_S | 30 | the longest one alert may take, all of it (a hung server) |
| AIRFLOW_PORT | 8080 | `make airflow`'s UI and REST API (127.0.0.1 unless AIRFLOW__API__HOST) |
| SUPERSET_PORT | 8088 | `make superset`'s dashboard |
| CHITIEU_BASE_URL | http://127.0.0.1:AIRFLOW_PORT | Airflow's UI as people open it (links) |
| PORTAL_BASE_URL | http://127.0.0.1:8700 | the portal as people open it (the weekly e-mail's links) |

The office keeps these in one file an operator edits, `chitieu.toml` at the project's root
(or the file CHITIEU_SETTINGS names): the same names in lower case without `chitieu_`
(`inbox = "/srv/inbox"`, `settle_s = 60`, `alert_to = ["a@x.vn"]`). A variable set in the
environment wins over the file, so one run can be pointed elsewhere without editing it.
CHITIEU_SAMPLE_INBOX (set by the Makefile) is the inbox of last resort, used only when
neither names one, and said so in every run's log.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
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
# Where people reach the services (ports on this machine, the address links are built on).
FILE_KEYS += ("AIRFLOW_PORT", "SUPERSET_PORT", "CHITIEU_BASE_URL", "PORTAL_BASE_URL")
PORTAL_ADDRESS = "http://127.0.0.1:8700"  # `make portal` (PORTAL_PORT), the compose file's port


# The alerts' mail server (chitieu/alerts.py), kept apart from the keys above. The password
# itself is never a key of the file (chitieu.toml lives in the repository): only
# CHITIEU_SMTP_PASSWORD in the environment, or smtp_password_file naming a file.
ALERT_FILE_KEYS = ("CHITIEU_SMTP_SECURITY", "CHITIEU_SMTP_USER", "CHITIEU_SMTP_PASSWORD_FILE",
                   "CHITIEU_SMTP_CA_FILE", "CHITIEU_SMTP_TIMEOUT_S")
FILE_KEYS = FILE_KEYS + ALERT_FILE_KEYS
SMTP_SECURITY = ("none", "starttls", "ssl")


def alert_settings(env: Mapping[str, str]) -> dict:
    """The alert server's login and protection, checked: an unknown security mode, a login
    without TLS (the password would cross the network in clear) and a zero deadline are
    refused here, naming the setting."""
    security = (env.get("CHITIEU_SMTP_SECURITY") or "none").strip().lower()
    if security not in SMTP_SECURITY:
        raise SettingsError(f"CHITIEU_SMTP_SECURITY={security!r}: use one of "
                            f"{', '.join(SMTP_SECURITY)}")
    user = env.get("CHITIEU_SMTP_USER") or None
    if user and security == "none":
        raise SettingsError("CHITIEU_SMTP_USER is set but CHITIEU_SMTP_SECURITY is none: the "
                            "password would cross the network in clear; set smtp_security = "
                            "\"starttls\" (port 587) or \"ssl\" (port 465)")
    timeout = _number(env, "CHITIEU_SMTP_TIMEOUT_S", 30.0)
    if timeout <= 0:
        raise SettingsError("CHITIEU_SMTP_TIMEOUT_S must be more than 0 seconds")
    password_file, ca_file = env.get("CHITIEU_SMTP_PASSWORD_FILE"), env.get("CHITIEU_SMTP_CA_FILE")
    return {"smtp_security": security, "smtp_user": user,
            "smtp_password": env.get("CHITIEU_SMTP_PASSWORD") or None,
            "smtp_password_file": Path(password_file).expanduser() if password_file else None,
            "smtp_ca_file": Path(ca_file).expanduser() if ca_file else None,
            "smtp_timeout_s": timeout}


def settings_file(env: Mapping[str, str], process_env: bool) -> Path | None:
    """CHITIEU_SETTINGS, else chitieu.toml beside the project when this is the process's
    own environment (a mapping handed in by a test reads only the file it names)."""
    named = env.get("CHITIEU_SETTINGS")
    if named:
        return Path(named)
    return SETTINGS_FILE if process_env and SETTINGS_FILE.is_file() else None


def read_settings_file(path: Path) -> dict[str, str]:
    """The file's values as the variables they stand for; an unknown key, or a value of the
    wrong kind, is refused by name (a typo must not silently leave the sample inbox in place).
    A relative folder means the settings file's own folder, whichever process reads it."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"settings file {path} does not exist (CHITIEU_SETTINGS)") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"settings file {path}: {exc}") from None
    known = {name.lower().removeprefix("chitieu_"): name for name in FILE_KEYS}
    values: dict[str, str] = {}
    for key, value in data.items():
        if key == "smtp_password":  # the alerts' password: never in a file of the repository
            raise SettingsError(f"settings file {path}: smtp_password is not kept in this file; "
                                "set CHITIEU_SMTP_PASSWORD in the environment or "
                                "smtp_password_file to a file only the service can read")
        if key not in known:
            raise SettingsError(f"settings file {path}: unknown setting {key!r} "
                                f"(known: {', '.join(sorted(known))})")
        values[known[key]] = file_value(path, key, known[key], value)
    return values


PATH_KEYS = ("INBOX", "WAREHOUSE_DIR", "CHITIEU_ARCHIVE_DIR", "CHITIEU_REPORTS_DIR")
NUMBER_KEYS = ("CHITIEU_PARSE_WORKERS", "CHITIEU_PARSE_MEMORY_MB", "CHITIEU_PARSE_TIMEOUT_S",
               "CHITIEU_SETTLE_S", "CHITIEU_SMTP_PORT", "AIRFLOW_PORT", "SUPERSET_PORT",
               "CHITIEU_SMTP_TIMEOUT_S")


def file_value(path: Path, key: str, name: str, value: object) -> str:
    """One value of the settings file as its variable's text, or SettingsError naming `key`:
    a folder must be a non-empty string (42, true, a table or a list are not folder names)
    and a relative one is taken from the file's folder; a number must be a TOML number (not
    true, not quoted); a list is allowed for addresses only."""
    where = f"settings file {path}: {key}"
    if name in PATH_KEYS:
        if not isinstance(value, str) or not value.strip():
            raise SettingsError(f"{where} = {value!r} is not a folder name (write it in quotes, "
                                f'e.g. {key} = "/srv/chitieu/{key.removesuffix("_dir")}")')
        return str(path.parent.resolve() / value)  # absolute values stay as they are
    if name in NUMBER_KEYS:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SettingsError(f"{where} = {value!r} is not a number (write it without quotes)")
        return repr(value)
    if isinstance(value, list) and name == "CHITIEU_ALERT_TO" \
            and all(isinstance(v, str) for v in value):
        return ",".join(value)
    if not isinstance(value, str):
        raise SettingsError(f"{where} = {value!r} is not text (write it in quotes)")
    return value


# What each number may be: (smallest, largest, whether the smallest itself is allowed).
# Parse limits of 0 reject every file; a timeout beyond a day or memory beyond 16 TB is a typo
# (and overflows the worker's limits); a port is 1-65535.
NUMBER_RANGES = {
    "CHITIEU_PARSE_WORKERS": (0, 4096, True),
    "CHITIEU_PARSE_MEMORY_MB": (0, 16 * 1024 * 1024, False),
    "CHITIEU_PARSE_TIMEOUT_S": (0, 86400, False),
    "CHITIEU_SETTLE_S": (0, 366 * 86400, True),
    "CHITIEU_SMTP_PORT": (1, 65535, True),
    "CHITIEU_SMTP_TIMEOUT_S": (0, 86400, False),
}


def _number(env: Mapping[str, str], name: str, default: float, kind: type = float) -> float:
    text = env.get(name)
    if not text:
        return default
    try:
        value = kind(text)
    except (ValueError, OverflowError):
        kind_name = "a whole number" if kind is int else "a number"
        raise SettingsError(f"{name}={text!r} is not {kind_name}") from None
    return check_range(name, text, value)


def check_range(name: str, text: str, value: float) -> float:
    """`value`, if finite and within NUMBER_RANGES[name]; else SettingsError naming it."""
    low, high, low_ok = NUMBER_RANGES.get(name, (0, math.inf, True))
    if not math.isfinite(value):
        raise SettingsError(f"{name}={text!r} is not a finite number")
    if value < low or (value == low and not low_ok) or value > high:
        shown = f"{low:g} to {high:g}" if low_ok else f"more than {low:g} and at most {high:g}"
        raise SettingsError(f"{name}={text!r} is out of range: it must be {shown}")
    return value



def _port(env: Mapping[str, str], name: str, default: int) -> int:
    port = int(_number(env, name, default, int))
    if not 0 < port < 65536:
        raise SettingsError(f"{name}={port} is not a TCP port (1-65535)")
    return port


def _address(env: Mapping[str, str], name: str) -> str | None:
    """An address links are built on: http(s) or none (never javascript: or a bare host)."""
    base = env.get(name) or None
    if base and not base.startswith(("http://", "https://")):
        raise SettingsError(f"{name}={base!r} is not an http:// or https:// address")
    return base


def _service_addresses(env: Mapping[str, str]) -> tuple[int, int, str | None]:
    """AIRFLOW_PORT, SUPERSET_PORT and CHITIEU_BASE_URL (an http(s) address, or none)."""
    airflow = "AIRFLOW_PORT" if env.get("AIRFLOW_PORT") else "AIRFLOW__API__PORT"  # Airflow's name
    return _port(env, airflow, 8080), _port(env, "SUPERSET_PORT", 8088), _address(env, "CHITIEU_BASE_URL")


def _overlap(a: Path, b: Path) -> bool:
    """Whether one folder is the other or lies inside it, links followed."""
    a, b = a.resolve(), b.resolve()
    return a == b or a.is_relative_to(b) or b.is_relative_to(a)


def check_folders(settings: Settings) -> Settings:
    """The inbox apart from every folder the warehouse writes: an inbox that is the warehouse,
    lies inside it or holds it (or its archive or reports) would read the warehouse's own
    files as clerks' reports and archive them every night."""
    if settings.inbox is None:
        return settings
    for variable, folder in (("WAREHOUSE_DIR", settings.warehouse_dir),
                             ("CHITIEU_ARCHIVE_DIR", settings.archive_dir),
                             ("CHITIEU_REPORTS_DIR", settings.reports_dir)):
        if _overlap(settings.inbox, folder):
            raise SettingsError(f"INBOX={settings.inbox} and {variable}={folder} overlap (one is "
                                "the other or lies inside it): the inbox must be a folder of its "
                                "own, apart from the warehouse, its archive and its reports")
    return settings


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

    def __post_init__(self) -> None:
        # A limit of 0 (or nan, inf, negative) would refuse every file, wherever it is made
        for name, value in (("memory_mb", self.memory_mb), ("timeout_s", self.timeout_s)):
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"ParseLimits.{name}={value!r}: a parse limit must be a finite "
                                 "number above 0")


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
    airflow_port: int = 8080
    superset_port: int = 8088
    base_url_setting: str | None = None
    receipts_file_setting: Path | None = None
    # The alerts' mail server beyond host and port (alert_settings; chitieu/alerts.py).
    smtp_security: str = "none"
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_password_file: Path | None = None
    smtp_ca_file: Path | None = None
    smtp_timeout_s: float = 30.0
    portal_base_url_setting: str | None = None

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
        return check_folders(cls(
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

            *_service_addresses(env),
            Path(env["CHITIEU_RECEIPTS_FILE"]).resolve() if env.get("CHITIEU_RECEIPTS_FILE") else None,
            **alert_settings(env),
            portal_base_url_setting=_address(env, "PORTAL_BASE_URL"),
        ))

    @property
    def base_url(self) -> str:
        """Airflow's UI as people open it, without a trailing slash: the links in alerts and
        LAST_FAILURE.txt (Airflow's own [api] base_url is set to it by `make airflow`)."""
        return (self.base_url_setting or f"http://127.0.0.1:{self.airflow_port}").rstrip("/")

    @property
    def portal_base_url(self) -> str:
        """The portal as people open it, without a trailing slash: the links of the reviewers'
        weekly e-mail (portal/office/digest.py)."""
        return (self.portal_base_url_setting or PORTAL_ADDRESS).rstrip("/")

    @property
    def receipts_file(self) -> Path:
        """The portal's receipts export (portal/office/services.py), read by the ingest stage."""
        return self.receipts_file_setting or self.warehouse_dir / "receipts" / "receipts.jsonl"

    @property
    def decisions_file(self) -> Path:
        """The portal's decisions export (portal/office/signoff.py), beside its receipts (one
        volume shared with the night), read into raw.decisions by the ingest stage."""
        return self.receipts_file.with_name("decisions.jsonl")

    @property
    def finding_answers_file(self) -> Path:
        """The portal's export of answers to findings (portal/office/followup.py), beside its
        decisions, read into raw.finding_answers by the ingest stage."""
        return self.receipts_file.with_name("finding_answers.jsonl")

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
