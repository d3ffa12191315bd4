"""A posted form passes only with the CSRF token of its cookie; whatever else is posted
is a refusal, never an error."""

from __future__ import annotations

from starlette.requests import Request

from services.gateway.entrypoints.http.portal.session import CSRF_COOKIE, csrf_ok


def request_with_cookie(token: str) -> Request:
    cookie = f"{CSRF_COOKIE}={token}".encode()
    return Request(
        {"type": "http", "method": "POST", "path": "/", "headers": [(b"cookie", cookie)]}
    )


def test_only_the_cookies_token_passes() -> None:
    request = request_with_cookie("abc123")
    assert csrf_ok(request, "abc123")
    assert not csrf_ok(request, "abc124")
    assert not csrf_ok(request, "")
    assert not csrf_ok(request, None)


def test_a_token_that_is_not_ascii_is_refused_not_an_error() -> None:
    assert not csrf_ok(request_with_cookie("abc123"), "mã-giả")
