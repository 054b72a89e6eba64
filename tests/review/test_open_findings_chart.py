"""The dashboard's "Phát hiện chưa đóng theo đơn vị và thời gian" (bi/superset/bundle), checked
without booting Superset: its dataset's SQL run with DuckDB on the sample's published
warehouse counts what marts.finding_follow_up holds open or answered, by unit and age band,
in Vietnamese; its chart reads that dataset's columns and metric; the dashboard shows it, out
of every native filter's reach (the year, unit and indicator filters are for other datasets).
The booted checks of every chart are tests/review/test_superset_dashboard.py's (-m superset)."""

from __future__ import annotations

import duckdb
import pytest

from tests.review.bundle_charts import assert_chart_reads_its_dataset_unfiltered, bundle_yaml

pytestmark = pytest.mark.warehouse
_yaml = bundle_yaml


def test_the_chart_reads_its_dataset_and_sits_on_the_dashboard_unfiltered() -> None:
    chart, dataset = assert_chart_reads_its_dataset_unfiltered(
        "charts/open_findings.yaml", "datasets/chitieu_warehouse/open_findings_vi.yaml")
    assert chart["params"]["metrics"] == [m["metric_name"] for m in dataset["metrics"]]


def test_the_dataset_counts_the_marts_open_findings_by_unit_and_age(built) -> None:
    settings, _ = built
    dataset = _yaml("datasets/chitieu_warehouse/open_findings_vi.yaml")
    con = duckdb.connect(str(settings.published_db), read_only=True)
    try:
        sql = f"SELECT don_vi, tinh_trang, nhom_tuoi, so_ngay FROM ({dataset['sql']})"
        rows = con.execute(sql).fetchall()
        want = con.execute("SELECT f.unit_code, f.age_days FROM marts.finding_follow_up f "
                           "WHERE f.status IN ('open', 'answered')").fetchall()
        names = dict(con.execute("SELECT unit_code, arg_max(unit_name, valid_to) FROM marts.dim_units "
                                 "GROUP BY unit_code").fetchall())
    finally:
        con.close()
    assert want, "the sample has findings to follow up"
    assert sorted((d, n) for d, _, _, n in rows) == sorted((f"{names[u]} ({u})", a) for u, a in want)
    bands = {"1. Đến 7 ngày": (0, 7), "2. 8–30 ngày": (8, 30), "3. 31–90 ngày": (31, 90),
             "4. Trên 90 ngày": (91, 10**6)}
    for _, status, band, days in rows:
        assert status in {"Chưa trả lời", "Chờ người duyệt chấp nhận"}
        low, high = bands[band]
        assert low <= days <= high, (band, days)
