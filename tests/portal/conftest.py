"""The portal under test: Django in this process on a PostgreSQL database of its own (created
on the machine's server, dropped after), its accounts made by its own `create_accounts`."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import missing

PASSWORD = "mat-khau-thu-nghiem"  # the first-time password given to every test account
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def postgres_database(prefix: str) -> Iterator[str]:
    """A fresh database on the machine's PostgreSQL (trust auth), dropped afterwards."""
    try:
        import psycopg2

        admin = psycopg2.connect(dbname="postgres", connect_timeout=5, **PG)
    except Exception as exc:
        missing(f"PostgreSQL on 127.0.0.1:5432 ({exc})")
        raise
    admin.autocommit = True
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="session")
def portal_django(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Django set up once for the session; yields the portal's data folder."""
    data = tmp_path_factory.mktemp("portal-data")
    for url in postgres_database("chitieu_portal_test"):
        os.environ.update({"PORTAL_DATABASE_URL": url, "PORTAL_DATA_DIR": str(data),
                           "PORTAL_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
                           "DJANGO_SETTINGS_MODULE": "portal.settings"})
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        call_command("create_accounts", sheet=data / "sheet.txt", password=PASSWORD, verbosity=0)
        yield data
        from django.db import connections

        connections.close_all()


@pytest.fixture
def office_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The inbox, warehouse and receipts export the portal writes to, per test."""
    paths = {"inbox": tmp_path / "inbox", "warehouse": tmp_path / "warehouse"}
    paths["inbox"].mkdir()
    paths["receipts"] = paths["warehouse"] / "receipts" / "receipts.jsonl"
    monkeypatch.setenv("INBOX", str(paths["inbox"]))
    monkeypatch.setenv("WAREHOUSE_DIR", str(paths["warehouse"]))
    monkeypatch.delenv("CHITIEU_RECEIPTS_FILE", raising=False)
    monkeypatch.delenv("CHITIEU_SEEDS_DIR", raising=False)
    return paths


def client_for(username: str):
    """A logged-in test client past its first password change."""
    from django.contrib.auth.models import User
    from django.test import Client

    from portal.office.models import Account

    user = User.objects.get(username=username)
    Account.objects.filter(user=user).update(must_change_password=False)
    client = Client()
    client.force_login(user)
    return client
