"""The statistics office's admin: accounts are managed here; receipts and the audit log are
shown read-only (no add, change or delete, whoever asks)."""

from django.contrib import admin

from portal.office.models import Account, AuditEntry, Decision, FindingAnswer, Receipt


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnly):
    list_display = ("at", "username", "action", "unit_code", "period")
    list_filter = ("action",)


@admin.register(Receipt)
class ReceiptAdmin(ReadOnly):
    list_display = ("received_at", "file_sha256", "sender", "unit_period")


@admin.register(Decision)
class DecisionAdmin(ReadOnly):
    list_display = ("decided_at", "unit_period", "decision", "decided_by", "figures_sha256")
    list_filter = ("decision",)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("user", "unit_code", "role", "must_change_password")
    list_filter = ("role",)


@admin.register(FindingAnswer)
class FindingAnswerAdmin(ReadOnly):
    list_display = ("answered_at", "unit_period", "finding_key", "kind", "answered_by", "receipt")
    list_filter = ("kind",)
