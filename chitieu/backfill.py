"""`chitieu backfill FIRST LAST [--wait]`, `--dry-run`, `--cancel`: the nightly job re-run for
past days by the running `make airflow`, through its REST API.

The command talks to the API server (the login is the 0600 file `make airflow` wrote), so it
needs no database of its own and works from any shell: the Airflow home and port come from
chitieu.airflow_home.airflow_environment, as for every Airflow command of the project.
`--wait` follows the backfill night by night and exits 0 only when every night succeeded.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import date, datetime
from datetime import time as day_time

from chitieu.airflow_home import password_file

DAG_ID = "chitieu_nightly"
EXIT_FAILED, EXIT_REFUSED, EXIT_NO_AIRFLOW = 1, 2, 3


class AirflowDown(RuntimeError):
    """The API server does not answer: `make airflow` is not running (or on another port)."""


class AirflowAPI:
    """Airflow's REST API with the admin login of `make airflow`."""

    def __init__(self, env: Mapping[str, str]) -> None:
        host = env.get("AIRFLOW__API__HOST") or "127.0.0.1"
        host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host
        self.base = f"http://{host}:{env['AIRFLOW__API__PORT']}"
        self.password_file = password_file(env)
        self._token: str | None = None

    def _call(self, method: str, path: str, body: dict | None, token: str | None) -> dict:
        request = urllib.request.Request(f"{self.base}{path}", method=method,
                                         data=None if body is None else json.dumps(body).encode())
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:500]
            raise RuntimeError(f"Airflow answered {exc.code} to {method} {path}: {detail}") from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            raise AirflowDown(f"Airflow does not answer on {self.base} ({exc}): start it with "
                              "`make airflow` (AIRFLOW_PORT=... if it runs on another port)") from None

    def __call__(self, method: str, path: str, body: dict | None = None) -> dict:
        if self._token is None:
            self._call("GET", "/api/v2/monitor/health", None, None)  # running at all?
            try:
                users = json.loads(self.password_file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise AirflowDown(f"no login in {self.password_file} ({exc}): is `make airflow` "
                                  "running with this AIRFLOW_HOME?") from None
            self._token = self._call("POST", "/auth/token",
                                     {"username": "admin", "password": users["admin"]},
                                     None)["access_token"]
        return self._call(method, path, body, self._token)


def night_window(first: date, last: date) -> tuple[str, str]:
    """The first and last instant of the local days FIRST..LAST. Airflow's dates are
    instants: a bare date is midnight in Airflow's default time zone, and a night fires at
    01:00, so `--to-date 2022-01-19` would leave out the 19th's night."""
    from base.settings import LOCAL_TZ

    return (datetime.combine(first, day_time(0), LOCAL_TZ).isoformat(),
            datetime.combine(last, day_time(23, 59, 59), LOCAL_TZ).isoformat())


def night_of(run: dict) -> str:
    """The local day a run stands for (its logical date, in Vietnam time)."""
    from base.settings import LOCAL_TZ

    return datetime.fromisoformat(run["logical_date"]).astimezone(LOCAL_TZ).date().isoformat()


def backfill_runs(api: AirflowAPI, start: str, end: str) -> list[dict]:
    """Every backfill run of the DAG in the window, page by page."""
    from urllib.parse import urlencode

    runs: list[dict] = []
    while True:
        query = urlencode({"run_type": "backfill", "logical_date_gte": start,
                           "logical_date_lte": end, "limit": 100, "offset": len(runs),
                           "order_by": "logical_date"})
        page = api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns?{query}")
        runs += page["dag_runs"]
        if not page["dag_runs"] or len(runs) >= page["total_entries"]:
            return runs


def follow(api: AirflowAPI, backfill: dict, start: str, end: str, nights: int,
           poll_s: float = 5) -> int:
    """Print each night as it starts and ends; 0 when every night succeeded."""
    created = datetime.fromisoformat(backfill["created_at"])
    shown: dict[str, str] = {}
    while True:
        current = api("GET", f"/api/v2/backfills/{backfill['id']}")
        runs = backfill_runs(api, start, end)
        # A night run before this backfill keeps its old end until it is queued again; a night
        # cancelled before it started has no end at all.
        fresh = [r for r in runs if r["state"] in {"queued", "running"} or not r["end_date"]
                 or datetime.fromisoformat(r["end_date"]) >= created]
        done = sum(r["state"] in {"success", "failed"} for r in fresh)
        for run in fresh:
            night, state = night_of(run), run["state"]
            if shown.get(night) != state:
                shown[night] = state
                took = f" in {run['duration']:.0f} s" if run.get("duration") else ""
                print(f"{night}  {state}{took}  ({done}/{nights} nights done)", flush=True)
        if current["completed_at"] and not any(r["state"] in {"queued", "running"} for r in fresh):
            ok = sum(r["state"] == "success" for r in fresh)
            failed = sorted(night_of(r) for r in fresh if r["state"] != "success")
            print(f"backfill {backfill['id']}: {ok} of {nights} nights succeeded"
                  + (f"; not succeeded: {', '.join(failed)}" if failed else ""), flush=True)
            return 0 if ok == nights and not failed else EXIT_FAILED
        time.sleep(poll_s)


def cancel(api: AirflowAPI) -> int:
    """Cancel the DAG's running backfills: queued nights are marked failed, none starts;
    a night already running finishes (it cannot be cut off halfway through a publication)."""
    active = [b for b in api("GET", f"/api/v2/backfills?dag_id={DAG_ID}")["backfills"]
              if not b["completed_at"]]
    if not active:
        print("chitieu: no backfill is running")
        return 0
    for item in active:
        api("PUT", f"/api/v2/backfills/{item['id']}/cancel")
        print(f"backfill {item['id']} ({item['from_date']} .. {item['to_date']}) cancelled: "
              "its queued nights will not run; a night already running finishes")
    return 0


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="chitieu backfill",
        description="Re-run the nightly job for the local days FIRST..LAST (both included) on "
                    "the running `make airflow`.")
    parser.add_argument("first", nargs="?", type=date.fromisoformat,
                        help="first night (YYYY-MM-DD)")
    parser.add_argument("last", nargs="?", type=date.fromisoformat, help="last night, included")
    parser.add_argument("--wait", action="store_true",
                        help="follow the nights one by one; exit 0 only if every night succeeded")
    parser.add_argument("--dry-run", action="store_true", help="list the nights, run none")
    parser.add_argument("--cancel", action="store_true",
                        help="cancel the running backfill (no dates)")
    parser.add_argument("--reprocess", choices=["completed", "failed", "none"], default="completed",
                        help="nights that already ran: run again (completed, the default), "
                             "only the failed ones, or none")
    args = parser.parse_args(argv)
    if not args.cancel and (args.first is None or args.last is None):
        parser.error("FIRST and LAST are needed (or --cancel)")
    return args


def refused(first: date, last: date) -> list[str]:
    """Days outside the reporting calendar (a backfill from 1900 would be 46,000 runs)."""
    from base.settings import LOCAL_TZ
    from chitieu.params import check_day

    today = datetime.now(LOCAL_TZ).date()
    problems = [p for p in (check_day("first day", first, today),
                            check_day("last day", last, today)) if p]
    if first > last:
        problems.append(f"the first day {first} is after the last day {last}")
    return problems


def main(argv: list[str], env: Mapping[str, str]) -> int:
    args = parse(argv)
    api = AirflowAPI(env)
    try:
        if args.cancel:
            return cancel(api)
        problems = refused(args.first, args.last)
        if problems:
            print("chitieu: backfill refused: " + "; ".join(problems), file=sys.stderr)
            return EXIT_REFUSED
        start, end = night_window(args.first, args.last)
        body = {"dag_id": DAG_ID, "from_date": start, "to_date": end, "max_active_runs": 1,
                "reprocess_behavior": args.reprocess}
        if args.dry_run:
            planned = api("POST", "/api/v2/backfills/dry_run", body)["backfills"]
            for run in planned:
                print(night_of(run))
            print(f"{len(planned)} night(s) would run")
            return 0
        api("PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": False})  # paused: runs stay queued
        created = api("POST", "/api/v2/backfills", body)
        nights = (args.last - args.first).days + 1
        print(f"backfill {created['id']}: the nights of {args.first} to {args.last} ({nights}), "
              f"one at a time, on {api.base} (cancel: chitieu backfill --cancel)", flush=True)
        return follow(api, created, start, end, nights) if args.wait else 0
    except AirflowDown as exc:
        print(f"chitieu: {exc}", file=sys.stderr)
        return EXIT_NO_AIRFLOW
    except RuntimeError as exc:
        print(f"chitieu: {exc}", file=sys.stderr)
        return EXIT_FAILED
