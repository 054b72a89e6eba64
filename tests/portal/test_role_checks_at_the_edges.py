"""Two edges of the role checks that the exhaustive table (test_roles.py) does not reach:
an action on a period in which the unit acted on did not exist (the table's targets all
existed in theirs), and the reviewer's acceptance offered on a finding nobody has answered.

From the unit list, by hand: Xã 18112 was merged into 18685 on 1 July 2025, so it did not
exist in November 2026, while the province 42 and its office did."""

from __future__ import annotations

import pytest

from tests.portal.conftest import client_for
from tests.portal.test_followup import key, publish, url

pytestmark = pytest.mark.portal


def test_no_one_acts_on_a_period_in_which_the_unit_did_not_exist(portal_django, office_paths) -> None:
    from base.periods import period_from_code
    from portal.office import services
    from portal.office.models import Account, AuditEntry, Decision

    province, office = (Account.objects.get(user__username=u) for u in ("duyet42", "ctk42"))
    november = period_from_code("2026-11")
    assert not services.allowed(province, "approve_period", "18112", november)
    assert not services.allowed(office, "grant_exception", "18112", november)
    assert services.allowed(province, "approve_period", "18685", november)  # its successor: yes
    refused_before = AuditEntry.objects.filter(username="duyet42", action="refused").count()
    answer = client_for("duyet42").post("/don-vi/18112/ky/2026-11/duyet/", {"fingerprint": "x"})
    assert answer.status_code == 403
    assert AuditEntry.objects.filter(username="duyet42", action="refused").count() == refused_before + 1
    assert not Decision.objects.filter(unit_period__unit_code="18112", unit_period__period="2026-11").exists()


# a finding of its own (the portal's database lives for the session: test_followup answers POOR)
NEAR_POOR = ("yoy", "18685", "2026", "HH_NEAR_POOR", "Số hộ cận nghèo tăng bất thường so với năm trước")


def test_acceptance_is_offered_only_on_an_answered_finding(portal_django, office_paths) -> None:
    publish(office_paths["warehouse"], [NEAR_POOR])
    k = key(*NEAR_POOR[:4])
    reviewer = client_for("duyet42")
    page = reviewer.get(url("18685", "2026", k))
    assert page.status_code == 200
    assert 'id="chap-nhan"' not in page.content.decode()  # open: nothing to accept yet
    said = client_for("bc18685").post(url("18685", "2026", k, "tra-loi/"),
                                      {"loai": "giai_trinh", "noi_dung": "Đã rà soát từng hộ."})
    assert said.status_code == 302
    assert 'id="chap-nhan"' in reviewer.get(url("18685", "2026", k)).content.decode()
