"""Access-token verification at the edge.

A request under /api/v1 that carries ``Authorization: Bearer <token>`` is let
through only if the token verifies (shared/auth.py); the same token is then
forwarded, and the service checks it again itself (shared/http/actor.py): the
gateway vouches for no one. Requests without a token pass unauthenticated (public
endpoints exist; the services refuse the rest). Whatever ``Authorization`` a caller
sent is replaced by the verified one (adapters/proxy.py), so only a token that
verified here reaches a service through the gateway.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from shared.auth import AccessClaims, TokenError, TokenVerifier
from shared.http.actor import token_refusal

API_PREFIX = "/api/v1/"


@dataclass(frozen=True)
class Caller:
    claims: AccessClaims
    token: str

    def headers(self) -> dict[str, str]:
        """What the service is sent: the caller's own token, as verified here."""
        return {"authorization": f"Bearer {self.token}"}


async def verified_caller(request: Request, verifier: TokenVerifier) -> Caller | None:
    if not request.url.path.startswith(API_PREFIX):
        return None
    authorization = request.headers.get("authorization")
    if authorization is None:
        authorization = _stream_cookie(request)
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return None  # no service accepts other schemes; the header is not forwarded
    try:
        return Caller(await verifier.verify(token.strip()), token.strip())
    except TokenError as error:
        raise token_refusal(error) from None


# The portal's session cookie (entrypoints/http/portal/session.py) authenticates only the
# notification stream: EventSource cannot send headers, and a GET there changes nothing,
# so the cookie opens no door for cross-site requests (SameSite=Lax besides).
COOKIE_PATHS = frozenset({"/api/v1/notifications/stream"})
ACCESS_COOKIE = "motcua_access"


def _stream_cookie(request: Request) -> str | None:
    token = request.cookies.get(ACCESS_COOKIE)
    if token and request.method == "GET" and request.url.path in COOKIE_PATHS:
        return f"Bearer {token}"
    return None
