"""The gateway verifies bearer access tokens against identity's JWKS and forwards them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.gateway.domain.routing import SERVICES
from services.gateway.entrypoints.http.app import build_app
from services.gateway.settings import GatewaySettings
from services.gateway.tests.servers import echo_app, serving, upstream_urls
from services.identity.adapters.signing import SigningKey

KEY = SigningKey.of(Ed25519PrivateKey.generate())
OTHER = SigningKey.of(Ed25519PrivateKey.generate())


def _jwks_app(calls: list[int]) -> Starlette:
    async def jwks(request: Request) -> JSONResponse:
        calls.append(1)
        return JSONResponse({"keys": [KEY.jwk()]})

    return Starlette(routes=[Route("/.well-known/jwks.json", jwks)])


@pytest.fixture(scope="module")
def jwks_calls() -> list[int]:
    return []


@pytest.fixture(scope="module")
def gateway(jwks_calls: list[int]) -> Iterator[httpx.Client]:
    with serving(_jwks_app(jwks_calls)) as jwks_url, serving(echo_app("dossier")) as echo:
        settings = GatewaySettings(
            **upstream_urls(dict.fromkeys(SERVICES, echo)),
            jwks_url=f"{jwks_url}/.well-known/jwks.json",
            rate_limits_enabled=False,
        )
        with serving(build_app(settings)) as url, httpx.Client(base_url=url) as client:
            yield client


def _token(
    key: SigningKey = KEY,
    *,
    typ: str = "at+jwt",
    alg: str = "EdDSA",
    kid_override: bool = False,
    **overrides: Any,
) -> str:
    now = int(time.time())
    claims = {
        "iss": "motcua-identity",
        "aud": "motcua",
        "sub": "acc-1",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "sid": "s-1",
        "role": "officer",
        "agency": "NB.HOALU",
        "officer_roles": ["receiver", "processor"],
        **overrides,
    }
    kid = KEY.kid if kid_override else key.kid
    return jwt.encode(claims, key.private, algorithm=alg, headers={"kid": kid, "typ": typ})


def test_a_valid_token_is_forwarded_for_the_service_to_verify_and_forged_headers_dropped(
    gateway: httpx.Client,
) -> None:
    token = _token()
    echo = gateway.get(
        "/api/v1/dossiers",
        headers={"Authorization": f"Bearer {token}", "X-Motcua-Role": "admin"},
    ).json()
    headers = echo["headers"]
    assert headers["authorization"] == f"Bearer {token}"
    assert not {h for h in headers if h.startswith("x-motcua-")}


def test_without_a_token_the_request_passes_unauthenticated(gateway: httpx.Client) -> None:
    headers = gateway.get("/api/v1/catalog/procedures", headers={"X-Motcua-User-Id": "x"}).json()[
        "headers"
    ]
    assert not {h for h in headers if h.startswith("x-motcua-") or h == "authorization"}


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda: _token(exp=int(time.time()) - 120), id="expired"),
        pytest.param(lambda: _token(OTHER), id="signed-by-another-key"),
        pytest.param(lambda: _token(OTHER, kid_override=True), id="another-key-same-kid"),
        pytest.param(lambda: _token(aud="other"), id="wrong-audience"),
        pytest.param(lambda: _token(iss="someone-else"), id="wrong-issuer"),
        pytest.param(lambda: _token(typ="JWT"), id="not-an-access-token"),
        pytest.param(lambda: _token(role="superuser"), id="unknown-role"),
        pytest.param(lambda: jwt.encode({"sub": "acc-1"}, "", algorithm="none"), id="alg-none"),
        pytest.param(
            lambda: jwt.encode(
                {"sub": "acc-1"},
                "secret",
                algorithm="HS256",
                headers={"kid": KEY.kid, "typ": "at+jwt"},
            ),
            id="hs256",
        ),
        pytest.param(lambda: "not.a.token", id="garbage"),
    ],
)
def test_a_bad_token_gets_401_problem(gateway: httpx.Client, token: Any) -> None:
    response = gateway.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {token()}"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/invalid-token")
    assert "đăng nhập lại" in response.json()["detail"]


def test_unknown_kids_do_not_flood_identity(gateway: httpx.Client, jwks_calls: list[int]) -> None:
    gateway.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {_token()}"})
    before = len(jwks_calls)
    for _ in range(5):
        response = gateway.get(
            "/api/v1/dossiers", headers={"Authorization": f"Bearer {_token(OTHER)}"}
        )
        assert response.status_code == 401
    assert len(jwks_calls) - before <= 1


def test_tokens_cannot_be_checked_while_identity_is_down_so_503() -> None:
    with serving(echo_app("dossier")) as echo:
        settings = GatewaySettings(
            **upstream_urls(dict.fromkeys(SERVICES, echo)),
            jwks_url="http://127.0.0.1:9/.well-known/jwks.json",
        )
        with serving(build_app(settings)) as url, httpx.Client(base_url=url) as client:
            response = client.get(
                "/api/v1/dossiers", headers={"Authorization": f"Bearer {_token()}"}
            )
            assert response.status_code == 503
            assert response.json()["type"].endswith("/service-unavailable")
            assert client.get("/api/v1/dossiers").status_code == 200  # anonymous still pass
