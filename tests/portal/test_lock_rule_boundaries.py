"""The lock rule's edges (signoff.lock_state; docs/spec/portal.md, "Sign off"), drawn as the
night draws them (dbt int_held_submissions: a file is held when first seen strictly after
the approval, and released by an exception strictly after that approval; its own unit test
the_lock_boundaries_at_the_approvals_instant holds the same instants), so the clerk's
receipt never says "held" for a file the warehouse publishes, nor the reverse."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

pytestmark = pytest.mark.portal


def day(n: int) -> datetime:
    return datetime(2027, 1, n, 3, tzinfo=UTC)


def said(*made: tuple[str, int]) -> list:
    return [SimpleNamespace(decision=kind, decided_at=day(n)) for kind, n in made]


def test_a_file_arriving_at_the_approvals_instant_is_not_held(portal_django) -> None:
    from portal.office.signoff import HELD, lock_state

    assert lock_state(said(("approved", 5)), day(5)) == ""
    assert lock_state(said(("approved", 4), ("approved", 5)), day(5)) == HELD  # the one before holds it


def test_an_exception_at_the_approvals_instant_is_not_after_it(portal_django) -> None:
    from portal.office.signoff import HELD, REOPENED, lock_state

    assert lock_state(said(("approved", 4), ("exception", 4)), day(5)) == HELD
    assert lock_state(said(("approved", 4), ("exception", 4), ("exception", 6)), day(5)) == REOPENED


def test_only_an_approval_after_the_exception_ends_the_reopening(portal_django) -> None:
    """A return (or the province's acceptance) after an exception approves nothing: the
    file still waits to be approved again."""
    from portal.office.signoff import REOPENED, lock_state

    assert lock_state(said(("approved", 4), ("exception", 6), ("returned", 7)), day(5)) == REOPENED
    assert lock_state(said(("approved", 4), ("exception", 6), ("accepted", 7)), day(5)) == REOPENED
