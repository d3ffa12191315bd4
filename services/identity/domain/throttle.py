"""How long a login must wait after consecutive failures (per account, per address).

Per account: the first few failures cost nothing; then each further failure
doubles a short wait; after ``lock_after`` failures the account is locked for
``lock_seconds`` (15 minutes by default), long enough to stop guessing and
short enough that an attacker cannot keep a real user out for long (a
password reset also clears it). 100 consecutive failures are never reached:
with the defaults an attacker gets 10 guesses per 15 minutes per account.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int = 3
    base_delay_seconds: float = 1.0
    lock_after: int = 10
    lock_seconds: int = 900

    def wait_after(self, failures: int) -> tuple[float, bool]:
        """(seconds before the next attempt is allowed, whether that is a lock)."""
        if failures >= self.lock_after:
            return float(self.lock_seconds), True
        if failures <= self.free_failures:
            return 0.0, False
        delay = self.base_delay_seconds * 2 ** (failures - self.free_failures - 1)
        return min(delay, float(self.lock_seconds)), False
