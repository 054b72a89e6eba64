"""The night reads the portal's exported moments (ingest/exports.py utc_moment) as naive UTC,
as raw.files keeps times, whatever zone they were written in; a moment without a zone is
refused, never guessed. By hand: 09:43:26.5 at UTC+7 is 02:43:26.5 UTC."""

from __future__ import annotations

from datetime import datetime

import pytest

from ingest.exports import utc_moment

pytestmark = pytest.mark.unit

UTC_MOMENT = datetime(2026, 12, 7, 2, 43, 26, 500000)


@pytest.mark.parametrize("written", ["2026-12-07T02:43:26.500000Z", "2026-12-07T09:43:26.5+07:00",
                                     "2026-12-06T21:43:26.5-05:00"])
def test_a_moment_in_any_zone_is_read_as_utc(written: str) -> None:
    assert utc_moment(written) == UTC_MOMENT


def test_a_moment_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="has no time zone"):
        utc_moment("2026-12-07T09:43:26")
