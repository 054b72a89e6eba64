"""`python -m chitieu run | airflow | airflow-db | report [--year YEAR] [--lang vi|en]`: what
`make run` and `make airflow` call.

`run` executes the nightly DAG once through Airflow (`airflow dags test`, in-process, on the
embedded SQLite metadata database) and prints where the published warehouse is and the
scorecard; `airflow` starts Airflow's own UI and scheduler and prints the login.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from chitieu.airflow_home import airflow_bin, dag_run_state, init_metadata
from chitieu.settings import Settings


def run(logical_date: str | None = None, conf: dict | None = None) -> int:
    from ingest.writer_lock import INHERITED, WarehouseBusy, acquire, release

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
    settings.status_file.unlink(missing_ok=True)
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
    log_file = log_dir / f"run-{datetime.now():%Y%m%dT%H%M%S%f}.log"
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
        print(f"chitieu: nothing published yet (no new files?); log: {log_file}")
        return 0
    from chitieu.stages import scorecard_text

    print(f"published warehouse: {settings.published_db}")
    print(f"parquet copies:      {settings.parquet_dir / 'current'}")
    print(f"reports:             {settings.reports_dir}")
    print(f"run log:             {log_file}")
    print(scorecard_text(settings.published_db))
    return 0


AIRFLOW_COMPONENTS = (["api-server"], ["scheduler", "--skip-serve-logs"], ["dag-processor"],
                      ["triggerer", "--skip-serve-logs"])


def airflow_ui() -> int:
    """Airflow's UI and scheduler on this machine only.

    `airflow standalone` would bind the API server and two log servers on every interface
    over plain HTTP; here the components are started one by one, the API server on
    AIRFLOW__API__HOST (127.0.0.1 unless asked) and without log servers (this machine's
    task logs are local files), and the generated login stays in a 0600 file whose path,
    not contents, is printed.
    """
    home = Path(os.environ.get("AIRFLOW_HOME", ".airflow"))
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    env.setdefault("AIRFLOW__API__HOST", "127.0.0.1")
    port = env.setdefault("AIRFLOW__API__PORT", "8080")
    env.setdefault("AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
                   f"http://{env['AIRFLOW__API__HOST']}:{port}/execution/")
    try:
        init_metadata(env)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    for private in home.glob("airflow.db*"):
        private.chmod(0o600)
    procs = [subprocess.Popen([airflow_bin(), *args], env=env) for args in AIRFLOW_COMPONENTS]
    password_file = home / "simple_auth_manager_passwords.json.generated"
    try:
        for _ in range(180):
            if password_file.exists():
                password_file.chmod(0o600)
                print(f"Airflow UI: http://{env['AIRFLOW__API__HOST']}:{port}  login: admin, "
                      f"password in {password_file.resolve()}", flush=True)
                break
            if any(p.poll() is not None for p in procs):
                break
            time.sleep(1)
        while all(p.poll() is None for p in procs):
            time.sleep(1)
        return next(p.returncode for p in procs if p.returncode is not None)
    except KeyboardInterrupt:
        return 0
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def report(argv: list[str]) -> int:
    """The review of one target year from the published warehouse (default: the current year)."""
    import argparse

    from chitieu.settings import LOCAL_TZ
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


def main(argv: list[str]) -> int:
    if argv[:1] == ["run"]:
        return run()
    if argv[:1] == ["report"]:
        return report(argv[1:])
    if argv[:1] == ["airflow"]:
        return airflow_ui()
    if argv[:1] == ["airflow-db"]:
        init_metadata()
        return 0
    print(__doc__)
    return 2


def cli() -> int:
    """The `chitieu` command installed with the project."""
    return main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(cli())
