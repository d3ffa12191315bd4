"""The citizen schemathesis calls as: registered and activated through the suite, as
tests/e2e does, with the headers a request carries to the gateway and to a service."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from shared.auth import JwksCache, TokenVerifier, http_jwks_fetcher
from tests.e2e.journey import Person, log_in, new_citizen, register_and_activate
from tests.e2e.suite import Suite

ISSUER, AUDIENCE = "motcua-identity", "motcua"  # services/gateway/settings.py defaults


@dataclass(frozen=True)
class Caller:
    token: str
    caller_headers: dict[str, str]

    @property
    def bearer(self) -> dict[str, str]:
        """What the gateway receives."""
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def direct(self) -> dict[str, str]:
        """What a service receives: the token, and the caller headers the gateway sets from
        it (until every service verifies the token itself)."""
        return {**self.bearer, **self.caller_headers}


def registered_citizen(suite: Suite) -> Person:
    person = new_citizen("schemathesis")
    register_and_activate(suite, person).close()
    return person


def signed_in(suite: Suite, person: Person) -> Caller:
    """A fresh access token for ``person`` (it lasts minutes: one per run)."""
    session = log_in(suite, person.email, person.password)
    token = session.http.headers["Authorization"].removeprefix("Bearer ")
    session.close()
    return Caller(token, asyncio.run(_verified_headers(suite, token)))


async def _verified_headers(suite: Suite, token: str) -> dict[str, str]:
    """The caller headers from the token's verified claims, as the gateway derives them."""
    url = f"{suite.url('identity')}/.well-known/jwks.json"
    async with httpx.AsyncClient(trust_env=False) as client:
        jwks = JwksCache(http_jwks_fetcher(client, url))
        claims = await TokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE).verify(token)
    return claims.headers()
