"""The edge limits' ``Retry-After`` is accurate: a refused caller who waits exactly that
many whole seconds passes, and one who came back a second earlier would not have.

``passes`` is the admission rule of adapters/counters.py's statement, for one more
request after the counts stopped moving (the integration tests check the statement
itself against PostgreSQL)."""

from __future__ import annotations

import math

import pytest

from services.gateway.domain.ratelimit import Exceeded, retry_after

WINDOW = 60


def passes(at: float, limit: int, window_no: int, previous: int, current: int) -> bool:
    """Whether one request at ``at`` passes, given the counts of windows ``window_no - 1``
    and ``window_no`` and no request since."""
    now_window = int(at // WINDOW)
    overlap = 1 - (at / WINDOW - now_window)
    if now_window == window_no:
        before, this = previous, current
    elif now_window == window_no + 1:
        before, this = current, 0
    else:
        before, this = 0, 0
    return this < limit - math.floor(before * overlap)


CASES = [
    # (limit, previous, current, seconds into the window)
    (10, 0, 10, 30.0),  # the window is full: the next one
    (10, 0, 10, 59.0),  # a whole number of seconds before the boundary
    (10, 0, 10, 0.0),
    (20, 20, 1, 1.5),  # the last window still weighs 19.5: room only as it slides
    (10, 10, 2, 9.0),
    (10, 10, 7, 40.0),
    (10, 10, 9, 12.0),
    (5, 3, 5, 20.25),
    (100, 100, 50, 0.0),
]


@pytest.mark.parametrize(("limit", "previous", "current", "elapsed"), CASES)
def test_waiting_retry_after_whole_seconds_passes_and_a_second_less_does_not(
    limit: int, previous: int, current: int, elapsed: float
) -> None:
    window_no = 1000
    now = window_no * WINDOW + elapsed
    assert not passes(now, limit, window_no, previous, current)
    seconds = Exceeded("client", retry_after(now, WINDOW, limit, previous, current)).seconds
    assert passes(now + seconds, limit, window_no, previous, current)
    earlier = now + seconds - 1 - 1e-6  # (at exactly a second less, float rounding decides)
    assert seconds == 1 or not passes(earlier, limit, window_no, previous, current)
