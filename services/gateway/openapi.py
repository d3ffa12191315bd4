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
import copy
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from services.gateway.routing import SERVICES, service_for

log = logging.getLogger(__name__)

FETCH_TIMEOUT = 2.0
SCHEMA_REF = "#/components/schemas/"


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
        return document  # type: ignore[no-any-return]


def merge(documents: dict[str, dict[str, Any]], unavailable: list[str]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    tags: dict[str, dict[str, Any]] = {}
    for service, original in documents.items():
        document = copy.deepcopy(original)
        own = document.get("components", {}).get("schemas", {})
        renames = {
            name: f"{service}.{name}"
            for name, schema in own.items()
            if name in schemas and schemas[name] != schema
        }
        if renames:
            document = _rewrite_refs(document, renames)
            own = document.get("components", {}).get("schemas", {})
        for name, schema in own.items():
            schemas[renames.get(name, name)] = schema
        for path, operations in document.get("paths", {}).items():
            if service_for(path) != service:
                continue  # not reachable through the gateway
            paths[path] = operations
            for operation in operations.values():
                for tag in operation.get("tags", []) if isinstance(operation, dict) else []:
                    tags.setdefault(tag, {"name": tag, "x-motcua-service": service})
    result: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Một Cửa — API",
            "version": "1",
            "description": "Mọi API của hệ thống Một Cửa qua cổng duy nhất (gateway). "
            "Lỗi trả về dạng application/problem+json (RFC 9457).",
        },
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
        "security": [{}, {"bearer": []}],
        "tags": [tags[name] for name in sorted(tags)],
        "x-motcua-services": {name: SERVICES[name] for name in documents},
    }
    if unavailable:
        result["x-motcua-unavailable"] = sorted(unavailable)
    return result


def _rewrite_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(SCHEMA_REF):
                name = value.removeprefix(SCHEMA_REF)
                value = SCHEMA_REF + renames.get(name, name)
            out[key] = _rewrite_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item, renames) for item in node]
    return node
