"""One received file parsed into sheets, values and findings: no database, no side effects.

Kept apart from the pipeline (and from DuckDB) because it is what a parse worker imports:
the less a worker loads, the less of its memory limit goes to code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from base.reference import data_elements, load_catalogue
from base.units import UnitResolver
from ingest.archive import archive_read
from ingest.layouts import Finding, SheetResult, parse_grid
from ingest.sources import FileRejected, read_grids
from ingest.targets import header_row, parse_targets


@dataclass(frozen=True)
class ParseJob:
    """One file for a worker: its path, the hash it was found with, its name as sent, and —
    for a new file — the archive to copy it into first (the copy is what gets parsed)."""

    path: Path
    sha256: str
    name: str | None = None
    archive_dir: Path | None = None
    settle_s: float = 0.0


@dataclass
class FileResult:
    path: Path
    sha256: str
    sheets: list[SheetResult] = field(default_factory=list)
    file_finding: Finding | None = None
    unsettled: bool = False  # still being written: not archived, not parsed, next run
    interrupted: bool = False  # its worker was killed from outside twice: next night

    # Our own code failed on it (not the file's fault): not judged, read again next night,
    # and the office is told (the exception, in one line).
    internal_error: str | None = None
    refused_under: object | None = None  # the ParseLimits a limit refusal was made under

    @property
    def rows_read(self) -> int:
        return sum(s.rows_read for s in self.sheets)

    @property
    def rows_quarantined(self) -> int:
        return sum(s.rows_quarantined for s in self.sheets)

    @property
    def status(self) -> str:
        if self.file_finding is not None:
            return "rejected"
        statuses = {s.status for s in self.sheets}
        if "loaded" in statuses:
            return "partial" if "rejected" in statuses else "loaded"
        return "rejected" if "rejected" in statuses else "skipped"



def run_job(job: ParseJob) -> FileResult:
    """Archive (hashing while copying) then parse the archived copy; or parse in place."""
    if job.archive_dir is None:
        return parse_file(job.path, job.sha256, job.name)
    got = archive_read(job.path, job.sha256, job.archive_dir, job.settle_s)
    if got is None:
        return FileResult(job.path, job.sha256, unsettled=True)
    return parse_file(got[0], job.sha256, job.name, got[1])


def parse_file(path: Path, sha: str, name: str | None = None, data: bytes | None = None
               ) -> FileResult:
    """Parse one file (an archived copy is named as sent by `name`; `data`, when given, is
    its bytes, already read); a reader crash becomes a finding, never a failed run."""
    result = FileResult(path, sha)
    catalogue = data_elements()
    resolver = UnitResolver.default()
    try:
        grids = read_grids(path, name, data)
    except FileRejected as exc:
        result.file_finding = Finding(rule=exc.rule, severity="error", message=str(exc),
                                      message_vi=exc.message_vi)
        return result
    except (MemoryError, ImportError):
        raise  # the worker dies and its parent names the memory limit; a module not found is ours
    except Exception as exc:
        result.file_finding = Finding(
            rule="corrupt_file", severity="error", message=f"the file cannot be read ({exc})")
        return result
    for grid in grids:
        try:
            targets_header = header_row(grid) if grid.visible else None
            if targets_header is not None:
                result.sheets.append(parse_targets(grid, targets_header, load_catalogue(), resolver))
                continue
            result.sheets.append(parse_grid(grid, catalogue, resolver))
        except (MemoryError, ImportError):
            raise
        except Exception as exc:  # the grid is read: what fails now is our parsing code
            return FileResult(path, sha, internal_error=f"sheet {grid.name!r}: "
                                                        f"{type(exc).__name__}: {exc}")
    return result
