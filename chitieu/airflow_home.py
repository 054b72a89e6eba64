"""Airflow's local metadata and the facts every caller of the Airflow CLI shares: the one-slot
writer pool, and how to read a `dags test` run's final state from its output. `make run`,
`make airflow`, the benchmarks and the tests all go through here, so none keeps its own copy.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

WAREHOUSE_POOL = "chitieu_warehouse"
_FINISHED = re.compile(r"DagRun Finished: .*?state=(\w+)")


def airflow_bin() -> str:
    """The `airflow` of this interpreter's environment."""
    return str(Path(sys.executable).with_name("airflow"))


def dag_run_state(output: str) -> str | None:
    """'success', 'failed', … from `airflow dags test` output; None when no run finished."""
    found = _FINISHED.search(output)
    return found.group(1) if found else None


def init_metadata(env: Mapping[str, str] | None = None) -> None:
    """Migrate Airflow's metadata database and create the one-slot writer pool (idempotent)."""
    for args in (["db", "migrate"],
                 ["pools", "set", WAREHOUSE_POOL, "1", "chitieu: one writer of the warehouse at a time"]):
        proc = subprocess.run([airflow_bin(), *args], env=None if env is None else dict(env),
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args[:2])} failed:\n"
                               f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}")


def airflow_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment every Airflow command of this project runs in, from any shell: what
    the Makefile used to export, so `chitieu backfill` from cron or a plain terminal finds the
    checkout's `.airflow` (never a stray ~/airflow) and the same port and time zones as `make
    airflow`. A value already set wins (AIRFLOW_HOME=/srv/airflow, AIRFLOW__API__HOST=...).

    AIRFLOW_PORT (chitieu.toml `airflow_port`) is the API server's port; CHITIEU_BASE_URL
    (`base_url`) becomes Airflow's [api] base_url, from which task log links are built."""
    from base.settings import PROJECT_DIR, TIME_ZONE, Settings

    out = dict(os.environ if env is None else env)
    settings = Settings.from_env(None if env is None else out)
    defaults = {
        "AIRFLOW_HOME": str(PROJECT_DIR / ".airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_DIR / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": TIME_ZONE,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    for name, value in defaults.items():
        if not out.get(name):
            out[name] = value
    out["AIRFLOW__API__PORT"] = str(settings.airflow_port)
    out["AIRFLOW__API__BASE_URL"] = settings.base_url
    out["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{out.get('PATH', '')}"
    return out


def password_file(env: Mapping[str, str]) -> Path:
    """The simple auth manager's password file (written 0600 by `make airflow`)."""
    return Path(env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE")
                or Path(env["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated")
