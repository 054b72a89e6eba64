"""Airflow DAG `chitieu_findings_digest`: every Monday at 07:00 (Vietnam time) each reviewer
gets the e-mail of the findings waiting for it (docs/reviewer.md, docs/engineer.md).

Thin by design: its one task runs `python -m portal findings_digest` through
chitieu.findings_digest (imported inside the task). No retries: a reviewer already reached
is not sent the same message twice; the task fails, naming who was not reached and why.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from base.settings import TIME_ZONE


@dag(
    dag_id="chitieu_findings_digest",
    schedule=CronTriggerTimetable("0 7 * * 1", timezone=TIME_ZONE),
    start_date=pendulum.datetime(2026, 1, 1, tz=TIME_ZONE),
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
