"""Sign-off, locks, exceptions and approval status, written from the spec alone
(docs/spec/portal.md "Sign off" and "What must hold", docs/spec/marts.md, docs/spec/eras.md,
docs/reviewer.md, docs/analyst.md) by a tester who has not read the implementation.

The decisions are made on the real portal (Django's test client on the machine's PostgreSQL),
by the accounts the spec's role table names, on the figures the last night published; the
portal writes the decisions export and the next night (the job in-process, dbt on DuckDB) reads
it. The files arrive as portal receipts written by hand (tests/warehouse/test_locks_and_exceptions.py
does the same). One province, Hà Tĩnh (42), on the shipped unit list:
- 2024 (before the 1 July 2025 reform): districts 439 (Huyện Hương Sơn: communes 18133 Thị trấn
  Phố Châu and 18136 Thị trấn Tây Sơn) and 436 (Thành phố Hà Tĩnh: commune 18073 Phường Nam Hà),
  their annual reports;
- 2026-10 (after it): communes 18133 Xã Hương Sơn, 18160 Xã Sơn Hồng and 18163 Xã Sơn Tiến,
  directly under the province, their monthly reports.
Each file is told apart by its HH_TOTAL: 3000, 3100, 3200 for a unit's first, second, third.

The story, night by night, and the answers expected (written by hand before any run):

  files: every unit's first file (3000)                               -> night 1
    every value 3000; nothing held; no decision: every status awaiting_approval.
  portal: duyet42 approves 18133/2026-10 and 18163/2026-10 (the province's reviewer approves
    the communes directly from 1 July 2025); duyet439 approves 18136/2024 (a district's
    reviewer still signs off its communes' periods before the reform); duyet42 approves the
    district 439/2024 (the province's reviewer approves the districts before the reform).
    Refused (no line in the decisions export): duyet439 on 18133/2026-10 (nothing after the
    reform), duyet42 on the commune 18136/2024 (not below the province in 2024), ctk42 and the
    clerk bc18160 approving 18160/2026-10 (not their role), duyet42 granting an exception (only
    the office), ctk42 granting one on 18160/2026-10 (not approved).
  no file                                                             -> night 2
    "a new decision is a change the next night rebuilds, even when no file arrived":
    18133/2026-10, 18163/2026-10, 18136/2024 and 439/2024 approved; the others awaiting.
  files: 18133/2026-10 (3100) and 18136/2024 (3100), after their approvals -> night 3
    both locked: their values stay 3000, both files listed in marts.held_submissions, and
    both still approved (the published figures are the approved ones); 439/2024 approved.
  portal: duyet42 returns 18163/2026-10 (a reason); ctk42 grants exceptions on 18133/2026-10
    and 18136/2024.
  no file                                                             -> night 4
    the held files flow: 18133/2026-10 and 18136/2024 are 3100, nothing held; both are
    awaiting_approval ("then the new values go through approval again"); 18163/2026-10,
    returned, awaiting_approval; 439/2024 changed_after_approval: its figures (its communes'
    sum, 6000 approved) are now 6100, no longer those approved (docs/reviewer.md, "đã thay
    đổi sau khi duyệt (the published figures are no longer those approved)").
  files: 18136/2024 (3200), after the exception; 18163/2026-10 (3100), after its return -> night 5
    18136: 3200 published, nothing held, awaiting_approval. 18163: returned, so no longer an
    "approved unit-period" (portal.md: "An approved unit-period is locked"): its correction is
    published (3100), not held — else a returned unit could never correct, since no exception
    can be granted on it.
  portal: ctk42 granting an exception on the returned 18163/2026-10 is refused (docs/reviewer.md:
    "on a unit whose latest decision is an approval").
  portal: duyet439 approving 18136/2024 from the page read before night 5 (3100 shown) is
    refused ("If a night published new figures since the page was opened, the approval is
    refused"), and so is approving 18139/2024, which has no figures ("A unit with no
    published figures cannot be approved yet"); read again, the approval is recorded.
                                                                      -> night 6
    18136/2024 approved (3200); 439/2024 still changed_after_approval (approved at 6000, now 6200).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from tests.conftest import PROJECT
from tests.filled import filled_template
from tests.inboxes import Build
from tests.portal.conftest import client_for

pytestmark = [pytest.mark.warehouse, pytest.mark.portal]

GOOD = {"POP_TOTAL": 12000, "HH_TOTAL": 3000, "HH_POOR": 100, "HH_NEAR_POOR": 50, "PARTY_MEMBERS": 400}
MONTH, YEAR = "2026-10", "2024"
A, B, C = "18133", "18160", "18163"  # 2026 communes, under the province
D, E, F = "18136", "18073", "18133"  # 2024 communes: D and F under district 439, E under 436
DISTRICT = "439"
NOTHING = "18139"  # Xã Sơn Hồng of district 439 in 2024: no file, no figures
STATUSES = {"approved", "awaiting_approval", "changed_after_approval"}
# marts.approval_status is built on the branch approval (the contract: one row per unit_code and
# period of marts.indicator_values, and an approval_status column on the rows of
# indicator_values and indicator_values_current_units); remove the marker once it is on main
CURRENT = "marts.indicator_values_current_units"
RETURNED = "Số hộ chưa khớp với sổ hộ khẩu"  # a return's reason
REASON = "Cho phép sửa: số hộ rà soát lại"  # the office's exception


# --------------------------------------------------------------------------- files

def moment(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Inbox:
    """The inbox and the receipts export the night reads, files delivered as the portal does."""

    def __init__(self, root: Path) -> None:
        self.root, self.inbox = root, root / "inbox"
        self.exports = root / "warehouse" / "receipts"
        self.exports.mkdir(parents=True, exist_ok=True)
        self.receipts: list[dict] = []

    def send(self, unit: str, period: str, total: int, when: datetime) -> None:
        n = len(self.receipts) + 1
        path = filled_template(self.root / "files", unit, period, {**GOOD, "HH_TOTAL": total},
                               name=f"BC {period} {unit} lan {n}.xlsx")
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        folder = self.inbox / "portal" / unit / period
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{sha}.xlsx").write_bytes(data)
        self.receipts.append({"receipt_id": n, "file_sha256": sha, "received_at": moment(when),
                              "sender": f"bc{unit}", "unit_code": unit, "period": period,
                              "inbox_path": f"portal/{unit}/{period}/{sha}.xlsx"})
        (self.exports / "receipts.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in self.receipts), encoding="utf-8")

    def decisions(self) -> list[dict]:
        path = self.exports / "decisions.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# --------------------------------------------------------------------------- the portal, as a user

class Forms(HTMLParser):
    """The forms of a page: action -> the fields a browser would send (text boxes left empty)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self.empty: dict[str, list[str]] = {}
        self._action: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._action = a.get("action", "")
            self.forms[self._action], self.empty[self._action] = {}, []
        elif self._action is not None and tag in ("input", "textarea", "select") and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("submit", "button") and "value" not in a:
                return
            self.forms[self._action][a["name"]] = a.get("value", "")
            if tag == "textarea" or (kind == "text" and not a.get("value")):
                self.empty[self._action].append(a["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._action = None


def form_on(username: str, page: str, action: str, text: str = "") -> dict[str, str]:
    """What a browser would post with the form of `page` whose action is `action`, its empty
    text boxes filled with `text` (a reason, a note)."""
    response = client_for(username).get(page)
    assert response.status_code == 200, (username, page, response.status_code)
    forms = Forms()
    forms.feed(response.content.decode("utf-8"))
    found = [a for a in forms.forms if a.rstrip("/").endswith(action.rstrip("/"))]
    assert found, f"{username} on {page}: no form posting to {action}; forms: {sorted(forms.forms)}"
    data = dict(forms.forms[found[0]])
    for name in forms.empty[found[0]]:
        data[name] = text
    return data


def approve_url(unit: str, period: str) -> str:
    return f"/don-vi/{unit}/ky/{period}/duyet/"


def return_url(unit: str, period: str) -> str:
    return f"/don-vi/{unit}/ky/{period}/tra-lai/"


def exception_url(unit: str, period: str) -> str:
    return f"/don-vi/{unit}/ky/{period}/cho-phep-sua/"


def decide(inbox: Inbox, username: str, page: str, action: str, text: str = "") -> list[dict]:
    """Post the page's form as `username`; the decision is the new line of the export (a list
    of one, to collect)."""
    before = len(inbox.decisions())
    data = form_on(username, page, action, text)
    response = client_for(username).post(action, data)
    after = inbox.decisions()
    assert len(after) == before + 1, (f"{username} {action}: {response.status_code}, no decision recorded: "
                                      f"{response.content.decode('utf-8', 'replace')[:600]}")
    return after[-1:]


def refused(inbox: Inbox, username: str, action: str, data: dict[str, str]) -> tuple[int, int]:
    """Post as `username` what an allowed user's page would post; (status, new export lines)."""
    before = len(inbox.decisions())
    response = client_for(username).post(action, data)
    return response.status_code, len(inbox.decisions()) - before


def in_a_process(root: Path, call: str) -> subprocess.CompletedProcess:
    """`call` (run_once, count_new_files) on the inbox and warehouse under root, in a process
    of its own as the scheduler runs it (an in-process dbt would keep the build database open)."""
    code = ("import sys; from pathlib import Path; from base.settings import Settings; "
            "from chitieu.stages import count_new_files, run_once; "
            f"print({call}(Settings(Path(sys.argv[1]), Path(sys.argv[2]))))")
    return subprocess.run([sys.executable, "-c", code, str(root / "inbox"), str(root / "warehouse")],
                          cwd=PROJECT, capture_output=True, text=True, timeout=1200)


def night(root: Path) -> Build:
    """One night of the job on the shipped seeds; a failure is kept for every test to report."""
    from base.settings import Settings

    done = in_a_process(root, "run_once")
    error = None if done.returncode == 0 else (done.stderr or done.stdout)[-3000:]
    return Build(Settings(root / "inbox", root / "warehouse"), error)


def work_for_the_night(root: Path) -> int:
    """What the night's short-circuit counts as new work (`chitieu.stages.count_new_files`)."""
    done = in_a_process(root, "count_new_files")
    assert done.returncode == 0, done.stderr[-3000:]
    return int(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- what a night published

def snapshot(night) -> dict:
    con = night.con()
    try:
        seen: dict = {"values": {}, "held": [], "status": None, "rows_status": None, "current_status": None}
        for unit, period, v in con.execute(
                "SELECT unit_code, period, value FROM marts.indicator_values "
                "WHERE indicator_code = 'HH_TOTAL' AND period IN (?, ?)", [MONTH, YEAR]).fetchall():
            seen["values"][(unit, period)] = float(v)
        seen["held"] = con.execute("SELECT unit_code, period, source_file FROM marts.held_submissions "
                                   "ORDER BY unit_code, period").fetchall()
        seen["unit_periods"] = set(con.execute(
            "SELECT DISTINCT unit_code, period FROM marts.indicator_values").fetchall())
        try:
            seen["status"] = {(u, p): s for u, p, s in con.execute(
                "SELECT unit_code, period, approval_status FROM marts.approval_status").fetchall()}
            seen["status_rows"] = con.execute("SELECT count(*) FROM marts.approval_status").fetchone()[0]
        except duckdb.Error as exc:
            seen["status_error"] = str(exc).splitlines()[0]
        for key, table in (("rows_status", "marts.indicator_values"), ("current_status", CURRENT)):
            try:
                seen[key] = con.execute(
                    f"SELECT unit_code, period, approval_status FROM {table}").fetchall()
            except duckdb.Error as exc:
                seen[key + "_error"] = str(exc).splitlines()[0]
    finally:
        con.close()
    return seen


def status(nights: dict, night: str, unit: str, period: str) -> str:
    seen = nights[night]
    assert seen["status"] is not None, f"marts.approval_status after {night}: {seen.get('status_error')}"
    assert (unit, period) in seen["status"], f"{night}: no status for {unit}/{period}"
    return seen["status"][(unit, period)]


def held(nights: dict, night: str) -> set[tuple[str, str]]:
    return {(u, p) for u, p, _ in nights[night]["held"]}


# --------------------------------------------------------------------------- the story

@pytest.fixture(scope="module")
def nights(portal_django: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("signoff-spec")
    inbox = Inbox(root)
    seen: dict = {"probes": {}, "decided": []}
    # the portal's database is the session's: earlier portal tests left decisions in it, which
    # the portal would export with this story's; the story starts from a portal with none
    # (decisions are append-only to the portal itself, so the test empties the table in SQL)
    from django.db import connection

    from portal.office.models import Decision

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(Decision._meta.db_table)}")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("INBOX", str(inbox.inbox))
        mp.setenv("WAREHOUSE_DIR", str(root / "warehouse"))
        mp.delenv("CHITIEU_RECEIPTS_FILE", raising=False)
        mp.delenv("CHITIEU_SEEDS_DIR", raising=False)
        mp.delenv("CHITIEU_AS_OF_DATE", raising=False)
        start = datetime.now(UTC) - timedelta(hours=3)
        for unit in (A, B, C):
            inbox.send(unit, MONTH, 3000, start)
        for unit in (D, E, F):
            inbox.send(unit, YEAR, 3000, start)
        first = night(root)
        seen["night1"] = snapshot(first)
        seen["work"] = {"quiet": work_for_the_night(root)}  # nothing new since night 1

        month_page, year_page = f"/duyet/42/{MONTH}/", f"/duyet/42/{YEAR}/"
        district_page = f"/duyet/{DISTRICT}/{YEAR}/"
        # what the allowed reviewers' pages post, tried by those the role table does not allow
        probes = {
            "duyet439 approves 18133/2026-10": ("duyet439", approve_url(A, MONTH),
                                                form_on("duyet42", month_page, approve_url(A, MONTH))),
            "duyet42 approves the commune 18136/2024": (
                "duyet42", approve_url(D, YEAR), form_on("duyet439", district_page, approve_url(D, YEAR))),
            "ctk42 approves 18160/2026-10": ("ctk42", approve_url(B, MONTH),
                                             form_on("duyet42", month_page, approve_url(B, MONTH))),
            "bc18160 approves its own 18160/2026-10": ("bc18160", approve_url(B, MONTH),
                                                       form_on("duyet42", month_page, approve_url(B, MONTH))),
        }
        for name, (user, action, data) in probes.items():
            seen["probes"][name] = refused(inbox, user, action, data)
        seen["decided"] += decide(inbox, "duyet42", month_page, approve_url(A, MONTH))
        seen["decided"] += decide(inbox, "duyet42", month_page, approve_url(C, MONTH))
        seen["decided"] += decide(inbox, "duyet439", district_page, approve_url(D, YEAR))
        seen["decided"] += decide(inbox, "duyet42", year_page, approve_url(DISTRICT, YEAR))
        # the office's exception form on the approved 18133, posted by a reviewer, and on 18160
        office = form_on("ctk42", month_page, exception_url(A, MONTH), REASON)
        seen["probes"]["duyet42 grants an exception on 18133/2026-10"] = refused(
            inbox, "duyet42", exception_url(A, MONTH), office)
        seen["probes"]["ctk42 grants an exception on the unapproved 18160/2026-10"] = refused(
            inbox, "ctk42", exception_url(B, MONTH), office)
        seen["decisions_after_approvals"] = inbox.decisions()
        seen["work"]["approvals"] = work_for_the_night(root)
        seen["night2"] = snapshot(night(root))

        later = datetime.now(UTC) + timedelta(seconds=5)
        inbox.send(A, MONTH, 3100, later)
        inbox.send(D, YEAR, 3100, later)
        seen["night3"] = snapshot(night(root))

        seen["decided"] += decide(inbox, "duyet42", month_page, return_url(C, MONTH), RETURNED)
        seen["decided"] += decide(inbox, "ctk42", month_page, exception_url(A, MONTH), REASON)
        seen["decided"] += decide(inbox, "ctk42", district_page, exception_url(D, YEAR), REASON)
        seen["work"]["return and exceptions"] = work_for_the_night(root)
        seen["night4"] = snapshot(night(root))

        stale = form_on("duyet439", district_page, approve_url(D, YEAR))  # the page shows 3100
        inbox.send(D, YEAR, 3200, datetime.now(UTC) + timedelta(seconds=5))
        inbox.send(C, MONTH, 3100, datetime.now(UTC) + timedelta(seconds=5))  # the returned unit's correction
        seen["night5"] = snapshot(night(root))

        seen["probes"]["ctk42 grants an exception on the returned 18163/2026-10"] = refused(
            inbox, "ctk42", exception_url(C, MONTH), office)
        seen["probes"]["duyet439 approves 18136/2024 from a page older than the night"] = refused(
            inbox, "duyet439", approve_url(D, YEAR), stale)
        seen["probes"]["duyet439 approves 18139/2024, which sent nothing"] = refused(
            inbox, "duyet439", approve_url(NOTHING, YEAR), stale)
        # the page read again
        seen["decided"] += decide(inbox, "duyet439", district_page, approve_url(D, YEAR))
        seen["night6"] = snapshot(night(root))
        seen["decisions"] = inbox.decisions()
    return seen


NIGHTS = ("night1", "night2", "night3", "night4", "night5", "night6")


# --------------------------------------------------------------------------- 1. locks

def test_every_first_file_is_published(nights: dict) -> None:
    values = nights["night1"]["values"]
    for key in ((A, MONTH), (B, MONTH), (C, MONTH), (D, YEAR), (E, YEAR), (F, YEAR)):
        assert values.get(key) == 3000.0, (key, values)
    assert values.get((DISTRICT, YEAR)) == 6000.0, values  # 18133 + 18136, commune -> district in 2024
    assert nights["night1"]["held"] == [], nights["night1"]["held"]


def test_a_file_after_the_approval_keeps_the_approved_values(nights: dict) -> None:
    """portal.md: "a file for it that arrives later is received, archived and shown, but its
    values do not replace the approved ones in the published marts"."""
    values = nights["night3"]["values"]
    assert values.get((A, MONTH)) == 3000.0, values
    assert values.get((D, YEAR)) == 3000.0, values
    assert values.get((DISTRICT, YEAR)) == 6000.0, values


def test_the_held_file_is_listed(nights: dict) -> None:
    """analyst.md: `held_submissions`, one row per sheet held by an approval."""
    rows = nights["night3"]["held"]
    assert held(nights, "night3") == {(A, MONTH), (D, YEAR)}, rows
    assert len(rows) == 2, rows
    for unit, period, source in rows:
        assert source.startswith(f"portal/{unit}/{period}/"), rows


def test_the_exception_lets_the_new_values_in_the_next_night(nights: dict) -> None:
    """portal.md: "until the province's office grants an exception"; night 4 had no new file."""
    values = nights["night4"]["values"]
    assert values.get((A, MONTH)) == 3100.0, values
    assert values.get((D, YEAR)) == 3100.0, values
    assert values.get((DISTRICT, YEAR)) == 6100.0, values
    assert nights["night4"]["held"] == [], nights["night4"]["held"]


def test_a_file_after_the_exception_flows(nights: dict) -> None:
    assert nights["night5"]["values"].get((D, YEAR)) == 3200.0, nights["night5"]["values"]
    assert (D, YEAR) not in held(nights, "night5"), nights["night5"]["held"]


def test_units_without_decisions_are_never_held(nights: dict) -> None:
    for night in NIGHTS:
        assert not held(nights, night) & {(B, MONTH), (E, YEAR), (F, YEAR)}, nights[night]["held"]


def test_a_correction_after_a_return_is_published(nights: dict) -> None:
    """portal.md: "An approved unit-period is locked" and "(or returns it with a reason, which
    the clerk sees)": 18163/2026-10 was approved, then returned; its clerk's correction is
    published at night 5 (reviewer.md: "a file after a return goes through as usual")."""
    assert nights["night5"]["values"].get((C, MONTH)) == 3100.0, nights["night5"]["values"]
    assert (C, MONTH) not in held(nights, "night5"), nights["night5"]["held"]


# --------------------------------------------------------------------------- 2. a decision alone

def test_a_decision_alone_is_work_for_the_next_night(nights: dict) -> None:
    """portal.md: "a new decision is a change the next night rebuilds, even when no file
    arrived"; what the night's short-circuit asks (developer.md: `count_new_files`) counts the
    new decisions, and nothing on a quiet night."""
    work = nights["work"]
    assert work["quiet"] == 0, work
    assert work["approvals"] > 0, work
    assert work["return and exceptions"] > 0, work


# --------------------------------------------------------------------------- 4. eras, and who may decide

def test_the_portal_recorded_the_allowed_decisions(nights: dict) -> None:
    made = [(d.get("unit_code"), d.get("period"), d.get("decision"), d.get("decided_by"))
            for d in nights["decisions_after_approvals"]]
    assert made == [(A, MONTH, "approved", "duyet42"), (C, MONTH, "approved", "duyet42"),
                    (D, YEAR, "approved", "duyet439"), (DISTRICT, YEAR, "approved", "duyet42")], made


def test_each_decision_records_who_when_and_the_figures(nights: dict) -> None:
    """portal.md: "Approving records who, when, and a fingerprint of the figures approved"."""
    made = nights["decided"]
    assert [(d["unit_code"], d["period"], d["decision"], d["decided_by"]) for d in made[4:]] == [
        (C, MONTH, "returned", "duyet42"), (A, MONTH, "exception", "ctk42"), (D, YEAR, "exception", "ctk42"),
        (D, YEAR, "approved", "duyet439")], made[4:]
    for d in made:
        assert datetime.fromisoformat(d["decided_at"].replace("Z", "+00:00")), d
        if d["decision"] == "approved":
            assert len(d.get("figures_sha256") or "") == 64, d
    approvals_of_d = [d["figures_sha256"] for d in made
                      if (d["unit_code"], d["decision"]) == (D, "approved")]
    assert len(set(approvals_of_d)) == 2, "18136/2024 approved at 3000, then at 3200: two fingerprints"


@pytest.mark.parametrize("probe", [
    "duyet439 approves 18136/2024 from a page older than the night",
    "duyet439 approves 18139/2024, which sent nothing",
    "duyet439 approves 18133/2026-10",
    "duyet42 approves the commune 18136/2024",
    "ctk42 approves 18160/2026-10",
    "bc18160 approves its own 18160/2026-10",
    "duyet42 grants an exception on 18133/2026-10",
    "ctk42 grants an exception on the unapproved 18160/2026-10",
    "ctk42 grants an exception on the returned 18163/2026-10",
])
def test_a_decision_beyond_the_role_is_refused(nights: dict, probe: str) -> None:
    """portal.md "Who" and clerk.md's role table: nothing recorded, and not a success."""
    code, recorded = nights["probes"][probe]
    assert recorded == 0, f"{probe}: {recorded} decision(s) recorded (HTTP {code})"


def test_a_district_reviewers_approval_of_a_2024_commune_locks_it(nights: dict) -> None:
    """portal.md: "a district reviewer approving its communes' 2024 figures, still works"."""
    assert (D, YEAR) in held(nights, "night3")
    assert nights["night3"]["values"].get((D, YEAR)) == 3000.0


def test_the_provinces_approval_of_a_2026_commune_locks_it(nights: dict) -> None:
    """portal.md: "from 1 July 2025 the province's reviewers approve the communes directly"."""
    assert (A, MONTH) in held(nights, "night3")
    assert nights["night3"]["values"].get((A, MONTH)) == 3000.0


# --------------------------------------------------------------------------- 3. approval status


@pytest.mark.parametrize("night", NIGHTS)
def test_the_approval_mart_has_one_row_per_unit_period(nights: dict, night: str) -> None:
    """marts.md via portal.md: "The marts say, for every unit and period, whether its figures
    are approved, awaiting approval, or changed after approval"."""
    seen = nights[night]
    assert seen["status"] is not None, f"marts.approval_status: {seen.get('status_error')}"
    assert seen["status_rows"] == len(seen["status"]), "a (unit_code, period) twice"
    assert set(seen["status"]) == seen["unit_periods"]
    assert set(seen["status"].values()) <= STATUSES, set(seen["status"].values())


@pytest.mark.parametrize("night", NIGHTS)
@pytest.mark.parametrize("table", ["rows_status", "current_status"])
def test_every_published_row_carries_its_status(nights: dict, night: str, table: str) -> None:
    seen = nights[night]
    rows = seen[table]
    assert rows is not None, f"{table}: {seen.get(table + '_error')}"
    assert rows and {s for _, _, s in rows} <= STATUSES, {s for _, _, s in rows}
    if table == "rows_status":  # as reported: the unit-period's own status on each of its rows
        assert seen["status"] is not None, seen.get("status_error")
        wrong = {(u, p, s) for u, p, s in rows if seen["status"].get((u, p)) != s}
        assert not wrong, sorted(wrong)[:10]
    else:  # a 2026 commune is today's unit: the same status in the comparable series
        mine = {(u, p): s for u, p, s in rows if p == MONTH and u in (A, B, C)}
        assert mine == {(u, MONTH): status(nights, night, u, MONTH) for u in (A, B, C)}, mine


@pytest.mark.parametrize("night", NIGHTS)
def test_no_decision_is_awaiting_approval(nights: dict, night: str) -> None:
    for unit, period in ((B, MONTH), (E, YEAR), (F, YEAR), ("436", YEAR)):
        assert status(nights, night, unit, period) == "awaiting_approval", (unit, period)


@pytest.mark.parametrize("night", NIGHTS)
def test_the_province_never_accepted_follows_its_units(nights: dict, night: str) -> None:
    """The province's own figures (its units' sums) were never approved nor accepted. The spec
    does not say what a rolled-up unit-period's status is; the warehouse's documented rule
    (docs/analyst.md, "Approval status"; decided by the owners after this tester read it as
    "awaiting until itself approved") is that a sum is changed_after_approval when any unit
    below it is, so that a reader of the province's total sees figures changed after their
    approval under it, else approved only when every reporting unit below is, else awaiting.
    2026-10: no unit below is changed or all approved (18160 never) -> awaiting throughout.
    2024: 18073 under district 436 is never approved -> awaiting on nights 1-3; from night 4
    district 439 is changed after its approval -> the province's 2024 is changed too."""
    assert status(nights, night, "42", MONTH) == "awaiting_approval", ("42", MONTH)
    expected = "changed_after_approval" if night in ("night4", "night5", "night6") else "awaiting_approval"
    assert status(nights, night, "42", YEAR) == expected, ("42", YEAR)


def test_night1_everything_awaits_approval(nights: dict) -> None:
    for unit, period in ((A, MONTH), (C, MONTH), (D, YEAR), (DISTRICT, YEAR)):
        assert status(nights, "night1", unit, period) == "awaiting_approval", (unit, period)


def test_a_decision_alone_is_rebuilt_the_next_night(nights: dict) -> None:
    """portal.md: "a new decision is a change the next night rebuilds, even when no file arrived"."""
    for unit, period in ((A, MONTH), (C, MONTH), (D, YEAR), (DISTRICT, YEAR)):
        assert status(nights, "night2", unit, period) == "approved", (unit, period)


def test_a_held_file_leaves_the_unit_period_approved(nights: dict) -> None:
    for unit, period in ((A, MONTH), (D, YEAR), (DISTRICT, YEAR), (C, MONTH)):
        assert status(nights, "night3", unit, period) == "approved", (unit, period)


def test_a_return_after_an_approval_awaits_approval_the_next_night(nights: dict) -> None:
    """Night 4 had no file: the return alone is rebuilt."""
    assert status(nights, "night3", C, MONTH) == "approved"
    assert status(nights, "night4", C, MONTH) == "awaiting_approval"
    assert status(nights, "night5", C, MONTH) == "awaiting_approval"


def test_the_new_values_after_an_exception_await_approval(nights: dict) -> None:
    """portal.md: "(then the new values go through approval again)"."""
    assert status(nights, "night4", A, MONTH) == "awaiting_approval"
    assert status(nights, "night4", D, YEAR) == "awaiting_approval"
    assert status(nights, "night5", D, YEAR) == "awaiting_approval"


def test_approved_again_after_the_exception(nights: dict) -> None:
    assert nights["night6"]["values"].get((D, YEAR)) == 3200.0, nights["night6"]["values"]
    assert status(nights, "night6", D, YEAR) == "approved"


def test_an_approved_district_whose_sum_changed_is_changed_after_approval(nights: dict) -> None:
    """reviewer.md: "đã thay đổi sau khi duyệt (the published figures are no longer those
    approved)": 439/2024 was approved at 6000; its commune's exception made it 6100."""
    assert status(nights, "night4", DISTRICT, YEAR) == "changed_after_approval"
    assert status(nights, "night5", DISTRICT, YEAR) == "changed_after_approval"
    assert status(nights, "night6", DISTRICT, YEAR) == "changed_after_approval"
