"""What the gateway's use cases need from the outside."""

from __future__ import annotations

from typing import Protocol


class Counter(Protocol):
    """Request counters shared by every gateway instance (adapters/counters.py)."""

    async def hit(self, key: str, limit: int) -> float | None:
        """Count one request under ``key``; seconds until it may retry when over."""
