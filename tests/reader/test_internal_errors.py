"""Our own failure is never told as the sender's (issue 24): a module not found in the parse
worker (a Python outside the project's environment), a bug in our parsing code, an exception
escaping a command. Each is said to be chitieu's, with exit code 70, and the night never
quarantines a file for it.

The failures are real ones, made without touching the code under test: the reproducer runs
the project with the interpreter the venv was made from (no python_calamine there); the
others start the commands with a `sitecustomize` on PYTHONPATH that breaks one thing in every
process of the command, parse workers included.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests import hostile

pytestmark = pytest.mark.unit

PROJECT = Path(__file__).resolve().parent.parent.parent
BROKEN = "Tệp bị hỏng"  # corrupt_file's title: what the reproducer printed for good files

SITECUSTOMIZE = '''
import os
_how = os.environ.get("CHITIEU_TEST_BREAK")
if _how in ("reader-import", "reader-import-late"):  # the reader's module is not installed
    import builtins
    _real = builtins.__import__
    def _import(name, globals=None, *args, **kwargs):
        late = _how == "reader-import-late"  # only where a file is read, not at the start
        if name == "python_calamine" and (not late or (globals or {}).get("__name__")
                                          == "ingest.sources"):
            raise ModuleNotFoundError("No module named 'python_calamine'", name=name)
        return _real(name, globals, *args, **kwargs)
    builtins.__import__ = _import
elif _how == "worker-cannot-start":  # the worker dies before it can say anything
    import sys
    with open("/proc/self/cmdline", "rb") as _fh:
        if b"ingest.parse_worker" in _fh.read():
            sys.stderr.write("ModuleNotFoundError: No module named 'ingest'\\n")
            sys.stderr.flush()
            os._exit(1)
elif _how == "parser-bug":  # our parsing code fails on a sheet it has read
    import ingest.parse
    def _parse_grid(*args, **kwargs):
        raise TypeError("unsupported operand type(s) for +: 'int' and 'NoneType'")
    ingest.parse.parse_grid = _parse_grid
elif _how == "command-bug":  # a command's own code fails
    import base.rules
    class _Rules(dict):
        def values(self):
            raise RuntimeError("the registry is broken")
    base.rules.RULES = _Rules()
    import chitieu.query
    def _table(*args, **kwargs):
        raise RuntimeError("the registry is broken")
    chitieu.query.table = _table
'''


def run(args: list[str], tmp: Path, breaks: str | None = None, python: str = sys.executable,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python -m ARGS` from the project, with one thing broken in all its processes."""
    site = tmp / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    full = {**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{PROJECT}",
            "CHITIEU_TEST_BREAK": breaks or "", "WAREHOUSE_DIR": str(tmp / "warehouse"),
            **(env or {})}
    return subprocess.run([python, "-m", *args], cwd=PROJECT, env=full, capture_output=True,
                          text=True, timeout=300, check=False)


def test_validate_with_a_python_outside_the_venv_blames_chitieu_not_the_files(tmp_path: Path
                                                                             ) -> None:
    """The reproducer: `python -m ingest validate` with the interpreter the venv was made
    from, where python_calamine is not installed. Every good file used to be "Tệp bị hỏng"."""
    outside = os.path.realpath(sys.executable)
    probe = subprocess.run([outside, "-c", "import python_calamine"], capture_output=True,
                           check=False)
    if probe.returncode == 0:
        pytest.skip(f"{outside} has python_calamine: it is no Python outside the venv")
    good = hostile.good_reports(tmp_path / "inbox", 2)
    done = run(["ingest", "validate", "--lang", "vi", *(str(r.path) for r in good)], tmp_path,
               python=outside)
    said = done.stdout + done.stderr
    assert done.returncode == 70, said
    assert BROKEN not in said and "corrupt" not in said, said
    assert "chitieu không kiểm tra được các tệp này: lỗi nội bộ" in said, said
    assert "No module named 'python_calamine'" in said and "tell the office" in said, said


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_validate_tells_a_bug_in_our_parser_as_ours(tmp_path: Path, lang: str) -> None:
    good = hostile.good_reports(tmp_path / "inbox", 1)
    done = run(["ingest", "validate", "--lang", lang, str(good[0].path)], tmp_path, "parser-bug")
    said = done.stdout + done.stderr
    assert done.returncode == 70, said
    assert "không đọc được trang tính" not in said and "could not be parsed" not in said, said
    assert f"{good[0].path.name}: " in said and "TypeError" in said, said
    assert ("chitieu không kiểm tra được tệp này: lỗi nội bộ" if lang == "vi" else
            "chitieu could not check this file: internal error") in said, said


def test_validate_json_says_internal_error_for_machines(tmp_path: Path) -> None:
    import json

    good = hostile.good_reports(tmp_path / "inbox", 1)
    done = run(["ingest", "validate", "--json", str(good[0].path)], tmp_path, "parser-bug")
    report = json.loads(done.stdout)
    assert done.returncode == 70 and report["refused"] is False
    assert report["files"][0]["status"] == "internal_error"
    assert report["files"][0]["messages"] == []


@pytest.mark.parametrize(("breaks", "said"), [
    ("reader-import", "ModuleNotFoundError: No module named 'python_calamine'"),
    ("reader-import-late", "ModuleNotFoundError: No module named 'python_calamine'"),
    ("worker-cannot-start", "a parse worker could not start (ModuleNotFoundError: No module "
                            "named 'ingest')")])
def test_the_night_judges_no_file_when_the_reader_cannot_be_imported(tmp_path: Path,
                                                                    breaks: str, said: str
                                                                    ) -> None:
    """At the worker's start (its first import of the reader), when a file is read (the
    import inside the reader), or before the worker can even say it started."""
    good = hostile.good_reports(tmp_path / "inbox", 3)
    warehouse = tmp_path / "warehouse"
    done = run(["ingest", "load", "--inbox", str(tmp_path / "inbox"), "--warehouse",
                str(warehouse), "--workers", "2"], tmp_path, breaks)
    assert done.returncode == 70, done.stderr
    assert f"chitieu: internal error (ParseInternalError: {said})" in done.stderr, done.stderr
    db = warehouse / "build" / "chitieu.duckdb"
    if db.exists():
        con = duckdb.connect(str(db), read_only=True)
        try:
            assert con.execute("SELECT count(*) FROM raw.files").fetchone() == (0,), \
                "a file was judged for our own failure"
            assert con.execute("SELECT count(*) FROM raw.findings").fetchone() == (0,)
        finally:
            con.close()
    again = run(["ingest", "load", "--inbox", str(tmp_path / "inbox"), "--warehouse",
                 str(warehouse), "--workers", "2"], tmp_path)
    assert again.returncode == 0, again.stderr
    assert "files: 3 new" in again.stdout, "the next run reads every file"
    assert len(good) == 3


def test_the_night_holds_a_file_our_parser_fails_on_and_reads_it_again(tmp_path: Path) -> None:
    good = hostile.good_reports(tmp_path / "inbox", 2)
    warehouse = tmp_path / "warehouse"
    load = ["ingest", "load", "--inbox", str(tmp_path / "inbox"), "--warehouse", str(warehouse),
            "--workers", "1"]
    first = run(load, tmp_path, "parser-bug")
    assert first.returncode == 0, first.stderr
    assert "2 not checked: internal error of chitieu" in first.stdout, first.stdout
    con = duckdb.connect(str(warehouse / "build" / "chitieu.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM raw.files").fetchone() == (0,), \
            "a file was quarantined for our own failure"
        notes = con.execute("SELECT source_file, rule, severity FROM raw.findings "
                            "ORDER BY 1").fetchall()
    finally:
        con.close()
    assert notes == sorted((r.path.name, "internal_error", "warning") for r in good), notes
    second = run(load, tmp_path)
    assert second.returncode == 0 and "files: 2 new" in second.stdout, second.stdout
    con = duckdb.connect(str(warehouse / "build" / "chitieu.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM raw.findings WHERE rule = 'internal_error'"
                           ).fetchone() == (0,), "the notes go once the files are read"
    finally:
        con.close()


@pytest.mark.parametrize("command", [["ingest", "rules"], ["chitieu", "sql", "SELECT 1"]])
def test_every_command_tells_an_escaping_error_as_ours(tmp_path: Path, command: list[str]
                                                       ) -> None:
    """An exception escaping a command: one line naming it as chitieu's, exit 70, the
    traceback kept for the office (not 40 lines thrown at the user)."""
    (tmp_path / "warehouse").mkdir()
    duckdb.connect(str(tmp_path / "warehouse" / "warehouse.duckdb")).close()  # for `sql`
    done = run(command, tmp_path, "command-bug")
    assert done.returncode == 70, done.stderr
    assert done.stderr.startswith("chitieu: internal error (RuntimeError: the registry is "
                                  "broken): not your input's fault; tell the office"), done.stderr
    assert "Traceback" not in done.stderr
    kept = Path(done.stderr.split("(details: ")[1].split(")")[0])
    assert "Traceback" in kept.read_text() and oct(kept.stat().st_mode & 0o777) == "0o600"
    kept.unlink()
