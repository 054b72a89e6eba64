"""What the acceptance tests that write their own inbox share: layout-A reports dated by their
modification time, one run of the job on that inbox, and lookups on the published marts.

A plain module, not a test file nor a conftest: each test module imports the pieces it uses, and
keeps beside its tests what is its own (the reports it writes, its expected numbers, its fixtures).
"""

from __future__ import annotations

import os
import re
import traceback
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest

from ingest.sample.workbook import Sheet, write_workbook

if TYPE_CHECKING:
    from base.settings import Settings

# The letterhead, header and signature rows of a layout-A report (docs/spec/spreadsheets.md).
MOTTO = [[None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], [None, None, "Độc lập - Tự do - Hạnh phúc"]]
HEADER = ["STT", "Mã chỉ tiêu", "Tên chỉ tiêu", "ĐVT", "Thực hiện"]
SIGNATURE = [[], ["Người lập biểu", None, "CHỦ TỊCH"], ["Ngày ... tháng ... năm ..."]]

INDICATOR_VALUES = "marts.indicator_values"


# --------------------------------------------------------------------------- reports

def layout_a_sheet(unit_rows: list[list], period: str, rows: list[list], sheet_name: str = "Báo cáo",
                   header: list = HEADER, section: str = "I. XÃ HỘI") -> Sheet:
    """A layout-A report: the letterhead with the unit's rows as given (code, name or both, in
    any form), the period, the header, one section heading, then the element rows, already
    numbered, and the signature block."""
    return Sheet(sheet_name, MOTTO + [["BÁO CÁO"]] + unit_rows + [[f"Kỳ báo cáo: {period}"], [], header]
                 + [[section]] + rows + SIGNATURE)


def report_by_code(unit: str, period: str, values: dict[str, object], names: dict[str, tuple[str, str]],
                   sheet_name: str = "Báo cáo", section: str = "I. XÃ HỘI") -> Sheet:
    """A layout-A report naming its unit by code alone, one row per element in the order given,
    numbered 1, 2, ..., with the element's name and unit of measure taken from `names`."""
    rows = [[i + 1, code, *names[code], v] for i, (code, v) in enumerate(values.items())]
    return layout_a_sheet([[f"Mã đơn vị: {unit}"]], period, rows, sheet_name, section=section)


def stamp(path: Path, when: datetime) -> None:
    """Date a file: its modification time is its submission time."""
    os.utime(path, (when.timestamp(), when.timestamp()))


def deliver(inbox: Path, name: str, sheets: list[Sheet], when: datetime) -> Path:
    """Write one workbook into the inbox, submitted at `when`."""
    path = inbox / f"{name}.xlsx"
    write_workbook(path, sheets)
    stamp(path, when)
    return path


# --------------------------------------------------------------------------- one build

@dataclass
class Build:
    """One run of the job: where it wrote, and why it did not publish if it did not."""

    settings: Settings
    error: str | None
    snapshot: Path | None = None  # a copy of what it published, where a later run replaces the file

    def con(self) -> duckdb.DuckDBPyConnection:
        """The published warehouse; a build that did not publish fails each test that reads it."""
        if self.error is not None:
            pytest.fail(f"the build did not publish: {self.error}")
        return duckdb.connect(str(self.snapshot or self.settings.published_db), read_only=True)


def build(root: Path, inbox: Path, seeds: Path | None = None, env: dict[str, str] | None = None) -> Build:
    """Run the job once on the inbox into root/warehouse, on the shipped seeds unless `seeds` is
    given (the hand counts are made on them), with `env` set for the run only. A failure is kept,
    not raised, so that every test of a module-scoped build says why."""
    from base.settings import Settings
    from chitieu.stages import AuditFailed, run_once

    settings = Settings(inbox, root / "warehouse")
    error = None
    with pytest.MonkeyPatch.context() as mp:
        if seeds is None:
            mp.delenv("CHITIEU_SEEDS_DIR", raising=False)
        else:
            mp.setenv("CHITIEU_SEEDS_DIR", str(seeds))
        for key, setting in (env or {}).items():
            mp.setenv(key, setting)
        try:
            run_once(settings)
        except AuditFailed as exc:
            error = f"AuditFailed: {exc}"
        except Exception:  # reported by every test of the build
            error = traceback.format_exc(limit=-3)
    return Build(settings, error)


# --------------------------------------------------------------------------- the marts

def rows_of(con: duckdb.DuckDBPyConnection, unit: str, period: str, indicator: str,
            table: str = INDICATOR_VALUES) -> list[dict]:
    cur = con.execute(f"SELECT * FROM {table} WHERE unit_code = ? AND period = ? AND indicator_code = ?",
                      [unit, period, indicator])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def one(con: duckdb.DuckDBPyConnection, unit: str, period: str, indicator: str,
        table: str = INDICATOR_VALUES) -> dict:
    """The single row of a unit, period and indicator (a second row would be a figure counted twice)."""
    rows = rows_of(con, unit, period, indicator, table)
    assert len(rows) == 1, f"{table} {unit} {period} {indicator}: expected one row, got {rows}"
    return rows[0]


def value(con: duckdb.DuckDBPyConnection, unit: str, period: str, indicator: str,
          table: str = INDICATOR_VALUES) -> float:
    return float(one(con, unit, period, indicator, table)["value"])


def mentions(text: str, number: int) -> bool:
    """The number written as a figure (417, 417.0, 417,0), not as part of another number."""
    return re.search(rf"(?<![\d.,]){number}(?:[.,]0+)?(?![\d])", text) is not None
