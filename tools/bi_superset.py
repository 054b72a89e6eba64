"""Superset on the published warehouse: its own environment, config, admin, bundle, server.

`make superset` runs `python tools/bi_superset.py`. Superset lives in `.superset-venv`, apart
from the project's environment (it pins DuckDB < 2, Flask and SQLAlchemy 1.4), installed from
the hash-locked `bi/superset/requirements.txt`. Its state (metadata database, secret key,
admin password) lives in SUPERSET_HOME, `.superset/` by default, git-ignored; the secrets
are generated on first start into 0600 files and never printed, only their path.

The dashboard bundle `bi/superset/bundle/` is zipped at import with the database URI pointed
at `<WAREHOUSE_DIR>/warehouse.duckdb`, opened read-only per query, so the marts a night
publishes show on the next chart refresh without restarting anything.

Usage: python tools/bi_superset.py [--warehouse-dir DIR] [--home DIR] [--port 8088] [--no-serve]
       (in the apache/superset image: --venv /app/.venv --no-install --host 0.0.0.0)
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parent.parent
BI = PROJECT / "bi" / "superset"
BUNDLE = BI / "bundle"
REQUIREMENTS = BI / "requirements.txt"
CONFIG = BI / "superset_config.py"
DATABASE_NAME = "chitieu_warehouse"
DASHBOARD_SLUG = "chitieu"
ADMIN = "admin"


def warehouse_uri(published_db: Path) -> str:
    """The SQLAlchemy URI of the published file, read-only (never blocks or sees a half night)."""
    return f"duckdb:///{published_db.resolve()}?access_mode=read_only"


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv") or str(Path.home() / ".local" / "bin" / "uv")
    if not Path(found).exists():
        raise SystemExit("uv is needed to build Superset's environment (make setup installs it)")
    return found


def ensure_venv(venv: Path, offline: bool = False) -> Path:
    """Create or resync `venv` from the locked requirements; a no-op when they have not changed.
    `offline`: from uv's cache alone (CalledProcessError when something is not there)."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    marker = venv / ".synced"
    if marker.exists() and marker.read_text().strip() == digest:
        return venv
    uv = _uv()
    if not (venv / "bin" / "python").exists():
        subprocess.run([uv, "venv", "--quiet", *(["--offline"] if offline else []), "--python", "3.11",
                        str(venv)], check=True)
    # Bytecode compiled once here: machines with PYTHONDONTWRITEBYTECODE=1 would otherwise
    # compile Superset on every command.
    subprocess.run([uv, "pip", "sync", "--quiet", *(["--offline"] if offline else []),
                    "--require-hashes", "--compile-bytecode",
                    "--python", str(venv / "bin" / "python"), str(REQUIREMENTS)], check=True)
    marker.write_text(digest + "\n")
    return venv


def _secret_file(path: Path, make: str) -> str:
    """Read a 0600 secret file, creating it with `make` first if missing."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(make + "\n")
    return path.read_text(encoding="utf-8").strip()


def prepare_home(home: Path) -> str:
    """SUPERSET_HOME with its secret key and admin password (generated once); returns the password."""
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    _secret_file(home / "secret_key", secrets.token_urlsafe(48))
    return _secret_file(home / "admin_password", secrets.token_urlsafe(18))


def superset_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"SUPERSET_HOME": str(home), "SUPERSET_CONFIG_PATH": str(CONFIG),
                "FLASK_APP": "superset", "SUPERSET_LOAD_EXAMPLES": "no"})
    env.pop("PYTHONPATH", None)  # the project's modules are not Superset's business
    return env


def build_bundle(published_db: Path, out_zip: Path) -> Path:
    """Zip the YAML bundle as Superset imports it, the database pointed at `published_db`."""
    with zipfile.ZipFile(out_zip, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(BUNDLE.rglob("*.yaml")):
            rel = path.relative_to(BUNDLE)
            text = path.read_text(encoding="utf-8")
            if rel.parts[0] == "databases":
                config = yaml.safe_load(text)
                config["sqlalchemy_uri"] = warehouse_uri(published_db)
                text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
            zf.writestr(f"chitieu_dashboard/{rel.as_posix()}", text)
    return out_zip


def _superset(venv: Path, env: dict[str, str], *args: str) -> str:
    proc = subprocess.run([str(venv / "bin" / "superset"), *args], env=env, capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"superset {' '.join(args[:1])} failed:\n{proc.stdout[-3000:]}\n"
                           f"{proc.stderr[-3000:]}")
    return proc.stdout + proc.stderr


def initialise(venv: Path, home: Path, published_db: Path) -> str:
    """Migrate the metadata database, create the admin, import the bundle; returns the password."""
    password = prepare_home(home)
    env = superset_env(home)
    _superset(venv, env, "db", "upgrade")
    _superset(venv, env, "fab", "create-admin", "--username", ADMIN, "--firstname", "Quản trị",
              "--lastname", "chitieu", "--email", "admin@localhost", "--password", password)
    _superset(venv, env, "init")
    bundle = build_bundle(published_db, home / "bundle.zip")
    _superset(venv, env, "import-dashboards", "--path", str(bundle), "--username", ADMIN)
    # A database already imported keeps its old URI: point it at this warehouse in any case.
    _superset(venv, env, "set-database-uri", "--database_name", DATABASE_NAME,
              "--uri", warehouse_uri(published_db))
    return password


def server_command(venv: Path, port: int, host: str = "127.0.0.1") -> list[str]:
    """Gunicorn, on 127.0.0.1 unless told (the container): one worker with threads (2 cores)."""
    return [str(venv / "bin" / "gunicorn"), "--bind", f"{host}:{port}", "--workers", "1",
            "--worker-class", "gthread", "--threads", "8", "--timeout", "120",
            "--limit-request-line", "0", "--limit-request-field_size", "0",
            # gunicorn 27's control socket is one path per user: two servers (a test beside
            # `make superset`) would fight over it, and nothing here uses it.
            "--no-control-socket", "superset.app:create_app()"]


def wait_ready(base_url: str, timeout: float = 120.0, proc: subprocess.Popen | None = None) -> None:
    """Block until Superset answers /health, or fail (naming the exit if the server died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"Superset exited with {proc.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"{base_url}/health", timeout=5) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    raise TimeoutError(f"Superset did not answer {base_url}/health within {timeout:.0f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warehouse-dir", type=Path,
                        default=Path(os.environ.get("WAREHOUSE_DIR", PROJECT / "warehouse")))
    parser.add_argument("--home", type=Path, default=PROJECT / ".superset")
    parser.add_argument("--venv", type=Path, default=PROJECT / ".superset-venv")
    parser.add_argument("--port", type=int, default=None,
                        help="default: SUPERSET_PORT (make superset SUPERSET_PORT=...), "
                             "chitieu.toml superset_port, else 8088")
    parser.add_argument("--host", default="127.0.0.1", help="0.0.0.0 only inside a container")
    parser.add_argument("--no-install", action="store_true",
                        help="use --venv as it is (the apache/superset image's /app/.venv)")
    parser.add_argument("--no-serve", action="store_true", help="set up and import, do not serve")
    args = parser.parse_args(argv)
    if args.port is None:
        sys.path.insert(0, str(PROJECT))
        from base.settings import Settings

        args.port = Settings.from_env().superset_port
    published = (args.warehouse_dir / "warehouse.duckdb").resolve()
    if not published.exists():
        raise SystemExit(f"{published} does not exist: run `make run` first")
    home = args.home.resolve()
    venv = args.venv.resolve() if args.no_install else ensure_venv(args.venv.resolve())
    initialise(venv, home, published)
    if args.no_serve:
        return
    url = f"http://{args.host}:{args.port}"
    print(f"warehouse: {published} (read-only)")
    print(f"Superset:  {url}/superset/dashboard/{DASHBOARD_SLUG}/")
    print(f"login:     {ADMIN} / the password in {home / 'admin_password'} (0600)")
    sys.stdout.flush()
    command = server_command(venv, args.port, args.host)
    os.execve(command[0], command, superset_env(home))


if __name__ == "__main__":
    main()
