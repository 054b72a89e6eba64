"""The portal's records. Receipts and the audit log are append-only: a row once written is
never changed or deleted, by the model, its queryset or the admin.

Part 2 (sign-off, locks, follow-up) hangs its decisions on what is here: a `UnitPeriod`
(unit and period: approvals, returns, exceptions, locks) or a file's fingerprint (a
`Receipt`: what was approved; answers to findings point to the new file).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone

from portal.office.roles import CLERK, OFFICE, REVIEWER, ROLE_NAMES


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("bản ghi chỉ được thêm, không được sửa")

    def delete(self):
        raise PermissionDenied("bản ghi chỉ được thêm, không được xóa")


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None or kwargs.get("force_update"):
            raise PermissionDenied("bản ghi chỉ được thêm, không được sửa")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("bản ghi chỉ được thêm, không được xóa")


class Account(models.Model):
    """One person: one unit, one role (docs/spec/portal.md, "Who")."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account")
    unit_code = models.CharField("mã đơn vị", max_length=20)
    role = models.CharField("vai trò", max_length=20,
                            choices=[(r, ROLE_NAMES[r]) for r in (CLERK, REVIEWER, OFFICE)])
    must_change_password = models.BooleanField("phải đổi mật khẩu", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "tài khoản"

    def __str__(self) -> str:
        return f"{self.user.username} ({ROLE_NAMES[self.role]}, {self.unit_code})"


class UnitPeriod(models.Model):
    """A unit's report for a period: what part 2's decisions (approve, return, exception,
    lock) are about."""

    unit_code = models.CharField(max_length=20)
    period = models.CharField(max_length=10)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["unit_code", "period"], name="one_unit_period"),)
        verbose_name = verbose_name_plural = "kỳ báo cáo của đơn vị"

    def __str__(self) -> str:
        return f"{self.unit_code} {self.period}"


class CheckedUpload(models.Model):
    """A file uploaded and checked, kept (under a name of the portal's own) until sent."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    unit_code = models.CharField(max_length=20)
    period = models.CharField(max_length=10, blank=True)
    file_sha256 = models.CharField(max_length=64)
    suffix = models.CharField(max_length=5)
    size_bytes = models.BigIntegerField()
    shown_name = models.CharField(max_length=255)  # shown to the clerk only, never a path
    messages = models.JSONField(default=list)
    refusal = models.TextField(blank=True)  # why it may not be sent, in Vietnamese
    created_at = models.DateTimeField(default=timezone.now)
    sent = models.BooleanField(default=False)


class Receipt(AppendOnly):
    """What the clerk is given on sending, and what the night takes as the file's arrival."""

    file_sha256 = models.CharField("dấu vân tay (SHA-256)", max_length=64, db_index=True)
    unit_period = models.ForeignKey(UnitPeriod, on_delete=models.PROTECT)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    received_at = models.DateTimeField("thời điểm nhận", default=timezone.now)
    inbox_path = models.CharField(max_length=300)  # relative to the inbox, made of codes and the fingerprint
    size_bytes = models.BigIntegerField()
    shown_name = models.CharField("tên tệp", max_length=255)
    explanations = models.JSONField("giải thích cảnh báo", default=list)

    class Meta:
        verbose_name = verbose_name_plural = "biên nhận"
        ordering = ("-received_at",)


class AuditEntry(AppendOnly):
    """Who did what, when: every action on the portal, never edited."""

    at = models.DateTimeField("lúc", default=timezone.now, db_index=True)
    username = models.CharField("tài khoản", max_length=150)
    action = models.CharField("thao tác", max_length=40)
    unit_code = models.CharField("đơn vị", max_length=20, blank=True)
    period = models.CharField("kỳ", max_length=10, blank=True)
    detail = models.JSONField("chi tiết", default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "nhật ký thao tác"
        ordering = ("-at",)


def record(username: str, action: str, unit_code: str = "", period: str = "", **detail) -> AuditEntry:
    entry = AuditEntry(username=username, action=action, unit_code=unit_code, period=period, detail=detail)
    entry.save()
    return entry


APPROVED, RETURNED, ACCEPTED, EXCEPTION = "approved", "returned", "accepted", "exception"
DECISION_NAMES = {APPROVED: "đã duyệt", RETURNED: "trả lại", ACCEPTED: "tỉnh đã chấp nhận",
                  EXCEPTION: "được phép sửa"}


class Decision(AppendOnly):
    """A reviewer's approval or return of a unit's period, the office's acceptance of the
    province's period, or the office's exception on an approved unit-period (its later files
    may replace the approved figures, to be approved again; docs/spec/portal.md, "Sign off").
    Never edited: a later decision on the same unit-period supersedes it, and the history stays."""

    unit_period = models.ForeignKey(UnitPeriod, on_delete=models.PROTECT, related_name="decisions")
    decision = models.CharField("quyết định", max_length=20, choices=[
        (d, DECISION_NAMES[d]) for d in (APPROVED, RETURNED, ACCEPTED, EXCEPTION)])
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    decided_at = models.DateTimeField("lúc", default=timezone.now)
    figures_sha256 = models.CharField("dấu vân tay số liệu đã duyệt", max_length=64, blank=True)
    note = models.TextField("lý do / ghi chú", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "quyết định duyệt"
        ordering = ("-decided_at", "-pk")


GIAI_TRINH, DA_SUA, CHAP_NHAN = "giai_trinh", "da_sua", "chap_nhan"
ANSWER_NAMES = {GIAI_TRINH: "giải trình", DA_SUA: "đã sửa", CHAP_NHAN: "chấp nhận"}


class FindingAnswer(AppendOnly):
    """An answer to a finding on a unit's figures (docs/spec/portal.md, "Follow up"): its
    unit's explanation (giải trình) or correction (đã sửa, naming the receipt of the new
    file), or a reviewer's acceptance (chấp nhận). Keyed by the warehouse's finding key
    (marts.data_quality_findings.finding_key, stable across corrected files). Never edited:
    the answers of a finding, in order, are its history."""

    finding_key = models.CharField("mã phát hiện", max_length=32, db_index=True)
    unit_period = models.ForeignKey(UnitPeriod, on_delete=models.PROTECT, related_name="finding_answers")
    rule = models.CharField("quy tắc", max_length=80, blank=True)
    indicator_code = models.CharField("chỉ tiêu", max_length=40, blank=True)
    kind = models.CharField("loại trả lời", max_length=20,
                            choices=[(k, ANSWER_NAMES[k]) for k in (GIAI_TRINH, DA_SUA, CHAP_NHAN)])
    text = models.TextField("nội dung", blank=True)
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, null=True, blank=True,
                                verbose_name="biên nhận của tệp đã sửa")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    answered_at = models.DateTimeField("lúc", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "trả lời phát hiện"
        ordering = ("answered_at", "pk")
