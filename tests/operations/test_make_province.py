"""`make run PROVINCE=...` and the folders make removes (issue 25, item 1): a value that is not
one of today's 34 province codes is refused before any file is touched, and the sample folder
make regenerates is removed only when its real path lies under the project's data/ folder.

Every hostile value runs against a copy of the checkout in a temporary folder, beside a scratch
folder that must survive: a failure deletes only temporary files, never this worktree."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from base.settings import PROJECT_DIR

pytestmark = pytest.mark.unit


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The checkout's tracked files (as they are in the worktree) in tmp/work/proj, sharing this
    checkout's .venv, with Airflow's metadata marked ready so that `make run` goes straight to
    the sample; tmp/work/X is the scratch folder `PROVINCE=../../../X` names."""
    proj = tmp_path / "work" / "proj"
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_DIR, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = PROJECT_DIR / name
        if source.is_file():
            (proj / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, proj / name)
    (proj / ".venv").symlink_to(PROJECT_DIR / ".venv")
    (proj / "keep.txt").write_text("the checkout")
    (proj / "data" / "provinces" / "44").mkdir(parents=True)  # as after `make run PROVINCE=44`
    return proj


def scratch(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "keep.txt").write_text("outside the project")
    return folder


def make(proj: Path, *args: str) -> subprocess.CompletedProcess:
    home = proj.parent / "airflow-home"
    home.mkdir(exist_ok=True)
    (home / ".ready").touch()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    env.update(AIRFLOW_HOME=str(home))
    env.pop("WAREHOUSE_DIR", None)
    env.pop("PROVINCE", None)
    return subprocess.run(["make", "--no-print-directory", *args], cwd=proj, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("value", ["../../../X", "01 ../../../X", "../..", "01/../../../../X",
                                   "$(shell touch ../../../X/pwned)", "1", "42 ", "*"])
def test_a_province_that_is_not_a_code_is_refused_before_anything_is_touched(
        copy: Path, value: str) -> None:
    outside = scratch(copy.parent / "X")
    run = make(copy, "run", f"PROVINCE={value}")
    assert (outside / "keep.txt").read_text() == "outside the project", run.stdout + run.stderr
    assert (copy / "keep.txt").exists(), "the checkout itself was removed"
    assert not (outside / "pwned").exists(), "the value was expanded by make"
    assert run.returncode != 0
    assert "PROVINCE" in run.stderr and "34" in run.stderr, run.stderr
    assert [p.name for p in (copy / "data").rglob("*")] == ["provinces", "44"], \
        "something was generated before the refusal"


def test_a_folder_named_apart_from_the_project_is_never_removed(copy: Path, tmp_path: Path) -> None:
    """SAMPLE_DIR or CURDIR given on make's command line, and a sample folder that is a link
    out of the project: the folder make would remove lies outside data/, and stays."""
    outside = scratch(tmp_path / "elsewhere" / "data" / "sample")
    # SAMPLE_DIR on the command line is overridden: what make would run names the copy's own
    # data/ folder, never the one given (a dry run: generating a province takes minutes)
    for args in ([f"SAMPLE_DIR={outside}"], ["PROVINCE=01", f"SAMPLE_DIR={outside}"]):
        run = make(copy, "-n", "sample", *args)
        assert run.returncode == 0, run.stderr
        assert str(outside) not in run.stdout and f"--out '{copy}/data/" in run.stdout, run.stdout
    # CURDIR moves make's folder itself: the generator's own check refuses to remove it
    run = make(copy, "sample", f"CURDIR={tmp_path}/elsewhere")
    assert (outside / "keep.txt").exists(), run.stdout + run.stderr
    assert run.returncode != 0 and "data" in run.stderr, run.stderr
    (copy / "data" / "provinces").mkdir(parents=True, exist_ok=True)
    (copy / "data" / "provinces" / "01").symlink_to(outside)
    run = make(copy, "sample", "PROVINCE=01")
    assert (outside / "keep.txt").exists(), run.stdout + run.stderr
    assert run.returncode != 0 and "data" in run.stderr, run.stderr


def test_a_province_code_still_runs(copy: Path) -> None:
    """Every one of today's 34 codes passes make's check (a dry run: nothing is generated)."""
    from ingest.sample.folder import PROVINCE_CODES

    for code in PROVINCE_CODES:
        run = make(copy, "-n", "sample", f"PROVINCE={code}")
        assert run.returncode == 0, run.stderr
        assert f"--province {code}" in run.stdout
    assert make(copy, "-n", "sample").returncode == 0


def test_the_makefile_and_the_sample_know_the_same_34_codes() -> None:
    import sqlite3

    import vietnamadminunits

    from ingest.sample.folder import PROVINCE_CODES

    dataset = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"
    with sqlite3.connect(dataset) as con:
        today = sorted({r[0] for r in con.execute("SELECT provinceCode FROM admin_units")})
    assert list(PROVINCE_CODES) == today and len(today) == 34
    line = next(t for t in (PROJECT_DIR / "Makefile").read_text().splitlines()
                if t.startswith("PROVINCES :="))
    assert line.split(":=")[1].split() == today


def test_the_sample_command_refuses_a_province_that_is_not_a_code(tmp_path: Path) -> None:
    import sys

    outside = scratch(tmp_path / "X")
    run = subprocess.run([sys.executable, "-m", "ingest", "sample", "--out", str(outside),
                          "--province", "../X", "--replace"], cwd=PROJECT_DIR,
                         capture_output=True, text=True, check=False)
    assert run.returncode != 0 and "34" in run.stderr, run.stderr
    assert (outside / "keep.txt").exists()


def test_only_the_projects_own_sample_folders_are_removable(tmp_path: Path) -> None:
    from ingest.sample.folder import UnsafeFolder, removable

    data = PROJECT_DIR / "data"
    assert removable(data / "sample") == (data / "sample").resolve()
    assert removable(data / "provinces" / "44" / ".." / "01") == (data / "provinces" / "01").resolve()
    for folder in (data, data / "provinces", data / "provinces" / "99", data / "sample" / "x",
                   PROJECT_DIR, tmp_path, data / "provinces" / ".." / ".." / "warehouse"):
        with pytest.raises(UnsafeFolder):
            removable(folder)
