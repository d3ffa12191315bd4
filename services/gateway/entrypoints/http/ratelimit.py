"""The rate limits at the HTTP edge: the per-address middleware and the 429 it answers."""

from __future__ import annotations

import logging
from collections.abc import Collection

from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway.application.ratelimit import RateLimiter
from services.gateway.domain.forwarded import client_address
from services.gateway.domain.ratelimit import Exceeded, buckets
from shared.problems import problem_response

log = logging.getLogger(__name__)


def too_many(exceeded: Exceeded, path: str, wants_html: bool) -> Response:
    seconds, detail = exceeded.seconds, exceeded.detail
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
        extensions={"limit": exceeded.limit, "retry_after": seconds},
    )


async def account_refusal(
    limiter: RateLimiter | None, account_id: str, path: str, wants_html: bool = False
) -> Response | None:
    """The 429 for a signed-in account over its limit, else None (also when limits are off)."""
    exceeded = await limiter.account(account_id) if limiter is not None else None
    return too_many(exceeded, path, wants_html) if exceeded else None


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
        log.info("rate limited", extra={"limit": found.limit, "path": path})
        accept = dict(scope.get("headers", [])).get(b"accept", b"").decode("latin-1")
        await too_many(found, path, "text/html" in accept)(scope, receive, send)
