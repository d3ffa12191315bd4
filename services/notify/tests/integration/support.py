"""Helpers of notify's integration tests: events as the other services publish them."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from aiokafka import AIOKafkaProducer
from psycopg import sql
from psycopg.rows import dict_row

from shared.events.envelope import Actor, IntegrationEvent
from tests.support.engines import Engines
from tests.support.kafka import group_lag, records, wait_for  # noqa: F401 (used by tests)
from tests.support.processes import ServiceProcess
from tests.support.tokens import caller

AGENCY = "NB.HOALU"
PROCEDURE = {
    "code": "1.001193",
    "version": 1,
    "name": "Đăng ký khai sinh",
    "service_level": 3,
    "agency_codes": [AGENCY],
    "time_limit_days": 3,
}


def notify_env(engines: Engines, run_id: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **engines.env(),
        "MOTCUA_STATE_DIR": str(tmp_path / "state"),
        "MOTCUA_NOTIFY_TOPIC_PREFIX": f"{run_id}.",
        "MOTCUA_NOTIFY_POSTGRES_SCHEMA": run_id,
        "MOTCUA_NOTIFY_CONSUMER_GROUP": run_id,
        "MOTCUA_NOTIFY_SMTP_BACKOFF_SECONDS": "0.2",
        "MOTCUA_NOTIFY_REMINDER_INTERVAL_SECONDS": "2",
        **extra,
    }


class NotifyStore:
    """What notify wrote, read straight from its schema (tests only)."""

    def __init__(self, dsn: str, schema: str) -> None:
        self.dsn = dsn
        self.schema = schema

    def query(self, text: str, params: Any = ()) -> list[dict[str, Any]]:
        with psycopg.connect(
            self.dsn, row_factory=dict_row, options=f"-c search_path={self.schema}"
        ) as conn:
            return conn.execute(text, params).fetchall()

    def _where(self, table: str, what: str, where: dict[str, Any]) -> sql.Composed:
        conditions = [sql.SQL("{} = %s").format(sql.Identifier(k)) for k in where]
        clause = sql.SQL(" WHERE ") + sql.SQL(" AND ").join(conditions) if where else sql.SQL("")
        return sql.SQL("SELECT {} FROM {}{}").format(sql.SQL(what), sql.Identifier(table), clause)

    def find(self, table: str, **where: Any) -> list[dict[str, Any]]:
        with psycopg.connect(
            self.dsn, row_factory=dict_row, options=f"-c search_path={self.schema}"
        ) as conn:
            return conn.execute(self._where(table, "*", where), list(where.values())).fetchall()

    def find_one(self, table: str, **where: Any) -> dict[str, Any] | None:
        found = self.find(table, **where)
        return found[0] if found else None

    def count(self, table: str, **where: Any) -> int:
        with psycopg.connect(
            self.dsn, row_factory=dict_row, options=f"-c search_path={self.schema}"
        ) as conn:
            cur = conn.execute(self._where(table, "count(*) AS n", where), list(where.values()))
            row = cur.fetchone()
            return int(row["n"]) if row else 0

    def drop(self) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(self.schema))
            )


def notify_store(engines: Engines, run_id: str) -> NotifyStore:
    """notify's schema of this test (``notify_env`` names it); ``drop()`` it at the end."""
    return NotifyStore(engines.postgres_dsn, run_id)


def start_notify(env: dict[str, str], tmp_path: Path, name: str = "") -> ServiceProcess:
    logs = tmp_path / (name or "notify")
    logs.mkdir(exist_ok=True)
    return ServiceProcess("services.notify", env, "MOTCUA_NOTIFY_PORT", logs).start(90)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class Stream:
    """Events of one aggregate with consecutive sequences and stable ids."""

    def __init__(self, context: str, subject: str | None = None) -> None:
        self.context = context
        self.subject = subject or str(uuid.uuid4())
        self.sequence = 0

    def next(
        self,
        kind: str,
        data: dict[str, Any],
        actor: Actor | None = None,
    ) -> IntegrationEvent:
        self.sequence += 1
        return IntegrationEvent(
            id=IntegrationEvent.stable_id(self.subject, self.sequence),
            source=f"/motcua/{self.context}",
            type=f"vn.motcua.{self.context}.{kind}",
            subject=self.subject,
            time=datetime.now(UTC),
            data=data,
            sequence=self.sequence,
            actor=actor or Actor(id="test", role="system"),
        )


def account(
    account_id: str, email: str, name: str, kind: str = "citizen", agency: str | None = None
) -> IntegrationEvent:
    data: dict[str, Any] = {
        "account_id": account_id,
        "kind": kind,
        "email": email,
        "full_name": name,
    }
    if agency:
        data["agency_code"] = agency
    return Stream("identity", account_id).next("account_registered", data)


def created(stream: Stream, owner: str, form_email: str) -> IntegrationEvent:
    return stream.next(
        "created",
        {
            "owner_id": owner,
            "procedure": PROCEDURE,
            "agency_code": AGENCY,
            "form": {"email": form_email},
        },
    )


async def publish(bootstrap: str, topic: str, events: list[IntegrationEvent]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(topic, value=event.to_bytes(), key=event.subject.encode())
    finally:
        await producer.stop()


async def publish_raw(bootstrap: str, topic: str, key: bytes, value: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value=value, key=key)
    finally:
        await producer.stop()


def send(bootstrap: str, topic: str, events: list[IntegrationEvent]) -> None:
    asyncio.run(publish(bootstrap, topic, events))


def later(**delta: float) -> str:
    return iso(datetime.now(UTC) + timedelta(**delta))


def headers(user: str, role: str = "citizen") -> dict[str, str]:
    return caller(user, role)


def caught_up(
    bootstrap: str, run_id: str, contexts: tuple[str, ...] = ("identity", "dossier", "payment")
) -> bool:
    topics = [f"{run_id}.motcua.{c}.events" for c in contexts]
    return asyncio.run(group_lag(bootstrap, topics, run_id)) == 0
