"""Signed access tokens for tests that call a service directly, as some user.

Services trust no header naming the caller: each verifies the access token against a JWK
set (shared/http/actor.py). Tests sign with a key of their own, served as a JWK set by a
small real HTTP server in the test process. As a pytest plugin (conftest.py) this module
points every service a test builds or starts at it (``MOTCUA_<SERVICE>_JWKS_URL`` in the
environment; the e2e suite sets identity's own instead); ``verifier`` serves an app a test
assembles itself. The verification is the production one, nothing is mocked.

    client.get(url, headers=caller("cong-dan-1"))
    client.get(url, headers=caller("can-bo-1", "officer", "NB.HOALU", ["receiver"]))
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Iterable
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from motcua_ops.services import TOKEN_SERVICES
from shared.auth import ACCESS_TOKEN_TYPE, TokenVerifier, remote_verifier
from shared.events.envelope import Actor
from shared.settings import TokenSettings

ISSUER = "motcua-identity"
AUDIENCE = "motcua"
KID = "motcua-test-key"
# Long enough for the longest test session: module-level caller headers are signed once.
LIFETIME_SECONDS = 12 * 3600

_KEY = Ed25519PrivateKey.generate()


def jwks() -> dict[str, Any]:
    public = OKPAlgorithm.to_jwk(_KEY.public_key(), as_dict=True)
    return {"keys": [{**public, "kid": KID, "alg": "EdDSA", "use": "sig"}]}


class _JwksHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps(jwks()).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a fetch per service start: not worth a line in the test output


@cache
def jwks_url() -> str:
    """The test key's JWK set, served from this process for as long as it runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _JwksHandler)
    threading.Thread(target=server.serve_forever, name="test-jwks", daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"


def service_env() -> dict[str, str]:
    """The settings that make every service process trust the test key."""
    return {f"MOTCUA_{name.upper()}_JWKS_URL": jwks_url() for name in TOKEN_SERVICES}


def pytest_configure() -> None:
    os.environ.update(service_env())


def verifier() -> TokenVerifier:
    """The production verifier, on the test key's JWK set (an app built in a test)."""
    return remote_verifier(TokenSettings(jwks_url=jwks_url()))


def token(
    user: str,
    role: str = "citizen",
    agency: str | None = None,
    officer_roles: Iterable[str] = (),
    *,
    lifetime_seconds: int = LIFETIME_SECONDS,
    audience: str = AUDIENCE,
    issuer: str = ISSUER,
    key: Ed25519PrivateKey | None = None,
    kid: str = KID,
) -> str:
    """An access token as identity signs it; a negative lifetime gives an expired one,
    ``key`` (and ``kid``) another signer: a forgery, or identity's own key in a suite."""
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": user,
        "iat": now,
        "exp": now + lifetime_seconds,
        "jti": str(uuid.uuid4()),
        "sid": f"test-session-{user}",
        "role": role,
        "agency": agency,
        "officer_roles": list(officer_roles),
    }
    return jwt.encode(
        claims, key or _KEY, algorithm="EdDSA", headers={"kid": kid, "typ": ACCESS_TOKEN_TYPE}
    )


def caller(
    user: str,
    role: str = "citizen",
    agency: str | None = None,
    officer_roles: Iterable[str] = (),
) -> dict[str, str]:
    """The headers of a request made by ``user`` with ``role``: its signed access token."""
    return {"Authorization": f"Bearer {token(user, role, agency, officer_roles)}"}


def caller_of(actor: Actor) -> dict[str, str]:
    return caller(actor.id, actor.role, actor.agency, actor.officer_roles)
