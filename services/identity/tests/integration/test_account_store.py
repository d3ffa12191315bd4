"""identity's store on the real PostgreSQL: one account per email under concurrency,
optimistic versions, events in the outbox with the change, bookkeeping that no
versioned change overwrites, atomic throttle windows, the form limits' sliding windows,
captchas used once, sessions."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from services.identity.adapters.hashing import Argon2Hasher
from services.identity.adapters.signing import TokenIssuer, load_keys
from services.identity.adapters.store import AccountStore
from services.identity.application.context import Identity, LinkSealer
from services.identity.application.limits import admit
from services.identity.application.ports import Change
from services.identity.application.registration import Registration, register
from services.identity.bootstrap import open_store
from services.identity.domain.errors import EmailTakenError, TooManyRequestsError
from services.identity.domain.limits import Window
from services.identity.domain.passwords import PasswordPolicy
from services.identity.domain.throttle import ThrottlePolicy
from services.identity.settings import IdentitySettings
from shared.blobstore import InMemoryBlobStore
from shared.events.envelope import Actor, IntegrationEvent
from shared.sealing import public_key_text
from tests.support.engines import Engines

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
ACTOR = Actor(id="identity", role="system")


@pytest.fixture
async def store(engines: Engines, run_id: str) -> AsyncIterator[AccountStore]:
    settings = IdentitySettings(postgres_dsn=engines.postgres_dsn, postgres_schema=run_id)
    pool = await open_store(settings)
    try:
        yield AccountStore(pool)
    finally:
        await pool.close()
        with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}" CASCADE')


def _account(email_key: str = "hoa@example.vn") -> dict[str, Any]:
    return {
        "_id": str(uuid.uuid4()),
        "kind": "citizen",
        "email": email_key,
        "email_key": email_key,
        "status": "pending",
        "created_at": NOW,
        "profile": {"full_name": "Nguyễn Thị Hoa"},
        "documents": [],
        "link_sends": [NOW],
        "password_hash": "$argon2id$v=19$x",
        "activation": {"token_hash": "h-" + email_key, "expires_at": NOW},
    }


async def _outbox(store: AccountStore) -> list[IntegrationEvent]:
    async with store.pool.connection() as conn:
        rows = await (await conn.execute("SELECT body FROM outbox ORDER BY id")).fetchall()
    return [IntegrationEvent.model_validate(json.loads(r["body"])) for r in rows]


def _ctx(store: AccountStore, tmp_path: Path) -> Identity:
    return Identity(
        settings=IdentitySettings(data_dir=tmp_path),
        store=store,
        hasher=Argon2Hasher(),
        policy=PasswordPolicy(frozenset()),
        issuer=TokenIssuer(load_keys(tmp_path / "keys"), "iss", "aud", timedelta(minutes=10)),
        sealer=LinkSealer(
            public_key_text(X25519PrivateKey.generate().public_key()), tmp_path / "none.pub"
        ),
        blobs=InMemoryBlobStore(),
        captcha_key=b"k" * 32,
        throttle=ThrottlePolicy(),
    )


async def test_concurrent_registrations_of_one_email_make_exactly_one_account(
    store: AccountStore, tmp_path: Path
) -> None:
    ctx = _ctx(store, tmp_path)
    same = [
        Registration(
            kind="citizen",
            email=email,
            password="Hoa sen nở giữa đầm 2025",
            full_name="Nguyễn Thị Hoa",
        )
        for email in ("Hoa@Example.vn", "hoa@example.vn", "HOA@EXAMPLE.VN", "hoa@example.vn")
    ]
    answers = await asyncio.gather(*(register(ctx, r) for r in same))
    account = await store.by_email_key("hoa@example.vn")
    assert account is not None
    # every caller gets an id (a taken email answers like a new one); one is the account's
    assert answers.count(account["_id"]) == 1
    losers = [a for a in answers if a != account["_id"]]
    assert len(set(losers)) == 3
    assert [await store.by_id(a) for a in losers] == [None] * 3
    events = await _outbox(store)  # the winner's events; the losers only resend its link
    assert {e.subject for e in events} == {account["_id"]}
    assert [e.sequence for e in events] == list(range(1, account["version"] + 1))
    assert [e.type.rsplit(".", 1)[-1] for e in events[:2]] == [
        "account_registered",
        "activation_requested",
    ]


async def test_a_registration_waiting_on_one_in_flight_gets_email_taken_at_its_commit(
    store: AccountStore,
) -> None:
    """The second writer is blocked by the first one's uncommitted row, not by luck."""
    await store.insert(_account("lan@example.vn"), [], ACTOR, NOW)
    with pytest.raises(EmailTakenError):
        await store.insert(_account("lan@example.vn"), [], ACTOR, NOW)
    async with store.pool.connection() as first:
        async with first.transaction():
            await first.execute(
                "INSERT INTO accounts (id, email_key, kind, status, version, created_at, data)"
                " VALUES ('in-flight', 'mai@example.vn', 'citizen', 'pending', 1, now(), '{}')"
            )
            second = asyncio.create_task(
                store.insert(
                    _account("mai@example.vn"), [Change("account_registered", {})], ACTOR, NOW
                )
            )
            await asyncio.sleep(0.5)
            assert not second.done()  # waiting on the in-flight row's unique key
        with pytest.raises(EmailTakenError):
            await second
    assert await _outbox(store) == []


async def test_two_writers_of_one_version_one_wins_and_only_its_event_is_kept(
    store: AccountStore,
) -> None:
    account = _account()
    await store.insert(account, [Change("account_registered", {})], ACTOR, NOW)
    read = await store.by_id(account["_id"])
    assert read is not None and read["version"] == 1
    assert read["activation"] == {"token_hash": "h-hoa@example.vn", "expires_at": NOW}
    assert read["link_sends"] == [NOW] and read["login"] == {"failures": 0}
    first, second = await asyncio.gather(
        store.update(
            read,
            [Change("profile_updated", {"phone": "0912345678"})],
            ACTOR,
            NOW,
            set_={"profile.phone": "0912345678"},
        ),
        store.update(
            read,
            [Change("profile_updated", {"address": "Ninh Bình"})],
            ACTOR,
            NOW,
            set_={"profile.address": "Ninh Bình"},
        ),
    )
    assert sorted([first, second]) == [False, True]
    after = await store.by_id(account["_id"])
    assert after is not None and after["version"] == 2
    assert ("phone" in after["profile"]) == first and ("address" in after["profile"]) == second
    events = await _outbox(store)
    assert [e.sequence for e in events] == [1, 2]
    assert events[1].id == IntegrationEvent.stable_id(account["_id"], 2)


async def test_guards_unset_push_and_bookkeeping_beside_versioned_changes(
    store: AccountStore,
) -> None:
    account = _account()
    await store.insert(account, [Change("account_registered", {})], ACTOR, NOW)
    read = await store.by_id(account["_id"])
    assert read is not None
    assert await store.by_token("activation", "h-hoa@example.vn") is not None
    # Bookkeeping after the read must survive the versioned change made from that read.
    assert await store.count_login_attempt(account["_id"]) == 1
    assert await store.set_quietly(account["_id"], {"login.not_before": NOW})
    assert not await store.update(
        read,
        [Change("account_activated", {})],
        ACTOR,
        NOW,
        set_={"status": "active"},
        unset=["activation"],
        guard={"activation.token_hash": "another"},
    )
    assert await store.update(
        read,
        [Change("account_activated", {})],
        ACTOR,
        NOW,
        set_={"status": "active", "activated_at": NOW},
        unset=["activation"],
        guard={"activation.token_hash": "h-hoa@example.vn"},
    )
    active = await store.by_id(account["_id"])
    assert active is not None and active["status"] == "active" and "activation" not in active
    assert active["login"] == {"failures": 1, "not_before": NOW}
    assert await store.by_token("activation", "h-hoa@example.vn") is None
    doc = {"id": "d-1", "type": "cccd", "added_at": NOW}
    assert await store.update(
        active, [Change("document_added", {})], ACTOR, NOW, push={"documents": doc}
    )
    assert not await store.set_quietly(
        account["_id"], {"password_hash": "new"}, guard={"password_hash": "not the stored one"}
    )
    assert await store.set_quietly(account["_id"], {"login": {"failures": 0}})
    final = await store.by_id(account["_id"])
    assert final is not None and final["documents"] == [doc] and final["version"] == 3
    assert final["login"] == {"failures": 0} and final["activated_at"] == NOW
    with pytest.raises(ValueError):
        await store.set_quietly(account["_id"], {"status": "disabled"})  # history, not quiet


async def test_throttle_windows_count_atomically_and_start_again_when_over(
    store: AccountStore,
) -> None:
    counts = await asyncio.gather(
        *(store.count_in_window("login-ip:198.51.100.7", NOW, 900) for _ in range(20))
    )
    assert sorted(counts) == list(range(1, 21))
    assert await store.count_in_window("login-ip:198.51.100.7", NOW, 900, increment=0) == 20
    later = NOW + timedelta(seconds=899)
    assert await store.count_in_window("login-ip:198.51.100.7", later, 900) == 21
    over = NOW + timedelta(seconds=900)
    assert await store.count_in_window("login-ip:198.51.100.7", over, 900, increment=0) == 0
    assert await store.count_in_window("login-ip:198.51.100.7", over, 900) == 1
    assert await store.count_in_window("unknown", NOW, 900, increment=0) == 0


async def test_a_captcha_is_used_once_and_expired_records_go(store: AccountStore) -> None:
    soon = NOW + timedelta(minutes=5)
    assert await asyncio.gather(*(store.use_captcha("n-1", soon, NOW) for _ in range(3))) in (
        [True, False, False],
        [False, True, False],
        [False, False, True],
    )
    assert await store.use_captcha("n-2", soon, NOW + timedelta(minutes=10))
    async with store.pool.connection() as conn:
        rows = await (await conn.execute("SELECT nonce FROM captchas_used")).fetchall()
    assert rows == [{"nonce": "n-2"}]


async def test_sessions_rotate_once_and_are_revoked_by_account_but_the_kept_one(
    store: AccountStore,
) -> None:
    def session(id_: str, expires: datetime) -> dict[str, Any]:
        return {
            "id": id_,
            "account_id": "a-1",
            "token_hash": f"t-{id_}",
            "created_at": NOW,
            "expires_at": expires,
        }

    await store.open_session(session("old", NOW - timedelta(seconds=1)), NOW - timedelta(days=1))
    await store.open_session(session("s-1", NOW + timedelta(days=14)), NOW)
    await store.open_session(session("s-2", NOW + timedelta(days=14)), NOW)
    assert await store.session("old") is None  # expired: removed when the next one opened
    rotations = await asyncio.gather(
        store.rotate_session("s-1", "t-s-1", "t-a", NOW),
        store.rotate_session("s-1", "t-s-1", "t-b", NOW),
    )
    assert sorted(rotations) == [False, True]
    rotated = await store.session("s-1")
    assert rotated is not None and rotated["previous_hashes"] == ["t-s-1"]
    assert rotated["token_hash"] in ("t-a", "t-b")
    assert await store.revoke_sessions(NOW, account_id="a-1", keep="s-2") == 1
    assert await store.revoke_sessions(NOW, account_id="a-1") == 1
    assert await store.revoke_sessions(NOW, session_id="s-2") == 0
    assert not await store.rotate_session("s-2", "t-s-2", "t-c", NOW)


async def test_form_limits_refuse_the_attempt_after_the_budget_until_the_oldest_leaves(
    store: AccountStore, tmp_path: Path
) -> None:
    now = [NOW]
    ctx = _ctx(store, tmp_path)
    ctx.settings = IdentitySettings(data_dir=tmp_path, resend_per_address=10, resend_per_email=3)
    ctx.clock = lambda: now[0]

    async def resend(email: str, minute: float) -> int | None:
        now[0] = NOW + timedelta(minutes=minute)
        try:
            await admit(ctx, "resend", "203.0.113.9", email)
        except TooManyRequestsError as refused:
            assert refused.headers == {"Retry-After": str(refused.retry_after)}
            return refused.retry_after
        return None

    assert [await resend("hoa@example.vn", m) for m in (0, 10, 20)] == [None] * 3
    assert await resend("Hoa@Example.vn", 30) == 30 * 60  # the first leaves at minute 60
    assert await resend("nam@example.vn", 30) is None  # same address, another email
    assert await resend("hoa@example.vn", 45) == 15 * 60  # retrying did not move it
    assert await resend("hoa@example.vn", 60) is None  # the window slid past the first
    assert await resend("hoa@example.vn", 61) == 9 * 60  # now minute 10's leaves first
    async with store.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT counted, expires_at FROM attempt_logs WHERE key = %s",
            ("resend:email:hoa@example.vn",),
        )
        row = await cur.fetchone()
    assert row is not None
    assert row["counted"] == [NOW + timedelta(minutes=m) for m in (10, 20, 60)]
    assert row["expires_at"] == NOW + timedelta(minutes=120)


async def test_form_limits_let_exactly_the_budget_through_under_concurrency(
    store: AccountStore,
) -> None:
    address = Window(7, 3600)
    results = await asyncio.gather(
        *(
            store.take_attempt(
                {"register:address:203.0.113.10": address, f"register:email:{n}@x.vn": address},
                NOW,
            )
            for n in range(20)
        )
    )
    assert sum(wait == 0.0 for wait in results) == 7
    assert {wait for wait in results if wait} == {3600.0}
    one_email = Window(3, 3600)
    same = await asyncio.gather(
        *(store.take_attempt({"forgot:email:hoa@example.vn": one_email}, NOW) for _ in range(10))
    )
    assert sum(wait == 0.0 for wait in same) == 3
