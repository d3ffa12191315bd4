"""No log line keeps a secret: a real uvicorn server with its access log on and an httpx
client calling it, logging through ``configure_logging`` as every service does; the
lines read back have the names of sensitive query parameters but none of their values,
and no token or cookie."""

from __future__ import annotations

import io
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request

from shared.http.app import create_app
from shared.logs import REDACTED, configure_logging, redact

SECRETS = (
    "1234",
    "NB-260301-ABCDEFGHJ",
    "tok-123",
    "s3cr3t",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln",
)
QUERY = (
    "/api/v1/lookup/x?id_last4=1234&q=h%E1%BB%93+s%C6%A1"
    "&vnp_Amount=800000&vnp_SecureHash=s3cr3t&access_token=tok-123&ma=NB-260301-ABCDEFGHJ"
)


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    root, access = logging.getLogger(), logging.getLogger("uvicorn.access")
    saved = (root.handlers[:], root.level, access.propagate, access.level)
    # a server configured earlier in the session with access_log=False or a log level (as
    # the services run) left uvicorn's access logger cut off or quiet: this test turns it on
    access.propagate, access.level = True, logging.NOTSET
    stream = io.StringIO()
    configure_logging("test", "INFO", stream)
    yield stream
    root.handlers[:], root.level, access.propagate, access.level = saved


def serve(app: FastAPI) -> tuple[uvicorn.Server, threading.Thread, str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=True))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    return server, thread, f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_a_request_logs_the_parameter_names_but_no_secret(log_stream: io.StringIO) -> None:
    app = create_app("test")

    @app.get("/api/v1/lookup/x")
    def lookup(request: Request) -> dict[str, Any]:
        logging.getLogger("test").info(
            "asked %s", request.url, extra={"headers": dict(request.headers)}
        )
        return {}

    server, thread, url = serve(app)
    try:
        headers = {"Authorization": f"Bearer {SECRETS[4]}", "Cookie": "motcua_refresh=sid.s3cr3t"}
        with httpx.Client(trust_env=False) as client:
            assert client.get(url + QUERY, headers=headers).status_code == 200
    finally:
        server.should_exit = True
        thread.join(10)
    lines = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    by_logger = {line["logger"]: line for line in lines}
    assert {"uvicorn.access", "httpx", "test"} <= set(by_logger)
    for line in (by_logger["uvicorn.access"], by_logger["httpx"], by_logger["test"]):
        assert f"id_last4={REDACTED}" in line["message"]
        assert f"vnp_SecureHash={REDACTED}" in line["message"]
        assert "q=h%E1%BB%93+s%C6%A1" in line["message"]  # an ordinary parameter stays
    text = log_stream.getvalue()
    for secret in SECRETS:
        assert secret not in text
    assert by_logger["test"]["headers"]["authorization"] == REDACTED


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("/tra-cuu?ma=NB-1&cccd=1234", f"/tra-cuu?ma={REDACTED}&cccd={REDACTED}"),
        ("/kich-hoat?token=abc.def", f"/kich-hoat?token={REDACTED}"),
        ("/cb?CODE=x&State=y&page=2", f"/cb?CODE={REDACTED}&State={REDACTED}&page=2"),
        ("Authorization: Bearer abc", f"Authorization: {REDACTED}"),
        ("[(b'cookie', b'motcua_access=x')]", f"[(b'cookie', b'{REDACTED}')]"),
        ("set motcua_csrf=abc; Path=/", f"set motcua_csrf={REDACTED}; Path=/"),
        ("the authorization failed: expired", "the authorization failed: expired"),
        ("/dossiers?status=submitted&q=an", "/dossiers?status=submitted&q=an"),
    ],
)
def test_redact(text: str, shown: str) -> None:
    assert redact(text) == shown
