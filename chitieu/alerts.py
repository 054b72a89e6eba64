"""E-mail alerts to the office, in Vietnamese: a night that failed, and the units whose
report was due yesterday and has not arrived.

Sent with the standard library's SMTP client to the office's server (settings
`smtp_host`, `smtp_port`, `alert_to`, `alert_from`: chitieu.toml or the environment), so
the DAG needs no Airflow connection to be set up by hand. With no server or no address
set, nothing is sent and the log says so: an alert that cannot leave is still written to
the task's log.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import date, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path

from base.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Overdue:
    """One report the calendar expected by `due_date` that has not arrived."""

    period: str
    due_date: date
    unit_code: str
    unit_name: str


def send(settings: Settings, subject: str, body: str) -> bool:
    """Send one message to every alert address; False (and a log line) when not configured."""
    if not settings.smtp_host or not settings.alert_to:
        log.warning("alert not e-mailed (set smtp_host and alert_to in chitieu.toml): %s\n%s",
                    subject, body)
        return False
    from base.text import writable

    message = EmailMessage()
    message["Subject"] = writable(subject, limit=300, keep="")  # one line: no header injected
    message["From"] = settings.alert_from
    message["To"] = ", ".join(settings.alert_to)
    message.set_content(writable(body, limit=None), charset="utf-8")
    # Headers unfolded up to SMTP's 998: Python's folding of a long encoded subject drops the
    # space between two encoded words ("ở bước" arrives as "ởbước").
    data = message.as_bytes(policy=policy.SMTP.clone(max_line_length=998))
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        smtp.sendmail(settings.alert_from, list(settings.alert_to), data)
    log.info("alert e-mailed to %s: %s", ", ".join(settings.alert_to), subject)
    return True


def failure_message(run_id: str, task_id: str, reason: str, status_file: Path) -> tuple[str, str]:
    """Subject and body for a night that failed (the on-failure callback's alert)."""
    subject = f"[chitieu] Lần chạy {run_id} thất bại ở bước {task_id}"
    body = (f"Lần chạy {run_id} của chitieu_nightly đã dừng ở bước {task_id}.\n\n"
            f"Lý do: {reason}\n\n"
            "Kho dữ liệu đã công bố không thay đổi: bảng điều khiển và báo cáo vẫn là bản tốt "
            "gần nhất.\n"
            f"Chi tiết: {status_file}\n"
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
    overdue = overdue_reports(settings.build_db, run_day - timedelta(days=1))
    if overdue:
        send(settings, *overdue_message(overdue))
    return overdue
