"""Follow up findings on the portal (docs/spec/portal.md, "Follow up"), through Django's test
client on PostgreSQL, against a published warehouse written here with the rows the pages
read from marts.finding_follow_up (the browser test, tests/portal/test_browser.py, runs the
same flow against a warehouse the night built): a clerk explains (giải trình) or reports a
correction (đã sửa, pointing to a newer receipt of its unit), a reviewer of the units above
accepts (chấp nhận), each answer in the finding's history and the audit log, exported as
JSON lines the night reads into raw.finding_answers; the weekly e-mail to each reviewer,
through a real local SMTP server, and a mail server that is down is reported, not raised."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from tests.portal.conftest import client_for
from tests.smtp_sink import smtp_sink

pytestmark = pytest.mark.portal
FIRST_FOUND = datetime(2027, 1, 10, 3, 0)  # naive UTC, as the warehouse keeps it


def key(rule: str, unit: str, period: str, indicator: str) -> str:
    """The warehouse's finding key (data_quality_findings.finding_key), written out here."""
    return hashlib.md5(f"{rule}|{unit}|{period}|{indicator}".encode()).hexdigest()


def publish(warehouse: Path, findings: list[tuple[str, str, str, str, str]]) -> Path:
    """A published file with marts.finding_follow_up: (rule, unit, period, indicator, the rule's
    Vietnamese title) rows, open, first found on FIRST_FOUND, 12 days old; their message is the
    title behind the rule's name (the warehouse's own messages may be in English)."""
    warehouse.mkdir(parents=True, exist_ok=True)
    path = warehouse / "warehouse.duckdb"
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.finding_follow_up (finding_key VARCHAR, unit_code VARCHAR, "
                "period VARCHAR, rule VARCHAR, rule_title_vi VARCHAR, indicator_code VARCHAR, "
                "severity VARCHAR, message VARCHAR, status VARCHAR, first_found_at TIMESTAMP, "
                "age_days BIGINT)")
    con.executemany("INSERT INTO marts.finding_follow_up VALUES "
                    "(?, ?, ?, ?, ?, ?, 'warning', ?, 'open', ?, 12)",
                    [(key(r, u, p, i), u, p, r, title, i, f"{r}: {title}", FIRST_FOUND)
                     for r, u, p, i, title in findings])
    con.close()
    return path


def receipt(unit: str, period: str, when: datetime, sha: str):
    from django.contrib.auth.models import User

    from portal.office.models import Receipt, UnitPeriod

    up, _ = UnitPeriod.objects.get_or_create(unit_code=unit, period=period)
    r = Receipt(file_sha256=sha, unit_period=up, sender=User.objects.get(username=f"bc{unit}"),
                received_at=when, inbox_path=f"portal/{unit}/{period}/{sha}.xlsx", size_bytes=1,
                shown_name=f"BC {period} sua.xlsx")
    r.save()
    return r


def exported(office_paths: dict[str, Path]) -> list[dict]:
    path = office_paths["receipts"].with_name("finding_answers.jsonl")
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def url(unit: str, period: str, k: str, tail: str = "") -> str:
    return f"/don-vi/{unit}/ky/{period}/phat-hien/{k}/{tail}"


POOR = ("yoy", "18685", "2026", "HH_POOR", "Số hộ nghèo tăng 2800% so với năm trước")


def test_a_clerk_explains_and_the_reviewer_above_accepts(portal_django, office_paths) -> None:
    from portal.office.models import AuditEntry, FindingAnswer

    publish(office_paths["warehouse"], [POOR])
    k = key(*POOR[:4])
    clerk, reviewer = client_for("bc18685"), client_for("duyet42")
    page = clerk.get("/don-vi/18685/").content.decode()
    assert k[:8] in page and "chưa trả lời" in page and url("18685", "2026", k) in page

    empty = clerk.post(url("18685", "2026", k, "tra-loi/"), {"loai": "giai_trinh", "noi_dung": "  "})
    assert empty.status_code == 302 and "loi=can-noi-dung" in empty["Location"]
    assert "Giải trình cần ghi nội dung." in clerk.get(empty["Location"]).content.decode()
    assert reviewer.post(url("18685", "2026", k, "chap-nhan/")).status_code == 302  # nothing to accept yet
    assert not FindingAnswer.objects.filter(finding_key=k).exists()

    said = "Lũ tháng 10 làm nhiều hộ tái nghèo; đã rà soát từng hộ."
    answered = clerk.post(url("18685", "2026", k, "tra-loi/"), {"loai": "giai_trinh", "noi_dung": said})
    assert answered.status_code == 302
    # the roles: a clerk never accepts, a reviewer never answers for the unit, another unit's clerk neither
    assert clerk.post(url("18685", "2026", k, "chap-nhan/")).status_code == 403
    assert reviewer.post(url("18685", "2026", k, "tra-loi/"), {"noi_dung": "x"}).status_code == 403
    other = client_for("bc18481").post(url("18685", "2026", k, "tra-loi/"), {"noi_dung": "x"})
    assert other.status_code == 403
    assert client_for("duyet436").post(url("18685", "2026", k, "chap-nhan/")).status_code == 403
    assert FindingAnswer.objects.filter(finding_key=k).count() == 1

    waiting = reviewer.get(url("18685", "2026", k)).content.decode()
    assert said in waiting and "bc18685" in waiting and "chờ người duyệt" in waiting
    assert 'id="chap-nhan"' in waiting and 'id="giai-trinh"' not in waiting
    assert reviewer.post(url("18685", "2026", k, "chap-nhan/"), {"noi_dung": "Đồng ý"}).status_code == 302
    closed = clerk.get(url("18685", "2026", k)).content.decode()
    assert "đã chấp nhận" in closed and "Đồng ý" in closed and "duyet42" in closed
    assert "đã chấp nhận" in clerk.get("/don-vi/18685/").content.decode()
    again = reviewer.post(url("18685", "2026", k, "chap-nhan/"))
    assert "loi=chua-tra-loi" in again["Location"]  # accepted once; nothing waits

    history = [(a.kind, a.answered_by.username, a.text) for a in FindingAnswer.objects.filter(finding_key=k)]
    assert history == [("giai_trinh", "bc18685", said), ("chap_nhan", "duyet42", "Đồng ý")]
    audit = [(e.username, e.action, e.detail["kind"]) for e in
             AuditEntry.objects.filter(detail__finding_key=k).order_by("at", "pk")]
    assert audit == [("bc18685", "answer_finding", "giai_trinh"), ("duyet42", "close_finding", "chap_nhan")]
    office = client_for("ctk42")  # the office sees the answers in its admin, read-only
    listed = office.get("/quan-tri/office/findinganswer/")
    assert listed.status_code == 200 and k in listed.content.decode()
    assert office.get("/quan-tri/office/findinganswer/add/").status_code == 403
    lines = [line for line in exported(office_paths) if line["finding_key"] == k]
    assert [(line["kind"], line["answered_by"], line["unit_code"], line["period"], line["rule"])
            for line in lines] == [("giai_trinh", "bc18685", "18685", "2026", "yoy"),
                                   ("chap_nhan", "duyet42", "18685", "2026", "yoy")]


def test_a_correction_points_to_a_newer_receipt_of_the_unit(portal_django, office_paths) -> None:
    from portal.office.models import FindingAnswer

    finding = ("row_total", "18481", "2026", "HH_TOTAL", "Tổng số hộ khác tổng các thôn")
    publish(office_paths["warehouse"], [finding])
    k = key(*finding[:4])
    old = receipt("18481", "2026", datetime(2027, 1, 5, tzinfo=UTC), "1" * 64)
    new = receipt("18481", "2026", datetime(2027, 1, 15, tzinfo=UTC), "2" * 64)
    other_period = receipt("18481", "2025", datetime(2027, 1, 16, tzinfo=UTC), "3" * 64)
    clerk = client_for("bc18481")
    page = clerk.get(url("18481", "2026", k)).content.decode()
    assert f'value="{new.pk}"' in page and f'value="{old.pk}"' not in page
    assert f'value="{other_period.pk}"' not in page
    for stale in (old, other_period):  # the file the finding came from, another period's
        refused = clerk.post(url("18481", "2026", k, "tra-loi/"),
                             {"loai": "da_sua", "bien_nhan": str(stale.pk)})
        assert "loi=can-bien-nhan" in refused["Location"]
    assert not FindingAnswer.objects.filter(finding_key=k).exists()
    done = clerk.post(url("18481", "2026", k, "tra-loi/"), {"loai": "da_sua", "bien_nhan": str(new.pk),
                                                             "noi_dung": "Đã sửa tổng số hộ."})
    assert done.status_code == 302
    (line,) = [line for line in exported(office_paths) if line["finding_key"] == k]
    assert (line["kind"], line["corrected_file_sha256"]) == ("da_sua", "2" * 64)
    assert "BC 2026 sua.xlsx" in clerk.get(url("18481", "2026", k)).content.decode()


def test_an_unknown_finding_is_not_found_and_nothing_is_recorded(portal_django, office_paths) -> None:
    from portal.office.models import FindingAnswer

    publish(office_paths["warehouse"], [POOR])
    clerk = client_for("bc18685")
    for k in ("0" * 32, "not-a-key"):
        assert clerk.get(url("18685", "2026", k)).status_code == 404
        assert clerk.post(url("18685", "2026", k, "tra-loi/"), {"noi_dung": "x"}).status_code == 404
    assert clerk.get(url("18685", "2025", key(*POOR[:4]))).status_code == 404  # the key of another period
    assert not FindingAnswer.objects.filter(finding_key="0" * 32).exists()


def test_the_export_is_read_into_raw_and_a_bad_line_is_skipped(tmp_path: Path) -> None:
    from ingest import store
    from ingest.finding_answers import load_finding_answers, new_finding_answers, read_finding_answers

    good = {"answer_id": 7, "finding_key": "a" * 32, "unit_code": "18685", "period": "2026", "rule": "yoy",
            "indicator_code": "HH_POOR", "kind": "giai_trinh", "text": "Lũ", "corrected_file_sha256": "",
            "answered_by": "bc18685", "answered_at": "2027-01-20T03:00:00.000000Z"}
    path = tmp_path / "finding_answers.jsonl"
    path.write_text("\n".join([
        json.dumps(good, ensure_ascii=False),
        json.dumps({**good, "answer_id": 8, "kind": "da_sua"}),  # a correction naming no file
        json.dumps({**good, "answer_id": 9, "kind": "xoa"}),  # not a kind
        json.dumps({**good, "answer_id": 10, "answered_at": "2027-01-20T03:00:00"}),  # no zone
        json.dumps({**good, "answer_id": 11, "kind": "da_sua", "corrected_file_sha256": "b" * 64}),
        '{"answer_id": 12, "finding_', ""]) + "\n", encoding="utf-8")
    rows, bad = read_finding_answers(path)
    assert [r[0] for r in rows] == [7, 11] and bad == 4
    db = tmp_path / "build.duckdb"
    assert new_finding_answers(path, db) == 2
    con = store.connect(db)
    try:
        assert load_finding_answers(con, path) == 2
        assert load_finding_answers(con, path) == 0  # each answer once
        got = con.execute("SELECT answer_id, kind, answer_text, corrected_file_sha256, answered_at "
                          "FROM raw.finding_answers ORDER BY answer_id").fetchall()
    finally:
        con.close()
    assert got == [(7, "giai_trinh", "Lũ", None, datetime(2027, 1, 20, 3)),
                   (11, "da_sua", "Lũ", "b" * 64, datetime(2027, 1, 20, 3))]
    assert new_finding_answers(path, db) == 0


def digest_env(monkeypatch: pytest.MonkeyPatch, host: str, port: int) -> None:
    monkeypatch.setenv("CHITIEU_SMTP_HOST", host)
    monkeypatch.setenv("CHITIEU_SMTP_PORT", str(port))
    monkeypatch.setenv("CHITIEU_SMTP_TIMEOUT_S", "3")
    monkeypatch.setenv("CHITIEU_ALERT_FROM", "chitieu@hatinh.gov.vn")


def test_the_weekly_email_lists_what_waits_for_each_reviewer(portal_django, office_paths,
                                                             monkeypatch) -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from portal.office.models import Account

    explained = ("outlier", "18685", "2026-11", "POP_TOTAL", "Dân số khác xa các tháng trước")
    unanswered = ("yoy", "18481", "2026", "HH_NEAR_POOR", "Số hộ cận nghèo giảm 90%")
    before = ("yoy", "18112", "2024", "HH_POOR", "Số hộ nghèo của xã đã sáp nhập")  # 436's, in 2024
    publish(office_paths["warehouse"], [explained, unanswered, before])
    client_for("bc18685").post(url("18685", "2026-11", key(*explained[:4]), "tra-loi/"),
                               {"loai": "giai_trinh", "noi_dung": "Có khu công nghiệp mới"})
    User.objects.filter(username="duyet42").update(email="duyet42@hatinh.gov.vn", first_name="Nguyễn Văn",
                                                   last_name="An")
    User.objects.filter(username="duyet436").update(email="")
    Account.objects.filter(user__username__in=["duyet42", "duyet436"]).update(must_change_password=False)
    with smtp_sink() as sink:
        digest_env(monkeypatch, sink.host, sink.port)
        monkeypatch.setenv("PORTAL_BASE_URL", "https://baocao.hatinh.gov.vn/")
        call_command("findings_digest")
    (sent,) = [m for m in sink.messages if m.recipients == ["duyet42@hatinh.gov.vn"]]
    body = sent.message.get_content()
    subject = str(sent.message["Subject"])
    assert subject.startswith("Phát hiện chờ xử lý: ") and "1 chờ chấp nhận" in subject, subject
    waiting, unanswered_part = body.split("Chưa được đơn vị trả lời")
    assert "Xã Cẩm Bình (18685), Tháng 11/2026" in waiting and "Dân số khác xa" in waiting, body
    assert "Xã Xuân Lộc (18481), Năm 2026" in unanswered_part and "(12 ngày)" in unanswered_part, body
    assert "18112" not in body  # 2024's commune is 436's to review, not the province's
    # each finding links to its page on the portal, at the address people open it by
    link = f"https://baocao.hatinh.gov.vn/don-vi/18685/ky/2026-11/phat-hien/{key(*explained[:4])}/"
    assert f"\n  {link}\n" in body, body
    assert body.count("https://baocao.hatinh.gov.vn/don-vi/") == 2, body
    assert len(sink.messages) == 1  # duyet436 has no address: skipped, named in the report


def test_a_mail_server_that_is_down_is_reported_not_raised(portal_django, office_paths, monkeypatch,
                                                           capsys) -> None:
    import socket

    from django.contrib.auth.models import User
    from django.core.management import call_command

    publish(office_paths["warehouse"], [("yoy", "18481", "2026", "HH_POOR", "Số hộ nghèo giảm 90%")])
    User.objects.filter(username="duyet42").update(email="duyet42@hatinh.gov.vn")
    sock = socket.create_server(("127.0.0.1", 0))
    host, port = sock.getsockname()[:2]
    sock.close()  # nothing listens there
    digest_env(monkeypatch, host, port)
    with pytest.raises(SystemExit) as stopped:
        call_command("findings_digest")
    assert stopped.value.code == 1
    said = capsys.readouterr()
    assert "NOT SENT: duyet42 <duyet42@hatinh.gov.vn>" in said.err and "connection refused" in said.err, said
    assert "skipped: duyet436: no e-mail address" in said.out, said.out


def test_the_scheduled_task_runs_the_command_and_fails_naming_who_was_not_reached(
        portal_django, office_paths, monkeypatch) -> None:
    """What the DAG's task runs (chitieu.findings_digest): the command in a process of its own,
    on the same portal database and settings."""
    import socket

    from django.contrib.auth.models import User

    from chitieu.findings_digest import DigestNotSent, run_findings_digest

    publish(office_paths["warehouse"], [("yoy", "18481", "2026", "HH_POOR", "Số hộ nghèo giảm 90%")])
    User.objects.filter(username="duyet42").update(email="duyet42@hatinh.gov.vn")
    with smtp_sink() as sink:
        digest_env(monkeypatch, sink.host, sink.port)
        report = run_findings_digest(timeout_s=120)
    assert "sent: duyet42 <duyet42@hatinh.gov.vn>" in report, report
    assert [m.recipients for m in sink.messages] == [["duyet42@hatinh.gov.vn"]]
    assert "Số hộ nghèo giảm 90%" in sink.messages[0].message.get_content()
    # no PORTAL_BASE_URL: the links are on `make portal`'s address
    link = f"http://127.0.0.1:8700/don-vi/18481/ky/2026/phat-hien/{key('yoy', '18481', '2026', 'HH_POOR')}/"
    assert link in sink.messages[0].message.get_content()
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    digest_env(monkeypatch, "127.0.0.1", port)
    with pytest.raises(DigestNotSent, match="NOT SENT: duyet42"):
        run_findings_digest(timeout_s=120)
