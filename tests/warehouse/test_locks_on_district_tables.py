"""Locks on a district's table (docs/spec/portal.md, "Sign off": an approved unit-period is
locked). Before the reform a district's table carries one report per commune row
(spreadsheets.md, "Resubmission"), so the lock of an approved commune-period holds that
commune's row of a later table, as it holds a later file of the commune itself: the row is
kept out of the marts (the approved figures stay), listed in marts.held_submissions under the
commune (one row per held sheet and unit), and let in by an exception for that commune-period.
The other rows of the same table flow.

A hand-built inbox of Thị xã Hồng Lĩnh 437 and its communes' 2024 reports (the real templates,
filled: tests/filled.py), their arrivals given by a receipts export, decisions by a decisions
export; two real nights, the second (incremental) after an exception on one commune, compared
with a full refresh. HH_TOTAL tells the files apart:
- day 10: the district's first table lists 18115 (600), 18118 (610), 18121 (620), 18130 (640);
  18124's and 18127's rows are empty;
- day 12: 18115, 18121, 18124 and 18130 approved (18124 had nothing: nothing approved to keep);
- day 14: the district's second table lists 18115 (700), 18118 (710), 18121 (720), 18124 (730);
  18130 sends its own report (3100);
- day 14 too: 18115 sends its March 2024 report (HOUSES_BUILT 5);
- before the second night: an exception for 18121.
Expected: 18115 held (600 stays); 18118 flows (710, never approved); 18121 held on the first
night (620), let in on the second (720); 18124 not held (730); 18130's own report held (640 stays:
its approved figures came from the district's table); 18115's March flows (a month is a period
of its own: approving the year does not lock it).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.filled import filled_district_table, filled_template
from tests.inboxes import build
from tests.warehouse.test_incremental_builds import _fingerprints, _full_refresh_of
from tests.warehouse.test_locks_and_exceptions import moment, write_lines

pytestmark = pytest.mark.warehouse

DISTRICT = "437"
AS_OF = {"CHITIEU_AS_OF_DATE": "2027-01-25"}
COMMUNES = ("18115", "18118", "18121", "18124", "18127", "18130")


def at(day: int) -> datetime:
    return datetime(2025, 1, day, 3, tzinfo=UTC)


def utc(day: int) -> datetime:
    return at(day).replace(tzinfo=None)


FIRST_TABLE = {"18115": 600, "18118": 610, "18121": 620, "18130": 640}
SECOND_TABLE = {"18115": 700, "18118": 710, "18121": 720, "18124": 730}
APPROVED = ("18115", "18121", "18124", "18130")
EXCEPTION_LATER = "18121"
MONTH = "2024-03"  # 18115's month, sent after its year's approval


def decision_rows(exception: bool) -> list[dict]:
    decided = [(u, "approved", at(12)) for u in APPROVED]
    if exception:
        decided.append((EXCEPTION_LATER, "exception", at(16)))
    return [{"decision_id": i + 1, "unit_code": u, "period": "2024", "decision": kind,
             "decided_by": "ctk42" if kind == "exception" else "duyet437", "decided_at": moment(when),
             "figures_sha256": "", "note": "cho phép sửa" if kind == "exception" else ""}
            for i, (u, kind, when) in enumerate(decided)]


def snapshot(night) -> dict:
    con = night.con()
    try:
        values = dict(con.execute(
            "SELECT unit_code, value FROM marts.indicator_values WHERE period = '2024' "
            f"AND indicator_code = 'HH_TOTAL' AND unit_code IN {COMMUNES}").fetchall())
        month = con.execute("SELECT value FROM marts.indicator_values WHERE unit_code = '18115' "
                            f"AND period = '{MONTH}' AND indicator_code = 'HOUSES_BUILT'").fetchall()
        held = con.execute(
            "SELECT unit_code, report_unit_code, source_file, source_sheet, portal_sender, arrived_at, "
            "approved_at FROM marts.held_submissions ORDER BY unit_code, arrived_at").fetchall()
    finally:
        con.close()
    return {"values": {u: float(v) for u, v in values.items()}, "held": held, "month": month}


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("district_locks")
    inbox, files = root / "inbox", root / "files"
    def table(values: dict[str, int], n: int) -> Path:
        return filled_district_table(files, DISTRICT, "2024", {c: {"HH_TOTAL": v} for c, v in values.items()},
                                     {"BUDGET_REVENUE": 100}, name=f"Hong Linh 2024 lan {n}.xlsx")

    sent = [
        (DISTRICT, "2024", table(FIRST_TABLE, 1), at(10)),
        (DISTRICT, "2024", table(SECOND_TABLE, 2), at(14)),
        ("18130", "2024", filled_template(files, "18130", "2024", {"HH_TOTAL": 3100},
                                          name="Thuan Loc 2024.xlsx"), at(14)),
        ("18115", MONTH, filled_template(files, "18115", MONTH, {"HOUSES_BUILT": 5}, name="Bac Hong T3.xlsx"),
         at(14)),
    ]
    receipts = []
    for unit, period, path, when in sent:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        folder = inbox / "portal" / unit / period
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{sha}.xlsx").write_bytes(path.read_bytes())
        receipts.append({"receipt_id": len(receipts) + 1, "file_sha256": sha, "received_at": moment(when),
                         "sender": f"bc{unit}", "unit_code": unit, "period": period,
                         "inbox_path": f"portal/{unit}/{period}/{sha}.xlsx"})
    exports = root / "warehouse" / "receipts"
    write_lines(exports / "receipts.jsonl", receipts)
    write_lines(exports / "decisions.jsonl", decision_rows(exception=False))
    seen = {"first": snapshot(build(root, inbox, env=AS_OF))}
    write_lines(exports / "decisions.jsonl", decision_rows(exception=True))
    second = build(root, inbox, env=AS_OF)
    seen["second"] = snapshot(second)
    seen["incremental"] = _fingerprints(second.settings.build_db)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CHITIEU_AS_OF_DATE", AS_OF["CHITIEU_AS_OF_DATE"])
        seen["full_refresh"] = _full_refresh_of(second.settings, root / "full")
    return seen


def held_rows(night: dict, unit: str) -> list[tuple]:
    return [r for r in night["held"] if r[0] == unit]


def test_an_approved_communes_row_of_a_later_table_is_held(nights: dict) -> None:
    first = nights["first"]
    assert first["values"]["18115"] == 600.0, first["values"]  # the approved figure stays
    (row,) = held_rows(first, "18115")
    assert row[1] == DISTRICT and row[3] == "Bảng các xã" and row[4] == f"bc{DISTRICT}", row
    assert row[2].startswith(f"portal/{DISTRICT}/2024/") and row[5:] == (utc(14), utc(12)), row


def test_the_other_rows_of_the_table_flow(nights: dict) -> None:
    for night in ("first", "second"):
        values = nights[night]["values"]
        assert values["18118"] == 710.0 and values["18124"] == 730.0, values  # not approved; nothing to keep
        assert not held_rows(nights[night], "18118") and not held_rows(nights[night], "18124")
        assert not held_rows(nights[night], DISTRICT), nights[night]["held"]  # the district is not approved


def test_an_exception_for_the_commune_lets_its_row_in(nights: dict) -> None:
    assert nights["first"]["values"]["18121"] == 620.0, nights["first"]["values"]
    assert [r[5:] for r in held_rows(nights["first"], "18121")] == [(utc(14), utc(12))]
    assert nights["second"]["values"]["18121"] == 720.0, nights["second"]["values"]
    assert not held_rows(nights["second"], "18121")
    # the exception is the commune's: 18115's row of the same table stays held
    assert nights["second"]["values"]["18115"] == 600.0 and held_rows(nights["second"], "18115")


def test_a_communes_own_file_is_held_when_its_approved_figures_came_from_the_table(nights: dict) -> None:
    for night in ("first", "second"):
        assert nights[night]["values"]["18130"] == 640.0, nights[night]["values"]
        (row,) = held_rows(nights[night], "18130")
        assert row[1] == "18130" and row[4] == "bc18130" and row[5:] == (utc(14), utc(12)), row


def test_approving_a_year_does_not_hold_its_months(nights: dict) -> None:
    """The lock is the approved unit-period's: a month is a period of its own, approved on
    its own, so 18115's March file, sent after its year's approval, flows (a change it makes
    to the approved year's figures shows as the year changed after approval)."""
    for night in ("first", "second"):
        assert nights[night]["month"] == [(5.0,)], nights[night]["month"]
        assert [r for r in held_rows(nights[night], "18115") if "2024-03" in r[2]] == []


def test_the_exceptions_night_equals_a_full_refresh(nights: dict) -> None:
    incremental, full = nights["incremental"], nights["full_refresh"]
    differ = sorted(t for t in set(incremental) | set(full) if incremental.get(t) != full.get(t))
    assert not differ, differ
