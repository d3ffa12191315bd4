"""Access-token verification every service and the gateway share.

Tokens are JWTs signed by identity (EdDSA/Ed25519 by default). A token is
accepted only if its header's ``alg`` is on the allow-list (never ``none``,
never an HMAC algorithm that a public key could be abused as the secret of),
its ``typ`` is ``at+jwt`` (RFC 9068, so a refresh or other token cannot pass
as an access token), its ``kid`` names a key in identity's JWKS, and its
signature, ``exp``, ``nbf``, ``iss`` and ``aud`` check out.

The JWKS is fetched over HTTP and cached. An unknown ``kid`` (identity
rotated its key) triggers a refetch, at most once per ``min_refetch_seconds``
so that a flood of forged ``kid`` values cannot turn into a flood of
requests to identity.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt

from shared.events.envelope import Actor
from shared.settings import TokenSettings

ACCESS_TOKEN_TYPE = "at+jwt"
ALLOWED_ALGORITHMS = ("EdDSA", "RS256")
ROLES = frozenset({"citizen", "organisation", "officer", "auditor", "admin"})

UNAVAILABLE_RETRY_SECONDS = 1.0

JwksFetcher = Callable[[], Awaitable[dict[str, Any]]]


class TokenError(Exception):
    """The token is not acceptable; ``reason`` is a stable code, never the token."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AccessClaims:
    subject: str
    role: str
    agency: str | None
    officer_roles: tuple[str, ...]
    session_id: str | None
    expires_at: int
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    def actor(self) -> Actor:
        return Actor(
            id=self.subject, role=self.role, agency=self.agency, officer_roles=self.officer_roles
        )


def http_jwks_fetcher(client: httpx.AsyncClient, url: str, timeout: float = 3.0) -> JwksFetcher:
    async def fetch() -> dict[str, Any]:
        response = await client.get(url, timeout=timeout)
        response.raise_for_status()
        body = response.json()
        if not isinstance(body, dict) or not isinstance(body.get("keys"), list):
            raise ValueError("not a JWK set")
        return body

    return fetch


def url_jwks_fetcher(url: str, timeout: float = 3.0) -> JwksFetcher:
    """A fetcher with a client of its own per fetch: fetches are minutes apart, so a
    service needs no client (and no lifespan to close it) just for them."""

    async def fetch() -> dict[str, Any]:
        async with httpx.AsyncClient(trust_env=False) as client:
            return await http_jwks_fetcher(client, url, timeout)()

    return fetch


def remote_verifier(settings: TokenSettings) -> TokenVerifier:
    """The verifier of a service that checks its callers' tokens against identity's JWKS
    (refuses to build without ``jwks_url``: a service must never start unable to check)."""
    return TokenVerifier(
        JwksCache(url_jwks_fetcher(settings.require_jwks_url())),
        issuer=settings.token_issuer,
        audience=settings.token_audience,
    )


class JwksCache:
    def __init__(
        self,
        fetch: JwksFetcher,
        *,
        ttl_seconds: float = 300.0,
        min_refetch_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.fetch = fetch
        self.ttl = ttl_seconds
        self.min_refetch = min_refetch_seconds
        self.clock = clock
        self.keys: dict[str, jwt.PyJWK] = {}
        self.fetched_at: float | None = None
        self.fetches = 0
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> jwt.PyJWK:
        now = self.clock()
        stale = self.fetched_at is None or now - self.fetched_at > self.ttl
        if stale or (kid not in self.keys and now - (self.fetched_at or 0) >= self._hold_off()):
            await self._refresh()
        if not self.keys:  # identity has not answered yet: unavailable, not a forgery
            raise TokenError("jwks_unavailable")
        try:
            return self.keys[kid]
        except KeyError:
            raise TokenError("unknown_key") from None

    def _hold_off(self) -> float:
        """Seconds between fetches for an unknown kid; short while no key was ever had,
        so a service started before identity accepts tokens soon after identity is up."""
        return self.min_refetch if self.keys else min(self.min_refetch, UNAVAILABLE_RETRY_SECONDS)

    async def _refresh(self) -> None:
        async with self._lock:
            now = self.clock()
            if self.fetched_at is not None and now - self.fetched_at < min(
                self._hold_off(), self.ttl
            ):
                return  # another caller refreshed meanwhile
            try:
                body = await self.fetch()
            except (httpx.HTTPError, ValueError) as error:
                if not self.keys:
                    raise TokenError("jwks_unavailable") from error
                return  # keep serving the keys we have
            finally:
                self.fetched_at = now
                self.fetches += 1
            keys: dict[str, jwt.PyJWK] = {}
            for jwk in body["keys"]:
                if not isinstance(jwk, dict) or "kid" not in jwk or jwk.get("use", "sig") != "sig":
                    continue
                try:
                    keys[jwk["kid"]] = jwt.PyJWK(jwk)
                except jwt.PyJWTError:
                    continue  # a key type we cannot use is not fatal for the others
            self.keys = keys


class TokenVerifier:
    def __init__(
        self,
        jwks: JwksCache,
        *,
        issuer: str,
        audience: str,
        algorithms: tuple[str, ...] = ("EdDSA",),
        leeway_seconds: int = 30,
    ) -> None:
        if not set(algorithms) <= set(ALLOWED_ALGORITHMS):
            raise ValueError(f"algorithms must be among {ALLOWED_ALGORITHMS}")
        self.jwks = jwks
        self.issuer = issuer
        self.audience = audience
        self.algorithms = algorithms
        self.leeway = leeway_seconds

    async def verify(self, token: str) -> AccessClaims:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenError("malformed") from None
        algorithm = header.get("alg")
        if algorithm not in self.algorithms:
            raise TokenError("algorithm_not_allowed")
        if str(header.get("typ", "")).lower() != ACCESS_TOKEN_TYPE:
            raise TokenError("wrong_type")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenError("unknown_key")
        key = await self.jwks.key(kid)
        if key.algorithm_name != algorithm:
            raise TokenError("algorithm_not_allowed")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise TokenError("expired") from None
        except jwt.InvalidSignatureError:
            raise TokenError("bad_signature") from None
        except jwt.PyJWTError:
            raise TokenError("invalid_claims") from None
        return _claims(claims)


def _claims(claims: dict[str, Any]) -> AccessClaims:
    role = claims.get("role")
    if role not in ROLES:
        raise TokenError("invalid_claims")
    roles = claims.get("officer_roles") or []
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise TokenError("invalid_claims")
    agency = claims.get("agency")
    return AccessClaims(
        subject=str(claims["sub"]),
        role=role,
        agency=agency if isinstance(agency, str) and agency else None,
        officer_roles=tuple(roles),
        session_id=claims.get("sid"),
        expires_at=int(claims["exp"]),
        raw=claims,
    )
