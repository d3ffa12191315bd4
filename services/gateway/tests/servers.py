"""Real HTTP servers for the gateway's tests: uvicorn on 127.0.0.1 in a thread."""

from __future__ import annotations

import asyncio
import hashlib
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
STREAM_CHUNKS = [bytes([65 + i]) * 10_000 for i in range(5)]
# The gateway under test: a small body limit and a short upstream timeout.
MAX_BODY = 1024
UPSTREAM_TIMEOUT = 0.5


def upstream_urls(urls: Mapping[str, str]) -> dict[str, Any]:
    """``{"dossier": url}`` as GatewaySettings fields (``dossier_url=url``)."""
    return {f"{name}_url": url for name, url in urls.items()}


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(app: ASGIApp) -> Iterator[str]:
    """Serve ``app`` on a free loopback port for the duration; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_config=None,
            log_level="warning",
            timeout_graceful_shutdown=1,
            proxy_headers=False,
        )  # as the gateway's main() runs
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def echo_app(service: str) -> Starlette:
    """An upstream that answers with what it received, so tests can see what was forwarded."""
    seen: list[str] = []

    async def echo(request: Request) -> Response:
        body = await request.body()
        seen.append(request.url.path)
        return JSONResponse(
            {
                "service": service,
                "method": request.method,
                "raw_path": request.scope["raw_path"].decode(),
                "query": request.scope["query_string"].decode(),
                "headers": {name: value for name, value in request.headers.items()},
                "body_length": len(body),
                "body_sha256": hashlib.sha256(body).hexdigest(),
            }
        )

    async def slow(request: Request) -> Response:
        await asyncio.sleep(2)  # longer than the gateway waits in the tests
        return Response("too late")

    async def stream(request: Request) -> Response:
        async def chunks() -> AsyncIterator[bytes]:
            for chunk in STREAM_CHUNKS:
                yield chunk
                await asyncio.sleep(0.01)

        response = StreamingResponse(chunks(), media_type="application/octet-stream")
        response.set_cookie("a", "1")
        response.set_cookie("b", "2")
        return response

    app = Starlette(
        routes=[
            Route("/api/v1/{name:path}/slow", slow),
            Route("/api/v1/{name:path}/stream", stream),
            Route("/{path:path}", echo, methods=ALL_METHODS),
        ]
    )
    app.state.seen = seen
    return app
