"""How often a dossier code may be tried in the public lookup (no I/O).

Every try of a well-formed code counts *before* its second factor is compared, so
parallel guesses cannot all slip in before the first one is counted; the right
answer clears the count. A code tried more than ``attempts`` times within
``lock_seconds`` is locked for ``lock_seconds``: every answer then says so, the right
one included. Unknown codes are counted and locked exactly like known ones, so the
lock tells nothing about which codes exist.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.dossier.domain.errors import LookupLockedError


@dataclass(frozen=True)
class LookupPolicy:
    attempts: int  # tries allowed within the window before the code locks
    lock_seconds: int  # the window, and how long a lock lasts

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=self.lock_seconds)


@dataclass(frozen=True)
class Attempts:
    """The tries of one code since ``since``; ``locked_until`` while it is locked."""

    count: int
    since: datetime
    locked_until: datetime | None = None

    def expires_at(self, policy: LookupPolicy) -> datetime:
        """When the record no longer matters (pruned after that)."""
        window_end = self.since + policy.window
        return max(window_end, self.locked_until) if self.locked_until else window_end

    def check_open(self, now: datetime) -> None:
        if self.locked_until is not None and self.locked_until > now:
            seconds = math.ceil((self.locked_until - now).total_seconds())
            raise LookupLockedError(max(seconds, 1))


def one_more(previous: Attempts | None, now: datetime, policy: LookupPolicy) -> Attempts:
    """The record after one more try at ``now``; locked when it is one too many."""
    if previous is not None and previous.locked_until is not None:
        if previous.locked_until > now:
            return previous  # a try while locked neither counts nor lengthens the lock
        previous = None
    if previous is None or now - previous.since >= policy.window:
        previous = Attempts(0, now)
    count = previous.count + 1
    locked = now + policy.window if count > policy.attempts else None
    return Attempts(count, previous.since, locked)
