"""The caller, as every service verifies it: the access token in ``Authorization: Bearer``.

The gateway forwards the caller's own access token (the portal the one it keeps in the
session cookie); the service checks it itself with the shared verifier
(``shared.auth.TokenVerifier``, against identity's JWKS) that its app keeps in
``app.state.verifier``, and builds the :class:`Actor` from the verified claims only.
No header naming a user or a role is read: a request that reaches a service past the
gateway is no more trusted than one through it (docs/decisions.md, "Every service
verifies its caller").
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.auth import AccessClaims, TokenError, TokenVerifier
from shared.events.envelope import Actor
from shared.problems import ProblemError

log = logging.getLogger(__name__)

bearer = HTTPBearer(
    scheme_name="bearer",  # the name the gateway's combined document gives it too
    auto_error=False,
    description="The access token identity issued at sign-in (a JWT, `typ` at+jwt).",
)
EXPIRED = "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại."
INVALID = "Mã truy cập không hợp lệ, vui lòng đăng nhập lại."
SIGN_IN = "Bạn cần đăng nhập để thực hiện thao tác này."
KEYS_UNAVAILABLE = "Dịch vụ đăng nhập tạm thời không phản hồi, vui lòng thử lại sau."


def token_refusal(error: TokenError) -> ProblemError:
    """The answer to a token that did not verify; the reason is logged, never the token."""
    if error.reason == "jwks_unavailable":  # identity is down: not the caller's fault
        return ProblemError(
            503, "service-unavailable", KEYS_UNAVAILABLE, headers={"Retry-After": "5"}
        )
    log.info("access token refused", extra={"reason": error.reason})
    return ProblemError(
        401,
        "invalid-token",
        EXPIRED if error.reason == "expired" else INVALID,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


async def current_claims(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> AccessClaims:
    if credentials is None or not credentials.credentials.strip():
        raise ProblemError(401, "unauthenticated", SIGN_IN, headers={"WWW-Authenticate": "Bearer"})
    verifier: TokenVerifier = request.app.state.verifier
    try:
        return await verifier.verify(credentials.credentials.strip())
    except TokenError as error:
        raise token_refusal(error) from None


def current_actor(claims: Annotated[AccessClaims, Depends(current_claims)]) -> Actor:
    return claims.actor()


CurrentClaims = Annotated[AccessClaims, Depends(current_claims)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
