"""What the gateway's use cases need from the outside."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Counter(Protocol):
    """Request counters shared by every gateway instance (adapters/counters.py)."""

    async def hit(self, key: str, limit: int) -> float | None:
        """Count one request under ``key``; seconds until it may retry when over."""


@dataclass(frozen=True)
class Health:
    """Every upstream's liveness, and how many probes this answer cost (0 when cached)."""

    services: dict[str, bool]
    probes: int


class HealthProbe(Protocol):
    """The upstreams' liveness for the home page (adapters/health.py)."""

    async def __call__(self) -> Health: ...
