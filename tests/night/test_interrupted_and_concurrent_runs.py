"""Reliability of runs (issue 13): kills between the swaps, two runs at once, leftovers of a
crashed run, a full disk, quotes in paths, hostile trigger parameters.

Each test starts from a copy of the sample's built warehouse (the session's `built`), so it
may break it freely; crashes are real where a process can be killed (SIGKILL of `ingest load`,
a real full filesystem on a tmpfs) and injected at the exact instruction otherwise (between
the published file's rename and the Parquet link's, a window a signal cannot aim at).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from base.settings import Settings
from chitieu.publish import MARTS

pytestmark = pytest.mark.warehouse

PYTHON = sys.executable


@pytest.fixture
def warehouse(built, tmp_path: Path) -> Settings:
    """A private copy of the built sample warehouse."""
    settings, _ = built
    target = tmp_path / "warehouse"
    shutil.copytree(settings.warehouse_dir, target, symlinks=True)
    return Settings(settings.inbox, target)


def parquet_equals_duckdb(settings: Settings) -> list[str]:
    """The marts whose Parquet copy under `current` differs from the published file's table."""
    current = settings.parquet_dir / "current"
    con = duckdb.connect(str(settings.published_db), read_only=True)
    differing = []
    try:
        for table in MARTS:
            parquet = str(current / f"{table}.parquet").replace("'", "''")
            diff = con.execute(f"""
                SELECT (SELECT count(*) FROM (SELECT * FROM marts.{table}
                                              EXCEPT ALL SELECT * FROM read_parquet('{parquet}')))
                     + (SELECT count(*) FROM (SELECT * FROM read_parquet('{parquet}')
                                              EXCEPT ALL SELECT * FROM marts.{table}))""").fetchone()[0]
            if diff:
                differing.append(table)
    finally:
        con.close()
    return differing


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def quiet_night(settings: Settings) -> dict:
    """What the DAG's first task decides on a night without new files."""
    from chitieu.stages import count_new_files, prepare, unpublished_ingest

    prepare(settings)
    return {"new_files": count_new_files(settings), "unpublished": unpublished_ingest(settings)}


def test_every_mart_has_an_equal_parquet_copy(warehouse: Settings) -> None:
    assert parquet_equals_duckdb(warehouse) == []


def test_kill_between_the_file_swap_and_the_link_swap_is_repaired_by_the_next_run(
        warehouse: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    import chitieu.publish as publish_module
    from chitieu.publish import published_parquet_version
    from chitieu.stages import publish_marts

    old_target = os.readlink(warehouse.parquet_dir / "current")
    real_replace = os.replace

    def die_before_the_link(src, dst):
        if Path(dst).name == "current":
            raise SystemExit("killed between the swaps")
        return real_replace(src, dst)

    # Change what is published, so that a stale Parquet copy would show.
    con = duckdb.connect(str(warehouse.build_db))
    con.execute("UPDATE marts.scorecard SET targets_met = targets_met + 100")
    con.close()
    monkeypatch.setattr(publish_module.os, "replace", die_before_the_link)
    with pytest.raises(SystemExit):
        publish_marts(warehouse)
    monkeypatch.undo()
    assert (warehouse.parquet_dir / old_target).is_dir(), "the last good Parquet version is kept"
    assert "scorecard" in parquet_equals_duckdb(warehouse), "the kill left the two disagreeing"

    found = quiet_night(warehouse)
    assert found == {"new_files": 0, "unpublished": False}
    assert parquet_equals_duckdb(warehouse) == []
    assert os.readlink(warehouse.parquet_dir / "current") == \
        published_parquet_version(warehouse.published_db)


def test_old_parquet_versions_are_removed_by_reference_not_by_age(warehouse: Settings) -> None:
    from chitieu.stages import publish_marts

    first = os.readlink(warehouse.parquet_dir / "current")
    publish_marts(warehouse)
    second = os.readlink(warehouse.parquet_dir / "current")
    stray = warehouse.parquet_dir / "0123456789abcdef"  # an abandoned, newer-looking folder
    stray.mkdir()
    os.utime(warehouse.parquet_dir / first, (1, 1))  # the version before looks ancient
    publish_marts(warehouse)
    third = os.readlink(warehouse.parquet_dir / "current")
    kept = {p.name for p in warehouse.parquet_dir.iterdir() if p.is_dir() and not p.is_symlink()}
    assert kept == {second, third}, "current and the one before it, whatever their times"
    assert parquet_equals_duckdb(warehouse) == []


def test_a_quote_in_the_warehouse_path_publishes(built, tmp_path: Path) -> None:
    from chitieu.stages import publish_marts

    settings, _ = built
    target = tmp_path / "kho d'l'iệu"
    shutil.copytree(settings.warehouse_dir, target, symlinks=True)
    quoted = Settings(settings.inbox, target)
    publish_marts(quoted)
    assert parquet_equals_duckdb(quoted) == []


def test_leftovers_of_a_crashed_run_are_removed_when_the_next_run_starts(warehouse: Settings) -> None:
    from chitieu.stages import prepare

    leftovers = [warehouse.warehouse_dir / ".warehouse.duckdb.5f2c.tmp",
                 warehouse.warehouse_dir / ".warehouse.duckdb.5f2c.tmp.wal"]
    for path in leftovers:
        path.write_bytes(b"half a file")
    partial = warehouse.archive_dir / "ab" / "abcdef.xlsx.part"
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(b"half a copy")
    published = sha(warehouse.published_db)
    prepare(warehouse)
    assert not any(p.exists() for p in [*leftovers, partial])
    assert sha(warehouse.published_db) == published


def test_a_second_writer_is_refused_naming_the_first(warehouse: Settings) -> None:
    from base.writer_lock import acquire, release

    fd = acquire(warehouse.lock_file)
    try:
        env = dict(os.environ, INBOX=str(warehouse.inbox), WAREHOUSE_DIR=str(warehouse.warehouse_dir))
        load = subprocess.run([PYTHON, "-m", "ingest", "load", "--inbox", str(warehouse.inbox),
                               "--warehouse", str(warehouse.warehouse_dir)], env=env, capture_output=True,
                              text=True, timeout=120, check=False)
        run = subprocess.run([PYTHON, "-m", "chitieu", "run"], env=env, capture_output=True,
                             text=True, timeout=120, check=False)
    finally:
        release(fd)
    for proc in (load, run):
        assert proc.returncode == 3
        assert f"another run (PID {os.getpid()}) holds the warehouse" in proc.stderr
    assert "airflow" not in run.stderr.lower(), "refused before Airflow starts"


def test_two_loads_started_together_leave_one_message_and_a_consistent_warehouse(
        sample_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "build" / "chitieu.duckdb"
    args = [PYTHON, "-m", "ingest", "load", "--inbox", str(sample_dir / "inbox"), "--warehouse",
            str(tmp_path)]
    procs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outcomes = sorted((p.wait(timeout=300), p.stderr.read()) for p in procs)
    assert [code for code, _ in outcomes] == [0, 3]
    assert "another run (PID" in outcomes[1][1]
    con = duckdb.connect(str(db), read_only=True)
    files = con.execute("SELECT count(*), count(DISTINCT file_sha256) FROM raw.files").fetchone()
    assert files[0] == files[1] > 3900


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                found.add(int(entry.name))
    return found


def test_a_killed_load_leaves_no_parser_running(sample_dir: Path, tmp_path: Path) -> None:
    proc = subprocess.Popen([PYTHON, "-m", "ingest", "load", "--inbox", str(sample_dir / "inbox"),
                             "--warehouse", str(tmp_path)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(workers) < 2:
        workers |= _children(proc.pid)
        time.sleep(0.05)
    assert workers, "the load started parse workers"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(2)
    alive = {pid for pid in workers if Path(f"/proc/{pid}").exists()
             and (Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z")}
    assert not alive, f"parse workers outlived their parent: {alive}"


def test_unknown_trigger_parameters_are_refused() -> None:
    from chitieu.params import BadParams, check_params

    with pytest.raises(BadParams, match="'foo' is not a parameter"):
        check_params({"foo": 1, "full_refresh": False})


@pytest.fixture
def small_disk(tmp_path: Path):
    """A real filesystem that fills up: a tmpfs mounted for the test (needs root)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("needs root and mount(8) for a small filesystem")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        if os.environ.get("CHITIEU_REQUIRE_ALL") == "1":
            pytest.fail(f"cannot mount a tmpfs: {proc.stderr}")
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path) -> None:
    """Take every free block (unbuffered writes, down to the last small one)."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 20, 4096, 1):
            try:
                while os.write(fd, b"\0" * size):
                    pass
            except OSError:
                pass
    finally:
        os.close(fd)


@pytest.mark.parametrize("stage", ["dbt_build", "publish"])
def test_a_full_disk_keeps_the_last_good_file_and_a_readable_reason(
        warehouse: Settings, small_disk: Path, stage: str) -> None:
    """The disk fills during a run (before dbt, or after dbt and before publish): the
    published file stays the last good one, byte for byte, its Parquet copies stay equal to
    it, and LAST_FAILURE.txt still gets the reason although not a byte is free."""
    from chitieu.stages import build, prepare, publish_marts, write_failure

    target = small_disk / "warehouse"
    shutil.copytree(warehouse.warehouse_dir, target, symlinks=True,
                    ignore=shutil.ignore_patterns("archive", "reports", "logs"))
    settings = Settings(warehouse.inbox, target)
    published = sha(settings.published_db)
    prepare(settings)  # the run starts while there is still room
    failure: BaseException | None = None
    try:
        if stage == "publish":
            assert build(settings)["success"]
        _fill(small_disk)
        if stage == "dbt_build" and not build(settings)["success"]:
            raise RuntimeError("dbt build failed: no space left on device")
        publish_marts(settings)
    except Exception as exc:
        failure = exc
    assert failure is not None, "a full disk must stop the run"
    write_failure(settings, f"run x task {stage} failed: {failure}")
    assert sha(settings.published_db) == published
    assert parquet_equals_duckdb(settings) == []
    text = settings.status_file.read_text(encoding="utf-8")
    assert f"task {stage} failed" in text
    assert len(text.encode()) <= 4096
    con = duckdb.connect(str(settings.published_db), read_only=True)
    assert con.execute("SELECT count(*) FROM marts.scorecard").fetchone()[0] > 0


def test_a_file_whose_bytes_changed_while_read_is_not_archived(tmp_path: Path) -> None:
    """The discovery hash and the bytes copied disagree (a clerk still saving the file): the
    copy is dropped and the file left for the next run, never archived under a wrong hash."""
    from ingest.pipeline import archive_copy, sha256_of

    report = tmp_path / "inbox" / "BC.csv"
    report.parent.mkdir()
    report.write_text("Mã đơn vị: 18142\n", encoding="utf-8")
    seen = sha256_of(report)
    report.write_text("Mã đơn vị: 18142\nKỳ báo cáo: Năm 2022\n", encoding="utf-8")  # grew since
    archive = tmp_path / "archive"
    assert archive_copy(report, seen, archive) is None
    assert not [p for p in archive.rglob("*") if p.is_file()], "nothing archived, no .part left"
    assert archive_copy(report, sha256_of(report), archive) is not None
    old = time.time() - 5
    os.utime(report, (old, old))
    assert archive_copy(report, sha256_of(report), tmp_path / "a2", settle_s=60) is None, \
        "younger than the settle time: next run"


# --------------------------------------------------------------------------- issue 19

def _small_night(root: Path, warehouse: Path, n: int = 3, archive: Path | None = None) -> Settings:
    """A few good reports in an inbox, ingested and built into `warehouse`."""
    from chitieu.stages import build, ingest_new
    from tests import hostile

    hostile.good_reports(root / "inbox", n)
    settings = Settings(root / "inbox", warehouse, archive)
    ingest_new(settings)
    assert build(settings)["success"]
    return settings


def test_a_backslash_in_the_warehouse_path_is_refused_naming_the_setting(tmp_path: Path) -> None:
    """DuckDB reads a backslash in any path as a separator (after resolving links: no alias
    reaches such a folder), so WAREHOUSE_DIR holding one can never hold the warehouse: the
    run is refused at once, naming the variable and why, not with a "no such file" about
    another path from deep inside ingest; the archive and reports folders, which DuckDB
    never opens, may hold one."""
    from base.settings import SettingsError

    env = {"INBOX": str(tmp_path / "inbox"), "WAREHOUSE_DIR": str(tmp_path / "kho\\du lieu")}
    with pytest.raises(SettingsError, match=r"WAREHOUSE_DIR=.*backslash"):
        Settings.from_env(env)
    loaded = subprocess.run([PYTHON, "-m", "ingest", "load", "--inbox", str(tmp_path),
                             "--warehouse", env["WAREHOUSE_DIR"]], capture_output=True, text=True)
    assert loaded.returncode != 0 and "backslash" in loaded.stderr and "Traceback" not in loaded.stderr, \
        loaded.stderr[-2000:]
    settings = _small_night(tmp_path, tmp_path / "warehouse", archive=tmp_path / "luu\\tru")
    assert any((tmp_path / "luu\\tru").rglob("*.xlsx"))
    assert settings.build_db.is_file()


def test_a_load_between_build_and_publish_is_published_next_night(tmp_path: Path) -> None:
    """`ingest load` run by hand after dbt_build and before publish: the publication records the
    raw state its marts were built from, so the next night still sees that load as unpublished
    (and builds it) instead of leaving its files out of the marts until another file comes."""
    from chitieu.publish import published_raw_state
    from chitieu.stages import ingest_new, publish_marts
    from ingest import store
    from tests import hostile

    settings = _small_night(tmp_path, tmp_path / "warehouse")
    late = hostile.good_reports(tmp_path / "late", 4)[3]
    shutil.copy2(late.path, settings.inbox / late.path.name)
    # What `ingest load` does, in this process: dbt's connection (held here) shares the file.
    assert ingest_new(settings)["files_new"] == 1
    publish_marts(settings)
    con = duckdb.connect(str(settings.build_db))  # as dbt's in-process connection has it open
    try:
        now = store.raw_state(con)
    finally:
        con.close()
    assert published_raw_state(settings.published_db) != now, \
        "the publication claims the hand-loaded file although its marts were built before it"


def _whole_reports(folder: Path) -> list[str]:
    """The reports in `folder` that are not whole: an HTML page without its end, a workbook that
    is not a zip, a PDF that pdfinfo cannot read."""
    import zipfile

    def pdf_is_whole(path: Path) -> bool:  # poppler's reading of it, not the code's own check
        data = path.read_bytes()
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True)
        return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:] and info.returncode == 0

    whole = {".html": lambda p: p.read_bytes().rstrip().endswith(b"</html>"),
             ".xlsx": zipfile.is_zipfile, ".pdf": pdf_is_whole}
    return [p.name for p in folder.iterdir() if p.suffix in whole and not whole[p.suffix](p)]


@pytest.fixture(scope="module")
def small_published(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A few 2021 reports and a targets workbook, built and published: enough for a review."""
    from chitieu.stages import publish_marts
    from tests import hostile

    root = tmp_path_factory.mktemp("small_published")
    header = ["Năm", "Mã đơn vị", "Mã chỉ tiêu", "Loại chỉ tiêu", "Mức thấp", "Mức cao", "Nguồn"]
    (root / "inbox").mkdir()
    hostile.write_xlsx(root / "inbox" / "chi tieu.xlsx", {"Chỉ tiêu": [
        ["CHỈ TIÊU KẾ HOẠCH"], header, [2021, "42", "HH_POOR", "Tối đa", 5000, None, "NQ"]]})
    settings = _small_night(root, root / "warehouse")
    publish_marts(settings)
    return settings


def test_a_full_reports_volume_never_leaves_a_truncated_report(small_published: Settings,
                                                               small_disk: Path) -> None:
    """The reports volume fills during the report task: it fails, and whatever files the year
    has are whole (a partial file, which later quiet nights never rewrite, is never left)."""
    from datetime import date

    from chitieu.review import write_review

    settings = small_published
    reports = small_disk / "reports"
    write_review(settings.published_db, reports, 2021, date.today(), pdf=False)
    (reports / "2021" / "bao_cao_2021.xlsx").unlink()  # a new report to write, on a full disk
    (reports / "2021" / "bao_cao_2021.html").unlink()
    _fill(small_disk)
    with pytest.raises(OSError):
        write_review(settings.published_db, reports, 2021, date.today(), pdf=False)
    assert _whole_reports(reports / "2021") == []


def test_a_truncated_pdf_is_printed_again_though_its_figures_did_not_change(small_published: Settings,
                                                                          tmp_path: Path) -> None:
    """A PDF cut short (a volume that filled while Chromium wrote it) but fingerprinted as
    printed: the next report task sees it is not whole and prints it again."""
    from datetime import date

    from chitieu.review import write_review
    from tests.conftest import require_tool

    require_tool("chromium")
    require_tool("pdfinfo")
    settings = small_published
    first = write_review(settings.published_db, tmp_path, 2021, date.today())
    data = first.pdf.read_bytes()
    first.pdf.write_bytes(data[: len(data) // 2])
    again = write_review(settings.published_db, tmp_path, 2021, date.today())
    assert again.pdf is not None and _whole_reports(tmp_path / "2021") == []



def _mart_counts(published_db: Path) -> dict[str, int]:
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM marts.{t}").fetchone()[0] for t in MARTS}
    finally:
        con.close()


def test_an_unreadable_published_file_is_set_aside_and_the_next_run_publishes(
        warehouse: Settings) -> None:
    """Issue 19: junk written over warehouse.duckdb (through a dashboard, a disk, a hand) made
    every night's first step fail opening it; now it is set aside and the night publishes.
    A WAL beside the published file (the one file a locked-down DuckDB reader may still
    create) is removed, never replayed."""
    from chitieu.stages import publish_marts

    before = _mart_counts(warehouse.published_db)
    junk = b"not a DuckDB file, overwritten from SQL Lab\n" * 4096
    warehouse.published_db.write_bytes(junk)
    wal = warehouse.published_db.with_name(warehouse.published_db.name + ".wal")
    wal.write_bytes(junk)
    found = quiet_night(warehouse)
    assert found["unpublished"], "an unreadable publication must make the night build and publish"
    kept = warehouse.published_db.with_name(warehouse.published_db.name + ".unreadable")
    assert kept.read_bytes() == junk  # set aside for a look, not lost
    assert not warehouse.published_db.exists() and not wal.exists()
    publish_marts(warehouse)
    assert _mart_counts(warehouse.published_db) == before
    assert parquet_equals_duckdb(warehouse) == []
    assert quiet_night(warehouse) == {"new_files": 0, "unpublished": False}
