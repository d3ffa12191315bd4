"""X-Forwarded-For is believed only from a trusted proxy, and only its last entry."""

from __future__ import annotations

from starlette.requests import Request

from services.identity.entrypoints.http.client import client_address


def _request(peer: str, forwarded: str | None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request(
        {"type": "http", "client": (peer, 50000), "headers": headers, "method": "GET", "path": "/"}
    )


def test_client_address() -> None:
    trusted = ["127.0.0.1"]
    assert client_address(_request("127.0.0.1", "203.0.113.9"), trusted) == "203.0.113.9"
    # A caller's own X-Forwarded-For comes first; the gateway appends what it saw.
    assert client_address(_request("127.0.0.1", "1.2.3.4, 203.0.113.9"), trusted) == ("203.0.113.9")
    assert client_address(_request("198.51.100.7", "1.2.3.4"), trusted) == "198.51.100.7"
    assert client_address(_request("127.0.0.1", None), trusted) == "127.0.0.1"


def test_a_trusted_network_covers_a_container_gateway() -> None:
    trusted = ["172.16.0.0/12"]
    assert client_address(_request("172.18.0.5", "203.0.113.9"), trusted) == "203.0.113.9"
    assert client_address(_request("192.168.1.2", "1.2.3.4"), trusted) == "192.168.1.2"
    assert client_address(_request("testclient", "1.2.3.4"), trusted) == "testclient"
