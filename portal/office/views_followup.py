"""Follow-up pages: a finding with its history, the clerk's answer (giải trình, đã sửa) and
the reviewer's acceptance (chấp nhận). Each asks the role table first (views._require);
each answer is written to the audit log and the answers export the night reads."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from base.periods import period_label
from portal.office import followup, services
from portal.office.models import CHAP_NHAN, DA_SUA, GIAI_TRINH
from portal.office.views import _require, login_required
from portal.office.views_signoff import _period

ERRORS = {  # what a redirect's ?loi= says (never the query's own text)
    "can-noi-dung": "Giải trình cần ghi nội dung.",
    "can-bien-nhan": "Chọn biên nhận của tệp đã sửa (gửi sau khi có phát hiện).",
    "chua-tra-loi": "Chỉ chấp nhận được phát hiện đã có giải trình hoặc đã sửa.",
}
REFUSALS = {v: k for k, v in ERRORS.items()}


def _found(unit_code: str, period: str, key: str) -> followup.Finding:
    f = followup.finding(services.published_file(), unit_code, period, key)
    if f is None:
        raise Http404("Không tìm thấy phát hiện này trong số liệu đã công bố.")
    return f


@login_required
def finding_page(request, unit_code: str, period: str, key: str):
    p = _period(period)
    account = _require(request, "see_unit", unit_code)
    f = _found(unit_code, p.code, key)
    return render(request, "office/finding.html", {
        "unit": services.unit(unit_code, p.last_day), "finding": f, "period_label": period_label(p),
        "history": followup.history(f.key),
        "can_answer": services.allowed(account, "answer_finding", unit_code, p),
        "can_close": services.allowed(account, "close_finding", unit_code, p) and f.status == "answered",
        "receipts": [(r, timezone.localtime(r.received_at)) for r in followup.newer_receipts(f)],
        "error": ERRORS.get(request.GET.get("loi", ""), "")})


def _act(request, unit_code: str, period: str, key: str, action: str, kind: str):
    p = _period(period)
    _require(request, action, unit_code, p)
    f = _found(unit_code, p.code, key)
    try:
        followup.answer(f, kind, request.POST.get("noi_dung", ""), request.user,
                        request.POST.get("bien_nhan", ""))
    except followup.AnswerRefused as refused:
        return redirect(f"/don-vi/{unit_code}/ky/{p.code}/phat-hien/{f.key}/?loi={REFUSALS[str(refused)]}")
    followup.sync_finding_answers(services.chitieu_settings().finding_answers_file)
    return redirect("office:finding", unit_code=unit_code, period=p.code, key=f.key)


@login_required
@require_POST
def answer_view(request, unit_code: str, period: str, key: str):
    kind = request.POST.get("loai", GIAI_TRINH)
    return _act(request, unit_code, period, key, "answer_finding", kind if kind == DA_SUA else GIAI_TRINH)


@login_required
@require_POST
def close_view(request, unit_code: str, period: str, key: str):
    return _act(request, unit_code, period, key, "close_finding", CHAP_NHAN)
