"""Token verification: JWKS cache with rotation and a rate-limited refetch."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from shared.auth import JwksCache, TokenError, TokenVerifier


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _key(kid: str) -> tuple[Ed25519PrivateKey, dict[str, Any]]:
    private = Ed25519PrivateKey.generate()
    jwk = OKPAlgorithm.to_jwk(private.public_key(), as_dict=True)
    return private, {**jwk, "kid": kid, "alg": "EdDSA", "use": "sig"}


def _token(private: Ed25519PrivateKey, kid: str, **claims: Any) -> str:
    now = int(time.time())
    body = {
        "iss": "i",
        "aud": "a",
        "sub": "u",
        "iat": now,
        "exp": now + 60,
        "role": "citizen",
        **claims,
    }
    return jwt.encode(body, private, algorithm="EdDSA", headers={"kid": kid, "typ": "at+jwt"})


def test_a_rotated_key_is_fetched_once_and_unknown_kids_are_rate_limited() -> None:
    old, old_jwk = _key("old")
    new, new_jwk = _key("new")
    published = {"keys": [old_jwk]}
    clock = Clock()

    async def fetch() -> dict[str, Any]:
        return published

    cache = JwksCache(fetch, ttl_seconds=300, min_refetch_seconds=30, clock=clock)
    verifier = TokenVerifier(cache, issuer="i", audience="a")
    assert asyncio.run(verifier.verify(_token(old, "old"))).subject == "u"
    assert cache.fetches == 1

    published = {"keys": [new_jwk, old_jwk]}  # identity rotated
    clock.now += 31
    claims = asyncio.run(verifier.verify(_token(new, "new", officer_roles=["receiver"])))
    assert claims.officer_roles == ("receiver",) and cache.fetches == 2

    for _ in range(10):  # forged kids within the refetch interval cost no request
        with pytest.raises(TokenError, match="unknown_key"):
            asyncio.run(verifier.verify(_token(new, "forged")))
    assert cache.fetches == 2


def test_an_unreachable_jwks_refuses_tokens_rather_than_accepting_them() -> None:
    async def fetch() -> dict[str, Any]:
        raise ValueError("down")

    private, _ = _key("k")
    verifier = TokenVerifier(JwksCache(fetch), issuer="i", audience="a")
    with pytest.raises(TokenError, match="jwks_unavailable"):
        asyncio.run(verifier.verify(_token(private, "k")))


def test_a_service_started_before_identity_accepts_tokens_a_second_after_identity_is_up() -> None:
    private, jwk = _key("k")
    published: list[dict[str, Any]] = []
    clock = Clock()

    async def fetch() -> dict[str, Any]:
        if not published:
            raise ValueError("identity is not up yet")
        return published[0]

    verifier = TokenVerifier(
        JwksCache(fetch, min_refetch_seconds=30, clock=clock), issuer="i", audience="a"
    )
    for _ in range(3):  # unavailable (503 at the edge), never "unknown key" (401)
        with pytest.raises(TokenError, match="jwks_unavailable"):
            asyncio.run(verifier.verify(_token(private, "k")))
    published.append({"keys": [jwk]})
    clock.now += 1.5
    assert asyncio.run(verifier.verify(_token(private, "k"))).subject == "u"


def test_only_allow_listed_algorithms_can_be_configured() -> None:
    async def fetch() -> dict[str, Any]:
        return {"keys": []}

    with pytest.raises(ValueError):
        TokenVerifier(JwksCache(fetch), issuer="i", audience="a", algorithms=("HS256",))
