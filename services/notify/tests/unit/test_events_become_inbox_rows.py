"""Dossier events become inbox rows for the owner and the agency's officers, each with
the email status their address and preferences give; a redelivered event adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.notify.application.notices import Notifier
from services.notify.domain.kinds import reminder_notices
from services.notify.tests.unit.fakes import FakeNotifyStore
from shared.events.envelope import Actor, IntegrationEvent

AGENCY = "NB.HOALU"
AT = datetime(2026, 11, 23, 1, tzinfo=UTC)


def _event(sequence: int, kind: str, **data: Any) -> IntegrationEvent:
    return IntegrationEvent(
        id=IntegrationEvent.stable_id("d1", sequence),
        source="/motcua/dossier",
        type=f"vn.motcua.dossier.{kind}",
        subject="d1",
        time=AT,
        data=data,
        sequence=sequence,
        actor=Actor(id="x", role="system"),
    )


def _store() -> FakeNotifyStore:
    store = FakeNotifyStore()
    store.tables["accounts"] = {
        "o1": {"id": "o1", "kind": "officer", "agency_code": AGENCY, "email": "o1@example.vn"},
        "o2": {"id": "o2", "kind": "officer", "agency_code": AGENCY, "email": None},
        "o3": {"id": "o3", "kind": "officer", "agency_code": "NB.STP", "email": "o3@x.vn"},
        "o4": {"id": "o4", "kind": "officer", "agency_code": AGENCY, "email": "o4@example.vn"},
    }
    store.prefs["o4"] = {"dossier_new": False}
    return store


async def test_a_submitted_dossier_reaches_its_owner_and_the_agencys_officers() -> None:
    store = _store()
    notifier = Notifier(store, "https://p.vn")
    created = _event(1, "created", owner_id="u1", agency_code=AGENCY, form={"email": "u@x.vn"})
    submitted = _event(2, "submitted", code="C1")
    await notifier.dossier_events([created])
    await notifier.dossier_events([submitted])

    source = str(submitted.id)
    statuses = {
        entry_id: e["email_status"]
        for entry_id, e in store.entries.items()
        if e["source_id"] == source
    }
    assert statuses == {
        source: "pending",  # the owner, at the form's address
        f"{source}:o1": "pending",
        f"{source}:o2": "no-address",
        f"{source}:o4": "disabled",  # turned off dossier_new
    }
    owner = store.entries[source]
    assert (owner["user_id"], owner["email_to"], owner["code"]) == ("u1", "u@x.vn", "C1")
    message = owner["email_message"]
    assert message["template"] == "dossier_submitted"
    assert message["values"]["greeting"] == "Quý công dân"
    assert message["values"]["portal_url"] == "https://p.vn"
    assert store.entries[f"{source}:o1"]["email_message"]["values"]["greeting"] == "Quý cán bộ"
    assert store.entries[str(created.id)]["email_status"] == "none"  # a draft: in-app only


async def test_a_redelivered_event_adds_no_entry() -> None:
    store = _store()
    notifier = Notifier(store, "https://p.vn")
    await notifier.dossier_events([_event(1, "created", owner_id="u1", agency_code=AGENCY)])
    await notifier.dossier_events([_event(2, "submitted", code="C1")])
    before = dict(store.entries)
    await notifier.dossier_events([_event(2, "submitted", code="C1")])
    assert store.entries == before


async def test_an_overdue_reminder_reaches_the_owner_and_the_officers_once() -> None:
    store = _store()
    notifier = Notifier(store, "https://p.vn")
    notices = reminder_notices("deadline_overdue", "C1", "2026-12-01T02:00:00+00:00")
    dossier = {"id": "d1", "owner_id": "u1", "agency_code": AGENCY}
    source = "reminder-1"
    for _ in range(2):  # two ticks, or two workers, see the same reminder
        await notifier.deliver(source, "vn.motcua.notify.deadline_overdue", AT, dossier, notices)
    assert sorted(store.entries) == [source, f"{source}:o1", f"{source}:o2", f"{source}:o4"]
    owner = store.entries[source]
    assert owner["email_status"] == "no-address"  # no form address, no account address
    assert store.entries[f"{source}:o1"]["email_message"]["template"] == "deadline_overdue"
