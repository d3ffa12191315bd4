"""Dossier events in batches on PostgreSQL: a batch is applied once in one transaction (a
redelivered batch changes nothing, a failing one leaves nothing), and a poisoned event is
parked in the DLQ alone while the rest of its batch is applied."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from services.notify.adapters.store import PgNotifyStore, email_channel, inbox_channel
from services.notify.adapters.tables import metadata
from services.notify.application.notices import Notifier
from services.notify.bootstrap import MIGRATIONS
from services.notify.entrypoints.streams.app import EventStream
from services.notify.tests.integration.support import (
    AGENCY,
    NotifyStore,
    Stream,
    created,
    records,
)
from shared.events.envelope import IntegrationEvent
from shared.kafka.producer import make_producer
from shared.kafka.topics import ensure_topics
from shared.pg.migrate import migrate
from shared.pg.pools import open_async_pool
from tests.support.engines import Engines

pytestmark = pytest.mark.integration
OWNER, OFFICERS = "owner-1", ("officer-1", "officer-2")


@pytest.fixture
def db(engines: Engines, run_id: str) -> Iterator[NotifyStore]:
    migrate(engines.postgres_dsn, run_id, MIGRATIONS, metadata)
    with psycopg.connect(engines.postgres_dsn, options=f"-c search_path={run_id}") as conn:
        conn.execute(
            "INSERT INTO accounts (id, version, email, kind, agency_code) VALUES"
            " (%s, 1, 'o@example.vn', 'citizen', NULL),"
            " (%s, 1, 'c1@example.vn', 'officer', %s), (%s, 1, 'c2@example.vn', 'officer', %s)",
            (OWNER, OFFICERS[0], AGENCY, OFFICERS[1], AGENCY),
        )
        conn.execute(
            "INSERT INTO preferences (user_id, email) VALUES (%s, '{\"dossier_new\": false}')",
            (OFFICERS[1],),
        )
    store = NotifyStore(engines.postgres_dsn, run_id)
    yield store
    store.drop()


@pytest.fixture
async def notifier(engines: Engines, db: NotifyStore) -> AsyncIterator[Notifier]:
    pool: AsyncConnectionPool[Any] = await open_async_pool(engines.postgres_dsn, db.schema)
    store = PgNotifyStore(pool, inbox_channel(db.schema), email_channel(db.schema))
    yield Notifier(store, "http://portal.test")
    await pool.close()


def _two_dossiers(run_id: str) -> list[IntegrationEvent]:
    one, two = Stream("dossier"), Stream("dossier")
    return [
        created(one, OWNER, "form@example.vn"),
        created(two, OWNER, ""),
        one.next("submitted", {"code": f"{run_id}-A"}),
        two.next("submitted", {"code": f"{run_id}-B"}),
    ]


def _state(db: NotifyStore) -> dict[str, list[dict[str, Any]]]:
    return {
        "notifications": db.query("SELECT * FROM notifications ORDER BY id"),
        "dossiers": db.query("SELECT * FROM dossiers ORDER BY id"),
        "processed": db.query("SELECT consumer, event_id FROM processed_events ORDER BY 2"),
    }


async def test_a_batch_is_applied_once_and_its_redelivery_changes_nothing(
    notifier: Notifier, db: NotifyStore, run_id: str
) -> None:
    events = _two_dossiers(run_id)
    await notifier.dossier_events(events)

    state = _state(db)
    assert len(state["processed"]) == 4
    assert sorted((d["version"], d["status"], d["code"]) for d in state["dossiers"]) == [
        (2, "submitted", f"{run_id}-A"),
        (2, "submitted", f"{run_id}-B"),
    ]
    # per dossier: created, submitted, one dossier_new per officer
    assert len(state["notifications"]) == 8
    entries = {(e["kind"], e["user_id"], e["code"]): e for e in state["notifications"]}
    form, account = (
        entries["dossier_submitted", OWNER, f"{run_id}-A"],
        entries["dossier_submitted", OWNER, f"{run_id}-B"],
    )
    assert (form["email_to"], account["email_to"]) == ("form@example.vn", "o@example.vn")
    assert entries["dossier_new", OFFICERS[0], f"{run_id}-A"]["email_status"] == "pending"
    assert entries["dossier_new", OFFICERS[1], f"{run_id}-B"]["email_status"] == "disabled"

    await notifier.dossier_events(events)  # redelivered
    await notifier.dossier_events(events[2:])  # and part of it again
    assert _state(db) == state


async def test_a_failing_batch_leaves_none_of_it(
    notifier: Notifier, db: NotifyStore, run_id: str
) -> None:
    good = _two_dossiers(run_id)
    poisoned = Stream("dossier").next("created", {"agency_code": AGENCY})  # no owner
    with pytest.raises(KeyError):
        await notifier.dossier_events([*good[:3], poisoned, good[3]])
    assert _state(db) == {"notifications": [], "dossiers": [], "processed": []}


def _item(topic: str, offset: int, value: bytes) -> Any:
    """What faust hands the agent: an event with its Kafka message."""
    message = SimpleNamespace(
        topic=topic, partition=0, offset=offset, key=b"k", value=value, headers=[]
    )
    return SimpleNamespace(message=message)


async def test_a_poisoned_event_is_parked_alone_and_the_rest_of_its_batch_applied(
    engines: Engines, notifier: Notifier, db: NotifyStore, run_id: str
) -> None:
    bootstrap, topic = engines.kafka_bootstrap_servers, f"{run_id}.motcua.dossier.events"
    await ensure_topics(bootstrap, [topic], partitions=1)
    dlq = make_producer(bootstrap)
    await dlq.start()
    handled: list[list[str]] = []

    async def handler(batch: list[tuple[IntegrationEvent, Any]]) -> None:
        handled.append([e.type.rsplit(".", 1)[-1] for e, _ in batch])
        await notifier.dossier_events([e for e, _ in batch])

    events = _two_dossiers(run_id)
    poisoned = Stream("dossier").next("created", {"agency_code": AGENCY})
    values = [e.to_bytes() for e in events[:2]] + [poisoned.to_bytes(), b"not json"]
    values += [e.to_bytes() for e in events[2:]]
    try:
        await EventStream(dlq, run_id).handle_batch(
            [_item(topic, i, v) for i, v in enumerate(values)], handler
        )
    finally:
        await dlq.stop()

    assert handled[0] == ["created", "created", "created", "submitted", "submitted"]
    assert len(handled) == 6  # the batch failed, then each of its five events alone
    state = _state(db)
    assert len(state["processed"]) == 4
    assert len(state["notifications"]) == 8
    parked = await records(bootstrap, f"{topic}.dlq")
    assert sorted(dict(r.headers)["dlq-source"] for r in parked) == [
        f"{topic}/0/2".encode(),
        f"{topic}/0/3".encode(),
    ]
    reasons = {dict(r.headers)["dlq-source"]: dict(r.headers)["dlq-reason"] for r in parked}
    assert reasons[f"{topic}/0/2".encode()].startswith(b"KeyError")
    assert reasons[f"{topic}/0/3".encode()].startswith(b"invalid envelope")
