"""Every command of the data engineer's guide sections on re-ingesting, alerts, queries, why a
night failed and exit codes (docs/engineer.md) is run here, as written, from a plain shell in
the checkout: the documented path is the tested path."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.conftest import airflow_env, airflow_home
from tests.smtp_sink import smtp_sink

PROJECT = Path(__file__).resolve().parent.parent.parent
GUIDE = PROJECT / "docs" / "engineer.md"
SECTIONS = ("Re-ingest a unit", "Set the alert addresses", "Query the published warehouse",
            "Why a night failed")


def commands(heading: str) -> list[str]:
    """The lines of the ```sh blocks under `## heading` (up to the next `## `)."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return [line.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.S)
            for line in block.splitlines() if line.strip()]


def shell(command: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", command], cwd=PROJECT, capture_output=True, text=True,
                          timeout=600, check=False, env={**os.environ, "CHITIEU_SETTINGS": "",
                                                         **env})


@pytest.mark.unit
def test_the_guide_documents_every_section_with_commands() -> None:
    for heading in SECTIONS:
        assert commands(heading), f"no command under '{heading}'"
    assert "duckdb -readonly" not in GUIDE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def warehouse(built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the built warehouse (the session keeps the build database open in-process;
    a command in another process reads the copy)."""
    settings, _ = built
    con = duckdb.connect(str(settings.build_db))
    con.execute("CHECKPOINT")
    con.close()
    copy = tmp_path_factory.mktemp("engineer") / "warehouse"
    (copy / "build").mkdir(parents=True)
    shutil.copy(settings.build_db, copy / "build" / "chitieu.duckdb")
    shutil.copy(settings.published_db, copy / "warehouse.duckdb")
    return copy


@pytest.mark.warehouse
@pytest.mark.parametrize("heading", ["Query the published warehouse", "Why a night failed"])
def test_the_query_commands_answer_from_the_warehouse(warehouse: Path, heading: str) -> None:
    for command in commands(heading):
        done = shell(command, {"WAREHOUSE_DIR": str(warehouse)})
        assert done.returncode == 0, f"{command}\n{done.stderr}"
        if "--help" in command:
            assert done.stdout.startswith("usage:"), command
            continue
        rows = re.search(r"\((\d+) rows?\)$", done.stdout.strip())
        assert (rows and int(rows.group(1)) > 0) or ("--csv" in command and
                                                     len(done.stdout.splitlines()) > 1), \
            f"{command} returned nothing:\n{done.stdout}"


@pytest.mark.unit
def test_the_alert_commands_send_and_list(tmp_path: Path) -> None:
    with smtp_sink() as sink:
        env = {"WAREHOUSE_DIR": str(tmp_path), "CHITIEU_SMTP_HOST": sink.host,
               "CHITIEU_SMTP_PORT": str(sink.port), "CHITIEU_ALERT_TO": "tk@hatinh.gov.vn"}
        for command in commands("Set the alert addresses"):
            done = shell(command, env)
            assert done.returncode == 0, f"{command}\n{done.stderr}"
    assert len(sink.messages) == 1, "alert --test sends one message"


@pytest.mark.unit
def test_the_help_commands_run_nothing(tmp_path: Path) -> None:
    """`chitieu run --help` once ran the whole night: every --help prints usage, fast."""
    text = GUIDE.read_text(encoding="utf-8")
    helps = re.findall(r"^\.venv/bin/\S+ .*--help$", text, re.M)
    assert len(helps) >= 3
    for command in helps:
        done = shell(command, {"WAREHOUSE_DIR": str(tmp_path)})
        assert done.returncode == 0 and done.stdout.startswith("usage:"), command
    assert list(tmp_path.iterdir()) == [], "a --help wrote to the warehouse"


@pytest.mark.airflow
def test_the_reingest_trigger_commands_queue_a_run(tmp_path: Path, airflow_metadata: Path) -> None:
    """`airflow dags trigger … --conf '{"reingest_unit": …}'` is accepted by Airflow's own
    validation of the parameters (a name as well as a code) and queues a run."""
    env = airflow_env(airflow_home(airflow_metadata, tmp_path / "home"), tmp_path / "inbox",
                      tmp_path / "warehouse")
    reserialize = shell(".venv/bin/airflow dags reserialize", env)
    assert reserialize.returncode == 0, reserialize.stderr[-2000:]
    for command in commands("Re-ingest a unit"):
        done = shell(command, env)
        assert done.returncode == 0, f"{command}\n{done.stderr[-2000:]}"
    runs = shell(".venv/bin/airflow dags list-runs chitieu_nightly -o json", env)
    assert runs.returncode == 0 and runs.stdout.count('"run_id"') == 2, runs.stdout[-2000:]
