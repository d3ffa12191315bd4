"""The walking skeleton on the real engines: dossier → event store → relay → Kafka →
notify → PostgreSQL + SMTP, with the relay and the consumer SIGKILLed mid-stream.

Every event must arrive exactly once in effect: one inbox entry per event, one
email (by Message-ID) per submitted dossier, nothing lost, nothing doubled.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer, ConsumerRecord

from services.notify.tests.integration.support import notify_store
from shared.events.envelope import Actor, IntegrationEvent
from tests.support.dossier_store import rows
from tests.support.engines import Engines
from tests.support.kafka import group_lag, wait_for
from tests.support.kafka import records as topic_records
from tests.support.mail import messages_to
from tests.support.processes import ServiceProcess
from tests.support.tokens import caller

pytestmark = pytest.mark.integration

DOSSIERS = 30


def _headers(user: str) -> dict[str, str]:
    return caller(user)


def _file_and_submit(api: httpx.Client, run_id: str, index: int) -> tuple[str, str, str]:
    user = f"{run_id}-citizen-{index}"
    email = f"{run_id}-{index}@example.vn"
    created = api.post(
        "/api/v1/dossiers",
        headers=_headers(user),
        json={
            "procedure_code": "1.001193",
            "agency_code": "NB.HOALU",
            "form": {"ho_ten": f"Nguyễn Văn {index}", "email": email},
        },
    )
    assert created.status_code == 201, created.text
    dossier_id = created.json()["id"]
    submitted = api.post(f"/api/v1/dossiers/{dossier_id}/submit", headers=_headers(user))
    assert submitted.status_code == 200, submitted.text
    return dossier_id, submitted.json()["code"], email


# The procedure the dossiers are filed under, as catalog publishes it (the dossier
# worker keeps it locally): level 3, no required documents, so a draft submits at once.
PROCEDURE = {
    "code": "1.001193",
    "version": 1,
    "name": "Đăng ký khai sinh",
    "service_level": 3,
    "mode": "mot_phan",
    "agency_codes": ["NB.HOALU"],
    "required_documents": [],
    "form_schema": {"type": "object", "properties": {"email": {"type": "string"}}},
    "time_limit_days": 3,
    "fees": [],
    "result_delivery": ["office"],
}


async def _publish_procedure(bootstrap: str, topic: str) -> None:
    event = IntegrationEvent(
        id=IntegrationEvent.stable_id("1.001193", 1),
        source="/motcua/catalog",
        type="vn.motcua.catalog.procedure_published",
        subject="1.001193",
        time=datetime.now(UTC),
        data=PROCEDURE,
        sequence=1,
        actor=Actor(id="catalog", role="system"),
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value=event.to_bytes(), key=event.subject.encode())
    finally:
        await producer.stop()


async def _republish(bootstrap: str, topic: str, records: list[ConsumerRecord]) -> None:
    """What a relay does when it crashes after publishing but before its tracking write."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for record in records:
            await producer.send_and_wait(topic, value=record.value, key=record.key)
    finally:
        await producer.stop()


@pytest.mark.parametrize("event_store_env", ["postgres"], indirect=True)
def test_every_event_arrives_once_in_effect_despite_sigkills(
    engines: Engines, event_store_env: dict[str, str], run_id: str, tmp_path: Path
) -> None:
    env = {
        **engines.env(),
        **event_store_env,
        "MOTCUA_STATE_DIR": str(tmp_path / "state"),
        "MOTCUA_DOSSIER_TOPIC_PREFIX": f"{run_id}.",
        "MOTCUA_DOSSIER_CONSUMER_GROUP": f"{run_id}-dossier",
        "MOTCUA_NOTIFY_TOPIC_PREFIX": f"{run_id}.",
        "MOTCUA_NOTIFY_POSTGRES_SCHEMA": f"{run_id}_notify",
        "MOTCUA_NOTIFY_CONSUMER_GROUP": run_id,
    }
    worker = ServiceProcess(
        "services.dossier.entrypoints.worker", env, "MOTCUA_DOSSIER_WORKER_PORT", tmp_path
    )
    api = ServiceProcess("services.dossier", env, "MOTCUA_DOSSIER_PORT", tmp_path)
    relay = ServiceProcess(
        "services.dossier.entrypoints.relay", env, "MOTCUA_DOSSIER_RELAY_PORT", tmp_path
    )
    notify = ServiceProcess("services.notify", env, "MOTCUA_NOTIFY_PORT", tmp_path)
    kills = {"relay": 0, "notify": 0}
    filed: list[tuple[str, str, str]] = []
    try:
        worker.start()
        asyncio.run(
            _publish_procedure(engines.kafka_bootstrap_servers, f"{run_id}.motcua.catalog.events")
        )
        wait_for(
            lambda: len(rows(engines.postgres_dsn, run_id, "procedures")) == 1,
            60,
            "the procedure to reach the dossier service",
        )
        api.start()
        relay.start()
        notify.start()
        with httpx.Client(base_url=api.url, timeout=30) as client:
            for index in range(DOSSIERS):
                filed.append(_file_and_submit(client, run_id, index))
                if index == 8:
                    relay.kill()
                    kills["relay"] += 1
                if index == 14:
                    relay.start()
                if index == 18:
                    notify.kill()
                    relay.kill()
                    kills["notify"] += 1
                    kills["relay"] += 1
                if index == 22:
                    notify.start()
                    relay.start()
        db = notify_store(engines, f"{run_id}_notify")
        expected_ids = {
            str(IntegrationEvent.stable_id(dossier_id, seq))
            for dossier_id, _, _ in filed
            for seq in (1, 2)
        }
        wait_for(
            lambda: (
                db.query("SELECT count(*) AS n FROM notifications WHERE email_status <> 'pending'")[
                    0
                ]["n"]
                >= len(expected_ids)
            ),
            240,
            "every notification to be handled",
        )
        # a short grace period: anything still in flight would show up as a duplicate
        time.sleep(2)

        entries = db.query("SELECT id, email_status, event_type FROM notifications")
        assert len(entries) == len(expected_ids) == 2 * DOSSIERS
        assert {e["id"] for e in entries} == expected_ids
        sent = [e for e in entries if e["event_type"] == "vn.motcua.dossier.submitted"]
        assert all(e["email_status"] == "sent" for e in sent) and len(sent) == DOSSIERS

        message_ids: set[str] = set()
        deliveries = 0
        for dossier_id, code, email in filed:
            received = messages_to(engines.maildir, email)
            assert received, f"no email for {code}"
            assert {m["Message-ID"] for m in received} == {
                f"<{IntegrationEvent.stable_id(dossier_id, 2)}.email@motcua.local>"
            }
            assert code in received[0]["Subject"]
            body = received[0].get_body(("plain",))
            assert body is not None and "đã được gửi thành công" in body.get_content()
            message_ids.update(m["Message-ID"] for m in received)
            deliveries += len(received)
        assert len(message_ids) == DOSSIERS
        # SMTP is outside the inbox write: a crash between the server's 250 and our
        # "sent" mark may resend once, with the same Message-ID.
        assert deliveries <= DOSSIERS + kills["notify"]

        bootstrap, topic = engines.kafka_bootstrap_servers, f"{run_id}.motcua.dossier.events"
        records = asyncio.run(topic_records(bootstrap, topic))
        published = {str(IntegrationEvent.from_bytes(r.value).id) for r in records}
        assert published == expected_ids  # nothing lost on the way to Kafka

        # Every event delivered a second time changes nothing.
        asyncio.run(_republish(bootstrap, topic, records))
        wait_for(
            lambda: asyncio.run(group_lag(bootstrap, [topic], run_id)) == 0,
            180,
            "notify to consume the redelivered events",
        )
        assert db.count("notifications") == 2 * DOSSIERS
        assert sum(len(messages_to(engines.maildir, email)) for _, _, email in filed) == deliveries
    finally:
        for process in (notify, relay, api, worker):
            process.stop()
        notify_store(engines, f"{run_id}_notify").drop()
