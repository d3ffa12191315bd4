"""The streaming reverse proxy: one shared httpx client, bodies never buffered whole."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Collection

import httpx
from fastapi import Request, Response
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from services.gateway.domain.forwarded import forwarded_chain, is_secure
from services.gateway.domain.routing import SERVICES
from shared.logs import correlation_id
from shared.problems import problem_response

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = "5"

# RFC 9110 §7.6.1: meaningful for one connection only, never forwarded.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
# Headers that once named the caller: no service reads them any more (each verifies the
# access token itself), and none is passed on, so nothing downstream can be misled by them.
IDENTITY_HEADERS = frozenset(
    {"x-motcua-user-id", "x-motcua-role", "x-motcua-agency", "x-motcua-officer-roles"}
)
# The gateway sets these itself (X-Forwarded-For is extended, not replaced; Authorization
# only from a token it verified, see entrypoints/http/auth.py).
SET_BY_GATEWAY = frozenset(
    {
        "authorization",
        "host",
        "expect",
        "x-request-id",
        "x-forwarded-for",
        "x-forwarded-proto",
        "x-forwarded-host",
    }
)
NOT_FORWARDED = HOP_BY_HOP | IDENTITY_HEADERS | SET_BY_GATEWAY


class PayloadTooLargeError(Exception):
    pass


def make_client(connect_timeout: float, upstream_timeout: float) -> httpx.AsyncClient:
    client = httpx.AsyncClient(
        timeout=httpx.Timeout(upstream_timeout, connect=connect_timeout, pool=connect_timeout),
        follow_redirects=False,
        trust_env=False,  # an HTTP(S)_PROXY variable must not reroute internal traffic
    )
    # Forward what the caller sent, not httpx's defaults: an Accept-Encoding the
    # caller never asked for would hand it a compressed body it cannot read.
    for name in ("accept", "accept-encoding", "user-agent"):
        del client.headers[name]
    return client


class Proxy:
    def __init__(
        self,
        client: httpx.AsyncClient,
        upstreams: dict[str, str],
        max_body: int,
        trusted_proxies: Collection[str] = (),
    ) -> None:
        self.client = client
        self.upstreams = upstreams
        self.max_body = max_body
        self.trusted = frozenset(trusted_proxies)

    async def forward(
        self, request: Request, service: str, caller: dict[str, str] | None = None
    ) -> Response:
        """Forward ``request``; ``caller`` is the Authorization of the verified token."""
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            return self._too_large(request)
        upstream_request = self.client.build_request(
            request.method,
            self._url(request, service),
            headers=self._upstream_headers(request) + list((caller or {}).items()),
            content=self._body(request) if _has_body(request) else None,
        )
        try:
            upstream = await self.client.send(upstream_request, stream=True)
        except PayloadTooLargeError:
            return self._too_large(request)
        except httpx.TransportError as error:
            log.warning("upstream %s failed: %r", service, error, extra={"upstream": service})
            return problem_response(
                503,
                "service-unavailable",
                f"Dịch vụ {SERVICES[service]} tạm thời không phản hồi, vui lòng thử lại sau.",
                instance=request.url.path,
                headers={"Retry-After": RETRY_AFTER_SECONDS},
                extensions={"service": service},
            )
        response = StreamingResponse(
            _relay(upstream, service),
            upstream.status_code,
            background=BackgroundTask(upstream.aclose),
        )
        dropped = _dropped_response_headers(upstream.headers)
        response.raw_headers = [
            (name.lower(), value)
            for name, value in upstream.headers.raw
            if name.lower() not in dropped
        ]
        return response

    def _url(self, request: Request, service: str) -> str:
        # The raw path keeps the caller's percent-encoding (an encoded "/" stays encoded).
        path = request.scope.get("raw_path") or request.url.path.encode()
        query = request.scope.get("query_string", b"")
        url = self.upstreams[service] + path.decode("latin-1")
        return f"{url}?{query.decode('latin-1')}" if query else url

    def _upstream_headers(self, request: Request) -> list[tuple[str, str]]:
        connection_tokens = _connection_tokens(request.headers.get("connection", ""))
        headers = [
            (name, value)
            for name, value in request.headers.items()
            if name not in NOT_FORWARDED and name not in connection_tokens
        ]
        headers += [
            ("x-request-id", correlation_id.get() or ""),
            ("x-forwarded-for", ", ".join(forwarded_chain(request.scope, self.trusted))),
            (
                "x-forwarded-proto",
                "https" if is_secure(request.scope, self.trusted) else request.url.scheme,
            ),
            ("x-forwarded-host", request.headers.get("host", "")),
        ]
        return headers

    async def _body(self, request: Request) -> AsyncIterator[bytes]:
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > self.max_body:
                raise PayloadTooLargeError
            yield chunk

    def _too_large(self, request: Request) -> Response:
        mib = self.max_body / (1024 * 1024)
        return problem_response(
            413,
            "payload-too-large",
            f"Dữ liệu gửi lên vượt quá giới hạn {mib:g} MiB.",
            instance=request.url.path,
            extensions={"max_bytes": self.max_body},
        )


def _has_body(request: Request) -> bool:
    return "content-length" in request.headers or "transfer-encoding" in request.headers


def _connection_tokens(value: str) -> set[str]:
    return {token.strip().lower() for token in value.split(",") if token.strip()}


def _dropped_response_headers(headers: httpx.Headers) -> set[bytes]:
    # uvicorn adds its own Date and Server; the upstream's would be duplicates.
    tokens = _connection_tokens(headers.get("connection", ""))
    return {name.encode() for name in HOP_BY_HOP | tokens | {"date", "server"}}


async def _relay(upstream: httpx.Response, service: str) -> AsyncIterator[bytes]:
    try:
        async for chunk in upstream.aiter_raw():
            yield chunk
    except httpx.TransportError as error:
        # The status line is already sent: abort the response rather than let a
        # truncated body look complete to the caller.
        log.warning("upstream %s broke off its body: %r", service, error)
        raise
    finally:
        await upstream.aclose()
