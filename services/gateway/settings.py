from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.gateway.domain.routing import SERVICES
from shared.settings import ServiceSettings

MIB = 1024 * 1024


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_GATEWAY_")

    port: int = Field(8000, description="HTTP port of the single entry point.")
    workers: int = Field(
        1,
        ge=1,
        le=64,
        description="Processes serving the entry point (one event loop each; the gateway "
        "keeps no state of its own, so one per core lets it use them all).",
    )
    identity_url: str | None = Field(None, description="Base URL of the identity service.")
    catalog_url: str | None = Field(None, description="Base URL of the catalog service.")
    dossier_url: str | None = Field(None, description="Base URL of the dossier service.")
    payment_url: str | None = Field(None, description="Base URL of the payment service.")
    notify_url: str | None = Field(None, description="Base URL of the notify service.")
    max_body_bytes: int = Field(
        20 * MIB, gt=0, description="Largest request body forwarded; larger ones get 413."
    )
    connect_timeout: float = Field(
        2.0, gt=0, description="Seconds to connect to an upstream before answering 503."
    )
    upstream_timeout: float = Field(
        30.0, gt=0, description="Seconds an upstream may take to send or receive data."
    )

    jwks_url: str | None = Field(
        None, description="identity's JWKS; defaults to <identity_url>/.well-known/jwks.json."
    )
    token_issuer: str = Field("motcua-identity", description="Expected `iss` of access tokens.")
    token_audience: str = Field("motcua", description="Expected `aud` of access tokens.")

    csrf_secret: str | None = Field(
        None,
        min_length=32,
        description="HMAC key of the portal's CSRF tokens; else a key generated into "
        "$MOTCUA_STATE_DIR/gateway/csrf.key. Gateways on several hosts need the same one.",
    )

    trusted_proxies: list[str] = Field(
        [],
        description="Addresses of proxies in front of the gateway (TLS terminator, load "
        "balancer) whose X-Forwarded-For and X-Forwarded-Proto are believed.",
    )
    cors_origins: list[str] = Field(
        [], description="Origins allowed to call the API from a browser (CORS); none by default."
    )
    hsts_max_age: int = Field(
        31_536_000,
        ge=0,
        description="Strict-Transport-Security max-age (seconds), sent only "
        "over TLS (directly or X-Forwarded-Proto https from a trusted proxy); 0 sends none.",
    )
    openapi_cache_seconds: float = Field(
        60.0, ge=0, description="How long each service's OpenAPI document is reused."
    )

    rate_limits_enabled: bool = Field(
        True,
        description="Count requests against the limits below (in PostgreSQL: "
        "postgres_dsn, schema pg_schema(), `gateway` by default).",
    )
    rate_window_seconds: int = Field(60, ge=1, description="Length of a counting window.")
    rate_client_per_window: int = Field(
        1200, ge=0, description="Requests per window from one client address (0: no limit)."
    )
    rate_account_per_window: int = Field(
        600, ge=0, description="API requests per window of one signed-in account."
    )
    rate_login_per_window: int = Field(
        120,
        ge=0,
        description="Sign-in, registration, activation and password requests per "
        "window from one client address.",
    )
    rate_lookup_per_window: int = Field(
        120, ge=0, description="Public dossier lookups per window from one client address."
    )

    def resolved_jwks_url(self) -> str:
        if self.jwks_url:
            return self.jwks_url
        if not self.identity_url:
            raise RuntimeError("set MOTCUA_GATEWAY_IDENTITY_URL or MOTCUA_GATEWAY_JWKS_URL")
        return f"{self.identity_url.rstrip('/')}/.well-known/jwks.json"

    def upstreams(self) -> dict[str, str]:
        """Base URL of every routed service, without a trailing slash."""
        missing = [s for s in SERVICES if not getattr(self, f"{s}_url")]
        if missing:
            names = ", ".join(f"MOTCUA_GATEWAY_{s.upper()}_URL" for s in missing)
            raise RuntimeError(f"upstream URLs are not configured: set {names}")
        return {s: getattr(self, f"{s}_url").rstrip("/") for s in SERVICES}
