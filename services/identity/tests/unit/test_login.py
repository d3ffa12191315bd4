"""Login use case on in-memory fakes: rehash when parameters rise, throttle, lock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import extract_parameters
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from services.identity.adapters.hashing import Argon2Hasher
from services.identity.adapters.signing import TokenIssuer, load_keys
from services.identity.application.context import Identity, LinkSealer
from services.identity.application.sessions import login
from services.identity.domain.errors import InvalidCredentialsError, LoginThrottledError
from services.identity.domain.passwords import PasswordPolicy
from services.identity.domain.throttle import ThrottlePolicy
from services.identity.settings import IdentitySettings
from services.identity.tests.unit.fakes import FakeStore
from shared.blobstore import InMemoryBlobStore
from shared.sealing import public_key_text

PASSWORD = "một mật khẩu đủ dài"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _ctx(tmp_path: Path, hasher: Argon2Hasher, store: FakeStore, clock: Clock) -> Identity:
    keys = load_keys(tmp_path / "keys")
    return Identity(
        settings=IdentitySettings(data_dir=tmp_path),
        store=store,
        hasher=hasher,
        policy=PasswordPolicy(frozenset()),
        issuer=TokenIssuer(keys, "iss", "aud", timedelta(minutes=10)),
        sealer=LinkSealer(public_key_text(X25519PrivateKey.generate().public_key()), tmp_path),
        blobs=InMemoryBlobStore(),
        captcha_key=b"k" * 32,
        throttle=ThrottlePolicy(2, 1.0, 4, 900),
        clock=clock,
    )


def _account(hasher: Argon2Hasher) -> dict[str, Any]:
    return {
        "_id": "a-1",
        "kind": "citizen",
        "email": "hoa@example.vn",
        "email_key": "hoa@example.vn",
        "status": "active",
        "profile": {"full_name": "Hoa"},
        "password_hash": hasher.hash(PASSWORD),
        "version": 2,
    }


def test_login_rehashes_when_the_parameters_rose(tmp_path: Path) -> None:
    store, clock = FakeStore(), Clock()
    store.accounts["a-1"] = _account(Argon2Hasher())
    stronger = Argon2Hasher(memory_kib=32 * 1024, time_cost=3)
    tokens = asyncio.run(
        login(_ctx(tmp_path, stronger, store, clock), "Hoa@Example.vn", PASSWORD, "203.0.113.9")
    )
    assert tokens.access_token and "." in tokens.refresh_token
    params = extract_parameters(store.accounts["a-1"]["password_hash"])
    assert (params.memory_cost, params.time_cost) == (32 * 1024, 3)
    assert stronger.verify(store.accounts["a-1"]["password_hash"], PASSWORD)
    assert store.events == []  # bookkeeping, not history


def test_failures_slow_down_then_lock_and_even_the_right_password_waits(
    tmp_path: Path,
) -> None:
    store, clock = FakeStore(), Clock()
    hasher = Argon2Hasher()
    store.accounts["a-1"] = _account(hasher)
    ctx = _ctx(tmp_path, hasher, store, clock)

    def attempt(password: str) -> None:
        asyncio.run(login(ctx, "hoa@example.vn", password, "203.0.113.9"))

    for _ in range(3):
        with pytest.raises(InvalidCredentialsError):
            attempt("sai")
    with pytest.raises(LoginThrottledError) as throttled:
        attempt(PASSWORD)
    assert (throttled.value.retry_after, throttled.value.locked) == (1, False)
    clock.now += timedelta(seconds=1)
    with pytest.raises(InvalidCredentialsError):
        attempt("sai")
    with pytest.raises(LoginThrottledError) as locked:
        attempt(PASSWORD)
    assert locked.value.locked and locked.value.retry_after == 900
    clock.now += timedelta(seconds=900)
    with pytest.raises(InvalidCredentialsError):  # one more try after a served lock...
        attempt("sai")
    with pytest.raises(LoginThrottledError) as again:  # ...and a failure locks again
        attempt(PASSWORD)
    assert again.value.locked
    clock.now += timedelta(seconds=900)
    attempt(PASSWORD)  # the lock is over; success resets the count
    assert store.accounts["a-1"]["login"]["failures"] == 0
    assert store.counters["login-ip:203.0.113.9"] == 5


def test_a_burst_of_parallel_guesses_gets_no_more_tries_than_the_lock_allows(
    tmp_path: Path,
) -> None:
    store, clock = FakeStore(), Clock()
    hasher = Argon2Hasher()
    store.accounts["a-1"] = _account(hasher)
    ctx = _ctx(tmp_path, hasher, store, clock)
    checked: list[str] = []
    verify = hasher.verify

    def counting_verify(stored: str | None, password: str) -> bool:
        checked.append(password)
        return verify(stored, password)

    hasher.verify = counting_verify  # type: ignore[method-assign]

    async def burst() -> list[BaseException | object]:
        # Every guess reads the account before any failure is recorded.
        return await asyncio.gather(
            *(login(ctx, "hoa@example.vn", f"đoán {i}", "203.0.113.9") for i in range(20)),
            return_exceptions=True,
        )

    results = asyncio.run(burst())
    assert len(checked) == 4  # lock_after: the rest were refused unchecked
    assert sum(isinstance(r, LoginThrottledError) for r in results) == 16
