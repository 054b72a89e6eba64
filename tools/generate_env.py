"""Write `.env` and `.secrets/passwords.json` for docker compose, with fresh random secrets.

Refuses to overwrite existing files: rotating secrets is a deliberate act (delete them first).
Neither file is committed (.gitignore).

Usage: python tools/generate_env.py [--dir .]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
from pathlib import Path


def generate(root: Path) -> list[Path]:
    env_file = root / ".env"
    passwords = root / ".secrets" / "passwords.json"
    for path in (env_file, passwords):
        if path.exists():
            raise SystemExit(f"{path} exists; delete it first to rotate the secrets")
    values = {
        "POSTGRES_PASSWORD": secrets.token_urlsafe(24),
        "REDIS_PASSWORD": secrets.token_urlsafe(24),
        "AIRFLOW_FERNET_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "AIRFLOW_JWT_SECRET": secrets.token_urlsafe(48),
        "AIRFLOW_API_SECRET_KEY": secrets.token_urlsafe(32),
        "PORTAL_SECRET_KEY": secrets.token_urlsafe(50),
    }
    env_file.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    passwords.parent.mkdir(mode=0o700, exist_ok=True)
    passwords.write_text(json.dumps({"admin": secrets.token_urlsafe(16)}), encoding="utf-8")
    for path in (env_file, passwords):
        os.chmod(path, 0o600)
    return [env_file, passwords]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("."))
    args = parser.parse_args(argv)
    for path in generate(args.dir):
        print(f"wrote {path}")
    print("the admin password is in .secrets/passwords.json")


if __name__ == "__main__":
    main()
