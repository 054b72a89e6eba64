"""The portal writes every moment it exports for the night in UTC (docs/spec/portal.md): the
night stages arrivals and decisions in UTC and judges due days in Vietnam time, so a moment
written in the portal's own time zone (Asia/Ho_Chi_Minh, UTC+7) under a "Z" would move every
arrival seven hours late. A receipt and a decision made at 09:43:26.5 in Vietnam, by hand:
02:43:26.5 UTC."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.portal

IN_VIETNAM = datetime(2026, 12, 7, 9, 43, 26, 500000, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
WRITTEN = "2026-12-07T02:43:26.500000Z"


def test_a_receipt_and_a_decision_are_exported_in_utc(portal_django) -> None:
    from django.contrib.auth.models import User

    from portal.office.models import APPROVED, Decision, Receipt, UnitPeriod
    from portal.office.services import receipt_line
    from portal.office.signoff import decision_line

    up, _ = UnitPeriod.objects.get_or_create(unit_code="18685", period="2026-08")
    receipt = Receipt(file_sha256="e" * 64, unit_period=up, sender=User.objects.get(username="bc18685"),
                      received_at=IN_VIETNAM, inbox_path="x", size_bytes=1, shown_name="x.xlsx")
    receipt.save()
    decision = Decision(unit_period=up, decision=APPROVED, decided_by=User.objects.get(username="duyet42"),
                        decided_at=IN_VIETNAM, figures_sha256="", note="")
    decision.save()
    receipt.refresh_from_db()  # as the export reads them: from the database
    decision.refresh_from_db()
    assert receipt_line(receipt)["received_at"] == WRITTEN
    assert decision_line(decision)["decided_at"] == WRITTEN
