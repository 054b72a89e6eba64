"""The portal in a real headless Chromium, served by gunicorn on PostgreSQL, as a clerk uses it:
the first login asks for a new password; a file with a Cảnh báo is sent with its explanation
and gets a receipt; a file with a Lỗi cannot be sent; a file for another unit is refused
naming it. Then, with the portal stopped, the next night reads the inbox and the receipts
export: the receipt's time is the report's arrival in the completeness mart, and the portal,
started again, shows the published values. Then sign-off (a reviewer approves and returns),
locks (a file sent after the approval is held: the next night keeps the approved figures, until
the office grants an exception: the next night publishes the new ones, approved again) and
follow-up (a clerk explains a finding after sending a corrected file that still shows it, the
reviewer accepts; the next night's finding_follow_up says accepted under the same key).
Screenshots of each page go to docs/img/."""

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

import duckdb
import pytest

from tests.conftest import require_tool
from tests.filled import filled_template
from tests.portal.conftest import PASSWORD, postgres_database
from tests.vietnamese import english_in

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


# --------------------------------------------------------------------------- sign off (issue 29)
REVIEWER_PASSWORD = "Duyet-Ha-Tinh-2026"
RETURN_REASON = "Số liệu năm 2026 gửi trễ hạn: xác nhận lại số hộ nghèo"


def login(b: Browser, username: str, password: str) -> None:
    b.page.send("Network.clearBrowserCookies")
    b.go("/dang-nhap/")
    b.fill("#id_username", username)
    b.fill("#id_password", password)
    b.submit("#dang-nhap")


def first_login(b: Browser, username: str, new_password: str) -> None:
    login(b, username, PASSWORD)
    b.fill("#id_new_password1", new_password)
    b.fill("#id_new_password2", new_password)
    b.submit("#doi-mat-khau")


@pytest.fixture(scope="module")
def signoff_session(portal: Portal, next_night) -> dict:
    """After the night: the province's reviewer (the communes are the province's own since
    1/7/2025) opens the 2026 period, approves Cẩm Bình and returns Xuân Lộc with a reason; Xuân
    Lộc's clerk sees it; then the next night reads the decisions."""
    chromium = require_tool("chromium", "chromium-browser")
    from tests.cdp import chromium_page

    seen: dict = {}
    with chromium_page(chromium, 1280, 1400) as page:
        b = Browser(page, portal.url)
        first_login(b, "duyet42", REVIEWER_PASSWORD)
        b.go("/")
        seen["home_text"] = b.text()
        b.shot("trang-nguoi-duyet")
        b.go("/duyet/42/2026/")
        seen["review_text"] = b.text()
        b.shot("duyet-ky")
        b.submit("#don-vi-18685 form.duyet")
        b.fill("#don-vi-18481 input[name=ly_do]", RETURN_REASON)
        b.submit("#don-vi-18481 form.tra-lai")
        seen["after_path"] = b.path()
        seen["after_text"] = b.text()
        b.shot("duyet-da-duyet")
        first_login(b, "bc18481", "Xuan-Loc-bao-cao-2026")
        b.go("/don-vi/18481/")
        seen["clerk_text"] = b.text()
        b.shot("don-vi-bi-tra-lai")
    portal.stop()
    from tests.inboxes import build

    seen["night"] = build(portal.root, portal.root / "inbox", env={"CHITIEU_AS_OF_DATE": "2027-01-21"})
    portal.start()
    return seen


def build_copy(night, copy: Path) -> Path:
    """A copy of the night's build database: dbt, run in this process by the night, still
    holds the file open; rows it wrote and DuckDB has not checkpointed yet are in its log."""
    import shutil

    shutil.copy(night.settings.build_db, copy)
    wal = night.settings.build_db.with_name(night.settings.build_db.name + ".wal")
    if wal.exists():
        shutil.copy(wal, copy.with_name(copy.name + ".wal"))
    return copy


def row_of(text: str, unit_name: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(unit_name))


def test_a_reviewer_sees_each_unit_below_with_its_figures(signoff_session: dict) -> None:
    assert "Duyệt Năm 2026" in signoff_session["home_text"]  # the periods to review, on the home page
    text = signoff_session["review_text"]
    assert "Duyệt Năm 2026: Tỉnh Hà Tĩnh (42)" in text, text
    assert "đã nhận\tđúng hạn" in row_of(text, "Xã Cẩm Bình"), text
    assert "đã nhận\ttrễ hạn" in row_of(text, "Xã Xuân Lộc"), text
    assert "chưa nhận\t—\t" in row_of(text, "Xã Sơn Tiến"), text  # sent nothing: neither on time nor late
    assert "Năm 2025" in text and "2900" in text.replace(".", "").replace(",", "")


def test_a_reviewer_approves_and_returns_with_a_reason_the_clerk_sees(signoff_session: dict) -> None:
    assert signoff_session["after_path"] == "/duyet/42/2026/"
    after = signoff_session["after_text"]
    assert "đã duyệt" in row_of(after, "Xã Cẩm Bình") and "duyet42" in after
    assert "đã trả lại" in row_of(after, "Xã Xuân Lộc") and RETURN_REASON in after
    clerk = signoff_session["clerk_text"]
    assert "Năm 2026\ttrả lại\tduyet42" in clerk and RETURN_REASON in clerk, clerk


def test_the_next_night_reads_the_decisions(signoff_session: dict, portal: Portal) -> None:
    night = signoff_session["night"]
    assert night.error is None, night.error
    copy = build_copy(night, portal.root / "decisions-check.duckdb")
    exported = night.settings.decisions_file.read_text(encoding="utf-8")
    assert exported.count("\n") == 2 and RETURN_REASON in exported, exported
    con = duckdb.connect(str(copy), read_only=True)
    try:
        rows = con.execute("SELECT unit_code, period, decision, decided_by, note, length(figures_sha256) "
                           "FROM raw.decisions ORDER BY unit_code").fetchall()
    finally:
        con.close()
    assert rows == [("18481", "2026", "returned", "duyet42", RETURN_REASON, None),
                    ("18685", "2026", "approved", "duyet42", "", 64)], rows
    from ingest.decisions import new_decisions

    assert new_decisions(night.settings.decisions_file, copy) == 0  # nothing left for a later night


# --------------------------------------------------------------------------- locks (issue 29)
OFFICE_PASSWORD = "Cuc-Thong-Ke-Ha-Tinh-1"  # set by the office's first login in clerk_session
EXCEPTION_REASON = "Xã rà soát lại hộ nghèo sau lũ: cho phép thay số liệu đã duyệt"
HELD_TEXT = "Đã nhận, đang giữ: kỳ này đã được duyệt, chờ Cục Thống kê cho phép sửa"


def published(night, sql: str) -> list[tuple]:
    con = night.con()
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


HH_POOR_2026 = ("SELECT value FROM marts.indicator_values WHERE unit_code = '18685' AND period = '2026' "
                "AND indicator_code = 'HH_POOR'")
HELD_2026 = "SELECT unit_code, period, portal_sender FROM marts.held_submissions"
# the approval status of Cẩm Bình's 2026 as the night publishes it: the mart's and every
# row's of indicator_values (docs/spec/portal.md: "The marts say, for every unit and period…")
STATUS_2026 = ("SELECT s.approval_status, list_distinct(list(v.approval_status)) "
               "FROM marts.approval_status s JOIN marts.indicator_values v USING (unit_code, period) "
               "WHERE s.unit_code = '18685' AND s.period = '2026' GROUP BY s.approval_status")


@pytest.fixture(scope="module")
def locks_session(portal: Portal, signoff_session: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """After Cẩm Bình's 2026 was approved (signoff_session): its clerk sends a corrected file,
    shown held; the next night keeps the approved figures and lists the file; the province's
    office grants an exception with a reason; the next night publishes the corrected figures;
    the reviewer approves them again."""
    chromium = require_tool("chromium", "chromium-browser")
    from tests.cdp import chromium_page
    from tests.inboxes import build

    corrected = filled_template(tmp_path_factory.mktemp("corrected"), "18685", "2026",
                                {**GOOD, "HH_POOR": 2850, "HH_NEAR_POOR": 200}, name="BC nam 2026 sua.xlsx")
    seen: dict = {}
    # the browser is closed before the portal stops (gunicorn waits for its open connections)
    with chromium_page(chromium, 1280, 1400) as page:
        b = Browser(page, portal.url)
        login(b, "bc18685", NEW_PASSWORD)
        b.go("/don-vi/18685/gui/")
        b.attach("#id_file", corrected)
        b.submit("#tai-len")
        page.evaluate("document.querySelectorAll('textarea[name^=giai_thich_]').forEach("
                      "t => t.value = 'Số hộ nghèo rà soát lại sau lũ')")
        b.submit("#gui")
        seen["receipt_text"] = b.text()
        b.shot("bien-nhan-dang-giu")
        b.go("/don-vi/18685/")
        seen["unit_text"] = b.text()
    portal.stop()
    night = build(portal.root, portal.root / "inbox", env={"CHITIEU_AS_OF_DATE": "2027-01-22"})
    seen["held_night"] = (published(night, HH_POOR_2026), published(night, HELD_2026))
    seen["held_night_status"] = published(night, STATUS_2026)
    portal.start()
    with chromium_page(chromium, 1280, 1400) as page:
        b = Browser(page, portal.url)
        login(b, "ctk42", OFFICE_PASSWORD)
        b.go("/duyet/42/2026/")
        seen["office_text"] = b.text()
        b.fill("#don-vi-18685 form.cho-phep-sua input[name=ly_do]", EXCEPTION_REASON)
        b.shot("cho-phep-sua")
        b.submit("#don-vi-18685 form.cho-phep-sua")
        seen["after_exception_text"] = b.text()
    portal.stop()
    night = build(portal.root, portal.root / "inbox", env={"CHITIEU_AS_OF_DATE": "2027-01-23"})
    seen["open_night"] = (published(night, HH_POOR_2026), published(night, HELD_2026))
    seen["open_night_status"] = published(night, STATUS_2026)
    portal.start()
    with chromium_page(chromium, 1280, 1400) as page:
        b = Browser(page, portal.url)
        login(b, "duyet42", REVIEWER_PASSWORD)
        b.go("/duyet/42/2026/")
        seen["reapproval_text"] = b.text()
        b.submit("#don-vi-18685 form.duyet")
        seen["reapproved_text"] = b.text()
        b.shot("duyet-lai")
    return seen


def test_a_file_after_the_approval_is_held_until_the_office_allows(locks_session: dict) -> None:
    assert HELD_TEXT in locks_session["receipt_text"], locks_session["receipt_text"]
    assert HELD_TEXT in locks_session["unit_text"]
    # the next night: the approved figures stay, the file is listed as held
    values, held = locks_session["held_night"]
    assert [float(v) for v, in values] == [2900.0] and held == [("18685", "2026", "bc18685")], held
    # the held file changes nothing: the approved figures are still approved, in every row
    status = locks_session["held_night_status"]
    assert status == [("approved", ["approved"])], status
    office = locks_session["office_text"]
    cam_binh = office.split("Xã Cẩm Bình (18685)", 1)[1].split("\n\n", 1)[0]  # its row's cells
    assert "đã duyệt" in cam_binh and "1 tệp nhận sau khi duyệt đang được giữ" in cam_binh, office
    after = locks_session["after_exception_text"]
    assert "được phép sửa, chờ duyệt lại" in row_of(after, "Xã Cẩm Bình") and EXCEPTION_REASON in after, after


def test_after_the_exception_the_new_figures_are_published_and_approved_again(locks_session: dict) -> None:
    values, held = locks_session["open_night"]
    assert [float(v) for v, in values] == [2850.0] and held == [], (values, held)
    # the released figures go through approval again (marts and every row of indicator_values)
    status = locks_session["open_night_status"]
    assert status == [("awaiting_approval", ["awaiting_approval"])], status
    again = locks_session["reapproval_text"]
    assert "được phép sửa, chờ duyệt lại" in row_of(again, "Xã Cẩm Bình"), again
    assert "2850" in again.replace(".", "").replace(",", ""), again  # the figures published after it
    assert "đã duyệt" in row_of(locks_session["reapproved_text"], "Xã Cẩm Bình")
# --------------------------------------------------------------------------- follow up (issue 29)
EXPLANATION = "Lũ tháng 10/2026 làm nhiều hộ tái nghèo; xã đã rà soát từng hộ."


@pytest.fixture(scope="module")
def followup_session(portal: Portal, locks_session: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """After the locks' nights (Cẩm Bình's 2026 approved again, so the office first allows a
    correction: an exception): Cẩm Bình's clerk opens one of its 2026 findings from its
    unit page, sends a corrected 2026 report that still shows it (one other figure changed),
    and explains it (giải trình); the province's reviewer opens it, sees the explanation and
    accepts it (chấp nhận); then the next night reads the new file and the answers: the
    finding keeps its key across the two files."""
    chromium = require_tool("chromium", "chromium-browser")
    from tests.cdp import chromium_page

    corrected = filled_template(tmp_path_factory.mktemp("corrected"), "18685", "2026",
                                {**GOOD, "HH_POOR": 2900, "HH_NEAR_POOR": 200, "PARTY_MEMBERS": 410},
                                name="BC nam 2026 Cam Binh sua.xlsx")
    import hashlib

    seen: dict = {"corrected_sha": hashlib.sha256(corrected.read_bytes()).hexdigest()}
    with chromium_page(chromium, 1280, 1400) as page:
        b = Browser(page, portal.url)
        login(b, "ctk42", OFFICE_PASSWORD)
        b.go("/duyet/42/2026/")
        b.fill("#don-vi-18685 form.cho-phep-sua input[name=ly_do]", "Xã sửa số đảng viên")
        b.submit("#don-vi-18685 form.cho-phep-sua")
        login(b, "bc18685", NEW_PASSWORD)
        b.go("/don-vi/18685/")
        seen["unit_text"] = b.text()
        seen["href"] = page.evaluate(
            "(document.querySelector('#phat-hien a[href*=\"/ky/2026/phat-hien/\"]') || {}).pathname || ''")
        assert seen["href"], seen["unit_text"]
        b.go("/don-vi/18685/gui/")
        b.attach("#id_file", corrected)
        b.submit("#tai-len")
        b.fill("textarea[name^=giai_thich_]", "Sửa số đảng viên; số hộ nghèo giữ nguyên.")
        b.submit("#gui")
        seen["corrected_receipt"] = b.path()
        b.go(seen["href"])
        b.fill("#noi-dung-giai-trinh", EXPLANATION)
        b.submit("#giai-trinh")
        seen["answered_text"] = b.text()
        seen["clerk_has_accept"] = page.evaluate("!!document.querySelector('#chap-nhan')")
        seen["finding_said"] = page.evaluate("document.querySelector('dl#phat-hien dd').innerText")
        b.shot("phat-hien-giai-trinh")
        b.go("/don-vi/18685/")  # the unit page after the answer: the finding waits for the reviewer
        key = seen["href"].rstrip("/").split("/")[-1]
        seen["unit_answered_row"] = page.evaluate(f"document.getElementById('phat-hien-{key}').innerText")
        page.evaluate(f"document.getElementById('phat-hien-{key}').scrollIntoView({{block: 'center'}})")
        b.shot("don-vi-phat-hien-da-tra-loi")
        login(b, "duyet42", REVIEWER_PASSWORD)
        b.go(seen["href"])
        seen["reviewer_text"] = b.text()
        b.submit("#chap-nhan")
        seen["accepted_text"] = b.text()
        b.shot("phat-hien-chap-nhan")
    portal.stop()
    from tests.inboxes import build

    seen["night"] = build(portal.root, portal.root / "inbox", env={"CHITIEU_AS_OF_DATE": "2027-01-24"})
    portal.start()
    return seen


def test_a_clerk_explains_a_finding_and_the_reviewer_accepts_it(followup_session: dict) -> None:
    assert "chưa trả lời" in followup_session["unit_text"], followup_session["unit_text"]
    assert followup_session["corrected_receipt"].startswith("/bien-nhan/")
    answered = followup_session["answered_text"]
    assert EXPLANATION in answered and "giải trình" in answered and "chờ người duyệt" in answered, answered
    assert "hộ nghèo và cận nghèo nhiều hơn tổng số hộ" in answered  # the rule's Vietnamese title
    said = followup_session["finding_said"]  # the title and the night's own message, both Vietnamese
    assert "(" in said and english_in(said) == [], said
    row = followup_session["unit_answered_row"]  # the unit page after the answer
    assert "chờ người duyệt" in row and "chưa trả lời" not in row, row
    assert not followup_session["clerk_has_accept"]
    reviewer = followup_session["reviewer_text"]
    assert EXPLANATION in reviewer and "Chấp nhận" in reviewer, reviewer
    accepted = followup_session["accepted_text"]
    assert "đã chấp nhận" in accepted and "duyet42" in accepted and "bc18685" in accepted, accepted


def test_the_next_nights_mart_shows_the_finding_accepted(followup_session: dict, portal: Portal) -> None:
    night = followup_session["night"]
    assert night.error is None, night.error
    copy = build_copy(night, portal.root / "followup-check.duckdb")
    key = followup_session["href"].rstrip("/").split("/")[-1]
    con = duckdb.connect(str(copy), read_only=True)
    try:
        row = con.execute("SELECT unit_code, period, status, last_answer_kind, last_answered_by, answers, "
                          "is_found FROM marts.finding_follow_up WHERE finding_key = ?", [key]).fetchall()
        found = con.execute("SELECT count(*) FROM marts.data_quality_findings WHERE finding_key = ? "
                            "AND source_file LIKE ?",
                            [key, f"%{followup_session['corrected_sha']}%"]).fetchone()[0]
    finally:
        con.close()
    # the key the page showed before the corrected file is the one the warehouse finds in it
    assert row == [("18685", "2026", "accepted", "chap_nhan", "duyet42", 2, True)], row
    assert found >= 1, "the finding is found in the corrected file, under the same key"
