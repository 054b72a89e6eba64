"""Checked uploads never sent are removed after PORTAL_KEEP_UNSENT_DAYS (7 by default), at
upload time and by `python -m portal clean_uploads` (docs/engineer.md), through the real portal
(Django's test client, the real reader, a real inbox): never a sent file, never through a
symbolic link, never a path not made of the portal's own token; an absurd setting is refused."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tests.filled import filled_template
from tests.portal.conftest import client_for
from tests.portal.test_send import GOOD, upload

pytestmark = pytest.mark.portal
PROJECT = Path(__file__).resolve().parents[2]
UNIT = "18685"


def staged(portal_django: Path, token: str) -> Path:
    return portal_django / "staged" / f"{token}.xlsx"


def checked(client, tmp_path: Path, period: str, name: str) -> tuple[str, str]:
    """Upload a good report of the unit for `period`: (its send page, its token)."""
    where, page = upload(client, UNIT, filled_template(tmp_path / name, UNIT, period, GOOD))
    assert page.status_code == 200 and 'id="nut-gui"' in page.content.decode()
    return where, where.rstrip("/").split("/")[-1]


def age(*tokens: str, days: float) -> None:
    from django.utils import timezone

    from portal.office.models import CheckedUpload

    CheckedUpload.objects.filter(token__in=tokens).update(created_at=timezone.now() - timedelta(days=days))


@pytest.mark.parametrize("text", ["0", "-3", "nan", "inf", "1e400", "3651", "bảy", "7 ngày"])
def test_an_absurd_keep_is_refused_naming_it(portal_django, text: str) -> None:
    from base.settings import SettingsError
    from portal.settings import keep_unsent_days

    with pytest.raises(SettingsError, match=f"PORTAL_KEEP_UNSENT_DAYS={text!r}"):
        keep_unsent_days({"PORTAL_KEEP_UNSENT_DAYS": text})


def test_the_keep_defaults_to_seven_days(portal_django) -> None:
    from portal.settings import keep_unsent_days

    assert keep_unsent_days({}) == keep_unsent_days({"PORTAL_KEEP_UNSENT_DAYS": " "}) == 7
    assert keep_unsent_days({"PORTAL_KEEP_UNSENT_DAYS": "0.5"}) == 0.5


def test_the_portal_does_not_start_on_an_absurd_keep(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "DJANGO_"))}
    env.update(PORTAL_DATA_DIR=str(tmp_path), PORTAL_KEEP_UNSENT_DAYS="0")
    run = subprocess.run([sys.executable, "-m", "portal", "clean_uploads"], cwd=PROJECT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "PORTAL_KEEP_UNSENT_DAYS='0' is out of range" in run.stderr, run.stderr


def test_unsent_uploads_past_their_days_are_removed_and_nothing_else(
        portal_django, office_paths, tmp_path: Path) -> None:
    from django.core.management import CommandError, call_command

    from portal.office.models import AuditEntry, CheckedUpload, Receipt

    client = client_for(f"bc{UNIT}")
    # A: checked, never sent, 8 days old; B: sent, 8 days old; C: checked yesterday
    _, old = checked(client, tmp_path, "2026-10", "a")
    where_sent, sent = checked(client, tmp_path, "2026-09", "b")
    assert client.post(where_sent, {}).status_code == 302
    receipt = Receipt.objects.get(file_sha256=CheckedUpload.objects.get(token=sent).file_sha256)
    landed = office_paths["inbox"] / receipt.inbox_path
    landed_bytes = landed.read_bytes()
    _, fresh = checked(client, tmp_path, "2026-08", "c")
    # D: checked, 8 days old, its staged file swapped for a link to a file outside the folder
    _, linked = checked(client, tmp_path, "2026-07", "d")
    outside = tmp_path / "precious.xlsx"
    outside.write_bytes(b"not the portal's")
    staged(portal_django, linked).unlink()
    staged(portal_django, linked).symlink_to(outside)
    # E: a row whose token is not one the portal makes (a path): nothing is built from it
    forged = CheckedUpload.objects.create(token="../precious", user_id=receipt.sender_id, unit_code=UNIT,
                                          file_sha256="0" * 64, suffix=".xlsx", size_bytes=1, shown_name="x")
    (portal_django / "precious.xlsx").write_bytes(b"kept")
    age(old, sent, linked, forged.token, days=8)
    age(fresh, days=1)
    try:
        with pytest.raises(CommandError, match="2 tệp để nguyên"):  # D and E left, said so
            call_command("clean_uploads")
        assert not staged(portal_django, old).exists()
        assert not CheckedUpload.objects.filter(token=old).exists()
        assert client.get(f"/don-vi/{UNIT}/gui/{old}/").status_code == 404
        # the sent one: its row, receipt and inbox file untouched
        assert CheckedUpload.objects.get(token=sent).sent and Receipt.objects.filter(pk=receipt.pk).exists()
        assert landed.read_bytes() == landed_bytes
        assert hashlib.sha256(landed_bytes).hexdigest() == receipt.file_sha256
        assert staged(portal_django, fresh).is_file()
        assert staged(portal_django, linked).is_symlink() and outside.read_bytes() == b"not the portal's"
        assert CheckedUpload.objects.filter(token__in=[linked, forged.token]).count() == 2
        assert (portal_django / "precious.xlsx").read_bytes() == b"kept"
        entry = AuditEntry.objects.filter(action="clean_uploads").first()
        assert entry is not None and entry.detail["removed"] >= 1 and entry.detail["keep_days"] == 7
    finally:
        CheckedUpload.objects.filter(token__in=[linked, forged.token]).delete()
        staged(portal_django, linked).unlink(missing_ok=True)


def test_an_upload_removes_others_left_past_their_days(portal_django, office_paths, tmp_path: Path) -> None:
    from portal.office.models import CheckedUpload

    client = client_for(f"bc{UNIT}")
    _, old = checked(client, tmp_path, "2026-10", "a")
    _, young = checked(client, tmp_path, "2026-09", "b")
    age(old, days=7.5)
    age(young, days=6.5)
    checked(client, tmp_path, "2026-08", "c")
    assert not staged(portal_django, old).exists() and not CheckedUpload.objects.filter(token=old).exists()
    assert staged(portal_django, young).is_file()


def test_sending_an_upload_whose_file_is_gone_says_to_upload_again(
        portal_django, office_paths, tmp_path: Path) -> None:
    """A clean between the send page and the click: told plainly, nothing half sent."""
    client = client_for(f"bc{UNIT}")
    where, token = checked(client, tmp_path, "2026-10", "a")
    staged(portal_django, token).unlink()
    response = client.post(where, {})
    assert response.status_code == 410 and "xin tải lên lại" in response.content.decode()
    assert not any(office_paths["inbox"].rglob("*.xlsx"))


def test_a_staged_folder_that_is_a_link_is_not_cleaned_through(
        portal_django, office_paths, tmp_path: Path) -> None:
    from django.core.management import CommandError, call_command
    from django.test import override_settings

    client = client_for(f"bc{UNIT}")
    _, old = checked(client, tmp_path, "2026-10", "a")
    age(old, days=8)
    link = tmp_path / "staged-link"
    link.symlink_to(portal_django / "staged")
    with override_settings(STAGED_DIR=link), pytest.raises(CommandError, match="không xóa gì"):
        call_command("clean_uploads")
    assert staged(portal_django, old).is_file()
    call_command("clean_uploads")  # through the folder itself
    assert not staged(portal_django, old).exists()
