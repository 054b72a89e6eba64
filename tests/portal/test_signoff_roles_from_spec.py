"""Who may open which sign-off page, written from the spec alone (docs/spec/portal.md "Who",
docs/clerk.md's role table, docs/reviewer.md "Who reviews whom") by a tester who has not read
the implementation. Through Django's test client, on the accounts `create_accounts` made from
the shipped unit list (Hà Tĩnh, 42): the district 439 (Huyện Hương Sơn, ceased 2025-06-30)
with its 2024 commune 18136, the district 436 beside it, the province 42.

Expected, by hand: a reviewer sees the review page of its own unit (`review_period`: "đơn vị
mình") for a period in which its unit existed; a district's reviewer therefore its 2024 page,
not its 2026 one ("A district's reviewer can still sign off the periods before the reform,
nothing later"), nor another district's or the province's; the office sees every unit's
(`mọi đơn vị`); a clerk none. The unit page (`see_unit`) is the clerk's own, a reviewer's units
below it (18136's parent is 439 in 2024), every unit for the office. The audit log is the
office's alone.
"""

from __future__ import annotations

import pytest

from tests.portal.conftest import client_for

pytestmark = pytest.mark.portal

ALLOWED = [
    ("duyet439", "/duyet/439/2024/"),
    ("duyet42", "/duyet/42/2024/"),
    ("duyet42", "/duyet/42/2026-10/"),
    ("ctk42", "/duyet/439/2024/"),
    ("ctk42", "/duyet/42/2026-10/"),
    ("duyet439", "/don-vi/18136/"),
    ("bc18136", "/don-vi/18136/"),
    ("ctk42", "/don-vi/18136/"),
    ("ctk42", "/nhat-ky/"),
]
REFUSED = [
    ("duyet439", "/duyet/439/2026-10/"),  # nothing after the reform
    ("duyet439", "/duyet/42/2024/"),  # not its unit
    ("duyet436", "/duyet/439/2024/"),  # another district
    ("duyet42", "/duyet/439/2024/"),  # review_period: its own unit's page only
    ("bc18136", "/duyet/439/2024/"),  # a clerk reviews nothing
    ("duyet436", "/don-vi/18136/"),  # not a unit below it
    ("bc18133", "/don-vi/18136/"),  # another unit
    ("duyet42", "/nhat-ky/"),
    ("bc18136", "/nhat-ky/"),
]


@pytest.mark.parametrize(("username", "page"), ALLOWED)
def test_a_page_the_role_table_allows_opens(portal_django, office_paths, username: str, page: str) -> None:
    response = client_for(username).get(page)
    assert response.status_code == 200, (username, page, response.status_code)


@pytest.mark.parametrize(("username", "page"), REFUSED)
def test_a_page_beyond_the_role_is_refused(portal_django, office_paths, username: str, page: str) -> None:
    response = client_for(username).get(page)
    assert response.status_code in (403, 404), (username, page, response.status_code)
