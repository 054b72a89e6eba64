"""Superset, really booted on a published warehouse: bundle imported, charts' numbers, freshness.

The server runs from `.superset-venv` (tools/bi_superset.py builds it from the locked
requirements if missing) on a copy of the sample's published file in a tmp folder, with its
own SUPERSET_HOME there; it is always stopped. Each chart's saved query is asked through the
REST API and compared with the marts read directly with DuckDB, and with the sample's
independent figures (the article's 9 of 17 targets in 2021, its 4.68 % poverty rate). New marts
published by atomic rename show on the next request without a restart. Select with
`-m superset`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
import requests
import yaml

from tests.conftest import PROJECT, fetched, require_tool
from tools import bi_superset

pytestmark = pytest.mark.superset
BOOT_LIMIT_S = 180
ARTIFACTS = PROJECT / "tests" / "artifacts"


@dataclass
class Server:
    url: str
    password: str
    published: Path
    proc: subprocess.Popen
    boot_seconds: float

    def token(self) -> dict[str, str]:
        resp = requests.post(f"{self.url}/api/v1/security/login", timeout=30,
                             json={"username": "admin", "password": self.password, "provider": "db"})
        resp.raise_for_status()
        return {"Authorization": f"Bearer {resp.json()['access_token']}"}

    def charts(self) -> dict[str, int]:
        """The dashboard's charts, slice name → id."""
        resp = requests.get(f"{self.url}/api/v1/dashboard/{bi_superset.DASHBOARD_SLUG}/charts",
                            headers=self.token(), timeout=30)
        resp.raise_for_status()
        return {c["slice_name"]: c["id"] for c in resp.json()["result"]}

    def chart_rows(self, key: str, force: bool = True) -> list[dict[str, Any]]:
        """The rows of a bundle chart's saved query (key: its YAML file's name)."""
        chart_id = self.charts()[BUNDLE_TITLES[key]]
        resp = requests.get(f"{self.url}/api/v1/chart/{chart_id}/data/",
                            params={"force": "true"} if force else {}, headers=self.token(), timeout=60)
        assert resp.status_code == 200, resp.text[:2000]
        return resp.json()["result"][0]["data"]


BUNDLE_TITLES = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))["slice_name"]
                 for p in (bi_superset.BUNDLE / "charts").glob("*.yaml")}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def superset_venv() -> Path:
    """Superset's locked environment, made before the sample is built: with neither uv's
    cache nor the network, the module is skipped naming what is missing, in seconds."""
    return fetched("Superset's locked packages (bi/superset/requirements.txt, .superset-venv)",
                   lambda offline: bi_superset.ensure_venv(PROJECT / ".superset-venv", offline))


@pytest.fixture(scope="module")
def superset(superset_venv: Path, built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    settings, _ = built
    root = tmp_path_factory.mktemp("superset")
    published = root / "warehouse" / "warehouse.duckdb"
    published.parent.mkdir()
    shutil.copy(settings.published_db, published)  # the shared build stays untouched
    venv = superset_venv
    started = time.monotonic()
    password = bi_superset.initialise(venv, root / "home", published)
    port = _free_port()
    log = open(root / "server.log", "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(bi_superset.server_command(venv, port),
                            env=bi_superset.superset_env(root / "home"), stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        bi_superset.wait_ready(url, timeout=BOOT_LIMIT_S, proc=proc)
        yield Server(url, password, published, proc, time.monotonic() - started)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
        log.close()


def _marts(published: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(published), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_boots_and_imports_the_bundle_in_time(superset: Server) -> None:
    assert superset.boot_seconds < BOOT_LIMIT_S, f"booted in {superset.boot_seconds:.0f} s"
    assert set(superset.charts()) == set(BUNDLE_TITLES.values())
    assert len(BUNDLE_TITLES) == 5
    for title in BUNDLE_TITLES.values():  # Vietnamese titles, NFC
        assert re.search(r"[ạảãáàâầấậẩẫăằắặẳẵđêềếệểễôồốộổỗơờớợởỡưừứựửữỳýỵỷỹíìịỉĩ]", title), title


def test_scorecard_chart_is_the_marts_and_the_article(superset: Server) -> None:
    rows = superset.chart_rows("scorecard")
    fields = ["targets_total", "targets_met", "targets_exceeded", "targets_missed", "targets_at_risk",
              "targets_on_track", "targets_no_data"]
    got = {r["year"]: tuple(r[f] for f in fields) for r in rows}
    want = {r[0]: tuple(r[1:]) for r in _marts(
        superset.published, f"SELECT year, {', '.join(fields)} FROM marts.scorecard WHERE unit_code = '42'")}
    assert got == want
    assert got[2021][:2] == (17, 9)  # the article: 9 of 17 targets met in 2021
    assert max(got) == dt.date.today().year  # and the year in progress


def test_trend_chart_is_the_marts_on_todays_units(superset: Server, expected_values) -> None:
    rows = superset.chart_rows("trend")
    got = {(dt.datetime.fromtimestamp(r["nam"] / 1000, dt.UTC).year, r["indicator_name"]): r["Giá trị"]
           for r in rows}
    want = {(int(p), name): v for p, name, v in _marts(
        superset.published, "SELECT period, indicator_name, value FROM marts.indicator_values_current_units "
        "WHERE unit_code = '42' AND period_type = 'year' AND value IS NOT NULL")}
    assert got.keys() == want.keys()
    assert got == pytest.approx(want)
    assert got[(2021, "Tỷ lệ hộ nghèo")] == pytest.approx(expected_values[("42", "2021", "POVERTY_RATE")])
    assert got[(2021, "Tỷ lệ hộ nghèo")] == pytest.approx(4.68, abs=0.005)  # the article


def test_target_attainment_chart_is_the_marts(superset: Server) -> None:
    rows = superset.chart_rows("target_attainment")
    got = {(r["year"], r["indicator_code"]): (r["actual"], r["status"]) for r in rows}
    want = {(y, c): (a, s) for y, c, a, s in _marts(
        superset.published, "SELECT year, indicator_code, actual, status FROM marts.target_attainment "
        "WHERE unit_code = '42'")}
    assert got.keys() == want.keys()
    for key, (actual, status) in want.items():
        assert got[key][1] == status, key
        assert got[key][0] == pytest.approx(actual) if actual is not None else got[key][0] is None, key
    words = {"met": "Đạt", "missed": "Không đạt", "no_data": "Chưa có số liệu"}
    for r in rows:
        if r["status"] in words:
            assert r["trang_thai"] == words[r["status"]]


def test_completeness_chart_is_the_marts(superset: Server) -> None:
    rows = superset.chart_rows("completeness")
    got = {(r["unit_code"], r["period"]): (r["expected_reports"], r["received_reports"], r["on_time_reports"],
                                           r["completeness_pct"]) for r in rows}
    want = {(u, p): (e, rc, o, pct) for u, p, e, rc, o, pct in _marts(
        superset.published, "SELECT unit_code, period, expected_reports, received_reports, on_time_reports, "
        "completeness_pct FROM marts.reporting_completeness")}
    assert len(rows) == len(want)
    assert got == want
    assert all(r["unit_name"] for r in rows)  # every unit named as it was in that period


def test_findings_chart_is_the_marts(superset: Server) -> None:
    rows = superset.chart_rows("findings")
    got = Counter((r["rule"], r["severity"], r["source_file"], r["source_cell"]) for r in rows)
    want = Counter(_marts(superset.published, "SELECT rule, severity, source_file, source_cell "
                                              "FROM marts.data_quality_findings"))
    assert got == want and len(rows) > 0


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])


def test_dashboard_screenshot_after_login(superset: Server) -> None:
    chromium = require_tool("chromium", "chromium-browser", "google-chrome")
    from tests.cdp import chromium_page

    session = requests.Session()
    html = session.get(f"{superset.url}/login/", timeout=30).text
    csrf = re.search(r'name="csrf_token"\s+id="csrf_token"\s+value="([^"]+)"', html).group(1)
    resp = session.post(f"{superset.url}/login/", allow_redirects=False, timeout=30,
                        data={"csrf_token": csrf, "username": "admin", "password": superset.password})
    assert resp.status_code == 302 and "session" in session.cookies
    out = ARTIFACTS / "superset_dashboard.png"
    with chromium_page(chromium, 1600, 2000) as page:
        for cookie in session.cookies:
            page.send("Network.setCookie", name=cookie.name, value=cookie.value, url=superset.url)
        page.send("Page.navigate", url=f"{superset.url}/superset/dashboard/{bi_superset.DASHBOARD_SLUG}/")
        rendered = ("Array.from(document.querySelectorAll('.dashboard-chart'))"
                    ".filter(c => c.querySelector('canvas, table')).length")
        page.wait_for(f"{rendered} >= 5 && document.querySelectorAll('.loading').length === 0", 120)
        time.sleep(3)  # the line chart's entry animation
        text = page.evaluate("document.body.innerText")
        page.screenshot(out)
    assert "Chỉ tiêu kinh tế – xã hội tỉnh Hà Tĩnh" in text
    for title in BUNDLE_TITLES.values():
        assert title in text
    assert "Unexpected error" not in text
    assert _png_size(out) == (1600, 2000)
    assert out.stat().st_size > 100_000, "a blank dashboard is about 35 KB"


def test_new_marts_show_without_restart(superset: Server) -> None:
    """A night publishes new marts (atomic rename, as chitieu/publish.py): the same server shows them."""
    pid = superset.proc.pid
    before = {r["year"]: r for r in superset.chart_rows("scorecard", force=False)}
    findings_before = len(superset.chart_rows("findings", force=False))
    tmp = superset.published.with_name(".warehouse.duckdb.next.tmp")
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{superset.published}' AS src (READ_ONLY)")
        con.execute(f"ATTACH '{tmp}' AS dst (STORAGE_VERSION 'v1.4.0')")
        con.execute("COPY FROM DATABASE src TO dst")
        con.execute("UPDATE dst.marts.scorecard SET targets_met = targets_met - 1, "
                    "targets_missed = targets_missed + 1 WHERE unit_code = '42' AND year = 2021")
        con.execute("INSERT INTO dst.marts.data_quality_findings (rule, severity, message, source_file) "
                    "VALUES ('not_a_number', 'error', 'a new night''s finding', 'Moi/BC.xlsx')")
    finally:
        con.close()
    os.replace(tmp, superset.published)
    after = {r["year"]: r for r in superset.chart_rows("scorecard", force=False)}
    assert after[2021]["targets_met"] == before[2021]["targets_met"] - 1 == 8
    assert after[2021]["targets_missed"] == before[2021]["targets_missed"] + 1
    assert after[2022] == before[2022]
    assert len(superset.chart_rows("findings", force=False)) == findings_before + 1
    assert superset.proc.poll() is None and superset.proc.pid == pid  # same server, no restart
