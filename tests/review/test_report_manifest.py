"""After a kill during the report or a full reports disk, no format keeps last night's
figures (issue 25, item 5). Each report has a manifest beside it — the fingerprint of the
figures it shows, written last — and every format whose manifest is missing or differs is
written again, on the next night that runs the report stage, quiet nights included.

The kill is a real SIGKILL of the report stage's own process (it kills itself when it reaches
the .docx); the full disk is RLIMIT_FSIZE on that process (a write beyond it fails with EFBIG,
as on a full volume)."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import pytest

from base.settings import PROJECT_DIR, Settings
from chitieu.stages import write_report

pytestmark = pytest.mark.warehouse

DAY = date(2026, 12, 7)
YEAR = 2021
FORMATS = ("html", "xlsx", "docx", "pdf")


@pytest.fixture(scope="module")
def written(built, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A copy of the sample's published warehouse, with this year's reports written once for
    the module (four formats, the PDF by Chromium)."""
    source, _ = built
    copy = Settings(None, tmp_path_factory.mktemp("manifest") / "warehouse")
    copy.warehouse_dir.mkdir()
    shutil.copy2(source.published_db, copy.published_db)
    write_report(copy, DAY, YEAR)
    return copy


@pytest.fixture
def settings(written: Settings, tmp_path: Path) -> Settings:
    """The test's own copy of `written`: file, reports and manifests, times kept (copy2)."""
    copy = Settings(None, tmp_path / "warehouse")
    shutil.copytree(written.warehouse_dir, copy.warehouse_dir, symlinks=True)
    return copy


def set_met(settings: Settings, met: int) -> None:
    """Tonight's figures: the province's 2021 scorecard says `met` targets met."""
    con = duckdb.connect(str(settings.published_db))
    try:
        con.execute("UPDATE marts.scorecard SET targets_met = ? WHERE year = ? AND unit_code = "
                    "(SELECT unit_code FROM reference.admin_units WHERE unit_level = 'province' "
                    "LIMIT 1)", [met, YEAR])
    finally:
        con.close()


def shown(path: Path) -> str:
    """A report's text as a reader sees it."""
    if path.suffix == ".pdf":
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as z:
            return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    return path.read_text(encoding="utf-8")


def reports(settings: Settings) -> dict[str, Path]:
    return {f: settings.reports_dir / str(YEAR) / f"bao_cao_{YEAR}.{f}" for f in FORMATS}


def headline_in(settings: Settings) -> dict[str, bool]:
    """For each format that shows the headline (the workbook has no headline): whether it
    shows 8 targets met (tonight) rather than 9 (last night)."""
    return {f: "8/17" in shown(p) and "9/17" not in shown(p) for f, p in reports(settings).items()
            if f != "xlsx"}


def report_stage(settings: Settings, kill_at_docx: bool = False, fsize: int | None = None
                 ) -> subprocess.CompletedProcess:
    """The report stage in a process of its own, as the night runs it."""
    code = f"""
import os, resource, signal, sys
from datetime import date
from pathlib import Path
from base.settings import Settings
from chitieu.stages import write_report
if {kill_at_docx!r}:
    import chitieu.review.word as word
    def killed(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)
    word.write_docx = killed
if {fsize!r} is not None:
    resource.setrlimit(resource.RLIMIT_FSIZE, ({fsize!r}, {fsize!r}))
write_report(Settings(None, Path({str(settings.warehouse_dir)!r})),
             date({DAY.year}, {DAY.month}, {DAY.day}), {YEAR})
"""
    env = dict(os.environ, PYTHONPATH=str(PROJECT_DIR))
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=600, check=False)


def assert_repaired(settings: Settings) -> None:
    """The next night's report stage, with no new figures: every format shows tonight's."""
    write_report(settings, DAY, YEAR)
    assert headline_in(settings) == dict.fromkeys(("html", "docx", "pdf"), True)
    recorded = {json.loads(p.with_name(f".{p.name}.manifest").read_text())["fingerprint"]
                for p in reports(settings).values()}
    assert len(recorded) == 1, "every format, the workbook too, on tonight's figures"


def test_a_report_stage_killed_at_the_docx_is_repaired_the_next_night(settings: Settings) -> None:
    pytest.importorskip("docx")
    if shutil.which("chromium") is None:
        pytest.skip("no Chromium: the PDF is not written")
    assert headline_in(settings) == dict.fromkeys(("html", "docx", "pdf"), False)  # 9 of 17
    set_met(settings, 8)
    run = report_stage(settings, kill_at_docx=True)
    assert run.returncode == -signal.SIGKILL, run.stderr[-2000:]
    damaged = headline_in(settings)
    assert not damaged["docx"], "the kill came before the .docx: it still shows last night's"
    assert_repaired(settings)


def test_a_full_reports_disk_is_repaired_the_next_night(settings: Settings) -> None:
    if shutil.which("chromium") is None:
        pytest.skip("no Chromium: the PDF is not written")
    sizes = {f: p.stat().st_size for f, p in reports(settings).items()}
    set_met(settings, 8)
    # room for the smallest format only: every larger one fails to write, as on a full volume
    run = report_stage(settings, fsize=min(sizes.values()) + 1024)
    assert run.returncode != 0 and "File too large" in run.stderr, run.stderr[-2000:]
    assert not all(headline_in(settings).values())
    assert_repaired(settings)


def test_a_quiet_night_rewrites_nothing_fresh_and_every_format_that_is_stale(settings: Settings) -> None:
    paths = reports(settings)
    before = {f: p.stat().st_mtime_ns for f, p in paths.items()}
    write_report(settings, DAY, YEAR)
    assert {f: p.stat().st_mtime_ns for f, p in paths.items()} == before, "fresh: kept"
    # a manifest lost (the kill came between a file and its manifest): that format is rewritten
    docx = paths["docx"]
    docx.with_name(f".{docx.name}.manifest").unlink()
    write_report(settings, DAY, YEAR)
    after = {f: p.stat().st_mtime_ns for f, p in paths.items()}
    assert after["docx"] != before["docx"]
    assert {f: t for f, t in after.items() if f != "docx"} == \
        {f: t for f, t in before.items() if f != "docx"}
    # a manifest that differs (another night's figures): rewritten too
    manifest = docx.with_name(f".{docx.name}.manifest")
    manifest.write_text(json.dumps({"fingerprint": "0" * 64}))
    write_report(settings, DAY, YEAR)
    assert docx.stat().st_mtime_ns != after["docx"]


def test_the_report_runs_on_quiet_nights() -> None:
    """A quiet night skips ingest, build and publish, not the report: that is when a damaged
    report is repaired (a format whose manifest is fresh costs a fingerprint, no writing)."""
    import ast

    source = (PROJECT_DIR / "dags" / "chitieu_nightly.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    report = next(f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and f.name == "report")
    rules = [kw.value.value for d in report.decorator_list if isinstance(d, ast.Call)
             for kw in d.keywords if kw.arg == "trigger_rule"]
    assert rules == ["none_failed"]


def test_rlimit_fsize_fails_a_write_as_a_full_disk_does(tmp_path: Path) -> None:
    """The simulation itself: beyond the limit, a write fails with EFBIG (Python ignores
    SIGXFSZ), the file keeps what fitted."""
    code = ("import resource; resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))\n"
            f"with open({str(tmp_path / 'f')!r}, 'wb') as fh:\n    fh.write(b'x' * 5000)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode != 0 and "File too large" in run.stderr
    assert (tmp_path / "f").stat().st_size <= 1000
    assert resource.RLIMIT_FSIZE
