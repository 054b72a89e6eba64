"""Sign off on the portal (docs/spec/portal.md, "Sign off"), through Django's test client on
PostgreSQL, against a published warehouse written here with the rows the review page reads
(the browser test, tests/portal/test_browser.py, runs it against a warehouse the night built):
a district's reviewer approves its communes before the reform and the province's after it;
approval records the fingerprint of the figures shown and refuses figures that changed since;
a return needs a reason and its clerk sees it; the office accepts the province's period only
once every unit is approved; bulk approval of past periods; the decisions export the night
reads into raw.decisions."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from tests.portal.conftest import client_for

pytestmark = pytest.mark.portal


def publish(warehouse: Path, values: dict[tuple[str, str, str], float]) -> Path:
    """A published file with the marts the review page reads; `values`: (unit, period,
    indicator) -> value; every unit-period with values received on time."""
    warehouse.mkdir(parents=True, exist_ok=True)
    path = warehouse / "warehouse.duckdb"
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA marts")
    con.execute(
        "CREATE TABLE marts.indicator_values (unit_code VARCHAR, period VARCHAR, indicator_code VARCHAR, "
        "indicator_name VARCHAR, value DOUBLE, unit_of_measure VARCHAR)"
    )
    con.executemany(
        "INSERT INTO marts.indicator_values VALUES (?, ?, ?, ?, ?, 'hộ')",
        [(u, p, i, f"Chỉ tiêu {i}", v) for (u, p, i), v in values.items()],
    )
    con.execute(
        "CREATE TABLE marts.reporting_completeness AS SELECT DISTINCT unit_code, period, "
        "1 AS expected_reports, 1 AS received_reports, 1 AS on_time_reports FROM marts.indicator_values"
    )
    con.execute(
        "CREATE TABLE marts.data_quality_findings (unit_code VARCHAR, period VARCHAR, "
        "indicator_code VARCHAR, rule VARCHAR, severity VARCHAR, message VARCHAR, source_cell VARCHAR)"
    )
    con.execute(
        "INSERT INTO marts.data_quality_findings VALUES ('18112', '2024', 'HH_POOR', 'yoy', 'warning', "
        "'Số hộ nghèo tăng 80% so với năm trước', 'C7')"
    )
    con.close()
    return path


def decisions(unit: str, period: str) -> list[tuple[str, str, str, str]]:
    from portal.office.models import Decision

    return [
        (d.decision, d.decided_by.username, d.figures_sha256, d.note)
        for d in Decision.objects.filter(unit_period__unit_code=unit, unit_period__period=period)
        .select_related("decided_by")
        .order_by("pk")
    ]


def fingerprint(page: str, unit: str) -> str:
    row = page.split(f'id="don-vi-{unit}"', 1)[1].split("</tr>", 1)[0]
    return row.split('name="fingerprint" value="', 1)[1].split('"', 1)[0]


def test_a_district_reviewer_approves_its_commune_before_the_reform(portal_django, office_paths) -> None:
    publish(
        office_paths["warehouse"],
        {
            ("18112", "2024", "HH_POOR"): 180,
            ("18112", "2023", "HH_POOR"): 100,
            ("18112", "2024", "HH_TOTAL"): 3000,
        },
    )
    reviewer = client_for("duyet436")
    page = reviewer.get("/duyet/436/2024/").content.decode()
    for said in (
        "Xã",
        "18112",
        "đã nhận",
        "đúng hạn",
        "chờ duyệt",
        "Năm 2023",
        "180",
        "100",
        "Số hộ nghèo tăng 80%",
    ):
        assert said in page, said
    shown = fingerprint(page, "18112")
    expected = (
        duckdb.connect(":memory:").execute("SELECT sha256('HH_POOR=180.0;HH_TOTAL=3000.0')").fetchone()[0]
    )
    assert shown == expected  # the figures as the warehouse prints them, in indicator order
    # the night published new figures while the page was open: the old fingerprint is refused
    publish(
        office_paths["warehouse"], {("18112", "2024", "HH_POOR"): 181, ("18112", "2024", "HH_TOTAL"): 3000}
    )
    refused = reviewer.post("/don-vi/18112/ky/2024/duyet/", {"fingerprint": shown}, follow=True)
    assert "Số liệu đã thay đổi" in refused.content.decode() and decisions("18112", "2024") == []
    page = reviewer.get("/duyet/436/2024/").content.decode()
    assert (
        reviewer.post("/don-vi/18112/ky/2024/duyet/", {"fingerprint": fingerprint(page, "18112")}).status_code
        == 302
    )
    ((decision, who, approved, _),) = decisions("18112", "2024")
    assert (decision, who) == ("approved", "duyet436") and approved == fingerprint(page, "18112") != shown
    assert "đã duyệt" in reviewer.get("/duyet/436/2024/").content.decode()
    # the figures change after approval: the page says so
    publish(
        office_paths["warehouse"], {("18112", "2024", "HH_POOR"): 150, ("18112", "2024", "HH_TOTAL"): 3000}
    )
    assert "đã thay đổi sau khi duyệt" in reviewer.get("/duyet/436/2024/").content.decode()
    # after the reform the province's reviewer signs the communes directly; 436 no longer can
    assert client_for("duyet436").get("/duyet/436/2026-11/").status_code == 403
    assert "Xã Cẩm Bình" in client_for("duyet42").get("/duyet/42/2026-11/").content.decode()


def test_a_return_needs_a_reason_and_the_clerk_sees_it(portal_django, office_paths) -> None:
    publish(office_paths["warehouse"], {("18685", "2026-11", "HH_POOR"): 90})
    reviewer = client_for("duyet42")
    assert (
        "Trả lại cần ghi lý do"
        in reviewer.post("/don-vi/18685/ky/2026-11/tra-lai/", {"ly_do": "  "}, follow=True).content.decode()
    )
    assert decisions("18685", "2026-11") == []
    reviewer.post("/don-vi/18685/ky/2026-11/tra-lai/", {"ly_do": "Số hộ nghèo giảm bất thường, kiểm tra lại"})
    assert decisions("18685", "2026-11") == [
        ("returned", "duyet42", "", "Số hộ nghèo giảm bất thường, kiểm tra lại")
    ]
    clerk_page = client_for("bc18685").get("/don-vi/18685/").content.decode()
    assert "trả lại" in clerk_page and "Số hộ nghèo giảm bất thường, kiểm tra lại" in clerk_page
    # the export holds the decision, once, whatever the number of syncs
    from portal.office.signoff import sync_decisions

    export = office_paths["warehouse"] / "receipts" / "decisions.jsonl"
    assert sync_decisions(export) == 0
    lines = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines()]
    mine = [x for x in lines if x["unit_code"] == "18685" and x["period"] == "2026-11"]
    assert [(x["decision"], x["decided_by"], x["note"]) for x in mine] == [
        ("returned", "duyet42", "Số hộ nghèo giảm bất thường, kiểm tra lại")
    ]


def test_the_office_accepts_the_province_only_once_all_its_units_are_approved(
    portal_django, office_paths
) -> None:
    from django.contrib.auth.models import User

    from base.periods import period_from_code
    from portal.office import signoff

    period = period_from_code("2025")
    units = signoff.units_signed_for_province("42", period)
    assert len(units) > 50 and all(u.exists_on(period.last_day) for u in units)
    office = client_for("ctk42")
    assert "chưa được duyệt" in office.get("/duyet/42/2025/").content.decode()
    office.post("/duyet/42/2025/chap-nhan/")
    assert not any(d == "accepted" for d, *_ in decisions("42", "2025"))
    reviewer = User.objects.get(username="duyet42")
    for u in units[:-1]:
        signoff.decide(u.code, "2025", "approved", reviewer, "0" * 64)
    office.post("/duyet/42/2025/chap-nhan/")
    assert decisions("42", "2025") == []  # one unit still waits
    signoff.decide(units[-1].code, "2025", "returned", reviewer, note="thiếu số liệu")
    office.post("/duyet/42/2025/chap-nhan/")
    assert decisions("42", "2025") == []  # a returned unit is not approved
    signoff.decide(units[-1].code, "2025", "approved", reviewer, "0" * 64)
    assert office.post("/duyet/42/2025/chap-nhan/").status_code == 302
    assert [d for d, *_ in decisions("42", "2025")] == ["accepted"]
    assert "Tỉnh đã chấp nhận kỳ này" in office.get("/duyet/42/2025/").content.decode()
    # accepting is the province's: a commune's period is not accepted
    assert office.post("/duyet/18685/2025/chap-nhan/").status_code == 404


def test_bulk_approval_of_past_periods(portal_django, office_paths) -> None:
    publish(
        office_paths["warehouse"],
        {
            ("18481", "2022", "HH_POOR"): 10,
            ("18481", "2023", "HH_POOR"): 11,
            ("42", "2022", "HH_POOR"): 500,
            ("18481", "2026-11", "HH_POOR"): 9,
        },
    )
    office = client_for("ctk42")
    assert office.post("/duyet-hang-loat/", {"truoc_ngay": "2099-01-01"}).status_code == 400  # the future
    page = office.post("/duyet-hang-loat/", {"truoc_ngay": "2024-01-01"}).content.decode()
    assert "Đã duyệt 2 kỳ" in page, page
    assert [d for d, *_ in decisions("18481", "2022")] == ["approved"]
    assert [d for d, *_ in decisions("18481", "2023")] == ["approved"]
    assert decisions("42", "2022") == [] and decisions("18481", "2026-11") == []
    assert "Đã duyệt 0 kỳ" in office.post("/duyet-hang-loat/", {"truoc_ngay": "2024-01-01"}).content.decode()
    assert client_for("duyet42").post("/duyet-hang-loat/", {"truoc_ngay": "2024-01-01"}).status_code == 403
