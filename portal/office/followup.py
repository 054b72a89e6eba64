"""Follow up findings (docs/spec/portal.md, "Follow up"): a finding on a unit's figures, as
the published warehouse names it (marts.finding_follow_up, one row per stable finding key),
its answers on the portal (giải trình, đã sửa pointing to a newer receipt, chấp nhận), the
export the night reads into raw.finding_answers (ingest/finding_answers.py), and what waits
for each reviewer (the weekly e-mail, portal/office/digest.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from portal.office.models import (
    ANSWER_NAMES,
    CHAP_NHAN,
    DA_SUA,
    GIAI_TRINH,
    FindingAnswer,
    Receipt,
    UnitPeriod,
    record,
)
from portal.office.published import _connect, _rows

KEY = re.compile(r"^[0-9a-f]{32}$")
STATUS_NAMES = {"open": "chưa trả lời", "answered": "chờ người duyệt", "accepted": "đã chấp nhận",
                "resolved": "đã hết (sau khi sửa)"}
COLUMNS = ("finding_key, unit_code, period, rule, rule_title_vi, indicator_code, severity, message, "
           "status, first_found_at, age_days")


@dataclass
class Finding:
    """A finding as the last published night saw it; `status` is the portal's own, from its
    answers (fresher than the warehouse's, which waits for the night)."""

    key: str
    unit_code: str
    period: str
    rule: str
    title: str  # the rule's Vietnamese title
    indicator_code: str
    severity: str
    message: str
    first_found_at: datetime | None
    age_days: int | None
    status: str = "open"

    @property
    def status_vi(self) -> str:
        return STATUS_NAMES[self.status]


def _finding(row: dict) -> Finding:
    return Finding(row["finding_key"], row["unit_code"], row["period"], row["rule"] or "",
                   row["rule_title_vi"] or "", row["indicator_code"] or "", row["severity"] or "",
                   row["message"] or "", row["first_found_at"], row["age_days"], row["status"])


def published_findings(published: Path | None, where: str, params: list) -> list[Finding] | None:
    """Rows of marts.finding_follow_up (None: no published warehouse that has it)."""
    con = _connect(published)
    if con is None:
        return None
    import duckdb

    try:
        rows = _rows(con, f"SELECT {COLUMNS} FROM marts.finding_follow_up WHERE {where} "
                          "ORDER BY period DESC, unit_code, rule, indicator_code", params)
    except duckdb.Error:
        return None
    finally:
        con.close()
    return with_portal_status([_finding(r) for r in rows])


def unit_findings(published: Path | None, unit_code: str) -> list[Finding] | None:
    """A unit's findings still found, newest period first (its page)."""
    found = published_findings(published, "unit_code = ? AND status <> 'resolved'", [unit_code])
    return None if found is None else found[:100]


def finding(published: Path | None, unit_code: str, period: str, key: str) -> Finding | None:
    if not KEY.match(key):
        return None
    found = published_findings(published, "unit_code = ? AND period = ? AND finding_key = ?",
                               [unit_code, period, key])
    return found[0] if found else None


def portal_status(answers: list[FindingAnswer], published_status: str) -> str:
    """The last answer decides: giải trình or đã sửa wait for a reviewer, chấp nhận closes."""
    if not answers:
        return published_status if published_status == "resolved" else "open"
    return "accepted" if answers[-1].kind == CHAP_NHAN else "answered"


def with_portal_status(findings: list[Finding]) -> list[Finding]:
    answers: dict[str, list[FindingAnswer]] = {}
    keys = [f.key for f in findings]
    for a in FindingAnswer.objects.filter(finding_key__in=keys).order_by("answered_at", "pk"):
        answers.setdefault(a.finding_key, []).append(a)
    for f in findings:
        f.status = portal_status(answers.get(f.key, []), f.status)
    return findings


def history(key: str) -> list[FindingAnswer]:
    found = list(FindingAnswer.objects.filter(finding_key=key).select_related(
        "answered_by", "receipt").order_by("answered_at", "pk"))
    for a in found:
        a.kind_vi = ANSWER_NAMES[a.kind]
    return found


def newer_receipts(f: Finding) -> list[Receipt]:
    """The receipts a đã sửa may point to: the unit's files for the finding's period received
    after it was first found (its first report's arrival)."""
    receipts = Receipt.objects.filter(unit_period__unit_code=f.unit_code, unit_period__period=f.period)
    if f.first_found_at is not None:
        receipts = receipts.filter(received_at__gt=f.first_found_at.replace(tzinfo=UTC))
    return list(receipts.order_by("-received_at"))


class AnswerRefused(ValueError):
    """What is wrong with an answer, in Vietnamese, for the page."""


def answer(f: Finding, kind: str, text: str, user, receipt_id: str = "") -> FindingAnswer:
    """Record one answer (and its audit line). A clerk's giải trình needs words, its đã sửa a
    newer receipt of the unit; a reviewer accepts only an answered finding."""
    text = text.strip()[:2000]
    receipt = None
    if kind == GIAI_TRINH and not text:
        raise AnswerRefused("Giải trình cần ghi nội dung.")
    if kind == DA_SUA:
        receipt = next((r for r in newer_receipts(f) if str(r.pk) == receipt_id), None)
        if receipt is None:
            raise AnswerRefused("Chọn biên nhận của tệp đã sửa (gửi sau khi có phát hiện).")
    if kind == CHAP_NHAN and portal_status(history(f.key), f.status) != "answered":
        raise AnswerRefused("Chỉ chấp nhận được phát hiện đã có giải trình hoặc đã sửa.")
    with transaction.atomic():
        up, _ = UnitPeriod.objects.get_or_create(unit_code=f.unit_code, period=f.period)
        made = FindingAnswer(finding_key=f.key, unit_period=up, rule=f.rule, indicator_code=f.indicator_code,
                             kind=kind, text=text, receipt=receipt, answered_by=user,
                             answered_at=timezone.now())
        made.save()
        record(user.username, "close_finding" if kind == CHAP_NHAN else "answer_finding", f.unit_code,
               f.period, answer=made.pk, finding_key=f.key, kind=kind, text=text,
               receipt=receipt.pk if receipt else None)
    return made


def answer_line(a: FindingAnswer) -> dict:
    return {"answer_id": a.pk, "finding_key": a.finding_key, "unit_code": a.unit_period.unit_code,
            "period": a.unit_period.period, "rule": a.rule, "indicator_code": a.indicator_code,
            "kind": a.kind, "text": a.text,
            "corrected_file_sha256": a.receipt.file_sha256 if a.receipt else "",
            "answered_by": a.answered_by.username,
            "answered_at": a.answered_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}


def sync_finding_answers(path: Path) -> int:
    """Append to the answers export every answer not yet in it (the night reads it into
    raw.finding_answers). Append-only and self-healing like the receipts' and decisions'."""
    from portal.office.services import append_missing

    return append_missing(path, "answer_id", lambda done: [
        answer_line(a) for a in FindingAnswer.objects.exclude(pk__in=done)
        .select_related("answered_by", "unit_period", "receipt").order_by("pk")])
