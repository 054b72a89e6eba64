"""Approval status in the warehouse (docs/spec/portal.md, "Sign off": the marts say, for every
unit and period, whether its figures are approved, awaiting approval, or changed after
approval).

A hand-built inbox of 2024 reports (the real template, filled: tests/filled.py) sent through
the portal (a hand-written receipts export gives each its arrival), and a hand-written decisions
export whose approvals carry the fingerprint of the figures the reviewer saw: the portal's own
(portal/office/published.py, figures_fingerprints) over the night before's published marts.
Three real nights (the job in-process, dbt on DuckDB), each commune of Huyện Vũ Quang (441) one
case, told apart by its HH_TOTAL:
- 18313 approved: approved;
- 18316 approved, then a second file: held (its values stay out), still approved;
- 18319 approved, an exception, a new file: awaiting approval (the new values go through
  approval again); approved again on the third night with its new figures: approved;
- 18322 returned: awaiting approval;
- 18325 reports by quarter; its year (made of its quarters) approved, then its fourth quarter
  arrives (a period of its own, not locked by the year's approval) and changes the year's
  figures: changed after approval (a district's table can no longer change an approved
  commune's row: its row is held, tests/warehouse/test_locks_on_district_tables.py);
- the district 441 (a commune below it changed): changed after approval, and so the province;
- Thị xã Hồng Lĩnh (437), whose two reporting wards 18115 and 18118 are both approved:
  approved, though no one approved it itself.
The third night brings no file, only a decision: it rebuilds 2024 and equals a full refresh.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from portal.office.published import FINGERPRINT_SQL, figures_fingerprints
from tests.filled import filled_template
from tests.inboxes import build
from tests.warehouse.test_incremental_builds import _fingerprints, _full_refresh_of

pytestmark = pytest.mark.warehouse

PERIOD = "2024"
GOOD = {"POP_TOTAL": 12000, "HH_TOTAL": 3000, "HH_POOR": 100, "HH_NEAR_POOR": 50, "PARTY_MEMBERS": 400}
AS_OF = {"CHITIEU_AS_OF_DATE": "2026-05-01"}  # after the reform: today's units are its communes
APPROVED, HELD, REOPENED, RETURNED, CHANGED = "18313", "18316", "18319", "18322", "18325"
DISTRICT, PROVINCE = "441", "42"
WARDS_DISTRICT, WARDS = "437", ("18115", "18118")


def at(day: int, hour: int = 3) -> datetime:
    return datetime(2025, 1, day, hour, tzinfo=UTC)


def moment(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def write_lines(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


class Office:
    """The inbox the portal fills and the exports it writes, night by night."""

    def __init__(self, root: Path) -> None:
        self.root, self.inbox, self.files = root, root / "inbox", root / "files"
        self.exports = root / "warehouse" / "receipts"
        self.receipts: list[dict] = []
        self.decisions: list[dict] = []

    def _receive(self, unit: str, path: Path, when: datetime, period: str = PERIOD) -> None:
        folder = self.inbox / "portal" / unit / period
        folder.mkdir(parents=True, exist_ok=True)
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        (folder / f"{sha}.xlsx").write_bytes(path.read_bytes())
        self.receipts.append({"receipt_id": len(self.receipts) + 1, "file_sha256": sha,
                              "received_at": moment(when), "sender": f"bc{unit}", "unit_code": unit,
                              "period": period, "inbox_path": f"portal/{unit}/{period}/{sha}.xlsx"})

    def report(self, unit: str, hh_total: int, when: datetime, period: str = PERIOD) -> None:
        n = sum(r["unit_code"] == unit for r in self.receipts) + 1
        path = filled_template(self.files, unit, period, {**GOOD, "HH_TOTAL": hh_total},
                               name=f"BC {period} {unit} lan {n}.xlsx")
        self._receive(unit, path, when, period)

    def decide(self, unit: str, kind: str, when: datetime, fingerprint: str = "") -> None:
        self.decisions.append({"decision_id": len(self.decisions) + 1, "unit_code": unit, "period": PERIOD,
                               "decision": kind, "decided_by": "ctk42" if kind == "exception" else "duyet441",
                               "decided_at": moment(when), "figures_sha256": fingerprint,
                               "note": "trả lại: thiếu số hộ" if kind == "returned" else ""})

    def night(self):
        write_lines(self.exports / "receipts.jsonl", self.receipts)
        write_lines(self.exports / "decisions.jsonl", self.decisions)
        return build(self.root, self.inbox, env=AS_OF)


def published(night) -> dict:
    """What a night published: the approval status mart, the status column of both
    indicator_values marts, HH_TOTAL by unit and the portal's fingerprints."""
    con = night.con()
    try:
        cur = con.execute("SELECT * FROM marts.approval_status WHERE period = ?", [PERIOD])
        cols = [d[0] for d in cur.description]
        status = {r[0]: dict(zip(cols, r, strict=True)) for r in cur.fetchall()}
        column = {mart: dict(con.execute(
            f"SELECT unit_code, string_agg(DISTINCT approval_status, ',') FROM marts.{mart} "
            "WHERE period = ? GROUP BY unit_code", [PERIOD]).fetchall())
            for mart in ("indicator_values", "indicator_values_current_units")}
        today = dict(con.execute("SELECT unit_code, current_unit_code FROM marts.unit_lineage "
                                 "WHERE unit_code IN (?, ?, ?)", [CHANGED, HELD, WARDS[0]]).fetchall())
        hh = dict(con.execute("SELECT unit_code, value FROM marts.indicator_values WHERE period = ? "
                              "AND indicator_code = 'HH_TOTAL'", [PERIOD]).fetchall())
        portal = dict(con.execute(f"SELECT unit_code || '/' || period, {FINGERPRINT_SQL} "
                                  "FROM marts.indicator_values GROUP BY unit_code, period").fetchall())
        mart = dict(con.execute("SELECT unit_code || '/' || period, current_fingerprint "
                                "FROM marts.approval_status").fetchall())
        units_periods = con.execute("SELECT count(DISTINCT (unit_code, period)) FROM marts.indicator_values"
                                    ).fetchone()[0]
        nulls = con.execute("SELECT count(*) FROM marts.indicator_values WHERE approval_status IS NULL "
                            "UNION ALL SELECT count(*) FROM marts.indicator_values_current_units "
                            "WHERE approval_status IS NULL").fetchall()
    finally:
        con.close()
    return {"status": status, "column": column, "hh": {u: float(v) for u, v in hh.items()},
            "portal_fingerprints": portal, "mart_fingerprints": mart, "units_periods": units_periods,
            "nulls": [n for n, in nulls], "today": today}


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> dict:
    office = Office(tmp_path_factory.mktemp("approval"))
    for n, unit in enumerate((APPROVED, HELD, REOPENED, RETURNED, *WARDS)):
        office.report(unit, 3000 + n, at(10))
    for quarter in ("Q1", "Q2", "Q3"):  # its year is made of its quarters
        office.report(CHANGED, 3004, at(10), f"{PERIOD}-{quarter}")
    first = office.night()
    seen = {"first": published(first)}
    shown = figures_fingerprints(first.settings.published_db)  # what the reviewer approves

    def approve(unit: str, when: datetime) -> None:
        office.decide(unit, "approved", when, shown[(unit, PERIOD)])

    for unit in (APPROVED, HELD, CHANGED, *WARDS):
        approve(unit, at(12))
    approve(REOPENED, at(11))
    office.decide(REOPENED, "exception", at(12))
    office.decide(RETURNED, "returned", at(12))
    office.report(REOPENED, 3900, at(13))  # in the exception's window: flows
    office.report(HELD, 3800, at(14))  # after the approval: held
    office.report(CHANGED, 3700, at(14), f"{PERIOD}-Q4")  # a period of its own: changes the approved year
    second = office.night()
    seen["second"] = published(second)

    shown = figures_fingerprints(second.settings.published_db)
    approve(REOPENED, at(16))  # the third night: a decision, no file
    third = office.night()
    seen["third"] = published(third)
    seen["incremental"] = _fingerprints(third.settings.build_db)
    with pytest.MonkeyPatch.context() as mp:  # the same day as the nights'
        mp.setenv("CHITIEU_AS_OF_DATE", AS_OF["CHITIEU_AS_OF_DATE"])
        seen["full_refresh"] = _full_refresh_of(third.settings, office.root / "full")
    return seen


def statuses(night: dict, *units: str) -> list[str]:
    return [night["status"][u]["approval_status"] for u in units]


def test_before_any_decision_every_unit_period_awaits_approval(nights: dict) -> None:
    first = nights["first"]
    assert {s["approval_status"] for s in first["status"].values()} == {"awaiting_approval"}, first["status"]
    assert first["units_periods"] == len(first["mart_fingerprints"])  # one row per unit-period


def test_an_approval_of_the_figures_shown_is_approved(nights: dict) -> None:
    row = nights["second"]["status"][APPROVED]
    assert row["approval_status"] == "approved", row
    assert (row["approved_by"], row["approved_at"]) == ("duyet441", at(12).replace(tzinfo=None)), row
    assert row["approved_fingerprint"] == row["current_fingerprint"] is not None, row
    assert row["unit_name"] == "Thị trấn Vũ Quang" and row["period_type"] == "year", row


def test_a_held_file_leaves_its_unit_period_approved(nights: dict) -> None:
    for night in ("second", "third"):
        assert nights[night]["hh"][HELD] == 3001.0  # the held file's 3800 is not published
        assert statuses(nights[night], HELD) == ["approved"]


def test_an_exception_and_a_new_file_await_approval_again(nights: dict) -> None:
    second = nights["second"]
    assert second["hh"][REOPENED] == 3900.0
    row = second["status"][REOPENED]
    assert row["approval_status"] == "awaiting_approval" and row["approved_by"] is None, row
    # approved again on the third night, with the figures then shown
    assert statuses(nights["third"], REOPENED) == ["approved"]


def test_a_return_awaits_approval(nights: dict) -> None:
    for night in ("second", "third"):
        assert statuses(nights[night], RETURNED) == ["awaiting_approval"]


def test_figures_changed_after_the_approval_are_changed_after_approval(nights: dict) -> None:
    second = nights["second"]
    assert second["hh"][CHANGED] == 3700.0
    row = second["status"][CHANGED]
    assert row["approval_status"] == "changed_after_approval", row
    assert row["approved_fingerprint"] != row["current_fingerprint"], row
    # the units above roll its figures up: changed too
    assert statuses(second, DISTRICT, PROVINCE) == ["changed_after_approval"] * 2
    # on today's units, the commune its figures went to and the province
    today = second["column"]["indicator_values_current_units"]
    assert (today[second["today"][CHANGED]], today[PROVINCE]) == ("changed_after_approval",) * 2, today
    # an approved commune merged with a returned one: awaiting; a ward of its own: approved
    merged, ward = second["today"][HELD], second["today"][WARDS[0]]
    assert (today[merged], today[ward]) == ("awaiting_approval", "approved"), today


def test_a_unit_above_is_approved_when_every_reporting_unit_below_is(nights: dict) -> None:
    second = nights["second"]
    assert statuses(second, *WARDS, WARDS_DISTRICT) == ["approved"] * 3
    assert second["status"][WARDS_DISTRICT]["approved_by"] is None  # derived, not decided


def test_every_row_of_both_marts_carries_its_unit_periods_status(nights: dict) -> None:
    for night in ("first", "second", "third"):
        seen = nights[night]
        assert seen["nulls"] == [0, 0]
        mart = {u: s["approval_status"] for u, s in seen["status"].items()}
        assert seen["column"]["indicator_values"] == mart
        assert set(seen["column"]["indicator_values_current_units"].values()) <= {
            "approved", "awaiting_approval", "changed_after_approval"}


def test_the_marts_fingerprint_is_the_portals(nights: dict) -> None:
    for night in ("first", "second", "third"):
        assert nights[night]["mart_fingerprints"] == nights[night]["portal_fingerprints"]


def test_a_decision_alone_rebuilds_and_equals_a_full_refresh(nights: dict) -> None:
    incremental, full = nights["incremental"], nights["full_refresh"]
    assert "marts.approval_status" in incremental and "intermediate.int_approval_status" in incremental
    differ = sorted(t for t in set(incremental) | set(full) if incremental.get(t) != full.get(t))
    assert not differ, differ
