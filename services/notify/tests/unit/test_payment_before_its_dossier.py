"""A payment event read before its dossier's events (after a restart, notify reads both
topics' backlogs side by side) still reaches the dossier's owner: ``order_paid`` names
no payer, so notify waits for the dossier projection instead of recording the event with
nobody to tell (the loss the chaos benchmark found)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from services.notify.application.notices import Notifier
from services.notify.tests.unit.fakes import FakeNotifyStore
from shared.events.envelope import Actor, IntegrationEvent

AT = datetime(2026, 11, 23, 1, tzinfo=UTC)


def _event(context: str, subject: str, sequence: int, kind: str, **data: Any) -> IntegrationEvent:
    return IntegrationEvent(
        id=IntegrationEvent.stable_id(subject, sequence),
        source=f"/motcua/{context}",
        type=f"vn.motcua.{context}.{kind}",
        subject=subject,
        time=AT,
        data=data,
        sequence=sequence,
        actor=Actor(id="x", role="system"),
    )


PAID = _event(
    "payment", "o1", 3, "order_paid", dossier_id="d1", amount=8000, paid_at=AT.isoformat()
)
CREATED = _event("dossier", "d1", 1, "created", owner_id="u1", agency_code="NB.HOALU")


async def test_order_paid_before_the_dossier_waits_for_it_and_tells_the_owner() -> None:
    store = FakeNotifyStore()
    notifier = Notifier(store, "https://p.vn", owner_wait_seconds=5)
    paying = asyncio.create_task(notifier.payment_event(PAID))
    await asyncio.sleep(0.3)
    assert not paying.done()  # waiting: nothing recorded, the event not marked processed
    assert store.entries == {}
    await notifier.dossier_events([CREATED])
    await asyncio.wait_for(paying, 5)
    entry = store.entries[str(PAID.id)]
    assert entry["user_id"] == "u1" and entry["kind"] == "payment_received"


async def test_a_dossier_that_never_comes_does_not_stop_the_payment_agent() -> None:
    notifier = Notifier(FakeNotifyStore(), "https://p.vn", owner_wait_seconds=0.3)
    await asyncio.wait_for(notifier.payment_event(PAID), 5)


async def test_an_event_naming_its_payer_does_not_wait() -> None:
    store = FakeNotifyStore()
    notifier = Notifier(store, "https://p.vn", owner_wait_seconds=60)
    created = _event("payment", "o1", 1, "order_created", dossier_id="d1", payer_id="u1", amount=1)
    await asyncio.wait_for(notifier.payment_event(created), 2)
    assert store.entries[str(created.id)]["user_id"] == "u1"
