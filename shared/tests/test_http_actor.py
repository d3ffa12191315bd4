"""The caller of every service's routes is the subject of the access token the service
verifies itself; headers naming a caller are ignored, a bad token is a 401 problem."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from shared.auth import remote_verifier
from shared.events.envelope import Actor
from shared.http.actor import CurrentActor
from shared.http.app import create_app
from shared.settings import TokenSettings
from tests.support import tokens

FORGED = {"X-Motcua-User-Id": "ke-mao-danh", "X-Motcua-Role": "auditor"}


def _client(jwks_url: str | None = None) -> TestClient:
    app = create_app("test")
    app.state.verifier = (
        remote_verifier(TokenSettings(jwks_url=jwks_url)) if jwks_url else tokens.verifier()
    )

    @app.get("/api/v1/who")
    def who(actor: CurrentActor) -> Actor:
        return actor

    return TestClient(app)


def _bearer(token: str) -> dict[str, str]:
    return {**FORGED, "Authorization": f"Bearer {token}"}


def test_the_caller_is_the_tokens_subject_whatever_the_headers_say() -> None:
    token = tokens.token("cb-1", "officer", "NB.HOALU", ["receiver"])
    answer = _client().get("/api/v1/who", headers=_bearer(token))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "id": "cb-1",
        "role": "officer",
        "agency": "NB.HOALU",
        "officer_roles": ["receiver"],
    }


@pytest.mark.parametrize(
    ("headers", "type_"),
    [
        pytest.param(FORGED, "unauthenticated", id="headers-only"),
        pytest.param({**FORGED, "Authorization": "Basic dDp0"}, "unauthenticated", id="basic"),
        pytest.param(_bearer("not.a.token"), "invalid-token", id="garbage"),
        pytest.param(
            _bearer(tokens.token("x", "admin", key=Ed25519PrivateKey.generate())),
            "invalid-token",
            id="another-signer",
        ),
        pytest.param(
            _bearer(tokens.token("x", "admin", lifetime_seconds=-600)),
            "invalid-token",
            id="expired",
        ),
        pytest.param(
            _bearer(tokens.token("x", "admin", audience="other")), "invalid-token", id="audience"
        ),
    ],
)
def test_without_a_verified_token_the_answer_is_401_problem(
    headers: dict[str, str], type_: str
) -> None:
    answer = _client().get("/api/v1/who", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["www-authenticate"].startswith("Bearer")
    body: dict[str, Any] = answer.json()
    assert body["type"].endswith(f"/{type_}")
    assert "đăng nhập" in body["detail"]


def test_identity_out_of_reach_is_503_not_a_refusal() -> None:
    answer = _client("http://127.0.0.1:1/jwks.json").get(
        "/api/v1/who", headers=_bearer(tokens.token("cd-1"))
    )
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"
    assert answer.json()["type"].endswith("/service-unavailable")


def test_a_service_without_a_jwks_url_does_not_start() -> None:
    with pytest.raises(RuntimeError, match="JWKS_URL"):
        remote_verifier(TokenSettings())
