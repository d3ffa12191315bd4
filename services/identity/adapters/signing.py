"""Identity's token signing keys (Ed25519) and the JWKS it publishes.

Keys live as PEM files ``<kid>.pem`` (0600) under the key directory
(``$MOTCUA_STATE_DIR/identity/keys`` unless configured), created at first
start. The newest file signs; every file is published in the JWKS, so a
rotation (``python -m services.identity.entrypoints.keys rotate`` adds a key) lets tokens
signed by the previous key live out their few minutes. ``kid`` is the key's
RFC 7638 thumbprint.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from shared.auth import ACCESS_TOKEN_TYPE


def thumbprint(jwk: dict[str, Any]) -> str:
    required = {k: jwk[k] for k in ("crv", "kty", "x")}
    digest = hashlib.sha256(json.dumps(required, separators=(",", ":"), sort_keys=True).encode())
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: Ed25519PrivateKey

    @classmethod
    def of(cls, private: Ed25519PrivateKey) -> SigningKey:
        return cls(thumbprint(OKPAlgorithm.to_jwk(private.public_key(), as_dict=True)), private)

    def jwk(self) -> dict[str, Any]:
        public = OKPAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**public, "kid": self.kid, "alg": "EdDSA", "use": "sig"}


def _write_private(path: Path, key: Ed25519PrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)


def _read_private(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("signing keys must be Ed25519")
    return key


def add_key(directory: Path) -> SigningKey:
    key = SigningKey.of(Ed25519PrivateKey.generate())
    _write_private(directory / f"{key.kid}.pem", key.private)
    return key


def load_keys(directory: Path, configured_pem: str | None = None) -> list[SigningKey]:
    """Every key, the signing one first: the configured one if given, else the newest file."""
    if configured_pem:
        return [SigningKey.of(_read_private(configured_pem.encode()))]
    files = sorted(directory.glob("*.pem"), key=lambda p: p.stat().st_mtime, reverse=True)
    if not files:
        return [add_key(directory)]
    return [SigningKey.of(_read_private(p.read_bytes())) for p in files]


class TokenIssuer:
    def __init__(
        self, keys: list[SigningKey], issuer: str, audience: str, access_ttl: timedelta
    ) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.access_ttl = access_ttl

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.jwk() for k in self.keys]}

    def access_token(self, account: dict[str, Any], session_id: str, now: datetime) -> str:
        key = self.keys[0]
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": account["_id"],
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int((now + self.access_ttl).timestamp()),
            "jti": str(uuid.uuid4()),
            "sid": session_id,
            "role": account["kind"],
            "agency": account.get("agency_code"),
            "officer_roles": list(account.get("officer_roles", [])),
        }
        return jwt.encode(
            claims,
            key.private,
            algorithm="EdDSA",
            headers={"kid": key.kid, "typ": ACCESS_TOKEN_TYPE},
        )
