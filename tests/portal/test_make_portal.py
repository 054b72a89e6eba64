"""`make portal` on a fresh data folder: migrates its embedded SQLite database, creates the
sample province's accounts with a first-time password sheet only its owner can read, and
serves the login page through gunicorn on PORTAL_PORT (docs/clerk.md)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import PROJECT
from tests.portal.test_browser import free_port

pytestmark = pytest.mark.portal


def test_make_portal_serves_the_login_page(tmp_path: Path) -> None:
    port, data = free_port(), tmp_path / "portal-data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "DJANGO_"))}
    proc = subprocess.Popen(["make", "portal", f"PORTAL_PORT={port}", f"PORTAL_DATA_DIR={data}",
                             f"WAREHOUSE_DIR={tmp_path / 'warehouse'}"], cwd=PROJECT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    page = ""
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not page:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/dang-nhap/", timeout=5) as r:
                    page = r.read().decode()
            except OSError:
                time.sleep(1)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    assert "<h1>Đăng nhập</h1>" in page and 'name="csrfmiddlewaretoken"' in page
    sheet = data / "mat-khau-lan-dau.txt"
    assert stat.S_IMODE(sheet.stat().st_mode) == 0o600
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    text = sheet.read_text(encoding="utf-8")
    assert "Tên đăng nhập: bc18685" in text and "Tên đăng nhập: ctk42" in text
    assert (data / "portal.sqlite3").exists()
