"""Access-token verification at the edge.

A request under /api/v1 that carries ``Authorization: Bearer <token>`` is let
through only if the token verifies (shared/auth.py); the caller headers that
services read are then set from its claims. Requests without a token pass
unauthenticated (public endpoints exist); the caller headers are always
stripped from what callers send (adapters/proxy.py), so they cannot be forged.
"""

from __future__ import annotations

import logging

from fastapi import Request

from shared.auth import TokenError, TokenVerifier
from shared.problems import ProblemError

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1/"


async def caller_headers(request: Request, verifier: TokenVerifier) -> dict[str, str]:
    if not request.url.path.startswith(API_PREFIX):
        return {}
    authorization = request.headers.get("authorization")
    if authorization is None:
        authorization = _stream_cookie(request)
    if authorization is None:
        return {}
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return {}  # not ours to judge (no service accepts other schemes)
    if not token.strip():
        raise _unauthenticated("malformed")
    try:
        claims = await verifier.verify(token.strip())
    except TokenError as error:
        if error.reason == "jwks_unavailable":  # identity is down: not the caller's fault
            raise ProblemError(
                503,
                "service-unavailable",
                "Dịch vụ đăng nhập tạm thời không phản hồi, vui lòng thử lại sau.",
                headers={"Retry-After": "5"},
            ) from None
        raise _unauthenticated(error.reason) from None
    return claims.headers()


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


def _unauthenticated(reason: str) -> ProblemError:
    log.info("access token refused", extra={"reason": reason})  # never the token itself
    detail = (
        "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại."
        if reason == "expired"
        else "Mã truy cập không hợp lệ, vui lòng đăng nhập lại."
    )
    return ProblemError(
        401,
        "invalid-token",
        detail,
        headers={
            "WWW-Authenticate": 'Bearer error="invalid_token"',
        },
    )
