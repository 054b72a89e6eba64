"""What an operator meets (issues 19 and 21): trigger parameters and backfills outside the
reporting calendar, a stale lock, the office's settings file, and the e-mail alerts, sent to a
real SMTP server on this machine."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from base.settings import Settings, SettingsError
from chitieu.params import BadParams, check_params
from tests.smtp_sink import smtp_sink

PYTHON = sys.executable


@pytest.mark.unit
@pytest.mark.parametrize(("day", "why"), [("0001-01-01", "is before 2021-01-01"),
                                          ("1900-01-01", "is before 2021-01-01"),
                                          ("2100-01-01", "is after today")])
def test_a_reingest_day_outside_the_calendar_is_refused_up_front(day: str, why: str) -> None:
    with pytest.raises(BadParams, match=f"reingest_day: {day} {why}"):
        check_params({"reingest_day": day}, today=date(2026, 12, 6))


@pytest.mark.unit
def test_the_calendar_bounds_are_inclusive() -> None:
    today = date(2026, 12, 6)
    for day in ("2021-01-01", today.isoformat()):
        assert check_params({"reingest_day": day}, today=today)["reingest_day"] == day
    with pytest.raises(BadParams, match="after today"):
        check_params({"reingest_day": (today + timedelta(days=1)).isoformat()}, today=today)
    with pytest.raises(BadParams, match="before"):
        check_params({"reingest_day": "2020-12-31"}, today=today)


@pytest.mark.unit
def test_any_unit_can_be_reingested_and_a_wrong_code_is_named() -> None:
    from base.reference import load_units

    commune = next(u for u in load_units() if u.level == "commune" and u.valid_to.year > 9000)
    assert check_params({"reingest_unit": commune.code})["reingest_unit"] == commune.code
    with pytest.raises(BadParams, match="reingest_unit: '99999' is not the GSO code"):
        check_params({"reingest_unit": "99999"})


@pytest.mark.unit
def test_a_backfill_from_1900_to_2100_is_refused_before_airflow_is_asked() -> None:
    proc = subprocess.run([PYTHON, "-m", "chitieu", "backfill", "1900-01-01", "2100-12-31"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2
    assert "backfill refused" in proc.stderr
    assert "first day: 1900-01-01 is before 2021-01-01" in proc.stderr
    assert "last day: 2100-12-31 is after today" in proc.stderr
    assert "airflow backfill create" not in proc.stdout


@pytest.mark.unit
def test_a_lock_left_by_a_dead_run_is_called_stale_and_names_the_live_holder(tmp_path: Path) -> None:
    """The run that took the lock died; its child (as `airflow dags test` under `make run`)
    still holds it: the message must not send the operator after the dead PID."""
    from base.writer_lock import WarehouseBusy, acquire

    lock = tmp_path / "build" / ".chitieu.lock"
    script = ("import os, subprocess, sys\n"
              "from base.writer_lock import acquire\n"
              f"fd = acquire(__import__('pathlib').Path({str(lock)!r}))\n"
              "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'],"
              " pass_fds=(fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
              "print(os.getpid(), child.pid, flush=True)\n")
    proc = subprocess.run([PYTHON, "-c", script], capture_output=True, text=True, timeout=60,
                          check=True)
    parent, child = (int(x) for x in proc.stdout.split())
    try:
        with pytest.raises(WarehouseBusy) as refused:
            acquire(lock)
        message = str(refused.value)
        assert f"PID {parent}) has ended" in message and "stale" in message
        assert f"PID {child}: " in message and "time.sleep(120)" in message
    finally:
        os.kill(child, 9)


@pytest.mark.unit
def test_a_live_holder_is_named_with_its_command(tmp_path: Path) -> None:
    from base.writer_lock import WarehouseBusy, acquire

    lock = tmp_path / ".chitieu.lock"
    script = (f"from base.writer_lock import acquire; import pathlib, time; "
              f"acquire(pathlib.Path({str(lock)!r})); print('held', flush=True); time.sleep(60)")
    holder = subprocess.Popen([PYTHON, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout and holder.stdout.readline().strip() == "held"
        with pytest.raises(WarehouseBusy, match=f"another run \\(PID {holder.pid}\\) holds "
                                                "the warehouse .*running `.*acquire"):
            acquire(lock)
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.unit
def test_the_offices_settings_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    path = tmp_path / "chitieu.toml"
    path.write_text('inbox = "/srv/hop-thu"\nwarehouse_dir = "/srv/kho"\n'
                    'alert_to = ["tk@hatinh.gov.vn", "lanh.dao@hatinh.gov.vn"]\n'
                    'smtp_host = "mail.hatinh.gov.vn"\nsmtp_port = 587\nsettle_s = 60\n',
                    encoding="utf-8")
    s = Settings.from_env({"CHITIEU_SETTINGS": str(path)})
    assert (s.inbox, s.warehouse_dir, s.settle_s) == (Path("/srv/hop-thu"), Path("/srv/kho"), 60)
    assert s.alert_to == ("tk@hatinh.gov.vn", "lanh.dao@hatinh.gov.vn")
    assert (s.smtp_host, s.smtp_port) == ("mail.hatinh.gov.vn", 587)
    assert s.inbox_source == f"the settings file {path}"
    s = Settings.from_env({"CHITIEU_SETTINGS": str(path), "INBOX": "/tmp/khac",
                           "CHITIEU_SAMPLE_INBOX": "/x/sample"})
    assert (s.inbox, s.inbox_source, s.warehouse_dir) == (Path("/tmp/khac"), "INBOX", Path("/srv/kho"))
    path.write_text('inbx = "/srv/hop-thu"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="unknown setting 'inbx'"):
        Settings.from_env({"CHITIEU_SETTINGS": str(path)})


@pytest.mark.unit
def test_the_sample_inbox_is_a_last_resort_and_says_so() -> None:
    s = Settings.from_env({"CHITIEU_SAMPLE_INBOX": "/x/sample"})
    assert s.inbox == Path("/x/sample") and "sample" in s.inbox_source
    assert Settings.from_env({}).inbox is None


@pytest.mark.unit
def test_a_failed_night_is_emailed_in_vietnamese(tmp_path: Path) -> None:
    from chitieu.alerts import failure_message, send

    with smtp_sink() as sink:
        settings = Settings(None, tmp_path, alert_to=("tk@hatinh.gov.vn",), smtp_host=sink.host,
                            smtp_port=sink.port)
        run_id = "manual__2026-12-06T03:52:44.171688+00:00"  # a long subject, as in real runs
        sent = send(settings, *failure_message(run_id, "audit_gate", "not published",
                                               settings.status_file))
    assert sent and len(sink.messages) == 1
    mail = sink.messages[0]
    assert mail.recipients == ["tk@hatinh.gov.vn"]
    # Python folds a long encoded subject and loses the space between two encoded words
    # ("ởbước"): the subject must arrive word for word.
    assert mail.message["Subject"] == f"[chitieu] Lần chạy {run_id} thất bại ở bước audit_gate"
    body = mail.message.get_content()
    assert "Lý do: not published" in body and str(settings.status_file) in body


@pytest.mark.warehouse
def test_units_that_missed_their_due_day_are_named_in_the_alert(built, tmp_path: Path) -> None:
    """The day after a monthly report's due day, every commune without it is named. The
    sample is complete, so two communes' reports of the last month are taken out of a copy
    of the built warehouse, as if they had not arrived."""
    from base.periods import parse_period
    from base.reference import load_units
    from chitieu.alerts import alert_overdue
    from tests.overdue import two_reports_missing

    settings, _ = built
    missing = two_reports_missing(settings, tmp_path)
    period, due, gone = missing.period, missing.due, missing.gone
    month = parse_period(period)
    names = {u.code: u.name for u in load_units()}
    with smtp_sink() as sink:
        alerted = Settings(None, tmp_path, alert_to=("tk@hatinh.gov.vn",),
                           smtp_host=sink.host, smtp_port=sink.port)
        assert alert_overdue(alerted, due) == [], "not before the due day has ended"
        overdue = alert_overdue(alerted, due + timedelta(days=1))
        time.sleep(0.2)
    assert [(o.period, o.unit_code) for o in overdue] == [(period, code) for code in gone]
    assert len(sink.messages) == 1
    body = sink.messages[0].message.get_content()
    assert f"Đến hết ngày {due:%d/%m/%Y}" in body
    assert f"Tháng {month.first_day.month}/{month.first_day.year} (2 đơn vị)" in body
    for code in gone:
        assert names[code] in body


@pytest.mark.warehouse
def test_make_docs_builds_the_site_with_the_exposures_and_the_catalogue(
        built, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from base.settings import DBT_DIR
    from chitieu.__main__ import main

    settings, _ = built
    # In this process: dbt keeps the session's build database open here (a second process
    # would be refused DuckDB's lock, as it is while a night runs).
    monkeypatch.setenv("WAREHOUSE_DIR", str(settings.warehouse_dir))
    assert main(["docs"]) == 0
    target = DBT_DIR / "target"
    assert (target / "index.html").stat().st_size > 0
    manifest = json.loads((target / "manifest.json").read_text())
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert set(exposures) == {"superset_dashboard", "review_report"}
    assert "model.chitieu.scorecard" in exposures["superset_dashboard"]["depends_on"]["nodes"]
    catalog = json.loads((target / "catalog.json").read_text())
    scorecard = next(n for k, n in catalog["nodes"].items() if k == "model.chitieu.scorecard")
    assert "targets_on_track" in {c.lower() for c in scorecard["columns"]}, "read from the build"


@pytest.mark.airflow
def test_a_backfill_of_two_days_runs_exactly_those_two_nights(tmp_path: Path, airflow_metadata: Path) -> None:
    """`chitieu backfill 2022-01-18 2022-01-19` asks Airflow for the nights of the 18th and
    the 19th (01:00 Vietnam time), whatever Airflow's default time zone: a bare
    `--to-date 2022-01-19` would leave the 19th out under Asia/Ho_Chi_Minh. The window it
    sends (chitieu.backfill.night_window) is put to Airflow's own dry run under both zones."""
    import re

    from chitieu.airflow_home import airflow_bin
    from chitieu.backfill import night_window
    from tests.conftest import airflow_env, airflow_home

    start, end = night_window(date(2022, 1, 18), date(2022, 1, 19))

    for zone in ("Asia/Ho_Chi_Minh", "UTC"):
        home = airflow_home(airflow_metadata, tmp_path / zone.replace("/", "_"))
        env = airflow_env(home, tmp_path / "inbox", tmp_path / "wh")  # a dry run reads no inbox
        env["AIRFLOW__CORE__DEFAULT_TIMEZONE"] = zone
        subprocess.run([airflow_bin(), "dags", "reserialize"], env=env, capture_output=True,
                       timeout=600, check=True)
        proc = subprocess.run([airflow_bin(), "backfill", "create", "--dag-id", "chitieu_nightly",
                               "--from-date", start, "--to-date", end, "--dry-run"], env=env,
                              capture_output=True, text=True, timeout=600, check=False)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        runs = re.findall(r"^\| (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00) ", proc.stdout, re.M)
        # 01:00 in Vietnam is 18:00 UTC the day before.
        assert runs == ["2022-01-17 18:00:00+00:00", "2022-01-18 18:00:00+00:00"], proc.stdout


@pytest.mark.unit
def test_a_unit_to_reingest_is_named_by_code_or_name_and_an_ambiguous_name_is_refused() -> None:
    """The reingest_unit parameter reads a unit as a report's unit is read: 'Hương Sơn' is a
    district until the reform and a commune after it, so it is refused naming both; its type
    or its code settles it."""
    today = date(2026, 12, 7)
    assert check_params({"reingest_unit": "Xã Gia Phố"}, today)["reingest_unit"] == "18532"
    assert check_params({"reingest_unit": "gia pho, huyen huong khe"}, today)["reingest_unit"] \
        == "18532"
    assert check_params({"reingest_unit": "Huyện Hương Sơn"}, today)["reingest_unit"] == "439"
    assert check_params({"reingest_unit": "TT Đức Thọ"}, today)["reingest_unit"] == "18229"
    with pytest.raises(BadParams) as refused:
        check_params({"reingest_unit": "Hương Sơn"}, today)
    assert str(refused.value) == (
        "reingest_unit: 'Hương Sơn' names 2 units: Huyện Hương Sơn (439, Tỉnh Hà Tĩnh; until "
        "30/06/2025); Xã Hương Sơn (18133, Tỉnh Hà Tĩnh; from 01/07/2025); give its GSO code, "
        "or its type ('Xã …', 'Huyện …') or its district after a comma")
    with pytest.raises(BadParams, match=r"'Hương Sen' is not the GSO code nor the name of any "
                                        r"unit .*did you mean .*Xã Hương Sơn"):
        check_params({"reingest_unit": "Hương Sen"}, today)
