"""Superset, really booted on a published warehouse: bundle imported, charts' numbers, freshness.

The server runs from `.superset-venv` (tools/bi_superset.py builds it from the locked
requirements if missing) on a copy of the sample's published file in a tmp folder, with its
own SUPERSET_HOME there; it is always stopped. Each chart's saved query is asked through the
REST API and compared with the marts read directly with DuckDB, and with the sample's
independent figures (the article's 9 of 17 targets in 2021, its 4.68 % poverty rate). New marts
published by atomic rename show on the next request without a restart. Select with
`-m superset`. The server is the review room's one Superset (tests/review/conftest.py),
shared with test_dashboard_reads_right.py.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import struct
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import duckdb
import pytest
import requests
import yaml

from base.fmt import STATUS_WORDS
from base.periods import period_from_code, period_label
from tests.conftest import PROJECT, require_tool
from tools import bi_superset

pytestmark = pytest.mark.superset
BOOT_LIMIT_S = 180
ARTIFACTS = PROJECT / "tests" / "artifacts"


@dataclass
class Server:
    url: str
    password: str
    published: Path
    home: Path
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

    def session(self) -> tuple[requests.Session, str]:
        """A logged-in API session and its CSRF token (what a POST from the browser carries)."""
        session = requests.Session()
        session.headers.update(self.token())
        csrf = session.get(f"{self.url}/api/v1/security/csrf_token/", timeout=30).json()["result"]
        session.headers.update({"X-CSRFToken": csrf, "Referer": self.url})
        return session, csrf

    def chart_rows_filtered(self, key: str, filters: dict[str, Any]) -> list[dict[str, Any]]:
        """A bundle chart's saved query with the dashboard's native filters applied as the
        dashboard applies them (column == value in place of the default unit filter)."""
        session, _ = self.session()
        chart_id = self.charts()[BUNDLE_TITLES[key]]
        chart = session.get(f"{self.url}/api/v1/chart/{chart_id}", timeout=30).json()["result"]
        context = json.loads(chart["query_context"])
        context["datasource"] = {"id": chart["datasource_id"], "type": "table"}
        query = context["queries"][0]
        query["filters"] = [f for f in query["filters"] if f["col"] not in filters and f["col"] != "don_vi"]
        query["filters"] += [{"col": col, "op": "==", "val": val} for col, val in filters.items()]
        context["force"] = True
        resp = session.post(f"{self.url}/api/v1/chart/data", json=context, timeout=60)
        assert resp.status_code == 200, resp.text[:2000]
        return resp.json()["result"][0]["data"]

    def sql_lab(self, sql: str) -> dict[str, Any]:
        """Run `sql` in SQL Lab as a logged-in user would (session, CSRF token), on the
        warehouse database as the bundle ships it; returns Superset's JSON answer."""
        session, _ = self.session()
        databases = session.get(f"{self.url}/api/v1/database/", timeout=30).json()["result"]
        database_id = next(d["id"] for d in databases
                           if d["database_name"] == bi_superset.DATABASE_NAME)
        resp = session.post(f"{self.url}/api/v1/sqllab/execute/", timeout=60,
                            json={"database_id": database_id, "sql": sql, "runAsync": False,
                                  "schema": "marts", "client_id": os.urandom(5).hex(),
                                  "tab": "test", "queryLimit": 100})
        return {"status_code": resp.status_code, **resp.json()}


BUNDLE_TITLES = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))["slice_name"]
                 for p in (bi_superset.BUNDLE / "charts").glob("*.yaml")}


def _marts(published: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(published), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_boots_and_imports_the_bundle_in_time(superset: Server) -> None:
    assert superset.boot_seconds < BOOT_LIMIT_S, f"booted in {superset.boot_seconds:.0f} s"
    assert set(superset.charts()) == set(BUNDLE_TITLES.values())
    assert len(BUNDLE_TITLES) == 9  # with the open findings (main, 066ca74) and the approval progress
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


def _rounded(value: float, decimals: int) -> float:
    """The catalogue's rounding (half away from zero), independent of the dataset's SQL."""
    sign = -1 if value < 0 else 1
    return sign * float(Decimal(str(abs(value))).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP))


def _vi_number(value: float) -> str:
    """A number as the dashboard shows it (D3 ',~f' in Superset's D3_FORMAT): 56.305, 0,5."""
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _current_values(published: Path, unit_name: str, year: str | None = None) -> dict[tuple[int, str], float]:
    """(year, indicator name) → value rounded to the indicator's decimals, from the marts."""
    rows = _marts(published, "SELECT v.period, v.indicator_name, v.value, i.decimals "
                  "FROM marts.indicator_values_current_units v "
                  "JOIN marts.dim_indicators i USING (indicator_code) "
                  "WHERE v.unit_name = ? AND v.period_type = 'year' AND v.value IS NOT NULL "
                  "AND (? IS NULL OR v.period = ?)", [unit_name, year, year])
    return {(int(p), name): _rounded(v, d) for p, name, v, d in rows}


REFORM_MARK = "Sắp xếp đơn vị hành chính 1/7/2025"


def test_trend_chart_is_the_marts_on_todays_units(superset: Server, expected_values) -> None:
    rows = superset.chart_rows("trend")
    days = {(dt.datetime.fromtimestamp(r["nam"] / 1000, dt.UTC).date(), r["chuoi"]): r["Giá trị"]
            for r in rows}
    got = {(d.year, name): v for (d, name), v in days.items() if name != REFORM_MARK}
    assert all(d.month == 1 and d.day == 1 for d, name in days if name != REFORM_MARK)
    assert [d for d, name in days if name == REFORM_MARK] == [dt.date(2025, 7, 1)]  # the reform marked
    want = _current_values(superset.published, "Tỉnh Hà Tĩnh")
    assert got == want  # each value rounded to its indicator's decimals
    assert got[(2021, "Tỷ lệ hộ nghèo")] == _rounded(expected_values[("42", "2021", "POVERTY_RATE")], 2)
    assert got[(2021, "Tỷ lệ hộ nghèo")] == 4.68  # the article


def test_target_attainment_chart_is_the_marts_in_vietnamese(superset: Server) -> None:
    rows = superset.chart_rows("target_attainment")
    got = {(r["year"], r["indicator_name"]): (r["actual"], r["loai_chi_tieu"], r["trang_thai"]) for r in rows}
    kinds = {"at_least": "Không thấp hơn", "at_most": "Không cao hơn", "range": "Trong khoảng",
             "change": "Mức tăng, giảm"}
    want = {(y, name): (None if a is None else _rounded(a, d), kinds[k], STATUS_WORDS["vi"][s])
            for y, name, a, d, k, s in _marts(
                superset.published,
                "SELECT t.year, i.indicator_name, t.actual, i.decimals, t.target_kind, t.status "
                "FROM marts.target_attainment t JOIN marts.dim_indicators i USING (indicator_code) "
                "WHERE t.unit_code = '42'")}
    assert got == want
    assert not any(key in r for r in rows for key in ("unit_code", "indicator_code", "status", "target_kind"))


def _period_code(first_day_ms: int, monthly: bool) -> str:
    """A heatmap's x value (the period's first day, epoch ms) as the marts' period code."""
    day = dt.datetime.fromtimestamp(first_day_ms / 1000, dt.UTC).date()
    return f"{day.year}-{day.month:02d}" if monthly else str(day.year)


def test_completeness_heatmap_is_the_marts(superset: Server) -> None:
    # months on one heatmap, years on another; each keyed by its period's first day
    months, years = superset.chart_rows("completeness"), superset.chart_rows("completeness_year")
    rows = months + years
    got = {(r["don_vi"], _period_code(r["ky"], monthly)): r["Tỷ lệ đầy đủ (%)"]
           for monthly, chart in ((True, months), (False, years)) for r in chart}
    marts = _marts(superset.published,
                   "SELECT c.unit_code, u.unit_name, u.valid_to, c.period, c.completeness_pct "
                   "FROM marts.reporting_completeness c JOIN marts.dim_periods p USING (period) "
                   "JOIN marts.dim_units u ON u.unit_code = c.unit_code "
                   "AND p.last_day BETWEEN u.valid_from AND u.valid_to")
    assert len(rows) == len(marts)
    # today's units by their names; a ceased unit (named with its last day) only in its periods
    today = {(name, period): pct for _, name, to, period, pct in marts if to == dt.date(9999, 12, 31)}
    assert today and all(got[key] == pct for key, pct in today.items())
    ceased = [(name, period) for name, period in got if "(đến 30/6/2025)" in name]
    assert ceased and all(period < "2025-07" for _, period in ceased)


def test_findings_chart_is_the_marts_in_vietnamese(superset: Server) -> None:
    rows = superset.chart_rows("findings")
    got = Counter((r["muc_do"], r["noi_dung"], r["source_file"], r["source_cell"]) for r in rows)
    titles = {rule: title for rule, title in _marts(superset.published,
                                                    "SELECT rule, title_vi FROM reference.finding_rules")}
    words = {"error": "Lỗi", "warning": "Cảnh báo"}
    want = Counter((words[sev], titles[rule], f, c) for rule, sev, f, c in _marts(
        superset.published,
        "SELECT rule, severity, source_file, source_cell FROM marts.data_quality_findings"))
    assert got == want and len(rows) > 0


def test_approval_progress_chart_is_the_marts(superset: Server) -> None:
    """By period, the share of unit-periods approved (marts.approval_status), each period written
    as the office writes it, the latest first."""
    rows = superset.chart_rows("approval_progress")
    got = {r["ky"]: (r["ty_le_da_duyet"], r["da_duyet"], r["don_vi_ky"]) for r in rows}  # saved metrics
    marts = _marts(superset.published,
                   "SELECT s.period, p.first_day, count(*) FILTER (WHERE s.approval_status = 'approved'), "
                   "count(*) FROM marts.approval_status s JOIN marts.dim_periods p USING (period) "
                   "GROUP BY ALL "
                   "ORDER BY p.first_day DESC")
    want = {period_label(period_from_code(period)): (approved, total) for period, _, approved, total in marts}
    assert {k: v[1:] for k, v in got.items()} == want and len(rows) == len(marts) > 0
    for _, (share, approved, total) in got.items():
        assert share == pytest.approx(100 * approved / total, abs=0.05)
    assert rows[0]["ky"] == period_label(period_from_code(marts[0][0]))  # the latest first


def _commune(published: Path) -> str:
    """A commune of today (from 1 July 2025) with yearly values: the first by name."""
    return _marts(published, "SELECT min(v.unit_name) FROM marts.indicator_values_current_units v "
                  "JOIN marts.dim_units u ON u.unit_code = v.unit_code AND u.valid_to = DATE '9999-12-31' "
                  "WHERE u.unit_level = 'commune' AND v.period = '2025' AND v.value IS NOT NULL")[0][0]


def test_unit_filter_shows_a_communes_numbers(superset: Server) -> None:
    """The dashboard's unit filter: a commune picked, its series and its values of a year are the marts'."""
    commune = _commune(superset.published)
    units_sql = yaml.safe_load((bi_superset.BUNDLE / "datasets" / "chitieu_warehouse" / "units_vi.yaml")
                               .read_text(encoding="utf-8"))["sql"]
    options = {r["don_vi"] for r in superset.sql_lab(
        f"SELECT don_vi FROM ({units_sql}) WHERE don_vi = '{commune}'")["data"]}
    assert commune in options  # the filter offers it under its Vietnamese name
    trend = superset.chart_rows_filtered("trend", {"don_vi": commune})
    got = {(dt.datetime.fromtimestamp(r["nam"] / 1000, dt.UTC).year, r["chuoi"]): r["Giá trị"]
           for r in trend if r["chuoi"] != REFORM_MARK}
    assert got == _current_values(superset.published, commune)
    values = superset.chart_rows_filtered("unit_values", {"don_vi": commune, "year": 2025})
    assert {(r["year"], r["indicator_name"]): r["value"] for r in values} == \
        _current_values(superset.published, commune, "2025")
    district = _marts(superset.published, "SELECT min(unit_name) || ' (đến 30/6/2025)' FROM marts.dim_units "
                      "WHERE unit_level = 'district'")[0][0]
    scorecard = superset.chart_rows_filtered("scorecard", {"don_vi": district, "year": 2021})
    assert [r["targets_total"] for r in scorecard] == [t for (t,) in _marts(
        superset.published,
        "SELECT s.targets_total FROM marts.scorecard s JOIN marts.dim_units u USING (unit_code) "
        "WHERE u.unit_name || ' (đến 30/6/2025)' = ? AND s.year = 2021", [district])]


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])


def _browser_session(superset: Server) -> requests.Session:
    session = requests.Session()
    html = session.get(f"{superset.url}/login/", timeout=30).text
    csrf = re.search(r'name="csrf_token"\s+id="csrf_token"\s+value="([^"]+)"', html).group(1)
    resp = session.post(f"{superset.url}/login/", allow_redirects=False, timeout=30,
                        data={"csrf_token": csrf, "username": "admin", "password": superset.password})
    assert resp.status_code == 302 and "session" in session.cookies
    return session


def _shoot(superset: Server, path: str, out: Path, charts: int) -> str:
    """Open `path` logged in, wait for `charts` rendered charts, screenshot; returns the page's text."""
    chromium = require_tool("chromium", "chromium-browser", "google-chrome")
    from tests.cdp import chromium_page

    session = _browser_session(superset)
    with chromium_page(chromium, 1600, 2000) as page:
        for cookie in session.cookies:
            page.send("Network.setCookie", name=cookie.name, value=cookie.value, url=superset.url)
        page.send("Page.navigate", url=f"{superset.url}{path}")
        rendered = ("Array.from(document.querySelectorAll('.dashboard-chart'))"
                    ".filter(c => c.querySelector('canvas, table')).length")
        page.wait_for(f"{rendered} >= {charts} && document.querySelectorAll('.loading').length === 0", 150)
        time.sleep(3)  # the line chart's entry animation
        text = page.evaluate("document.body.innerText")
        page.screenshot(out)
    return text


def test_dashboard_screenshot_after_login(superset: Server) -> None:
    out = ARTIFACTS / "superset_dashboard.png"
    text = _shoot(superset, f"/superset/dashboard/{bi_superset.DASHBOARD_SLUG}/", out, 4)
    assert "Chỉ tiêu kinh tế – xã hội tỉnh Hà Tĩnh" in text
    for title in BUNDLE_TITLES.values():
        assert title in text
    for name in ("Năm", "Đơn vị", "Tỉnh, huyện hoặc thời kỳ", "Chỉ tiêu"):  # the native filters
        assert name in text
    assert "Unexpected error" not in text
    assert _png_size(out) == (1600, 2000)
    assert out.stat().st_size > 100_000, "a blank dashboard is about 35 KB"


def test_dashboard_with_a_commune_picked_shows_its_numbers(superset: Server) -> None:
    """The analyst picks a commune and a year (a shared link with those filters): the table
    of the unit's values shows the marts' values, rounded and in Vietnamese number format."""
    commune = _commune(superset.published)
    mask = {"NATIVE_FILTER-chitieu-unit": {"don_vi": commune}, "NATIVE_FILTER-chitieu-year": {"year": 2025}}
    data_mask = {fid: {"id": fid, "extraFormData": {"filters": [{"col": col, "op": "IN", "val": [val]}]},
                       "filterState": {"value": [val], "label": str(val)}, "ownState": {}}
                 for fid, f in mask.items() for col, val in f.items()}
    session, _ = superset.session()
    resp = session.post(f"{superset.url}/api/v1/dashboard/{bi_superset.DASHBOARD_SLUG}/permalink", timeout=30,
                        json={"dataMask": data_mask, "activeTabs": [], "anchor": "", "urlParams": []})
    assert resp.status_code == 201, resp.text[:500]
    out = ARTIFACTS / "superset_dashboard_commune.png"
    # the scorecard and targets are the province's and districts': a commune has none ("No results")
    text = _shoot(superset, urlsplit(resp.json()["url"]).path, out, 3)
    assert commune in text
    want = _current_values(superset.published, commune, "2025")
    assert want
    for (_, name), value in want.items():
        assert re.search(re.escape(name) + r"\s+" + re.escape(_vi_number(value)) + r"\s", text), (name, value)
    assert "Unexpected error" not in text


def test_new_marts_show_without_restart(superset: Server) -> None:
    """A night publishes new marts (atomic rename, as chitieu/publish.py): the same server shows
    them. The room's server is shared: the first file is published back afterwards the same way."""
    pid = superset.proc.pid
    kept = superset.published.with_name(".warehouse.duckdb.kept")
    shutil.copy2(superset.published, kept)
    try:
        _publish_a_changed_night(superset, pid)
    finally:
        os.replace(kept, superset.published)


def _publish_a_changed_night(superset: Server, pid: int) -> None:
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


def test_sql_lab_cannot_touch_a_file_outside_the_warehouse(superset: Server) -> None:
    """Issue 19: through SQL Lab (allow_dml off, as shipped) a user read /etc/passwd and
    Superset's secret key, wrote files with COPY, attached and overwrote the published file.
    Each is refused by DuckDB itself (external access off, configuration locked); a mart query
    still answers."""
    database = yaml.safe_load((bi_superset.BUNDLE / "databases" / "chitieu_warehouse.yaml")
                              .read_text(encoding="utf-8"))
    assert database["allow_dml"] is False  # the database as shipped
    target = superset.published.parent / "written_by_sql_lab.csv"
    secret = superset.home / "secret_key"
    published_bytes = superset.published.read_bytes()
    hostile = {
        "read /etc/passwd": "SELECT * FROM read_csv('/etc/passwd')",
        "read_text /etc/passwd": "SELECT content FROM read_text('/etc/passwd')",
        "read the secret key": f"SELECT content FROM read_text('{secret}')",
        "read the admin password": f"SELECT * FROM read_csv('{superset.home / 'admin_password'}')",
        "glob": "SELECT * FROM glob('/etc/*')",
        "COPY TO a file": f"COPY (SELECT 1 AS a) TO '{target}'",
        "COPY over the published file": f"COPY (SELECT 1 AS a) TO '{superset.published}'",
        "ATTACH another file": f"ATTACH '{superset.published.parent / 'other.duckdb'}' AS other",
        "re-enable external access": "SET enable_external_access = true",
        "unlock the configuration": "SET lock_configuration = false",
        "reset the lock": "RESET lock_configuration",
        "widen allowed directories": "SET allowed_directories = ['/']",
        "install an extension": "INSTALL httpfs",
    }
    for what, sql in hostile.items():
        answer = superset.sql_lab(sql)
        assert answer["status_code"] >= 400, f"{what} was allowed: {str(answer)[:300]}"
        refused_by = str(answer.get("errors"))  # DuckDB's own refusal, not some other error
        assert "disabled by configuration" in refused_by or "configuration has been locked" in refused_by, \
            f"{what}: {refused_by[:300]}"
        assert "root:" not in str(answer), what
        assert secret.read_text(encoding="utf-8").strip() not in str(answer), what
    assert not target.exists() and not (superset.published.parent / "other.duckdb").exists()
    assert superset.published.read_bytes() == published_bytes
    answer = superset.sql_lab("SELECT current_setting('enable_external_access') AS external, "
                              "current_setting('lock_configuration') AS locked")
    assert answer["status_code"] == 200 and answer["data"] == [{"external": False, "locked": True}]
    answer = superset.sql_lab("SELECT targets_met FROM marts.scorecard "
                              "WHERE unit_code = '42' AND year = 2021")
    assert answer["status_code"] == 200, str(answer)[:500]
    assert answer["data"] == [{"targets_met": n} for (n,) in _marts(
        superset.published, "SELECT targets_met FROM marts.scorecard WHERE unit_code = '42' AND year = 2021")]


def test_editing_the_warehouse_uri_cannot_switch_file_access_back_on(superset: Server) -> None:
    """Issue 25, item 6: an admin edits the warehouse database's URI (PUT answers 200) with
    DuckDB settings in its query string; DuckDB's driver let those win over the lock-down
    (access_mode=read_only&enable_external_access=true read /etc/passwd). The lock-down holds
    whatever the URI says: each edited URI is saved, and SQL Lab still refuses every file."""
    session, _ = superset.session()
    databases = session.get(f"{superset.url}/api/v1/database/", timeout=30).json()["result"]
    database_id = next(d["id"] for d in databases if d["database_name"] == bi_superset.DATABASE_NAME)
    shipped = session.get(f"{superset.url}/api/v1/database/{database_id}/connection",
                          timeout=30).json()["result"]["sqlalchemy_uri"]
    base = shipped.split("?", 1)[0]
    edits = ["?access_mode=read_only&enable_external_access=true",
             "?enable_external_access=true&lock_configuration=false",
             "?access_mode=read_write&allowed_directories=/",
             "?enable_external_access=1&allow_unsigned_extensions=true"]
    secret = superset.home / "secret_key"
    published_bytes = superset.published.read_bytes()
    try:
        for edit in edits:
            resp = session.put(f"{superset.url}/api/v1/database/{database_id}", timeout=60,
                               json={"sqlalchemy_uri": base + edit})
            assert resp.status_code == 200, resp.text[:500]
            saved = session.get(f"{superset.url}/api/v1/database/{database_id}/connection",
                                timeout=30).json()["result"]["sqlalchemy_uri"]
            # the edit took (Superset saves '/' as %2F and may reorder the query's parameters)
            got, want = urlsplit(unquote(saved)), urlsplit(base + edit)
            assert (got.path, sorted(parse_qsl(got.query))) == (want.path, sorted(parse_qsl(want.query)))
            for sql in ("SELECT * FROM read_csv('/etc/passwd')",
                        "SELECT content FROM read_text('/etc/passwd')",
                        f"SELECT content FROM read_text('{secret}')",
                        f"COPY (SELECT 1 AS a) TO '{superset.published.parent / 'w.csv'}'"):
                answer = superset.sql_lab(sql)
                assert answer["status_code"] >= 400, f"{edit}: {sql} was allowed: {str(answer)[:300]}"
                assert "root:" not in str(answer)
                assert secret.read_text(encoding="utf-8").strip() not in str(answer)
            answer = superset.sql_lab("SELECT current_setting('enable_external_access') AS external, "
                                      "current_setting('lock_configuration') AS locked, "
                                      "current_setting('access_mode') AS mode")
            assert answer["status_code"] == 200, str(answer)[:500]
            assert answer["data"] == [{"external": False, "locked": True, "mode": "read_only"}], edit
        assert not (superset.published.parent / "w.csv").exists()
        assert superset.published.read_bytes() == published_bytes
    finally:
        session.put(f"{superset.url}/api/v1/database/{database_id}", timeout=60,
                    json={"sqlalchemy_uri": shipped})
