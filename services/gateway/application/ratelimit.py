"""Counting requests against the limits (domain/ratelimit.py) with a shared counter."""

from __future__ import annotations

import asyncio

from services.gateway.application.ports import Counter
from services.gateway.domain.ratelimit import Exceeded, Limits


class RateLimiter:
    def __init__(self, counter: Counter, limits: Limits) -> None:
        self.counter = counter
        self.limits = limits

    async def over(self, pairs: list[tuple[str, str]]) -> Exceeded | None:
        """The first limit exceeded, or None; counts every pair (together: the counter
        sends concurrent hits as one batch)."""
        counted = [(name, key, self.limits.of(name)) for name, key in pairs]
        counted = [(name, key, limit) for name, key, limit in counted if limit > 0]
        retries = await asyncio.gather(*(self.counter.hit(key, limit) for _, key, limit in counted))
        for (name, _, _), retry in zip(counted, retries, strict=True):
            if retry is not None:
                return Exceeded(name, retry)
        return None

    async def account(self, account_id: str) -> Exceeded | None:
        """Count one request of a signed-in account; the limit it went over, if any."""
        return await self.over([("account", f"account:{account_id}")])
