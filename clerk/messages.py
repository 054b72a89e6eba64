"""What a check of a file says to the person who sent it: one message per problem, with a label.

`validate` (the command line) and the office's portal (portal/) call `check_files` and show
the same messages. Each names the indicator by its Vietnamese name from the catalogue, the
row and the cell, and carries a label the clerk can act on:
- **Lỗi**: the file cannot be used as it is (a refused file, sheet or row);
- **Cảnh báo**: loaded, but worth a look (a row rule, far from the last value, a hidden sheet).
A sheet without an indicator table (the template's "Hướng dẫn") says nothing when another
sheet of the file is a report; a file with no report at all is a Lỗi.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest.layouts import Finding, SheetResult, cell_name

ERROR, WARNING = "Lỗi", "Cảnh báo"
_LABELS_EN = {ERROR: "error", WARNING: "warning"}
# A sheet with no indicator table (the template's instructions) is said only when no sheet
# of the file is a report; every other note (a hidden sheet may hold the figures) is a
# Cảnh báo, worth a look.
_SILENT_BESIDE_A_REPORT = {"no_table"}


@dataclass(frozen=True)
class Message:
    """One problem, as the clerk reads it."""

    label: str  # Lỗi or Cảnh báo (error or warning in English)
    rule: str  # the registered rule (ingest/rules.py)
    indicator: str  # the indicator's Vietnamese name; "" for the file or the sheet as a whole
    indicator_code: str
    row: int | None  # 1-based, as Excel shows it
    cell: str  # "E7"; "" when the problem is not one cell's
    sheet: str
    text: str  # what is wrong and what to do
    severity: str = ""  # the rule's: error, warning or info (a note shown as a Cảnh báo)

    @property
    def is_error(self) -> bool:
        return self.label in (ERROR, "error")


@dataclass(frozen=True)
class SheetSummary:
    sheet: str
    status: str
    layout: str | None
    unit_code: str | None
    unit_name: str | None
    period: str | None  # the canonical code, 2026-11
    period_label: str | None  # as the clerk writes it, "Tháng 11/2026"
    values: int
    targets: int
    rows_read: int
    rows_refused: int


@dataclass
class FileCheck:
    path: Path
    status: str
    messages: list[Message] = field(default_factory=list)
    sheets: list[SheetSummary] = field(default_factory=list)
    sha256: str = ""
    internal_error: str | None = None  # chitieu's own failure on it: not judged (base/errors.py)

    @property
    def errors(self) -> int:
        return sum(m.is_error for m in self.messages)

    @property
    def warnings(self) -> int:
        return len(self.messages) - self.errors

    @property
    def refused(self) -> bool:
        return self.errors > 0

    def reports(self) -> list[SheetSummary]:
        """The sheets that are reports of a unit and period (not targets, not skipped)."""
        return [s for s in self.sheets if s.unit_code and s.period and s.layout != "targets"]

    def as_dict(self) -> dict:
        return {"file": str(self.path), "status": self.status, "refused": self.refused,
                "errors": self.errors, "warnings": self.warnings,
                "internal_error": self.internal_error,
                "messages": [asdict(m) for m in self.messages],
                "sheets": [asdict(s) for s in self.sheets]}


def check_files(paths: Sequence[Path], published: Path | None = None, lang: str = "vi",
                names: Sequence[str] | None = None) -> list[FileCheck]:
    """Read each file as the night would (in a guarded worker, under the reader's limits) and
    say what it finds, and what the warehouse will flag, beside the last published values
    when a published warehouse is at hand (read only). `names` are the names the files are
    shown under (the portal keeps an upload under a name of its own)."""
    from ingest.guard import parse_guarded
    from ingest.parse import ParseJob

    checks = []
    # a file whose worker died comes back after the others: match results by path
    by_path = {r.path: r for r in parse_guarded([ParseJob(p, "") for p in paths], workers=1)}
    for i, path in enumerate(paths):
        result = by_path[path]
        check = FileCheck(Path(names[i]) if names else path, result.status, sha256=_sha256(path))
        checks.append(check)
        if result.internal_error:  # chitieu's own failure: the file is not judged
            check.status, check.internal_error = "internal_error", result.internal_error
            continue
        if result.file_finding is not None:
            check.messages.append(_message(result.file_finding, "", None, lang))
            continue
        for sheet in result.sheets:
            check.sheets.append(_summary(sheet))
            if sheet.status == "loaded" and sheet.layout != "targets":
                sheet.findings.extend(_warehouse_findings(sheet, published))
        has_table = any(s.layout for s in result.sheets)
        for sheet in result.sheets:
            for finding in sheet.findings:
                if finding.rule in _SILENT_BESIDE_A_REPORT:
                    if has_table:
                        continue
                    finding = Finding(**{**asdict(finding), "severity": "error"})
                check.messages.append(_message(finding, sheet.sheet, sheet, lang))
    return checks


def published_default() -> Path | None:
    """The published warehouse of this machine (WAREHOUSE_DIR), when there is one."""
    from base.settings import Settings, SettingsError

    try:
        published = Settings.from_env().published_db
    except SettingsError:  # a bad setting for the nightly job must not stop a clerk's check
        return None
    return published if published.exists() else None


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError:  # the reader has said why it cannot be read
        return ""
    return digest.hexdigest()


def _summary(sheet: SheetResult) -> SheetSummary:
    from base.periods import period_label

    return SheetSummary(sheet.sheet, sheet.status, sheet.layout,
                        sheet.unit.code if sheet.unit else None, sheet.unit.name if sheet.unit else None,
                        sheet.period.code if sheet.period else None,
                        period_label(sheet.period) if sheet.period else None,
                        len(sheet.values), len(sheet.targets), sheet.rows_read, sheet.rows_quarantined)


def _warehouse_findings(sheet: SheetResult, published: Path | None) -> list[Finding]:
    """What the warehouse will say about a loaded report's figures (ingest/file_checks.py)."""
    from base.reference import data_elements, load_units
    from clerk.file_checks import history_findings, rule_findings

    found = rule_findings(sheet)
    if sheet.unit is not None and sheet.period is not None:
        province = next((u for u in load_units() if u.level == "province"
                         and u.exists_on(sheet.period.last_day)), None)
        found += history_findings(sheet, sheet.unit, data_elements(), published, province)
    return found


def _message(finding: Finding, sheet_name: str, sheet: SheetResult | None, lang: str) -> Message:
    from base.reference import load_catalogue
    from base.rules import in_vietnamese

    row, col = finding.row, finding.col
    if row is None and sheet is not None and finding.element_code:
        # a row rule names an element, not a cell: the cell is where that element's value is
        at = next((v for v in sheet.values if v.element_code == finding.element_code
                   and v.unit_code in (finding.unit_code, None)), None)
        if at is not None:
            row, col = at.row, at.col
    cell = cell_name(row - 1, col) if row is not None and col is not None else ""
    element = load_catalogue().get(finding.element_code or "")
    label = ERROR if finding.severity == "error" else WARNING
    if lang == "vi":
        text = in_vietnamese(finding.rule, finding.message_vi, finding.message)
    else:
        label, text = _LABELS_EN[label], finding.message
    return Message(label, finding.rule, element.name_vi if element else "",
                   finding.element_code or "", row, cell, sheet_name or finding.sheet, text,
                   finding.severity)


def describe(check: FileCheck, message: Message, lang: str = "vi") -> str:
    """One line: where (file › sheet › cell), the label, the indicator and its row, then what."""
    where = " › ".join(p for p in (check.path.name, message.sheet, message.cell) if p)
    what = message.indicator
    if message.row is not None:
        row = f"dòng {message.row}" if lang == "vi" else f"row {message.row}"
        what = f"{what} ({row})" if what else row.capitalize()
    return f"{where} — {message.label}" + (f" — {what}" if what else "") + f": {message.text}"


def summary_lines(check: FileCheck, lang: str = "vi") -> list[str]:
    """Each report the file holds (unit, period, how much is loaded), then the counts."""
    lines = []
    for s in check.sheets:
        if s.layout == "targets":
            lines.append(f"{check.path.name} › {s.sheet}: " + (
                f"chỉ tiêu kế hoạch, nhận {s.targets} dòng, từ chối {s.rows_refused} dòng" if lang == "vi"
                else f"targets, {s.targets} rows loaded, {s.rows_refused} rows refused"))
        elif s.status == "loaded":
            unit = f"{s.unit_name} ({s.unit_code})"
            if lang == "vi":
                table = "bảng tổng hợp các xã của " if s.layout == "B" else ""
                lines.append(f"{check.path.name} › {s.sheet}: {table}{unit}, {s.period_label}: nhận "
                             f"{s.values} số liệu, từ chối {s.rows_refused} dòng")
            else:
                table = "communes' table of " if s.layout == "B" else ""
                lines.append(f"{check.path.name} › {s.sheet}: {table}{unit}, {s.period_label}: "
                             f"{s.values} values loaded, {s.rows_refused} rows refused")
    if lang == "vi":
        verdict = ("không dùng được, sửa các lỗi rồi kiểm tra lại" if check.refused
                   else "có thể gửi" + (" (giải thích các cảnh báo khi gửi)" if check.warnings else ""))
        lines.append(f"{check.path.name}: {check.errors} lỗi, {check.warnings} cảnh báo — {verdict}")
    else:
        verdict = "cannot be used: fix the errors" if check.refused else "can be sent"
        lines.append(f"{check.path.name}: {check.errors} errors, {check.warnings} warnings — {verdict}")
    return lines
