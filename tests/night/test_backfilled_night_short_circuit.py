"""What a backfilled night would change (chitieu.stages.backfill_changes, docs/engineer.md):
with nothing published after its day and no file arrived on it (a day in Vietnam time), it
changes nothing and the night ends at the short-circuit; a file that arrived that day, a
day after the published one, or nothing published yet make it work.

Real DuckDB files written here by hand: the build's raw layer (ingest.store's schema) with one
file whose arrival is 18:30 UTC on 2 November 2026, i.e. 01:30 on 3 November in Vietnam
(UTC+7), and a published file whose meta.publication says it was built as of 5 November.
The answers are counted by hand from those two dates."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from base.settings import Settings
from chitieu.stages import backfill_changes, local_day_bounds
from ingest import store

pytestmark = pytest.mark.unit

ARRIVED_UTC = datetime(2026, 11, 2, 18, 30)  # 3 November, 01:30 in Vietnam
PUBLISHED_AS_OF = date(2026, 11, 5)


def _settings(root: Path, published: bool) -> Settings:
    settings = Settings(root / "inbox", root / "warehouse")
    settings.build_db.parent.mkdir(parents=True, exist_ok=True)
    con = store.connect(settings.build_db)
    try:
        con.execute("INSERT INTO raw.files VALUES ('a' || repeat('0', 63), 'BC 18133.xlsx', 'BC 18133.xlsx', "
                    "1, ?, ?, 'archive/a.xlsx', 'loaded', 1, 1, 1, 0, 'test')", [ARRIVED_UTC, ARRIVED_UTC])
    finally:
        con.close()
    if published:
        con = duckdb.connect(str(settings.published_db))
        try:
            con.execute("CREATE SCHEMA meta")
            con.execute("CREATE TABLE meta.publication AS SELECT ?::DATE AS as_of_date", [PUBLISHED_AS_OF])
        finally:
            con.close()
    return settings


def test_a_local_day_is_bounded_in_vietnam_time() -> None:
    """3 November in Vietnam runs from 17:00 UTC on the 2nd to 17:00 UTC on the 3rd."""
    assert local_day_bounds(date(2026, 11, 3)) == (datetime(2026, 11, 2, 17), datetime(2026, 11, 3, 17))


def test_a_quiet_backfilled_day_before_the_published_one_changes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHITIEU_AS_OF_DATE", raising=False)
    settings = _settings(tmp_path, published=True)
    # the 2nd (UTC day of the arrival, not Vietnam's) and the 4th: nothing arrived
    assert backfill_changes(settings, date(2026, 11, 2)) is None
    assert backfill_changes(settings, date(2026, 11, 4)) is None
    # the published day itself: built as of that same day, nothing arrived: nothing to do
    assert backfill_changes(settings, PUBLISHED_AS_OF) is None


def test_a_backfilled_day_with_an_arrival_or_after_the_published_one_works(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHITIEU_AS_OF_DATE", raising=False)
    settings = _settings(tmp_path, published=True)
    arrived = backfill_changes(settings, date(2026, 11, 3))
    assert arrived == "1 file(s) arrived on 2026-11-03: they are read again"
    assert backfill_changes(settings, date(2026, 11, 6)) == \
        "the warehouse is built as of 2026-11-06, after the published 2026-11-05"


def test_nothing_published_yet_the_backfilled_night_builds(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHITIEU_AS_OF_DATE", raising=False)
    settings = _settings(tmp_path, published=False)
    said = backfill_changes(settings, date(2026, 11, 4))
    assert said == "nothing is published yet: the night builds the warehouse"
