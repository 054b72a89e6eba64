"""The weekly e-mail to each reviewer (docs/reviewer.md): the findings of the units it
reviews that wait for it, those answered and not yet accepted first, then those still
unanswered, oldest first, in Vietnamese. Sent with the alerts' mail settings and code
(chitieu/alerts.py: login, STARTTLS or SSL, one deadline for all of a message), one
message per reviewer to its account's e-mail address. A mail server that refuses or is
down is reported per reviewer, never raised: the others still get theirs."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from django.urls import reverse

from base.periods import parse_period, period_label
from portal.office import followup, services
from portal.office.models import Account
from portal.office.roles import REVIEWER


@dataclass
class Digest:
    account: Account
    answered: list[followup.Finding] = field(default_factory=list)
    unanswered: list[followup.Finding] = field(default_factory=list)


@dataclass
class Outcome:
    sent: list[str] = field(default_factory=list)  # "username <address>: n findings"
    unsent: list[str] = field(default_factory=list)  # "username <address>: why"
    skipped: list[str] = field(default_factory=list)  # no address, or nothing waiting


def waiting(published) -> list[Digest]:
    """For every reviewer, the findings it may close (units below it in the finding's period)
    that are answered and not accepted, or not answered at all."""
    findings = followup.published_findings(published, "status IN ('open', 'answered')", []) or []
    findings = [f for f in findings if f.status in ("open", "answered")]
    digests = []
    for account in Account.objects.filter(role=REVIEWER).select_related("user").order_by("user__username"):
        d = Digest(account)
        for f in findings:
            p = parse_period(f.period)
            if p is not None and services.allowed(account, "close_finding", f.unit_code, p):
                (d.answered if f.status == "answered" else d.unanswered).append(f)
        d.unanswered.sort(key=lambda f: -(f.age_days or 0))
        digests.append(d)
    return digests


def _line(f: followup.Finding, portal: str) -> str:
    """One finding: unit, period, indicator, what, age; under it the link to its page on the
    portal (`portal`: the address people open it by, settings.portal_base_url)."""
    unit = services.unit(f.unit_code)
    p = parse_period(f.period)
    age = f" ({f.age_days} ngày)" if f.age_days is not None else ""
    return (f"- {unit.name if unit else f.unit_code} ({f.unit_code}), {period_label(p) if p else f.period}, "
            f"{f.indicator_code or f.rule}: {f.title or f.message}{age}\n"
            f"  {portal}{reverse('office:finding', args=[f.unit_code, f.period, f.key])}")


def message(d: Digest, portal: str) -> tuple[str, str]:
    """Subject and body, in Vietnamese, each finding linked to its page on `portal`."""
    subject = (f"Phát hiện chờ xử lý: {len(d.answered)} chờ chấp nhận, "
               f"{len(d.unanswered)} chưa được trả lời")
    parts = [f"Kính gửi {d.account.user.get_full_name() or d.account.user.username},", "",
             "Các phát hiện về số liệu của các đơn vị anh/chị duyệt đang chờ xử lý "
             "(theo số liệu đã công bố mới nhất và các trả lời trên cổng báo cáo).", ""]
    if d.answered:
        parts += ["Đơn vị đã trả lời, chờ anh/chị chấp nhận:", *[_line(f, portal) for f in d.answered], ""]
    if d.unanswered:
        parts += ["Chưa được đơn vị trả lời (lâu nhất trước):", *[_line(f, portal) for f in d.unanswered], ""]
    parts += ["Mở từng phát hiện trên cổng báo cáo để xem lịch sử và chấp nhận.",
              "Thư này được gửi tự động mỗi tuần."]
    return subject, "\n".join(parts)


def send_digests(settings=None, published=None) -> Outcome:
    from chitieu.alerts import AlertNotSent, compose, deliver

    settings = settings or services.chitieu_settings()
    published = published if published is not None else services.published_file()
    outcome = Outcome()
    for d in waiting(published):
        who = d.account.user.username
        address = (d.account.user.email or "").strip()
        if not address:
            outcome.skipped.append(f"{who}: no e-mail address on the account")
            continue
        if not d.answered and not d.unanswered:
            outcome.skipped.append(f"{who}: nothing waiting")
            continue
        if not settings.smtp_host:
            outcome.unsent.append(f"{who} <{address}>: no mail server set (smtp_host in chitieu.toml)")
            continue
        to = dataclasses.replace(settings, alert_to=(address,))
        try:
            deliver(to, compose(to, *message(d, settings.portal_base_url)))
        except AlertNotSent as exc:
            outcome.unsent.append(f"{who} <{address}>: {exc}")
            continue
        outcome.sent.append(f"{who} <{address}>: {len(d.answered) + len(d.unanswered)} findings")
    return outcome
