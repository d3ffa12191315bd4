"""The gateway's HTTP app, the single entry point: ``python -m services.gateway``."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.middleware.cors import CORSMiddleware

from services.gateway import bootstrap
from services.gateway.application.ratelimit import RateLimiter
from services.gateway.domain.routing import service_for
from services.gateway.entrypoints.http import portal
from services.gateway.entrypoints.http.auth import verified_caller
from services.gateway.entrypoints.http.edge import EdgeMiddleware
from services.gateway.entrypoints.http.portal.api import UpstreamCallsMiddleware
from services.gateway.entrypoints.http.ratelimit import (
    AccountLimitedError,
    RateLimitMiddleware,
    account_refusal,
)
from services.gateway.settings import GatewaySettings
from shared.http.app import create_app
from shared.http.metrics import MULTIPROCESS_ENV, fresh_metrics_dir
from shared.logs import configure_logging
from shared.problems import ProblemError

log = logging.getLogger(__name__)

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
CORS_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"]
CORS_EXPOSED = ["Retry-After", "X-Request-ID", "Location", "Content-Disposition"]


def build_app(
    settings: GatewaySettings | None = None, *, limiter: RateLimiter | None = None
) -> FastAPI:
    """The gateway; ``limiter`` replaces the one built from settings (tests)."""
    settings = settings or GatewaySettings()
    gateway = bootstrap.build(settings, limiter=limiter)
    limiter = gateway.limiter

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await gateway.start()
        try:
            yield
        finally:
            await gateway.close()

    # No readiness checks: the gateway keeps no state but its rate-limit counters, which
    # fail open, and answers 503 per service that is down, so one broken service (or
    # the counters' store) never takes the whole entry point out.
    app = create_app(
        "gateway",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # the combined document below replaces FastAPI's own
    )
    # The last added runs first: edge headers on everything, CORS answers preflights
    # before they count, then the per-address limits, then the count of upstream calls.
    app.add_middleware(UpstreamCallsMiddleware)
    app.add_middleware(
        RateLimitMiddleware, limiter=limiter, trusted_proxies=settings.trusted_proxies
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=METHODS,
            allow_headers=CORS_HEADERS,
            expose_headers=CORS_EXPOSED,
            max_age=600,
        )
    app.add_middleware(
        EdgeMiddleware, trusted_proxies=settings.trusted_proxies, hsts_max_age=settings.hsts_max_age
    )
    app.state.rate_limiter = limiter  # the portal counts its signed-in viewers too

    @app.exception_handler(AccountLimitedError)
    async def account_limited(request: Request, error: AccountLimitedError) -> Response:
        return error.response

    @app.get("/api/v1/openapi.json", include_in_schema=False)
    async def combined_openapi() -> JSONResponse:
        return JSONResponse(
            await gateway.openapi.document(), headers={"Cache-Control": "public, max-age=60"}
        )

    app.include_router(
        portal.build_router(
            gateway.client, gateway.upstreams, gateway.verifier, gateway.health, gateway.csrf_key
        )
    )

    # Registered last, so /, /healthz, /readyz and /metrics stay the gateway's own.
    @app.api_route("/{path:path}", methods=METHODS, include_in_schema=False)
    async def forward(request: Request) -> Response:
        service = service_for(request.url.path)
        if service is None:
            raise ProblemError(404, "not-found", "Không tìm thấy tài nguyên được yêu cầu.")
        caller = await verified_caller(request, gateway.verifier)
        if caller is None:
            return await gateway.proxy.forward(request, service)
        refused = await account_refusal(limiter, caller.claims.subject, request.url.path)
        if refused is not None:
            return refused
        return await gateway.proxy.forward(request, service, caller.headers())

    return app


def worker_app() -> FastAPI:
    """The app of one of several worker processes (``workers`` > 1), from the environment."""
    settings = GatewaySettings()
    configure_logging("gateway", settings.log_level)
    return build_app(settings)


def main() -> None:
    settings = GatewaySettings()
    configure_logging("gateway", settings.log_level)
    # uvicorn's own X-Forwarded-* handling would believe any loopback caller; the
    # gateway decides whom to believe itself (settings.trusted_proxies, domain/forwarded.py).
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_config": None,
        "access_log": False,
        "proxy_headers": False,
    }
    if settings.workers == 1:
        uvicorn.run(build_app(settings), **options)
        return
    # Each worker counts its own requests; /metrics sums them from this directory.
    os.environ[MULTIPROCESS_ENV] = str(fresh_metrics_dir(f"gateway-{settings.port}"))
    uvicorn.run(f"{__name__}:worker_app", factory=True, workers=settings.workers, **options)
