"""The FastAPI application every service starts from.

It carries the endpoints operations rely on (``/healthz``, ``/readyz``,
``/metrics``), request ids, JSON logs and problem+json errors.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

from shared.logs import configure_logging, correlation_id
from shared.problems import install_problem_handlers, problem_response
from shared.settings import ServiceSettings

ReadinessCheck = Callable[[], Awaitable[object]]
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]

REQUESTS = Counter("motcua_http_requests_total", "HTTP requests", ["method", "status"])
LATENCY = Histogram("motcua_http_request_seconds", "HTTP request latency", ["method"])
READINESS_TIMEOUT = 3.0


def create_app(
    service: str,
    readiness: dict[str, ReadinessCheck] | None = None,
    lifespan: Lifespan | None = None,
    **fastapi_kwargs: Any,
) -> FastAPI:
    app = FastAPI(title=f"Một Cửa — {service}", lifespan=lifespan, **fastapi_kwargs)
    checks = readiness or {}
    install_problem_handlers(app)

    @app.middleware("http")
    async def _request_context(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request_id = request.headers.get("x-request-id") or str(uuid.uuid4())
        token = correlation_id.set(request_id)
        started = time.perf_counter()
        try:
            response = await call_next(request)
        finally:
            correlation_id.reset(token)
        LATENCY.labels(request.method).observe(time.perf_counter() - started)
        REQUESTS.labels(request.method, response.status_code).inc()
        response.headers["X-Request-ID"] = request_id
        return response

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> Response:
        failures = await _failing_checks(checks)
        if failures:
            return problem_response(
                503, "not-ready", "Dịch vụ chưa sẵn sàng.", headers={"Retry-After": "5"},
                failing=failures,
            )
        return Response('{"status":"ready"}', media_type="application/json")

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app


async def _failing_checks(checks: dict[str, ReadinessCheck]) -> dict[str, str]:
    failures: dict[str, str] = {}
    for name, check in checks.items():
        try:
            await asyncio.wait_for(check(), READINESS_TIMEOUT)
        except Exception as error:
            failures[name] = f"{type(error).__name__}: {error}"[:300]
    return failures


def serve(app: FastAPI, settings: ServiceSettings, service: str) -> None:
    """Run one service process with JSON logs."""
    configure_logging(service, settings.log_level)
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False)
