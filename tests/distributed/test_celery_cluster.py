"""The production topology, natively: CeleryExecutor, two workers, PostgreSQL and Redis.

Same services as docker-compose.yml (api-server, scheduler, dag-processor, triggerer,
celery workers), started as processes on the machine's real PostgreSQL and Redis.
"""

from __future__ import annotations

import shutil
import signal
import time
from pathlib import Path

import duckdb
import psutil
import pytest

from tests.cluster import AirflowCluster

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def cluster(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("celery")
    inbox = root / "inbox"
    shutil.copytree(sample_dir / "inbox", inbox)
    with AirflowCluster(root / "home", inbox, root / "warehouse", executor="CeleryExecutor", workers=2,
                        extra_env={"AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "30"}
                        ).running() as c:
        yield c


def scorecard(db: Path) -> tuple:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT targets_met, targets_total FROM marts.scorecard "
                           "WHERE unit_code = '42' AND year = 2021").fetchone()
    finally:
        con.close()


def raw_counts(cluster: AirflowCluster) -> tuple:
    con = duckdb.connect(str(cluster.warehouse / "build" / "chitieu.duckdb"), read_only=True)
    try:
        return con.execute(
            'SELECT (SELECT count(*) FROM raw.files), (SELECT count(*) FROM raw."values"), '
            "(SELECT count(*) - count(DISTINCT submission_id) FROM raw.submissions)").fetchone()
    finally:
        con.close()


def test_run_through_the_rest_api_on_celery_workers(cluster) -> None:
    run_id = cluster.trigger()
    assert cluster.wait_run(run_id) == "success", cluster.logs()
    assert scorecard(cluster.warehouse / "warehouse.duckdb") == (9, 17)
    hosts = {ti["hostname"] for ti in cluster.task_instances(run_id) if ti["hostname"]}
    assert hosts, "tasks ran on Celery workers"


def _worker_running(cluster: AirflowCluster, task_pid: int | None) -> str | None:
    """The worker whose process tree holds the task's process."""
    if not task_pid:
        return None
    for name, proc in cluster.processes.items():
        if name.startswith("worker"):
            tree = {proc.pid} | {c.pid for c in psutil.Process(proc.pid).children(recursive=True)}
            if task_pid in tree:
                return name
    return None


def test_killing_a_worker_mid_run_loses_and_doubles_nothing(cluster) -> None:
    files_before, values_before, dup = raw_counts(cluster)
    run_id = cluster.trigger({"full_refresh": True})
    deadline = time.monotonic() + 180
    killed = None
    while time.monotonic() < deadline and killed is None:
        for ti in cluster.task_instances(run_id):
            if ti["state"] == "running" and ti["task_id"] == "dbt_build":
                killed = _worker_running(cluster, ti.get("pid"))
                if killed:
                    time.sleep(2)  # well inside the build
                    cluster.stop_process(killed, signal.SIGKILL)
        time.sleep(0.5)
    assert killed, "no worker was caught running the build"
    assert cluster.wait_run(run_id, timeout=600) == "success", cluster.logs()
    tries = {ti["task_id"]: ti["try_number"] for ti in cluster.task_instances(run_id)}
    assert max(tries.values()) >= 2, f"the killed task was retried: {tries}"
    assert raw_counts(cluster) == (files_before, values_before, dup) and dup == 0
    assert scorecard(cluster.warehouse / "warehouse.duckdb") == (9, 17)


def test_short_backfill_through_the_rest_api(cluster) -> None:
    cluster.api("POST", "/api/v2/backfills", {
        "dag_id": "chitieu_nightly", "from_date": "2022-01-17T00:00:00Z",
        "to_date": "2022-01-18T00:00:00Z", "max_active_runs": 1})
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        backfills = cluster.api("GET", "/api/v2/backfills?dag_id=chitieu_nightly")["backfills"]
        if backfills and all(b["completed_at"] for b in backfills):
            break
        time.sleep(5)
    runs = [r for r in cluster.runs() if r["run_type"] == "backfill"]
    assert runs and all(r["state"] == "success" for r in runs), runs
    assert scorecard(cluster.warehouse / "warehouse.duckdb") == (9, 17)
