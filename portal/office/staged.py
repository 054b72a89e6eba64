"""Checked uploads never sent are not kept for ever: a clerk who uploads, reads the messages
and walks away leaves a copy of the file (under a name of the portal's own) in the portal's
data folder. After PORTAL_KEEP_UNSENT_DAYS the copy and its row go; the audit log keeps the
check. Run at each upload (opportunistically) and by `python -m portal clean_uploads`.

What may be removed is named by the portal's own rows only (a token of 32 hex digits and a
suffix of its own: never a name taken from a listing or an upload), inside the staged folder
opened without following a symbolic link, and only a regular file: a link is left alone, and a
sent upload (its file already in the inbox and, after the night, in the archive) is never
selected. A row is deleted only while still unsent, before its file, so a send racing the
clean either finds its row or is told the upload expired.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings as django_settings
from django.utils import timezone

from portal.office.models import CheckedUpload, record

TOKEN = re.compile(r"[0-9a-f]{32}")  # services.stage_and_check: secrets.token_hex(16)
STAGED_SUFFIXES = frozenset({".xlsx", ".xls", ".ods", ".csv", ".bin"})  # services.SUFFIXES, or .bin
log = logging.getLogger(__name__)


class StagedFolderUnsafe(OSError):
    """The staged folder is a symbolic link or not a folder: nothing is removed through it."""


@dataclass
class Cleaned:
    """What one clean did: files removed, rows forgotten (file already gone), and what it left."""

    removed: int = 0
    forgotten: int = 0
    left: list[str] = field(default_factory=list)  # "name: why" (Vietnamese), for the engineer

    def line(self) -> str:
        said = (f"đã xóa {self.removed} tệp tải lên chưa gửi quá hạn, "
                f"{self.forgotten} bản ghi không còn tệp")
        return said + (f"; để nguyên {len(self.left)}: " + "; ".join(self.left) if self.left else "")


def staged_name(upload: CheckedUpload) -> str | None:
    """The staged file's name, made of the row's token and suffix; None if either is not the
    portal's own (then nothing is removed for it)."""
    if TOKEN.fullmatch(upload.token) and upload.suffix in STAGED_SUFFIXES:
        return f"{upload.token}{upload.suffix}"
    return None


def _open_folder(folder: Path) -> int | None:
    """The staged folder opened without following a link (None if it does not exist yet)."""
    try:
        return os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:  # ELOOP (a link), ENOTDIR
        raise StagedFolderUnsafe(
            f"{folder} không phải thư mục thường ({exc.strerror}): không xóa gì") from None


def clean_unsent(keep_days: float | None = None, now: datetime | None = None,
                 trigger: str = "clean_uploads") -> Cleaned:
    """Remove the unsent checked uploads older than `keep_days` (PORTAL_KEEP_UNSENT_DAYS)."""
    keep = timedelta(days=keep_days if keep_days is not None else django_settings.KEEP_UNSENT_DAYS)
    before = (now or timezone.now()) - keep
    done = Cleaned()
    expired = list(CheckedUpload.objects.filter(sent=False, created_at__lt=before).order_by("pk"))
    if not expired:
        return done
    folder = _open_folder(Path(django_settings.STAGED_DIR))
    try:
        for upload in expired:
            name = staged_name(upload)
            if name is None:
                done.left.append(f"{upload.token[:40]!r}: không phải tên do cổng đặt")
                continue
            kind = None
            if folder is not None:
                try:
                    kind = os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode
                except FileNotFoundError:
                    kind = None
            if kind is not None and not stat.S_ISREG(kind):
                done.left.append(f"{name}: không phải tệp thường (liên kết, thư mục: để nguyên)")
                continue
            deleted, _ = CheckedUpload.objects.filter(pk=upload.pk, sent=False).delete()
            if not deleted:
                continue  # sent meanwhile: its file is the send's
            if kind is None:
                done.forgotten += 1
                continue
            try:
                os.unlink(name, dir_fd=folder)
                done.removed += 1
            except FileNotFoundError:
                done.forgotten += 1
    finally:
        if folder is not None:
            os.close(folder)
    if done.removed or done.forgotten:
        record("portal", "clean_uploads", removed=done.removed, forgotten=done.forgotten,
               keep_days=keep.total_seconds() / 86400, trigger=trigger)
    return done


def clean_quietly() -> None:
    """The clean at upload time: what goes wrong is logged for the engineer, never shown to
    the clerk uploading, and never stops the upload."""
    try:
        done = clean_unsent(trigger="upload")
    except OSError as exc:
        log.warning("cleaning unsent uploads: %s", exc)
        return
    if done.left:
        log.warning("cleaning unsent uploads: %s", done.line())
