"""Airflow DAG `chitieu_nightly`: ingest -> dbt build -> audit -> publish -> report -> close_night.

Thin by design: every task calls a function of the `chitieu` package (imported inside the
task, so parsing this file costs nothing). Tasks that write the warehouse share a pool of
one slot, so nightly runs, manual runs and backfills never write at the same time.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Asset, BaseNotifier, Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException
from airflow.timetables.trigger import CronTriggerTimetable

from base.settings import TIME_ZONE
from chitieu.airflow_home import WAREHOUSE_POOL  # constants: nothing is read or run at import

PUBLISHED_MARTS = Asset(name="chitieu_published_marts", uri="file:///chitieu/warehouse/marts")
LOCAL_TZ = TIME_ZONE


def run_day(context):
    """The run's local calendar date; a run triggered without a logical date uses its run_after."""
    moment = context.get("logical_date") or context["dag_run"].run_after
    return pendulum.instance(moment).in_timezone(LOCAL_TZ).date()


class NightFailed(BaseNotifier):
    """A task failed for good: write what failed to <WAREHOUSE_DIR>/LAST_FAILURE.txt and
    e-mail the office (chitieu.alerts, the office's SMTP server from its settings: an
    alert the server does not take within its deadline is kept and sent the next night)."""

    def notify(self, context) -> None:
        from base.settings import Settings
        from chitieu.alerts import failure_message, send_or_keep
        from chitieu.night_start import task_link
        from chitieu.stages import write_failure

        settings = Settings.from_env()
        ti = context.get("ti") or context.get("task_instance")
        task_id = getattr(ti, "task_id", "?")
        reason = str(context.get("exception"))
        link = task_link(settings.base_url, "chitieu_nightly", str(context.get("run_id")), task_id)
        write_failure(settings, f"run {context.get('run_id')} task {task_id} failed: {reason}\n"
                                f"task log: {link}\nwhat to do: docs/engineer.md#why-a-night-failed")
        send_or_keep(settings, *failure_message(str(context.get("run_id")), task_id, reason,
                                                settings.status_file, link))


DEFAULT_ARGS = {
    "owner": "chitieu",
    "retries": 2,
    "retry_delay": timedelta(seconds=20),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=10),
    "on_failure_callback": NightFailed(),
}


@dag(
    dag_id="chitieu_nightly",
    # No start date, and run_immediately=timedelta(0): a fresh Airflow runs its first night at
    # the next 01:00, never the one that passed before it started (with a start date, Airflow 3
    # runs the latest past 01:00 at once). Once the DAG has automated runs (scheduled or
    # backfilled), Airflow runs the last night it missed, as catchup=False does, and says so
    # (chitieu/night_start.py; docs/engineer.md, "What starting Airflow runs").
    schedule=CronTriggerTimetable("0 1 * * *", timezone=LOCAL_TZ, run_immediately=timedelta(0)),
    catchup=False,
    # Unpaused when first parsed: a backfill or a trigger is not left queued behind a pause.
    is_paused_upon_creation=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["chitieu", "warehouse"],
    params={
        # Every parameter is optional: a type without "null" makes Airflow's trigger form
        # mark the field required.
        "full_refresh": Param(False, type=["null", "boolean"],
                              description="Rebuild every dbt model from scratch."),
        "rebuild_periods": Param([], type=["null", "array"], items={"type": "string"},
                                 description="Periods to rebuild even without new files "
                                             "(2021, 2021-Q4, 2021-12)."),
        "reingest_district": Param(None, type=["null", "string"], pattern=r"^\d{3}$",
                                   description="District GSO code whose files are parsed again."),
        "reingest_unit": Param(None, type=["null", "string"],
                               description="Any unit (province, district, commune, before or "
                                           "after the 2025 reform), by GSO code or by name "
                                           "('Xã Gia Phố', 'Huyện Hương Sơn'): its files, and "
                                           "its units' files, are parsed again."),
        "reingest_day": Param(None, type=["null", "string"], format="date",
                              description="Parse again the files that arrived on this day."),
    },
    doc_md=__doc__,
)
def chitieu_nightly():
    @task(pool=WAREHOUSE_POOL)
    def find_new_files() -> dict:
        import logging

        from base.settings import Settings
        from chitieu.night_start import catch_up_note
        from chitieu.params import BadParams, check_day, check_params
        from chitieu.stages import backfill_changes, count_new_files, prepare, unpublished_ingest
        from ingest.scan_handoff import new_token

        context = get_current_context()
        try:
            params = check_params(dict(context["params"]))
        except BadParams as exc:
            raise AirflowFailException(f"invalid trigger parameters: {exc}") from None
        dag_run = context["dag_run"]
        backfill_day = backfill_work = None
        if str(dag_run.run_type).lower().endswith("backfill"):
            day = run_day(context)
            problem = check_day("backfill date", day, pendulum.now(LOCAL_TZ).date())
            if problem:  # refused at once, no retry: a backfill from 1900 costs seconds a run
                raise AirflowFailException(f"{problem}; cancel this backfill and use dates from "
                                           "then on (docs/engineer.md#backfill)")
            backfill_day = day.isoformat()
        settings = Settings.from_env()
        logging.getLogger(__name__).info("inbox scanned: %s (from %s)", settings.inbox,
                                         settings.inbox_source)
        catch_up = catch_up_note(dag_run.run_type, dag_run.run_after, dag_run.start_date)
        if catch_up:
            logging.getLogger(__name__).warning("%s", catch_up)
        if params["reingest_unit"] and params["reingest_unit"] != context["params"].get(
                "reingest_unit"):
            logging.getLogger(__name__).info("reingest_unit %r is the unit of GSO code %s",
                                             context["params"]["reingest_unit"],
                                             params["reingest_unit"])
        prepare(settings)
        if backfill_day:  # a day with nothing to re-read and nothing to build ends here
            backfill_work = backfill_changes(settings, day)
            logging.getLogger(__name__).info(
                "backfilled night %s: %s", backfill_day,
                backfill_work or "no file arrived that day and the warehouse is already "
                "published as of a later day: nothing to re-read or rebuild")
        scan_token = new_token()  # the ingest reads what this scan found, not the inbox again
        return {"inbox": str(settings.inbox), "inbox_source": settings.inbox_source,
                "new_files": count_new_files(settings, scan_token), "scan_token": scan_token,
                "unpublished": unpublished_ingest(settings),
                "reingest_day": params["reingest_day"] or (backfill_day if backfill_work else None),
                "reingest_district": params["reingest_district"],
                "reingest_unit": params["reingest_unit"],
                "rebuild": bool(params["rebuild_periods"] or params["full_refresh"]),
                "rebuild_periods": params["rebuild_periods"],
                "full_refresh": params["full_refresh"], "catch_up": catch_up}

    # Skips the work, not close_night (it follows the trigger rules: alerts every night).
    @task.short_circuit(ignore_downstream_trigger_rules=False)
    def anything_to_do(found: dict) -> bool:
        """A quiet night (no new file, nothing unpublished, nothing asked) ends here, fast."""
        return bool(found["new_files"] or found["unpublished"] or found["reingest_day"]
                    or found["reingest_district"] or found["reingest_unit"] or found["rebuild"])

    @task(pool=WAREHOUSE_POOL)
    def ingest(found: dict) -> dict:
        from datetime import date

        from base.settings import Settings
        from chitieu.stages import ingest_new, reingest_day, reingest_unit

        settings = Settings.from_env()
        result = {"new": ingest_new(settings, found.get("scan_token"))}
        if found["reingest_day"]:
            result["reingested_day"] = reingest_day(settings,
                                                    date.fromisoformat(found["reingest_day"]))
        for unit in {found["reingest_district"], found["reingest_unit"]} - {None}:
            result[f"reingested_unit_{unit}"] = reingest_unit(settings, unit)
        result["full_refresh"] = found["full_refresh"]
        result["rebuild_periods"] = found["rebuild_periods"]
        return result

    @task(pool=WAREHOUSE_POOL, retries=1)
    def dbt_build(ingested: dict) -> dict:
        from base.settings import Settings
        from chitieu.stages import build

        # as of this night's day, or the day already published if later (a backfill)
        return build(Settings.from_env(), full_refresh=ingested["full_refresh"],
                     day=run_day(get_current_context()), periods=ingested["rebuild_periods"])

    @task(retries=0)
    def audit_gate(build_summary: dict) -> dict:
        from chitieu.stages import AuditFailed, audit

        try:
            audit(build_summary)
        except AuditFailed as exc:
            raise AirflowFailException(str(exc)) from None
        return build_summary

    @task(pool=WAREHOUSE_POOL, outlets=[PUBLISHED_MARTS])
    def publish() -> dict:
        from base.settings import Settings
        from chitieu.stages import publish_marts

        return publish_marts(Settings.from_env())

    # Runs on quiet nights too (none_failed): a report a kill or a full disk left on last
    # night's figures is written again; a fresh one costs its fingerprint only.
    @task(pool=WAREHOUSE_POOL, trigger_rule="none_failed")
    def report() -> dict:
        from base.settings import Settings
        from chitieu.stages import write_report

        return write_report(Settings.from_env(), run_day(get_current_context()))

    @task(pool=WAREHOUSE_POOL, trigger_rule="none_failed")
    def close_night(found: dict) -> dict:
        """Every night that did not fail, quiet or not: clear LAST_FAILURE.txt (the failure it
        describes is over), e-mail the units whose report was due yesterday and has not
        arrived (and the alerts kept from nights the mail server did not take them: a mail
        server that refuses or hangs never fails this task), and say which inbox was read."""
        import logging

        from base.settings import Settings
        from base.writer_lock import exclusive
        from chitieu.alerts import night_alerts

        settings = Settings.from_env()
        settings.status_file.unlink(missing_ok=True)
        with exclusive(settings.lock_file):
            alerts = night_alerts(settings, run_day(get_current_context()))
        overdue = alerts["overdue_units"]
        logging.getLogger(__name__).info("inbox scanned: %s (from %s); %d report(s) overdue; "
                                         "%s%s", found["inbox"], found["inbox_source"],
                                         len(overdue), alerts["alerts"],
                                         f"; {found['catch_up']}" if found.get("catch_up") else "")
        return {"inbox": found["inbox"], "overdue": [f"{o.period} {o.unit_code} {o.unit_name}"
                                                     for o in overdue],
                "alerts": alerts["alerts"], "alerts_unsent": alerts["alerts_unsent"],
                "catch_up": found.get("catch_up")}

    found = find_new_files()
    go = anything_to_do(found)
    ingested = ingest(found)
    go >> ingested
    # publish and report read the warehouse, not their upstream's return value: ordered, not fed.
    audit_gate(dbt_build(ingested)) >> publish() >> report() >> close_night(found)


chitieu_nightly()
