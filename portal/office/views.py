"""The portal's pages. Each asks the role-by-action table (services.allowed) before anything
else and answers 403 when the account's role may not; every action is written to the audit log."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from base.periods import parse_period, period_label
from portal.office import services
from portal.office.models import AuditEntry, CheckedUpload, Receipt, record
from portal.office.published import unit_facts
from portal.office.roles import ROLE_NAMES


class LoginForm(AuthenticationForm):
    error_messages = {  # noqa: RUF012 - Django's own attribute
        "invalid_login": "Tên đăng nhập hoặc mật khẩu không đúng.",
        "inactive": "Tài khoản đã bị khóa.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Tên đăng nhập"
        self.fields["password"].label = "Mật khẩu"


class PortalLogin(LoginView):
    template_name = "office/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        record(form.get_user().username, "login")
        return response


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        record(request.user.username, "logout")
    logout(request)
    return redirect("office:login")


class NewPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Mật khẩu mới"
        self.fields["new_password2"].label = "Nhập lại mật khẩu mới"


@login_required
def password_view(request):
    account = _account(request)
    form = NewPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        if account is not None:
            type(account).objects.filter(pk=account.pk).update(must_change_password=False)
        record(request.user.username, "change_password")
        return redirect("office:home")
    return render(request, "office/password.html",
                  {"form": form, "first": account and account.must_change_password})


def _account(request):
    return getattr(request.user, "account", None)


def _require(request, action: str, unit_code: str = "", period=None):
    account = _account(request)
    if not services.allowed(account, action, unit_code, period):
        record(request.user.username, "refused", unit_code, period.code if period else "", tried=action)
        raise PermissionDenied(f"Vai trò của tài khoản không được phép: {action}")
    return account


@login_required
def home(request):
    account = _account(request)
    if account is None:
        raise PermissionDenied("Tài khoản chưa gắn với đơn vị nào.")
    units = services.units_seen_by(account)
    if len(units) == 1:
        return redirect("office:unit", unit_code=units[0].code)
    from portal.office import signoff

    return render(request, "office/home.html", {
        "account": account, "units": units, "role": ROLE_NAMES[account.role],
        "review_periods": signoff.review_periods(account, services.unit(account.unit_code),
                                                 timezone.localdate()),
        "can_bulk": services.allowed(account, "bulk_approve")})


def _status(row: dict) -> str:
    if not row["received_reports"]:
        return "thiếu"
    return "đúng hạn" if row["on_time_reports"] >= row["received_reports"] else "trễ hạn"


@login_required
def unit_page(request, unit_code: str):
    account = _require(request, "see_unit", unit_code)
    unit = services.unit(unit_code)
    facts = unit_facts(services.published_file(), unit_code)
    for row in facts.periods:
        row["label"] = period_label(parse_period(row["period"]))
        row["status"] = _status(row)
    receipts = Receipt.objects.filter(unit_period__unit_code=unit_code).select_related(
        "sender", "unit_period")
    can_send = services.allowed(account, "check_file", unit_code)
    periods = [(p.code, period_label(p))
               for p in services.open_periods(unit, timezone.localdate())] if can_send else []
    from portal.office import followup, signoff

    receipts = list(receipts[:30])
    for r, state in zip(receipts, signoff.receipt_states(receipts), strict=True):
        r.period_label = period_label(parse_period(r.unit_period.period))
        r.lock_text = signoff.STATE_TEXT.get(state, "")

    return render(request, "office/unit.html", {
        "account": account, "unit": unit, "facts": facts, "receipts": receipts,
        "can_send": can_send, "periods": periods, "role": ROLE_NAMES[account.role],
        "decisions": signoff.unit_decisions(unit_code),
        "holds": signoff.warehouse_holds(services.published_file(), [unit_code]),
        "followed": followup.unit_findings(services.published_file(), unit_code)})


@login_required
def template_download(request, unit_code: str, period: str):
    parsed = parse_period(period)
    if parsed is None or parsed.code != period:
        raise Http404("Kỳ báo cáo không hợp lệ")
    _require(request, "download_template", unit_code, parsed)
    from clerk.templates import Request, TemplateError, write_templates

    with tempfile.TemporaryDirectory(prefix="portal-template-") as out:
        try:
            (path,) = write_templates(Request(parsed, Path(out), services.published_file()), unit_code)
        except TemplateError as exc:
            raise Http404(str(exc)) from None
        data = path.read_bytes()
        name = path.name
    record(request.user.username, "download_template", unit_code, period)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(label="Tệp báo cáo (.xlsx, .xls, .ods, .csv)")


@login_required
def upload(request, unit_code: str):
    account = _require(request, "check_file", unit_code)
    if request.method != "POST":
        return render(request, "office/upload.html", {"unit": services.unit(unit_code), "form": UploadForm()})
    # refuse an oversized body before reading it (the reader's own limit)
    if int(request.META.get("CONTENT_LENGTH") or 0) > services.django_settings.UPLOAD_MAX_BYTES + 65536:
        return render(request, "office/upload.html", {
            "unit": services.unit(unit_code), "form": UploadForm(),
            "error": "Tệp quá lớn (tối đa 50 MB): chỉ gửi các trang báo cáo."}, status=413)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "office/upload.html", {"unit": services.unit(unit_code), "form": form},
                      status=400)
    try:
        checked = services.stage_and_check(form.cleaned_data["file"], account, request.user.username)
    except services.TooLarge:
        return render(request, "office/upload.html", {
            "unit": services.unit(unit_code), "form": UploadForm(),
            "error": "Tệp quá lớn (tối đa 50 MB): chỉ gửi các trang báo cáo."}, status=413)
    return redirect("office:send", unit_code=unit_code, token=checked.token)


def _checked(request, unit_code: str, token: str) -> CheckedUpload:
    checked = CheckedUpload.objects.filter(token=token, unit_code=unit_code, user=request.user).first()
    if checked is None:
        raise Http404("Không có tệp đã kiểm tra này")
    return checked


@login_required
def send_view(request, unit_code: str, token: str):
    account = _require(request, "send_report", unit_code)
    checked = _checked(request, unit_code, token)
    messages = list(enumerate(checked.messages))
    warnings = [(i, m) for i, m in messages if m["label"] != "Lỗi"]
    errors = [(i, m) for i, m in messages if m["label"] == "Lỗi"]
    period = parse_period(checked.period) if checked.period else None
    context = {"unit": services.unit(unit_code), "checked": checked, "errors": errors,
               "warnings": warnings, "period_label": period_label(period) if period else "",
               "missing": set()}
    if request.method == "POST" and not checked.refusal and not checked.sent:
        _require(request, "send_report", unit_code, period)
        explanations = {i: request.POST.get(f"giai_thich_{i}", "").strip()[:1000] for i, _ in warnings}
        missing = {i for i, text in explanations.items() if not text}
        if missing:
            context["missing"] = missing
            context["error"] = "Mỗi cảnh báo cần một dòng giải thích trước khi gửi."
            return render(request, "office/send.html", context, status=400)
        try:
            receipt = services.send(checked, account, request.user.username, explanations)
        except services.StagedGone:
            context["error"] = ("Tệp này đã tải lên quá lâu mà chưa gửi nên không còn được giữ: "
                                "xin tải lên lại.")
            return render(request, "office/send.html", context, status=410)
        return redirect("office:receipt", receipt_id=receipt.pk)
    return render(request, "office/send.html", context)


@login_required
def receipt_view(request, receipt_id: int):
    receipt = get_object_or_404(Receipt.objects.select_related("sender", "unit_period"), pk=receipt_id)
    _require(request, "see_receipt", receipt.unit_period.unit_code)
    period = parse_period(receipt.unit_period.period)
    from portal.office import signoff

    (state,) = signoff.receipt_states([receipt])
    return render(request, "office/receipt.html", {
        "lock_text": signoff.STATE_TEXT.get(state, ""),
        "receipt": receipt, "unit": services.unit(receipt.unit_period.unit_code),
        "period_label": period_label(period) if period else receipt.unit_period.period,
        "received_local": timezone.localtime(receipt.received_at)})


@login_required
def audit_view(request):
    _require(request, "see_audit_log")
    return render(request, "office/audit.html", {"entries": AuditEntry.objects.all()[:300]})


