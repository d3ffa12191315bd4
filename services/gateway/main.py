"""Composition root of the gateway, the single entry point: ``python -m services.gateway``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.middleware.cors import CORSMiddleware

from services.gateway import portal
from services.gateway.auth import caller_headers
from services.gateway.counters import PgWindowCounter
from services.gateway.edge import EdgeMiddleware
from services.gateway.openapi import OpenApiMerger
from services.gateway.proxy import Proxy, make_client
from services.gateway.ratelimit import (
    AccountLimitedError,
    Limits,
    RateLimiter,
    RateLimitMiddleware,
)
from services.gateway.routing import service_for
from services.gateway.settings import GatewaySettings
from shared.auth import JwksCache, TokenVerifier, http_jwks_fetcher
from shared.http.app import create_app
from shared.logs import configure_logging
from shared.problems import ProblemError

log = logging.getLogger(__name__)

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
CORS_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"]
CORS_EXPOSED = ["Retry-After", "X-Request-ID", "Location", "Content-Disposition"]


def build_limiter(settings: GatewaySettings) -> tuple[RateLimiter | None, PgWindowCounter | None]:
    """The shared-counter rate limiter and its counter (None, None when off); the counter
    is started (migrated, its pool opened) in the app's lifespan."""
    if not settings.rate_limits_enabled:
        return None, None
    if not settings.postgres_dsn:
        log.warning(
            "rate limits are OFF: no PostgreSQL configured for their counters "
            "(set MOTCUA_POSTGRES_DSN, or MOTCUA_GATEWAY_RATE_LIMITS_ENABLED=false)"
        )
        return None, None
    counter = PgWindowCounter(
        settings.postgres_dsn, settings.pg_schema(), settings.rate_window_seconds
    )
    limits = Limits(
        client=settings.rate_client_per_window,
        account=settings.rate_account_per_window,
        login=settings.rate_login_per_window,
        lookup=settings.rate_lookup_per_window,
        window_seconds=settings.rate_window_seconds,
    )
    return RateLimiter(counter, limits), counter


def build_app(
    settings: GatewaySettings | None = None, *, limiter: RateLimiter | None = None
) -> FastAPI:
    """The gateway; ``limiter`` replaces the one built from settings (tests)."""
    settings = settings or GatewaySettings()
    upstreams = settings.upstreams()
    client = make_client(settings.connect_timeout, settings.upstream_timeout)
    proxy = Proxy(client, upstreams, settings.max_body_bytes, settings.trusted_proxies)
    verifier = TokenVerifier(
        JwksCache(http_jwks_fetcher(client, settings.resolved_jwks_url())),
        issuer=settings.token_issuer,
        audience=settings.token_audience,
    )

    counter = None
    if limiter is None:
        limiter, counter = build_limiter(settings)
    openapi = OpenApiMerger(client, upstreams, settings.openapi_cache_seconds)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if counter is not None:
            await counter.start()
        try:
            yield
        finally:
            await client.aclose()
            if counter is not None:
                await counter.close()

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
    # before they count, then the per-address limits.
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
    app.state.client = client
    app.state.upstreams = upstreams
    app.state.rate_limiter = limiter  # the portal counts its signed-in viewers too

    @app.exception_handler(AccountLimitedError)
    async def account_limited(request: Request, error: AccountLimitedError) -> Response:
        return error.response

    @app.get("/api/v1/openapi.json", include_in_schema=False)
    async def combined_openapi() -> JSONResponse:
        return JSONResponse(
            await openapi.document(), headers={"Cache-Control": "public, max-age=60"}
        )

    app.include_router(portal.build_router(client, upstreams, verifier))

    # Registered last, so /, /healthz, /readyz and /metrics stay the gateway's own.
    @app.api_route("/{path:path}", methods=METHODS, include_in_schema=False)
    async def forward(request: Request) -> Response:
        service = service_for(request.url.path)
        if service is None:
            raise ProblemError(404, "not-found", "Không tìm thấy tài nguyên được yêu cầu.")
        caller = await caller_headers(request, verifier)
        account = caller.get("x-motcua-user-id")
        if account and limiter is not None:
            refused = await limiter.account(account, request.url.path)
            if refused is not None:
                return refused
        return await proxy.forward(request, service, caller)

    return app


def main() -> None:
    settings = GatewaySettings()
    configure_logging("gateway", settings.log_level)
    # uvicorn's own X-Forwarded-* handling would believe any loopback caller; the
    # gateway decides whom to believe itself (settings.trusted_proxies, forwarded.py).
    uvicorn.run(
        build_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
    )
