"""Airflow's local metadata and the facts every caller of the Airflow CLI shares: the one-slot
writer pool, and how to read a `dags test` run's final state from its output. `make run`,
`make airflow`, the benchmarks and the tests all go through here, so none keeps its own copy.
"""

from __future__ import annotations

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
