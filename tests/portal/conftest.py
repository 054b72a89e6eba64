"""The portal room's fixtures: the office's paths per test and a logged-in client. The portal
itself (Django in this process on a PostgreSQL database of its own, its accounts made by its
own `create_accounts`) is tests/conftest.py's session fixture `portal_django`."""

from __future__ import annotations

from pathlib import Path

import pytest

# Never import portal_django here or in a test module: an imported fixture is a second
# definition, set up a second time (tests/conftest.py's docstring of portal_django).
from tests.conftest import PASSWORD, postgres_database  # noqa: F401 (the room's names)


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
