"""`make test TEST_WORKERS=N` (docs/developer.md): unset, the suite runs on one worker per core
(auto, as CI runs it); empty, in one pytest process; asked for, its parallel workers are `auto`
or a number from 1 to 16; anything else reaches no command line, refused when make reads the
Makefile (dry runs: `make -n` prints what it would run and runs nothing)."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.conftest import PROJECT

pytestmark = pytest.mark.unit


def dry_run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS", "TEST_WORKERS"))}
    return subprocess.run(["make", "-n", "--no-print-directory", "test", *args], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize(("args", "workers"), [((), "auto"), (("TEST_WORKERS=",), None),
                                               (("TEST_WORKERS=auto",), "auto"),
                                               (("TEST_WORKERS=1",), "1"), (("TEST_WORKERS=16",), "16")])
def test_the_suite_runs_on_the_workers_asked(args: tuple[str, ...], workers: str | None) -> None:
    run = dry_run(*args)
    assert run.returncode == 0, run.stderr
    pytest_lines = [line.split() for line in run.stdout.splitlines() if "bin/pytest" in line]
    assert pytest_lines, run.stdout
    assert pytest_lines[-1][-1] == "--ignore=tests/distributed" if workers is None \
        else pytest_lines[-1][-2:] == ["-n", workers], run.stdout


@pytest.mark.parametrize("value", ["0", "17", "2 3", "-1", "auto;true", "$(shell touch {flag})"])
def test_any_other_number_of_workers_is_refused_before_anything_runs(value: str, tmp_path) -> None:
    flag = tmp_path / "expanded"
    run = dry_run(f"TEST_WORKERS={value.format(flag=flag)}")
    assert run.returncode != 0 and "TEST_WORKERS" in run.stderr, run.stdout + run.stderr
    assert "bin/pytest" not in run.stdout
    assert not flag.exists(), "make expanded the value"
