"""The alerts' mail server, real sockets on this machine (issue 24): login over STARTTLS or
TLS, a test alert from the command line, and the servers an office really meets — one that
refuses, one that accepts and never answers (a tarpit), one that answers a byte a second —
none of which may fail the night or hold it past the deadline. What could not leave is named,
kept and sent the next night."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from base.settings import Settings, SettingsError
from tests.conftest import require_tool
from tests.smtp_sink import refusing_server, smtp_sink, tarpit, tls_files, trickler

TO = "tk@hatinh.gov.vn"
DEADLINE_S = 3


def alerting(folder: Path, host: str, port: int, **more: str) -> Settings:
    """Settings as the night builds them, from the variables (an older chitieu ignores the
    ones it does not know, so these tests also run on it)."""
    return Settings.from_env({"WAREHOUSE_DIR": str(folder), "CHITIEU_SMTP_HOST": host,
                              "CHITIEU_SMTP_PORT": str(port), "CHITIEU_ALERT_TO": TO,
                              "CHITIEU_SMTP_TIMEOUT_S": str(DEADLINE_S), **more})


def within(seconds: float, work) -> tuple[bool, object]:
    """(finished in time, its result or exception): run in a thread so that a test on code
    that hangs fails instead of hanging."""
    box: dict = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:
            box["value"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    return not thread.is_alive(), box.get("value")


@pytest.fixture
def closed_port():
    """A port on which nothing listens (connection refused)."""
    from contextlib import contextmanager

    @contextmanager
    def closed():
        sock = socket.create_server(("127.0.0.1", 0))
        host, port = sock.getsockname()[:2]
        sock.close()
        yield type("Closed", (), {"host": host, "port": port})()
    return closed


SERVERS = {"refuses": (refusing_server, "refused (554"),
           "tarpit": (tarpit, f"did not finish within {DEADLINE_S} s"),
           "trickles": (trickler, f"did not finish within {DEADLINE_S} s")}


@pytest.mark.warehouse
@pytest.mark.parametrize("kind", [*SERVERS, "closed port"])
def test_a_mail_server_that_misbehaves_never_fails_nor_holds_the_night(
        built, tmp_path: Path, kind: str, closed_port) -> None:
    from tests.overdue import two_reports_missing

    missing = two_reports_missing(built[0], tmp_path)
    server, why = SERVERS.get(kind, (closed_port, "connection refused"))
    started = time.monotonic()
    with server() as bad:
        settings = alerting(tmp_path, bad.host, bad.port)
        from chitieu.alerts import alert_overdue

        finished, result = within(DEADLINE_S + 10, lambda: alert_overdue(
            settings, missing.due + timedelta(days=1)))
    assert finished, f"the night's alert is still waiting on a mail server that {kind}"
    assert not isinstance(result, BaseException), f"the night's alert failed: {result!r}"
    assert [o.unit_code for o in result] == missing.gone
    assert time.monotonic() - started < DEADLINE_S + 3
    from chitieu.alerts import kept, night_alerts

    assert len(kept(settings)) == 1, "the alert that could not leave is kept"
    with server() as bad:  # a night later, still away: named in the summary, still kept
        summary = night_alerts(alerting(tmp_path, bad.host, bad.port),
                               missing.due + timedelta(days=3))
    assert summary["alerts_unsent"] == 1 and why in summary["alerts"], summary["alerts"]
    with smtp_sink() as sink:  # and the night after the server is back, it arrives
        summary = night_alerts(alerting(tmp_path, sink.host, sink.port),
                               missing.due + timedelta(days=4))
    assert summary["alerts_unsent"] == 0 and kept(settings) == []
    assert len(sink.messages) == 1
    body = sink.messages[0].message.get_content()
    assert f"Đến hết ngày {missing.due:%d/%m/%Y}" in body and "Thư này gửi lại" in body


@pytest.mark.unit
@pytest.mark.parametrize("kind", SERVERS)
def test_a_failed_nights_alert_is_kept_not_raised_within_the_deadline(tmp_path: Path,
                                                                      kind: str) -> None:
    """The failure callback's e-mail (NightFailed in the DAG) to a server that misbehaves."""
    from chitieu.alerts import failure_message, kept, send_or_keep

    server, why = SERVERS[kind]
    with server() as bad:
        settings = alerting(tmp_path, bad.host, bad.port)
        started = time.monotonic()
        reason = send_or_keep(settings, *failure_message("manual__1", "dbt_build", "x",
                                                         settings.status_file))
    assert time.monotonic() - started < DEADLINE_S + 2
    assert reason and why in reason and len(kept(settings)) == 1


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory):
    require_tool("openssl")
    return tls_files(tmp_path_factory.mktemp("tls"))


@pytest.mark.unit
def test_starttls_and_a_login_with_the_password_from_a_file(tmp_path: Path, tls) -> None:
    from chitieu.alerts import send

    context, ca_file = tls
    secret = tmp_path / "smtp_password"
    secret.write_text("mật-khẩu 2026\n", encoding="utf-8")
    secret.chmod(0o600)
    with smtp_sink(context, password="mật-khẩu 2026") as sink:
        settings = alerting(tmp_path, "localhost", sink.port, CHITIEU_SMTP_SECURITY="starttls",
                            CHITIEU_SMTP_USER="chitieu@hatinh.gov.vn",
                            CHITIEU_SMTP_PASSWORD_FILE=str(secret), CHITIEU_SMTP_CA_FILE=ca_file)
        assert send(settings, "[chitieu] thử", "nội dung")
    assert sink.logins == [("chitieu@hatinh.gov.vn", "mật-khẩu 2026")]
    assert sink.tls_used == [True], "the login and the message went over TLS"
    assert "mật-khẩu" not in repr(settings), "the password is never printed with the settings"


@pytest.mark.unit
def test_tls_from_the_start_with_the_password_from_the_environment(tmp_path: Path, tls) -> None:
    from chitieu.alerts import AlertNotSent, send

    context, ca_file = tls
    with smtp_sink(context, implicit_tls=True, password="s3cret") as sink:
        good = alerting(tmp_path, "localhost", sink.port, CHITIEU_SMTP_SECURITY="ssl",
                        CHITIEU_SMTP_USER="chitieu", CHITIEU_SMTP_PASSWORD="s3cret",
                        CHITIEU_SMTP_CA_FILE=ca_file)
        assert send(good, "[chitieu] thử", "nội dung")
        with pytest.raises(AlertNotSent, match="the login was refused \\(535"):
            send(alerting(tmp_path, "localhost", sink.port, CHITIEU_SMTP_SECURITY="ssl",
                          CHITIEU_SMTP_USER="chitieu", CHITIEU_SMTP_PASSWORD="wrong",
                          CHITIEU_SMTP_CA_FILE=ca_file), "x", "y")
        with pytest.raises(AlertNotSent, match=r"certificate could not be verified.*smtp_ca_file"):
            send(alerting(tmp_path, "localhost", sink.port, CHITIEU_SMTP_SECURITY="ssl"), "x", "y")
    assert sink.logins == [("chitieu", "s3cret")] and sink.tls_used == [True]


@pytest.mark.unit
def test_a_password_is_never_sent_in_clear_nor_kept_in_the_settings_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="in clear"):
        Settings.from_env({"CHITIEU_SMTP_USER": "chitieu", "CHITIEU_SMTP_PASSWORD": "x"})
    with pytest.raises(SettingsError, match="CHITIEU_SMTP_SECURITY='tls'"):
        Settings.from_env({"CHITIEU_SMTP_SECURITY": "tls"})
    toml = tmp_path / "chitieu.toml"
    toml.write_text('smtp_host = "mail.hatinh.gov.vn"\nsmtp_password = "x"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="smtp_password is not kept in this file"):
        Settings.from_env({"CHITIEU_SETTINGS": str(toml)})
    toml.write_text('smtp_host = "mail.hatinh.gov.vn"\nsmtp_port = 465\nsmtp_security = "ssl"\n'
                    'smtp_user = "chitieu"\nsmtp_password_file = "/etc/chitieu/smtp"\n'
                    'smtp_timeout_s = 20\n', encoding="utf-8")
    s = Settings.from_env({"CHITIEU_SETTINGS": str(toml)})
    assert (s.smtp_security, s.smtp_user, s.smtp_password_file, s.smtp_timeout_s) == \
        ("ssl", "chitieu", Path("/etc/chitieu/smtp"), 20)


def chitieu(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """The installed `chitieu` command, from a plain shell's environment plus `env`."""
    command = Path(sys.executable).with_name("chitieu")
    return subprocess.run([str(command), *args], env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.mark.unit
def test_chitieu_alert_test_sends_one_or_says_why_not(tmp_path: Path) -> None:
    env = {"WAREHOUSE_DIR": str(tmp_path), "CHITIEU_ALERT_TO": TO,
           "CHITIEU_SMTP_TIMEOUT_S": str(DEADLINE_S), "CHITIEU_SETTINGS": ""}
    with smtp_sink() as sink:
        done = chitieu("alert", "--test", env={**env, "CHITIEU_SMTP_HOST": sink.host,
                                               "CHITIEU_SMTP_PORT": str(sink.port)})
    assert done.returncode == 0, done.stderr
    assert f"test alert sent to {TO}" in done.stdout
    assert [m.message["Subject"] for m in sink.messages] == ["[chitieu] Thư thử cảnh báo"]
    with tarpit() as bad:
        started = time.monotonic()
        done = chitieu("alert", "--test", env={**env, "CHITIEU_SMTP_HOST": bad.host,
                                               "CHITIEU_SMTP_PORT": str(bad.port)})
    assert done.returncode == 1 and time.monotonic() - started < DEADLINE_S + 15
    assert f"did not finish within {DEADLINE_S} s" in done.stderr, done.stderr
    done = chitieu("alert", "--test", env={**env, "CHITIEU_SMTP_HOST": ""})
    assert done.returncode == 2 and "smtp_host and alert_to" in done.stderr
    done = chitieu("alert", "--test", env={**env, "CHITIEU_SMTP_SECURITY": "tls"})
    assert done.returncode == 2, "a bad setting is the operator's to fix, not an internal error"
    assert done.stderr.strip() == "chitieu: CHITIEU_SMTP_SECURITY='tls': use one of none, " \
                                  "starttls, ssl"
