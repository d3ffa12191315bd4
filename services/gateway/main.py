"""Composition root of the gateway, the single entry point: ``python -m services.gateway``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

from services.gateway import portal
from services.gateway.auth import caller_headers
from services.gateway.edge import EdgeMiddleware
from services.gateway.proxy import Proxy, make_client
from services.gateway.routing import service_for
from services.gateway.settings import GatewaySettings
from shared.auth import JwksCache, TokenVerifier, http_jwks_fetcher
from shared.http.app import create_app, serve
from shared.problems import ProblemError

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def build_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    upstreams = settings.upstreams()
    client = make_client(settings.connect_timeout, settings.upstream_timeout)
    proxy = Proxy(client, upstreams, settings.max_body_bytes)
    verifier = TokenVerifier(
        JwksCache(http_jwks_fetcher(client, settings.resolved_jwks_url())),
        issuer=settings.token_issuer,
        audience=settings.token_audience,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await client.aclose()

    # No readiness checks: the gateway keeps no state and answers 503 per service
    # that is down, so one broken service never takes the whole entry point out.
    app = create_app(
        "gateway",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # each service documents its own API
    )
    app.add_middleware(EdgeMiddleware)
    app.state.client = client
    app.state.upstreams = upstreams
    app.include_router(portal.build_router(client, upstreams, verifier))

    # Registered last, so /, /healthz, /readyz and /metrics stay the gateway's own.
    @app.api_route("/{path:path}", methods=METHODS, include_in_schema=False)
    async def forward(request: Request) -> Response:
        service = service_for(request.url.path)
        if service is None:
            raise ProblemError(404, "not-found", "Không tìm thấy tài nguyên được yêu cầu.")
        caller = await caller_headers(request, verifier)
        return await proxy.forward(request, service, caller)

    return app


def main() -> None:
    settings = GatewaySettings()
    serve(build_app(settings), settings, "gateway")
