"""Start a real catalog process on the test engines, with its own schema and topics."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
from aiokafka import AIOKafkaConsumer

from services.catalog.bootstrap import open_store
from services.catalog.entrypoints.seed import seed_into
from services.catalog.settings import CatalogSettings
from shared.events.topics import events_topic
from tests.support.engines import Engines
from tests.support.processes import ServiceProcess
from tests.support.tokens import caller

ADMIN = caller("admin-1", "admin")
CITIZEN = caller("citizen-1")
OFFICER = caller("officer-1", "officer", "NB.HOALU", ["agency_admin"])


@dataclass(frozen=True)
class RunningCatalog:
    api: httpx.Client
    engines: Engines
    schema: str
    topic: str
    env: dict[str, str]

    def another_instance(self, log_dir: Path) -> ServiceProcess:
        """A second catalog process on the same schema, as a scaled deployment runs."""
        return ServiceProcess("services.catalog", self.env, "MOTCUA_CATALOG_PORT", log_dir)


async def seed_schema(dsn: str, schema: str) -> dict[str, int]:
    pool = await open_store(CatalogSettings(postgres_dsn=dsn, postgres_schema=schema))
    try:
        return await seed_into(pool)
    finally:
        await pool.close()


def drop_schema(dsn: str, schema: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@contextmanager
def running_catalog(engines: Engines, log_dir: Path, seed: bool = True) -> Iterator[RunningCatalog]:
    run = "t" + uuid.uuid4().hex[:12]
    schema, prefix = f"catalog_{run}", f"{run}."
    try:
        if seed:
            asyncio.run(seed_schema(engines.postgres_dsn, schema))
        env = {
            **engines.env(),
            "MOTCUA_CATALOG_POSTGRES_SCHEMA": schema,
            "MOTCUA_CATALOG_TOPIC_PREFIX": prefix,
        }
        process = ServiceProcess("services.catalog", env, "MOTCUA_CATALOG_PORT", log_dir).start()
        try:
            with httpx.Client(base_url=process.url, timeout=30) as api:
                yield RunningCatalog(api, engines, schema, events_topic("catalog", prefix), env)
        finally:
            process.stop()
    finally:
        drop_schema(engines.postgres_dsn, schema)


async def _read(bootstrap: str, topic: str, subject: str) -> list[dict[str, Any]]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[dict[str, Any]] = []
    try:
        while batch := await consumer.getmany(timeout_ms=2000):
            for records in batch.values():
                found.extend(json.loads(r.value) for r in records if r.key == subject.encode())
    finally:
        await consumer.stop()
    return found


def events_for(
    catalog: RunningCatalog, subject: str, count: int, timeout: float = 30.0
) -> list[dict[str, Any]]:
    """The events of ``subject`` on the catalog topic once at least ``count`` arrived."""
    deadline = time.monotonic() + timeout
    while True:
        found = asyncio.run(_read(catalog.engines.kafka_bootstrap_servers, catalog.topic, subject))
        if len(found) >= count or time.monotonic() > deadline:
            unique = {e["id"]: e for e in found}  # a relay may republish after a crash
            return sorted(unique.values(), key=lambda e: e["sequence"])
        time.sleep(0.5)
