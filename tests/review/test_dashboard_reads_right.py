"""The dashboard as the analyst reads it (issue 27): no traps in the filters, labels that fit,
Vietnamese numbers, blank for nothing, a reason where a chart would be empty.

One Superset for the review room (tests/review/conftest.py, package-scoped, on a free port,
shared with test_superset_dashboard.py), one headless Chromium page: the dashboard opened with
a commune picked. What is drawn on the charts' canvases is read by wrapping
CanvasRenderingContext2D.fillText before the page loads (each label's text and where it lands);
the tables by the page's text, which leaves out what CSS hides; the filters by Superset's API
and by typing into them. The screenshot is written to docs/img/superset_dashboard_commune.png
for people to look at. Select with `-m superset`.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from tests.conftest import PROJECT, require_tool
from tests.review import test_superset_dashboard as booted
from tests.review.test_superset_dashboard import (
    ARTIFACTS,
    Server,
    _browser_session,
    _commune,
    _marts,
    _vi_number,
)
from tools import bi_superset

pytestmark = pytest.mark.superset
NO_TARGETS = "Đơn vị này không có chỉ tiêu kế hoạch"
DOCS_SHOT = PROJECT / "docs" / "img" / "superset_dashboard_commune.png"

# Every fillText on every canvas, with where its box lands in the canvas' own pixels.
RECORD_CANVAS_TEXT = """
window.__drawn = [];
const fill = CanvasRenderingContext2D.prototype.fillText;
CanvasRenderingContext2D.prototype.fillText = function (text, x, y, ...rest) {
  try {
    const w = this.measureText(String(text)).width, a = this.textAlign;
    const left = (a === 'right' || a === 'end') ? x - w : (a === 'center' ? x - w / 2 : x);
    const m = this.getTransform();
    const chart = this.canvas.closest('.dashboard-chart, .chart-container, [data-test-chart-name]');
    window.__drawn.push({text: String(text), left: m.a * left + m.e, right: m.a * (left + w) + m.e,
                         y: m.d * y + m.f, canvasWidth: this.canvas.width,
                         slice: chart ? (chart.closest('[data-test-chart-name]') || chart)
                           .getAttribute('data-test-chart-name') : null});
  } catch (e) { /* never break the page */ }
  return fill.call(this, text, x, y, ...rest);
};
"""


def _filters(superset: Server) -> dict[str, dict[str, Any]]:
    """The dashboard's native filters as Superset serves them, by name."""
    resp = requests.get(f"{superset.url}/api/v1/dashboard/{bi_superset.DASHBOARD_SLUG}",
                        headers=superset.token(), timeout=30)
    resp.raise_for_status()
    metadata = json.loads(resp.json()["result"]["json_metadata"])
    return {f["name"]: f for f in metadata["native_filter_configuration"]}


def test_select_filters_offer_only_the_list(superset: Server) -> None:
    """Superset 6's select filter allows new values unless `creatable` is false (its default
    is true): a typed name became a value and every chart went empty."""
    filters = _filters(superset)
    assert {"Năm", "Đơn vị", "Tỉnh, huyện hoặc thời kỳ", "Chỉ tiêu"} <= set(filters)
    for name, f in filters.items():
        assert f["controlValues"].get("creatable") is False, name


def test_trend_shows_one_indicator_at_a_time(superset: Server) -> None:
    """A rate and a count on one axis flattened the rate to 0: the indicator filter takes one
    indicator, so the trend's series share one unit of measure."""
    assert _filters(superset)["Chỉ tiêu"]["controlValues"]["multiSelect"] is False
    rows = superset.chart_rows_filtered("trend", {"indicator_name": "Tỷ lệ hộ nghèo",
                                                  "don_vi": "Tỉnh Hà Tĩnh"})
    assert rows and {r["chuoi"] for r in rows} == {"Tỷ lệ hộ nghèo", "Sắp xếp đơn vị hành chính 1/7/2025"}


def test_findings_numbers_are_vietnamese_and_nothing_is_blank(superset: Server) -> None:
    rows = superset.chart_rows("findings")
    raw = {(r[0], r[1], r[2]): r[3] for r in _marts(
        superset.published,
        "SELECT source_file, source_sheet, source_cell, observed FROM marts.data_quality_findings")}
    numeric = [r for r in rows if re.fullmatch(r"-?[\d.]+(,\d+)?", r["observed"] or "")]
    assert numeric, "the sample has findings on numbers"
    for r in rows:
        observed = r["observed"]
        assert observed is None or not re.fullmatch(r"-?\d+\.0+", observed), observed  # never "89.0"
        source = raw.get((r["source_file"], r["source_sheet"], r["source_cell"]))
        try:
            number = float(source)
        except (TypeError, ValueError):
            continue
        want = _vi_number(number)
        assert observed == want, (source, observed)
    if any(abs(float(v)) >= 1000 for v in raw.values() if re.fullmatch(r"-?[\d.]+", v or "")):
        assert any(re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", r["observed"]) for r in numeric)


def test_a_commune_gets_a_reason_where_targets_would_be(superset: Server) -> None:
    commune = _commune(superset.published)
    for key, column in (("scorecard", "ghi_chu"), ("target_attainment", "indicator_name")):
        rows = superset.chart_rows_filtered(key, {"don_vi": commune, "year": 2025})
        assert [r[column] for r in rows] and all(NO_TARGETS in r[column] for r in rows), (key, rows)
        province = superset.chart_rows_filtered(key, {"don_vi": "Tỉnh Hà Tĩnh", "year": 2021})
        assert province and not any(NO_TARGETS in str(r.get(column)) for r in province), key


def _permalink(superset: Server, commune: str) -> str:
    mask = {"NATIVE_FILTER-chitieu-unit": {"don_vi": commune}}  # every year: the heatmaps span years
    data_mask = {fid: {"id": fid, "extraFormData": {"filters": [{"col": col, "op": "IN", "val": [val]}]},
                       "filterState": {"value": [val], "label": str(val)}, "ownState": {}}
                 for fid, f in mask.items() for col, val in f.items()}
    session, _ = superset.session()
    resp = session.post(f"{superset.url}/api/v1/dashboard/{bi_superset.DASHBOARD_SLUG}/permalink", timeout=30,
                        json={"dataMask": data_mask, "activeTabs": [], "anchor": "", "urlParams": []})
    assert resp.status_code == 201, resp.text[:500]
    return urlsplit(resp.json()["url"]).path


UNIT_SELECT = """(() => {
  let box = document.getElementById('filter-name-NATIVE_FILTER-chitieu-unit');
  while (box && !box.querySelector('.ant-select')) box = box.parentElement;
  return box ? box.querySelector('.ant-select') : null;
})()"""


class _Page:
    """The logged-in dashboard page, with a commune picked."""

    def __init__(self, page: Any) -> None:
        self.page = page

    def js(self, expression: str) -> Any:
        return self.page.evaluate(expression)

    def type_in_unit_filter(self, text: str) -> list[str]:
        """Open the Đơn vị select, type `text`; returns the options it then offers."""
        self.js(f"(() => {{ const s = {UNIT_SELECT}; s.querySelector('.ant-select-selector')"
                ".dispatchEvent(new MouseEvent('mousedown', {bubbles: true})); "
                "s.querySelector('input').focus(); })()")
        self.page.send("Input.insertText", text=text)
        time.sleep(2)
        return self.js("Array.from(document.querySelectorAll("
                       "'.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option'))"
                       ".map(o => o.innerText.trim())")

    def press(self, key: str, code: int) -> None:
        for kind in ("keyDown", "keyUp"):
            self.page.send("Input.dispatchKeyEvent", type=kind, key=key, code=key, windowsVirtualKeyCode=code)


@pytest.fixture(scope="module")
def commune_page(superset: Server) -> dict[str, Any]:
    """Open the dashboard with a commune picked; read it; try the unit filter."""
    chromium = require_tool("chromium", "chromium-browser", "google-chrome")
    from tests.cdp import chromium_page

    commune = _commune(superset.published)
    path = _permalink(superset, commune)
    session = _browser_session(superset)
    seen: dict[str, Any] = {"commune": commune}
    with chromium_page(chromium, 1600, 3400) as raw:
        page = _Page(raw)
        raw.send("Page.addScriptToEvaluateOnNewDocument", source=RECORD_CANVAS_TEXT)
        for cookie in session.cookies:
            raw.send("Network.setCookie", name=cookie.name, value=cookie.value, url=superset.url)
        raw.send("Page.navigate", url=f"{superset.url}{path}")
        rendered = ("Array.from(document.querySelectorAll('.dashboard-chart'))"
                    ".filter(c => c.querySelector('canvas, table')).length")
        raw.wait_for(f"{rendered} >= 7 && document.querySelectorAll('.loading').length === 0", 180)
        time.sleep(4)  # the charts' entry animations
        seen["text"] = page.js("document.body.innerText")
        seen["drawn"] = page.js("window.__drawn")
        DOCS_SHOT.parent.mkdir(parents=True, exist_ok=True)
        raw.screenshot(DOCS_SHOT)
        # a name typed that is not in the list: nothing to pick, Enter changes nothing
        seen["typed_options"] = page.type_in_unit_filter("Xã Không Có Thật")
        page.press("Enter", 13)
        time.sleep(2)
        page.press("Escape", 27)
        page.js("document.activeElement && document.activeElement.blur()")
        time.sleep(2)
        seen["after_enter"] = page.js(f"{UNIT_SELECT}.innerText")  # what the filter now shows
        # ceased units: the whole label readable in the list
        seen["ceased_options"] = page.type_in_unit_filter("(đến 30/6/2025)")
        seen["cut_options"] = page.js(
            "Array.from(document.querySelectorAll('.ant-select-dropdown:not(.ant-select-dropdown-hidden)"
            " .ant-select-item-option-content')).filter(e => e.scrollWidth > e.clientWidth + 1)"
            ".map(e => e.innerText)")
        raw.screenshot(ARTIFACTS / "superset_unit_filter_open.png")
    return seen


def test_typed_name_is_not_a_value(commune_page: dict[str, Any]) -> None:
    assert "Xã Không Có Thật" not in commune_page["typed_options"]
    assert commune_page["commune"] in commune_page["after_enter"]
    assert "Xã Không Có Thật" not in commune_page["after_enter"]


def test_ceased_units_are_readable_in_the_list(commune_page: dict[str, Any]) -> None:
    options = commune_page["ceased_options"]
    assert options and all(o.endswith("(đến 30/6/2025)") for o in options), options[:5]
    assert commune_page["cut_options"] == []


def test_commune_dashboard_says_why_and_shows_no_na(commune_page: dict[str, Any]) -> None:
    text = commune_page["text"]
    assert commune_page["commune"] in text
    assert "No results were returned" not in text
    assert text.count(NO_TARGETS) >= 2  # the scorecard and the targets table say why
    assert not re.search(r"(^|\s)N/A(\s|$)", text)
    assert "Unexpected error" not in text


HEATMAPS = {"completeness": (r"Tháng (\d{1,2})/(\d{4})", lambda m: (int(m[2]), int(m[1]))),
            "completeness_year": (r"Năm (\d{4})", lambda m: (int(m[1]), 0))}


@pytest.mark.parametrize("key", sorted(HEATMAPS))
def test_heatmap_labels_fit_and_read_in_order(superset: Server, commune_page: dict[str, Any],
                                              key: str) -> None:
    """Unit names whole (not "ường Trung Lương"), A→Z from the top; periods written as the
    office writes them ("Tháng 1/2025", "Năm 2025"), in time order from the left."""
    title = booted.BUNDLE_TITLES[key]
    # ECharts redraws the whole canvas on each frame and resize: each label's last drawing
    drawn = list({d["text"]: d for d in commune_page["drawn"] if d["slice"] == title}.values())
    assert drawn, f"nothing drawn on {title}'s canvas"
    units = {r["don_vi"] for r in superset.chart_rows(key)}
    labels = [d for d in drawn if d["text"] in units]
    assert len(labels) >= 5, "the heatmap's unit labels are drawn on its canvas"
    clipped = [d for d in labels if d["left"] < 0 or d["right"] > d["canvasWidth"]]
    assert clipped == []
    top_down = [_vi_key(d["text"]) for d in sorted(labels, key=lambda d: d["y"])]
    assert top_down == sorted(top_down)
    pattern, when = HEATMAPS[key]
    periods = [(d["left"], re.fullmatch(pattern, d["text"])) for d in drawn]
    in_order = [when(m) for _, m in sorted(periods, key=lambda p: p[0]) if m]
    assert len(in_order) >= 3 and len({y for y, _ in in_order}) >= 2, in_order
    assert in_order == sorted(in_order)
    assert not [d["text"] for d in drawn if re.fullmatch(r"\d{4}-\d{2}", d["text"])]  # no "2025-01"


def _vi_key(name: str) -> str:
    import unicodedata

    """Vietnamese alphabetical order, enough to tell A→Z from Z→A (marks ignored, đ as d)."""
    bare = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    return bare.replace("đ", "d").replace("Đ", "D").casefold()


def test_docs_screenshot_is_fresh(commune_page: dict[str, Any]) -> None:
    assert DOCS_SHOT.stat().st_size > 100_000 and time.time() - DOCS_SHOT.stat().st_mtime < 3600
    assert Path(DOCS_SHOT).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
