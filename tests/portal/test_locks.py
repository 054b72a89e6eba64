"""Locks and exceptions on the portal (docs/spec/portal.md, "Sign off"), through Django's test
client on PostgreSQL: a file received after its unit-period's approval is shown held on the
receipt, the unit page and the review page; the province's office grants an exception with a
reason (audited, exported for the night, read by ingest); the file then waits to be approved
again, and the next approval locks again. The rule itself (signoff.lock_state) is checked on
its own first. The browser test (tests/portal/test_browser.py) runs the flow with real nights."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from tests.portal.conftest import client_for
from tests.portal.test_signoff import decisions, fingerprint, publish

pytestmark = pytest.mark.portal

HELD_TEXT = "Đã nhận, đang giữ: kỳ này đã được duyệt, chờ Cục Thống kê cho phép sửa"
REOPENED_TEXT = "Cục Thống kê đã cho phép sửa"
REASON = "Đơn vị rà soát lại số hộ nghèo sau lũ: cho phép thay số liệu đã duyệt"


def day(n: int) -> datetime:
    return datetime(2027, 1, n, 3, tzinfo=UTC)


def test_the_lock_rule(portal_django) -> None:
    from portal.office.signoff import HELD, REOPENED, REOPENED_BY_RETURN, lock_state

    def said(*made: tuple[str, int]) -> list:
        return [SimpleNamespace(decision=kind, decided_at=day(n)) for kind, n in made]

    assert lock_state([], day(5)) == ""
    assert lock_state(said(("approved", 6)), day(5)) == ""  # arrived before the approval
    assert lock_state(said(("returned", 4)), day(5)) == ""  # a return is not a lock
    assert lock_state(said(("approved", 4)), day(5)) == HELD
    # a return after the approval asks the clerk for a correction: it lifts the lock as an
    # exception does, and the figures wait to be approved again
    assert lock_state(said(("approved", 4), ("returned", 6)), day(5)) == REOPENED_BY_RETURN
    assert lock_state(said(("approved", 4), ("returned", 6), ("approved", 7)), day(5)) == ""
    assert lock_state(said(("returned", 3), ("approved", 4)), day(5)) == HELD  # a return before the lock
    assert lock_state(said(("approved", 4), ("approved", 6)), day(5)) == HELD  # approving again frees nothing
    assert lock_state(said(("approved", 4), ("exception", 6)), day(5)) == REOPENED
    assert lock_state(said(("approved", 4), ("exception", 6), ("approved", 7)), day(5)) == ""
    # an exception before the approval in force does not count: the next approval locks again
    assert lock_state(said(("approved", 1), ("exception", 2), ("approved", 3)), day(5)) == HELD
    assert lock_state(said(("approved", 1), ("exception", 2), ("approved", 6)), day(5)) == ""


def receipt(unit: str, period: str, when: datetime) -> int:
    from django.contrib.auth.models import User

    from portal.office.models import Receipt, UnitPeriod

    up, _ = UnitPeriod.objects.get_or_create(unit_code=unit, period=period)
    r = Receipt(file_sha256=f"{int(when.timestamp()):064d}", unit_period=up,
                sender=User.objects.get(username=f"bc{unit}"), received_at=when, inbox_path="x",
                size_bytes=1, shown_name=f"BC {when:%H%M%S}.xlsx")
    r.save()
    return r.pk


def test_the_office_grants_an_exception_and_the_next_approval_locks_again(
        portal_django, office_paths) -> None:
    from django.utils import timezone

    from ingest.decisions import read_decisions
    from portal.office.models import AuditEntry

    publish(office_paths["warehouse"], {("18481", "2026-10", "HH_POOR"): 12})
    reviewer, office, clerk = client_for("duyet42"), client_for("ctk42"), client_for("bc18481")
    before = receipt("18481", "2026-10", timezone.now() - timedelta(hours=1))
    # the office may grant an exception only on an approved unit-period
    office.post("/don-vi/18481/ky/2026-10/cho-phep-sua/", {"ly_do": REASON})
    assert decisions("18481", "2026-10") == []
    page = reviewer.get("/duyet/42/2026-10/").content.decode()
    reviewer.post("/don-vi/18481/ky/2026-10/duyet/", {"fingerprint": fingerprint(page, "18481")})
    assert HELD_TEXT not in clerk.get(f"/bien-nhan/{before}/").content.decode()  # came before the approval
    later = receipt("18481", "2026-10", timezone.now())
    for page in (clerk.get(f"/bien-nhan/{later}/"), clerk.get("/don-vi/18481/")):
        assert HELD_TEXT in page.content.decode()
    review = office.get("/duyet/42/2026-10/").content.decode()
    assert "1 tệp nhận sau khi duyệt đang được giữ" in review and 'class="cho-phep-sua"' in review
    assert 'class="cho-phep-sua"' not in reviewer.get("/duyet/42/2026-10/").content.decode()  # the office's
    # a reason is needed
    refused = office.post("/don-vi/18481/ky/2026-10/cho-phep-sua/", {"ly_do": " "}, follow=True)
    assert "Cho phép sửa cần ghi lý do" in refused.content.decode()
    assert [d for d, *_ in decisions("18481", "2026-10")] == ["approved"]
    assert office.post("/don-vi/18481/ky/2026-10/cho-phep-sua/", {"ly_do": REASON}).status_code == 302
    assert [(d, who, note) for d, who, _, note in decisions("18481", "2026-10")] == [
        ("approved", "duyet42", ""), ("exception", "ctk42", REASON)]
    audited = AuditEntry.objects.filter(action="grant_exception", unit_code="18481", period="2026-10")
    assert [(a.username, a.detail["note"]) for a in audited] == [("ctk42", REASON)]
    # the file now waits to be approved again; a second exception is refused (nothing locked)
    assert REOPENED_TEXT in clerk.get(f"/bien-nhan/{later}/").content.decode()
    assert "được phép sửa, chờ duyệt lại" in clerk.get("/don-vi/18481/").content.decode()
    assert "được phép sửa, chờ duyệt lại" in reviewer.get("/duyet/42/2026-10/").content.decode()
    again = office.post("/don-vi/18481/ky/2026-10/cho-phep-sua/", {"ly_do": REASON}, follow=True)
    assert "không cần cho phép" in again.content.decode() and len(decisions("18481", "2026-10")) == 2
    assert 'class="cho-phep-sua"' not in office.get("/duyet/42/2026-10/").content.decode()
    # the night reads the exception from the export
    export = office_paths["warehouse"] / "receipts" / "decisions.jsonl"
    lines = [json.loads(x) for x in export.read_text(encoding="utf-8").splitlines()]
    assert [x["decision"] for x in lines if x["unit_code"] == "18481" and x["period"] == "2026-10"] == [
        "approved", "exception"]
    rows, bad = read_decisions(export)
    assert bad == 0 and ("18481", "2026-10", "exception") in {r[:3] for r in rows}
    # approved again: the file is approved; a file after it is held again
    page = reviewer.get("/duyet/42/2026-10/").content.decode()
    reviewer.post("/don-vi/18481/ky/2026-10/duyet/", {"fingerprint": fingerprint(page, "18481")})
    received = clerk.get(f"/bien-nhan/{later}/").content.decode()
    assert HELD_TEXT not in received and REOPENED_TEXT not in received
    last = receipt("18481", "2026-10", timezone.now())
    assert HELD_TEXT in clerk.get(f"/bien-nhan/{last}/").content.decode()
    # a return after an approval asks the clerk for a correction: it lifts the lock (the held
    # file waits to be approved again) and leaves the office nothing to allow
    reviewer.post("/don-vi/18481/ky/2026-10/tra-lai/", {"ly_do": "Xem lại số hộ nghèo"})
    received = clerk.get(f"/bien-nhan/{last}/").content.decode()
    assert HELD_TEXT not in received and "Kỳ này đã bị trả lại sau khi duyệt" in received
    assert 'class="cho-phep-sua"' not in office.get("/duyet/42/2026-10/").content.decode()
    refused = office.post("/don-vi/18481/ky/2026-10/cho-phep-sua/", {"ly_do": REASON}, follow=True)
    assert "không cần cho phép" in refused.content.decode()
    assert [d for d, *_ in decisions("18481", "2026-10")][-1] == "returned"


def hold(published, rows: list[tuple]) -> None:
    """Add to the published file the mart of held files as the night writes it
    (marts.held_submissions): (unit, name, report unit, source file, fingerprint, sender, arrived)."""
    import duckdb

    con = duckdb.connect(str(published))
    try:
        con.execute("CREATE OR REPLACE TABLE marts.held_submissions (unit_code VARCHAR, "
                    "unit_name VARCHAR, report_unit_code VARCHAR, period VARCHAR, period_type VARCHAR, "
                    "source_file VARCHAR, source_sheet VARCHAR, file_sha256 VARCHAR, submission_id VARCHAR, "
                    "portal_sender VARCHAR, rows_loaded INTEGER, arrived_at TIMESTAMP, "
                    "approved_at TIMESTAMP)")
        con.executemany("INSERT INTO marts.held_submissions VALUES (?, ?, ?, '2024', 'year', ?, 'Báo cáo', "
                        "?, ?, ?, 12, ?, ?)",
                        [(u, name, rep, f, sha, sha[:8], who, *[at.replace(tzinfo=None)] * 2)
                         for u, name, rep, f, sha, who, at in rows])
    finally:
        con.close()


def holds_table(page: str) -> str:
    """The unit page's table of files the night held without a receipt ("" when none)."""
    if 'id="tep-dang-giu"' not in page:
        return ""
    return page.split('id="tep-dang-giu"', 1)[1].split("</table>", 1)[0]


def test_files_held_by_the_night_are_shown_without_a_receipt(portal_django, office_paths) -> None:
    """A file dropped into the inbox for an approved commune-period, and a commune's row of its
    district's table, are held by the night (marts.held_submissions) with no portal receipt of
    the held unit: the unit's page (and the district's, for its table) and the reviewer's
    period page show them held, as a receipt would be; an exception shows at once; the next
    approval takes them in. A file the portal has a receipt for is listed once, on the receipt."""
    from django.utils import timezone

    published = publish(office_paths["warehouse"], {("18115", "2024", "HH_TOTAL"): 600,
                                                     ("18118", "2024", "HH_TOTAL"): 610})
    reviewer, office = client_for("duyet437"), client_for("ctk42")
    page = reviewer.get("/duyet/437/2024/").content.decode()
    for unit in ("18115", "18118"):
        reviewer.post(f"/don-vi/{unit}/ky/2024/duyet/", {"fingerprint": fingerprint(page, unit)})
    assert [d for d, *_ in decisions("18115", "2024")] == ["approved"]
    later = timezone.now()
    sent = receipt("18118", "2024", later)  # a file of 18118 the portal received: its receipt shows it
    from portal.office.models import Receipt

    sent_sha = Receipt.objects.get(pk=sent).file_sha256
    hold(published, [
        ("18115", "Phường Bắc Hồng", "18115", "BC nam 2024 Bac Hong sua.xlsx", "a" * 64, None, later),
        ("18118", "Phường Nam Hồng", "437", f"portal/437/2024/{'b' * 64}.xlsx", "b" * 64, "bc437",
         later),
        ("18118", "Phường Nam Hồng", "18118", "portal/18118/2024/x.xlsx", sent_sha, "bc18118", later),
    ])
    dropped = holds_table(client_for("bc18115").get("/don-vi/18115/").content.decode())
    assert HELD_TEXT in dropped and "BC nam 2024 Bac Hong sua.xlsx" in dropped and "ngoài cổng" in dropped
    row = holds_table(client_for("bc18118").get("/don-vi/18118/").content.decode())
    assert HELD_TEXT in row and "dòng trong bảng của đơn vị 437" in row and "bc437" in row
    assert row.count(HELD_TEXT) == 1  # the file with a receipt is shown on its receipt, not here
    district = holds_table(client_for("bc437").get("/don-vi/437/").content.decode())
    assert "dòng trong bảng của đơn vị 437" in district
    review = reviewer.get("/duyet/437/2024/").content.decode()
    for unit, held in (("18115", 1), ("18118", 2)):  # 18118: its receipt and its row of the table
        line = review.split(f'id="don-vi-{unit}"', 1)[1].split("</tr>", 1)[0]
        assert f"{held} tệp nhận sau khi duyệt đang được giữ" in line, (unit, line)
    # the office allows 18115 to change: shown at once, before the next night
    assert office.post("/don-vi/18115/ky/2024/cho-phep-sua/", {"ly_do": REASON}).status_code == 302
    reopened = holds_table(client_for("bc18115").get("/don-vi/18115/").content.decode())
    assert REOPENED_TEXT in reopened and HELD_TEXT not in reopened
    review = reviewer.get("/duyet/437/2024/").content.decode()
    line = review.split('id="don-vi-18115"', 1)[1].split("</tr>")[0]
    assert "đang được giữ" not in line
    # approved again: the file is taken in, no longer listed
    page = reviewer.get("/duyet/437/2024/").content.decode()
    reviewer.post("/don-vi/18115/ky/2024/duyet/", {"fingerprint": fingerprint(page, "18115")})
    assert not holds_table(client_for("bc18115").get("/don-vi/18115/").content.decode())
