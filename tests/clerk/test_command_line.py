"""The clerk tools answer to both names: `python -m clerk validate|template` (their room) and
`python -m ingest validate|template` (what clerks and the office have always typed), with the
same words and the same exit code; the reader's own commands stay the reader's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT

pytestmark = pytest.mark.unit


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True,
                          check=False, cwd=PROJECT, timeout=120)


def test_validate_says_the_same_under_both_names(tmp_path: Path) -> None:
    empty = tmp_path / "BC.csv"
    empty.write_bytes(b"")
    by_clerk, by_ingest = run("clerk", "validate", str(empty)), run("ingest", "validate", str(empty))
    assert (by_clerk.returncode, by_ingest.returncode) == (1, 1)
    assert by_clerk.stdout == by_ingest.stdout
    assert by_clerk.stdout.startswith("BC.csv: ")


def test_template_refuses_a_bad_period_under_both_names() -> None:
    for room in ("clerk", "ingest"):
        proc = run(room, "template", "--period", "tháng mười ba")
        assert proc.returncode == 2, proc.stderr
        assert "'tháng mười ba' is not a period" in proc.stderr
        assert f"usage: python -m {room}" in run(room, "template", "--bad").stderr


def test_the_reader_lists_the_clerk_tools_and_keeps_its_own() -> None:
    listed = run("ingest", "--help").stdout
    assert all(word in listed for word in ("sample", "load", "rules", "validate", "template"))
    assert "load" not in run("clerk", "--help").stdout
