"""Sliding-window limits on the forms that send email or create accounts (registration,
a new activation link, a forgotten password), and the message a refused caller reads.

Each form has two budgets: one per client address, large, so that a kiosk, an office or a
carrier's NAT is not locked out by one busy neighbour; one per target email, small, so
that nobody floods one address's inbox or guesses at one account. An attempt counts
against both only if both have room; a refused attempt counts against neither, so trying
again while refused does not push the moment it passes further away. The window slides:
an attempt weighs exactly ``seconds`` after it was made, and a refused caller is told
when the oldest attempt that holds the room leaves the window.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.identity.domain.errors import TooManyRequestsError
from shared.vn.time import format_time_on_date, to_local


@dataclass(frozen=True)
class Window:
    """At most ``limit`` counted attempts in any ``seconds`` long stretch."""

    limit: int
    seconds: int

    def counted(self, attempts: Iterable[datetime], now: datetime) -> list[datetime]:
        """The attempts that still weigh at ``now``, oldest first."""
        start = now - timedelta(seconds=self.seconds)
        return sorted(a for a in attempts if a > start)

    def wait(self, attempts: Iterable[datetime], now: datetime) -> float:
        """Seconds until one more attempt fits (0.0: it fits now)."""
        counted = self.counted(attempts, now)
        if len(counted) < self.limit:
            return 0.0
        # once this one leaves, limit - 1 remain (more than limit if the limit was lowered)
        leaving = counted[len(counted) - self.limit]
        return (leaving + timedelta(seconds=self.seconds) - now).total_seconds()


@dataclass(frozen=True)
class Outcome:
    """``wait`` 0.0: the attempt counted; else the seconds until it would.
    ``counted``: each key's attempts that still weigh, this one included if it counted."""

    wait: float
    counted: dict[str, list[datetime]]

    def expires_at(self, key: str, window: Window) -> datetime | None:
        """When the key's newest attempt leaves its window (its log can go then)."""
        attempts = self.counted[key]
        return max(attempts) + timedelta(seconds=window.seconds) if attempts else None


def take(
    windows: Mapping[str, Window], logs: Mapping[str, Sequence[datetime]], now: datetime
) -> Outcome:
    """One attempt at ``now`` against every key's window: counted in all or in none."""
    counted = {key: window.counted(logs.get(key, ()), now) for key, window in windows.items()}
    wait = max((w.wait(counted[k], now) for k, w in windows.items()), default=0.0)
    if wait <= 0:
        counted = {key: [*attempts, now] for key, attempts in counted.items()}
        wait = 0.0
    return Outcome(wait, counted)


def refusal(wait: float, now: datetime) -> TooManyRequestsError:
    """429 with ``Retry-After`` in whole seconds and a Vietnamese sentence saying when."""
    seconds = max(1, math.ceil(wait))
    if seconds < 60:
        when = f"sau {seconds} giây"
    else:
        at = to_local(now + timedelta(seconds=seconds))
        if at.second or at.microsecond:  # the minute shown must already be allowed
            at = at.replace(second=0, microsecond=0) + timedelta(minutes=1)
        shown = f"{at:%H:%M}" if at.date() == to_local(now).date() else format_time_on_date(at)
        when = f"sau {math.ceil(seconds / 60)} phút (lúc {shown})"
    return TooManyRequestsError(seconds, f"Bạn đã thử quá nhiều lần. Vui lòng thử lại {when}.")
