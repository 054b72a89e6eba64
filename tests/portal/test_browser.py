"""The portal in a real headless Chromium, served by gunicorn on PostgreSQL, as a clerk uses it:
the first login asks for a new password; a file with a Cảnh báo is sent with its explanation
and gets a receipt; a file with a Lỗi cannot be sent; a file for another unit is refused
naming it. Then, with the portal stopped, the next night reads the inbox and the receipts
export: the receipt's time is the report's arrival in the completeness mart, and the portal,
started again, shows the published values. Screenshots of each page go to docs/img/."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import require_tool
from tests.filled import filled_template
from tests.portal.conftest import PASSWORD, postgres_database

pytestmark = [pytest.mark.portal, pytest.mark.warehouse]
PROJECT = Path(__file__).resolve().parents[2]
IMG = PROJECT / "docs" / "img"
NEW_PASSWORD = "Cam-Binh-bao-cao-2026"
GOOD = {"POP_TOTAL": 12000, "HH_TOTAL": 3000, "HH_POOR": 100, "HH_NEAR_POOR": 50, "PARTY_MEMBERS": 400}
NIGHT = datetime(2027, 1, 20, 1, 0, tzinfo=UTC)  # after the 2026 annual reports' due day (15/01/2027)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Portal:
    url: str
    env: dict[str, str]
    root: Path
    proc: subprocess.Popen | None = None

    def manage(self, *args: str) -> None:
        run = subprocess.run([sys.executable, "-m", "portal", *args], env=self.env, cwd=PROJECT,
                             capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stdout + run.stderr

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [str(PROJECT / ".venv" / "bin" / "gunicorn"), "portal.wsgi", "--bind", self.url[7:],
             "--workers", "2", "--timeout", "120", "--no-control-socket"],
            env=self.env, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/dang-nhap/", timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise AssertionError("gunicorn did not serve the login page in 60 s")

    def stop(self) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
            self.proc = None


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    root = tmp_path_factory.mktemp("portal-browser")
    (root / "inbox").mkdir()
    for url in postgres_database("chitieu_portal_browser"):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "CHITIEU_", "DJANGO_"))}
        port = free_port()
        env.update(PORTAL_DATABASE_URL=url, PORTAL_DATA_DIR=str(root / "portal"),
                   PORTAL_ALLOWED_HOSTS="127.0.0.1", INBOX=str(root / "inbox"),
                   WAREHOUSE_DIR=str(root / "warehouse"), TZ="UTC")
        server = Portal(f"http://127.0.0.1:{port}", env, root)
        server.manage("migrate", "--noinput")
        server.manage("create_accounts", "--sheet", str(root / "sheet.txt"), "--password", PASSWORD)
        server.start()
        try:
            yield server
        finally:
            server.stop()


class Browser:
    def __init__(self, page, base: str) -> None:
        self.page, self.base = page, base

    def go(self, path: str) -> None:
        self.page.send("Page.navigate", url=self.base + path)
        self.settle()

    def settle(self) -> None:
        time.sleep(0.3)
        self.page.wait_for("document.readyState === 'complete' && !!document.body", 60)

    def fill(self, selector: str, value: str) -> None:
        import json

        self.page.evaluate(f"document.querySelector({json.dumps(selector)}).value = {json.dumps(value)}")

    def submit(self, form: str) -> None:
        self.page.evaluate(f"document.querySelector('{form}').requestSubmit()")
        time.sleep(0.5)
        self.settle()

    def attach(self, selector: str, path: Path) -> None:
        root = self.page.send("DOM.getDocument")["root"]["nodeId"]
        node = self.page.send("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        self.page.send("DOM.setFileInputFiles", files=[str(path)], nodeId=node)

    def text(self) -> str:
        return self.page.evaluate("document.body.innerText")

    def path(self) -> str:
        return self.page.evaluate("location.pathname")

    def shot(self, name: str) -> Path:
        return self.page.screenshot(IMG / f"portal-{name}.png")


@pytest.fixture(scope="module")
def clerk_session(portal: Portal, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """One clerk's visit, in order; each test below reads what it saw."""
    chromium = require_tool("chromium", "chromium-browser")
    from tests.cdp import chromium_page

    files = tmp_path_factory.mktemp("clerk-files")
    warned = filled_template(files, "18685", "2026", {**GOOD, "HH_POOR": 2900, "HH_NEAR_POOR": 200},
                             name="BC nam 2026 Cam Binh.xlsx")
    wrong = filled_template(files, "18685", "2026-10", {**GOOD, "HH_TOTAL": "12.5"}, name="BC T10.xlsx")
    other = filled_template(files, "18481", "2026", GOOD, name="BC nam 2026 Xuan Loc.xlsx")
    seen: dict = {"files": {"warned": warned, "other": other}}
    with chromium_page(chromium, 1280, 1000) as page:
        b = Browser(page, portal.url)
        b.go("/dang-nhap/")
        b.shot("dang-nhap")
        seen["login_text"] = b.text()
        b.fill("#id_username", "bc18685")
        b.fill("#id_password", PASSWORD)
        b.submit("#dang-nhap")
        seen["after_login"] = b.path()
        b.shot("doi-mat-khau")
        b.fill("#id_new_password1", NEW_PASSWORD)
        b.fill("#id_new_password2", NEW_PASSWORD)
        b.submit("#doi-mat-khau")
        seen["after_password"] = b.path()
        b.shot("don-vi")
        seen["unit_text"] = b.text()
        # a Cảnh báo: sent with an explanation
        b.go("/don-vi/18685/gui/")
        b.shot("tai-len")
        b.attach("#id_file", warned)
        b.submit("#tai-len")
        seen["warned_text"] = b.text()
        b.submit("#gui")  # without an explanation: refused
        seen["unexplained_text"] = b.text()
        b.fill("textarea[name^=giai_thich_]", "Lũ tháng 10 làm nhiều hộ tái nghèo; đã rà soát.")
        b.shot("kiem-tra-canh-bao")
        b.submit("#gui")
        seen["receipt_path"] = b.path()
        seen["receipt_text"] = b.text()
        b.shot("bien-nhan")
        # a Lỗi: no way to send
        b.go("/don-vi/18685/gui/")
        b.attach("#id_file", wrong)
        b.submit("#tai-len")
        seen["wrong_text"] = b.text()
        seen["wrong_has_button"] = page.evaluate("!!document.querySelector('#nut-gui')")
        b.shot("kiem-tra-loi")
        # another unit's file
        b.go("/don-vi/18685/gui/")
        b.attach("#id_file", other)
        b.submit("#tai-len")
        seen["other_text"] = b.text()
        seen["other_has_button"] = page.evaluate("!!document.querySelector('#nut-gui')")
        b.shot("don-vi-khac")
        b.go("/nhat-ky/")  # the office's page: refused to a clerk
        seen["forbidden_text"] = b.text()
        b.shot("khong-duoc-phep")
        # the office's audit log
        page.send("Network.clearBrowserCookies")
        b.go("/dang-nhap/")
        b.fill("#id_username", "ctk42")
        b.fill("#id_password", PASSWORD)
        b.submit("#dang-nhap")
        b.fill("#id_new_password1", "Cuc-Thong-Ke-Ha-Tinh-1")
        b.fill("#id_new_password2", "Cuc-Thong-Ke-Ha-Tinh-1")
        b.submit("#doi-mat-khau")
        b.go("/nhat-ky/")
        seen["audit_text"] = b.text()
        b.shot("nhat-ky")
        b.go("/")
        seen["units_text"] = b.text()
        b.shot("cac-don-vi")
    return seen


def test_first_login_asks_for_a_new_password(clerk_session: dict) -> None:
    assert "Đăng nhập" in clerk_session["login_text"] and "Tên đăng nhập" in clerk_session["login_text"]
    assert clerk_session["after_login"] == "/doi-mat-khau/"
    assert clerk_session["after_password"] == "/don-vi/18685/"
    assert "Tải mẫu Năm 2026" in clerk_session["unit_text"], clerk_session["unit_text"]


def test_a_warning_is_sent_with_its_explanation(clerk_session: dict) -> None:
    text = clerk_session["warned_text"]
    assert "Cảnh báo" in text and "Số hộ nghèo" in text and "0 lỗi, 1 cảnh báo" in text, text
    assert "cần một dòng giải thích" in clerk_session["unexplained_text"]
    assert clerk_session["receipt_path"].startswith("/bien-nhan/")
    receipt = clerk_session["receipt_text"]
    for said in ("Biên nhận báo cáo", "Xã Cẩm Bình (18685)", "Năm 2026", "bc18685", "(UTC+7)",
                 "Lũ tháng 10 làm nhiều hộ tái nghèo"):
        assert said in receipt, receipt


def test_an_error_cannot_be_sent(clerk_session: dict) -> None:
    text = clerk_session["wrong_text"]
    assert "Lỗi" in text and "Tổng số hộ dân cư" in text and "12.500?" in text, text
    assert not clerk_session["wrong_has_button"]


def test_another_units_file_is_refused_naming_it(clerk_session: dict) -> None:
    assert "Tệp này là báo cáo của Xã Xuân Lộc (18481)" in clerk_session["other_text"]
    assert not clerk_session["other_has_button"]


def test_the_audit_log_shows_the_clerks_actions(clerk_session: dict) -> None:
    text = clerk_session["audit_text"]
    assert "send_report" in text and "check_file" in text and "bc18685" in text
    assert "refused" in text  # the clerk's try at the office's page
    assert "Không được phép" in clerk_session["forbidden_text"]
    assert "Xã Cẩm Bình" in clerk_session["units_text"] and "Thành phố Hà Tĩnh" in clerk_session["units_text"]


@pytest.fixture(scope="module")
def next_night(portal: Portal, clerk_session: dict):
    """The portal stopped (it must lose nothing already received); a file for another commune
    dropped into the inbox by hand; the next night at NIGHT reads the inbox and the receipts."""
    import shutil

    from base.settings import Settings
    from ingest.pipeline import ingest_inbox
    from tests.inboxes import build

    portal.stop()
    inbox, warehouse = portal.root / "inbox", portal.root / "warehouse"
    shutil.copy(clerk_session["files"]["other"], inbox / "BC nam 2026 Xuan Loc.xlsx")
    settings = Settings(inbox, warehouse)
    ingest_inbox(inbox, settings.build_db, settings.archive_dir, workers=1, progress=False, now=NIGHT,
                 receipts=settings.receipts_file)
    built = build(portal.root, inbox, env={"CHITIEU_AS_OF_DATE": "2027-01-20"})
    portal.start()
    return built


def test_the_receipt_time_is_the_arrival(next_night, clerk_session: dict) -> None:
    con = next_night.con()
    rows = dict(con.execute(
        "SELECT unit_code, (received_reports, on_time_reports) FROM marts.reporting_completeness "
        "WHERE period = '2026' AND unit_code IN ('18685', '18481')").fetchall())
    # both first seen by the pipeline on 20/01/2027, after the due day; 18685's receipt is of today
    assert rows == {"18685": (1, 1), "18481": (1, 0)}, rows
    values = dict(con.execute("SELECT indicator_code, value FROM marts.indicator_values WHERE unit_code = "
                              "'18685' AND period = '2026' AND indicator_code IN ('HH_TOTAL', 'HH_POOR')")
                  .fetchall())
    assert {k: float(v) for k, v in values.items()} == {"HH_TOTAL": 3000.0, "HH_POOR": 2900.0}


def test_the_unit_page_shows_published_values_after_the_night(portal: Portal, next_night) -> None:
    chromium = require_tool("chromium", "chromium-browser")
    from tests.cdp import chromium_page

    with chromium_page(chromium, 1280, 1600) as page:
        b = Browser(page, portal.url)
        b.go("/dang-nhap/")
        b.fill("#id_username", "bc18685")
        b.fill("#id_password", NEW_PASSWORD)
        b.submit("#dang-nhap")
        b.go("/don-vi/18685/")
        text = b.text()
        b.shot("don-vi-sau-dem")
    assert "Tổng số hộ dân cư" in text and "3000" in text.replace(".", "").replace(",", ""), text
    assert "Năm 2026\tđúng hạn" in text, text
