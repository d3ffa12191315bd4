"""What the gateway adds at the edge: security headers (HSTS only over TLS)."""

from __future__ import annotations

from collections.abc import Collection

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.domain.forwarded import is_secure

SECURITY_HEADERS: dict[bytes, bytes] = {
    b"content-security-policy": (
        b"default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    b"x-frame-options": b"DENY",
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"strict-origin-when-cross-origin",
}


class EdgeMiddleware:
    """Outermost layer of the gateway (pure ASGI, so streaming stays streaming)."""

    def __init__(
        self, app: ASGIApp, trusted_proxies: Collection[str] = (), hsts_max_age: int = 0
    ) -> None:
        self.app = app
        self.trusted = frozenset(trusted_proxies)
        self.hsts = f"max-age={hsts_max_age}; includeSubDomains".encode() if hsts_max_age else b""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        edge = dict(SECURITY_HEADERS)
        # RFC 6797 §7.2: HSTS is meaningless (and ignored) over plain HTTP.
        if self.hsts and is_secure(scope, self.trusted):
            edge[b"strict-transport-security"] = self.hsts

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                # A service may send a stricter policy for its own response; keep it.
                message["headers"] = [
                    *message.get("headers", []),
                    *((k, v) for k, v in edge.items() if k not in present),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)
