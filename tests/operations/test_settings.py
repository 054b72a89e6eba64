"""One Settings for every path and knob (issue 12): read once, no silent sample inbox, and the
command line and the DAG agree on where things go."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from base.settings import PROJECT_DIR, Settings, SettingsError

pytestmark = pytest.mark.unit


def test_every_setting_comes_from_the_environment(tmp_path: Path) -> None:
    env = {"INBOX": str(tmp_path / "in"), "WAREHOUSE_DIR": str(tmp_path / "wh"),
           "CHITIEU_ARCHIVE_DIR": str(tmp_path / "arch"), "CHITIEU_REPORTS_DIR": str(tmp_path / "rep"),
           "CHITIEU_PARSE_WORKERS": "3", "CHITIEU_PARSE_MEMORY_MB": "512",
           "CHITIEU_PARSE_TIMEOUT_S": "7.5", "CHITIEU_SETTLE_S": "30"}
    s = Settings.from_env(env)
    assert (s.inbox, s.warehouse_dir, s.archive_dir, s.reports_dir) == (
        tmp_path / "in", tmp_path / "wh", tmp_path / "arch", tmp_path / "rep")
    assert (s.parse_workers, s.parse_limits.memory_mb, s.parse_limits.timeout_s, s.settle_s) == \
        (3, 512, 7.5, 30.0)
    assert s.build_db == tmp_path / "wh" / "build" / "chitieu.duckdb"


def test_defaults_and_no_silent_sample_inbox() -> None:
    s = Settings.from_env({})
    assert s.inbox is None, "a deployed worker without INBOX must not ingest the sample"
    assert s.warehouse_dir == PROJECT_DIR / "warehouse"
    assert s.archive_dir == s.warehouse_dir / "archive"
    assert s.parse_workers is None and s.settle_s == 0
    with pytest.raises(SettingsError, match="INBOX is not set"):
        s.require_inbox()


@pytest.mark.parametrize("name", ["CHITIEU_PARSE_MEMORY_MB", "CHITIEU_SETTLE_S", "CHITIEU_PARSE_WORKERS"])
def test_a_malformed_number_names_its_variable(name: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: "lots"})


def test_a_run_without_an_inbox_stops_with_the_reason(tmp_path: Path) -> None:
    from chitieu.stages import count_new_files

    with pytest.raises(SettingsError, match="INBOX"):
        count_new_files(Settings(None, tmp_path))


def test_ingest_load_writes_where_the_dag_writes(tmp_path: Path) -> None:
    """A few reports and a corrupt file, in a subfolder too: every file is archived, the
    rejected one included (the unit tier generates no sample: hostile.good_reports)."""
    from tests import hostile

    inbox = tmp_path / "inbox"
    hostile.good_reports(inbox / "Xa", 3)
    (inbox / "Loi").mkdir()
    (inbox / "Loi" / "BC thang 12.xlsx").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 2)
    env = dict(os.environ, INBOX=str(inbox), WAREHOUSE_DIR=str(tmp_path / "wh"))
    env.pop("CHITIEU_ARCHIVE_DIR", None)
    proc = subprocess.run([sys.executable, "-m", "ingest", "load"], env=env, capture_output=True,
                          text=True, check=False, cwd=PROJECT_DIR)
    assert proc.returncode == 0, proc.stderr
    settings = Settings.from_env(env)
    assert settings.build_db.exists()
    archived = [p for p in settings.archive_dir.rglob("*") if p.is_file()]
    assert len(archived) == len([p for p in inbox.rglob("*") if p.is_file()])
    env.pop("INBOX")
    env.pop("CHITIEU_SAMPLE_INBOX", None)  # make's fallback to the sample, when run through make
    proc = subprocess.run([sys.executable, "-m", "ingest", "load"], env=env, capture_output=True,
                          text=True, check=False, cwd=PROJECT_DIR)
    assert proc.returncode == 2 and "INBOX is not set" in proc.stderr
