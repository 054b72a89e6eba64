"""The portal's work, apart from the web: who may act on which unit, checking an upload with
validate's messages, placing a file in the inbox whole or not at all, and the receipts
export the night reads."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import shutil
from dataclasses import asdict
from datetime import UTC, date
from pathlib import Path, PurePath

from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone

from base.periods import Period, parse_period, period_label
from base.reference import Unit, load_units
from portal.office.models import Account, CheckedUpload, Receipt, UnitPeriod, record
from portal.office.roles import ACTIONS, in_scope

# The kinds the reader reads (ingest/sources.py); the stored name takes its suffix from here.
SUFFIXES = {".xlsx": ".xlsx", ".xls": ".xls", ".ods": ".ods", ".csv": ".csv"}


def chitieu_settings():
    from base.settings import Settings

    return Settings.from_env()


def versions(code: str) -> list[Unit]:
    """Every version of a unit code in the unit list: a code may live on across the 2025
    reform under another parent (a commune of a district, then of the province)."""
    return [u for u in load_units() if u.code == code]


def unit(code: str, day: date | None = None) -> Unit | None:
    """The unit of that code on `day`, or its latest version."""
    found = versions(code)
    if day is not None:
        return next((u for u in found if u.exists_on(day)), None)
    return max(found, key=lambda u: u.valid_to, default=None)


def allowed(account: Account | None, action: str, unit_code: str = "", period: Period | None = None) -> bool:
    """The role-by-action table (roles.py) applied: the account's role has a scope for the
    action and the unit is in it; for a period, as the units stood on its last day, both
    existing then (a ceased unit's accounts act only on periods in which it existed)."""
    if account is None:
        return False
    scope = ACTIONS[action].scopes.get(account.role)
    if scope is None:
        return False
    if not unit_code:
        return scope == "all"
    if period is not None:
        own, target = unit(account.unit_code, period.last_day), unit(unit_code, period.last_day)
        return own is not None and target is not None and in_scope(
            scope, own.code, target.code, target.parent_code)
    return bool(versions(account.unit_code)) and any(
        in_scope(scope, account.unit_code, t.code, t.parent_code) for t in versions(unit_code))


def units_seen_by(account: Account) -> list[Unit]:
    """The units whose page the account may open, own unit first."""
    units = [u for u in {u.code: unit(u.code) for u in load_units()}.values()
             if u is not None and allowed(account, "see_unit", u.code)]
    return sorted(units, key=lambda u: (u.code != account.unit_code, u.level != "province",
                                        u.level != "district", u.code))


def open_periods(u: Unit, today: date) -> list[Period]:
    """The periods a unit may send, overdue and current first: its level's periods in the
    reporting calendar over the last 14 months and this year, while the unit existed."""
    from base.calendar import rules_for

    found: dict[str, Period] = {}
    last = min(today, u.valid_to)  # a ceased unit: the periods before it ceased
    year, month = last.year, last.month
    for _ in range(15):
        for text in (f"{year}-{month:02d}", f"Quý {(month - 1) // 3 + 1}/{year}", str(year)):
            p = parse_period(text)
            if p and p.code not in found and p.first_day <= today and u.level in rules_for(p) \
                    and unit(u.code, p.last_day) is not None:
                found[p.code] = p
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(found.values(), key=lambda p: (p.last_day, p.period_type), reverse=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def shown_name(name: str) -> str:
    """The upload's name as shown to the clerk: its last part, printable, bounded. Never a path."""
    last = PurePath(name.replace("\\", "/")).name
    return "".join(ch for ch in last if ch.isprintable())[:200] or "tệp"


class TooLarge(ValueError):
    pass


class StagedGone(ValueError):
    """The checked upload's file is no longer kept (unsent past PORTAL_KEEP_UNSENT_DAYS)."""


def stage_and_check(upload, account: Account, username: str) -> CheckedUpload:
    """Keep the upload under a name of the portal's own, check it as validate would, and say
    whether it may be sent: no Lỗi, one unit (the account's own), one period the account's
    unit existed in."""
    from clerk.messages import check_files, published_default
    from portal.office.staged import clean_quietly

    clean_quietly()  # the uploads others left unsent past their days
    name = shown_name(upload.name)
    suffix = SUFFIXES.get(PurePath(name).suffix.lower(), "")
    token = secrets.token_hex(16)
    staged_dir = Path(django_settings.STAGED_DIR)
    staged_dir.mkdir(parents=True, exist_ok=True)
    path = staged_dir / f"{token}{suffix or '.bin'}"
    size = 0
    with path.open("wb") as out:
        for chunk in upload.chunks():
            size += len(chunk)
            if size > django_settings.UPLOAD_MAX_BYTES:
                out.close()
                path.unlink(missing_ok=True)
                raise TooLarge(name)
            out.write(chunk)
    (check,) = check_files([path], published_default(), "vi", names=[name])
    messages = [asdict(m) for m in check.messages]
    reports = check.reports()
    units = {s.unit_code for s in reports}
    periods = {s.period for s in reports}
    refusal = ""
    if check.refused:
        refusal = f"Tệp có {check.errors} lỗi: sửa các lỗi rồi tải lên lại."
    elif not reports:
        refusal = "Tệp không có báo cáo nào của một đơn vị và một kỳ."
    elif units != {account.unit_code}:
        others = ", ".join(f"{s.unit_name} ({s.unit_code})" for s in reports
                           if s.unit_code != account.unit_code)
        own = unit(account.unit_code)
        refusal = (f"Tệp này là báo cáo của {others}, không phải của {own.name if own else ''} "
                   f"({account.unit_code}): không nhận. Mỗi đơn vị gửi báo cáo của chính mình.")
    elif len(periods) != 1:
        refusal = "Tệp có báo cáo của nhiều kỳ: mỗi lần gửi một kỳ."
    else:
        period = parse_period(next(iter(periods)))
        if period is None or not allowed(account, "send_report", account.unit_code, period):
            refusal = (f"Đơn vị không tồn tại trong kỳ {period_label(period) if period else '?'}: "
                       "không gửi được báo cáo cho kỳ này.")
    upload_row = CheckedUpload.objects.create(
        token=token, user_id=account.user_id, unit_code=account.unit_code,
        period=next(iter(periods)) if len(periods) == 1 else "", file_sha256=check.sha256,
        suffix=suffix or ".bin", size_bytes=size, shown_name=name, messages=messages, refusal=refusal)
    record(username, "check_file", account.unit_code, upload_row.period, file_sha256=check.sha256,
           name=name, errors=check.errors, warnings=check.warnings, refused=bool(refusal))
    if refusal:
        path.unlink(missing_ok=True)  # nothing refused is kept on the portal
    return upload_row


def deliver(staged: Path, inbox: Path, unit_code: str, period: str, sha: str, suffix: str) -> str:
    """Place the file in the inbox whole or not at all: a hidden temporary name (the night
    skips names starting with a dot) in the same folder, synced, then renamed. The name is
    made of the unit code, the period code and the fingerprint, never of the upload's."""
    folder = inbox / "portal" / unit_code / period
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{sha}{suffix}"
    if not final.exists():
        tmp = folder / f".portal-{secrets.token_hex(8)}.part"
        try:
            with staged.open("rb") as src, tmp.open("wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return str(final.relative_to(inbox))


def send(upload: CheckedUpload, account: Account, username: str, explanations: dict[int, str]) -> Receipt:
    """The checked file into the inbox, then its receipt, then the receipts export."""
    staged = Path(django_settings.STAGED_DIR) / f"{upload.token}{upload.suffix}"
    if not staged.is_file():
        raise StagedGone(upload.token)
    if _sha256(staged) != upload.file_sha256:
        raise ValueError("the staged file changed since it was checked")
    cs = chitieu_settings()
    inbox = cs.require_inbox()
    where = deliver(staged, inbox, upload.unit_code, upload.period, upload.file_sha256, upload.suffix)
    said = [{**m, "explanation": explanations.get(i, "")} for i, m in enumerate(upload.messages)]
    with transaction.atomic():
        up, _ = UnitPeriod.objects.get_or_create(unit_code=upload.unit_code, period=upload.period)
        receipt = Receipt(file_sha256=upload.file_sha256, unit_period=up, sender_id=upload.user_id,
                          received_at=timezone.now(), inbox_path=where, size_bytes=upload.size_bytes,
                          shown_name=upload.shown_name, explanations=said)
        receipt.save()
        CheckedUpload.objects.filter(pk=upload.pk).update(sent=True)
        record(username, "send_report", upload.unit_code, upload.period, receipt=receipt.pk,
               file_sha256=upload.file_sha256, inbox_path=where)
    staged.unlink(missing_ok=True)
    sync_export(cs.receipts_file)
    return receipt


def receipt_line(r: Receipt) -> dict:
    return {"receipt_id": r.pk, "file_sha256": r.file_sha256,
            "received_at": r.received_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "sender": r.sender.username, "unit_code": r.unit_period.unit_code,
            "period": r.unit_period.period, "inbox_path": r.inbox_path}


def sync_export(path: Path) -> int:
    """Append to the export every receipt not yet in it (the night reads it: ingest/receipts.py).
    Append-only and self-healing: a receipt whose append failed is appended by the next send,
    or by `python -m portal export_receipts`. Returns how many lines were appended."""
    return append_missing(path, "receipt_id", lambda done: [
        receipt_line(r) for r in Receipt.objects.exclude(pk__in=done)
        .select_related("sender", "unit_period").order_by("pk")])


def append_missing(path: Path, key: str, missing) -> int:
    """Append to a JSON-lines export the rows `missing(ids already written)` gives, under a
    lock; a torn last line's row is appended again. Returns how many lines were appended."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done: set[int] = set()
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    done.add(int(json.loads(line)[key]))
                except (ValueError, KeyError, TypeError):
                    continue  # a torn last line: its row is appended again below
        lines = [json.dumps(row, ensure_ascii=False) for row in missing(done)]
        if lines:
            with path.open("a", encoding="utf-8") as out:
                if out.tell() and not path.read_bytes().endswith(b"\n"):
                    out.write("\n")
                out.write("\n".join(lines) + "\n")
                out.flush()
                os.fsync(out.fileno())
        return len(lines)


def published_file() -> Path | None:
    """The published warehouse the unit pages and templates read (None before the first night)."""
    published = chitieu_settings().published_db
    return published if published.exists() else None
