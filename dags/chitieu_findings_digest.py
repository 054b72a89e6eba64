"""Airflow DAG `chitieu_findings_digest`: every Monday at 07:00 (Vietnam time) each reviewer
gets the e-mail of the findings waiting for it (docs/reviewer.md, docs/engineer.md).

Thin by design: its one task runs `python -m portal findings_digest` through
chitieu.findings_digest (imported inside the task). No retries: a reviewer already reached
is not sent the same message twice; the task fails, naming who was not reached and why.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from base.settings import TIME_ZONE


@dag(
    dag_id="chitieu_findings_digest",
    # No start date, run_immediately=timedelta(0): starting a fresh Airflow never sends last
    # Monday's e-mail at once (as chitieu_nightly: docs/engineer.md, "What starting Airflow runs").
    schedule=CronTriggerTimetable("0 7 * * 1", timezone=TIME_ZONE, run_immediately=timedelta(0)),
    catchup=False,
    is_paused_upon_creation=False,
    max_active_runs=1,
    default_args={"owner": "chitieu", "retries": 0},
    tags=["chitieu", "portal"],
)
def chitieu_findings_digest():
    @task
    def send_findings_digest() -> str:
        from chitieu.findings_digest import run_findings_digest

        return run_findings_digest()

    send_findings_digest()


chitieu_findings_digest()
