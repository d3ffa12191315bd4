"""Whether the upstream services answer their liveness endpoint.

The home page shows every service's health. Probing five services on every view
costs five calls per page, so :class:`CachedHealthProbe` keeps a result for ``ttl_seconds``
(a service that just went down shows as up for at most that long) and lets concurrent
views share one round of probes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx

from services.gateway.application.ports import Health

PROBE_TIMEOUT = 1.5
TTL_SECONDS = 5.0


async def check_health(client: httpx.AsyncClient, base_url: str) -> None:
    """Raise unless ``base_url``'s /healthz answers 200 in time."""
    response = await client.get(f"{base_url}/healthz", timeout=PROBE_TIMEOUT)
    response.raise_for_status()


async def health_of(client: httpx.AsyncClient, upstreams: dict[str, str]) -> dict[str, bool]:
    """Every upstream's health, probed concurrently."""

    async def alive(base_url: str) -> bool:
        try:
            await check_health(client, base_url)
        except httpx.HTTPError:
            return False
        return True

    results = await asyncio.gather(*(alive(url) for url in upstreams.values()))
    return dict(zip(upstreams, results, strict=True))


class CachedHealthProbe:
    """The :class:`~services.gateway.application.ports.HealthProbe` over HTTP, cached."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        upstreams: dict[str, str],
        ttl_seconds: float = TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.upstreams = upstreams
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self._known: dict[str, bool] | None = None
        self._probed_at = 0.0
        self._probing: asyncio.Future[dict[str, bool]] | None = None

    async def __call__(self) -> Health:
        if self._known is not None and self.clock() - self._probed_at < self.ttl_seconds:
            return Health(self._known, 0)
        if self._probing is not None:  # another view is probing: share its answer
            return Health(await asyncio.shield(self._probing), 0)
        self._probing = asyncio.ensure_future(health_of(self.client, self.upstreams))
        try:
            known = await asyncio.shield(self._probing)
        finally:
            self._probing = None
        self._known, self._probed_at = known, self.clock()
        return Health(known, len(known))
