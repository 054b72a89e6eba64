"""Checks of a chart of the Superset bundle (bi/superset/bundle) without booting Superset, shared
by the tests of the charts that must stay outside the dashboard's native filters."""

from __future__ import annotations

import json

import yaml

from tools import bi_superset

BUNDLE = bi_superset.BUNDLE


def bundle_yaml(path: str) -> dict:
    """A file of the bundle, parsed."""
    return yaml.safe_load((BUNDLE / path).read_text(encoding="utf-8"))


def assert_chart_reads_its_dataset_unfiltered(chart_path: str, dataset_path: str) -> tuple[dict, dict]:
    """The chart reads its dataset's columns and metrics, sits once on the dashboard in a row of
    its grid, and every native filter leaves it out (those filters are for other datasets).
    Returns the chart and the dataset, for a test's own further checks."""
    chart, dataset = bundle_yaml(chart_path), bundle_yaml(dataset_path)
    assert chart["dataset_uuid"] == dataset["uuid"]
    columns = {c["column_name"] for c in dataset["columns"]}
    query = json.loads(chart["query_context"])["queries"][0]
    assert set(chart["params"]["groupby"]) == set(query["columns"]) <= columns
    assert chart["params"]["metrics"] == query["metrics"]
    assert set(query["metrics"]) == {m["metric_name"] for m in dataset["metrics"]}
    dashboard = bundle_yaml("dashboards/chitieu.yaml")
    (placed,) = [v for v in dashboard["position"].values()
                 if isinstance(v, dict) and v.get("meta", {}).get("uuid") == chart["uuid"]]
    assert placed["meta"]["sliceName"] == chart["slice_name"]
    assert placed["parents"][-1] in dashboard["position"]["GRID_ID"]["children"]
    chart_id = placed["meta"]["chartId"]
    ids = [v["meta"]["chartId"] for v in dashboard["position"].values()
           if isinstance(v, dict) and v.get("type") == "CHART"]
    assert ids.count(chart_id) == 1
    for native in dashboard["metadata"]["native_filter_configuration"]:
        assert chart_id in native["scope"]["excluded"], native["name"]
        assert chart_id not in native["chartsInScope"], native["name"]
    return chart, dataset
