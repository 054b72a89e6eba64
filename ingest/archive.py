"""The archive: every received file's original bytes, kept under the hash of those bytes.

Written by the parse workers (the copy is hashed as it is made, and that copy is what gets
parsed), so archiving runs in parallel with, and next to, the parsing; imported without
DuckDB for that reason.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from pathlib import Path

from ingest.sources import MAX_FILE_BYTES, SUFFIXES

# A file time this far past the clock is a wrong clock, not a file written just now.
FUTURE_TOLERANCE_S = 300.0


def archive_path(archive_dir: Path, sha: str, original: Path) -> Path:
    """Keyed by content; only a known extension is kept from the original name."""
    suffix = original.suffix.lower() if original.suffix.lower() in SUFFIXES else ""
    return archive_dir / sha[:2] / f"{sha}{suffix}"


def archive_copy(path: Path, sha: str, archive_dir: Path, settle_s: float = 0.0) -> Path | None:
    """The archived copy's path (see `archive_read`), or None when the file is left for the
    next run."""
    got = archive_read(path, sha, archive_dir, settle_s)
    return None if got is None else got[0]


def archive_read(path: Path, sha: str, archive_dir: Path, settle_s: float = 0.0
                 ) -> tuple[Path, bytes | None] | None:
    """Copy a new file into the archive and return the copy's path with the bytes copied
    (None when an earlier run archived the same bytes): the file is read once, hashed from
    the same buffer that is written, and that buffer is what gets parsed — never a second
    read of the original. None — the file is left for the next run — when it is younger
    than the settle time, or its size, time or content changed while it was read (still
    being written, or grown past the size a report may have): a file is never archived
    under the hash of other bytes. A file deleted or made unreadable since it was found is
    left for the next run too. A file time in the future is no age at all: such a file is
    judged by the copy alone (changed while read or not), never left waiting for a time
    that may not come for centuries."""
    try:
        return _copy(path, sha, archive_dir, settle_s)
    except (FileNotFoundError, PermissionError):
        return None


def _copy(path: Path, sha: str, archive_dir: Path, settle_s: float
          ) -> tuple[Path, bytes | None] | None:
    before = os.stat(path)
    age = time.time() - before.st_mtime
    if settle_s and -FUTURE_TOLERANCE_S <= age < settle_s:
        return None
    target = archive_path(archive_dir, sha, path)
    if target.exists():
        return target, None  # the same bytes, archived by an earlier run
    with open(path, "rb") as src:
        data = src.read(MAX_FILE_BYTES + 1)
    after = os.stat(path)
    if len(data) > MAX_FILE_BYTES or hashlib.sha256(data).hexdigest() != sha or \
            (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        return None
    tmp = target.with_name(f"{target.name}.{os.getpid()}.part")
    try:
        dst = open(tmp, "wb")  # noqa: SIM115 (closed below)
    except FileNotFoundError:  # the first file of this prefix: one mkdir, not a stat each file
        target.parent.mkdir(parents=True, exist_ok=True)
        dst = open(tmp, "wb")  # noqa: SIM115
    try:
        with dst:
            dst.write(data)
        # A time this file system cannot hold (year 11476): the copy keeps its own.
        with contextlib.suppress(OverflowError, OSError):
            os.utime(tmp, ns=(before.st_atime_ns, before.st_mtime_ns))
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target, data
