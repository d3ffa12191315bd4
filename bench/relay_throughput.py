"""Outbox relay throughput next to a bare producer baseline, measured in one run.

    .venv/bin/python -m bench.relay_throughput [--events 5000] [--store postgres|sqlite]

``--events`` published events: half as many dossiers, each created and submitted; the
store also holds each dossier's code-index event, which the relay reads and passes
over. The baseline sends the same published events with a bare producer.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

from bench.dossier_common import bench_procedures
from services.dossier.adapters.integration_events import to_integration_event
from services.dossier.application.dossiers import DossierApplication
from shared.events.envelope import Actor
from shared.eventstore import eventstore_env
from shared.kafka.producer import make_producer
from shared.kafka.topics import ensure_topics
from shared.outbox import NotificationLogSource
from shared.relay import Relay
from shared.settings import ServiceSettings


def _fill_store(env: dict[str, str], dossiers: int) -> DossierApplication:
    app = DossierApplication(env=env, procedures=bench_procedures())
    for n in range(dossiers):
        actor = Actor(id=f"bench-{n}", role="citizen")
        dossier_id = app.start_draft(
            actor,
            procedure_code="1.001193",
            agency_code="NB.HOALU",
            form={"ho_ten": "Nguyễn Văn A", "email": "a@example.vn"},
        )
        app.submit(dossier_id, actor)
    return app


async def _warm(bootstrap: str, topics: list[str]) -> None:
    """One message to every partition first, so neither side times a new topic's leader
    election (NotLeaderForPartition retries)."""
    producer = make_producer(bootstrap)
    await producer.start()
    try:
        for topic in topics:
            for partition in await producer.partitions_for(topic):
                await producer.send_and_wait(topic, value=b"warm-up", partition=partition)
    finally:
        await producer.stop()


async def _baseline(bootstrap: str, topic: str, payloads: list[bytes]) -> float:
    producer = make_producer(bootstrap)
    await producer.start()
    try:
        started = time.perf_counter()
        sends = [
            await producer.send(topic, value=p, key=str(i % 97).encode())
            for i, p in enumerate(payloads)
        ]
        await asyncio.gather(*sends)
        return time.perf_counter() - started
    finally:
        await producer.stop()


async def _relay(bootstrap: str, topic: str, app: DossierApplication) -> tuple[float, int]:
    producer = make_producer(bootstrap)
    await producer.start()
    try:
        relay = Relay(NotificationLogSource(app, to_integration_event, topic), producer, topic)
        started = time.perf_counter()
        published = 0
        while count := await relay.relay_once():
            published += count
        return time.perf_counter() - started, published
    finally:
        await producer.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--store", choices=["postgres", "sqlite"], default="postgres")
    args = parser.parse_args()
    settings = ServiceSettings()
    bootstrap = settings.require("kafka_bootstrap_servers")
    run = "bench" + uuid.uuid4().hex[:8]
    schema = ""
    if args.store == "postgres":
        schema = run
        with psycopg.connect(settings.require("postgres_dsn"), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    with tempfile.TemporaryDirectory() as tmp:
        env = eventstore_env(
            args.store,
            sqlite_path=Path(tmp) / "events.db",
            postgres_dsn=settings.postgres_dsn,
            postgres_schema=schema,
        )
        app = _fill_store(env, args.events // 2)
        stored = app.recorder.max_notification_id() or 0
        notifications = app.recorder.select_notifications(None, stored)
        translated = [to_integration_event(app.mapper.to_domain_event(n)) for n in notifications]
        payloads = [e.to_bytes() for e in translated if e is not None]
        base_topic, relay_topic = f"{run}.baseline", f"{run}.relay"
        asyncio.run(ensure_topics(bootstrap, [base_topic, relay_topic]))
        asyncio.run(_warm(bootstrap, [base_topic, relay_topic]))
        base_seconds = asyncio.run(_baseline(bootstrap, base_topic, payloads))
        relay_seconds, published = asyncio.run(_relay(bootstrap, relay_topic, app))
        app.close()
    if schema:
        with psycopg.connect(settings.require("postgres_dsn"), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    assert published == len(payloads) == args.events // 2 * 2, (published, len(payloads))
    base_rate, relay_rate = len(payloads) / base_seconds, published / relay_seconds
    print(f"events published: {len(payloads)} of {len(notifications)} stored  store: {args.store}")
    print(f"{'what':<32}{'seconds':>10}{'events/s':>12}")
    print(f"{'baseline: bare producer':<32}{base_seconds:>10.2f}{base_rate:>12.0f}")
    print(f"{'outbox relay (with tracking)':<32}{relay_seconds:>10.2f}{relay_rate:>12.0f}")
    print(f"relay / baseline: {relay_rate / base_rate:.0%}")


if __name__ == "__main__":
    main()
