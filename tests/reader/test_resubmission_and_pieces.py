"""Acceptance tests of "Resubmission, and one report in several pieces" (docs/spec/spreadsheets.md),
written from the spec alone.

One warehouse, two runs of the job on it: the first on an inbox of cases (a), (b), (c)'s
original and (d); then (c)'s correction is added to the inbox (with an OLDER modification
time than the original) and the job runs again. All reports are annual, 2022; each case on
its own commune in its own district (the only commune of that district reporting):
- (a) Xã Sơn Tiến 18142 (439): one workbook, two sheets, HH_TOTAL on one, HH_POOR on the other.
- (b) Xã Quang Vĩnh 18235 (440): one workbook, two sheets, COVID_CASES 213 and 347.
- (c) Xã Thọ Điền 18325 (441): original (run 1), correction with an older file time (run 2).
- (d) Xã Xuân Phổ 18364 (442): original and correction in the same scan, the correction newer.

Independent suite: written from the issue and the spec without reading the implementation, and
kept so: change it from the spec, never to fit the code.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import pytest

from ingest.parse import parse_file
from ingest.sample.workbook import Sheet
from tests.inboxes import Build, build, deliver, mentions, report_by_code, value

pytestmark = pytest.mark.warehouse

NAMES = {"HH_TOTAL": ("Tổng số hộ dân cư", "hộ"), "HH_POOR": ("Số hộ nghèo", "hộ"),
         "COVID_CASES": ("Số ca mắc COVID-19", "ca")}

A, A_DISTRICT = "18142", "439"
B, B_DISTRICT = "18235", "440"
C, C_DISTRICT = "18325", "441"
D, D_DISTRICT = "18364", "442"


def report_a(sheet_name: str, unit: str, period: str, values: dict[str, float]) -> Sheet:
    return report_by_code(unit, period, values, NAMES, sheet_name)


def two_sheets_a() -> list[Sheet]:
    return [report_a("Báo cáo", A, "Năm 2022", {"HH_TOTAL": 1200}),
            report_a("Báo cáo (2)", A, "Năm 2022", {"HH_POOR": 60})]


def two_sheets_b() -> list[Sheet]:
    return [report_a("Báo cáo", B, "Năm 2022", {"HH_TOTAL": 900, "COVID_CASES": 213}),
            report_a("Báo cáo (2)", B, "Năm 2022", {"HH_TOTAL": 900, "COVID_CASES": 347})]


@dataclass
class Runs:
    first: Build
    second: Build


def run(root: Path, inbox: Path, keep: Path) -> Build:
    """One run on this file's single warehouse (root/warehouse), read from a copy: the next run
    replaces the published file."""
    done = build(root, inbox)
    if done.error is None:
        shutil.copyfile(done.settings.published_db, keep)  # a snapshot of what this run published
    return replace(done, snapshot=keep)


@pytest.fixture(scope="module")
def pieces(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    root = tmp_path_factory.mktemp("shapes_pieces")
    inbox = root / "inbox"
    inbox.mkdir()
    deliver(inbox, "a son tien 2 to", two_sheets_a(), datetime(2023, 1, 10))
    deliver(inbox, "b quang vinh 2 to", two_sheets_b(), datetime(2023, 1, 10, 1))
    deliver(inbox, "c tho dien goc",
            [report_a("Báo cáo", C, "Năm 2022", {"HH_TOTAL": 1500, "COVID_CASES": 30})],
            datetime(2023, 1, 10, 2))
    deliver(inbox, "d xuan pho goc",
            [report_a("Báo cáo", D, "Năm 2022", {"HH_TOTAL": 640, "COVID_CASES": 417})],
            datetime(2023, 1, 10, 3))
    deliver(inbox, "d xuan pho sua",
            [report_a("Báo cáo", D, "Năm 2022", {"HH_TOTAL": 640, "COVID_CASES": 443})],
            datetime(2023, 1, 20))
    first = run(root, inbox, root / "first.duckdb")
    # (c): the correction reaches the inbox after the first run, but its file keeps an OLDER
    # modification time than the original (a clerk's wrong clock, a copy keeping old times).
    deliver(inbox, "c tho dien sua",
            [report_a("Báo cáo", C, "Năm 2022", {"HH_TOTAL": 1550, "COVID_CASES": 33})],
            datetime(2022, 12, 1))
    second = run(root, inbox, root / "second.duckdb")
    return Runs(first, second)


def findings(con, where: str, params: list) -> list[dict]:
    cur = con.execute("SELECT rule, severity, unit_code, indicator_code, period, CAST(observed AS VARCHAR), "
                      "CAST(expected AS VARCHAR), message, source_file, source_sheet "
                      f"FROM marts.data_quality_findings WHERE {where}", params)
    cols = ["rule", "severity", "unit_code", "indicator_code", "period", "observed", "expected", "message",
            "source_file", "source_sheet"]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


REPLACED = "severity = 'warning' AND (unit_code = ? OR source_file LIKE ? OR source_file LIKE ?)"


def text_of(f: dict) -> str:
    return " | ".join(str(f[k] or "") for k in ("observed", "expected", "message"))


# --------------------------------------------------------------------------- (a) pieces add up

def test_two_sheets_of_one_workbook_both_parse(tmp_path: Path) -> None:
    path = deliver(tmp_path, "a", two_sheets_a(), datetime(2023, 1, 10))
    result = parse_file(path, "")
    assert [(s.status, s.unit.code, s.period.code) for s in result.sheets] == \
        [("loaded", A, "2022"), ("loaded", A, "2022")]


def test_pieces_add_up_element_by_element(pieces: Runs) -> None:
    """(a) HH_TOTAL from one sheet and HH_POOR from the other are both kept."""
    assert pieces.first.error is None, pieces.first.error
    con = pieces.second.con()
    assert value(con, A, "2022", "HH_TOTAL") == 1200  # sheet 1
    assert value(con, A, "2022", "HH_POOR") == 60  # sheet 2
    assert value(con, A, "2022", "POVERTY_RATE") == pytest.approx(5.0)  # 100 * 60 / 1200
    assert value(con, A_DISTRICT, "2022", "HH_TOTAL") == 1200
    assert value(con, A_DISTRICT, "2022", "HH_POOR") == 60


# --------------------------------------------------------------------------- (b) pieces in conflict

def test_conflicting_pieces_keep_one_value_and_name_both(pieces: Runs) -> None:
    """(b) COVID_CASES 213 on one sheet, 347 on the other: one value kept, a finding names both."""
    con = pieces.second.con()
    kept = value(con, B, "2022", "COVID_CASES")
    assert kept in (213, 347)  # never 560 (213 + 347)
    assert value(con, B_DISTRICT, "2022", "COVID_CASES") == kept  # counted once above
    assert value(con, B, "2022", "HH_TOTAL") == 900  # equal on both sheets
    found = findings(con, "source_file LIKE ?", ["%b quang vinh 2 to%"])
    naming_both = [f for f in found if mentions(text_of(f), 213) and mentions(text_of(f), 347)]
    assert naming_both, found


# --------------------------------------------------------------------------- (c) arrival order

def test_correction_arriving_later_wins_whatever_its_file_time(pieces: Runs) -> None:
    """(c) the original is published by the first run; the correction, first seen by the second
    run but dated earlier, replaces it."""
    first = pieces.first.con()
    assert value(first, C, "2022", "HH_TOTAL") == 1500  # the original, alone
    assert value(first, C, "2022", "COVID_CASES") == 30
    assert pieces.second.error is None, pieces.second.error
    con = pieces.second.con()
    assert value(con, C, "2022", "HH_TOTAL") == 1550  # the correction
    assert value(con, C, "2022", "COVID_CASES") == 33
    assert value(con, C_DISTRICT, "2022", "COVID_CASES") == 33  # not 30, not 63
    assert value(con, "42", "2022", "HH_TOTAL") == 1200 + 900 + 1550 + 640  # 4290: a, b, c, d once each


def test_late_correction_is_listed_as_a_replacement(pieces: Runs) -> None:
    """(c)/(d) a replaced value that differs from its replacement is listed (warning, old and new)."""
    con = pieces.second.con()
    found = findings(con, REPLACED, [C, "%c tho dien goc%", "%c tho dien sua%"])
    assert [f for f in found if mentions(text_of(f), 1500) and mentions(text_of(f), 1550)], found
    assert [f for f in found if mentions(text_of(f), 30) and mentions(text_of(f), 33)], found


# --------------------------------------------------------------------------- (d) replaced values listed

def test_replaced_value_is_listed_with_old_and_new(pieces: Runs) -> None:
    """(d) the newer correction wins (443 over 417) and the replacement is a warning naming both;
    the equal HH_TOTAL (640 both times) is not a correction."""
    con = pieces.first.con()
    assert value(con, D, "2022", "COVID_CASES") == 443
    assert value(con, D, "2022", "HH_TOTAL") == 640
    assert value(con, D_DISTRICT, "2022", "COVID_CASES") == 443
    found = findings(con, REPLACED, [D, "%d xuan pho goc%", "%d xuan pho sua%"])
    assert [f for f in found if mentions(text_of(f), 417) and mentions(text_of(f), 443)], found
    assert [f for f in found if f["indicator_code"] == "HH_TOTAL"] == []  # 640 replaced by 640
    # the same finding is still there after the second run (loading again changes nothing)
    again = findings(pieces.second.con(), REPLACED, [D, "%d xuan pho goc%", "%d xuan pho sua%"])
    assert sorted(map(text_of, again)) == sorted(map(text_of, found))
