"""A parse worker's main loop: `python -m ingest.parse_worker MEMORY_MB` (started by guard.py).

It limits its own address space before reading anything, so a hostile file ends this
process (the parent records a finding and starts another) instead of the machine's memory
or the night's run; and it asks the kernel to kill it when its parent dies, so a killed
`ingest load` leaves no parser running.

Our own failures are told apart from a file's: a worker that cannot start (a module not
found, reference data missing: a Python outside the project's environment) or whose code
fails outside a file's reading sends an internal-failure frame and exits with
INTERNAL_EXIT, and the parent stops with `ParseInternalError` instead of judging any file.
A worker announces READY before its first file: one that dies before that (not even able
to import this module) has read no file, so its death is never a file's. This module
imports only the standard library at its top, so that even a worker that cannot import
the project can say so.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import resource
import signal
import struct
import sys
import traceback
from dataclasses import dataclass

PR_SET_PDEATHSIG = 1
INTERNAL_EXIT = 70  # EX_SOFTWARE: chitieu's own failure, never a file's
READY = ("chitieu-parse-worker", "ready")  # plain tuples: this module runs as __main__ here
_FAILURE_TAG = "chitieu-parse-worker-internal-failure"


@dataclass(frozen=True)
class InternalFailure:
    """What a worker sends instead of a result when the failure is ours: `message` is the
    exception in one line, `detail` its traceback (for the office, not for the clerk)."""

    message: str
    detail: str = ""

    @classmethod
    def of(cls, exc: BaseException) -> InternalFailure:
        return cls(f"{type(exc).__name__}: {exc}", "".join(traceback.format_exception(exc)))

    def frame(self) -> tuple:
        return (_FAILURE_TAG, self.message, self.detail)

    @classmethod
    def from_frame(cls, obj: object) -> InternalFailure | None:
        """The failure a worker sent, or None when `obj` is anything else (a result)."""
        if isinstance(obj, tuple) and len(obj) == 3 and obj[0] == _FAILURE_TAG:
            return cls(obj[1], obj[2])
        return None


_HEADER = struct.Struct("!I")


def write_frame(stream, obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read_exact(stream, n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(stream) -> object | None:
    """One object from the other end, or None when it closed before finishing the frame."""
    header = _read_exact(stream, _HEADER.size)
    if header is None:
        return None
    data = _read_exact(stream, _HEADER.unpack(header)[0])
    return None if data is None else pickle.loads(data)  # our own child's output


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: stdin's end-of-file still stops the loop
        pass


def _prepare():
    """Import the readers and load the reference data before the limit bites on a file
    (never charged to one); an ImportError here is the environment's, not a file's."""
    import python_calamine  # noqa: F401  (read_grids imports it lazily: fail before any file)

    from base.reference import data_elements
    from base.units import UnitResolver
    from ingest.parse import run_job

    data_elements()
    UnitResolver.default().prepare()
    return run_job


def main(memory_mb: int) -> int:
    _die_with_parent()
    if os.getppid() == 1:  # the parent died before the line above took effect
        return 1
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but results on the reply pipe
    try:
        run_job = _prepare()
    except Exception as exc:
        write_frame(replies, InternalFailure.of(exc).frame())
        return INTERNAL_EXIT
    limit = memory_mb * 1024 * 1024
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    if hard != resource.RLIM_INFINITY:  # a limit above the host's own would refuse to be set
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    write_frame(replies, READY)
    while True:
        job = read_frame(requests)
        if job is None:
            return 0
        try:
            result = run_job(job)
        except MemoryError:
            raise  # the file's size: the parent names the memory limit
        except Exception as exc:
            write_frame(replies, InternalFailure.of(exc).frame())
            return INTERNAL_EXIT
        write_frame(replies, result)


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1])))
