"""`python -m chitieu run | airflow | report [--year YEAR] [--lang vi|en]`: what `make run` and
`make airflow` call.

`run` executes the nightly DAG once through Airflow (`airflow dags test`, in-process, on the
embedded SQLite metadata database) and prints where the published warehouse is and the
scorecard; `airflow` starts Airflow's own UI and scheduler and prints the login.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from chitieu.settings import Settings


def _airflow() -> str:
    return str(Path(sys.executable).with_name("airflow"))


def run(logical_date: str | None = None, conf: dict | None = None) -> int:
    settings = Settings.from_env()
    settings.status_file.unlink(missing_ok=True)
    args = [_airflow(), "dags", "test", "chitieu_nightly"]
    args.append(logical_date or datetime.now().astimezone().isoformat(timespec="seconds"))
    if conf:
        args += ["--conf", json.dumps(conf)]
    proc = subprocess.run(args, check=False, capture_output=True, text=True)
    log_dir = settings.warehouse_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / f"run-{datetime.now():%Y%m%dT%H%M%S}.log"
    log_file.write_text(proc.stdout + proc.stderr, encoding="utf-8")
    output = proc.stdout + proc.stderr
    finished = re.search(r"DagRun Finished: .*?state=(\w+)", output)
    failed = proc.returncode != 0 or finished is None or finished.group(1) != "success"
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


def airflow_ui() -> int:
    """`airflow standalone`, with the generated admin password printed once it exists."""
    home = Path(os.environ.get("AIRFLOW_HOME", ".airflow"))
    # standalone starts its components as `airflow ...` subprocesses: the venv must be on PATH.
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    proc = subprocess.Popen([_airflow(), "standalone"], env=env)
    password_file = home / "simple_auth_manager_passwords.json.generated"
    for _ in range(180):
        if password_file.exists():
            port = os.environ.get("AIRFLOW__API__PORT", "8080")
            print(f"Airflow UI: http://localhost:{port}  login: {password_file.read_text().strip()}",
                  flush=True)
            break
        time.sleep(1)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        return proc.wait()


def report(argv: list[str]) -> int:
    """The review of one target year from the published warehouse (default: the current year)."""
    import argparse

    from chitieu.stages import LOCAL_TZ, write_report

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
        for kind in ("html", "pdf", "xlsx"):
            print(f"  {year[kind] or kind + ': skipped (no Chromium on PATH)'}")
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["run"]:
        return run()
    if argv[:1] == ["report"]:
        return report(argv[1:])
    if argv[:1] == ["airflow"]:
        return airflow_ui()
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
