"""`chitieu run | airflow | airflow-db | docs | report [--year YEAR] [--lang vi|en]
| backfill FROM_DATE TO_DATE | sql [--build] [--csv] QUERY | alert --test` (also
`python -m chitieu …`): what `make run`, `make airflow` and `make docs` call. Every
subcommand answers --help without running anything.

`run` executes the nightly DAG once through Airflow (`airflow dags test`, in-process, on the
embedded SQLite metadata database) and prints the inbox it read, where the published
warehouse is and the scorecard; `airflow` starts Airflow's own UI and scheduler and prints
where the login is; `backfill` checks the dates, then asks Airflow for the backfill; `sql`
queries the published warehouse read-only; `alert --test` e-mails a test alert. Exit codes
(base/errors.py): 0 done, 1 refused or failed (the message says why), 2 wrong arguments or
settings, 3 the warehouse is busy, 70 an internal error of chitieu (tell the office).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from base.settings import LOCAL_TZ, Settings
from chitieu.airflow_home import airflow_bin, dag_run_state, init_metadata, password_file
from chitieu.metadata_db import airflow_database
from chitieu.night_start import start_note


def run(logical_date: str | None = None, conf: dict | None = None) -> int:
    from base.writer_lock import INHERITED, WarehouseBusy, acquire, release

    settings = Settings.from_env()
    try:
        lock = acquire(settings.lock_file)  # the whole run, handed down to its tasks
    except WarehouseBusy as exc:
        print(f"chitieu: {exc}", file=sys.stderr)
        return 3
    try:
        return _run_locked(settings, lock, INHERITED, logical_date, conf)
    finally:
        release(lock)


def _run_locked(settings: Settings, lock: int, inherited: str, logical_date: str | None,
                conf: dict | None) -> int:
    from chitieu.replay import arrivals_file, replay_sample

    settings.status_file.unlink(missing_ok=True)
    replayed = replay_sample(settings)  # the sample's first run: its arrivals, night by night
    args = [airflow_bin(), "dags", "test", "chitieu_nightly"]
    # Microseconds: two runs started in the same second must not share a run id.
    args.append(logical_date or datetime.now().astimezone().isoformat(timespec="microseconds"))
    if conf:
        args += ["--conf", json.dumps(conf)]
    env = dict(os.environ, **{inherited: str(lock)})
    proc = subprocess.run(args, check=False, capture_output=True, text=True, env=env,
                          pass_fds=(lock,))
    log_dir = settings.warehouse_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / f"run-{datetime.now(LOCAL_TZ):%Y%m%dT%H%M%S%f}.log"  # Vietnam time
    try:
        log_file.write_text(proc.stdout + proc.stderr, encoding="utf-8")
    except OSError as exc:  # a full disk: the reason must still reach the operator
        print(f"chitieu: the run log could not be written ({exc})", file=sys.stderr)
    output = proc.stdout + proc.stderr
    failed = proc.returncode != 0 or dag_run_state(output) != "success"
    if failed:
        reason = settings.status_file.read_text(encoding="utf-8") if settings.status_file.exists() \
            else output[-3000:]
        print(f"chitieu: the run FAILED; full log: {log_file}\n{reason}", file=sys.stderr)
        return 1
    if not settings.published_db.exists():
        print(f"chitieu: nothing published yet (no new files in {settings.inbox}?); "
              f"log: {log_file}")
        return 0
    from chitieu.stages import scorecard_text

    print(f"inbox read:          {settings.inbox} (from {settings.inbox_source})")
    if replayed:
        print(f"arrivals replayed:   {replayed} nights before this run "
              f"({arrivals_file(settings.inbox)})")
    print(f"published warehouse: {settings.published_db}")
    print(f"parquet copies:      {settings.parquet_dir / 'current'}")
    print(f"reports:             {settings.reports_dir}")
    print(f"run log:             {log_file}")
    print(_alerts_line(settings))
    print(scorecard_text(settings.published_db))
    return 0


def _alerts_line(settings: Settings) -> str:
    """The run summary's word on the e-mail alerts: those the mail server did not take are
    kept and named here (they are tried again next night)."""
    from chitieu.alerts import configured, kept, unsent_dir

    unsent = kept(settings)
    if unsent:
        return (f"alerts:              {len(unsent)} NOT e-mailed (kept in {unsent_dir(settings)}, "
                "tried again next night; see the run log)")
    return "alerts:              " + ("every alert e-mailed" if configured(settings) else
                                      "not e-mailed: no mail server set (smtp_host, alert_to)")


AIRFLOW_COMPONENTS = (["api-server"], ["scheduler", "--skip-serve-logs"], ["dag-processor"],
                      ["triggerer", "--skip-serve-logs"])


class Stop(Exception):
    """SIGTERM or SIGINT reached `make airflow`: stop every component, then exit."""


def _stop(signum: int, _frame) -> None:
    raise Stop(signum)


def precreate_logins(home: Path, env: dict[str, str]) -> Path:
    """Write the simple auth manager's password file ourselves, 0600, before the API server
    starts: it generates (and prints to its console) a password only for a user missing
    from that file, so with every user present nothing is printed."""
    path = password_file({**env, "AIRFLOW_HOME": str(home)})
    users = [item.split(":", 1)[0].strip() for item in
             env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", "admin:admin").split(",")
             if item.strip()]
    try:
        known = json.loads(path.read_text(encoding="utf-8") or "{}") if path.exists() else {}
    except json.JSONDecodeError:
        known = {}
    wanted = {user: known.get(user) or secrets.token_urlsafe(12) for user in users}
    if wanted != known or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(wanted) + "\n")
        os.replace(path.with_suffix(".tmp"), path)
    path.chmod(0o600)
    return path


def airflow_ui() -> int:
    """Airflow's UI and scheduler on this machine only.

    `airflow standalone` would bind the API server and two log servers on every interface
    over plain HTTP; here the components are started one by one, the API server on
    AIRFLOW__API__HOST (127.0.0.1 unless asked) and without log servers (this machine's
    task logs are local files), and the login is in a 0600 file written before the API
    server starts (so Airflow never prints a password) whose path, not contents, is printed.
    Each component runs in its own process group: SIGTERM or Ctrl-C to this command is
    passed to every group and waited for, so nothing is left running.
    """
    home = Path(os.environ.get("AIRFLOW_HOME", ".airflow"))
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    env.setdefault("AIRFLOW__API__HOST", "127.0.0.1")
    port = env.setdefault("AIRFLOW__API__PORT", "8080")
    env.setdefault("AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
                   f"http://{env['AIRFLOW__API__HOST']}:{port}/execution/")
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    procs: list[subprocess.Popen] = []
    database = contextlib.ExitStack()  # closed after the components: the server stops last
    try:
        env.update(database.enter_context(airflow_database(home, env)))
        init_metadata(env)
        for private in home.glob("airflow.db*"):
            private.chmod(0o600)
        password_file = precreate_logins(home, env)
        procs += [subprocess.Popen([airflow_bin(), *args], env=env, start_new_session=True)
                  for args in AIRFLOW_COMPONENTS]
        print(f"Airflow UI: http://{env['AIRFLOW__API__HOST']}:{port}  login: admin, "
              f"password in {password_file.resolve()}", flush=True)
        settings = Settings.from_env(env)
        print(f"inbox read by the nightly runs: {settings.inbox} (from {settings.inbox_source})",
              flush=True)
        try:
            print(start_note(last_automated_night(env), datetime.now(LOCAL_TZ)), flush=True)
        except Exception as exc:  # a note, never a reason not to start
            print(f"nightly runs at 01:00 (Vietnam time); whether a missed night runs now could "
                  f"not be read from Airflow's metadata ({type(exc).__name__})", flush=True)
        while all(p.poll() is None for p in procs):
            time.sleep(1)
        return next(p.returncode for p in procs if p.returncode is not None)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    except Stop:
        return 0
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)  # a second signal must not cut the clean-up short
        _stop_groups(procs)
        database.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def last_automated_night(env: Mapping[str, str]) -> datetime | None:
    """The due time of the DAG's latest scheduled or backfilled run in Airflow's metadata (the
    run Airflow schedules the next night from), None if it has none."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    try:
        with engine.connect() as con:
            latest = con.execute(sqlalchemy.text(
                "SELECT max(logical_date) FROM dag_run WHERE dag_id = 'chitieu_nightly' "
                "AND run_type IN ('scheduled', 'backfill')")).scalar()
    finally:
        engine.dispose()
    if isinstance(latest, str):  # SQLite answers text
        latest = datetime.fromisoformat(latest)
    return latest.replace(tzinfo=latest.tzinfo or UTC) if latest else None


def _stop_groups(procs: list[subprocess.Popen], grace_s: float = 30) -> None:
    """SIGTERM to each component's process group, then SIGKILL to what outlives the grace."""
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    for proc in procs:  # the group may outlive its leader (workers, a DAG file processor)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def report(argv: list[str]) -> int:
    """The review of one target year from the published warehouse (default: the current year)."""
    import argparse

    from base.settings import LOCAL_TZ
    from chitieu.stages import write_report

    parser = argparse.ArgumentParser(prog="python -m chitieu report")
    parser.add_argument("--year", type=int, default=None,
                        help="one target year (default: every year with targets up to the current one)")
    parser.add_argument("--lang", choices=["vi", "en"], default="vi", help="vi (default) or en")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if not settings.published_db.exists():
        print(f"chitieu: nothing published yet at {settings.published_db}", file=sys.stderr)
        return 1
    result = write_report(settings, datetime.now(LOCAL_TZ).date(), args.year, args.lang)
    for year in result["years"].values():
        print(year["headline"])
        for kind in ("html", "pdf", "xlsx", "docx"):
            print(f"  {year[kind] or kind + ': skipped (no Chromium on PATH)'}")
    return 0


def backfill(argv: list[str]) -> int:
    """`chitieu backfill FIRST LAST [--wait] | --dry-run | --cancel` (chitieu/backfill.py)."""
    from chitieu import backfill as command

    return command.main(argv, os.environ)


def configure_airflow() -> None:
    """The Airflow home, port and time zones `make` used to export, set by the command itself
    (chitieu/airflow_home.py), so it behaves the same from any shell."""
    from chitieu.airflow_home import airflow_environment

    os.environ.update(airflow_environment())


def docs() -> int:
    """dbt's documentation site (models, tests, lineage with the exposures) in
    dbt_project/target: the catalogue is read from the build database when there is one
    (under the writers' lock), else generated without it."""
    import tempfile

    from dbt.cli.main import dbtRunner

    from base.settings import DBT_DIR
    from base.writer_lock import exclusive
    from chitieu.build import _dbt_environment, seed_path

    settings = Settings.from_env()
    args = ["docs", "generate", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
            "--target-path", str(DBT_DIR / "target")]
    with tempfile.TemporaryDirectory() as scratch:
        db = settings.build_db
        if not db.exists():
            db = Path(scratch) / "chitieu.duckdb"
            args.append("--empty-catalog")
        with exclusive(settings.lock_file), \
                _dbt_environment({"CHITIEU_DB": str(db), "CHITIEU_DBT_SEED_PATH": seed_path()}):
            result = dbtRunner().invoke(args)
    if not result.success:
        print(f"chitieu: dbt docs generate failed: {result.exception}", file=sys.stderr)
        return 1
    print(f"documentation: {DBT_DIR / 'target' / 'index.html'} "
          f"(serve it: .venv/bin/dbt docs serve --project-dir dbt_project --profiles-dir "
          f"dbt_project)")
    return 0


# What each subcommand does, for its --help (those with options have a parser of their own).
PLAIN_COMMANDS = {
    "run": "Run the nightly job once through Airflow (in-process, `airflow dags test`) and "
           "print the inbox read, the published warehouse and the scorecard.",
    "airflow": "Start Airflow's UI, scheduler, DAG processor and triggerer on this machine; "
               "Ctrl-C stops them all.",
    "airflow-db": "Create or migrate Airflow's metadata database and the warehouse pool.",
    "docs": "Build dbt's documentation site (models, tests, lineage) in dbt_project/target.",
}


def main(argv: list[str]) -> int:
    from base.errors import USAGE, guarded

    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        return 0 if argv else USAGE
    command, rest = argv[0], argv[1:]
    if command in PLAIN_COMMANDS:
        _plain_arguments(command, rest)  # --help prints and exits; anything else is refused
    handlers = {"run": lambda: run(), "report": lambda: report(rest),
                "airflow": airflow_ui, "backfill": lambda: backfill(rest), "docs": docs,
                "airflow-db": lambda: init_metadata() or 0, "sql": lambda: sql(rest),
                "alert": lambda: alert(rest)}
    if command not in handlers:
        print(f"chitieu: unknown command {command!r}\n{__doc__}", file=sys.stderr)
        return USAGE
    if command in ("run", "airflow", "backfill", "airflow-db"):
        configure_airflow()  # the checkout's Airflow home and settings, as make sets them
    return guarded(handlers[command])


def _plain_arguments(command: str, argv: list[str]) -> None:
    """A subcommand without options still answers --help (and refuses stray arguments)
    before anything runs: `chitieu run --help` must not run the night."""
    import argparse

    argparse.ArgumentParser(prog=f"chitieu {command}",
                            description=PLAIN_COMMANDS[command]).parse_args(argv)


def sql(argv: list[str]) -> int:
    """`chitieu sql "SELECT …"`: chitieu/query.py."""
    import argparse

    from chitieu.query import run_query

    parser = argparse.ArgumentParser(
        prog="chitieu sql", description="A read-only query on the published warehouse "
        "(<WAREHOUSE_DIR>/warehouse.duckdb): no writes, no file outside it.")
    parser.add_argument("query", help='the SQL, in quotes: "SELECT * FROM marts.scorecard"')
    parser.add_argument("--build", action="store_true",
                        help="query the build database instead (the audit tables a failed "
                             "night names); refused while a run writes it")
    parser.add_argument("--csv", action="store_true", help="CSV on stdout, every row")
    args = parser.parse_args(argv)
    return run_query(Settings.from_env(), args.query, build=args.build, as_csv=args.csv)


def alert(argv: list[str]) -> int:
    """`chitieu alert --test`: one test e-mail now; without --test, the alerts kept unsent."""
    import argparse

    from base.errors import OK, REFUSED, USAGE
    from chitieu.alerts import AlertNotSent, kept, send_test_alert, unsent_dir

    parser = argparse.ArgumentParser(
        prog="chitieu alert", description="The e-mail alerts: --test sends a test message to "
        "the alert addresses through the configured mail server; without it, the alerts the "
        "server did not take (tried again each night) are listed.")
    parser.add_argument("--test", action="store_true", help="send a test alert now")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if not args.test:
        for path in kept(settings):
            print(path)
        print(f"{len(kept(settings))} alert(s) kept unsent in {unsent_dir(settings)}")
        return OK
    try:
        print(send_test_alert(settings))
    except AlertNotSent as exc:
        configured = settings.smtp_host and settings.alert_to
        print(f"chitieu alert: not sent: {exc}", file=sys.stderr)
        return REFUSED if configured else USAGE
    return OK


def cli() -> int:
    """The `chitieu` command installed with the project."""
    return main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(cli())
