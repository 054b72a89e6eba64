"""How a night came to run, said in its log and summary: on schedule, by catch-up, by a backfill.

Airflow runs the last night it missed as soon as it starts (catchup is off, so only that one):
a machine off at 01:00 and started at 09:30 runs the night then. That is kept — the files that
arrived meanwhile are read the same morning rather than a day late, and the due-day alert
still goes out — but the night says so, since it ran at an hour nobody chose.
"""

from __future__ import annotations

from datetime import datetime, timedelta
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
