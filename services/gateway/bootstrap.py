"""The gateway's composition root: the one module that builds the concrete adapters
(the upstream HTTP client and proxy, the JWKS fetching of the token verifier, the
PostgreSQL rate-limit counters, the OpenAPI fetcher, the health probe, the portal's CSRF
key) from the settings
and hands them to the entrypoints."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx

from services.gateway.adapters.counters import PgWindowCounter
from services.gateway.adapters.health import CachedHealthProbe
from services.gateway.adapters.openapi import OpenApiMerger
from services.gateway.adapters.proxy import Proxy, make_client
from services.gateway.application.ratelimit import RateLimiter
from services.gateway.domain.ratelimit import Limits
from services.gateway.settings import GatewaySettings
from shared.auth import JwksCache, TokenVerifier, http_jwks_fetcher
from shared.secret_file import load_or_create_secret
from shared.settings import state_dir

log = logging.getLogger(__name__)


@dataclass
class Gateway:
    """Everything the gateway's HTTP process runs on; ``start``/``close`` in its lifespan."""

    upstreams: dict[str, str]
    client: httpx.AsyncClient
    proxy: Proxy
    verifier: TokenVerifier
    openapi: OpenApiMerger
    limiter: RateLimiter | None
    counter: PgWindowCounter | None
    health: CachedHealthProbe
    csrf_key: bytes

    async def start(self) -> None:
        if self.counter is not None:
            await self.counter.start()

    async def close(self) -> None:
        await self.client.aclose()
        if self.counter is not None:
            await self.counter.close()


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


def build(settings: GatewaySettings, *, limiter: RateLimiter | None = None) -> Gateway:
    """The gateway's parts; ``limiter`` replaces the one built from settings (tests)."""
    upstreams = settings.upstreams()
    client = make_client(settings.connect_timeout, settings.upstream_timeout)
    counter = None
    if limiter is None:
        limiter, counter = build_limiter(settings)
    return Gateway(
        upstreams=upstreams,
        client=client,
        proxy=Proxy(client, upstreams, settings.max_body_bytes, settings.trusted_proxies),
        verifier=TokenVerifier(
            JwksCache(http_jwks_fetcher(client, settings.resolved_jwks_url())),
            issuer=settings.token_issuer,
            audience=settings.token_audience,
        ),
        openapi=OpenApiMerger(client, upstreams, settings.openapi_cache_seconds),
        limiter=limiter,
        counter=counter,
        health=CachedHealthProbe(client, upstreams),
        csrf_key=csrf_key(settings),
    )


def csrf_key(settings: GatewaySettings) -> bytes:
    """The portal's CSRF key: the configured secret, else a key file in the state dir
    (shared by the workers of one host; several hosts need the secret)."""
    if settings.csrf_secret:
        return settings.csrf_secret.encode()
    return load_or_create_secret(state_dir() / "gateway" / "csrf.key")
