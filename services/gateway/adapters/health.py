"""Whether the upstream services answer their liveness endpoint."""

from __future__ import annotations

import asyncio

import httpx

PROBE_TIMEOUT = 1.5


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
