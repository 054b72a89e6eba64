"""How a night came to run, said in its log and summary: on schedule, by catch-up, by a backfill;
and what starting `make airflow` will run, said on its console before it runs anything.

Airflow (catchup off) runs the last night it missed when the DAG already has automated runs
(scheduled or backfilled): a machine off at 01:00 and started at 09:30 runs the night then.
That is kept — the files that arrived meanwhile are read the same morning rather than a day
late, and the due-day alert still goes out — but the night says so, since it ran at an hour
nobody chose, and `make airflow` announces it when it starts. A fresh Airflow (no automated run
yet) runs no night at start: the DAG has no start date and `run_immediately=timedelta(0)`, so
its first night is the next 01:00.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from urllib.parse import quote

LATE = timedelta(minutes=15)  # a scheduler busy with another run starts a night a little late


def catch_up_note(run_type: str, due: datetime | None, started: datetime | None) -> str | None:
    """'catch-up: …' for a scheduled night started LATE or more after its time, else None."""
    from base.settings import LOCAL_TZ

    if not str(run_type).lower().endswith("scheduled") or due is None or started is None:
        return None
    if started - due < LATE:
        return None
    due_local, started_local = due.astimezone(LOCAL_TZ), started.astimezone(LOCAL_TZ)
    return (f"catch-up: the night due at {due_local:%H:%M on %d/%m/%Y} started at "
            f"{started_local:%H:%M on %d/%m/%Y} (Airflow was not running at {due_local:%H:%M}; "
            "it runs the last night it missed when it starts)")


def task_link(base_url: str, dag_id: str, run_id: str, task_id: str) -> str:
    """The task of a run in Airflow's UI, on the address people use (settings.base_url)."""
    return f"{base_url.rstrip('/')}/dags/{dag_id}/runs/{quote(run_id, safe='')}/tasks/{task_id}"


def last_due(now: datetime) -> datetime:
    """The latest 01:00 in Vietnam time at or before `now` (the night the schedule last asked)."""
    from base.settings import LOCAL_TZ

    local = now.astimezone(LOCAL_TZ)
    due = datetime.combine(local.date(), time(1), LOCAL_TZ)
    return due if due <= local else due - timedelta(days=1)


def start_note(last_automated: datetime | None, now: datetime) -> str:
    """What starting Airflow does about the schedule, from the DAG's latest automated night
    (the due time of its latest scheduled or backfilled run; None if it never had one)."""
    due = last_due(now)
    upcoming = f"the next night runs at 01:00 on {due + timedelta(days=1):%d/%m/%Y}"
    if last_automated is None or last_automated >= due:
        return f"nightly runs at 01:00 (Vietnam time): starting Airflow runs no night; {upcoming}"
    return (f"nightly runs at 01:00 (Vietnam time): the night due at 01:00 on {due:%d/%m/%Y} was "
            f"missed while Airflow was stopped, it runs now (a catch-up, said in its log); "
            f"{upcoming}")
