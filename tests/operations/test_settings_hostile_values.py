"""Hostile values in the office's settings (issue 25, items 2 and 3): each is refused by name
before a night starts, relative folders in the settings file mean the file's own folder, and
the inbox never overlaps the warehouse's folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from base.settings import PROJECT_DIR, Settings, SettingsError

pytestmark = pytest.mark.unit


def from_file(tmp_path: Path, text: str, **env: str) -> Settings:
    path = tmp_path / "conf" / "chitieu.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return Settings.from_env({"CHITIEU_SETTINGS": str(path), **env})


@pytest.mark.parametrize("key", ["inbox", "warehouse_dir", "archive_dir", "reports_dir"])
@pytest.mark.parametrize("value", ["42", "true", "{ path = '/srv' }", "['/srv', '/x']", "''",
                                   "2026-01-01", "4.5"])
def test_a_folder_that_is_not_a_name_is_refused_by_name(tmp_path: Path, key: str, value: str) -> None:
    with pytest.raises(SettingsError, match=rf"{key}\b.*(folder|empty)"):
        from_file(tmp_path, f"{key} = {value}\n")


@pytest.mark.parametrize("key", ["parse_workers", "parse_memory_mb", "parse_timeout_s", "settle_s",
                                 "smtp_port"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "true", "'many'", "[1]", "{ a = 1 }"])
def test_a_number_that_is_not_finite_is_refused_by_name(tmp_path: Path, key: str, value: str) -> None:
    with pytest.raises(SettingsError, match=rf"(?i)(chitieu_)?{key}"):
        from_file(tmp_path, f"{key} = {value}\n")


@pytest.mark.parametrize("name", ["CHITIEU_PARSE_MEMORY_MB", "CHITIEU_PARSE_TIMEOUT_S"])
@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "0.0", "1e400"])
def test_parse_limits_of_zero_or_less_or_not_finite_are_refused(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


@pytest.mark.parametrize("value", ["0", "65536", "99999999", "-25", "nan", "25.5"])
def test_a_port_outside_1_to_65535_is_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(SettingsError, match="CHITIEU_SMTP_PORT"):
        Settings.from_env({"CHITIEU_SMTP_PORT": value})
    with pytest.raises(SettingsError, match=r"(?i)smtp_port"):
        from_file(tmp_path, f"smtp_port = {value}\n")


def test_the_limits_in_force_are_accepted_at_their_edges() -> None:
    s = Settings.from_env({"CHITIEU_SMTP_PORT": "65535", "CHITIEU_PARSE_TIMEOUT_S": "0.5",
                           "CHITIEU_PARSE_MEMORY_MB": "1"})
    assert (s.smtp_port, s.parse_timeout_s, s.parse_memory_mb) == (65535, 0.5, 1)
    assert Settings.from_env({"CHITIEU_SMTP_PORT": "1"}).smtp_port == 1


def test_the_parse_limits_refuse_zero_wherever_they_are_made() -> None:
    from base.settings import ParseLimits

    for memory, timeout in ((0, 60), (1024, 0), (-1, 60), (1024, float("nan")), (1024, float("inf"))):
        with pytest.raises(ValueError):
            ParseLimits(memory, timeout)


def test_relative_folders_in_the_file_mean_the_files_folder(tmp_path: Path) -> None:
    conf = tmp_path / "conf"
    s = from_file(tmp_path, 'inbox = "hop-thu"\nwarehouse_dir = "../kho"\narchive_dir = "./luu"\n'
                            'reports_dir = "bao-cao/nam"\n')
    assert (s.inbox, s.warehouse_dir, s.archive_dir, s.reports_dir) == (
        conf / "hop-thu", tmp_path / "kho", conf / "luu", conf / "bao-cao" / "nam")
    # the same from another working folder, in another process (Airflow's workers start anywhere)
    code = ("import sys; from base.settings import Settings; s = Settings.from_env(); "
            "print(s.inbox, s.warehouse_dir, sep='|')")
    env = {k: v for k, v in os.environ.items() if k not in ("INBOX", "WAREHOUSE_DIR")}
    env.update(CHITIEU_SETTINGS=str(conf / "chitieu.toml"), PYTHONPATH=str(PROJECT_DIR))
    out = subprocess.run([sys.executable, "-c", code], cwd="/", env=env, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == f"{conf / 'hop-thu'}|{tmp_path / 'kho'}"


@pytest.mark.parametrize(("inbox", "warehouse", "archive", "reports"), [
    ("kho", "kho", None, None),                     # the inbox is the warehouse
    ("kho/archive", "kho", None, None),             # inside it
    ("kho/hop-thu", "kho", None, None),             # inside it
    ("hop-thu", "hop-thu/kho", None, None),         # the warehouse inside the inbox
    ("hop-thu", "kho", "hop-thu/luu", None),        # the archive inside the inbox
    ("hop-thu", "kho", None, "hop-thu/bao-cao"),    # the reports inside the inbox
    ("luu/hop-thu", "kho", "luu", None),            # the inbox inside the archive
    ("hop-thu", "kho", None, "hop-thu"),            # the reports are the inbox
])
def test_an_inbox_overlapping_the_warehouse_is_refused(tmp_path: Path, inbox: str, warehouse: str,
                                                       archive: str | None, reports: str | None) -> None:
    lines = [f'inbox = "{inbox}"', f'warehouse_dir = "{warehouse}"']
    lines += [f'archive_dir = "{archive}"'] * bool(archive) + [f'reports_dir = "{reports}"'] * bool(reports)
    with pytest.raises(SettingsError, match=r"(?i)inbox"):
        from_file(tmp_path, "\n".join(lines) + "\n")
    env = {"INBOX": str(tmp_path / inbox), "WAREHOUSE_DIR": str(tmp_path / warehouse)}
    env.update({"CHITIEU_ARCHIVE_DIR": str(tmp_path / archive)} if archive else {})
    env.update({"CHITIEU_REPORTS_DIR": str(tmp_path / reports)} if reports else {})
    with pytest.raises(SettingsError, match="INBOX"):
        Settings.from_env(env)


def test_an_inbox_reached_through_a_link_into_the_warehouse_is_refused(tmp_path: Path) -> None:
    (tmp_path / "kho" / "archive").mkdir(parents=True)
    (tmp_path / "hop-thu").symlink_to(tmp_path / "kho" / "archive")
    with pytest.raises(SettingsError, match="INBOX"):
        Settings.from_env({"INBOX": str(tmp_path / "hop-thu"), "WAREHOUSE_DIR": str(tmp_path / "kho")})


def test_folders_side_by_side_are_accepted(tmp_path: Path) -> None:
    s = from_file(tmp_path, 'inbox = "/srv/hop-thu"\nwarehouse_dir = "/srv/hop-thu-kho"\n')
    assert s.inbox == Path("/srv/hop-thu") and s.warehouse_dir == Path("/srv/hop-thu-kho")


def test_ingest_load_refuses_an_inbox_inside_the_warehouse(tmp_path: Path) -> None:
    (tmp_path / "kho" / "archive").mkdir(parents=True)
    run = subprocess.run([sys.executable, "-m", "ingest", "load", "--inbox",
                          str(tmp_path / "kho" / "archive"), "--warehouse", str(tmp_path / "kho")],
                         cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    assert run.returncode == 2 and "INBOX" in run.stderr, run.stderr
    assert not (tmp_path / "kho" / "build").exists()
