"""Acceptance tests of outliers and computed rates out of range (docs/spec/indicators.md,
"Validation rules"), written from the spec alone, every expected answer computed by hand.

Outliers as DHIS2 finds them: modified z-score = 0.6745 * (x - median) / MAD over the unit's own
history of that element and period type (at least 6 earlier values), threshold 3.5; small counts
(under 10) and a flow falling to 0 are not outliers by themselves.

One build, as of 2026-11-28, monthly reports of 2026 from post-reform communes (directly under 42):
- Phường Thành Sen 18073, PARTY_NEW_MEMBERS (a flow) months 1..8: 20 22 19 21 20 18, 200, 21.
  History before July (6 values) sorted 18 19 20 20 21 22: median 20; deviations 0 2 1 1 0 2,
  sorted 0 0 1 1 2 2: MAD 1; July: 0.6745 * (200 - 20) / 1 = 121.4 > 3.5 -> outlier.
  August: history 18 19 20 20 21 22 200, median 20, deviations 0 0 1 1 2 2 180, MAD 1;
  0.6745 * (21 - 20) / 1 = 0.67 -> not an outlier.
- Phường Trần Phú 18100, PARTY_NEW_MEMBERS months 1..7: 20 22 19 21 20 18, then 0. The z-score
  is 0.6745 * 20 / 1 = 13.5, but a flow falling to 0 is not an outlier.
- Xã Sơn Hồng 18160, HOUSES_BUILT months 1..7: 1 2 1 3 2 1, then 9. Sorted 1 1 1 2 2 3: median
  1.5; deviations 0.5 0.5 0.5 1.5 0.5 0.5, MAD 0.5; 0.6745 * 7.5 / 0.5 = 10.1, but 9 is a small
  count (under 10): not an outlier.
- Xã Đức Thọ 18229, PARTY_NEW_MEMBERS months 1..6: 20 22 19 21 20, then 200: only 5 earlier
  values, no z-score (and seeds/minmax_bands.csv sets no band): not an outlier.
- Xã Nghi Xuân 18352, March 2026: HH_TOTAL 100, HH_POOR 150 -> POVERTY_RATE = 100 * 150 / 100
  = 150 > 100, outside its valid range 0..100 -> an indicator_out_of_range finding.

Independent suite: written from the issue and the spec without reading the implementation, and
kept so: change it from the spec, never to fit the code.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.inboxes import Build, build, deliver, report_by_code

pytestmark = pytest.mark.warehouse

AS_OF = "2026-11-28"
NAMES = {"HH_TOTAL": ("Tổng số hộ dân cư", "hộ"), "HH_POOR": ("Số hộ nghèo", "hộ"),
         "HOUSES_BUILT": ("Số nhà ở kiên cố được xây dựng", "nhà"),
         "PARTY_NEW_MEMBERS": ("Số đảng viên mới kết nạp", "người")}

SPIKE, TO_ZERO, SMALL, SHORT, RATE = "18073", "18100", "18160", "18229", "18352"
SERIES = {
    SPIKE: ("PARTY_NEW_MEMBERS", [20, 22, 19, 21, 20, 18, 200, 21]),
    TO_ZERO: ("PARTY_NEW_MEMBERS", [20, 22, 19, 21, 20, 18, 0]),
    SMALL: ("HOUSES_BUILT", [1, 2, 1, 3, 2, 1, 9]),
    SHORT: ("PARTY_NEW_MEMBERS", [20, 22, 19, 21, 20, 200]),
}


def send(inbox: Path, name: str, unit: str, period: str, when: datetime, **values: float) -> None:
    deliver(inbox, name, [report_by_code(unit, period, values, NAMES)], when)


@pytest.fixture(scope="module")
def outliers(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("shapes_outliers")
    inbox = root / "inbox"
    inbox.mkdir()
    for unit, (element, values) in SERIES.items():
        for m, v in enumerate(values, start=1):
            send(inbox, f"BC {unit} T{m}-2026", unit, f"Tháng {m}/2026", datetime(2026, m + 1, 3),
                 **{element: v})
    send(inbox, f"BC {RATE} T3-2026", RATE, "Tháng 3/2026", datetime(2026, 4, 3), HH_TOTAL=100, HH_POOR=150)
    return build(root, inbox, env={"CHITIEU_AS_OF_DATE": AS_OF})


def findings(con, rule: str, unit: str, indicator: str) -> dict[str, object]:
    """period -> observed, for one rule, unit and indicator (one finding a period)."""
    rows = con.execute("SELECT period, observed FROM marts.data_quality_findings WHERE rule = ? "
                       "AND unit_code = ? AND indicator_code = ? ORDER BY period",
                       [rule, unit, indicator]).fetchall()
    periods = [p for p, _ in rows]
    assert len(periods) == len(set(periods)), f"{rule} {unit} {indicator}: a period twice: {rows}"
    return dict(rows)


def test_the_build_publishes(outliers: Build) -> None:
    assert outliers.error is None, outliers.error


def test_a_spike_after_six_values_is_an_outlier(outliers: Build) -> None:
    con = outliers.con()
    # July's 200 (z = 121.4), and not August's 21 (z = 0.67) nor any earlier month
    # (months 1..6 have fewer than 6 earlier values)
    found = findings(con, "outlier", SPIKE, "PARTY_NEW_MEMBERS")
    assert set(found) == {"2026-07"}
    assert float(found["2026-07"]) == 200.0


def test_a_flow_falling_to_zero_is_not_an_outlier(outliers: Build) -> None:
    con = outliers.con()
    assert findings(con, "outlier", TO_ZERO, "PARTY_NEW_MEMBERS") == {}


def test_a_small_count_is_not_an_outlier(outliers: Build) -> None:
    con = outliers.con()
    assert findings(con, "outlier", SMALL, "HOUSES_BUILT") == {}


def test_fewer_than_six_earlier_values_give_no_z_score(outliers: Build) -> None:
    con = outliers.con()
    assert findings(con, "outlier", SHORT, "PARTY_NEW_MEMBERS") == {}


def test_a_rate_over_100_is_flagged_where_it_is_published(outliers: Build) -> None:
    con = outliers.con()
    # 100 * 150 / 100 = 150 % for Xã Nghi Xuân in March 2026
    found = findings(con, "indicator_out_of_range", RATE, "POVERTY_RATE")
    assert "2026-03" in found, found
    assert float(found["2026-03"]) == pytest.approx(150.0)
    # nowhere else: the other communes report no households
    others = con.execute("SELECT DISTINCT unit_code FROM marts.data_quality_findings "
                         "WHERE rule = 'indicator_out_of_range' AND indicator_code = 'POVERTY_RATE' "
                         "AND unit_code NOT IN (?, '42')", [RATE]).fetchall()
    assert others == []
