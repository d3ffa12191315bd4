"""One OpenAPI document for the whole API (``GET /api/v1/openapi.json``).

Each service documents itself (FastAPI's ``/openapi.json``); the gateway fetches them
concurrently, keeps each for a while (``openapi_cache_seconds``), and merges the paths
it routes to that service. Schemas of the same name and the same content are shared;
a name two services define differently is qualified with the service's name (and its
``$ref``s rewritten). A service that does not answer keeps its last document if there
is one, else its paths are missing and it is named in ``x-motcua-unavailable``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from services.gateway.domain.openapi import merge

log = logging.getLogger(__name__)

FETCH_TIMEOUT = 2.0


@dataclass
class _Cached:
    document: dict[str, Any]
    fetched_at: float


class OpenApiMerger:
    def __init__(
        self,
        client: httpx.AsyncClient,
        upstreams: dict[str, str],
        cache_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.upstreams = upstreams
        self.cache_seconds = cache_seconds
        self.clock = clock
        self._cache: dict[str, _Cached] = {}

    async def document(self) -> dict[str, Any]:
        names = list(self.upstreams)
        found = await asyncio.gather(*(self._service_document(name) for name in names))
        available = {name: doc for name, doc in zip(names, found, strict=True) if doc}
        return merge(available, [name for name in names if name not in available])

    async def _service_document(self, service: str) -> dict[str, Any] | None:
        cached = self._cache.get(service)
        if cached and self.clock() - cached.fetched_at < self.cache_seconds:
            return cached.document
        try:
            response = await self.client.get(
                f"{self.upstreams[service]}/openapi.json", timeout=FETCH_TIMEOUT
            )
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as error:
            log.warning("no OpenAPI document from %s: %r", service, error)
            return cached.document if cached else None  # stale beats missing
        self._cache[service] = _Cached(document, self.clock())
        return document
