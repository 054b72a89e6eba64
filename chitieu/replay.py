"""The sample inbox replayed night by night, so that its reports arrive as an office's do.

A report's arrival is when the pipeline first saw it (never its file time), so a sample read
in one run arrives all at once, today: every report of every year late, "Đúng hạn 0". The
sample generator writes, beside the inbox, when each file was sent (expected/arrivals.csv);
`replay_sample` reads the inbox one simulated night per day that files were sent, each night
an inbox of only that day's files, copied with their file times under their own paths
(`ingest_inbox(now=…)`), as the tests stage arrivals; the warehouse keeps paths relative to
the inbox, so the real run finds every replayed file seen before, by path, size and time. Most
reports then arrive on time, some late, and the units that never sent one stay missing. Files
sent after `now` are left for the real run. Nothing here runs for an office's own inbox.
"""

from __future__ import annotations

import csv
import logging
import shutil
import tempfile
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

from base.settings import LOCAL_TZ, Settings

log = logging.getLogger(__name__)
ARRIVALS = Path("expected") / "arrivals.csv"  # beside the sample's inbox (ingest.sample.ARRIVALS)


def arrivals_file(inbox: Path) -> Path:
    return inbox.parent / ARRIVALS


def load_arrivals(path: Path) -> dict[str, datetime]:
    """Each file (its path in the inbox) and when it was sent, timezone-aware."""
    with open(path, encoding="utf-8", newline="") as fh:
        return {row["file"]: datetime.fromisoformat(row["sent_at"]) for row in csv.DictReader(fh)}


def nights(arrivals: dict[str, datetime], now: datetime) -> dict[date, set[str]]:
    """The files sent on each day (Vietnam time) up to `now`, by day."""
    by_day: dict[date, set[str]] = defaultdict(set)
    for name, sent in arrivals.items():
        if sent <= now:
            by_day[sent.astimezone(LOCAL_TZ).date()].add(name)
    return dict(sorted(by_day.items()))


def replay_sample(settings: Settings, now: datetime | None = None) -> int:
    """Ingest the sample night by night when its inbox has never been read into this
    warehouse; returns the nights replayed (0: not the sample, or read before). The caller
    holds the warehouse (the run's lock, or a test's own folder)."""
    from ingest.pipeline import ingest_inbox

    source = arrivals_file(settings.inbox)
    if not source.is_file() or settings.build_db.exists():
        return 0
    now = now or datetime.now(LOCAL_TZ)
    arrivals = load_arrivals(source)
    by_day = nights(arrivals, now)
    settings.build_db.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".replay-", dir=settings.warehouse_dir))
    try:
        for files in by_day.values():
            for name in files:  # the night's inbox: that day's files, as sent
                (stage / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(settings.inbox / name, stage / name)
            # the night's run, just after the day's last file came in: first seen that day
            seen = max(arrivals[name] for name in files) + timedelta(minutes=1)
            ingest_inbox(stage, settings.build_db, settings.archive_dir,
                         workers=settings.parse_workers, progress=False,
                         limits=settings.parse_limits, now=min(seen, now))
            for child in stage.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    log.info("sample: %d files replayed over %d nights (expected/arrivals.csv), the last on %s",
             sum(map(len, by_day.values())), len(by_day), max(by_day, default="-"))
    return len(by_day)
