"""A wrong password costs the same work whether the account exists or not: one argon2
verification and the same store calls, so the answer's time does not reveal accounts."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from services.identity.adapters.hashing import Argon2Hasher
from services.identity.application.sessions import login
from services.identity.domain.errors import InvalidCredentialsError
from services.identity.tests.unit.fakes import FakeStore
from services.identity.tests.unit.test_login import Clock, _account, _ctx


class CountingHasher(Argon2Hasher):
    def __init__(self) -> None:
        super().__init__()
        self.verified = 0

    def verify(self, stored: str | None, password: str) -> bool:
        self.verified += 1
        return super().verify(stored, password)


class RecordingStore(FakeStore):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def __getattribute__(self, name: str) -> Any:
        attribute = super().__getattribute__(name)
        if callable(attribute) and not name.startswith("_"):
            super().__getattribute__("calls").append(name)
        return attribute


def _wrong_login(tmp_path: Path, email: str) -> tuple[int, list[str]]:
    hasher, store = CountingHasher(), RecordingStore()
    store.accounts["a-1"] = _account(hasher)
    store.calls.clear()
    with pytest.raises(InvalidCredentialsError):
        asyncio.run(login(_ctx(tmp_path, hasher, store, Clock()), email, "sai", "203.0.113.9"))
    return hasher.verified, store.calls


def test_an_unknown_email_and_a_wrong_password_do_the_same_work(tmp_path: Path) -> None:
    known = _wrong_login(tmp_path, "hoa@example.vn")
    unknown = _wrong_login(tmp_path, "khong-co@example.vn")
    assert known[0] == unknown[0] == 1
    assert known[1] == unknown[1]


def test_the_dummy_hash_has_the_parameters_of_real_hashes() -> None:
    hasher = Argon2Hasher(memory_kib=32 * 1024, time_cost=3)
    assert not hasher.needs_rehash(hasher.dummy_hash)
    assert not hasher.verify(None, "motcua-dummy-password-for-timing")
