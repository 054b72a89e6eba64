"""One scan of the inbox a night, not two: the night's first task scans the whole inbox to
decide whether there is work (`count_new_files`), and hands the ingest that follows the names
worth reading — new, changed or not yet ingested — with the number of files it already knew,
so the ingest re-examines those names only. At the whole country's 190,233 files a scan costs
several seconds (docs/benchmarks.md): a one-day night paid it twice.

A hand-off is a JSON file the first task writes and the ingest reads once and deletes; it is
named by a token of ours (never by input) and is used only for the inbox it was written for.
Anything else — no hand-off, another inbox, a damaged file, a name the scan refused (a link,
an unreadable folder: their findings come from a full scan) — and the ingest scans the inbox
itself, as before. A file that arrives between the two tasks is read the next night, as one
that arrives just after an ingest's own scan always was."""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from pathlib import Path

MAX_NAMES = 10_000  # above it, the ingest's own scan costs little beside reading the files
MAX_AGE_S = 24 * 3600  # hand-offs left by nights that never reached their ingest
_TOKEN = re.compile(r"[0-9a-f]{32}")


def new_token() -> str:
    return uuid.uuid4().hex


def handoff_path(folder: Path, token: str) -> Path | None:
    """Where the hand-off of `token` lives; None for anything that is not one of our tokens."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    return folder / f"{token}.json"


def write(folder: Path, token: str, inbox: Path, names: list[str], known: int) -> bool:
    """Hand the ingest `names` (paths under the inbox, as the scan found them) and `known`
    (files already ingested, as they were); False when there are too many to be worth it."""
    path = handoff_path(folder, token)
    if path is None or len(names) > MAX_NAMES:
        return False
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale(folder)
    tmp = path.with_suffix(".tmp")
    # names keep undecodable bytes as surrogates; JSON's \\udcXX escapes carry them back
    tmp.write_text(json.dumps({"inbox": str(inbox.resolve()), "names": names, "known": known}),
                   encoding="utf-8")
    os.replace(tmp, path)
    return True


def take(folder: Path, token: str | None, inbox: Path) -> tuple[list[str], int] | None:
    """The names and known count handed over for `inbox` under `token`, once (the file is
    deleted); None when there is no usable hand-off."""
    path = handoff_path(folder, token) if token else None
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    finally:
        path.unlink(missing_ok=True)
    if not isinstance(data, dict) or data.get("inbox") != str(inbox.resolve()):
        return None
    names, known = data.get("names"), data.get("known")
    if not isinstance(names, list) or not all(isinstance(n, str) and "\0" not in n for n in names) \
            or not isinstance(known, int) or isinstance(known, bool) or known < 0:
        return None
    return names, known


def _remove_stale(folder: Path) -> None:
    cutoff = time.time() - MAX_AGE_S
    for entry in folder.glob("*.json"):
        try:
            if entry.stat().st_mtime < cutoff:
                entry.unlink(missing_ok=True)
        except OSError:
            pass
