"""E-mail alerts to the office, in Vietnamese: a night that failed, and the units whose
report was due yesterday and has not arrived.

Sent with the standard library's SMTP client to the office's server (settings `smtp_host`,
`smtp_port`, `smtp_security` = none | starttls | ssl, `smtp_user` with the password from
CHITIEU_SMTP_PASSWORD or `smtp_password_file`, `smtp_ca_file`, `alert_to`, `alert_from`:
chitieu.toml or the environment), so the DAG needs no Airflow connection set up by hand.
With no server or no address set, nothing is sent and the log says so.

The mail server is an outside service: it may refuse, be down, hang (accept and never
answer) or trickle (a byte a second). One alert never takes longer than `smtp_timeout_s`,
all of it (connection, TLS, login, message), whatever the server does; the night never fails
or waits for it. An alert that could not leave is logged, named in the night's summary and
kept under <WAREHOUSE_DIR>/alerts/unsent, and every night tries the kept ones again first.
`chitieu alert --test` sends a test message and says plainly what went wrong.
"""

from __future__ import annotations

import contextlib
import json
import logging
import smtplib
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path

from base.settings import Settings

log = logging.getLogger(__name__)


class AlertNotSent(RuntimeError):
    """The mail server did not take the alert; the message says why, in plain words."""


@dataclass(frozen=True)
class Overdue:
    """One report the calendar expected by `due_date` that has not arrived."""

    period: str
    due_date: date
    unit_code: str
    unit_name: str



def configured(settings: Settings) -> bool:
    return bool(settings.smtp_host and settings.alert_to)


def compose(settings: Settings, subject: str, body: str) -> bytes:
    from base.text import writable

    message = EmailMessage()
    message["Subject"] = writable(subject, limit=300, keep="")  # one line: no header injected
    message["From"] = settings.alert_from
    message["To"] = ", ".join(settings.alert_to)
    message.set_content(writable(body, limit=None), charset="utf-8")
    # Headers unfolded up to SMTP's 998: Python's folding of a long encoded subject drops the
    # space between two encoded words ("ở bước" arrives as "ởbước").
    return message.as_bytes(policy=policy.SMTP.clone(max_line_length=998))


def send(settings: Settings, subject: str, body: str) -> bool:
    """Send one message to every alert address; False (and a log line) when not configured.
    Raises AlertNotSent when the server does not take it within the deadline."""
    if not configured(settings):
        log.warning("alert not e-mailed (set smtp_host and alert_to in chitieu.toml): %s\n%s",
                    subject, body)
        return False
    deliver(settings, compose(settings, subject, body))
    log.info("alert e-mailed to %s: %s", ", ".join(settings.alert_to), subject)
    return True


def server_name(settings: Settings) -> str:
    return f"{settings.smtp_host}:{settings.smtp_port} ({settings.smtp_security})"


def deliver(settings: Settings, data: bytes) -> None:
    """One SMTP session in a thread of its own, given `smtp_timeout_s` in all: at the
    deadline its socket is shut, which ends any read or write it is blocked in (a server
    that trickles a byte a second never trips a per-read timeout). The thread is a daemon:
    a name lookup that hangs is left behind, never waited for."""
    deadline = settings.smtp_timeout_s
    box: dict = {}
    worker = threading.Thread(target=_session_into, args=(settings, data, box),
                              name="chitieu-alert", daemon=True)
    worker.start()
    worker.join(deadline)
    if worker.is_alive():
        sock = getattr(box.get("smtp"), "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        worker.join(1)
        raise AlertNotSent(f"the mail server {server_name(settings)} did not finish within "
                           f"{deadline:g} s (it accepts the connection but answers slowly or "
                           "never)")
    if "error" in box:
        raise AlertNotSent(f"the mail server {server_name(settings)}: "
                           f"{_plain(box['error'])}") from box["error"]


def _tls(settings: Settings) -> ssl.SSLContext:
    """Certificates verified, against the office's CA file when one is named."""
    return ssl.create_default_context(cafile=str(settings.smtp_ca_file)
                                      if settings.smtp_ca_file else None)


def password(settings: Settings) -> str:
    """The login's password: CHITIEU_SMTP_PASSWORD, else the first line of the file named."""
    if settings.smtp_password:
        return settings.smtp_password
    if settings.smtp_password_file is None:
        raise AlertNotSent("smtp_user is set but no password: set CHITIEU_SMTP_PASSWORD or "
                           "smtp_password_file")
    try:
        text = settings.smtp_password_file.read_text(encoding="utf-8")
    except OSError as exc:
        raise AlertNotSent(f"the password file {settings.smtp_password_file} cannot be read "
                           f"({exc.strerror or exc})") from None
    return text.splitlines()[0] if text.strip() else ""


def _session_into(settings: Settings, data: bytes, box: dict) -> None:
    try:
        _session(settings, data, box)
    except BaseException as exc:
        box["error"] = exc


def _session(settings: Settings, data: bytes, box: dict) -> None:
    timeout = settings.smtp_timeout_s + 5  # per read: the overall deadline (deliver) comes first
    login = (settings.smtp_user, password(settings)) if settings.smtp_user else None
    if settings.smtp_security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(timeout=timeout, context=_tls(settings))
    else:
        smtp = smtplib.SMTP(timeout=timeout)
    # Not connected by the constructor, so that the deadline can shut a socket it holds;
    # the name TLS verifies is set as the constructor would have set it.
    smtp._host = settings.smtp_host
    box["smtp"] = smtp
    try:
        code, greeting = smtp.connect(settings.smtp_host, settings.smtp_port)
        if code != 220:  # a server that refuses says so in its greeting (554), then hangs up
            raise smtplib.SMTPConnectError(code, greeting)
        smtp.ehlo()
        if settings.smtp_security == "starttls":
            smtp.starttls(context=_tls(settings))
            smtp.ehlo()
        if login:
            _login(smtp, *login)
        smtp.sendmail(settings.alert_from, list(settings.alert_to), data)
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.quit()
    finally:
        smtp.close()


def _login(smtp: smtplib.SMTP, user: str, secret: str) -> None:
    """AUTH PLAIN in UTF-8 (RFC 4616): smtplib's own login encodes the password as ASCII
    and fails on a Vietnamese letter in it. Servers that offer only LOGIN get smtplib's."""
    import base64

    offered = smtp.esmtp_features.get("auth", "").upper().split()
    if "PLAIN" not in offered:
        smtp.login(user, secret)
        return
    token = base64.b64encode(f"\0{user}\0{secret}".encode()).decode("ascii")
    code, answer = smtp.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, answer)


def _plain(exc: BaseException) -> str:
    """What went wrong, in words an engineer can act on."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"the login was refused ({exc.smtp_code} {_text(exc.smtp_error)})"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "every address was refused: " + "; ".join(
            f"{a} ({c} {_text(m)})" for a, (c, m) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"refused ({exc.smtp_code} {_text(exc.smtp_error)})"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"{exc} (check smtp_security: the server may want ssl, or no TLS at all)"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"its certificate could not be verified ({exc.verify_message}); name the "
                "office's CA in smtp_ca_file")
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc.reason or exc}); check smtp_security and smtp_port"
    if isinstance(exc, ConnectionRefusedError):
        return "nothing accepts connections there (connection refused)"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "no answer in time"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"it closed the connection ({exc})"
    if isinstance(exc, AlertNotSent):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def unsent_dir(settings: Settings) -> Path:
    """Alerts that could not leave, one JSON file each, tried again every night."""
    return settings.warehouse_dir / "alerts" / "unsent"


def send_or_keep(settings: Settings, subject: str, body: str) -> str | None:
    """The night's way to alert: never raises, never waits beyond the deadline. Returns
    None when sent (or not configured: logged), else why it was not sent, after keeping the
    alert to be tried again next night."""
    try:
        send(settings, subject, body)
        return None
    except AlertNotSent as exc:
        reason = str(exc)
    keep(settings, subject, body, reason)
    log.error("alert NOT e-mailed (%s); kept in %s, tried again next night: %s", reason,
              unsent_dir(settings), subject)
    return reason


def keep(settings: Settings, subject: str, body: str, reason: str) -> Path:
    folder = unsent_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    path = folder / f"{now:%Y%m%dT%H%M%S%f}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"subject": subject, "body": body, "first_tried": now.isoformat(
        timespec="seconds"), "reason": reason}, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return path


def kept(settings: Settings) -> list[Path]:
    folder = unsent_dir(settings)
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def retry_kept(settings: Settings) -> tuple[int, str | None]:
    """Send the alerts kept from earlier nights, oldest first: (how many left now, why the
    first one still failed). Stops at the first failure: the server is still away, and the
    night must not spend a deadline per kept alert."""
    if not configured(settings):
        return 0, None
    sent = 0
    for path in kept(settings):
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            body = (f"{saved['body']}\n(Thư này gửi lại: lần đầu không gửi được lúc "
                    f"{saved['first_tried']} UTC: {saved['reason']})\n")
            send(settings, saved["subject"], body)
        except AlertNotSent as exc:
            log.error("kept alerts still NOT e-mailed (%s): %d left in %s", exc,
                      len(kept(settings)), unsent_dir(settings))
            return len(kept(settings)), str(exc)
        except (OSError, ValueError, KeyError) as exc:  # a damaged file: set aside, named
            log.error("kept alert %s cannot be read (%s); renamed .bad", path, exc)
            path.replace(path.with_suffix(".bad"))
            continue
        path.unlink(missing_ok=True)
        sent += 1
    if sent:
        log.info("%d kept alert(s) e-mailed", sent)
    return 0, None


def send_test_alert(settings: Settings) -> str:
    """`chitieu alert --test`: one message to every alert address, now; raises AlertNotSent."""
    if not configured(settings):
        raise AlertNotSent("no mail server or no address set: smtp_host and alert_to in "
                           "chitieu.toml (or CHITIEU_SMTP_HOST, CHITIEU_ALERT_TO)")
    stamp = time.strftime("%Y-%m-%d %H:%M:%S %z")
    send(settings, "[chitieu] Thư thử cảnh báo",
         f"Thư thử nghiệm của chitieu, gửi lúc {stamp} qua máy chủ {server_name(settings)}.\n"
         "Nhận được thư này nghĩa là cảnh báo hằng đêm (đêm chạy thất bại, đơn vị chưa gửi "
         "báo cáo đến hạn) sẽ đến được hộp thư này.\n")
    return f"test alert sent to {', '.join(settings.alert_to)} via {server_name(settings)}"


def failure_message(run_id: str, task_id: str, reason: str, status_file: Path,
                    link: str | None = None) -> tuple[str, str]:
    """Subject and body for a night that failed (the on-failure callback's alert)."""
    subject = f"[chitieu] Lần chạy {run_id} thất bại ở bước {task_id}"
    body = (f"Lần chạy {run_id} của chitieu_nightly đã dừng ở bước {task_id}.\n\n"
            f"Lý do: {reason}\n\n"
            "Kho dữ liệu đã công bố không thay đổi: bảng điều khiển và báo cáo vẫn là bản tốt "
            "gần nhất.\n"
            f"Chi tiết: {status_file}\n"
            + (f"Nhật ký của bước: {link}\n" if link else "") +
            "Cách xử lý: xem docs/engineer.md#why-a-night-failed.\n")
    return subject, body


def overdue_reports(build_db: Path, due_day: date) -> list[Overdue]:
    """Reports due on `due_day` with nothing received for them, from the build database
    (the same expected and received reports the completeness mart counts)."""
    import duckdb

    if not build_db.exists():
        return []
    # The default configuration, as every connection of a run: `airflow dags test` runs all
    # tasks in one process, where DuckDB refuses a second configuration of an open file.
    con = duckdb.connect(str(build_db))
    try:
        rows = con.execute("""
            SELECT e.period, e.due_date, e.reporter_code, e.reporter_name
            FROM intermediate.int_expected_reports e
            WHERE e.due_date = ?
              AND NOT EXISTS (SELECT 1 FROM intermediate.int_submissions_ranked s
                              WHERE s.unit_code = e.reporter_code AND s.period = e.period)
            ORDER BY e.period, e.reporter_code""", [due_day]).fetchall()
    except duckdb.CatalogException:  # no build yet: nothing is expected
        return []
    finally:
        con.close()
    return [Overdue(*row) for row in rows]


def overdue_message(overdue: list[Overdue]) -> tuple[str, str]:
    """Subject and body naming every unit that has not reported, period by period."""
    from base.periods import parse_period, period_label

    due = overdue[0].due_date
    subject = (f"[chitieu] {len(overdue)} đơn vị chưa gửi báo cáo đến hạn ngày "
               f"{due:%d/%m/%Y}")
    lines = [f"Đến hết ngày {due:%d/%m/%Y} (hạn nộp), các đơn vị sau chưa gửi báo cáo:", ""]
    periods = sorted({o.period for o in overdue})
    for period in periods:
        parsed = parse_period(period)
        label = period_label(parsed) if parsed else period
        names = [o.unit_name for o in overdue if o.period == period]
        lines.append(f"{label} ({len(names)} đơn vị): {', '.join(names)}")
    lines += ["", "Đề nghị nhắc các đơn vị gửi báo cáo; số liệu sẽ được cập nhật vào đêm "
              "sau khi tệp đến."]
    return subject, "\n".join(lines) + "\n"


def alert_overdue(settings: Settings, run_day: date) -> list[Overdue]:
    """The night's due-day alert: reports due the day before the run (the last day a unit
    had) that have not arrived. Returns them (empty: nothing sent)."""
    return night_alerts(settings, run_day)["overdue_units"]


def night_alerts(settings: Settings, run_day: date) -> dict:
    """Every night's alerts, never failing the night: first the alerts kept from nights the
    server did not take them, then the due-day alert. Returns the overdue reports and what
    could not be sent, for the night's summary."""
    left, reason = retry_kept(settings)
    overdue = overdue_reports(settings.build_db, run_day - timedelta(days=1))
    if overdue:
        subject, body = overdue_message(overdue)
        if left:  # the server is still away: keep this one too without waiting again
            keep(settings, subject, body, reason or "")
        else:
            reason = send_or_keep(settings, subject, body) or reason
    unsent = len(kept(settings))
    return {"overdue_units": overdue, "alerts_unsent": unsent,
            "alerts": (f"{unsent} alert(s) NOT e-mailed ({reason}); kept in "
                       f"{unsent_dir(settings)}, tried again next night") if unsent
            else "every alert e-mailed" if configured(settings) else
            "alerts not e-mailed: no mail server set (smtp_host, alert_to)"}
