"""The dossier API dies right after answering a submission, before its event is
published (the relay is down too): after restart the dossier is submitted and its
``submitted`` event reaches Kafka with its stable id (a second relay crash may repeat
it, never with another id). The event store keeps the change and its event in one
transaction, so one is never found without the other."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from services.dossier.adapters.incoming import IncomingEvents
from services.dossier.adapters.tables import MIGRATIONS, metadata
from services.dossier.application.dossiers import DossierApplication
from shared.events.envelope import Actor, IntegrationEvent
from shared.pg.migrate import migrate
from shared.pg.pools import open_async_pool
from tests.integration.test_backbone_survives_crashes import PROCEDURE
from tests.support.engines import Engines
from tests.support.kafka import records, wait_for
from tests.support.processes import ServiceProcess
from tests.support.tokens import caller

pytestmark = pytest.mark.integration


async def _procedure(dsn: str, schema: str) -> None:
    """The procedure as the dossier worker keeps it (its own code, without Kafka)."""
    migrate(dsn, schema, MIGRATIONS, metadata)
    pool = await open_async_pool(dsn, schema, max_size=1)
    try:
        # catalog events never reach the dossiers: an in-memory application stands by
        await IncomingEvents(pool, dossiers=DossierApplication()).handle(
            IntegrationEvent(
                id=uuid.uuid4(),
                source="/motcua/catalog",
                type="vn.motcua.catalog.procedure_published",
                subject=PROCEDURE["code"],
                time=datetime.now(UTC),
                data=PROCEDURE,
                sequence=1,
                actor=Actor(id="catalog", role="system"),
            )
        )
    finally:
        await pool.close()


def _submitted_ids(bootstrap: str, topic: str, dossier_id: str) -> list[str]:
    found = [IntegrationEvent.from_bytes(r.value) for r in asyncio.run(records(bootstrap, topic))]
    return [str(e.id) for e in found if e.subject == dossier_id and e.type.endswith(".submitted")]


def test_killed_after_accepting_a_submission_the_event_still_arrives(
    engines: Engines, event_store_env: dict[str, str], run_id: str, tmp_path: Path
) -> None:
    schema = event_store_env["MOTCUA_DOSSIER_POSTGRES_SCHEMA"]
    asyncio.run(_procedure(engines.postgres_dsn, schema))
    env = {
        **engines.env(),
        **event_store_env,
        "MOTCUA_STATE_DIR": str(tmp_path / "state"),
        "MOTCUA_DOSSIER_TOPIC_PREFIX": f"{run_id}.",
    }
    topic = f"{run_id}.motcua.dossier.events"
    bootstrap = engines.kafka_bootstrap_servers
    api = ServiceProcess("services.dossier", env, "MOTCUA_DOSSIER_PORT", tmp_path)
    relay = ServiceProcess(
        "services.dossier.entrypoints.relay", env, "MOTCUA_DOSSIER_RELAY_PORT", tmp_path
    )
    owner = caller(f"{run_id}-cong-dan")
    try:
        api.start(timeout=90)
        relay.start(timeout=90)
        with httpx.Client(base_url=api.url, timeout=30, trust_env=False) as client:
            created = client.post(
                "/api/v1/dossiers",
                headers=owner,
                json={
                    "procedure_code": "1.001193",
                    "agency_code": "NB.HOALU",
                    "form": {"ho_ten": "Nguyễn Văn An"},
                },
            )
            assert created.status_code == 201, created.text
            dossier_id = created.json()["id"]
            relay.kill()  # nothing is published from here on
            submitted = client.post(f"/api/v1/dossiers/{dossier_id}/submit", headers=owner)
            assert submitted.status_code == 200, submitted.text
            api.kill()  # right after answering
        assert _submitted_ids(bootstrap, topic, dossier_id) == []

        api.start(timeout=90)
        with httpx.Client(base_url=api.url, timeout=30, trust_env=False) as client:
            seen = client.get(f"/api/v1/dossiers/{dossier_id}", headers=owner).json()
        assert seen["status"] == "submitted" and seen["code"] == submitted.json()["code"]

        expected = str(IntegrationEvent.stable_id(dossier_id, seen["version"]))
        relay.start(timeout=90)
        wait_for(
            lambda: _submitted_ids(bootstrap, topic, dossier_id), 60, "the submitted event on Kafka"
        )
        relay.kill()
        relay.start(timeout=90)  # may publish again: the same id
        assert set(_submitted_ids(bootstrap, topic, dossier_id)) == {expected}
    finally:
        api.stop()
        relay.stop()
