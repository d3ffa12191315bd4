"""The portal's CSRF tokens: a signed double-submit cookie bound to the session.

A token is ``<nonce>.<mac>``, the mac an HMAC-SHA256 under the gateway's CSRF key of
the nonce and the session it was issued to: the verified access token's session id and
account, or ``-`` before sign-in. It is kept in an HttpOnly cookie and put in every form
(or the ``X-CSRF-Token`` header of the page's uploads); a post passes only when the two
are equal *and* the mac holds for the session posting. So a value another site plants
(it has no key), a token of another session (copied, or planted after the attacker's own
sign-in) and a missing one are all refused; a page rendered after sign-in or sign-out
issues a new token for the new session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from fastapi import Request

from services.gateway.entrypoints.http.portal.session import Viewer, pending_cookies

CSRF_COOKIE = "motcua_csrf"
COOKIE_SECONDS = 86400 * 7


def _binding(viewer: Viewer | None) -> str:
    if viewer is None:
        return "-"
    return f"{viewer.claims.session_id or ''}:{viewer.id}"


def _mac(key: bytes, binding: str, nonce: str) -> str:
    digest = hmac.new(key, f"csrf|{binding}|{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _signed(key: bytes, binding: str, token: str) -> bool:
    nonce, _, mac = token.partition(".")
    if not nonce or not mac:
        return False
    return hmac.compare_digest(_mac(key, binding, nonce).encode(), mac.encode())


def _key(request: Request) -> bytes:
    key: bytes = request.state.portal.csrf_key
    return key


def csrf_token(request: Request, viewer: Viewer | None) -> str:
    """The token for the forms of this page: the cookie's when it is this session's,
    else a new one (set as the cookie on the way out)."""
    binding = _binding(viewer)
    held: tuple[str, str] | None = getattr(request.state, "csrf", None)
    if held is not None and held[0] == binding:
        return held[1]
    key = _key(request)
    token = request.cookies.get(CSRF_COOKIE, "")
    if not _signed(key, binding, token):
        nonce = secrets.token_urlsafe(18)
        token = f"{nonce}.{_mac(key, binding, nonce)}"
        pending_cookies(request).append((CSRF_COOKIE, token, COOKIE_SECONDS))
    request.state.csrf = (binding, token)
    return token


def csrf_ok(request: Request, submitted: str | None, viewer: Viewer | None) -> bool:
    """Whether a post of ``viewer``'s session carries its own signed token twice."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted:
        return False
    if not hmac.compare_digest(cookie.encode(), submitted.encode()):  # any text, not only ASCII
        return False
    return _signed(_key(request), _binding(viewer), cookie)
