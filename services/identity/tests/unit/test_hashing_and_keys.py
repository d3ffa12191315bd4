"""argon2id parameters and rehash; signing keys on disk, JWKS and rotation."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import extract_parameters

from services.identity.adapters.hashing import Argon2Hasher
from services.identity.adapters.signing import TokenIssuer, add_key, load_keys
from shared.auth import JwksCache, TokenError, TokenVerifier


def test_argon2id_at_least_owasp_minimum_and_rehash_only_upwards() -> None:
    with pytest.raises(ValueError):
        Argon2Hasher(memory_kib=8 * 1024)
    low = Argon2Hasher()
    stored = low.hash("mật khẩu dài")
    params = extract_parameters(stored)
    assert (params.type.name, params.memory_cost, params.time_cost, params.parallelism) == (
        "ID",
        19 * 1024,
        2,
        1,
    )
    assert low.verify(stored, "mật khẩu dài") and not low.verify(stored, "sai")
    assert not low.verify(None, "mật khẩu dài")  # unknown account: dummy hash, still False
    higher = Argon2Hasher(memory_kib=24 * 1024, time_cost=3)
    assert higher.verify(stored, "mật khẩu dài") and higher.needs_rehash(stored)
    assert not low.needs_rehash(higher.hash("x" * 8))
    assert not low.needs_rehash(stored)


def test_keys_are_private_files_and_rotation_keeps_old_tokens_valid(tmp_path: Path) -> None:
    directory = tmp_path / "keys"
    first = load_keys(directory)
    (path,) = directory.glob("*.pem")
    assert path.stat().st_mode & 0o777 == 0o600
    assert [k.kid for k in load_keys(directory)] == [first[0].kid]

    now = datetime.now(UTC)
    account = {"_id": "a-1", "kind": "citizen"}
    old_token = TokenIssuer(first, "iss", "aud", timedelta(minutes=5)).access_token(
        account, "s-1", now
    )
    newer = add_key(directory)
    os.utime(directory / f"{newer.kid}.pem", (now.timestamp() + 5, now.timestamp() + 5))
    keys = load_keys(directory)
    assert [k.kid for k in keys] == [newer.kid, first[0].kid]
    issuer = TokenIssuer(keys, "iss", "aud", timedelta(minutes=5))
    assert all("d" not in k for k in issuer.jwks()["keys"])

    async def fetch() -> dict[str, object]:
        return issuer.jwks()

    verifier = TokenVerifier(JwksCache(fetch), issuer="iss", audience="aud")
    new_token = issuer.access_token(account, "s-2", now)
    assert asyncio.run(verifier.verify(old_token)).session_id == "s-1"
    assert asyncio.run(verifier.verify(new_token)).session_id == "s-2"
    with pytest.raises(TokenError):
        asyncio.run(
            TokenVerifier(JwksCache(fetch), issuer="iss", audience="other").verify(new_token)
        )
