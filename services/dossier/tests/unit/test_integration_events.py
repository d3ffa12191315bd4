"""Dossier domain events become integration events with stable ids."""

from services.dossier.adapters.integration_events import to_integration_event
from services.dossier.domain.dossier import Dossier
from shared.events.envelope import Actor, IntegrationEvent

CITIZEN = Actor(id="citizen-1", role="citizen")


def test_created_and_submitted_translate_to_dossier_events() -> None:
    dossier = Dossier.start_draft(
        CITIZEN, procedure_code="1.001193", procedure_version=2, service_level=3,
        agency_code="HN", form={"ho_ten": "Trần Thị B"},
    )
    dossier.submit(CITIZEN)
    created, submitted = (to_integration_event(e) for e in dossier.collect_events())

    assert created.type == "vn.motcua.dossier.created"
    assert created.subject == str(dossier.id)
    assert created.sequence == 1
    assert created.data["form"] == {"ho_ten": "Trần Thị B"}
    assert created.data["procedure_version"] == 2
    assert created.actor == CITIZEN

    assert submitted.type == "vn.motcua.dossier.submitted"
    assert submitted.sequence == 2
    assert submitted.data["code"] == dossier.code
    assert submitted.id == IntegrationEvent.stable_id(str(dossier.id), 2)
    assert IntegrationEvent.from_bytes(submitted.to_bytes()) == submitted
