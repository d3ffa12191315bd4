"""The FastAPI application every service starts from.

It carries the endpoints operations rely on (``/healthz``, ``/readyz``,
``/metrics``), request ids, JSON logs and problem+json errors.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.routing import iter_route_contexts
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram
from starlette.exceptions import HTTPException
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.metrics import latest
from shared.http.openapi import ServiceApp
from shared.http.unicode_body import UnicodeBodyMiddleware
from shared.logs import configure_logging, correlation_id
from shared.problems import install_problem_handlers, problem_response
from shared.settings import ServiceSettings

ReadinessCheck = Callable[[], Awaitable[object]]
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]

REQUESTS = Counter("motcua_http_requests_total", "HTTP requests", ["method", "status"])
LATENCY = Histogram("motcua_http_request_seconds", "HTTP request latency", ["method"])
READINESS_TIMEOUT = 3.0
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestContextMiddleware:
    """The request id (the caller's when it looks like one, else a new one) as the logs'
    correlation id and the response's ``X-Request-ID``, and the two request metrics.

    Pure ASGI: Starlette's ``BaseHTTPMiddleware`` (``@app.middleware``) runs every request
    through an extra task and memory stream, about a quarter of the gateway's time.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = ""
        for name, value in scope.get("headers", []):
            if name == b"x-request-id":
                request_id = value.decode("latin-1")
                break
        if not REQUEST_ID.fullmatch(request_id):  # keep a caller's id only if it looks like one
            request_id = str(uuid.uuid4())
        method = scope["method"]
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                LATENCY.labels(method).observe(time.perf_counter() - started)
                REQUESTS.labels(method, message["status"]).inc()
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != b"x-request-id"
                ]
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        token = correlation_id.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            correlation_id.reset(token)


def create_app(
    service: str,
    readiness: dict[str, ReadinessCheck] | None = None,
    lifespan: Lifespan | None = None,
    store_detail: str | None = None,
    **fastapi_kwargs: Any,
) -> FastAPI:
    """``store_detail``: what a person reads when the service's store cannot be reached."""
    app = ServiceApp(title=f"Một Cửa — {service}", lifespan=lifespan, **fastapi_kwargs)
    checks = readiness or {}
    install_problem_handlers(app, store_detail=store_detail)

    @app.exception_handler(405)
    async def method_not_allowed(request: Request, exc: HTTPException) -> Response:
        """``Allow`` names every method of the path: Starlette's names only the first
        route's, where a path has one route per method (``GET`` and ``PATCH /me``)."""
        allowed = ", ".join(allowed_methods(app, request.url.path)) or "OPTIONS"
        return problem_response(
            405,
            "method-not-allowed",
            "Phương thức không được hỗ trợ.",
            instance=request.url.path,
            headers={"Allow": allowed},
        )

    app.add_middleware(UnicodeBodyMiddleware)  # inside the request context: it has the id
    app.add_middleware(RequestContextMiddleware)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> Response:
        failures = await _failing_checks(checks)
        if failures:
            return problem_response(
                503,
                "not-ready",
                "Dịch vụ chưa sẵn sàng.",
                headers={"Retry-After": "5"},
                extensions={"failing": failures},
            )
        return Response('{"status":"ready"}', media_type="application/json")

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(latest(), media_type=CONTENT_TYPE_LATEST)

    return app


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method some route of ``app`` answers at ``path``."""
    methods: set[str] = set()
    for context in iter_route_contexts(app.routes):
        if context.path and context.methods and compile_path(context.path)[0].match(path):
            methods |= context.methods
    return sorted(methods)


async def _failing_checks(checks: dict[str, ReadinessCheck]) -> dict[str, str]:
    """Run every check at once, so readiness answers within one timeout."""
    results = await asyncio.gather(
        *(asyncio.wait_for(check(), READINESS_TIMEOUT) for check in checks.values()),
        return_exceptions=True,
    )
    return {
        name: f"{type(result).__name__}: {result}"[:300]
        for name, result in zip(checks, results, strict=True)
        if isinstance(result, BaseException)
    }


def serve(app: FastAPI, settings: ServiceSettings, service: str) -> None:
    """Run one service process with JSON logs."""
    configure_logging(service, settings.log_level)
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False)
