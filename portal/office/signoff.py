"""Sign off (docs/spec/portal.md): who reviews which units for a period, what a reviewer
sees of each, and the decisions (approve, return, accept, bulk approval of past periods,
the office's exception on an approved unit-period), the lock an approval puts on the files
that arrive after it (held until an exception), exported append-only for the night as
receipts are (ingest/decisions.py reads the export into raw.decisions, which rebuilds the
decisions' periods)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from base.periods import Period, parse_period, period_label
from base.reference import Unit, load_units
from portal.office.models import (
    ACCEPTED,
    APPROVED,
    EXCEPTION,
    RETURNED,
    Decision,
    Receipt,
    UnitPeriod,
    record,
)
from portal.office.published import figures_fingerprints, held_in_warehouse, period_review


def previous_period(p: Period) -> Period:
    """The period of the same kind just before `p` (December before January, and so on)."""
    before = p.first_day - timedelta(days=1)
    y, m = before.year, before.month
    code = {"month": f"{y}-{m:02d}", "quarter": f"{y}-Q{(m - 1) // 3 + 1}",
            "half": f"{y}-H{(m - 1) // 6 + 1}"}.get(p.period_type, str(y))
    return parse_period(code)


def same_period_last_year(p: Period) -> Period:
    year = p.first_day.year
    return parse_period(p.code.replace(str(year), str(year - 1), 1))


def units_below(parent_code: str, period: Period) -> list[Unit]:
    """The units a reviewer of `parent_code` signs off for `period`: those whose parent it was
    on the period's last day and whose level reports that period (a district's communes
    before 1 July 2025; the province's communes directly from it)."""
    from base.calendar import rules_for

    levels = set(rules_for(period))
    day = period.last_day
    return sorted((u for u in load_units() if u.parent_code == parent_code and u.exists_on(day)
                   and u.level in levels), key=lambda u: u.code)


def units_signed_for_province(province: str, period: Period) -> list[Unit]:
    """Every unit the province's acceptance of `period` waits for: the units below it and,
    before the reform, the units below its districts."""
    found = []
    for u in units_below(province, period):
        found.append(u)
        found.extend(units_below(u.code, period))
    return found


def latest_decisions(unit_codes: list[str], period: str) -> dict[str, Decision]:
    latest: dict[str, Decision] = {}
    for d in Decision.objects.filter(unit_period__unit_code__in=unit_codes, unit_period__period=period)\
            .exclude(decision=ACCEPTED).select_related("decided_by", "unit_period")\
            .order_by("decided_at", "pk"):
        latest[d.unit_period.unit_code] = d
    return latest


@dataclass
class ReviewRow:
    unit: Unit
    received: bool
    on_time: bool | None
    portal_receipts: int
    findings: list[dict]
    figures: list[dict]  # indicator, value now, last period, last year
    fingerprint: str
    decision: Decision | None
    changed_since_approval: bool = field(default=False)
    held: int = 0  # files received after the approval, held by its lock
    locked: bool = False  # approved, no exception since: the office may grant one

    @property
    def status(self) -> str:
        if self.decision is None:
            return "chờ duyệt" if self.received else "chưa nhận"
        if self.decision.decision == RETURNED:
            return "đã trả lại"
        if self.decision.decision == EXCEPTION:
            return "được phép sửa, chờ duyệt lại"
        return "đã thay đổi sau khi duyệt" if self.changed_since_approval else "đã duyệt"


def review(parent_code: str, period: Period, published: Path | None) -> list[ReviewRow]:
    units = units_below(parent_code, period)
    codes = [u.code for u in units]
    facts = period_review(published, codes, period.code, previous_period(period).code,
                          same_period_last_year(period).code)
    decisions = latest_decisions(codes, period.code)
    locked = locked_units(codes, period.code)
    receipts: dict[str, int] = {}
    held: dict[str, int] = {}
    found = list(Receipt.objects.filter(unit_period__unit_code__in=codes, unit_period__period=period.code)
                 .select_related("unit_period"))
    for r in found:
        receipts[r.unit_period.unit_code] = receipts.get(r.unit_period.unit_code, 0) + 1
    for r, state in zip(found, receipt_states(found), strict=True):
        if state == HELD:
            held[r.unit_period.unit_code] = held.get(r.unit_period.unit_code, 0) + 1
    for h in warehouse_holds(published, codes, period.code):  # dropped files, communes' table rows
        if h["state"] == HELD and h["unit_code"] in codes:
            held[h["unit_code"]] = held.get(h["unit_code"], 0) + 1
    rows = []
    for u in units:
        f = facts.get(u.code, {})
        d = decisions.get(u.code)
        fp = f.get("fingerprint", "")
        rows.append(ReviewRow(
            unit=u, received=bool(f.get("received")) or u.code in receipts,
            on_time=f.get("on_time"), portal_receipts=receipts.get(u.code, 0),
            findings=f.get("findings", []), figures=f.get("figures", []), fingerprint=fp, decision=d,
            changed_since_approval=bool(d and d.decision == APPROVED and d.figures_sha256 != fp),
            held=held.get(u.code, 0), locked=u.code in locked))
    return sorted(rows, key=lambda r: not r.received)  # what there is to review first, by code


def unit_decisions(unit_code: str) -> list[Decision]:
    """A unit's latest decision of each period, newest period first: what its clerk sees
    (a return's reason above all)."""
    latest: dict[str, Decision] = {}
    for d in Decision.objects.filter(unit_period__unit_code=unit_code).exclude(decision=ACCEPTED)\
            .select_related("decided_by", "unit_period").order_by("decided_at", "pk"):
        latest[d.unit_period.period] = d
    for period, d in latest.items():
        d.period_label = period_label(parse_period(period))
    return sorted(latest.values(), key=lambda d: parse_period(d.unit_period.period).last_day, reverse=True)


def review_periods(account, unit: Unit | None, today: date) -> list[tuple[str, str]]:
    """The periods whose review page the account may open from this unit's page: those its
    units below reported in, over the last 14 months and this year."""
    from portal.office.services import allowed, open_periods

    if unit is None or not allowed(account, "review_period", unit.code):
        return []
    children = {u.code: u for u in load_units() if u.parent_code == unit.code}
    found: dict[str, Period] = {}
    for child in children.values():
        for p in open_periods(child, today):
            if p.code not in found and allowed(account, "review_period", unit.code, p) \
                    and units_below(unit.code, p):
                found[p.code] = p
    return [(p.code, period_label(p)) for p in
            sorted(found.values(), key=lambda p: (p.last_day, p.period_type), reverse=True)]


def decide(unit_code: str, period: str, decision: str, user, fingerprint: str = "",
           note: str = "") -> Decision:
    with transaction.atomic():
        up, _ = UnitPeriod.objects.get_or_create(unit_code=unit_code, period=period)
        made = Decision(unit_period=up, decision=decision, decided_by=user, decided_at=timezone.now(),
                        figures_sha256=fingerprint, note=note)
        made.save()
        record(user.username, {APPROVED: "approve_period", RETURNED: "return_period",
                               ACCEPTED: "accept_period", EXCEPTION: "grant_exception"}[decision],
               unit_code, period,
               decision=made.pk, figures_sha256=fingerprint, note=note)
    return made


# A file's state under the lock (docs/spec/portal.md, "Sign off"), as the night judges it
# (dbt int_held_submissions): HELD, its values kept out of the published marts; REOPENED, an
# exception let them in and the unit-period waits to be approved again; REOPENED_BY_RETURN,
# the reviewer returned the period after approving it (the clerk is to correct it, so the
# lock is lifted as by an exception); "" otherwise.
HELD, REOPENED, REOPENED_BY_RETURN = "held", "reopened", "returned"
STATE_TEXT = {HELD: "Đã nhận, đang giữ: kỳ này đã được duyệt, chờ Cục Thống kê cho phép sửa",
              REOPENED: "Cục Thống kê đã cho phép sửa: số liệu của tệp đang chờ duyệt lại",
              REOPENED_BY_RETURN: "Kỳ này đã bị trả lại sau khi duyệt: số liệu của tệp đang chờ duyệt lại"}


def lock_state(decisions: list[Decision], arrived_at: datetime) -> str:
    """The state of a file of a unit-period that arrived at `arrived_at`, from that
    unit-period's decisions. The lock in force is the latest approval before the file
    arrived; the file is held unless the office granted an exception, or the reviewer
    returned the period, after that approval (before the file came, or since: either lets
    its values in, as the return asks the clerk for a correction). A return alone is no
    lock; approving again does not release a held file."""
    approvals = [d.decided_at for d in decisions if d.decision == APPROVED and d.decided_at < arrived_at]
    if not approvals:
        return ""
    lock = max(approvals)
    releases = sorted((d.decided_at, d.decision) for d in decisions
                      if d.decision in (EXCEPTION, RETURNED) and d.decided_at > lock)
    if not releases:
        return HELD
    reopened, how = releases[0]
    approved_again = any(d.decision == APPROVED and d.decided_at > reopened for d in decisions)
    if approved_again:
        return ""
    return REOPENED_BY_RETURN if how == RETURNED else REOPENED


def _lock_decisions(keys: set[tuple[str, str]]) -> dict[tuple[str, str], list[Decision]]:
    """The approvals, returns and exceptions of each (unit, period) of `keys`, read at once."""
    by_key: dict[tuple[str, str], list[Decision]] = {k: [] for k in keys}
    lock_decisions = (APPROVED, RETURNED, EXCEPTION)
    for d in Decision.objects.filter(unit_period__unit_code__in={k[0] for k in keys},
                                     decision__in=lock_decisions).select_related("unit_period"):
        key = (d.unit_period.unit_code, d.unit_period.period)
        if key in by_key:
            by_key[key].append(d)
    return by_key


def receipt_states(receipts: list[Receipt]) -> list[str]:
    """lock_state of each receipt (its unit-period's decisions read once)."""
    by_key = _lock_decisions({(r.unit_period.unit_code, r.unit_period.period) for r in receipts})
    return [lock_state(by_key[(r.unit_period.unit_code, r.unit_period.period)], r.received_at)
            for r in receipts]


def warehouse_holds(published: Path | None, unit_codes: list[str], period: str | None = None) -> list[dict]:
    """The files last night's build held for these units (marts.held_submissions) that no
    portal receipt of the held unit shows: a file dropped into the inbox directly, or a
    commune's row of its district's table. Each with its state now, judged by lock_state
    on the portal's decisions as a receipt's is (an exception granted since the night shows
    at once; a file the next approval took in is no longer listed)."""
    rows = held_in_warehouse(published, unit_codes, period)
    if not rows:
        return []
    shown = {(r.file_sha256, r.unit_period.unit_code) for r in Receipt.objects.filter(
        file_sha256__in={row["file_sha256"] for row in rows}).select_related("unit_period")}
    by_key = _lock_decisions({(row["unit_code"], row["period"]) for row in rows})
    found = []
    for row in rows:
        if (row["file_sha256"], row["unit_code"]) in shown:
            continue
        state = lock_state(by_key[(row["unit_code"], row["period"])], row["arrived_at"].replace(tzinfo=UTC))
        if state:
            parsed = parse_period(row["period"])
            found.append({**row, "state": state, "lock_text": STATE_TEXT[state],
                          "period_label": period_label(parsed) if parsed else row["period"],
                          "arrived_local": timezone.localtime(row["arrived_at"].replace(tzinfo=UTC))})
    return found


def locked_units(unit_codes: list[str], period: str) -> set[str]:
    """The units whose period is locked now: approved, with no exception nor return since that approval
    (a file arriving now would be held; the office may grant an exception)."""
    found: dict[str, list[Decision]] = {}
    lock_decisions = (APPROVED, RETURNED, EXCEPTION)
    for d in Decision.objects.filter(unit_period__unit_code__in=unit_codes, unit_period__period=period,
                                     decision__in=lock_decisions).select_related("unit_period"):
        found.setdefault(d.unit_period.unit_code, []).append(d)
    forever = datetime.max.replace(tzinfo=UTC)
    return {code for code, made in found.items() if lock_state(made, forever) == HELD}


def province_ready(province: str, period: Period) -> list[Unit]:
    """The units still not approved (empty: the office may accept the period)."""
    units = units_signed_for_province(province, period)
    latest = latest_decisions([u.code for u in units], period.code)
    return [u for u in units if u.code not in latest or latest[u.code].decision != APPROVED]


def bulk_approve(province: str, before: date, user, published: Path | None) -> int:
    """An office starting out approves, in one go, every unit-period of the published
    warehouse that ended before `before` and has figures but no decision yet; each gets its
    own decision (with the fingerprint of its figures) and its own audit line."""
    done = 0
    units = {u.code for u in load_units()}
    decided = {(d.unit_period.unit_code, d.unit_period.period) for d in
               Decision.objects.select_related("unit_period")}
    for (unit_code, period_code), fp in sorted(figures_fingerprints(published).items()):
        p = parse_period(period_code)
        if p is None or p.last_day >= before or unit_code not in units or unit_code == province \
                or (unit_code, period_code) in decided:
            continue
        decide(unit_code, period_code, APPROVED, user, fp, "duyệt hàng loạt các kỳ đã qua")
        done += 1
    return done


def decision_line(d: Decision) -> dict:
    return {"decision_id": d.pk, "unit_code": d.unit_period.unit_code, "period": d.unit_period.period,
            "decision": d.decision, "decided_by": d.decided_by.username,
            "decided_at": d.decided_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "figures_sha256": d.figures_sha256, "note": d.note}


def sync_decisions(path: Path) -> int:
    """Append to the decisions export every decision not yet in it (the night reads it into
    raw.decisions: ingest/decisions.py). Append-only and self-healing like the receipts'."""
    from portal.office.services import append_missing

    return append_missing(path, "decision_id", lambda done: [
        decision_line(d) for d in Decision.objects.exclude(pk__in=done)
        .select_related("decided_by", "unit_period").order_by("pk")])
