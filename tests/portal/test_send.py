"""Send and check through the portal (Django's test client, the real reader, a real inbox
folder): the messages validate gives, a Lỗi blocks, a Cảnh báo needs its explanation, a file
for another unit is refused naming it, sending is atomic and gives a receipt, and what must
hold (first password, throttled logins, session timeout, append-only log, upload limits)."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.filled import filled_template
from tests.portal.conftest import PASSWORD, client_for

pytestmark = pytest.mark.portal
GOOD = {"POP_TOTAL": 12000, "HH_TOTAL": 3000, "HH_POOR": 100, "HH_NEAR_POOR": 50, "PARTY_MEMBERS": 400}


def upload(client, unit: str, path: Path, name: str | None = None):
    with path.open("rb") as f:
        data = f.read()
    response = client.post(f"/don-vi/{unit}/gui/", {"file": SimpleUploadedFile(name or path.name, data)})
    assert response.status_code == 302, response.content[:500]
    return response["Location"], client.get(response["Location"])


def test_a_warning_needs_an_explanation_then_a_receipt(portal_django, office_paths, tmp_path: Path) -> None:
    from portal.office.models import AuditEntry, Receipt

    path = filled_template(tmp_path, "18685", "2026-11", {**GOOD, "HH_POOR": 2900, "HH_NEAR_POOR": 200})
    client = client_for("bc18685")
    where, page = upload(client, "18685", path, name="../../../etc/bao cao T11.xlsx")
    text = page.content.decode()
    assert "Cảnh báo" in text and "Số hộ nghèo" in text and "E15" in text and "Hộ nghèo và cận nghèo" in text
    assert "0 lỗi, 1 cảnh báo" in text and "Tháng 11/2026" in text
    refused = client.post(where, {})
    assert refused.status_code == 400 and "cần một dòng giải thích" in refused.content.decode()
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert not Receipt.objects.filter(file_sha256=sha).exists()
    sent = client.post(where, {"giai_thich_0": "Năm nay lũ lớn, nhiều hộ tái nghèo."})
    assert sent.status_code == 302 and sent["Location"].startswith("/bien-nhan/")
    receipt = Receipt.objects.get(pk=int(sent["Location"].rstrip("/").split("/")[-1]))
    assert receipt.file_sha256 == sha and receipt.explanations[0]["explanation"].startswith("Năm nay lũ")
    # in the inbox under codes and the fingerprint, never the upload's name; no temporary left
    landed = office_paths["inbox"] / "portal" / "18685" / "2026-11" / f"{sha}.xlsx"
    assert landed.read_bytes() == path.read_bytes()
    assert [p.name for p in landed.parent.iterdir()] == [landed.name]
    assert not list(office_paths["inbox"].rglob("*etc*")) and receipt.shown_name == "bao cao T11.xlsx"
    page = client.get(sent["Location"]).content.decode()
    local = receipt.received_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh"))
    assert f"{local:%H:%M:%S} ngày {local:%d/%m/%Y} (UTC+7)" in page and sha in page and "bc18685" in page
    line = json.loads(office_paths["receipts"].read_text().splitlines()[-1])
    assert (line["file_sha256"], line["unit_code"], line["period"], line["sender"]) == (
        sha, "18685", "2026-11", "bc18685")
    assert AuditEntry.objects.filter(action="send_report", username="bc18685",
                                     detail__file_sha256=sha).exists()
    assert client.post(where, {"giai_thich_0": "lần nữa"}).status_code == 200  # sent once only
    assert Receipt.objects.filter(file_sha256=sha).count() == 1


def test_an_error_blocks_sending(portal_django, office_paths, tmp_path: Path) -> None:
    from portal.office.models import Receipt

    path = filled_template(tmp_path, "18685", "2026-10", {**GOOD, "HH_TOTAL": "12.5"})
    client = client_for("bc18685")
    where, page = upload(client, "18685", path)
    text = page.content.decode()
    assert "Lỗi" in text and "Tổng số hộ dân cư" in text and "E14" in text and "12.500?" in text
    assert 'id="nut-gui"' not in text and "sửa các lỗi" in text
    client.post(where, {})
    assert not Receipt.objects.filter(file_sha256=hashlib.sha256(path.read_bytes()).hexdigest()).exists()
    assert not any(office_paths["inbox"].rglob("*.xlsx"))


def test_a_file_for_another_unit_is_refused_naming_it(portal_django, office_paths, tmp_path: Path) -> None:
    path = filled_template(tmp_path, "18481", "2026-11", GOOD)
    client = client_for("bc18685")
    where, page = upload(client, "18685", path)
    text = page.content.decode()
    assert "Tệp này là báo cáo của Xã Xuân Lộc (18481), không phải của Xã Cẩm Bình (18685)" in text
    assert client.post(where, {}).status_code == 200 and not any(office_paths["inbox"].rglob("*.xlsx"))


def test_a_ceased_unit_may_not_send_for_a_period_after_it_ceased(portal_django, office_paths,
                                                                    tmp_path: Path) -> None:
    # a file naming 18112 for a 2026 period: the reader itself refuses it (unit_not_valid)
    client = client_for("bc18112")
    path = filled_template(tmp_path, "18112", "2024", {"HH_TOTAL": 1990, "HH_POOR": 90})
    _, page = upload(client, "18112", path)
    assert "Tệp này" not in page.content.decode() and 'id="nut-gui"' in page.content.decode()


def test_upload_limits(portal_django, office_paths, tmp_path: Path, settings_override=None) -> None:
    from django.test import override_settings

    client = client_for("bc18685")
    with override_settings(UPLOAD_MAX_BYTES=2000):
        big = client.post("/don-vi/18685/gui/", {"file": SimpleUploadedFile("a.xlsx", b"x" * 5000)})
        assert big.status_code == 413 and "Tệp quá lớn" in big.content.decode()
    kind = client.post("/don-vi/18685/gui/", {"file": SimpleUploadedFile("a.exe", b"MZ" * 100)})
    page = client.get(kind["Location"]).content.decode()
    assert "Loại tệp không được đọc" in page and 'id="nut-gui"' not in page


def test_a_zip_bomb_is_refused_by_the_readers_checks(portal_django, office_paths, tmp_path: Path) -> None:
    import zipfile

    bomb = tmp_path / "bom.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", "<a>" + " " * (300 * 1024 * 1024) + "</a>")
    client = client_for("bc18685")
    _, page = upload(client, "18685", bomb)
    text = page.content.decode()
    assert "Lỗi" in text and "tệp quá lớn hoặc vùng dữ liệu quá rộng".capitalize() in text, text[-2000:]


def test_first_login_asks_for_a_new_password(portal_django, office_paths) -> None:
    from django.contrib.auth.models import User
    from django.test import Client

    from portal.office.models import Account

    Account.objects.filter(user__username="bc18496").update(must_change_password=True)
    client = Client()
    response = client.post("/dang-nhap/", {"username": "bc18496", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/don-vi/18496/")["Location"] == "/doi-mat-khau/"
    new = "Xa-Huong-Khe-2026!"
    assert client.post("/doi-mat-khau/", {"new_password1": new, "new_password2": new}).status_code == 302
    assert client.get("/don-vi/18496/").status_code == 200
    user = User.objects.get(username="bc18496")
    assert user.check_password(new) and user.password.startswith("pbkdf2_sha256$")
    assert new not in user.password


def test_repeated_failed_logins_are_locked_out(portal_django, office_paths) -> None:
    from django.test import Client

    client = Client()
    for _ in range(4):
        assert client.post("/dang-nhap/", {"username": "bc18481", "password": "sai"}).status_code == 200
    assert client.post("/dang-nhap/", {"username": "bc18481", "password": "sai"}).status_code == 429
    locked = client.post("/dang-nhap/", {"username": "bc18481", "password": PASSWORD})
    assert locked.status_code in (403, 429) and "Tạm khóa" in locked.content.decode()
    from axes.utils import reset

    reset(username="bc18481")


def test_an_idle_session_ends(portal_django, office_paths) -> None:
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    client = client_for("bc18685")
    assert client.get("/don-vi/18685/").status_code == 200
    Session.objects.all().update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/don-vi/18685/")["Location"].startswith("/dang-nhap/")


def test_the_audit_log_cannot_be_edited(portal_django, office_paths) -> None:
    from django.core.exceptions import PermissionDenied

    from portal.office.models import AuditEntry, Receipt, record

    entry = record("ai-do", "thu")
    entry.action = "sua"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).update(action="sua")
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(PermissionDenied):
        Receipt.objects.all().delete()
    office = client_for("ctk42")
    change = office.post(f"/quan-tri/office/auditentry/{entry.pk}/change/", {"action": "sua"})
    delete = office.post(f"/quan-tri/office/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert change.status_code in (403, 302) and delete.status_code in (403, 302)
    assert AuditEntry.objects.get(pk=entry.pk).action == "thu"


def test_the_password_sheet_is_its_owners_only(portal_django) -> None:
    sheet = portal_django / "sheet.txt"
    assert stat.S_IMODE(os.stat(sheet).st_mode) == 0o600
    text = sheet.read_text(encoding="utf-8")
    assert "Xã Thạch Bình (18112) — Đơn vị báo cáo" in text and "chỉ dùng cho các kỳ trước 30/06/2025" in text


def test_export_receipts_mends_a_lost_export(portal_django, office_paths) -> None:
    """`python -m portal export_receipts` (docs/clerk.md) appends every receipt the export
    lacks: after a lost volume the night gets them all back, none twice."""
    import io

    from django.core.management import call_command

    from portal.office.models import Receipt

    out = io.StringIO()
    call_command("export_receipts", stdout=out)
    lines = office_paths["receipts"].read_text().splitlines()
    assert len(lines) == Receipt.objects.count() > 0 and "biên nhận ghi thêm" in out.getvalue()
    call_command("export_receipts", stdout=io.StringIO())
    assert office_paths["receipts"].read_text().splitlines() == lines


def test_the_template_download_is_the_units_blank_form(portal_django, office_paths, tmp_path: Path) -> None:
    """The blank template of the account's unit and period, as `python -m ingest template` writes
    it: validate reads it back as that unit's report for that period, with nothing in it."""
    from clerk.messages import check_files

    client = client_for("bc18685")
    response = client.get("/don-vi/18685/mau/2026-11/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="BC_2026-11_18685_Xa_Cam_Binh.xlsx"'
    path = tmp_path / "mau.xlsx"
    path.write_bytes(response.content)
    (check,) = check_files([path], None, "vi")
    (sheet,) = [s for s in check.sheets if s.layout]
    assert (sheet.unit_code, sheet.period_label) == ("18685", "Tháng 11/2026")
    assert [m.rule for m in check.messages] == ["blank_report"]
