"""Our own failures, told as ours: every command's exit codes and its internal-error message.

A command that fails because of chitieu itself (a module not found in a Python outside the
project's environment, a bug) must never say that the user's file or input is wrong. Every
`chitieu` and `python -m ingest` subcommand runs inside `guarded`: an exception that escapes
it is printed as one line naming the error as chitieu's (in Vietnamese first for the clerks'
commands), its traceback is kept in a 0600 file for the office, and the exit code is
INTERNAL, which no other outcome uses.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

# Exit codes of every command (docs/engineer.md, "Exit codes").
OK = 0
REFUSED = 1  # the input was checked and refused, or a night failed: the message says why
USAGE = 2  # wrong arguments or settings
BUSY = 3  # another run holds the warehouse
INTERNAL = 70  # chitieu's own failure (EX_SOFTWARE): tell the office, never the input's fault


def keep_detail(detail: str) -> Path | None:
    """The traceback in a private file under the temp folder, for the office; None if the
    disk refuses (the one-line message still goes out)."""
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    try:
        fd, name = tempfile.mkstemp(prefix=f"chitieu-internal-error-{stamp}-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(detail)
        return Path(name)
    except OSError:
        return None


def file_message(error: str, detail_file: Path | None, lang: str = "vi", many: bool = False
                 ) -> str:
    """What a clerk reads when chitieu could not check a file because of itself."""
    where = f" (chi tiết: {detail_file})" if detail_file and lang == "vi" else \
        f" (details: {detail_file})" if detail_file else ""
    if lang == "vi":
        what = "các tệp này" if many else "tệp này"
        return (f"chitieu không kiểm tra được {what}: lỗi nội bộ của chitieu ({error}), không "
                f"phải lỗi của tệp; hãy báo cho văn phòng{where}.")
    what = "these files" if many else "this file"
    return (f"chitieu could not check {what}: internal error ({error}), not the file's fault; "
            f"tell the office{where}.")


def command_message(error: str, detail_file: Path | None) -> str:
    where = f" (details: {detail_file})" if detail_file else ""
    return f"chitieu: internal error ({error}): not your input's fault; tell the office{where}."


def guarded(run: Callable[[], int], clerk: bool = False) -> int:
    """`run()`'s exit code; an exception escaping it is told as chitieu's own (INTERNAL),
    except a bad setting (USAGE) and a busy warehouse (BUSY), which name what to do.
    SystemExit (argparse, an explicit exit) and Ctrl-C pass as they are."""
    from base.settings import SettingsError
    from base.writer_lock import WarehouseBusy

    try:
        return run()
    except (SystemExit, KeyboardInterrupt):
        raise
    except SettingsError as exc:  # the operator's setting, named: not ours
        print(f"chitieu: {exc}", file=sys.stderr)
        return USAGE
    except WarehouseBusy as exc:
        print(f"chitieu: {exc}", file=sys.stderr)
        return BUSY
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        detail = getattr(exc, "detail", "") or "".join(traceback.format_exception(exc))
        kept = keep_detail(detail)
        if clerk:
            print(file_message(error, kept, "vi"), file=sys.stderr)
            print(file_message(error, kept, "en"), file=sys.stderr)
        else:
            print(command_message(error, kept), file=sys.stderr)
        return INTERNAL
