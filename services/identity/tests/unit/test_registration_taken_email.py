"""Registering a taken email answers like a new registration, and tells the address's
owner instead: the answer does not reveal which emails have accounts."""

from __future__ import annotations

import asyncio
from pathlib import Path

from services.identity.adapters.hashing import Argon2Hasher
from services.identity.application.registration import Registration, register
from services.identity.tests.unit.fakes import FakeStore
from services.identity.tests.unit.test_login import Clock, _account, _ctx

PASSWORD = "Hoa sen nở giữa đầm 2025"


def test_a_taken_email_answers_like_a_new_one_and_its_owner_is_told(tmp_path: Path) -> None:
    store, clock = FakeStore(), Clock()
    store.accounts["a-1"] = _account(Argon2Hasher())
    ctx = _ctx(tmp_path, Argon2Hasher(), store, clock)

    def attempt(email: str) -> str:
        return asyncio.run(register(ctx, Registration("citizen", email, PASSWORD, "Lê Văn Nam")))

    fresh = attempt("nam@example.vn")
    taken = attempt("Hoa@Example.vn")
    assert len(taken) == len(fresh) and taken not in store.accounts
    assert [a["email_key"] for a in store.accounts.values()] == [
        "hoa@example.vn",
        "nam@example.vn",
    ]
    told = [c for c in store.events if c.type == "registration_attempted"]
    assert [c.data["account_id"] for c in told] == ["a-1"]
    assert told[0].data["email"] == "hoa@example.vn"
    assert told[0].data["login_link"].endswith("/dang-nhap")
    assert told[0].data["reset_link"].endswith("/quen-mat-khau")
    attempt("hoa@example.vn")  # again at once: the owner is not flooded
    assert len([c for c in store.events if c.type == "registration_attempted"]) == 1
