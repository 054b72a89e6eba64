"""Parse files in worker processes that each carry a memory and a time limit.

A 6 KB workbook can make a reader allocate hundreds of gigabytes and abort its process (a
sheet whose only cells are A1 and XFD1048576); a pool that shares one fate with its parent
would then lose every good file beside it, night after night. Here each worker is a child
process that limits its own address space (RLIMIT_AS) when it starts and dies with its
parent; the parent gives it a few files at a time (PIPELINE) and waits for each with a
deadline. A worker that dies, or is killed at the deadline, is replaced and the other files go on; its file is
read once more, alone, in a fresh worker once the others are done, before it is judged: the
machine's state (the kernel's OOM killer choosing a worker, a busy host) is never blamed on
the file. A file whose second reading dies too becomes a finding for that file alone — or,
when the worker was killed from outside (SIGKILL, not its own memory limit), a machine-side
note and the file is read again next night. A failure of our own (a worker that cannot
start, an exception outside a file's reading) is no file's: it raises ParseInternalError and
no file is judged (ingest/parse_worker.py). Workers are long-lived (a process per file would
cost the ingest speed goal): starting one costs about as much as importing the readers.
"""

from __future__ import annotations

import contextlib
import io
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path

from base.settings import ParseLimits
from ingest.layouts import Finding
from ingest.parse import FileResult, ParseJob
from ingest.parse_worker import READY, InternalFailure
from ingest.parse_worker import read_frame as _read_frame
from ingest.parse_worker import write_frame as _write_frame

# Files a worker holds at once: it starts the next as soon as it has sent a result, instead
# of waiting for the parent (on a busy 2-core host, for its turn on a core) to send one.
PIPELINE = 4


class ParseInternalError(RuntimeError):
    """chitieu's own failure while reading files (a worker that cannot start, a module not
    found, a bug): no file was judged, and none may be told it is broken. `detail` holds the
    worker's traceback or last words, for the office."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


_NOT_YET = object()  # a frame that is no file's result (the worker's READY)


class Worker:
    """One parse process: started with its limits, given up to PIPELINE files that it reads
    one after the other, replying once per file in the order given."""

    def __init__(self, limits: ParseLimits) -> None:
        self.limits = limits
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop())
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p),
                   RUST_BACKTRACE="0")
        # Unbuffered, so that no result waits in a read-ahead buffer that the selector
        # cannot see (several results may be on their way); requests are buffered.
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ingest.parse_worker", str(limits.memory_mb)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, env=env, bufsize=0)
        assert self.proc.stdin is not None
        self.requests = io.BufferedWriter(self.proc.stdin)
        self.queue: deque[tuple[int, ParseJob]] = deque()
        self.started = 0.0  # when the file at the head of the queue began (at the latest)
        self.ready = False  # it said READY: it started, and a death from now on is a file's

    def receive(self) -> object:
        """The next frame: a FileResult, _NOT_YET (READY), or None (the worker died).
        Raises ParseInternalError when the worker reports a failure of our own."""
        assert self.proc.stdout is not None
        frame = _read_frame(self.proc.stdout)
        if frame == READY:
            self.ready = True
            return _NOT_YET
        failure = InternalFailure.from_frame(frame)
        if failure is not None:
            raise ParseInternalError(failure.message, failure.detail)
        return frame

    def check_started(self) -> None:
        """A worker that died before READY read no file: its death is ours (it could not
        even import the project), unless it was killed from outside (the machine's)."""
        if self.ready or self.proc.poll() is None or self.proc.returncode == -signal.SIGKILL:
            return
        words = self.last_words().strip()
        last = words.splitlines()[-1] if words else f"exit status {self.proc.returncode}"
        raise ParseInternalError(f"a parse worker could not start ({last})", words)

    @property
    def job(self) -> tuple[int, ParseJob] | None:
        """The file being read now (the first not yet answered), if any."""
        return self.queue[0] if self.queue else None

    def give(self, index: int, job: ParseJob) -> None:
        if not self.queue:
            self.started = time.monotonic()
        self.queue.append((index, job))
        # A worker that died already (killed from outside) refuses the pipe (the "broken
        # pipe" that crashed loads): its stdout's end reports the death.
        with contextlib.suppress(OSError):
            _write_frame(self.requests, job)

    def answered(self) -> tuple[int, ParseJob]:
        """The head file got its result: the next one's clock starts now (it may have begun
        earlier, so a file gets at least its deadline, never less)."""
        head = self.queue.popleft()
        self.started = time.monotonic()
        return head

    def killed_from_outside(self) -> bool:
        """Whether the dead worker was killed by a signal it did not raise itself: SIGKILL
        from the kernel's OOM killer or an operator. Its own memory limit ends it with a
        MemoryError or an abort, never with SIGKILL."""
        return self.proc.returncode == -signal.SIGKILL and not _memory_words(self.last_words())

    def overdue(self, now: float) -> bool:
        return self.job is not None and now - self.started > self.limits.timeout_s

    def last_words(self) -> str:
        """The end of what the dead worker printed (a Rust abort says 'memory allocation')."""
        self.stderr.seek(0)
        return self.stderr.read(4000).decode("utf-8", "replace")

    def stop(self, kill: bool = False) -> None:
        if kill and self.proc.poll() is None:
            self.proc.kill()
        for stream in (self.requests, self.proc.stdout):
            try:
                if stream:
                    stream.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.stderr.close()


def _memory_words(words: str) -> bool:
    return "memory allocation" in words or "MemoryError" in words or "alloc" in words


def _died(path: Path, sha: str, limits: ParseLimits, words: str, timed_out: bool,
          outside: bool = False) -> FileResult:
    result = FileResult(path, sha)
    if outside and not timed_out:
        result.interrupted = True  # the machine's doing, twice: read again next night
        return result
    if timed_out or _memory_words(words):
        result.refused_under = limits  # read again once the limits in force are higher
    if timed_out:
        result.file_finding = Finding(
            rule="parse_time_limit", severity="error",
            message=f"reading the file took longer than {limits.timeout_s:g} s and was stopped; the "
                    "sheet is probably far larger than a report (check for content far below or to "
                    "the right of the table) — save a copy with only the report's cells")
    else:
        memory = _memory_words(words)
        cause = (f"needed more than {limits.memory_mb} MB of memory" if memory
                 else "made the reader crash")
        result.file_finding = Finding(
            rule="parse_memory_limit" if memory else "parse_crash", severity="error",
            message=f"reading the file {cause} and was stopped; the sheet probably claims a huge range "
                    "of cells (for instance a value typed in the last row or column) — save a copy "
                    "with only the report's cells")
    return result


def parse_guarded(jobs: Iterable[ParseJob], workers: int,
                  limits: ParseLimits | None = None, window: int = 400) -> Iterator[FileResult]:
    """A FileResult for every job: those read at the first attempt in the order of `jobs`,
    then those whose worker died, each read again alone in a fresh worker and judged only
    if it dies again. `jobs` is read lazily, so whatever produces it (copying into the
    archive) overlaps the workers' parsing. At most `window` results wait for an earlier
    one, so memory stays flat."""
    limits = limits or ParseLimits()
    suspects: list[ParseJob] = []
    yield from _first_pass(jobs, workers, limits, window, suspects)
    for job in suspects:
        yield _alone(job, limits)


def _alone(job: ParseJob, limits: ParseLimits) -> FileResult:
    """Read one file in a fresh worker with no other parse running: its death now is its own
    (or, killed from outside again, the machine's)."""
    worker = Worker(limits)
    try:
        worker.give(0, job)
        assert worker.proc.stdout is not None
        result: object = _NOT_YET
        with selectors.DefaultSelector() as selector:
            selector.register(worker.proc.stdout, selectors.EVENT_READ)
            deadline = time.monotonic() + limits.timeout_s
            while result is _NOT_YET:
                ready = selector.select(timeout=max(0.0, deadline - time.monotonic()))
                if not ready:
                    break
                result = worker.receive()
        if isinstance(result, FileResult):
            worker.answered()
            return result
        timed_out = result is _NOT_YET
        if worker.proc.poll() is None:
            if not timed_out:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    worker.proc.wait(timeout=5)
            worker.proc.kill()
        worker.proc.wait()
        if not timed_out:
            worker.check_started()
        return _died(job.path, job.sha256, limits, worker.last_words(), timed_out,
                     worker.killed_from_outside() and not timed_out)
    finally:
        worker.stop(kill=True)


def _first_pass(jobs: Iterable[ParseJob], workers: int, limits: ParseLimits, window: int,
                suspects: list[ParseJob]) -> Iterator[FileResult]:
    """Every job once, over a pool; a job whose worker dies or outlasts the deadline goes to
    `suspects` instead of giving a result."""
    source = iter(jobs)
    upcoming = next(source, None)
    if upcoming is None:
        return
    pool = [Worker(limits) for _ in range(max(1, workers))]
    selector = selectors.DefaultSelector()
    done: dict[int, FileResult | None] = {}
    requeued: deque[tuple[int, ParseJob]] = deque()  # given to a worker that died before them
    next_job, next_out = 0, 0

    def fill(worker: Worker) -> None:
        """Top the worker up to PIPELINE files: those a dead worker never began first, then
        new ones while the result window allows."""
        nonlocal next_job, upcoming
        was_idle = not worker.queue
        while len(worker.queue) < PIPELINE:
            if requeued:
                worker.give(*requeued.popleft())
            elif upcoming is not None and next_job < next_out + window:
                worker.give(next_job, upcoming)
                next_job += 1
                upcoming = next(source, None)
            else:
                break
        if was_idle and worker.queue:
            selector.register(worker.proc.stdout, selectors.EVENT_READ, worker)

    def replace(worker: Worker, died: bool = True) -> Worker:
        """The file at the head of a dead or overdue worker's queue is a suspect; the files
        behind it were never begun and go to the other workers."""
        assert worker.job is not None
        index, job = worker.queue.popleft()
        requeued.extendleft(reversed(worker.queue))
        worker.queue.clear()
        selector.unregister(worker.proc.stdout)
        if worker.proc.poll() is None:
            worker.proc.kill()
        worker.proc.wait()
        if died:
            worker.check_started()
        done[index] = None
        suspects.append(job)
        worker.stop()
        fresh = Worker(limits)
        pool[pool.index(worker)] = fresh
        return fresh

    try:
        for worker in pool:
            fill(worker)
        while upcoming is not None or requeued or next_out < next_job:
            while next_out in done:
                result = done.pop(next_out)
                if result is not None:
                    yield result
                next_out += 1
            if upcoming is None and not requeued and next_out >= next_job:
                break
            for worker in pool:
                fill(worker)
            busy = [w for w in pool if w.job is not None]
            now = time.monotonic()
            deadline = min(w.started + limits.timeout_s for w in busy) - now if busy else 0.1
            for key, _ in selector.select(timeout=max(0.05, deadline)):
                worker = key.data
                result = worker.receive()
                if result is _NOT_YET:
                    continue
                if isinstance(result, FileResult):
                    index, _job = worker.answered()
                    done[index] = result
                    if not worker.queue:
                        selector.unregister(worker.proc.stdout)
                    fill(worker)
                else:
                    fill(replace(worker))
            now = time.monotonic()
            for worker in list(pool):
                if worker.overdue(now):
                    fill(replace(worker, died=False))
    finally:
        selector.close()
        for worker in pool:
            worker.stop(kill=worker.job is not None)
