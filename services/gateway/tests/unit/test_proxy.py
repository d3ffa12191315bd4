"""The gateway routes, strips, limits and fails fast, against real upstream servers."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette

from services.gateway.tests.servers import MAX_BODY, STREAM_CHUNKS

Upstreams = dict[str, tuple[str, Starlette]]
PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/api/v1/dossiers", "dossier"),
        ("/api/v1/dossiers/6f1c/submit", "dossier"),
        ("/api/v1/auth/login", "identity"),
        ("/api/v1/me", "identity"),
        ("/.well-known/jwks.json", "identity"),
        ("/api/v1/catalog/procedures/1.001612", "catalog"),
        ("/api/v1/catalog/agencies", "catalog"),
        ("/api/v1/payments/vnpay/return", "payment"),
        ("/api/v1/payments/orders", "payment"),
        ("/api/v1/officer/queues/to_receive", "dossier"),
        ("/api/v1/lookup/NB.HOALU-261122-ABCDEFGHJ", "dossier"),
        ("/api/v1/notifications", "notify"),
        ("/api/v1/stats/dossiers", "notify"),
    ],
)
def test_each_prefix_reaches_its_service(gateway: httpx.Client, path: str, service: str) -> None:
    response = gateway.get(path + "?q=h%E1%BB%93%20s%C6%A1&page=2")
    assert response.status_code == 200
    echo = response.json()
    assert (echo["service"], echo["raw_path"]) == (service, path)
    assert echo["query"] == "q=h%E1%BB%93%20s%C6%A1&page=2"


def test_percent_encoding_of_the_path_is_kept(gateway: httpx.Client) -> None:
    echo = gateway.get("/api/v1/catalog/procedures/a%2Fb%20c").json()
    assert echo["raw_path"] == "/api/v1/catalog/procedures/a%2Fb%20c"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/unknown",
        "/api/v1/dossiersx",
        "/api/v1",
        "/api/v1/dossiers/%2e%2e/me",
        "/api/v1/procedures",
        "/api/v1/agencies",
        "/api/v1/orders",
    ],
)
def test_unknown_api_path_is_a_404_problem(
    gateway: httpx.Client, upstreams: Upstreams, path: str
) -> None:
    before = {name: len(app.state.seen) for name, (_, app) in upstreams.items()}
    response = gateway.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"] == "Không tìm thấy tài nguyên được yêu cầu."
    assert before == {name: len(app.state.seen) for name, (_, app) in upstreams.items()}


def test_identity_headers_and_unverified_authorization_never_reach_a_service(
    gateway: httpx.Client,
) -> None:
    forged = {
        "X-Motcua-User-Id": "u-1",
        "X-Motcua-Role": "admin",
        "X-Motcua-Agency": "BNV",
        "X-Motcua-Officer-Roles": "approver",
    }
    echo = gateway.post(
        "/api/v1/dossiers",
        headers={**forged, "Authorization": "Basic dDp0", "X-Custom": "1"},
        json={"procedure_code": "1.001612"},
    ).json()
    headers = echo["headers"]
    assert not {name.lower() for name in forged} & set(headers)
    assert "authorization" not in headers  # only a token the gateway verified is passed on
    assert headers["x-custom"] == "1"
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert echo["method"] == "POST"


def test_the_callers_request_id_is_propagated(gateway: httpx.Client) -> None:
    response = gateway.get("/api/v1/catalog/agencies", headers={"X-Request-ID": "req-42.a:b"})
    assert response.json()["headers"]["x-request-id"] == "req-42.a:b"
    assert response.headers["x-request-id"] == "req-42.a:b"


@pytest.mark.parametrize("sent", [None, "", "not a request id", "x" * 129])
def test_a_fresh_request_id_replaces_a_missing_or_odd_one(
    gateway: httpx.Client, sent: str | None
) -> None:
    headers = {"X-Request-ID": sent} if sent is not None else {}
    response = gateway.get("/api/v1/catalog/agencies", headers=headers)
    generated = response.headers["x-request-id"]
    assert uuid.UUID(generated)
    assert response.json()["headers"]["x-request-id"] == generated


@pytest.mark.parametrize("path", ["/api/v1/payments/orders", "/", "/api/v1/unknown", "/healthz"])
def test_security_headers_on_every_response(gateway: httpx.Client, path: str) -> None:
    headers = gateway.get(path).headers
    assert headers["content-security-policy"].startswith("default-src 'self'")
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_a_body_within_the_limit_is_forwarded_whole(gateway: httpx.Client) -> None:
    body = bytes(range(256)) * (MAX_BODY // 256)
    echo = gateway.put("/api/v1/dossiers/6f1c", content=body).json()
    assert echo["body_length"] == MAX_BODY
    assert echo["body_sha256"] == hashlib.sha256(body).hexdigest()


def _chunks(total: int) -> Iterator[bytes]:
    for _ in range(total // 256):
        yield b"x" * 256


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_over_the_limit_is_a_413_problem(
    gateway: httpx.Client, upstreams: Upstreams, chunked: bool
) -> None:
    content = _chunks(MAX_BODY * 4) if chunked else b"x" * (MAX_BODY + 1)
    response = gateway.post("/api/v1/dossiers/6f1c/attachments", content=content)
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["max_bytes"] == MAX_BODY
    if not chunked:  # refused on the declared length: the service never saw it
        assert "/api/v1/dossiers/6f1c/attachments" not in upstreams["dossier"][1].state.seen


def test_a_streamed_response_arrives_whole_with_every_cookie(gateway: httpx.Client) -> None:
    response = gateway.get("/api/v1/notifications/stream")
    assert response.status_code == 200
    assert response.content == b"".join(STREAM_CHUNKS)
    assert sorted(response.headers.get_list("set-cookie")) == [
        "a=1; Path=/; SameSite=lax",
        "b=2; Path=/; SameSite=lax",
    ]


def test_a_service_that_is_down_is_a_prompt_503_with_retry_after(
    gateway_dossier_down: httpx.Client,
) -> None:
    started = time.monotonic()
    response = gateway_dossier_down.get("/api/v1/dossiers")
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["retry-after"] == "5"
    problem = response.json()
    assert problem["detail"] == "Dịch vụ Hồ sơ tạm thời không phản hồi, vui lòng thử lại sau."
    assert problem["service"] == "dossier"
    assert response.headers["x-frame-options"] == "DENY"


def test_other_services_still_answer_while_one_is_down(gateway_dossier_down: httpx.Client) -> None:
    assert gateway_dossier_down.get("/api/v1/catalog/procedures").json()["service"] == "catalog"


def test_a_service_that_times_out_is_a_503(gateway: httpx.Client) -> None:
    started = time.monotonic()
    response = gateway.get("/api/v1/payments/slow")
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["service"] == "payment"
