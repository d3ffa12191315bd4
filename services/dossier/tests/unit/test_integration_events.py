"""Dossier domain events become integration events with stable ids."""

import uuid
from datetime import timedelta

from services.dossier.adapters.integration_events import to_integration_event
from services.dossier.application.dossiers import DossierCode
from services.dossier.domain.status import Status
from services.dossier.tests.unit.builders import OWNER, T0, draft, in_state
from shared.events.envelope import IntegrationEvent


def test_created_and_submitted_translate_to_dossier_events() -> None:
    dossier = draft()
    dossier.submit(OWNER, T0 + timedelta(hours=1))
    translated = [to_integration_event(e) for e in dossier.collect_events()]
    created, *_, submitted = [e for e in translated if e is not None]
    assert len(translated) == 4

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


def test_the_code_index_is_not_published() -> None:
    index = DossierCode("NB.HOALU-261120-ABCD1234X", uuid.uuid4())
    assert [to_integration_event(e) for e in index.collect_events()] == [None]


def test_payment_requested_follows_the_contract_with_the_payment_service() -> None:
    dossier = in_state(Status.AWAITING_PAYMENT)
    published = [to_integration_event(e) for e in dossier.collect_events()]
    requested = next(
        e for e in published if e is not None and e.type == "vn.motcua.dossier.payment_requested"
    )
    data = requested.data
    assert data["dossier_id"] == str(dossier.id) and data["code"] == dossier.code
    assert data["procedure_code"] == "1.001193" and data["procedure_version"] == 1
    assert data["agency_code"] == "NB.HOALU" and data["payer_id"] == OWNER.id
    assert data["service_level"] == 4 and data["total"] == 8000
    assert data["fees"] == [
        {
            "code": "le_phi",
            "name": "Lệ phí đăng ký khai sinh",
            "unit_amount": 8000,
            "quantity": 1,
            "amount": 8000,
            "rule": None,
        }
    ]
    assert data["payer_name"] == "Nguyễn Văn An"
    assert data["procedure_name"] == "Đăng ký khai sinh"
