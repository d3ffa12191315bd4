"""Rate limits at the edge: which requests count against which limit, and the 429.

Sliding one-minute windows (the length is a setting) counted in PostgreSQL, one atomic
upsert per counted request (:mod:`services.gateway.counters`), so every gateway
instance sees the same counts and none keeps state of its own. Four limits:

- ``client``: every request of one client address (health and static files excepted);
- ``login``: sign-in, registration, activation and password forms, per address, stricter;
- ``lookup``: the public dossier lookup without login, per address, stricter;
- ``account``: every API request and portal page of one signed-in account, whatever
  its address (checked once the access token or the portal's session cookie verified:
  main.py, portal/web.py).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway.forwarded import client_address
from shared.problems import problem_response

log = logging.getLogger(__name__)

# Forms that guess or spend something per attempt: passwords, emails, captchas.
LOGIN_PATHS = frozenset(
    {
        "/api/v1/auth/login",
        "/api/v1/auth/register",
        "/api/v1/auth/activate",
        "/api/v1/auth/activation/resend",
        "/api/v1/auth/password/forgot",
        "/api/v1/auth/password/reset",
        "/api/v1/auth/refresh",
        "/dang-nhap",
        "/dang-ky",
        "/kich-hoat",
        "/quen-mat-khau",
        "/dat-lai-mat-khau",
    }
)
LOOKUP_PREFIX = "/api/v1/lookup/"
LOOKUP_PAGE = "/tra-cuu"
EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/favicon.ico"})
EXEMPT_PREFIXES = ("/static/",)

DETAILS = {
    "login": "Bạn đã thử đăng nhập, đăng ký hoặc lấy lại mật khẩu quá nhiều lần. "
    "Vui lòng thử lại sau {seconds} giây.",
    "lookup": "Bạn tra cứu hồ sơ quá nhiều lần. Vui lòng thử lại sau {seconds} giây.",
    "client": "Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau {seconds} giây.",
    "account": "Tài khoản của bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau {seconds} giây.",
}


@dataclass(frozen=True)
class Limits:
    """Most requests per window for each limit (0 turns a limit off)."""

    client: int
    account: int
    login: int
    lookup: int
    window_seconds: int

    def of(self, name: str) -> int:
        return int(getattr(self, name))


class Counter(Protocol):
    async def hit(self, key: str, limit: int) -> float | None:
        """Count one request under ``key``; seconds until it may retry when over."""


def buckets(method: str, path: str, query: str, address: str) -> list[tuple[str, str]]:
    """The (limit name, counter key) pairs one anonymous request counts against."""
    if path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES) or method == "OPTIONS":
        return []
    found = [("client", f"client:{address}")]
    if method == "POST" and path.rstrip("/") in LOGIN_PATHS:
        found.append(("login", f"login:{address}"))
    if method == "GET" and (path.startswith(LOOKUP_PREFIX) or (path == LOOKUP_PAGE and query)):
        found.append(("lookup", f"lookup:{address}"))
    return found


def too_many(name: str, retry_after: float, path: str, wants_html: bool) -> Response:
    seconds = max(1, math.ceil(retry_after))
    detail = DETAILS[name].format(seconds=seconds)
    headers = {"Retry-After": str(seconds)}
    if wants_html and not path.startswith("/api/"):
        page = (
            f'<!doctype html><html lang="vi"><meta charset="utf-8"><title>Quá nhiều yêu cầu'
            f"</title><body><h1>Quá nhiều yêu cầu</h1><p>{detail}</p></body></html>"
        )
        return HTMLResponse(page, status_code=429, headers=headers)
    return problem_response(
        429,
        "too-many-requests",
        detail,
        instance=path,
        headers=headers,
        limit=name,
        retry_after=seconds,
    )


class RateLimiter:
    """Counts requests against :class:`Limits` with a shared :class:`Counter`."""

    def __init__(self, counter: Counter, limits: Limits) -> None:
        self.counter = counter
        self.limits = limits

    async def over(self, pairs: list[tuple[str, str]]) -> tuple[str, float] | None:
        """The first limit exceeded and its retry delay, or None; counts every pair."""
        exceeded: tuple[str, float] | None = None
        for name, key in pairs:
            limit = self.limits.of(name)
            if limit <= 0:
                continue
            retry = await self.counter.hit(key, limit)
            if retry is not None and exceeded is None:
                exceeded = (name, retry)
        return exceeded

    async def account(
        self,
        account_id: str,
        path: str,
        wants_html: bool = False,
    ) -> Response | None:
        """The 429 for a signed-in account over its limit, else None."""
        found = await self.over([("account", f"account:{account_id}")])
        return too_many(found[0], found[1], path, wants_html) if found else None


class AccountLimitedError(Exception):
    """A portal page's signed-in viewer is over the account limit: answer ``response``."""

    def __init__(self, response: Response) -> None:
        super().__init__("account rate limit")
        self.response = response


class RateLimitMiddleware:
    """Per-address limits for every request, before any routing (pure ASGI)."""

    def __init__(
        self, app: ASGIApp, limiter: RateLimiter | None, trusted_proxies: Collection[str]
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.trusted = frozenset(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limiter = self.limiter if scope["type"] == "http" else None
        if limiter is None:
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        pairs = buckets(
            scope["method"],
            path,
            scope.get("query_string", b"").decode("latin-1"),
            client_address(scope, self.trusted),
        )
        found = await limiter.over(pairs)
        if found is None:
            await self.app(scope, receive, send)
            return
        log.info("rate limited", extra={"limit": found[0], "path": path})
        accept = dict(scope.get("headers", [])).get(b"accept", b"").decode("latin-1")
        await too_many(found[0], found[1], path, "text/html" in accept)(scope, receive, send)
