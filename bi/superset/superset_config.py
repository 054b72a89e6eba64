"""Superset's configuration for chitieu's dashboard (loaded through SUPERSET_CONFIG_PATH).

Everything that must not be in the repository comes from SUPERSET_HOME, a git-ignored folder
that `make superset` (tools/bi_superset.py) creates: the secret key (a 0600 file generated on
first start) and the SQLite metadata database. Caches of chart data are off, so a chart asks
the published warehouse again on every request and a night's new marts show without restarting
Superset; the warehouse connection itself opens the file read-only per query (NullPool).
"""

from __future__ import annotations

import os
from pathlib import Path

_HOME = Path(os.environ["SUPERSET_HOME"])

SECRET_KEY = (_HOME / "secret_key").read_text(encoding="utf-8").strip()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{_HOME / 'superset.db'}?check_same_thread=false"

# Chart data and metadata are never cached: the published file is replaced every night.
_NO_CACHE = {"CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True}
CACHE_CONFIG = _NO_CACHE
DATA_CACHE_CONFIG = _NO_CACHE

# Superset 6.1.0 ships no Vietnamese interface translation: the interface stays English, the
# dashboard, chart and column titles of the bundle are Vietnamese.
BABEL_DEFAULT_LOCALE = "en"
LANGUAGES = {"en": {"flag": "us", "name": "English"}}
# Numbers as the office writes them (1.234,5): D3's locale, used by every chart's formats.
D3_FORMAT = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]}

# A local, single-process tool: no thumbnails or alerts (they need Celery workers).
FEATURE_FLAGS = {"THUMBNAILS": False, "ALERT_REPORTS": False}

# The warehouse connection can touch nothing but the published file (issue 19). DuckDB's
# external access is on by default: through SQL Lab a user could read any file the server can
# (read_csv('/etc/passwd'), this folder's secret key), write any file with COPY … TO (allow_dml
# does not see COPY), ATTACH other files, or switch the settings back with SET. So every DuckDB
# connection Superset opens is read-only, with external access off and the configuration
# locked, enforced here rather than in the database's "extra" so that editing the database in
# Superset's UI cannot undo it. DuckDB still opens the database file named at connect time
# (it is allowed implicitly); everything else on disk is refused.
WAREHOUSE_DUCKDB_CONFIG = {"access_mode": "read_only", "enable_external_access": False,
                           "lock_configuration": True}


def DB_CONNECTION_MUTATOR(uri, params, username, security_manager, source):  # noqa: N802
    """Lock down each DuckDB connection (see WAREHOUSE_DUCKDB_CONFIG); others pass unchanged.

    The URI's query string is dropped: DuckDB's driver applies it after `connect_args`, so an
    admin who edits the URI (`...?enable_external_access=true`, Superset saves it) would
    otherwise switch file access back on (issue 25). Only the database file is kept."""
    if uri.get_backend_name() == "duckdb":
        uri = uri.set(query={})
        connect_args = dict(params.get("connect_args") or {})
        config = dict(connect_args.get("config") or {})
        config.update(WAREHOUSE_DUCKDB_CONFIG)  # lock_configuration last: nothing is SET after
        connect_args["config"] = config
        connect_args["read_only"] = True
        connect_args.pop("preload_extensions", None)  # nothing is loaded from disk either
        params = {**params, "connect_args": connect_args}
    return uri, params
