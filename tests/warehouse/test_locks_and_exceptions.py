"""Locks and exceptions (docs/spec/portal.md, "Sign off"): an approved unit-period is locked;
a file for it arriving later is read, archived and listed in marts.held_submissions, but the
marts keep the approved values until the province's office grants an exception after that
approval; then the file's values flow (and the next approval locks again).

A hand-built inbox of five communes' 2026 reports (the real template, filled: tests/filled.py),
their arrivals given by a hand-written receipts export, and a hand-written decisions export;
two real nights (the job in-process, dbt on DuckDB): the second, incremental, after the
office's exception on one commune, compared with a full refresh. Each commune is one case,
told apart by its HH_TOTAL (3000, 3100, 3200 for its first, second and third file):
- 18133: approved, then a file: held; the exception (second night) lets it in;
- 18160: a second file before the approval: not held;
- 18163: returned, then a file: a return is not a lock;
- 18172: approved, exception, a file (flows), approved again, a third file: held (the lock is
  the latest approval before the file, and the exception before it does not count);
- 18184: approved, a file, approved again: still held (approving again releases nothing);
- 18196: an approval dated before its only file (nothing approved to keep): not held, its
  figures published rather than blanked.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from tests.filled import filled_template
from tests.inboxes import build
from tests.warehouse.test_incremental_builds import _fingerprints, _full_refresh_of

pytestmark = pytest.mark.warehouse

GOOD = {"POP_TOTAL": 12000, "HH_TOTAL": 3000, "HH_POOR": 100, "HH_NEAR_POOR": 50, "PARTY_MEMBERS": 400}
AS_OF = {"CHITIEU_AS_OF_DATE": "2027-01-25"}


def at(day: int, hour: int = 3) -> datetime:
    return datetime(2027, 1, day, hour, tzinfo=UTC)


def utc(day: int) -> datetime:
    """at(day) as the marts write times: naive UTC."""
    return at(day).replace(tzinfo=None)


# unit -> its files (HH_TOTAL, arrival) and its decisions (kind, when), in the order they came
FILES = {
    "18133": [(3000, at(10)), (3100, at(14))],
    "18160": [(3000, at(10)), (3100, at(11))],
    "18163": [(3000, at(10)), (3100, at(14))],
    "18172": [(3000, at(10)), (3100, at(13)), (3200, at(15))],
    "18184": [(3000, at(10)), (3100, at(12))],
    "18196": [(3000, at(10))],
}
DECISIONS = {
    "18133": [("approved", at(12))],
    "18160": [("approved", at(12))],
    "18163": [("returned", at(12))],
    "18172": [("approved", at(11)), ("exception", at(12)), ("approved", at(14))],
    "18184": [("approved", at(11)), ("approved", at(13))],
    "18196": [("approved", at(9))],
}
EXCEPTION_LATER = ("18133", "exception", at(16))  # granted before the second night


def moment(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def write_lines(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def decision_rows(extra: tuple | None = None) -> list[dict]:
    decided = [(u, kind, when) for u, ds in DECISIONS.items() for kind, when in ds]
    if extra:
        decided.append(extra)
    return [{"decision_id": i + 1, "unit_code": u, "period": "2026", "decision": kind,
             "decided_by": "ctk42" if kind == "exception" else "duyet42", "decided_at": moment(when),
             "figures_sha256": "", "note": "cho phép sửa: số hộ rà soát lại" if kind == "exception" else ""}
            for i, (u, kind, when) in enumerate(decided)]


def snapshot(night) -> dict:
    """What a night published: each commune's HH_TOTAL for 2026, the held files (unit,
    HH_TOTAL of the file) and the sheets read."""
    con = night.con()
    try:
        values = dict(con.execute(
            "SELECT unit_code, value FROM marts.indicator_values WHERE period = '2026' "
            "AND indicator_code = 'HH_TOTAL' AND unit_code IN ('18133', '18160', '18163', '18172', '18184', "
            "'18196')"
        ).fetchall())
        held = con.execute(
            "SELECT unit_code, unit_name, period, source_file, portal_sender, arrived_at, approved_at "
            "FROM marts.held_submissions ORDER BY unit_code, arrived_at").fetchall()
    finally:
        con.close()
    return {"values": {u: float(v) for u, v in values.items()}, "held": held}


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("locks")
    inbox = root / "inbox"
    files = root / "files"
    receipts = []
    for unit, sent in FILES.items():
        for n, (total, when) in enumerate(sent):
            path = filled_template(files, unit, "2026", {**GOOD, "HH_TOTAL": total},
                                   name=f"BC nam 2026 {unit} lan {n + 1}.xlsx")
            folder = inbox / "portal" / unit / "2026"
            folder.mkdir(parents=True, exist_ok=True)
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
            (folder / f"{sha}.xlsx").write_bytes(path.read_bytes())
            receipts.append({"receipt_id": len(receipts) + 1, "file_sha256": sha, "received_at": moment(when),
                             "sender": f"bc{unit}", "unit_code": unit, "period": "2026",
                             "inbox_path": f"portal/{unit}/2026/{sha}.xlsx"})
    exports = root / "warehouse" / "receipts"
    write_lines(exports / "receipts.jsonl", receipts)
    write_lines(exports / "decisions.jsonl", decision_rows())
    first = build(root, inbox, env=AS_OF)
    seen = {"first": snapshot(first)}
    write_lines(exports / "decisions.jsonl", decision_rows(EXCEPTION_LATER))
    second = build(root, inbox, env=AS_OF)
    seen["second"] = snapshot(second)
    build_con = duckdb.connect(str(second.settings.build_db))  # dbt, in-process, still holds it
    try:
        seen["sheets_read"] = build_con.execute(
            "SELECT count(*) FROM raw.submissions WHERE status = 'loaded'").fetchone()[0]
    finally:
        build_con.close()
    seen["incremental"] = _fingerprints(second.settings.build_db)
    with pytest.MonkeyPatch.context() as mp:  # the same day as the nights'
        mp.setenv("CHITIEU_AS_OF_DATE", AS_OF["CHITIEU_AS_OF_DATE"])
        seen["full_refresh"] = _full_refresh_of(second.settings, root / "full")
    return seen


def test_a_file_after_the_approval_is_held_and_listed(nights: dict) -> None:
    first = nights["first"]
    assert first["values"]["18133"] == 3000.0, first["values"]  # the approved values stay
    (row,) = [r for r in first["held"] if r[0] == "18133"]
    assert row[1:3] == ("Xã Hương Sơn", "2026") and row[4] == "bc18133", row
    assert row[3].startswith("portal/18133/2026/") and row[5:] == (utc(14), utc(12)), row
    # every sheet read is recorded (none dropped): 12 files, 12 loaded sheets
    assert nights["sheets_read"] == sum(len(f) for f in FILES.values())


def test_an_exception_lets_the_held_file_in_the_next_night(nights: dict) -> None:
    second = nights["second"]
    assert second["values"]["18133"] == 3100.0, second["values"]
    assert "18133" not in {r[0] for r in second["held"]}, second["held"]


def test_a_file_before_the_approval_is_not_held(nights: dict) -> None:
    for night in ("first", "second"):
        assert nights[night]["values"]["18160"] == 3100.0, nights[night]["values"]
        assert "18160" not in {r[0] for r in nights[night]["held"]}


def test_a_return_is_not_a_lock(nights: dict) -> None:
    for night in ("first", "second"):
        assert nights[night]["values"]["18163"] == 3100.0, nights[night]["values"]
        assert "18163" not in {r[0] for r in nights[night]["held"]}


def test_the_next_approval_locks_again(nights: dict) -> None:
    """18172: its second file came in the exception's window and was approved; the third,
    after that approval, is held (an exception before the approval in force does not count)."""
    for night in ("first", "second"):
        assert nights[night]["values"]["18172"] == 3100.0, nights[night]["values"]
        rows = [r for r in nights[night]["held"] if r[0] == "18172"]
        assert [(r[5], r[6]) for r in rows] == [(utc(15), utc(14))]


def test_approving_again_does_not_release_a_held_file(nights: dict) -> None:
    for night in ("first", "second"):
        assert nights[night]["values"]["18184"] == 3000.0, nights[night]["values"]
        rows = [r for r in nights[night]["held"] if r[0] == "18184"]
        assert [(r[5], r[6]) for r in rows] == [(utc(12), utc(11))]
    # after the exception on 18133: 18172's third file and 18184's second stay held
    assert len(nights["second"]["held"]) == 2, nights["second"]["held"]


def test_the_exceptions_night_equals_a_full_refresh(nights: dict) -> None:
    """The second night rebuilt 2026 incrementally (the exception is a change of its period):
    every intermediate and mart table equals a full refresh of the same raw layer."""
    incremental, full = nights["incremental"], nights["full_refresh"]
    differ = sorted(t for t in set(incremental) | set(full) if incremental.get(t) != full.get(t))
    assert not differ, differ


def test_nothing_approved_to_keep_nothing_held(nights: dict) -> None:
    """18196's approval is dated before its only file (as in a warehouse rebuilt without its
    first sightings): its figures are published, not blanked."""
    for night in ("first", "second"):
        assert nights[night]["values"]["18196"] == 3000.0, nights[night]["values"]
        assert "18196" not in {r[0] for r in nights[night]["held"]}
