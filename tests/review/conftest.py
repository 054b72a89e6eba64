"""The review room's one Superset: booted once for the package (both dashboard modules,
test_dashboard_reads_right.py and test_superset_dashboard.py, ask for it) on a copy of the
session's published sample, on a free port, and always stopped after the room's last test.
A boot is a minute or more of CI; a test that changes the served file puts it back."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.cluster import free_port
from tests.conftest import PROJECT, fetched
from tools import bi_superset

if TYPE_CHECKING:
    from tests.review.test_superset_dashboard import Server


@pytest.fixture(scope="package")
def superset_venv() -> Path:
    """Superset's locked environment, made before the sample is built: with neither uv's
    cache nor the network, the modules are skipped naming what is missing, in seconds."""
    return fetched("Superset's locked packages (bi/superset/requirements.txt, .superset-venv)",
                   lambda offline: bi_superset.ensure_venv(PROJECT / ".superset-venv", offline))


@pytest.fixture(scope="package")
def superset(superset_venv: Path, built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from tests.review.test_superset_dashboard import BOOT_LIMIT_S, Server

    settings, _ = built
    root = tmp_path_factory.mktemp("superset")
    published = root / "warehouse" / "warehouse.duckdb"
    published.parent.mkdir()
    shutil.copy(settings.published_db, published)  # the shared build stays untouched
    venv = superset_venv
    started = time.monotonic()
    password = bi_superset.initialise(venv, root / "home", published)
    port = free_port()
    log = open(root / "server.log", "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(bi_superset.server_command(venv, port),
                            env=bi_superset.superset_env(root / "home"), stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        bi_superset.wait_ready(url, timeout=BOOT_LIMIT_S, proc=proc)
        yield Server(url, password, published, root / "home", proc, time.monotonic() - started)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
        log.close()
