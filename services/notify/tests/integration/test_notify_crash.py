"""notify SIGKILLed mid-stream and after an accepted write: each consumed event has its
inbox entries and its processed-event record, or neither; after the restart every event
has its entries once and every email went (at most once more, with the same Message-ID)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from services.notify.settings import NotifySettings
from services.notify.tests.integration.support import (
    Stream,
    created,
    headers,
    later,
    notify_env,
    notify_store,
    send,
    start_notify,
    wait_for,
)
from shared.events.envelope import IntegrationEvent
from tests.support.engines import Engines
from tests.support.mail import messages_to

pytestmark = pytest.mark.integration
DOSSIERS = 30
SENDERS = NotifySettings.model_fields["email_concurrency"].default  # one SMTP connection each


def test_a_sigkill_leaves_each_event_with_its_effects_or_without_them(
    engines: Engines, run_id: str, tmp_path: Path
) -> None:
    env = notify_env(engines, run_id, tmp_path)
    notify = start_notify(env, tmp_path)
    db = notify_store(engines, run_id)

    def both_or_neither() -> set[str]:
        processed = {
            r["event_id"]
            for r in db.query(
                "SELECT event_id FROM processed_events WHERE consumer = 'notify-dossier'"
            )
        }
        inboxed = {r["source_id"] for r in db.query("SELECT source_id FROM notifications")}
        assert processed == inboxed
        return processed

    try:
        owner = f"{run_id}-owner"
        with httpx.Client(base_url=notify.url, timeout=10) as api:
            saved = api.put(
                "/api/v1/notifications/preferences",
                headers=headers(owner),
                json={"email": {"dossier_withdrawn": False}},
            )
            assert saved.status_code == 200
        notify.kill()  # right after the 200
        notify.start(90)
        with httpx.Client(base_url=notify.url, timeout=10) as api:
            kept = api.get("/api/v1/notifications/preferences", headers=headers(owner))
            assert kept.json()["email"]["dossier_withdrawn"] is False

        filed, events = [], []
        for index in range(DOSSIERS):
            stream = Stream("dossier")
            email = f"{run_id}-{index}@example.vn"
            events += [
                created(stream, f"{run_id}-owner-{index}", email),
                stream.next("submitted", {"code": f"HL-K{index:02d}", "at": later()}),
            ]
            filed.append((stream.subject, email))
        send(engines.kafka_bootstrap_servers, f"{run_id}.motcua.dossier.events", events)
        deadline = time.monotonic() + 60
        while db.count("notifications") < 6:  # polled tightly: kill in the middle of the burst
            assert time.monotonic() < deadline, "no entry arrived"
            time.sleep(0.01)
        notify.kill()  # mid-stream: some events handled, some emails sent, the rest not
        both_or_neither()

        notify.start(90)
        expected = {
            str(IntegrationEvent.stable_id(subject, seq)) for subject, _ in filed for seq in (1, 2)
        }
        wait_for(
            lambda: db.count("notifications", email_status="sent") == DOSSIERS,
            120,
            "every email after the restart",
        )
        time.sleep(2)  # anything still in flight would show up as a duplicate
        assert both_or_neither() == expected
        assert db.count("notifications") == 2 * DOSSIERS
        deliveries = 0
        for subject, email in filed:
            received = messages_to(engines.maildir, email)
            assert {m["Message-ID"] for m in received} == {
                f"<{IntegrationEvent.stable_id(subject, 2)}.email@motcua.local>"
            }
            deliveries += len(received)
        # each of the sender's workers may be between a 250 and its mark when the kill
        # comes: that email goes once more (same Message-ID), nothing else does
        assert deliveries <= DOSSIERS + SENDERS
    finally:
        notify.stop()
        db.drop()
