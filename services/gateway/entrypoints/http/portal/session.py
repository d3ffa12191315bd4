"""The browser session: identity's tokens in HttpOnly cookies (CSRF tokens: ``csrf.py``).

The gateway keeps no state: the access token is verified on every request (the
JWKS cache of shared.auth), and an expired one is refreshed server-side with
the refresh token, the new pair replacing the cookies on the way out. Pages call
the services with that access token (``Viewer.headers``), which they verify again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request, Response

from services.gateway.entrypoints.http.portal.api import ServiceDownError, Services
from shared.auth import AccessClaims, TokenError, TokenVerifier

ACCESS_COOKIE = "motcua_access"
REFRESH_COOKIE = "motcua_refresh"
CITIZEN_ROLES = frozenset({"citizen", "organisation"})


@dataclass(frozen=True)
class Viewer:
    claims: AccessClaims
    token: str = field(repr=False)

    @property
    def id(self) -> str:
        return self.claims.subject

    @property
    def role(self) -> str:
        return self.claims.role

    @property
    def agency(self) -> str | None:
        return self.claims.agency

    @property
    def officer_roles(self) -> tuple[str, ...]:
        return self.claims.officer_roles

    @property
    def is_citizen(self) -> bool:
        return self.role in CITIZEN_ROLES

    @property
    def is_officer(self) -> bool:
        return self.role == "officer"

    @property
    def is_auditor(self) -> bool:
        return self.role in ("auditor", "admin")

    def headers(self) -> dict[str, str]:
        """The viewer's access token, for the services to verify themselves."""
        return {"authorization": f"Bearer {self.token}"}


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def _secure(request: Request) -> bool:
    proto = request.headers.get("x-forwarded-proto", request.url.scheme)
    return proto == "https"


def pending_cookies(request: Request) -> list[tuple[str, str | None, int]]:
    """The cookies to set (or delete: ``None``) on this request's response."""
    if not hasattr(request.state, "cookies"):
        request.state.cookies = []
    pending: list[tuple[str, str | None, int]] = request.state.cookies
    return pending


def store_tokens(request: Request, tokens: dict[str, Any]) -> None:
    pending = pending_cookies(request)
    pending.append(
        (
            ACCESS_COOKIE,
            str(tokens["access_token"]),
            int(tokens.get("refresh_expires_in") or tokens.get("expires_in") or 600),
        )
    )
    pending.append(
        (
            REFRESH_COOKIE,
            str(tokens["refresh_token"]),
            int(tokens.get("refresh_expires_in") or 86400),
        )
    )


def clear_tokens(request: Request) -> None:
    pending = pending_cookies(request)
    pending.append((ACCESS_COOKIE, None, 0))
    pending.append((REFRESH_COOKIE, None, 0))


def apply_cookies(request: Request, response: Response) -> Response:
    secure = _secure(request)
    for name, value, max_age in pending_cookies(request):
        if value is None:
            response.delete_cookie(name, path="/", secure=secure, httponly=True, samesite="lax")
        else:
            response.set_cookie(
                name, value, max_age=max_age, path="/", secure=secure, httponly=True, samesite="lax"
            )
    return response


async def current_viewer(
    request: Request, verifier: TokenVerifier, services: Services
) -> Viewer | None:
    if hasattr(request.state, "viewer"):
        viewer: Viewer | None = request.state.viewer
        return viewer
    viewer = None
    access = request.cookies.get(ACCESS_COOKIE)
    if access:
        try:
            viewer = Viewer(await verifier.verify(access), access)
        except TokenError:
            viewer = None
    if viewer is None and request.cookies.get(REFRESH_COOKIE):
        viewer = await _refresh(request, verifier, services)
    request.state.viewer = viewer
    return viewer


async def _refresh(request: Request, verifier: TokenVerifier, services: Services) -> Viewer | None:
    try:
        answer = await services.call(
            "POST",
            "identity",
            "/api/v1/auth/refresh",
            json={"refresh_token": request.cookies[REFRESH_COOKIE]},
            client_ip=client_ip(request),
        )
    except ServiceDownError:
        return None
    if not answer.ok or not isinstance(answer.body, dict):
        clear_tokens(request)
        return None
    store_tokens(request, answer.body)
    try:
        token = str(answer.body["access_token"])
        return Viewer(await verifier.verify(token), token)
    except TokenError:
        return None
