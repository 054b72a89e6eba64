"""Sign-off pages: a reviewer's period page (each unit below, its status, findings and
figures), approve, return with a reason, the office's acceptance of the province's period,
its exception on an approved unit-period and its bulk approval of past periods. Each asks
the role table first (views._require)."""

from __future__ import annotations

from datetime import date

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from base.periods import Period, parse_period, period_label
from portal.office import services, signoff
from portal.office.models import ACCEPTED, APPROVED, EXCEPTION, RETURNED, Decision
from portal.office.views import _require, login_required


def _period(code: str) -> Period:
    parsed = parse_period(code)
    if parsed is None or parsed.code != code:
        raise Http404("Kỳ báo cáo không hợp lệ")
    return parsed


def _export() -> None:
    signoff.sync_decisions(services.chitieu_settings().decisions_file)


@login_required
def review_page(request, unit_code: str, period: str):
    p = _period(period)
    account = _require(request, "review_period", unit_code, p)
    rows = signoff.review(unit_code, p, services.published_file())
    for row in rows:
        row.can_approve = services.allowed(account, "approve_period", row.unit.code, p)
        row.can_grant = row.locked and services.allowed(account, "grant_exception", row.unit.code, p)
    unit = services.unit(unit_code, p.last_day)
    accepted = Decision.objects.filter(unit_period__unit_code=unit_code, unit_period__period=p.code,
                                       decision=ACCEPTED).select_related("decided_by").first()
    can_accept = unit is not None and unit.level == "province" and services.allowed(
        account, "accept_period", unit_code, p)
    return render(request, "office/review.html", {
        "unit": unit, "period": p, "period_label": period_label(p), "rows": rows,
        "previous_label": period_label(signoff.previous_period(p)),
        "last_year_label": "" if p.period_type == "year" else period_label(signoff.same_period_last_year(p)),
        "accepted": accepted, "can_accept": can_accept,
        "waiting": signoff.province_ready(unit_code, p) if can_accept else [],
        "error": ERRORS.get(request.GET.get("loi", ""), "")})


ERRORS = {  # what a redirect's ?loi= says, in Vietnamese (never the query's own text)
    "so-lieu-da-thay-doi": "Số liệu đã thay đổi từ khi trang được mở: xem lại rồi duyệt.",
    "can-ly-do": "Trả lại cần ghi lý do để đơn vị biết cần sửa gì.",
    "chua-co-so-lieu": "Đơn vị chưa có số liệu công bố cho kỳ này: chưa duyệt được.",
    "con-don-vi-chua-duyet": "Còn đơn vị chưa được duyệt: chưa chấp nhận kỳ của tỉnh được.",
    "can-ly-do-sua": "Cho phép sửa cần ghi lý do (vì sao số liệu đã duyệt được thay).",
    "chua-khoa": "Kỳ này của đơn vị chưa được duyệt, hoặc đã được phép sửa: không cần cho phép.",
}


def _back(unit_code: str, p: Period, error: str = ""):
    parent = services.unit(unit_code, p.last_day)
    response = redirect("office:review", unit_code=parent.parent_code if parent and parent.parent_code
                        else unit_code, period=p.code)
    if error:
        response["Location"] += "?loi=" + error
    return response


@login_required
@require_POST
def approve(request, unit_code: str, period: str):
    p = _period(period)
    _require(request, "approve_period", unit_code, p)
    shown = request.POST.get("fingerprint", "")
    (row,) = [r for r in signoff.review(services.unit(unit_code, p.last_day).parent_code, p,
                                        services.published_file()) if r.unit.code == unit_code]
    if not row.fingerprint:
        return _back(unit_code, p, "chua-co-so-lieu")  # nothing published to approve
    if shown != row.fingerprint:
        return _back(unit_code, p, "so-lieu-da-thay-doi")  # a night published new figures since
    signoff.decide(unit_code, p.code, APPROVED, request.user, row.fingerprint)
    _export()
    return _back(unit_code, p)


@login_required
@require_POST
def return_view(request, unit_code: str, period: str):
    p = _period(period)
    _require(request, "return_period", unit_code, p)
    reason = request.POST.get("ly_do", "").strip()[:1000]
    if not reason:
        return _back(unit_code, p, "can-ly-do")
    signoff.decide(unit_code, p.code, RETURNED, request.user, note=reason)
    _export()
    return _back(unit_code, p)


@login_required
@require_POST
def grant_exception(request, unit_code: str, period: str):
    """The province's office lets the files of an approved unit-period received after its
    approval (and any sent from now on) replace the approved figures, which then wait to be
    approved again."""
    p = _period(period)
    _require(request, "grant_exception", unit_code, p)
    reason = request.POST.get("ly_do", "").strip()[:1000]
    if not reason:
        return _back(unit_code, p, "can-ly-do-sua")
    if unit_code not in signoff.locked_units([unit_code], p.code):
        return _back(unit_code, p, "chua-khoa")
    signoff.decide(unit_code, p.code, EXCEPTION, request.user, note=reason)
    _export()
    return _back(unit_code, p)


@login_required
@require_POST
def accept(request, unit_code: str, period: str):
    p = _period(period)
    _require(request, "accept_period", unit_code, p)
    unit = services.unit(unit_code, p.last_day)
    if unit is None or unit.level != "province":
        raise Http404("Chỉ chấp nhận kỳ của tỉnh")
    if signoff.province_ready(unit_code, p):
        return redirect(f"/duyet/{unit_code}/{p.code}/?loi=con-don-vi-chua-duyet")
    signoff.decide(unit_code, p.code, ACCEPTED, request.user)
    _export()
    return redirect("office:review", unit_code=unit_code, period=p.code)


@login_required
def bulk(request):
    account = _require(request, "bulk_approve")
    done = None
    if request.method == "POST":
        try:
            before = date.fromisoformat(request.POST.get("truoc_ngay", ""))
        except ValueError:
            before = None
        if before is None or before > timezone.localdate():
            return render(request, "office/bulk.html", {
                "error": "Ngày không hợp lệ: chọn một ngày không muộn hơn hôm nay."}, status=400)
        done = signoff.bulk_approve(account.unit_code, before, request.user, services.published_file())
        _export()
    return render(request, "office/bulk.html", {"done": done})

