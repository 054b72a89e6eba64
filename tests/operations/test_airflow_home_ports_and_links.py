"""Airflow's home, ports and links from any shell (issue 24, items 2 and 4): the command sets
what `make` used to export, the ports and the base URL are settings, a caught-up night says so."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from base.settings import PROJECT_DIR, Settings, SettingsError
from chitieu.airflow_home import airflow_environment
from chitieu.night_start import catch_up_note, start_note, task_link

pytestmark = pytest.mark.unit

CHITIEU = str(Path(sys.executable).with_name("chitieu"))


def plain_shell(home: Path, **extra: str) -> dict[str, str]:
    """What a terminal or cron has: PATH and HOME, none of make's variables."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), **extra}


def test_ports_and_the_base_url_are_settings(tmp_path: Path) -> None:
    assert (Settings.from_env({}).airflow_port, Settings.from_env({}).superset_port) == (8080, 8088)
    assert Settings.from_env({}).base_url == "http://127.0.0.1:8080"
    s = Settings.from_env({"AIRFLOW_PORT": "18080", "SUPERSET_PORT": "18088"})
    assert (s.airflow_port, s.superset_port, s.base_url) == (18080, 18088, "http://127.0.0.1:18080")
    # Airflow's own variable is honoured too (it used to be silently overridden by make).
    assert Settings.from_env({"AIRFLOW__API__PORT": "8081"}).airflow_port == 8081
    assert Settings.from_env({"CHITIEU_BASE_URL": "https://chitieu.hatinh.gov.vn/airflow/"}) \
        .base_url == "https://chitieu.hatinh.gov.vn/airflow"
    toml = tmp_path / "chitieu.toml"
    toml.write_text('airflow_port = 18081\nsuperset_port = 18089\n'
                    'base_url = "https://tk.hatinh.gov.vn"\n', encoding="utf-8")
    s = Settings.from_env({"CHITIEU_SETTINGS": str(toml)})
    assert (s.airflow_port, s.superset_port, s.base_url) == (18081, 18089, "https://tk.hatinh.gov.vn")
    assert Settings.from_env({"CHITIEU_SETTINGS": str(toml), "AIRFLOW_PORT": "18082"}).airflow_port \
        == 18082, "the environment wins over the file"


def test_the_portals_address_is_a_setting(tmp_path: Path) -> None:
    """The portal as people open it: the links of the reviewers' weekly e-mail (portal/office/
    digest.py) are built on it; `make portal`'s address unless set."""
    assert Settings.from_env({}).portal_base_url == "http://127.0.0.1:8700"
    assert Settings.from_env({"PORTAL_BASE_URL": "https://baocao.hatinh.gov.vn/"}).portal_base_url \
        == "https://baocao.hatinh.gov.vn"
    toml = tmp_path / "chitieu.toml"
    toml.write_text('portal_base_url = "https://bc.hatinh.gov.vn/cong"\n', encoding="utf-8")
    assert Settings.from_env({"CHITIEU_SETTINGS": str(toml)}).portal_base_url == "https://bc.hatinh.gov.vn/cong"


@pytest.mark.parametrize(("name", "value", "says"), [
    ("PORTAL_BASE_URL", "baocao.hatinh.gov.vn", "not an http"),
    ("PORTAL_BASE_URL", "javascript:alert(1)", "not an http"),
    ("AIRFLOW_PORT", "0", "not a TCP port"), ("AIRFLOW_PORT", "70000", "not a TCP port"),
    ("SUPERSET_PORT", "http", "not a whole number"), ("AIRFLOW_PORT", "-1", "out of range"),
    ("CHITIEU_BASE_URL", "localhost:8080", "not an http"),
    ("CHITIEU_BASE_URL", "javascript:alert(1)", "not an http")])
def test_an_absurd_port_or_address_is_refused_by_name(name: str, value: str, says: str) -> None:
    with pytest.raises(SettingsError, match=f"{name}.*{says}"):
        Settings.from_env({name: value})


def test_the_airflow_environment_is_the_checkouts_from_a_plain_shell(tmp_path: Path) -> None:
    env = airflow_environment({"PATH": "/usr/bin", "HOME": str(tmp_path)})
    assert env["AIRFLOW_HOME"] == str(PROJECT_DIR / ".airflow")
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(PROJECT_DIR / "dags")
    assert env["AIRFLOW__CORE__DEFAULT_TIMEZONE"] == "Asia/Ho_Chi_Minh"
    assert (env["AIRFLOW__API__PORT"], env["AIRFLOW__API__BASE_URL"]) == ("8080", "http://127.0.0.1:8080")
    assert env["PATH"].startswith(str(Path(sys.executable).parent))
    # A value already set wins: another home, another port, links on the office's address.
    env = airflow_environment({"AIRFLOW_HOME": "/srv/airflow", "AIRFLOW_PORT": "18080",
                               "CHITIEU_BASE_URL": "https://tk.hatinh.gov.vn/airflow"})
    assert (env["AIRFLOW_HOME"], env["AIRFLOW__API__PORT"]) == ("/srv/airflow", "18080")
    assert env["AIRFLOW__API__BASE_URL"] == "https://tk.hatinh.gov.vn/airflow"


def test_the_command_sets_its_own_home_from_a_plain_shell(tmp_path: Path) -> None:
    """`env -i` with PATH and HOME only: the Airflow home is the checkout's, never ~/airflow,
    and `chitieu backfill` says Airflow is not running on the port it tried (exit 3)."""
    port = str(_closed_port())
    proc = subprocess.run([sys.executable, "-c", "import json, os; from chitieu.__main__ import "
                           "configure_airflow; configure_airflow(); print(json.dumps(dict(os.environ)))"],
                          env=plain_shell(tmp_path), capture_output=True, text=True, check=True,
                          cwd=tmp_path)
    seen = json.loads(proc.stdout)
    assert seen["AIRFLOW_HOME"] == str(PROJECT_DIR / ".airflow"), seen
    proc = subprocess.run([CHITIEU, "backfill", "2026-11-01", "2026-11-03", "--wait"],
                          env=plain_shell(tmp_path, AIRFLOW_PORT=port), capture_output=True,
                          text=True, timeout=120, cwd=tmp_path, check=False)
    assert proc.returncode == 3, proc.stderr
    assert f"Airflow does not answer on http://127.0.0.1:{port}" in proc.stderr
    assert "make airflow" in proc.stderr
    assert not (tmp_path / "airflow").exists(), "no stray ~/airflow"
    proc = subprocess.run([CHITIEU, "backfill", "1900-01-01", "2100-12-31"], env=plain_shell(tmp_path),
                          capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False)
    assert proc.returncode == 2 and "backfill refused" in proc.stderr, proc.stderr


def _closed_port() -> int:
    from tests.cluster import free_port

    return free_port()  # bound and released at once: nothing listens on it


def test_a_night_started_late_by_catch_up_says_so() -> None:
    due = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)  # 01:00 on 7 December in Vietnam
    note = catch_up_note("scheduled", due, datetime(2026, 12, 7, 2, 29, tzinfo=UTC))
    assert note == ("catch-up: the night due at 01:00 on 07/12/2026 started at 09:29 on "
                    "07/12/2026 (Airflow was not running at 01:00; it runs the last night it "
                    "missed when it starts)")
    assert catch_up_note("DagRunType.SCHEDULED", due, datetime(2026, 12, 6, 18, 5, tzinfo=UTC)) \
        is None, "a few minutes late is a busy scheduler, not a catch-up"
    for run_type in ("manual", "backfill", "asset_triggered"):
        assert catch_up_note(run_type, due, datetime(2026, 12, 7, 2, 29, tzinfo=UTC)) is None


def test_make_airflow_says_at_start_whether_a_missed_night_runs() -> None:
    """The console line of `make airflow`: a fresh Airflow (no automated run) or one whose
    latest automated night is today's 01:00 runs none; one whose latest is older runs today's."""
    now = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)  # 09:30 on 7 December in Vietnam
    today, yesterday = datetime(2026, 12, 6, 18, 0, tzinfo=UTC), datetime(2026, 12, 5, 18, 0, tzinfo=UTC)
    quiet = ("nightly runs at 01:00 (Vietnam time): starting Airflow runs no night; the next "
             "night runs at 01:00 on 08/12/2026")
    assert start_note(None, now) == start_note(today, now) == quiet
    assert start_note(yesterday, now) == (
        "nightly runs at 01:00 (Vietnam time): the night due at 01:00 on 07/12/2026 was missed "
        "while Airflow was stopped, it runs now (a catch-up, said in its log); the next night "
        "runs at 01:00 on 08/12/2026")
    before_one = datetime(2026, 12, 6, 17, 30, tzinfo=UTC)  # 00:30 on 7 December: not due yet
    assert start_note(yesterday, before_one).endswith("runs no night; the next night runs at "
                                                      "01:00 on 07/12/2026")


def test_links_are_built_on_the_base_url() -> None:
    link = task_link(Settings.from_env({"CHITIEU_BASE_URL": "https://tk.hatinh.gov.vn/airflow/"})
                     .base_url, "chitieu_nightly", "scheduled__2026-12-06T18:00:00+00:00", "ingest")
    assert link == ("https://tk.hatinh.gov.vn/airflow/dags/chitieu_nightly/runs/"
                    "scheduled__2026-12-06T18%3A00%3A00%2B00%3A00/tasks/ingest")
    assert task_link(Settings.from_env({"AIRFLOW_PORT": "18080"}).base_url, "d", "r", "t") == \
        "http://127.0.0.1:18080/dags/d/runs/r/tasks/t"


def test_every_port_in_the_makefile_is_a_variable() -> None:
    text = (PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
    assert "AIRFLOW__API__PORT" not in text, "make must not override the port the user asked for"
    assert "export AIRFLOW_PORT" in text and "export SUPERSET_PORT" in text


def test_a_backfill_window_is_whole_local_days() -> None:
    """Airflow's dates are instants: the window runs from the first day's 00:00 to the last
    day's 23:59:59 in Vietnam, so the last day's 01:00 night is inside it."""
    from datetime import date

    from chitieu.backfill import night_window

    assert night_window(date(2026, 11, 1), date(2026, 11, 30)) == (
        "2026-11-01T00:00:00+07:00", "2026-11-30T23:59:59+07:00")
