"""Counting requests against the limits (domain/ratelimit.py) with a shared counter."""

from __future__ import annotations

from services.gateway.application.ports import Counter
from services.gateway.domain.ratelimit import Exceeded, Limits


class RateLimiter:
    def __init__(self, counter: Counter, limits: Limits) -> None:
        self.counter = counter
        self.limits = limits

    async def over(self, pairs: list[tuple[str, str]]) -> Exceeded | None:
        """The first limit exceeded, or None; counts every pair."""
        exceeded: Exceeded | None = None
        for name, key in pairs:
            limit = self.limits.of(name)
            if limit <= 0:
                continue
            retry = await self.counter.hit(key, limit)
            if retry is not None and exceeded is None:
                exceeded = Exceeded(name, retry)
        return exceeded

    async def account(self, account_id: str) -> Exceeded | None:
        """Count one request of a signed-in account; the limit it went over, if any."""
        return await self.over([("account", f"account:{account_id}")])
