"""DAG integrity: imports cleanly and fast, scheduled and guarded as designed."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chitieu.params import BadParams, check_params

pytestmark = pytest.mark.unit

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    started = time.monotonic()
    bag = DagBag(dag_folder=str(PROJECT / "dags"), known_pools={"chitieu_warehouse", "default_pool"})
    return bag, time.monotonic() - started


def test_every_dag_imports_without_error_within_budget(dagbag) -> None:
    bag, seconds = dagbag
    assert bag.import_errors == {}
    assert "chitieu_nightly" in bag.dags
    assert seconds < 10, f"parsing took {seconds:.1f}s: work at import time?"
    assert max(s.duration.total_seconds() for s in bag.dagbag_stats) < 2


def test_schedule_and_concurrency(dagbag) -> None:
    dag = dagbag[0].dags["chitieu_nightly"]
    assert dag.catchup is False and dag.max_active_runs == 1
    timetable = dag.timetable
    assert "0 1 * * *" in timetable.summary and str(timetable._timezone) == "Asia/Ho_Chi_Minh"


def test_writers_share_one_pool_and_retry(dagbag) -> None:
    dag = dagbag[0].dags["chitieu_nightly"]
    writers = {"find_new_files", "ingest", "dbt_build", "publish", "report"}
    for task_id in writers:
        task = dag.get_task(task_id)
        assert task.pool == "chitieu_warehouse", task_id
        assert task.retries >= 1 and task.retry_exponential_backoff, task_id
        assert task.on_failure_callback, task_id
    assert dag.get_task("audit_gate").retries == 0, "a failed audit is final, not transient"
    outlets = dag.get_task("publish").outlets
    assert [a.name for a in outlets] == ["chitieu_published_marts"]


def test_dag_file_does_no_work_at_import() -> None:
    """Parsing the DAG file (every 30 s in a DAG processor) loads no database, dbt, pandas or
    reader: measured by what a fresh interpreter has imported after loading it."""
    probe = ("import importlib.util, json, sys\n"
             "spec = importlib.util.spec_from_file_location('dag', sys.argv[1])\n"
             "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
             "print(json.dumps(sorted(sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", probe, str(PROJECT / "dags" / "chitieu_nightly.py")],
                          capture_output=True, text=True, check=True, cwd=PROJECT)
    loaded = set(json.loads(proc.stdout.splitlines()[-1]))
    heavy = {"duckdb", "dbt", "pandas", "python_calamine", "xlsxwriter", "ingest.pipeline",
             "chitieu.stages", "chitieu.publish", "chitieu.review"}
    assert not heavy & loaded, heavy & loaded
    assert "base.settings" in loaded or "airflow" in loaded  # it did load the file


def test_params_are_checked_with_clear_errors() -> None:
    checked = check_params({"rebuild_periods": ["Quý IV/2021", "2021"]})
    assert checked["rebuild_periods"] == ["2021-Q4", "2021"]
    with pytest.raises(BadParams, match="rebuild_periods: 'cuối năm' is not a period"):
        check_params({"rebuild_periods": ["cuối năm"]})
    with pytest.raises(BadParams, match="reingest_district: '999' is not a district"):
        check_params({"reingest_district": "999"})
    with pytest.raises(BadParams, match="reingest_day"):
        check_params({"reingest_day": "2022-13-01"})
    assert check_params({"reingest_district": "436"})["reingest_district"] == "436"


def test_every_trigger_parameter_is_optional_in_the_trigger_form(dagbag) -> None:
    """Airflow's trigger form marks a field required when its schema's type is set and is not
    a list holding "null" (the rule below is read from the installed UI, so an Airflow that
    changes it fails here): every parameter of the nightly DAG is optional."""
    import airflow

    bundle = Path(airflow.__file__).parent / "ui" / "dist" / "assets"
    rule = "!!e.schema.type&&(!Array.isArray(e.schema.type)||!e.schema.type.includes(`null`))"
    assert any(rule in p.read_text(encoding="utf-8", errors="replace")
               for p in bundle.glob("index-*.js")), "the trigger form's 'required' rule changed"
    params = dagbag[0].dags["chitieu_nightly"].params
    required = [name for name in params
                if params.get_param(name).schema.get("type")
                and "null" not in params.get_param(name).schema["type"]]
    assert required == [], f"marked required in the trigger form: {required}"
    assert check_params({name: None for name in params})["rebuild_periods"] == []
@pytest.mark.parametrize(("moment", "day"), [
    ("2026-11-04T18:00:00+00:00", "2026-11-05"),  # the scheduled 01:00 run of 5 November, Vietnam time
    ("2026-11-04T16:59:59+00:00", "2026-11-04"),  # 23:59:59 on the 4th in Vietnam
    ("2026-11-05T01:00:00+07:00", "2026-11-05"),
])
def test_the_run_day_is_the_vietnam_calendar_day(moment: str, day: str) -> None:
    """The day a run re-reads, alerts for and reports on is its logical moment's date in Vietnam
    time: the 01:00 run is 18:00 UTC the evening before, and must not read the day before."""
    import importlib.util
    from datetime import datetime

    dag_file = PROJECT / "dags" / "chitieu_nightly.py"
    spec = importlib.util.spec_from_file_location("chitieu_nightly_dag", dag_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    when = datetime.fromisoformat(moment)
    assert module.run_day({"logical_date": when}).isoformat() == day

    class Run:
        run_after = when

    # a run triggered without a logical date falls back on its run_after, in Vietnam time too
    assert module.run_day({"logical_date": None, "dag_run": Run()}).isoformat() == day


def test_the_findings_digest_is_weekly_and_never_sent_twice(dagbag) -> None:
    """The reviewers' e-mail (dags/chitieu_findings_digest.py): Monday 07:00 in Vietnam, one
    task, no retry (a retry would send again to the reviewers already reached)."""
    dag = dagbag[0].dags["chitieu_findings_digest"]
    assert "0 7 * * 1" in dag.timetable.summary and str(dag.timetable._timezone) == "Asia/Ho_Chi_Minh"
    assert dag.catchup is False and dag.max_active_runs == 1
    assert [t.task_id for t in dag.tasks] == ["send_findings_digest"]
    assert dag.get_task("send_findings_digest").retries == 0
