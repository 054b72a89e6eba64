"""bench/dbt_startup, as docs/engineer.md and docs/benchmarks.md show it, runs from a plain
shell and prints both ways' figures and their ratio; an absurd number of rounds is refused."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent.parent
BENCH = PROJECT / "bench" / "dbt_startup"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCH), *args], cwd=PROJECT, capture_output=True,
                          text=True, timeout=600, check=False,
                          env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"})


@pytest.mark.warehouse
def test_the_bench_prints_both_ways_and_their_ratio() -> None:
    docs = (PROJECT / "docs" / "engineer.md").read_text() + (PROJECT / "docs" / "benchmarks.md").read_text()
    assert "bench/dbt_startup --rounds 5" in docs
    done = run("--rounds", "1")
    assert done.returncode == 0, done.stderr
    assert re.search(r"as-of date as +var: manifest loader +\d+\.\d\d s", done.stdout), done.stdout
    assert re.search(r"as-of date as environment: manifest loader +\d+\.\d\d s", done.stdout)
    assert re.search(r"environment / var: loader \d+\.\d\dx, invoke \d+\.\d\dx", done.stdout)


@pytest.mark.unit
@pytest.mark.parametrize("rounds", ["0", "-3", "101", "many"])
def test_an_absurd_number_of_rounds_is_refused(rounds: str) -> None:
    refused = run("--rounds", rounds)
    assert refused.returncode == 2
    assert "--rounds" in refused.stderr
