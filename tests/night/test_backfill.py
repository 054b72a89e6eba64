"""Backfills with Airflow's own `airflow backfill create`, run by a real scheduler.

The services run as processes on PostgreSQL (tests/cluster.py). The scenario is the one
data engineers meet: a parsing rule was wrong, the fix is deployed, and a backfill over
the days the affected files arrived corrects the published marts; a second backfill over
the same days then leaves the marts exactly as they were.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from chitieu.publish import MARTS
from tests.cluster import AirflowCluster

pytestmark = pytest.mark.airflow

AIRFLOW = str(Path(sys.executable).with_name("airflow"))


def marts_fingerprint(db: Path) -> dict[str, tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*), bit_xor(hash(t)) FROM marts.{t} AS t").fetchone()
                for t in MARTS}
    finally:
        con.close()


def province(db: Path, sql: str) -> tuple:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchone()
    finally:
        con.close()


@pytest.fixture(scope="module")
def cluster(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("backfill")
    inbox = root / "inbox"
    shutil.copytree(sample_dir / "inbox", inbox)
    # The "bug": a catalogue whose GRDP growth range stops at 5 %, so 5.02 is quarantined.
    broken = root / "seeds"
    shutil.copytree(Path(__file__).resolve().parents[2] / "dbt_project" / "seeds", broken)
    with open(broken / "indicators.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if row["indicator_code"] == "GRDP_GROWTH":
            row["max_value"] = "5"
    with open(broken / "indicators.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    with AirflowCluster(root / "home", inbox, root / "warehouse",
                        extra_env={"CHITIEU_SEEDS_DIR": str(broken)}).running() as c:
        yield c


def wait_for_backfills(cluster: AirflowCluster, timeout: float = 900) -> list[dict]:
    """Wait until every backfill is complete; return the backfill runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        backfills = cluster.api("GET", "/api/v2/backfills?dag_id=chitieu_nightly")["backfills"]
        if backfills and all(b["completed_at"] for b in backfills):
            return [r for r in cluster.runs() if r["run_type"] == "backfill"]
        time.sleep(5)
    raise TimeoutError(f"backfills not finished: {cluster.runs()}\n{cluster.logs()}")


def test_backfill_after_a_parser_fix_corrects_the_marts_and_is_idempotent(cluster) -> None:
    published = cluster.warehouse / "warehouse.duckdb"
    run_id = cluster.trigger()
    assert cluster.wait_run(run_id) == "success", cluster.logs()
    grdp = "SELECT count(*) FROM marts.indicator_values WHERE unit_code = '42' AND period = '2021' " \
           "AND indicator_code = 'GRDP_GROWTH'"
    assert province(published, grdp) == (0,), "the wrong rule quarantined GRDP growth"
    # The province's 2021 report, and its reports for 2022-2025 (GRDP growth above 5 % too).
    assert province(published, "SELECT count(*) FROM marts.data_quality_findings "
                               "WHERE rule = 'out_of_range' AND indicator_code = 'GRDP_GROWTH'") == (5,)

    cluster.redeploy({})  # the fix: the real catalogue
    env = cluster.env
    subprocess.run([AIRFLOW, "backfill", "create", "--dag-id", "chitieu_nightly", "--from-date",
                    "2022-01-17", "--to-date", "2022-01-19", "--max-active-runs", "1"],
                   env=env, check=True, capture_output=True, timeout=120)
    runs = wait_for_backfills(cluster)
    assert runs and all(r["state"] == "success" for r in runs), runs
    # Nightly runs fire at 01:00 Vietnam time: the window holds the runs of 18 and 19 January.
    assert len(runs) == 2
    value = "SELECT value FROM marts.indicator_values WHERE unit_code = '42' AND period = '2021' " \
            "AND indicator_code = 'GRDP_GROWTH'"
    assert province(published, value)[0] == pytest.approx(5.02)
    assert province(published, "SELECT targets_met, targets_total FROM marts.scorecard "
                               "WHERE unit_code = '42' AND year = 2021") == (9, 17)
    findings = "SELECT count(*) FROM marts.data_quality_findings WHERE rule = 'out_of_range' " \
               "AND indicator_code = 'GRDP_GROWTH' AND period {}"
    assert province(published, findings.format("= '2021'")) == (0,)
    # A backfill re-reads the files that arrived on its dates, no others: the later years'
    # reports arrived on other days and keep their findings until those days are backfilled.
    assert province(published, findings.format("> '2021'")) == (4,)

    before = marts_fingerprint(published)
    second_started = cluster.api("GET", "/api/v2/monitor/health")["scheduler"]["latest_scheduler_heartbeat"]
    subprocess.run([AIRFLOW, "backfill", "create", "--dag-id", "chitieu_nightly", "--from-date",
                    "2022-01-17", "--to-date", "2022-01-19", "--reprocess-behavior", "completed",
                    "--max-active-runs", "1"], env=env, check=True, capture_output=True, timeout=120)
    runs = wait_for_backfills(cluster)
    assert len(runs) == 2 and all(r["state"] == "success" for r in runs), runs
    assert all(r["end_date"] > second_started for r in runs), "the processed dates ran again"
    assert marts_fingerprint(published) == before, "a backfill over processed dates changes nothing"
