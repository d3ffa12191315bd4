"""identity dies right after accepting a registration: after a restart the account and
its events are both there, the events with the same ids (perhaps published twice),
never one without the other. First with the relay held back (another instance holds the
schema's relay lock), so the kill lands surely between the commit and the publication;
then with the relay racing the kill."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from shared.events.envelope import IntegrationEvent
from shared.pg.pools import connection_kwargs
from shared.sealing import public_key_text
from tests.support.engines import Engines
from tests.support.kafka import records, wait_for
from tests.support.processes import ServiceProcess

pytestmark = pytest.mark.integration
PASSWORD = "Hoa sen nở giữa đầm 2025"


def _register(process: ServiceProcess, email: str) -> str:
    answer = httpx.post(
        f"{process.url}/api/v1/auth/register",
        timeout=30,
        json={"email": email, "password": PASSWORD, "full_name": "Nguyễn Thị Hoa"},
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _events(engines: Engines, topic: str, account_id: str) -> list[IntegrationEvent]:
    found = asyncio.run(records(engines.kafka_bootstrap_servers, topic))
    events = [IntegrationEvent.from_bytes(r.value) for r in found]
    return [e for e in events if e.subject == account_id]


def _stored(db: psycopg.Connection[Any], account_id: str) -> tuple[int, int]:
    """(account rows, outbox rows) of the account."""
    accounts = db.execute(
        "SELECT count(*) AS n FROM accounts WHERE id = %s", (account_id,)
    ).fetchone()
    outbox = db.execute(
        "SELECT count(*) AS n FROM outbox WHERE subject = %s", (account_id,)
    ).fetchone()
    assert accounts is not None and outbox is not None
    return accounts["n"], outbox["n"]


def _expected_ids(account_id: str) -> set[str]:
    return {str(IntegrationEvent.stable_id(account_id, n)) for n in (1, 2)}


def test_killed_after_a_registration_the_account_and_its_events_survive_together(
    engines: Engines, tmp_path: Path
) -> None:
    prefix = "t" + uuid.uuid4().hex[:10]
    schema, topic = f"{prefix}_identity", f"{prefix}.motcua.identity.events"
    env = {
        **engines.env(),
        "MOTCUA_STATE_DIR": str(tmp_path / "state"),
        "MOTCUA_IDENTITY_TOPIC_PREFIX": f"{prefix}.",
        "MOTCUA_IDENTITY_POSTGRES_SCHEMA": schema,
        "MOTCUA_IDENTITY_LINK_SEAL_PUBLIC_KEY": public_key_text(
            X25519PrivateKey.generate().public_key()
        ),
    }
    (tmp_path / "logs").mkdir()
    identity = ServiceProcess(
        "services.identity", env, "MOTCUA_IDENTITY_PORT", tmp_path / "logs"
    ).start()
    db = psycopg.connect(engines.postgres_dsn, autocommit=True, **connection_kwargs(schema))
    try:
        with psycopg.connect(engines.postgres_dsn, **connection_kwargs(schema)) as holder:
            holder.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.outbox'))")
            held = _register(identity, f"{prefix}-held@example.vn")
            identity.kill()
            assert _stored(db, held) == (1, 2)  # committed together, published not yet
            assert _events(engines, topic, held) == []
            holder.rollback()  # the other "instance" lets go of the relay lock
        identity.start(timeout=90)
        wait_for(
            lambda: {str(e.id) for e in _events(engines, topic, held)} == _expected_ids(held),
            60,
            "the held events after the restart",
        )
        pending = httpx.post(
            f"{identity.url}/api/v1/auth/login",
            timeout=30,
            json={"email": f"{prefix}-held@example.vn", "password": PASSWORD},
        )
        assert pending.status_code == 403, pending.text  # the account, as registered
        assert pending.json()["type"].endswith("/account-not-activated")

        racing = _register(identity, f"{prefix}-racing@example.vn")
        identity.kill()  # the relay may or may not have published
        assert _stored(db, racing)[0] == 1
        identity.start(timeout=90)
        wait_for(lambda: _stored(db, racing) == (1, 0), 60, "the outbox to be relayed")
        events = _events(engines, topic, racing)
        assert {str(e.id) for e in events} == _expected_ids(racing)
        assert {e.type.rsplit(".", 1)[-1] for e in events} == {
            "account_registered",
            "activation_requested",
        }
        assert len(_events(engines, topic, held)) in (2, 4)  # republished at most once more
    finally:
        identity.stop()
        db.close()
        with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
