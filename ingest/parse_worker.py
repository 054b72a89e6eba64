"""A parse worker's main loop: `python -m ingest.parse_worker MEMORY_MB` (started by guard.py).

It limits its own address space before reading anything, so a hostile file ends this
process (the parent records a finding and starts another) instead of the machine's memory
or the night's run; and it asks the kernel to kill it when its parent dies, so a killed
`ingest load` leaves no parser running.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: stdin's end-of-file still stops the loop
        pass


def main(memory_mb: int) -> int:
    _die_with_parent()
    if os.getppid() == 1:  # the parent died before the line above took effect
        return 1
    from base.reference import data_elements
    from base.units import UnitResolver
    from ingest.guard import _read_frame, _write_frame
    from ingest.parse import run_job

    # Reference data is loaded before the limit bites on a file, never charged to one.
    data_elements()
    UnitResolver.default().prepare()
    limit = memory_mb * 1024 * 1024
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    if hard != resource.RLIM_INFINITY:  # a limit above the host's own would refuse to be set
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but results on the reply pipe
    while True:
        job = _read_frame(requests)
        if job is None:
            return 0
        _write_frame(replies, run_job(job))


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1])))
