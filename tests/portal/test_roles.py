"""The role-by-action table, exhaustively: every role tries every action, on every view, on
its own unit, a unit below it and units of others; what the table (portal/office/roles.py)
forbids is answered 403 and leaves no trace but the audit line; what it allows is not.

Which unit is below which is written here from the unit list by hand (not asked of the
portal): 436 (Thành phố Hà Tĩnh, a district until 30/06/2025) had 18112 and 18685; from
1/7/2025 the province 42 has 18685 and 18481 directly, and had the districts before."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from tests.portal.conftest import client_for

pytestmark = pytest.mark.portal

ACCOUNTS = {  # username -> (role, unit)
    "bc18685": ("don_vi", "18685"),  # a commune today (and before the reform, under 436)
    "bc18112": ("don_vi", "18112"),  # a commune merged into 18685 on 1/7/2025
    "bc436": ("don_vi", "436"),  # a district's clerk: its own reports, not its communes'
    "duyet436": ("nguoi_duyet", "436"),  # a district's reviewer (the district ceased 1/7/2025)
    "duyet42": ("nguoi_duyet", "42"),
    "ctk42": ("cuc_thong_ke", "42"),
}
TARGETS = ["18685", "18112", "18481", "436", "42"]
BELOW = {"42": {"436", "18685", "18481"}, "436": {"18112", "18685"}}
# a period each target existed in, for the views on a period
PERIOD_OF = {"18685": "2026-11", "18112": "2024", "18481": "2026-11", "436": "2024", "42": "2025"}


def table_allows(action: str, username: str, target: str) -> bool:
    from portal.office.roles import ACTIONS

    role, own = ACCOUNTS[username]
    scope = ACTIONS[action].scopes.get(role)
    return scope == "all" or (scope == "own" and target == own) or (
        scope == "below" and target in BELOW.get(own, set()))


def existed_in(unit_code: str, period: str) -> bool:
    """From the unit list: 18112 and 436 ceased on 30/06/2025."""
    return not (unit_code in {"18112", "436"} and period.startswith("2026"))


@pytest.fixture(scope="module")
def receipts(portal_django) -> dict[str, int]:
    """One receipt per target unit, sent by someone (the rows, not a file)."""
    from django.contrib.auth.models import User

    from portal.office.models import Receipt, UnitPeriod

    sender = User.objects.get(username="ctk42")
    made = {}
    for target in TARGETS:
        up, _ = UnitPeriod.objects.get_or_create(unit_code=target, period=PERIOD_OF[target])
        r = Receipt(file_sha256=f"{int(target):064d}", unit_period=up, sender=sender,
                    received_at=datetime(2026, 12, 1, 3, tzinfo=UTC), inbox_path="x", size_bytes=1,
                    shown_name="x.xlsx")
        r.save()
        made[target] = r.pk
    return made


KEY = "0123456789abcdef0123456789abcdef"  # a finding key's shape (md5)


def requests_for(target: str, receipts: dict[str, int]) -> list[tuple[str, str, str]]:
    """(action, method, url) of every view acting on `target`."""
    period = PERIOD_OF[target]
    token = "0" * 32
    return [
        ("see_unit", "get", f"/don-vi/{target}/"),
        ("download_template", "get", f"/don-vi/{target}/mau/{period}/"),
        ("check_file", "get", f"/don-vi/{target}/gui/"),
        ("check_file", "post", f"/don-vi/{target}/gui/"),
        ("send_report", "get", f"/don-vi/{target}/gui/{token}/"),
        ("send_report", "post", f"/don-vi/{target}/gui/{token}/"),
        ("see_receipt", "get", f"/bien-nhan/{receipts[target]}/"),
        # sign off (part 2): the period page of the target's units below, approving or
        # returning the target's period, accepting it (a province's only: 404 for others),
        # the office's exception on it
        ("review_period", "get", f"/duyet/{target}/{period}/"),
        ("approve_period", "post", f"/don-vi/{target}/ky/{period}/duyet/"),
        ("return_period", "post", f"/don-vi/{target}/ky/{period}/tra-lai/"),
        ("accept_period", "post", f"/duyet/{target}/{period}/chap-nhan/"),
        ("grant_exception", "post", f"/don-vi/{target}/ky/{period}/cho-phep-sua/"),
        ("bulk_approve", "get", "/duyet-hang-loat/"),
        # follow up (part 2): a finding's page with its history, the unit's answer, the
        # reviewer's acceptance (no published warehouse here: 404 where allowed)
        ("see_unit", "get", f"/don-vi/{target}/ky/{period}/phat-hien/{KEY}/"),
        ("answer_finding", "post", f"/don-vi/{target}/ky/{period}/phat-hien/{KEY}/tra-loi/"),
        ("close_finding", "post", f"/don-vi/{target}/ky/{period}/phat-hien/{KEY}/chap-nhan/"),
    ]


# Which unit was below which in the target's period (PERIOD_OF), by hand: in 2024 436's
# communes were 18112 and 18685 and the province's units its districts (436); in 2025 (the
# province's own year) and 2026-11 the province's communes (18685, 18481) directly.
BELOW_IN_PERIOD = {"436": {"18112"}, "42": {"436", "18685", "18481"}}
PERIOD_ACTIONS = {"download_template", "review_period", "approve_period", "return_period", "accept_period",
                  "grant_exception", "answer_finding", "close_finding"}


def allowed_on_period(action: str, username: str, target: str) -> bool:
    """The table, for the actions on a period: scope 'below' as it stood in the period, and
    both the account's unit and the target existing in it."""
    from portal.office.roles import ACTIONS

    role, own = ACCOUNTS[username]
    scope = ACTIONS[action].scopes.get(role)
    period = PERIOD_OF[target]
    if not (existed_in(own, period) and existed_in(target, period)):
        return False
    return scope == "all" or (scope == "own" and target == own) or (
        scope == "below" and target in BELOW_IN_PERIOD.get(own, set()))


def test_the_table_covers_every_view(portal_django) -> None:
    from portal.office.roles import ACTIONS
    from portal.office.urls import VIEW_ACTIONS, urlpatterns

    named = {p.name for p in urlpatterns} - {"login", "logout", "password", "home"}
    assert named == set(VIEW_ACTIONS), "a view without its action in the role table"
    assert set(VIEW_ACTIONS.values()) <= set(ACTIONS)
    covered = {a for t in TARGETS for a, _, _ in requests_for(t, dict.fromkeys(TARGETS, 1))}
    assert covered | {"see_audit_log", "manage_accounts"} == set(ACTIONS)


@pytest.mark.parametrize(("username", "target"), list(itertools.product(ACCOUNTS, TARGETS)))
def test_every_role_on_every_unit(portal_django, office_paths, receipts, username: str, target: str) -> None:
    from portal.office.models import AuditEntry, CheckedUpload, Decision, FindingAnswer

    client = client_for(username)
    answers_before = FindingAnswer.objects.count()
    own_unit = ACCOUNTS[username][1]
    decided = Decision.objects.filter(decided_by__username=username, unit_period__unit_code=target)
    decided_before = {d: decided.filter(decision=d).count()
                      for d in ("approved", "returned", "accepted", "exception")}
    for action, method, url in requests_for(target, receipts):
        allowed = table_allows(action, username, target)
        if action in PERIOD_ACTIONS:
            allowed = allowed and allowed_on_period(action, username, target)
        before = AuditEntry.objects.filter(username=username, action="refused").count()
        response = getattr(client, method)(url)
        if allowed:
            assert response.status_code != 403, f"{username} refused {method} {url} ({action})"
        else:
            assert response.status_code == 403, f"{username} allowed {method} {url}: {response.status_code}"
            assert AuditEntry.objects.filter(username=username, action="refused").count() == before + 1
    assert not CheckedUpload.objects.filter(user__username=username, unit_code=target).exclude(
        unit_code=own_unit).exists()
    assert not any(office_paths["inbox"].iterdir()), "a refused request wrote into the inbox"
    for decision, action in (("approved", "approve_period"), ("returned", "return_period"),
                             ("accepted", "accept_period"), ("exception", "grant_exception")):
        if not allowed_on_period(action, username, target) or not table_allows(action, username, target):
            now = decided.filter(decision=decision).count()
            assert now == decided_before[decision], f"{username} {decision} {target}"
    assert FindingAnswer.objects.count() == answers_before, "an answer recorded without a finding"


@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_audit_log_and_admin(portal_django, office_paths, username: str) -> None:
    client = client_for(username)
    office = ACCOUNTS[username][0] == "cuc_thong_ke"
    assert (client.get("/nhat-ky/").status_code == 200) == office
    admin = client.get("/quan-tri/office/account/")
    assert (admin.status_code == 200) == office, admin.status_code


def test_a_ceased_units_clerk_acts_only_on_periods_it_existed_in(portal_django, office_paths) -> None:
    client = client_for("bc18112")
    assert client.get("/don-vi/18112/mau/2024/").status_code == 200
    assert client.get("/don-vi/18112/mau/2025-06/").status_code in (200, 404)  # existed; no monthly rule
    assert client.get("/don-vi/18112/mau/2025-Q3/").status_code == 403
    assert client.get("/don-vi/18112/mau/2026-11/").status_code == 403
    clerk = client_for("bc18685")  # the same code before the reform (under 436) and after
    assert clerk.get("/don-vi/18685/mau/2024/").status_code == 200
    assert clerk.get("/don-vi/18685/mau/2026-11/").status_code == 200


def test_a_district_reviewer_sees_its_communes_only_while_it_existed(portal_django) -> None:
    from base.periods import period_from_code
    from portal.office import services
    from portal.office.models import Account

    reviewer = Account.objects.get(user__username="duyet436")
    assert services.allowed(reviewer, "approve_period", "18112", period_from_code("2024"))
    assert not services.allowed(reviewer, "approve_period", "18685", period_from_code("2026-11"))
    province = Account.objects.get(user__username="duyet42")
    assert services.allowed(province, "approve_period", "436", period_from_code("2024"))
    assert services.allowed(province, "approve_period", "18685", period_from_code("2026-11"))
    assert not services.allowed(province, "approve_period", "18685", period_from_code("2024"))


def test_docs_print_the_table(portal_django) -> None:
    from pathlib import Path

    from portal.office.roles import markdown_table

    doc = (Path(__file__).resolve().parents[2] / "docs" / "clerk.md").read_text(encoding="utf-8")
    assert markdown_table() in doc, "docs/clerk.md: paste portal.office.roles.markdown_table()"
