"""Acceptance tests of who reports what ("reported by", reported totals, NTM_COMMUNE_RATE over xã
only; docs/spec/indicators.md and spreadsheets.md), written from the spec alone.

One build, annual reports of 2022:
- (a) Thành phố Hà Tĩnh 436, which has 12 phường and 15 xã in the unit list in 2022:
  Phường Nam Hà 18073 reports NTM_STATUS "Đạt" (a ward: the element is xã only),
  Xã Thạch Bình 18112 reports "Đạt", Xã Thạch Hải 18571 reports "Chưa đạt".
- (b) Huyện Thạch Hà 445: Xã Tân Lộc 18409 and Xã Hồng Lộc 18412 report HH_TOTAL and HH_POOR;
  the district sends its own report with HH_TOTAL (equal to its communes' sum), HH_POOR
  (different), HH_NEAR_POOR (no commune reported it) and BUDGET_REVENUE (its own element).

Independent suite: written from the issue and the spec without reading the implementation, and
kept so: change it from the spec, never to fit the code.
"""

from __future__ import annotations

import csv
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest

from tests.inboxes import Build, build, deliver, mentions, one, report_by_code, rows_of, value

pytestmark = pytest.mark.warehouse

PROJECT = Path(__file__).resolve().parents[2]
SEEDS = PROJECT / "dbt_project" / "seeds"

NAMES = {"HH_TOTAL": ("Tổng số hộ dân cư", "hộ"), "HH_POOR": ("Số hộ nghèo", "hộ"),
         "HH_NEAR_POOR": ("Số hộ cận nghèo", "hộ"), "NTM_STATUS": ("Đạt chuẩn nông thôn mới", "xã"),
         "BUDGET_REVENUE": ("Thu ngân sách trên địa bàn", "tỷ đồng")}

CITY, WARD, XA_YES, XA_NO = "436", "18073", "18112", "18571"
DISTRICT, TAN_LOC, HONG_LOC = "445", "18409", "18412"
XA_OF_CITY = 15  # the xã of 436 valid in 2022 (18112, 18571, 18595, ..., 18691); its 12 phường do not count
XA_OF_PROVINCE = 170  # every xã (unit_type Xã) of the pre-reform list valid on 2022-12-31


def send(inbox: Path, name: str, unit: str, when: datetime, **values: object) -> None:
    deliver(inbox, name, [report_by_code(unit, "Năm 2022", values, NAMES)], when)


def xa_count(parent: str | None) -> int:
    with open(SEEDS / "admin_units.csv", encoding="utf-8", newline="") as fh:
        units = list(csv.DictReader(fh))
    return sum(1 for u in units if u["unit_type"] == "Xã" and u["valid_from"] <= "2022-12-31" <= u["valid_to"]
               and (parent is None or u["parent_code"] == parent))


@pytest.fixture(scope="module")
def levels(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("shapes_levels")
    inbox = root / "inbox"
    inbox.mkdir()
    # (a)
    send(inbox, "nam ha 2022", WARD, datetime(2023, 1, 10), HH_TOTAL=2100, HH_POOR=70, NTM_STATUS="Đạt")
    send(inbox, "thach binh 2022", XA_YES, datetime(2023, 1, 10, 1), HH_TOTAL=900, HH_POOR=45,
         NTM_STATUS="Đạt")
    send(inbox, "thach hai 2022", XA_NO, datetime(2023, 1, 10, 2), HH_TOTAL=600, HH_POOR=30,
         NTM_STATUS="Chưa đạt")
    # (b)
    send(inbox, "tan loc 2022", TAN_LOC, datetime(2023, 1, 11), HH_TOTAL=700, HH_POOR=31)
    send(inbox, "hong loc 2022", HONG_LOC, datetime(2023, 1, 11, 1), HH_TOTAL=800, HH_POOR=52)
    send(inbox, "huyen thach ha 2022", DISTRICT, datetime(2023, 1, 18), HH_TOTAL=1500, HH_POOR=97,
         HH_NEAR_POOR=120, BUDGET_REVENUE=250.5)
    return build(root, inbox)


def findings(con, where: str, params: list) -> list[dict]:
    cur = con.execute("SELECT rule, severity, unit_code, indicator_code, period, CAST(observed AS VARCHAR), "
                      "CAST(expected AS VARCHAR), message, source_file "
                      f"FROM marts.data_quality_findings WHERE {where}", params)
    cols = ["rule", "severity", "unit_code", "indicator_code", "period", "observed", "expected", "message",
            "source_file"]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def text_of(f: dict) -> str:
    text = " | ".join(str(f[k] or "") for k in ("observed", "expected", "message"))
    return unicodedata.normalize("NFC", text)


def test_the_unit_list_counts() -> None:
    """The hand counts used below, checked against the shipped unit list."""
    assert xa_count(CITY) == XA_OF_CITY
    assert xa_count(None) == XA_OF_PROVINCE


def test_the_build_publishes(levels: Build) -> None:
    assert levels.error is None, levels.error


# --------------------------------------------------------------------------- (a) NTM over xã only

def test_ntm_share_counts_only_xa(levels: Build) -> None:
    """The ward's "Đạt" counts neither above nor below the line."""
    con = levels.con()
    assert value(con, XA_YES, "2022", "NTM_STATUS") == 1
    assert value(con, XA_NO, "2022", "NTM_STATUS") == 0
    assert value(con, CITY, "2022", "NTM_STATUS") == 1  # count of yes: Thạch Bình only, not the ward
    rate = one(con, CITY, "2022", "NTM_COMMUNE_RATE")
    # 100 * 1 / 15 = 6.667 (not 2/15 with the ward above, nor 1/27 with the 12 phường below)
    assert float(rate["value"]) == pytest.approx(100 / XA_OF_CITY)
    assert (float(rate["numerator"]), float(rate["denominator"])) == (1, XA_OF_CITY)
    province = one(con, "42", "2022", "NTM_COMMUNE_RATE")
    # 100 * 1 / 170 = 0.588
    assert float(province["value"]) == pytest.approx(100 / XA_OF_PROVINCE)
    assert (float(province["numerator"]), float(province["denominator"])) == (1, XA_OF_PROVINCE)


def test_ward_ntm_status_is_quarantined_with_who_reports_it(levels: Build) -> None:
    con = levels.con()
    assert rows_of(con, WARD, "2022", "NTM_STATUS") == []  # quarantined, not loaded
    found = findings(con, "source_file LIKE ?", ["%nam ha 2022%"])
    about_ntm = [f for f in found
                 if f["indicator_code"] == "NTM_STATUS" or "NTM_STATUS" in (f["message"] or "")]
    assert about_ntm, found
    assert [f for f in about_ntm if "xã" in text_of(f).lower()], about_ntm
    # the rest of the ward's report is loaded
    assert value(con, WARD, "2022", "HH_TOTAL") == 2100
    assert value(con, CITY, "2022", "HH_TOTAL") == 3600  # 2100 + 900 + 600
    assert value(con, CITY, "2022", "HH_POOR") == 145  # 70 + 45 + 30


# --------------------------------------------------------------------------- (b) a district's own totals

def test_district_total_is_its_communes_roll_up(levels: Build) -> None:
    con = levels.con()
    assert value(con, DISTRICT, "2022", "HH_POOR") == 83  # 31 + 52; not the reported 97, nor 97 + 83
    assert value(con, DISTRICT, "2022", "HH_TOTAL") == 1500  # 700 + 800 (= the reported 1500, once)
    assert value(con, DISTRICT, "2022", "POVERTY_RATE") == pytest.approx(100 * 83 / 1500)  # 5.5333
    assert value(con, "42", "2022", "HH_POOR") == 228  # 436: 145, 445: 83
    assert value(con, "42", "2022", "HH_TOTAL") == 5100  # 3600 + 1500


def test_district_total_differing_from_its_communes_is_a_finding(levels: Build) -> None:
    con = levels.con()
    found = findings(con, "unit_code = ? OR source_file LIKE ?", [DISTRICT, "%huyen thach ha 2022%"])
    assert [f for f in found if mentions(text_of(f), 97) and mentions(text_of(f), 83)], found
    # HH_TOTAL agrees (1500 = 700 + 800): no finding about it
    assert [f for f in found if f["indicator_code"] == "HH_TOTAL" and f["severity"] != "info"] == []


def test_district_total_is_used_where_no_commune_reported(levels: Build) -> None:
    con = levels.con()
    assert value(con, DISTRICT, "2022", "HH_NEAR_POOR") == 120  # the district's own total
    assert value(con, DISTRICT, "2022", "NEAR_POVERTY_RATE") == pytest.approx(8.0)  # 100 * 120 / 1500
    assert value(con, "42", "2022", "HH_NEAR_POOR") == 120  # reaches the province, once
    assert value(con, DISTRICT, "2022", "BUDGET_REVENUE") == pytest.approx(250.5)  # its own element
    assert rows_of(con, TAN_LOC, "2022", "HH_NEAR_POOR") == []  # nothing pushed down to the communes
