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

# A local, single-process tool: no thumbnails or alerts (they need Celery workers).
FEATURE_FLAGS = {"THUMBNAILS": False, "ALERT_REPORTS": False}
