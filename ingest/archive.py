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

from ingest.sources import SUFFIXES

# A file time this far past the clock is a wrong clock, not a file written just now.
FUTURE_TOLERANCE_S = 300.0


def archive_path(archive_dir: Path, sha: str, original: Path) -> Path:
    """Keyed by content; only a known extension is kept from the original name."""
    suffix = original.suffix.lower() if original.suffix.lower() in SUFFIXES else ""
    return archive_dir / sha[:2] / f"{sha}{suffix}"


def archive_copy(path: Path, sha: str, archive_dir: Path, settle_s: float = 0.0) -> Path | None:
    """Copy a new file into the archive, hashing the bytes as they are copied; the copy is
    what gets parsed. None — the file is left for the next run — when it is younger than the
    settle time, or its size, time or content changed while it was read (still being
    written): a file is never archived under the hash of other bytes. A file deleted or
    made unreadable since it was found is left for the next run too. A file time in the
    future is no age at all: such a file is judged by the copy alone (changed while read or
    not), never left waiting for a time that may not come for centuries."""
    try:
        return _copy(path, sha, archive_dir, settle_s)
    except (FileNotFoundError, PermissionError):
        return None


def _copy(path: Path, sha: str, archive_dir: Path, settle_s: float) -> Path | None:
    before = path.stat()
    age = time.time() - before.st_mtime
    if settle_s and -FUTURE_TOLERANCE_S <= age < settle_s:
        return None
    target = archive_path(archive_dir, sha, path)
    if target.exists():
        return target  # the same bytes, archived by an earlier run
    if not target.parent.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.part")
    digest = hashlib.sha256()
    with open(path, "rb") as src, open(tmp, "wb") as dst:
        for chunk in iter(lambda: src.read(1 << 20), b""):
            digest.update(chunk)
            dst.write(chunk)
    after = path.stat()
    if digest.hexdigest() != sha or (before.st_size, before.st_mtime_ns) != \
            (after.st_size, after.st_mtime_ns):
        tmp.unlink(missing_ok=True)
        return None
    # A time this file system cannot hold (year 11476): the copy keeps its own.
    with contextlib.suppress(OverflowError, OSError):
        os.utime(tmp, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(tmp, target)
    return target
