"""Hostile and plain spreadsheets built byte by byte for the reliability tests (issue 13).

Every package here is written with `zipfile` and hand-made XML rather than with a spreadsheet
library, so that the tests control exactly what a reader sees: a dimension that lies, a cell
reference at the sheet's far corner, repeat counts in the millions, one shared string referenced
by every cell, a zip directory that understates a part's size. None of these files is more than
a few hundred KB on disk; what they cost a naive reader is the point of the tests.

Also here: the good layout-A reports that sit beside a hostile file (docs/spec/spreadsheets.md),
and the one way the tests run `python -m ingest`: in a subprocess under an address-space cap
and a timeout, with the peak resident memory of the whole process tree measured, so that today's
code fails a test instead of taking the machine down.
"""

from __future__ import annotations

import csv
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "dbt_project" / "seeds"

# The whole `ingest` process tree may not reserve more than this: today's code aborts (or fails
# to allocate) under it instead of swapping the shared test machine to death.
TEST_ADDRESS_SPACE = 4 * 1024**3

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

Cell = str | int | float | None


# --------------------------------------------------------------------------- cell references

def column_letters(index: int) -> str:
    """1 → A, 26 → Z, 27 → AA, 16384 → XFD (Excel's last column)."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def ref(row: int, col: int) -> str:
    """The A1-style reference of a 1-based (row, column)."""
    return f"{column_letters(col)}{row}"


# --------------------------------------------------------------------------- xlsx, by hand

def _content_types(n_sheets: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, n_sheets + 1))
    return (XML_DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            + sheets + "</Types>")


def _package_parts(sheet_names: list[str], shared_strings: list[str]) -> dict[str, str]:
    """Every part of a minimal workbook except the worksheets themselves."""
    sheets = "".join(f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
                     for i, name in enumerate(sheet_names, start=1))
    sheet_rels = "".join(
        f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheet_names) + 1))
    n = len(sheet_names)
    strings = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in shared_strings)
    return {
        "[Content_Types].xml": _content_types(n),
        "_rels/.rels": (XML_DECL + f'<Relationships xmlns="{PKG_REL_NS}">'
                        f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
                        "</Relationships>"),
        "xl/workbook.xml": (XML_DECL + f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
                            f"<sheets>{sheets}</sheets></workbook>"),
        "xl/_rels/workbook.xml.rels": (
            XML_DECL + f'<Relationships xmlns="{PKG_REL_NS}">{sheet_rels}'
            f'<Relationship Id="rId{n + 1}" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"),
        "xl/sharedStrings.xml": (XML_DECL + f'<sst xmlns="{MAIN_NS}" count="{len(shared_strings)}" '
                                 f'uniqueCount="{len(shared_strings)}">{strings}</sst>'),
    }


def worksheet_xml(rows: list[list[Cell]], strings: list[str], dimension: str | None = "auto") -> str:
    """A worksheet holding `rows` (numbers as numeric cells, text as shared strings appended to
    `strings`); `dimension="auto"` writes the true used range, None writes no dimension."""
    body: list[str] = []
    last_col = 1
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            last_col = max(last_col, c)
            if isinstance(value, int | float):
                cells.append(f'<c r="{ref(r, c)}"><v>{value}</v></c>')
            else:
                strings.append(str(value))
                cells.append(f'<c r="{ref(r, c)}" t="s"><v>{len(strings) - 1}</v></c>')
        if cells:
            body.append(f'<row r="{r}">{"".join(cells)}</row>')
    if dimension == "auto":
        dimension = f"A1:{ref(max(len(rows), 1), last_col)}"
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return XML_DECL + f'<worksheet xmlns="{MAIN_NS}">{dim}<sheetData>{"".join(body)}</sheetData></worksheet>'


def write_xlsx_parts(path: Path, sheets: dict[str, str], shared_strings: list[str]) -> Path:
    """Write a workbook from ready worksheet XML (name → XML, in order) and its shared strings."""
    parts = _package_parts(list(sheets), shared_strings)
    for i, xml in enumerate(sheets.values(), start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text.encode("utf-8"))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[Cell]]]) -> Path:
    """A plain workbook, one worksheet per entry (sheet name → rows)."""
    strings: list[str] = []
    xml = {name: worksheet_xml(rows, strings) for name, rows in sheets.items()}
    return write_xlsx_parts(path, xml, strings)


# --------------------------------------------------------------------------- layout A reports

HEADER = ["STT", "Mã chỉ tiêu", "Tên chỉ tiêu", "ĐVT", "Thực hiện"]
ELEMENT_NAMES = {"HH_TOTAL": ("Tổng số hộ dân cư", "hộ"), "HH_POOR": ("Số hộ nghèo", "hộ"),
                 "POP_TOTAL": ("Dân số trung bình", "người"),
                 "PARTY_MEMBERS": ("Tổng số đảng viên", "người")}


def report_rows(unit_code: str, period: str, values: list[tuple[str, Cell]]) -> list[list[Cell]]:
    """A layout-A report (spreadsheets.md): motto, title, unit code, period, a blank row, the
    table header, a section row, one row per (element, value) in the order given, the signature.

    Row numbers are fixed so tests can name cells: the header is row 7, the section row 8, and
    the k-th element row (0-based) is row 9 + k, its value in column E."""
    rows: list[list[Cell]] = [
        [None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        [None, None, "Độc lập - Tự do - Hạnh phúc"],
        ["BÁO CÁO KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU"],
        [f"Mã đơn vị: {unit_code}"],
        [f"Kỳ báo cáo: {period}"],
        [],
        list(HEADER),
        ["I. XÃ HỘI"],
    ]
    for k, (code, value) in enumerate(values):
        name, uom = ELEMENT_NAMES[code]
        rows.append([k + 1, code, name, uom, value])
    rows += [[], ["Người lập biểu", None, "CHỦ TỊCH"], ["Ngày ... tháng ... năm ..."]]
    return rows


def value_cell(k: int) -> str:
    """The cell of the k-th element row's value in `report_rows`."""
    return ref(9 + k, 5)


def write_csv(path: Path, rows: list[list[Cell]]) -> Path:
    """A UTF-8 comma-separated file of `rows` (what a clerk's 'Save as CSV' gives)."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["" if v is None else v for v in row] for row in rows])
    return path


def communes_2021(n: int) -> list[str]:
    """The first `n` pre-reform commune codes of the seed (units that existed throughout 2021)."""
    with open(SEEDS / "admin_units.csv", encoding="utf-8") as fh:
        codes = [r["unit_code"] for r in csv.DictReader(fh)
                 if r["unit_level"] == "commune" and r["valid_from"] <= "2021-01-01" <= r["valid_to"]]
    assert len(codes) >= n, "the seed has fewer pre-reform communes than the test needs"
    return codes[:n]


@dataclass(frozen=True)
class GoodReport:
    """One good file: which unit, and the values it must leave in raw."values"."""

    path: Path
    unit_code: str
    values: dict[str, int]


def good_reports(inbox: Path, n: int = 12, when: float | None = None) -> list[GoodReport]:
    """`n` plain annual 2021 reports of distinct communes, two in three .xlsx, one in three .csv.

    The values are simple functions of the file's index, chosen by hand to lie in every valid
    range (households ≥ poor households ≥ 0): they are the expected values, no reader involved."""
    inbox.mkdir(parents=True, exist_ok=True)
    when = when if when is not None else _an_hour_ago()
    out = []
    for i, unit in enumerate(communes_2021(n)):
        values = {"HH_TOTAL": 1200 + 37 * i, "HH_POOR": 40 + i, "POP_TOTAL": 5000 + 101 * i}
        rows = report_rows(unit, "Năm 2021", list(values.items()))
        if i % 3 == 2:
            path = write_csv(inbox / f"BC nam 2021 - {unit}.csv", rows)
        else:
            path = write_xlsx(inbox / f"BC nam 2021 - {unit}.xlsx", {"Báo cáo": rows})
        os.utime(path, (when, when))
        out.append(GoodReport(path, unit, values))
    return out


def _an_hour_ago() -> float:
    import time

    return time.time() - 3600


# --------------------------------------------------------------------------- hostile workbooks

def xlsx_far_corner(path: Path, corner: str, with_dimension: bool) -> Path:
    """A sheet holding only A1 and one cell at `corner` (e.g. XFD1048576): a few hundred bytes that
    a reader sizing its grid from the used range turns into rows × columns empty cells."""
    strings = ["Mã đơn vị: 18073", "x"]
    dim = f'<dimension ref="A1:{corner}"/>' if with_dimension else ""
    row = int("".join(ch for ch in corner if ch.isdigit()))
    xml = (XML_DECL + f'<worksheet xmlns="{MAIN_NS}">{dim}<sheetData>'
           '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
           f'<row r="{row}"><c r="{corner}" t="s"><v>1</v></c></row>'
           "</sheetData></worksheet>")
    return write_xlsx_parts(path, {"Báo cáo": xml}, strings)


def xlsx_shared_string_fan_out(path: Path, string_chars: int = 32 * 1024, rows: int = 5000,
                               cols: int = 10) -> Path:
    """One ~32 KB shared string referenced by rows × cols (50,000) cells: ~100 KB on disk, but a
    reader that copies the string into every cell holds 1.6 GB of text. Within the row and column
    caps, so only a memory limit (or a reader that does not copy) stands between it and the box."""
    strings = ["Ghi chú " + "ă" * (string_chars - 8)]
    row_xml = []
    for r in range(1, rows + 1):
        cells = "".join(f'<c r="{ref(r, c)}" t="s"><v>0</v></c>' for c in range(1, cols + 1))
        row_xml.append(f'<row r="{r}">{cells}</row>')
    xml = (XML_DECL + f'<worksheet xmlns="{MAIN_NS}"><dimension ref="A1:{ref(rows, cols)}"/>'
           f'<sheetData>{"".join(row_xml)}</sheetData></worksheet>')
    return write_xlsx_parts(path, {"Báo cáo": xml}, strings)


def xlsx_understated_sizes(path: Path, real_mb: int = 240) -> Path:
    """A workbook whose worksheet really inflates to `real_mb` MB (over the 200 MB cap, at ~1000:1)
    while the zip's local header and central directory both claim it is no larger than its
    compressed bytes (ratio 1:1). The CRC is the true one, so a reader that trusts the directory
    reads the whole part without complaint; only counting the bytes really inflated refuses it.

    The padding is whitespace inside <sheetData>, legal XML, followed by one real row."""
    head = (XML_DECL + f'<worksheet xmlns="{MAIN_NS}"><dimension ref="A1:A1"/><sheetData>').encode()
    tail = b'<row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    chunk = b" " * (1024 * 1024)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    crc = zlib.crc32(head)
    deflated = [comp.compress(head)]
    for _ in range(real_mb):
        crc = zlib.crc32(chunk, crc)
        deflated.append(comp.compress(chunk))
    crc = zlib.crc32(tail, crc)
    deflated += [comp.compress(tail), comp.flush()]
    sheet_data = b"".join(deflated)

    parts = _package_parts(["Báo cáo"], ["Mã đơn vị: 18073"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text.encode("utf-8"))
    _append_raw_deflated(path, "xl/worksheets/sheet1.xml", sheet_data, crc,
                         claimed_size=len(sheet_data))
    return path


def _append_raw_deflated(path: Path, name: str, data: bytes, crc: int, claimed_size: int) -> None:
    """Add an already-deflated member to a finished zip, with `claimed_size` as its uncompressed
    size in both the local header and the central directory (rewrites the directory and EOCD)."""
    blob = path.read_bytes()
    eocd = blob.rindex(b"PK\x05\x06")
    (_sig, _disk, _cd_disk, _n_disk, n_total, cd_size, cd_offset, _comment_len) = struct.unpack(
        "<IHHHHIIH", blob[eocd:eocd + 22])
    entries, directory = blob[:cd_offset], blob[cd_offset:cd_offset + cd_size]
    encoded = name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), claimed_size,
                        len(encoded), 0) + encoded
    offset = len(entries)
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data),
                          claimed_size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    new_cd = directory + central
    body = entries + local + data
    eocd_rec = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n_total + 1, n_total + 1, len(new_cd),
                           len(body), 0)
    path.write_bytes(body + new_cd + eocd_rec)


def zip_member_claims(path: Path, name: str) -> tuple[int, int]:
    """(compressed, uncompressed) sizes the zip's central directory claims for `name`."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
        return info.compress_size, info.file_size


def ods_repeated(path: Path, rows_repeated: int = 30_000, cols_repeated: int = 1_000,
                 sheets: int = 1) -> Path:
    """An .ods of about 1 KB: one row repeated `rows_repeated` times, each holding one numeric
    cell repeated `cols_repeated` times — 30 million cells (2 GB) for a reader that expands
    repeats. (calamine refuses grids over 100 million cells by itself, so a billion would be
    caught for free; 30 million is under its limit and over the 20,000-row and 250-column caps.)
    With `sheets` > 1 the same table is repeated in that many sheets."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        "<office:body><office:spreadsheet>"
        + "".join(_ods_table(f"Báo cáo {i}" if i else "Báo cáo", rows_repeated, cols_repeated)
                  for i in range(sheets))
        + "</office:spreadsheet></office:body></office:document-content>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.spreadsheet",
                    compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", manifest.encode(), compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("content.xml", content.encode(), compress_type=zipfile.ZIP_DEFLATED)
    return path


def _ods_table(name: str, rows_repeated: int, cols_repeated: int) -> str:
    """One table: a letterhead cell, then one row of repeated numeric cells, repeated."""
    return (f'<table:table table:name="{escape(name)}">'
            "<table:table-row>"
            '<table:table-cell office:value-type="string"><text:p>Mã đơn vị: 18073</text:p>'
            "</table:table-cell></table:table-row>"
            f'<table:table-row table:number-rows-repeated="{rows_repeated}">'
            f'<table:table-cell table:number-columns-repeated="{cols_repeated}" office:value-type="float" '
            'office:value="1"><text:p>1</text:p></table:table-cell>'
            "</table:table-row></table:table>")


# --------------------------------------------------------------------------- running ingest

# Runs the command under an address-space cap and reports the peak resident set of its whole
# process tree (RUSAGE_CHILDREN of a fresh wrapper holds only that tree's reaped processes).
_WRAPPER = """
import ctypes, json, os, resource, subprocess, sys
cap, out, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
def limit():
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    if os.environ.get("HOSTILE_WITHOUT_DAC_OVERRIDE"):  # root reads any folder unless so
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, via PR_CAPBSET_DROP
            if libc.prctl(24, capability, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")
proc = subprocess.run(cmd, preexec_fn=limit)
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(out, "w") as fh:
    json.dump({"returncode": proc.returncode, "peak_mb": peak_kb / 1024}, fh)
sys.exit(0)
"""


@dataclass
class Run:
    """What one `python -m ingest ...` did: exit code, output, the tree's peak memory."""

    returncode: int
    stdout: str
    stderr: str
    peak_mb: float

    def describe(self) -> str:
        """Exit, memory and output (the head and tail of stderr), for an assertion message."""
        err = self.stderr if len(self.stderr) < 1600 else f"{self.stderr[:1000]}\n...\n{self.stderr[-500:]}"
        return (f"exit {self.returncode}, peak {self.peak_mb:.0f} MB\nstdout: {self.stdout[-1500:]}\n"
                f"stderr: {err}")


def ingest(args: list[str], tmp: Path, env: dict[str, str] | None = None, timeout: float = 300) -> Run:
    """Run `python -m ingest ARGS` from the project under TEST_ADDRESS_SPACE and a timeout.

    The command runs in a session of its own, so that on a timeout the whole tree it started
    (parser workers included) is killed by that session's id, and nothing outlives the test."""
    import json
    import signal

    report = tmp / f"run-{len(list(tmp.glob('run-*.json')))}.json"
    full_env = dict(os.environ, PYTHONPATH=str(PROJECT), **(env or {}))
    cmd = [sys.executable, "-c", _WRAPPER, str(TEST_ADDRESS_SPACE), str(report),
           sys.executable, "-m", "ingest", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PROJECT,
                            env=full_env, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        raise AssertionError(f"`ingest {args[0]}` did not finish within {timeout} s; "
                             f"stderr: {stderr[-2000:]}") from None
    result = json.loads(report.read_text()) if report.exists() else {"returncode": -1, "peak_mb": 0}
    return Run(result["returncode"], stdout, stderr, result["peak_mb"])


# --------------------------------------------------------------------------- the machine's doing

class WorkerKiller:
    """Plays the kernel's OOM killer: SIGKILLs this test's parse workers (descendants of the
    test process only, never another run's) as soon as each appears, `limit` times at most
    (None: every one, until stopped). A worker is given its first file the moment it starts,
    so each kill lands on a file being read. `signum` other than SIGKILL plays a reader that
    crashes on the file (SIGSEGV, SIGABRT): the worker's own death, not the machine's."""

    def __init__(self, limit: int | None = None, signum: int | None = None) -> None:
        import signal
        import threading

        self.limit, self.killed = limit, []
        self.signum = signal.SIGKILL if signum is None else signum
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WorkerKiller:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.is_set() and (self.limit is None or len(self.killed) < self.limit):
            for child in me.children(recursive=True):
                try:
                    if child.pid not in self.killed and "ingest.parse_worker" in " ".join(child.cmdline()):
                        child.send_signal(self.signum)
                        self.killed.append(child.pid)
                except psutil.Error:
                    continue
            self._stop.wait(0.01)
