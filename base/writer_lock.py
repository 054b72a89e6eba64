"""One writer of the warehouse at a time, across processes: an exclusive lock file.

DuckDB's own file lock only makes a second writer fail somewhere in the middle (and two
runs started in the same second used to collide in Airflow's metadata first). Every writer
(the DAG's writing tasks, `make run`, `python -m ingest load`) takes this lock before it
touches anything and fails at once, naming the holder, when another run has it. A run that
starts tasks in child processes (`make run` → `airflow dags test`) hands its lock down
through CHITIEU_LOCK_FD, so its own tasks are not refused.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

INHERITED = "CHITIEU_LOCK_FD"
_held: dict[Path, int] = {}  # locks this process holds, and how deep: one run's stages nest


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse; the message names its PID."""


def lock_path_for(db_path: Path) -> Path:
    """The lock sits beside the build database, so every writer of it finds the same one."""
    return db_path.parent / ".chitieu.lock"


def _inherited(lock_path: Path) -> bool:
    fd = os.environ.get(INHERITED)
    if not fd or not lock_path.exists():
        return False
    try:
        held, wanted = os.fstat(int(fd)), lock_path.stat()
    except (OSError, ValueError):
        return False
    return (held.st_dev, held.st_ino) == (wanted.st_dev, wanted.st_ino)


def acquire(lock_path: Path) -> int:
    """Take the lock or raise WarehouseBusy; returns the descriptor that holds it."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 200, 0).decode("ascii", "replace").strip() or "?"
        os.close(fd)
        raise WarehouseBusy(busy_message(lock_path, holder)) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    stat = Path(f"/proc/{pid}/stat")
    try:  # a zombie has ended; it only waits for its parent to read its exit status
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _command(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return raw.replace(b"\0", b" ").decode("utf-8", "replace").strip()[:120] or "?"


def holders(lock_path: Path) -> list[int]:
    """The processes that have the lock file open (Linux /proc; empty elsewhere): when the
    PID written in the file has ended, its children that inherited the lock still hold it."""
    try:
        wanted = lock_path.stat()
    except OSError:
        return []
    found: set[int] = set()
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            for link in fd_dir.iterdir():
                held = link.stat()
                if (held.st_dev, held.st_ino) == (wanted.st_dev, wanted.st_ino):
                    found.add(int(fd_dir.parent.name))
                    break
        except OSError:  # a process that ended meanwhile, or not ours to read
            continue
    return sorted(found - {os.getpid()})


def busy_message(lock_path: Path, holder: str) -> str:
    """Who holds the warehouse, checked: a live PID is named with its command; a PID that
    has ended is said to be stale, with the processes left over from it that still hold it."""
    where = f"the warehouse ({lock_path.parent})"
    stop = "this one stops without writing"
    pid = int(holder) if holder.isdigit() else None
    if pid is None:  # the holder took the lock a moment ago and has not written its PID yet
        pid = next((p for p in holders(lock_path) if _alive(p)), None)
    if pid is not None and _alive(pid):
        return (f"another run (PID {pid}) holds {where}, running `{_command(pid)}`; {stop} — "
                "try again when it has finished")
    left = [p for p in holders(lock_path) if _alive(p)]
    named = "; ".join(f"PID {p}: {_command(p)}" for p in left) or "a process not visible here"
    return (f"{where} is locked, but the run that took the lock (PID {holder}) has ended: the "
            f"lock is stale, held by what that run left running ({named}); {stop} — stop those "
            "processes (kill PID) and run again")


def release(fd: int) -> None:
    os.close(fd)  # closing the last descriptor releases a flock


@contextmanager
def exclusive(lock_path: Path) -> Iterator[None]:
    """Hold the warehouse for the block (re-entrant for a lock handed down by the parent)."""
    key = lock_path.resolve()
    if _inherited(lock_path) or key in _held:
        yield
        return
    _held[key] = acquire(lock_path)
    try:
        yield
    finally:
        release(_held.pop(key))
