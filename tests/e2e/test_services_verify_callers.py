"""Every service verifies its caller itself (issue #15 §1): called directly, past the
gateway, with forged ``X-Motcua-*`` headers and no token, a token of another signer, an
expired one or one for another audience, each answers 401 problem+json; with identity's
own token the call works, and the caller is the token's subject, not the forged header."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.identity.adapters.signing import SigningKey, load_keys
from tests.e2e.journey import (
    PROBLEM,
    WARD,
    extract_draft,
    log_in,
    new_citizen,
    ok,
    register_and_activate,
)
from tests.e2e.suite import Suite, wait_until
from tests.support import tokens

pytestmark = pytest.mark.integration

# A route of each service that needs a signed-in caller, and who may call it.
ROUTES = {
    "identity": ("GET", "/api/v1/me", "citizen"),
    "catalog": ("GET", "/api/v1/catalog/procedures/1.001193/draft", "admin"),
    "dossier": ("GET", "/api/v1/dossiers", "citizen"),
    "payment": ("GET", "/api/v1/payments/orders", "citizen"),
    "notify": ("GET", "/api/v1/notifications", "citizen"),
}
# What the gateway once set and the services believed: an auditor, a whole ward's officer.
FORGED = {
    "X-Motcua-User-Id": "ke-mao-danh",
    "X-Motcua-Role": "auditor",
    "X-Motcua-Agency": WARD,
    "X-Motcua-Officer-Roles": "receiver,processor,approver,agency_admin",
}


def _bearer(token: str) -> dict[str, str]:
    return {**FORGED, "Authorization": f"Bearer {token}"}


def _identity_key(suite: Suite) -> SigningKey:
    """identity's own signing key, from its key directory in the suite's state."""
    return load_keys(suite.state_dir / "identity" / "keys")[0]


def _refusals(suite: Suite) -> dict[str, dict[str, str]]:
    key = _identity_key(suite)

    def signed(**claims: Any) -> dict[str, str]:
        return _bearer(
            tokens.token("ke-mao-danh", "auditor", key=key.private, kid=key.kid, **claims)
        )

    return {
        "forged headers, no token": FORGED,
        "another signer": _bearer(
            tokens.token("ke-mao-danh", "auditor", key=Ed25519PrivateKey.generate())
        ),
        "expired": signed(lifetime_seconds=-600),
        "another audience": signed(audience="another-system"),
        "another issuer": signed(issuer="someone-else"),
    }


def _token_of(session: Any) -> str:
    return str(session.http.headers["authorization"]).removeprefix("Bearer ")


@pytest.fixture
def direct(suite: Suite) -> Iterator[dict[str, httpx.Client]]:
    """A client on each service's own address, not the gateway's."""
    clients = {
        name: httpx.Client(base_url=suite.url(name), trust_env=False, timeout=30) for name in ROUTES
    }
    try:
        yield clients
    finally:
        for client in clients.values():
            client.close()


def test_each_service_refuses_forged_callers_and_believes_only_the_token(
    suite: Suite, direct: dict[str, httpx.Client]
) -> None:
    person = new_citizen("tu-xac-thuc")
    citizen = register_and_activate(suite, person)
    admin = log_in(suite, "admin@motcua.local")
    try:
        signed_in = {"citizen": _token_of(citizen), "admin": _token_of(admin)}
        for service, (method, path, who) in ROUTES.items():
            for why, headers in _refusals(suite).items():
                refused = direct[service].request(method, path, headers=headers)
                assert refused.status_code == 401, (service, why, refused.text)
                assert refused.headers["content-type"] == PROBLEM, (service, why)
                assert "đăng nhập" in refused.json()["detail"], (service, why)
            works = direct[service].request(method, path, headers=_bearer(signed_in[who]))
            assert works.status_code in (200, 404), (service, works.text)  # 404: no draft
            assert works.status_code == 200 or service == "catalog", (service, works.text)

        subject = jwt.decode(signed_in["citizen"], options={"verify_signature": False})["sub"]
        citizen_headers = _bearer(signed_in["citizen"])
        me = ok(direct["identity"].get("/api/v1/me", headers=citizen_headers))
        assert (me["id"], me["email"]) == (subject, person.email)
        dossier_id = extract_draft(citizen, person)

        def listed() -> list[str]:
            mine = ok(direct["dossier"].get("/api/v1/dossiers", headers=citizen_headers))
            return [d["id"] for d in mine["items"]]

        assert wait_until(listed, 30, "the draft in its owner's list") == [dossier_id]
        ok(direct["dossier"].get(f"/api/v1/dossiers/{dossier_id}", headers=citizen_headers))
        # the forged auditor sees nothing: the real caller's role is the token's
        audit = direct["dossier"].get(
            f"/api/v1/audit/dossiers/{dossier_id}/events", headers=citizen_headers
        )
        assert audit.status_code == 403, audit.text
        chosen = ok(
            direct["notify"].put(
                "/api/v1/notifications/preferences",
                headers=citizen_headers,
                json={"email": {"dossier_accepted": False}},
            )
        )
        assert chosen["email"]["dossier_accepted"] is False
        admins = direct["notify"].get(
            "/api/v1/notifications/preferences", headers=_bearer(signed_in["admin"])
        )
        assert ok(admins)["email"]["dossier_accepted"] is True  # the subject's choice only
    finally:
        citizen.close()
        admin.close()
