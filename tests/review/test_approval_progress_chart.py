"""The dashboard's "Tiến độ duyệt số liệu theo kỳ" (bi/superset/bundle), checked without booting
Superset: its dataset's SQL run with DuckDB on a published warehouse gives, by period, the share
of unit-periods whose figures are approved as marts.approval_status holds them, each period
written as the office writes it; its chart reads that dataset's columns and metrics; the
dashboard shows it out of every native filter's reach. The booted check of every chart is
tests/review/test_superset_dashboard.py's (-m superset)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from base.periods import period_from_code, period_label
from tests.review.bundle_charts import assert_chart_reads_its_dataset_unfiltered, bundle_yaml

pytestmark = pytest.mark.warehouse
_yaml = bundle_yaml


def test_the_chart_reads_its_dataset_and_sits_on_the_dashboard_unfiltered() -> None:
    assert_chart_reads_its_dataset_unfiltered("charts/approval_progress.yaml",
                                              "datasets/chitieu_warehouse/approval_progress_vi.yaml")


def _share_by_period(db: Path) -> tuple[dict[str, tuple], dict[str, tuple]]:
    """The chart's metrics by period from the dataset's SQL, and the same counted on the mart."""
    dataset = _yaml("datasets/chitieu_warehouse/approval_progress_vi.yaml")
    expression = {m["metric_name"]: m["expression"] for m in dataset["metrics"]}
    metrics = ", ".join(expression[name] for name in ("ty_le_da_duyet", "da_duyet", "don_vi_ky"))
    con = duckdb.connect(str(db), read_only=True)
    try:
        got = con.execute(f"SELECT ky_ma, any_value(ky), {metrics} FROM ({dataset['sql']}) "
                          "GROUP BY ky_ma").fetchall()
        want = con.execute("SELECT period, count(*) FILTER (WHERE approval_status = 'approved'), count(*) "
                           "FROM marts.approval_status GROUP BY period").fetchall()
    finally:
        con.close()
    return ({p: rest for p, *rest in got}, {p: (approved, total) for p, approved, total in want})


def test_the_dataset_gives_the_share_approved_by_period(built, tmp_path: Path) -> None:
    """On the sample, nothing approved; then one unit-period approved and one changed after its
    approval, by hand in a copy of the published marts: its period's share moves by the
    approved one alone, and no other period's."""
    settings, _ = built
    got, want = _share_by_period(settings.published_db)
    assert want and got.keys() == want.keys()
    for period, (label, share, approved, total) in got.items():
        assert label == period_label(period_from_code(period))  # "Quý IV/2024", "Năm 2024"
        assert (approved, total) == want[period] and share == 0.0, period
    copy = tmp_path / "published.duckdb"
    shutil.copy(settings.published_db, copy)
    con = duckdb.connect(str(copy))
    try:
        period, total = con.execute(
            "SELECT period, count(*) FROM marts.approval_status WHERE period_type = 'year' "
            "GROUP BY period ORDER BY count(*) DESC, period LIMIT 1").fetchone()
        con.execute("UPDATE marts.approval_status SET approval_status = 'approved' WHERE period = ? AND "
                    "unit_code = (SELECT min(unit_code) FROM marts.approval_status WHERE period = ?)",
                    [period, period])
        # changed after its approval: not approved, not counted
        con.execute("UPDATE marts.approval_status SET approval_status = 'changed_after_approval' WHERE "
                    "period = ? AND unit_code = (SELECT max(unit_code) FROM marts.approval_status WHERE "
                    "period = ?)", [period, period])
    finally:
        con.close()
    after, _ = _share_by_period(copy)
    assert tuple(after[period][2:]) == (1, total) and after[period][1] == pytest.approx(100 / total, abs=0.05)
    assert {p: v for p, v in after.items() if p != period} == {p: v for p, v in got.items() if p != period}
