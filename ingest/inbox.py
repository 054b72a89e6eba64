"""What the inbox holds, walked once and defensively (docs/spec/spreadsheets.md).

Whatever an office's file share can hold must not stop a night: a name whose bytes are not
UTF-8 (an old Windows archive unzipped), a file deleted between listing and reading, a folder
the service may not read, a hard link to a file outside the inbox, a file far over the size a
report may have, a file time in the future or beyond any calendar. Each becomes either a file
to read or a `Refusal` (a finding with a key of its own, so it is reported once) — and a file
that vanished is simply left for the next run.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingest.archive import FUTURE_TOLERANCE_S
from ingest.sources import MAX_FILE_BYTES

_SKIPPED_PREFIXES = ("~$", ".")


def shown(text: str) -> str:
    """A name as UTF-8 text that can be stored and printed: bytes of the file system's name
    that are not UTF-8 (kept by Python as surrogates) are written as \\xNN."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class Entry:
    """A regular file to fingerprint and read."""

    path: Path
    display: str  # the path in the inbox, printable (see `shown`)
    size: int
    mtime_ns: int

    @property
    def name_is_utf8(self) -> bool:
        return shown(self.path.name) == self.path.name


@dataclass(frozen=True)
class Refusal:
    """Something in the inbox that is never read, with the finding that says why."""

    path: Path
    display: str
    size: int
    detail: str  # what makes this refusal new (a target, a size and time): part of the key
    rule: str
    message: str

    @property
    def key(self) -> str:
        return hashlib.sha256(f"{self.rule}\0{self.display}\0{self.detail}".encode()).hexdigest()


def scan(inbox: Path) -> Iterator[Entry | Refusal]:
    """Every file and every refusal under the inbox, in a stable order; links are never
    followed. One `lstat` per name: a quiet night costs no more than that."""
    errors: list[OSError] = []
    for root, dirs, files in os.walk(inbox, onerror=errors.append, followlinks=False):
        while errors:  # a folder os.walk could not list (reported as it tried)
            yield _unreadable(errors.pop(0), inbox)
        dirs.sort()
        base = Path(root)
        for name in sorted(files) + [d for d in dirs if (base / d).is_symlink()]:
            if name.startswith(_SKIPPED_PREFIXES):
                continue
            item = _examine(base / name, inbox)
            if item is not None:
                yield item
    while errors:
        yield _unreadable(errors.pop(0), inbox)


def examine_names(inbox: Path, names: list[str]) -> Iterator[Entry | Refusal]:
    """The named files under the inbox (paths relative to it, as an earlier `scan` of the same
    night found them: ingest/scan_handoff.py), examined as `scan` would. A name that is not
    a plain path below the inbox, or whose folders are no longer the inbox's own (a folder
    swapped for a link since), is left out: the next full scan decides about it."""
    root = inbox.resolve()
    for name in names:
        relative = Path(name)
        if "\0" in name or relative.is_absolute() or ".." in relative.parts or not relative.parts:
            continue
        path = inbox / relative
        try:
            if path.parent.resolve() != root.joinpath(*relative.parts[:-1]):
                continue
        except OSError:
            continue
        item = _examine(path, inbox)
        if item is not None:
            yield item


def _examine(path: Path, inbox: Path) -> Entry | Refusal | None:
    display = shown(str(path.relative_to(inbox)))
    try:
        st = path.lstat()
    except FileNotFoundError:
        return None  # deleted since the folder was listed: nothing to read
    except OSError as exc:
        return Refusal(path, display, 0, "", rule="unreadable_path",
                       message=f"{display} cannot be read by the pipeline ({exc.strerror}): ask "
                               "the server's administrator to give it read access")
    if stat.S_ISLNK(st.st_mode):
        try:
            target = shown(os.readlink(path))
        except OSError:
            target = "?"
        return Refusal(path, display, st.st_size, target, rule="symlink",
                       message=f"{display} is a link to another file ({target}), not a file: links "
                               "are never followed; put the report itself in the inbox")
    if not stat.S_ISREG(st.st_mode):
        return None
    if st.st_nlink > 1:
        return Refusal(path, display, st.st_size, f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}",
                       rule="hard_link",
                       message=f"{display} is a hard link: the same file also has "
                               f"{st.st_nlink - 1} other name(s), possibly outside the inbox; it "
                               "is not read — put a copy of the report itself in the inbox")
    if st.st_size > MAX_FILE_BYTES:
        return Refusal(path, display, st.st_size, f"{st.st_size}:{st.st_mtime_ns}", rule="too_large",
                       message=f"{display} is {st.st_size / 1024**2:,.0f} MB (modified "
                               f"{file_time_text(st.st_mtime_ns)}), over the limit of "
                               f"{MAX_FILE_BYTES // 1024**2} MB a report may have: refused unread, "
                               "not archived — send only the report's sheets")
    return Entry(path, display, st.st_size, st.st_mtime_ns)


def _unreadable(error: OSError, inbox: Path) -> Refusal:
    folder = Path(os.fsdecode(error.filename)) if error.filename else inbox
    try:
        display = shown(str(folder.relative_to(inbox))) or "."
    except ValueError:
        display = shown(str(folder))
    return Refusal(folder, display + "/", 0, "", rule="unreadable_path",
                   message=f"the folder {display} cannot be read by the pipeline "
                           f"({error.strerror}); the files in it are not ingested until the "
                           "server's administrator gives it read access")


def trusted_file_time(mtime_ns: int, now: float | None = None) -> datetime | None:
    """The file's modification time (naive UTC), or None when it is not to be trusted: in
    the future (a wrong clock) or beyond any calendar (some file systems allow year 11476)."""
    now = time.time() if now is None else now
    if mtime_ns / 1e9 > now + FUTURE_TOLERANCE_S:
        return None
    try:
        return datetime.fromtimestamp(mtime_ns / 1e9, UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None


def file_time_text(mtime_ns: int) -> str:
    """A file time for a message, whatever it is (year 11476 included)."""
    try:
        return datetime.fromtimestamp(mtime_ns / 1e9, UTC).strftime("%Y-%m-%d %H:%M UTC")
    except (OverflowError, OSError, ValueError):
        return f"{mtime_ns // 10**9} s after 1970 (beyond any calendar)"
