"""A file refused for our own parse limits is read again once the limits in force are higher
(issue 25, item 2): the refusal records the limits it was made under; "already ingested" no
longer keeps it refused forever after the operator raises a limit set too low."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from base.settings import ParseLimits, Settings
from ingest.pipeline import count_new_files, ingest_inbox
from tests import hostile

pytestmark = pytest.mark.slow

TOO_LITTLE = ParseLimits(memory_mb=1, timeout_s=60)  # no reader fits in 1 MB: every file refused


def findings(db: Path) -> list[tuple[str, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT source_file, rule FROM raw.findings ORDER BY 1").fetchall()
    finally:
        con.close()


def values(db: Path) -> dict[tuple[str, str], float]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {(u, e): v for u, e, v in con.execute(
            'SELECT unit_code, element_code, value FROM raw."values"').fetchall()}
    finally:
        con.close()


def test_a_file_refused_under_lower_limits_is_read_again_under_higher_ones(tmp_path: Path) -> None:
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse"
    good = hostile.good_reports(inbox, 2)
    settings = Settings(inbox, warehouse)
    first = ingest_inbox(inbox, settings.build_db, settings.archive_dir, progress=False,
                         limits=TOO_LITTLE)
    assert first.files_rejected == 2
    assert {rule for _, rule in findings(settings.build_db)} == {"parse_memory_limit"}
    # the same limits: nothing is read again, nothing is new
    assert count_new_files(inbox, settings.build_db, TOO_LITTLE) == 0
    again = ingest_inbox(inbox, settings.build_db, settings.archive_dir, progress=False,
                         limits=TOO_LITTLE)
    assert (again.files_new, again.files_reparsed, again.files_skipped) == (0, 0, 2)
    # the operator raises the limit: the night sees work to do, and the files are read
    assert count_new_files(inbox, settings.build_db, ParseLimits()) == 2
    fixed = ingest_inbox(inbox, settings.build_db, settings.archive_dir, progress=False,
                         limits=ParseLimits())
    assert fixed.files_reparsed == 2, fixed.line()
    assert findings(settings.build_db) == []
    got = values(settings.build_db)
    for report in good:
        for code, value in report.values.items():
            assert got[(report.unit_code, code)] == value
    # read once under the higher limits: the next night is quiet
    assert count_new_files(inbox, settings.build_db, ParseLimits()) == 0


def test_a_refusal_under_limits_no_lower_than_today_stays(tmp_path: Path) -> None:
    """A time-limit refusal is not read again when only the memory limit grew, nor when the
    time limit fell; it is when the time limit grew."""
    from ingest import store
    from ingest.pipeline import refused_below

    con = store.connect(tmp_path / "b.duckdb")
    try:
        con.execute("INSERT INTO raw.findings VALUES ('t', 'a.xlsx', '', NULL, '', NULL, "
                    "'parse_time_limit', 'error', 'x', NULL, NULL, NULL, now(), 'x'), "
                    "('m', 'b.xlsx', '', NULL, '', NULL, 'parse_memory_limit', 'error', 'x', NULL, "
                    "NULL, NULL, now(), 'x'), ('o', 'c.xlsx', '', NULL, '', NULL, 'parse_memory_limit', "
                    "'error', 'x', NULL, NULL, NULL, now(), 'x')")
        con.execute("INSERT INTO raw.parse_refusals VALUES ('t', 'parse_time_limit', 1024, 60), "
                    "('m', 'parse_memory_limit', 1024, 60)")
        assert refused_below(con, ParseLimits(1024, 60)) == ["o"]  # unrecorded: read once
        assert refused_below(con, ParseLimits(4096, 60)) == ["m", "o"]
        assert refused_below(con, ParseLimits(1024, 30)) == ["o"]
        assert refused_below(con, ParseLimits(512, 61)) == ["o", "t"]
    finally:
        con.close()
