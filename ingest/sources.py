"""Open a received file as plain grids of cells, defensively.

python-calamine reads every workbook format; it does not expose number formats or error
values, so for .xlsx/.xlsm the few facts it cannot tell (percentage-formatted cells, error
cells) are read from the sheet's own XML with one regular-expression pass, not by loading
the workbook a second time through a slow reader. Before any reader sees a workbook, every
part is decompressed once as a stream: the bytes really produced are counted against the
cap, and the furthest cell each sheet names (an .xlsx <dimension> or cell reference, an .ods
repeat count) is checked against the row and column caps. What slips past (a huge shared
string copied into many cells) is stopped by the parse worker's memory limit (guard.py).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from base.rules import IngestProblem

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 150
MAX_ROWS = 20_000
MAX_COLS = 250
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
SUFFIXES = WORKBOOK_SUFFIXES | {".csv"}


class FileRejected(IngestProblem):
    """The whole file is unusable; `rule` names why, the message says it to the clerk."""


@dataclass
class Grid:
    name: str
    rows: list[list[Any]]
    visible: bool = True
    percent_cells: set[tuple[int, int]] = field(default_factory=set)


_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
_WORKBOOK_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
# The parts a reader decompresses; others (themes, images, document properties) are never
# expanded by anyone, so their directory sizes are only checked, not streamed.
_READ_PARTS = re.compile(r"xl/(workbook|styles|sharedStrings)\.xml|xl/worksheets/[^/]+\.xml|"
                         r"xl/_rels/workbook\.xml\.rels|_rels/\.rels|content\.xml|styles\.xml")
_CELL_REF = re.compile(rb'<(?:c|dimension)\b[^>]*?\b(?:r|ref)="(?:[A-Z]+[0-9]+:)?([A-Z]{1,3})([0-9]{1,7})"')
_ODS_TAG = re.compile(rb"<table:table(-row|-cell|-covered-table-cell)?(?=[\s/>])([^>]*?)(/?)>"
                      rb"|(</table:table-row>)")
_ODS_REPEAT = re.compile(rb'table:number-(?:rows|columns)-repeated="([0-9]+)"')
_ODS_VALUE = re.compile(rb"office:value-type=")
CHUNK = 1 << 16


def cell_name(row0: int, col0: int) -> str:
    """A cell as a clerk finds it in Excel (A1), from its 0-based row and column."""
    letters, col = "", col0 + 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row0 + 1}"


def _too_large(where: str, where_vi: str, rows: int, cols: int) -> FileRejected:
    """A cell beyond the limits: said with the cell a clerk can go to and clear."""
    return FileRejected("too_large", f"{where} reaches row {rows}, column {cols}: over the limit "
                                     f"of {MAX_ROWS} rows x {MAX_COLS} columns (a value typed far "
                                     "below or to the right of the table?)",
                        f"{where_vi} có ô {cell_name(rows - 1, max(cols, 1) - 1)} (dòng {rows}, cột "
                        f"{cols}), quá giới hạn {MAX_ROWS} dòng × {MAX_COLS} cột — có thể một giá "
                        "trị gõ nhầm ở xa bên dưới hoặc bên phải bảng")


class _SheetExtent:
    """The furthest cell a worksheet's XML names (its <dimension> or any <c r=...>), found
    while streaming, so that a reader never allocates a grid for it."""

    def __init__(self, part: str, sheet: str | None = None) -> None:
        self.part, self.sheet, self.tail = part, sheet, b""

    def feed(self, chunk: bytes) -> None:
        data = self.tail + chunk
        for letters, digits in _CELL_REF.findall(data):
            row, col = int(digits), _col_index(letters) + 1
            if row > MAX_ROWS or col > MAX_COLS:
                raise _too_large(f"sheet part {self.part}", f"trang {self.sheet!r}" if self.sheet
                                 else f"trang tính ({self.part})", row, col)
        self.tail = data[-200:]


class _OdsExtent:
    """Rows and columns an ODS table really fills once its repeat counts are expanded: a
    one-kilobyte file may repeat a value across a million rows. Empty repeated rows and cells
    (LibreOffice writes them to the sheet's end) cost nothing and are allowed."""

    def __init__(self) -> None:
        self.tail, self.row, self.col, self.rows_repeat, self.row_has_value = b"", 0, 0, 1, False

    def feed(self, chunk: bytes) -> None:
        data = self.tail + chunk
        cut = data.rfind(b"<")
        body, self.tail = (data[:cut], data[cut:]) if cut >= 0 else (data, b"")
        for m in _ODS_TAG.finditer(body):
            if m.group(4):  # </table:table-row>
                self.row += self.rows_repeat
                if self.row_has_value and self.row > MAX_ROWS:
                    raise _too_large("the ODS table", "bảng ODS", self.row, self.col)
                continue
            kind, attrs = m.group(1), m.group(2) or b""
            repeat_m = _ODS_REPEAT.search(attrs)
            repeat = int(repeat_m.group(1)) if repeat_m else 1
            if kind is None:  # a new table (sheet): its rows count from the top
                self.row = 0
            elif kind == b"-row":
                self.rows_repeat, self.col, self.row_has_value = repeat, 0, False
            else:
                self.col += repeat
                if _ODS_VALUE.search(attrs) or not m.group(3):
                    self.row_has_value = True
                    if self.col > MAX_COLS:
                        raise _too_large("the ODS table", "bảng ODS", self.row + 1, self.col)


def _check_zip(path: Path | IO[bytes]) -> dict[str, bytes]:
    """Decompress once, as a stream, every part a reader will expand, counting the bytes
    really produced (never the directory's claims, which a crafted zip understates) and
    checking how far each sheet reaches, before any reader builds a grid from it. Returns
    those parts (the .xlsx facts scan reads them from here instead of unzipping again)."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise FileRejected("corrupt_file", f"the file is damaged or not a real workbook ({exc})") from None
    parts: dict[str, bytes] = {}
    try:
        total = 0
        # the workbook and its links first, so that a sheet too large is named as the clerk
        # named it (the streamed parts are checked the same in any order)
        for info in sorted(archive.infolist(), key=lambda i: i.filename not in _WORKBOOK_PARTS):
            name = PurePosixPath(info.filename)
            if name.is_absolute() or ".." in name.parts:
                raise FileRejected("unsafe_file", f"the workbook holds an unsafe part name {info.filename!r}")
            if not _READ_PARTS.fullmatch(info.filename):
                total += info.file_size
                continue
            extent: _SheetExtent | _OdsExtent | None = None
            if _SHEET_PART.fullmatch(info.filename):
                extent = _SheetExtent(info.filename, sheet_names(parts).get(info.filename))
            elif info.filename == "content.xml":
                extent = _OdsExtent()
            produced, chunks = 0, []
            with archive.open(info) as part:
                while chunk := part.read(CHUNK):
                    chunks.append(chunk)
                    produced += len(chunk)
                    total += len(chunk)
                    if total > MAX_UNZIPPED_BYTES:
                        raise FileRejected("too_large", f"the workbook expands past {MAX_UNZIPPED_BYTES} "
                                                        "bytes: refused as a zip bomb",
                                           f"tệp giải nén ra hơn {MAX_UNZIPPED_BYTES // 2**20} MB: bị "
                                           "từ chối vì nghi là tệp nén độc hại (zip bomb)")
                    if info.compress_size and produced > 10 * 1024 * 1024 \
                            and produced / info.compress_size > MAX_ZIP_RATIO:
                        raise FileRejected("too_large", f"part {info.filename} expands more than "
                                                        f"{MAX_ZIP_RATIO} times: refused as a zip bomb",
                                           f"một phần của tệp giải nén ra lớn hơn {MAX_ZIP_RATIO} lần: "
                                           "bị từ chối vì nghi là tệp nén độc hại (zip bomb)")
                    if extent is not None:
                        extent.feed(chunk)
            parts[info.filename] = b"".join(chunks)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise FileRejected("corrupt_file", f"the file is damaged or not a real workbook ({exc})") from None
    finally:
        archive.close()
    return parts


_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"([^>]*?)(/>|>(.*?)</c>)', re.S)
_STYLE = re.compile(rb'\bs="(\d+)"')
_ERROR_VALUE = re.compile(rb"<v>([^<]*)</v>")
_NUMFMT = re.compile(rb'<numFmt [^>]*numFmtId="(\d+)"[^>]*formatCode="([^"]*)"')
_XF_BLOCK = re.compile(rb"<cellXfs[^>]*>(.*?)</cellXfs>", re.S)
_XF = re.compile(rb"<xf [^>]*?numFmtId=\"(\d+)\"")
_SHEET = re.compile(rb'<sheet [^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL = re.compile(rb'<Relationship [^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"|'
                  rb'<Relationship [^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _xml_unescape(raw: bytes) -> str:
    text = raw.decode("utf-8")
    for a, b in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(a, b)
    return text


def sheet_names(parts: dict[str, bytes]) -> dict[str, str]:
    """Each worksheet part's sheet name, as the clerk sees it in Excel (xl/workbook.xml and its
    links); empty when they are missing or unreadable."""
    rels = {}
    for m in _REL.finditer(parts.get("xl/_rels/workbook.xml.rels", b"")):
        rid, target = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        rels[rid.decode("utf-8", "replace")] = target.decode("utf-8", "replace")
    names = {}
    for name, rid in _SHEET.findall(parts.get("xl/workbook.xml", b"")):
        target = rels.get(rid.decode("utf-8", "replace"), "")
        try:
            names[target.lstrip("/") if target.startswith("/") else f"xl/{target}"] = _xml_unescape(name)
        except UnicodeDecodeError:
            continue
    return names


def xlsx_cell_facts(parts: dict[str, bytes]) -> dict[str, tuple[set, dict]]:
    """Per sheet name: (percent-formatted cells, {cell: Excel error code})."""
    names = set(parts)
    percent_styles: set[int] = set()
    if "xl/styles.xml" in names:
        styles = parts["xl/styles.xml"]
        custom_pct = {int(i) for i, code in _NUMFMT.findall(styles) if b"%" in code}
        block = _XF_BLOCK.search(styles)
        if block:
            for idx, fmt in enumerate(_XF.findall(block.group(1))):
                if int(fmt) in {9, 10} or int(fmt) in custom_pct:
                    percent_styles.add(idx)
    facts: dict[str, tuple[set, dict]] = {}
    for part, name in sheet_names(parts).items():
        if part not in names:
            continue
        pct: set[tuple[int, int]] = set()
        errors: dict[tuple[int, int], str] = {}
        data = parts[part]
        if not percent_styles and b't="e"' not in data:
            continue  # nothing calamine misses in this sheet: skip the scan
        for m in _CELL.finditer(data):
            attrs = m.group(3)
            pos = (int(m.group(2)) - 1, _col_index(m.group(1)))
            if b't="e"' in attrs:
                value = _ERROR_VALUE.search(m.group(5) or b"")
                errors[pos] = value.group(1).decode() if value else "#ERROR"
            style = _STYLE.search(attrs)
            if style and int(style.group(1)) in percent_styles:
                pct.add(pos)
        facts[name] = (pct, errors)
    return facts


def _starts_with(path: Path, magic: bytes) -> bool:
    with open(path, "rb") as fh:
        return fh.read(len(magic)) == magic


def read_workbook(path: Path, data: bytes | None = None) -> Iterator[Grid]:
    """Every sheet of a workbook; `data`, when given, is the file's bytes already read (the
    archive copy's buffer), so neither the pre-scan nor the reader opens the file again."""
    import python_calamine

    facts: dict[str, tuple[set, dict]] = {}
    suffix = path.suffix.lower()
    magic = data.startswith(OLE_MAGIC) if data is not None else _starts_with(path, OLE_MAGIC)
    if suffix in {".xlsx", ".xlsm"} and magic:
        # Excel stores a password-protected .xlsx as an encrypted OLE container, not a zip.
        raise FileRejected("password_protected", "the workbook is password-protected; "
                                                 "send it without a password")
    if suffix in {".xlsx", ".xlsm", ".ods"}:
        parts = _check_zip(path if data is None else io.BytesIO(data))
        if suffix != ".ods":
            facts = xlsx_cell_facts(parts)
    try:
        book = python_calamine.load_workbook(str(path) if data is None else io.BytesIO(data))
    except python_calamine.PasswordError:
        raise FileRejected("password_protected", "the workbook is password-protected; "
                                                 "send it without a password") from None
    except Exception as exc:  # calamine raises several types for damaged files
        raise FileRejected("corrupt_file", f"the file cannot be read as a workbook ({exc})") from None
    for meta in book.sheets_metadata:
        visible = str(meta.visible).endswith("Visible")
        try:
            sheet = book.get_sheet_by_name(meta.name)
            if sheet.total_height > MAX_ROWS or sheet.total_width > MAX_COLS:
                raise FileRejected("too_large", f"sheet {meta.name!r} has {sheet.total_height} rows "
                                                f"x {sheet.total_width} columns, over the limit of "
                                                f"{MAX_ROWS} x {MAX_COLS}",
                                   f"trang {meta.name!r} có {sheet.total_height} dòng × "
                                   f"{sheet.total_width} cột, quá giới hạn {MAX_ROWS} × {MAX_COLS}")
            rows = sheet.to_python(skip_empty_area=False)
        except FileRejected:
            raise
        except Exception as exc:
            raise FileRejected("corrupt_file", f"sheet {meta.name!r} cannot be read ({exc})",
                               f"trang {meta.name!r} không đọc được") from None
        pct, errors = facts.get(meta.name, (set(), {}))
        for (r, c), code in errors.items():
            if r < len(rows) and c < len(rows[r]):
                rows[r][c] = code
        yield Grid(meta.name, rows, visible, pct)


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if len(data) > 1 and data[1::2].count(0) > len(data) // 4:
        return data.decode("utf-16-le")
    raise FileRejected("bad_encoding", "the CSV file is neither UTF-8 nor UTF-16; save it as "
                                       "'CSV UTF-8' or 'Unicode Text'")


def read_csv(path: Path, name: str | None = None, data: bytes | None = None) -> Grid:
    """One grid named after the file as sent (`name`), not after an archived copy's name."""
    text = _decode(path.read_bytes() if data is None else data)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = max(",;\t", key=sample.count)
    rows: list[list[Any]] = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for row in reader:
            if len(rows) >= MAX_ROWS or len(row) > MAX_COLS:
                raise FileRejected("too_large", f"the CSV file exceeds {MAX_ROWS} rows or {MAX_COLS} columns",
                                   f"dòng {len(rows) + 1} của tệp CSV vượt giới hạn {MAX_ROWS} dòng "
                                   f"× {MAX_COLS} cột")
            rows.append(row)
    except csv.Error as exc:
        limit = csv.field_size_limit()
        too_long = "field larger" in str(exc)
        cause = (f"a cell longer than {limit:,} characters — usually a quotation mark (\") that is "
                 "opened and never closed" if too_long else f"a damaged line ({exc})")
        cause_vi = (f"có một ô dài hơn {limit} ký tự — thường do một dấu ngoặc kép (\") mở mà "
                    "không đóng" if too_long else "bị hỏng")
        raise FileRejected("corrupt_file", f"line {reader.line_num} of the CSV file holds {cause}; "
                                           "check that line, save the file again and resend it",
                           f"dòng {reader.line_num} của tệp CSV {cause_vi}") from None
    return Grid(Path(name).stem if name else path.stem, rows)


def read_grids(path: Path, name: str | None = None, data: bytes | None = None) -> list[Grid]:
    """Every sheet of a received file (`data`: its bytes, when already read); raises
    FileRejected when the file itself is unusable."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise FileRejected("unsupported_format", f"files of type {suffix or '(none)'} are not read; "
                                                 "send .xlsx, .xls, .ods or .csv",
                           f"tệp {suffix!r} không phải bảng tính" if suffix else "tệp không có đuôi")
    size = path.stat().st_size if data is None else len(data)
    if size > MAX_FILE_BYTES:
        raise FileRejected("too_large", f"the file is over {MAX_FILE_BYTES // 2**20} MB",
                           f"tệp {size // 2**20} MB, lớn hơn giới hạn {MAX_FILE_BYTES // 2**20} MB")
    if size == 0:
        raise FileRejected("empty_file", "the file is empty (0 bytes): save the report again and "
                                         "resend it")
    if suffix == ".csv":
        return [read_csv(path, name, data)]
    return list(read_workbook(path, data))
