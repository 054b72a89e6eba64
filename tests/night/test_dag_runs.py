"""The nightly DAG run through Airflow (`airflow dags test`) on the sample inbox."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from base.reference import data_elements
from chitieu.airflow_home import dag_run_state
from ingest.sample.render import layout_a, unit_lines
from ingest.sample.truth import build_truth
from ingest.sample.workbook import Percent, write_workbook
from tests.conftest import airflow_env, airflow_home
from tests.smtp_sink import refusing_server, smtp_sink, tarpit

pytestmark = pytest.mark.airflow

AIRFLOW = str(Path(sys.executable).with_name("airflow"))


@pytest.fixture(scope="module")
def env(sample_dir: Path, airflow_metadata: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("airflow")
    inbox = root / "inbox"
    shutil.copytree(sample_dir / "inbox", inbox)
    return airflow_env(airflow_home(airflow_metadata, root / "home"), inbox, root / "warehouse")


def dags_test(env: dict[str, str], conf: dict | None = None,
              when: datetime | None = None) -> tuple[str, str]:
    """One night through `airflow dags test`, now or at the logical date `when`."""
    args = [AIRFLOW, "dags", "test", "chitieu_nightly",
            (when or datetime.now()).astimezone().isoformat()]
    if conf:
        args += ["--conf", json.dumps(conf)]
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=900, check=False)
    output = proc.stdout + proc.stderr
    return dag_run_state(output) or f"no run (exit {proc.returncode})", output


def published(env) -> Path:
    return Path(env["WAREHOUSE_DIR"]) / "warehouse.duckdb"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def province_value(db: Path | duckdb.DuckDBPyConnection, code: str) -> float:
    con = db if isinstance(db, duckdb.DuckDBPyConnection) else duckdb.connect(str(db), read_only=True)
    return con.execute("SELECT value FROM marts.indicator_values WHERE unit_code = '42' AND period = '2021' "
                       "AND indicator_code = ?", [code]).fetchone()[0]


@pytest.fixture(scope="module")
def first_run(env) -> tuple[str, str]:
    """The module's first night on the sample inbox: every test that needs a published
    warehouse asks for it, so none depends on another test having run before it."""
    return dags_test(env)


def test_end_to_end_run_publishes_the_review(env, first_run) -> None:
    state, output = first_run
    assert state == "success", output[-5000:]
    con = duckdb.connect(str(published(env)), read_only=True)
    assert con.execute("SELECT targets_met, targets_total FROM marts.scorecard "
                       "WHERE unit_code = '42' AND year = 2021").fetchone() == (9, 17)
    con.close()
    # The report reviews the current year (the latest year with targets, 2026 in the sample).
    assert re.search(r"headline: 2026: \d+ of 5 targets met", output), output[-3000:]
    reports = list((Path(env["WAREHOUSE_DIR"]) / "reports").glob("*/bao_cao_*.xlsx"))
    assert len(reports) == 6  # one review per target year, 2021-2026
    assert "model int_unit_rollup: success" in output, "each node's result is in the task log"


def test_second_identical_run_changes_nothing(env, first_run) -> None:
    before = sha(published(env))
    state, output = dags_test(env)
    assert state == "success"
    assert "Condition result is False" in output, "a night without new files skips the rest"
    assert sha(published(env)) == before
    # ... but not the night's close: LAST_FAILURE cleared, due-day alerts, the inbox named.
    assert re.search(rf"inbox scanned: {re.escape(env['INBOX'])} \(from INBOX\); \d+ report\(s\) "
                     "overdue", output), output[-3000:]


def test_reader_holding_the_file_is_never_blocked_nor_sees_a_mix(env, first_run) -> None:
    reader = duckdb.connect(str(published(env)), read_only=True)
    assert province_value(reader, "GRDP_GROWTH") == pytest.approx(5.02)
    # A corrected provincial report arrives (it replaces the whole earlier one): GRDP growth
    # 5.10 instead of 5.02, every other figure as before.
    e = data_elements()
    figures = build_truth().values[("42", "2021")] | {"GRDP_GROWTH": 5.10}
    items = [(e[code], Percent(v / 100) if code == "GRDP_GROWTH" else v) for code, v in figures.items()]
    sheet = layout_a("Tỉnh", unit_lines("42", "Tỉnh Hà Tĩnh", random.Random(1)), "Năm 2021", items,
                     random.Random(1))
    path = Path(env["INBOX"]) / "Tinh" / "BC KTXH tinh 2021 (dinh chinh).xlsx"
    write_workbook(path, [sheet])
    state, output = dags_test(env)
    assert state == "success", output[-5000:]
    # The reader kept its file open through the whole run and still sees the old marts, whole.
    assert province_value(reader, "GRDP_GROWTH") == pytest.approx(5.02)
    assert reader.execute("SELECT targets_met FROM marts.scorecard WHERE unit_code = '42' "
                          "AND year = 2021").fetchone() == (9,)
    reader.close()
    assert province_value(published(env), "GRDP_GROWTH") == pytest.approx(5.10)


def test_failed_audit_keeps_the_last_good_file(env, first_run) -> None:
    build_db = Path(env["WAREHOUSE_DIR"]) / "build" / "chitieu.duckdb"
    before = sha(published(env))
    con = duckdb.connect(str(build_db))
    con.execute("INSERT INTO raw.\"values\" VALUES ('no-such-submission', '18088', '2021', 'HH_POOR', 1, "
                "NULL, '1', 'x', 1, 'A1')")
    con.close()
    status = Path(env["WAREHOUSE_DIR"]) / "LAST_FAILURE.txt"
    try:
        with smtp_sink() as sink:
            alerted = dict(env, CHITIEU_SMTP_HOST=sink.host, CHITIEU_SMTP_PORT=str(sink.port),
                           CHITIEU_ALERT_TO="tk@hatinh.gov.vn")
            state, _ = dags_test(alerted, {"full_refresh": True})
        assert state == "failed"
        assert sha(published(env)) == before, "the published file is untouched, byte for byte"
        failure = status.read_text()
        assert "audit_gate" in failure and "relationships_stg_raw__values" in failure
        # ... naming the failing rows and the audit table that keeps them, ready to query.
        found = re.search(r"relationships_stg_raw__values\w*: fail \((\d+) rows\).*? the failing "
                          r"rows: SELECT \* FROM (\S+) \(in (\S+), read-only\)", failure)
        assert found, failure
        con = duckdb.connect(found.group(3), read_only=True)
        try:
            assert con.execute(f"SELECT count(*) FROM {found.group(2)}").fetchone()[0] == \
                int(found.group(1)) >= 1
        finally:
            con.close()
        mails = [m.message for m in sink.messages]
        assert len(mails) == 1, "one e-mail for the night that failed"
        assert mails[0]["Subject"].endswith("thất bại ở bước audit_gate")
        assert "relationships_stg_raw__values" in mails[0].get_content()
    finally:
        con = duckdb.connect(str(build_db))
        con.execute("DELETE FROM raw.\"values\" WHERE submission_id = 'no-such-submission'")
        con.close()
    state, _ = dags_test(env, {"rebuild_periods": ["2021"]})
    assert state == "success"
    assert not status.exists(), "a good run clears the last failure"


def test_a_reingest_day_that_would_overflow_is_refused_without_retries(env, first_run) -> None:
    state, output = dags_test(env, {"reingest_day": "0001-01-01"})
    assert state == "failed"
    assert "reingest_day: 0001-01-01 is before 2021-01-01" in output
    assert "up_for_retry" not in output.lower(), "a wrong parameter is not retried"


def test_one_commune_of_today_is_reingested_and_its_files_logged(env, first_run) -> None:
    con = duckdb.connect(str(Path(env["WAREHOUSE_DIR"]) / "build" / "chitieu.duckdb"), read_only=True)
    try:
        code, expected = con.execute("""
            SELECT s.unit_code, list(DISTINCT f.original_path ORDER BY f.original_path)
            FROM raw.submissions s JOIN raw.files f USING (file_sha256)
            JOIN reference.admin_units u ON u.unit_code = s.unit_code
            WHERE u.unit_level = 'commune' AND u.valid_from >= DATE '2025-07-01'
            GROUP BY 1 ORDER BY 1 LIMIT 1""").fetchone()
    finally:
        con.close()
    state, output = dags_test(env, {"reingest_unit": code})
    assert state == "success", output[-3000:]
    logged = re.search(rf"re-ingest of the files of unit {code}: (\d+) file\(s\) re-read: (.*)", output)
    assert logged, output[-3000:]
    assert int(logged.group(1)) >= len(expected)
    for path in expected:
        assert path in logged.group(2)


def test_invalid_trigger_params_are_refused(env, first_run) -> None:
    state, output = dags_test(env, {"rebuild_periods": ["cuối năm"]})
    assert state != "success"
    assert "rebuild_periods: 'cuối năm' is not a period" in output


def test_make_run_style_entry_point(env, first_run, tmp_path: Path) -> None:
    run_env = dict(env, WAREHOUSE_DIR=env["WAREHOUSE_DIR"])
    proc = subprocess.run([sys.executable, "-m", "chitieu", "run"], env=run_env, capture_output=True,
                          text=True, timeout=900, check=False, cwd=os.environ.get("PWD"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"published warehouse: {published(env)}" in proc.stdout
    assert "2021: 9 of 17 targets met" in proc.stdout
    assert re.search(r"^2026: \d+ of 5 targets met", proc.stdout, re.M), proc.stdout
    assert f"inbox read:          {env['INBOX']} (from INBOX)" in proc.stdout
    lines = re.findall(r"^(\d{4}): (\d+) of (\d+) targets met, \d+ exceeded \((\d+) missed, "
                       r"(\d+) at risk, (\d+) on track, (\d+) without data\)$", proc.stdout, re.M)
    assert [y for y, *_ in lines] == [str(y) for y in range(2021, 2027)], proc.stdout
    for _, met, total, *others in lines:  # every status counted: the figures add up
        assert int(met) + sum(map(int, others)) == int(total), proc.stdout


def test_ingested_but_unpublished_files_are_published_the_next_night(env, first_run) -> None:
    """A run killed after its files were ingested (during dbt, the audit or publish) leaves
    them in the build database only; the next night has no new file, yet must build and
    publish them rather than report success with the old marts."""
    from base.settings import Settings
    from chitieu.stages import ingest_new

    e = data_elements()
    figures = build_truth().values[("42", "2021")] | {"GRDP_GROWTH": 5.10,
                                                        "PUBLIC_INVEST_DISBURSED": 88.8}
    items = [(e[code], v) for code, v in figures.items()]
    sheet = layout_a("Tỉnh", unit_lines("42", "Tỉnh Hà Tĩnh", random.Random(2)), "Năm 2021", items,
                     random.Random(2))
    write_workbook(Path(env["INBOX"]) / "Tinh" / "BC KTXH tinh 2021 (lan 3).xlsx", [sheet])
    ingest_new(Settings(Path(env["INBOX"]), Path(env["WAREHOUSE_DIR"])))  # ... and the run dies here
    assert province_value(published(env), "PUBLIC_INVEST_DISBURSED") == pytest.approx(87.6)
    state, output = dags_test(env)
    assert state == "success", output[-5000:]
    assert "Condition result is False" not in output, "the night must not skip the unpublished files"
    assert province_value(published(env), "PUBLIC_INVEST_DISBURSED") == pytest.approx(88.8)
    state, output = dags_test(env)
    assert "Condition result is False" in output, "once published, a quiet night is quiet again"


def test_a_unit_is_reingested_by_its_name_and_an_ambiguous_name_is_refused(env, first_run
                                                                          ) -> None:
    """reingest_unit takes a name as a report's unit is read: the commune of today with files,
    by its name; 'Hương Sơn' (a district until the reform, a commune after it) is refused in
    one line naming both, without retries."""
    from datetime import date

    from chitieu.params import resolve_unit

    con = duckdb.connect(str(Path(env["WAREHOUSE_DIR"]) / "build" / "chitieu.duckdb"),
                         read_only=True)
    try:
        named = con.execute("""
            SELECT DISTINCT s.unit_code, u.unit_name FROM raw.submissions s
            JOIN reference.admin_units u ON u.unit_code = s.unit_code
            WHERE u.unit_level = 'commune' AND u.valid_from >= DATE '2025-07-01'
            ORDER BY 1""").fetchall()
    finally:
        con.close()
    code, name = next((c, n) for c, n in named if resolve_unit(n, date.today())[0] == c)
    state, output = dags_test(env, {"reingest_unit": name})
    assert state == "success", output[-3000:]
    assert f"reingest_unit '{name}' is the unit of GSO code {code}" in output, output[-3000:]
    assert re.search(rf"re-ingest of the files of unit {code}: [1-9]\d* file\(s\) re-read",
                     output), output[-3000:]
    state, output = dags_test(env, {"reingest_unit": "Hương Sơn"})
    assert state == "failed"
    assert ("invalid trigger parameters: reingest_unit: 'Hương Sơn' names 2 units: Huyện Hương "
            "Sơn (439, Tỉnh Hà Tĩnh; until 30/06/2025); Xã Hương Sơn (18133") in output
    assert "up_for_retry" not in output.lower(), "a wrong parameter is not retried"


@pytest.mark.parametrize("server", [refusing_server, tarpit], ids=["refuses", "tarpit"])
def test_a_mail_server_that_refuses_or_hangs_leaves_the_night_green(env, first_run, server
                                                                    ) -> None:
    """Two communes' last monthly reports are taken out of the build (as if they had not
    arrived) and a quiet night runs the day after their due day: its alert goes to a mail
    server that refuses, or that accepts and never answers. The night stays green within
    the alert's deadline, names the alert it could not send, and keeps it."""
    from datetime import time as day_time
    from datetime import timedelta

    from base.calendar import load_calendar
    from base.periods import parse_period
    from base.settings import LOCAL_TZ

    warehouse = Path(env["WAREHOUSE_DIR"])
    con = duckdb.connect(str(warehouse / "build" / "chitieu.duckdb"))
    try:
        period = con.execute("SELECT max(period) FROM intermediate.int_submissions_ranked "
                             "WHERE length(period) = 7").fetchone()[0]
        con.execute("CREATE OR REPLACE TABLE main.taken_out AS SELECT * FROM "
                    "intermediate.int_submissions_ranked WHERE period = ? AND unit_code IN ("
                    "SELECT DISTINCT unit_code FROM intermediate.int_submissions_ranked WHERE "
                    "period = ? ORDER BY unit_code LIMIT 2)", [period, period])
        con.execute("DELETE FROM intermediate.int_submissions_ranked WHERE period = ? AND "
                    "unit_code IN (SELECT unit_code FROM main.taken_out)", [period])
    finally:
        con.close()
    month = parse_period(period)
    due = next(r for r in load_calendar() if r.unit_level == "commune"
               and r.applies_to(month)).due_date(month)
    night = datetime.combine(due + timedelta(days=1), day_time(1, 0, 0, random.randrange(10**6)),
                             LOCAL_TZ)
    unsent = warehouse / "alerts" / "unsent"
    try:
        with server() as bad:
            alerted = dict(env, CHITIEU_SMTP_HOST=bad.host, CHITIEU_SMTP_PORT=str(bad.port),
                           CHITIEU_ALERT_TO="tk@hatinh.gov.vn", CHITIEU_SMTP_TIMEOUT_S="5")
            state, output = dags_test(alerted, when=night)
        assert bad.connections >= 1, "the night did not even try to send its alert"
        assert state == "success", output[-5000:]
        assert "2 report(s) overdue; 1 alert(s) NOT e-mailed" in output, output[-3000:]
        assert len(list(unsent.glob("*.json"))) == 1, "the alert is kept for the next night"
    finally:
        for kept in unsent.glob("*.json"):
            kept.unlink()
        con = duckdb.connect(str(warehouse / "build" / "chitieu.duckdb"))
        try:
            con.execute("INSERT INTO intermediate.int_submissions_ranked "
                        "SELECT * FROM main.taken_out")
            con.execute("DROP TABLE main.taken_out")
        finally:
            con.close()
