"""Dossier domain events become integration events with stable ids."""

from datetime import timedelta

from services.dossier.adapters.integration_events import to_integration_event
from services.dossier.tests.unit.builders import OWNER, T0, draft
from shared.events.envelope import IntegrationEvent


def test_created_and_submitted_translate_to_dossier_events() -> None:
    dossier = draft()
    dossier.submit(OWNER, T0 + timedelta(hours=1))
    created, *_, submitted = (to_integration_event(e) for e in dossier.collect_events())

    assert created.type == "vn.motcua.dossier.created"
    assert created.subject == str(dossier.id)
    assert created.sequence == 1
    assert created.data["form"] == {"ho_ten": "Nguyễn Văn An"}
    assert created.data["procedure"]["version"] == 1
    assert created.actor == OWNER

    assert submitted.type == "vn.motcua.dossier.submitted"
    assert submitted.sequence == 4
    assert submitted.data["code"] == dossier.code
    assert len(submitted.data["prev_hash"]) == 64
    assert submitted.id == IntegrationEvent.stable_id(str(dossier.id), 4)
    assert IntegrationEvent.from_bytes(submitted.to_bytes()) == submitted
