"""The dossier aggregate: drafting and submitting, with who may do it and when."""

from __future__ import annotations

import pytest
from eventsourcing.application import Application

from services.dossier.application.dossiers import DossierApplication, DossierNotFoundError
from services.dossier.domain.code import is_valid
from services.dossier.domain.dossier import Dossier
from services.dossier.domain.errors import (
    InvalidTransitionError,
    NotOwnerError,
    OnlineFilingNotAllowedError,
)
from services.dossier.domain.status import Status
from shared.events.envelope import Actor

CITIZEN = Actor(id="citizen-1", role="citizen")
OTHER = Actor(id="citizen-2", role="citizen")


def draft(level: int = 3) -> Dossier:
    return Dossier.start_draft(
        CITIZEN,
        procedure_code="1.001193",
        procedure_version=1,
        service_level=level,
        agency_code="HCM.QTB",
        form={"ho_ten": "Nguyễn Văn A", "email": "a@example.vn"},
    )


def test_a_new_draft_belongs_to_its_author_and_has_no_code() -> None:
    dossier = draft()
    assert dossier.status is Status.DRAFT
    assert dossier.owner_id == CITIZEN.id
    assert dossier.code is None


@pytest.mark.parametrize("level", [1, 2])
def test_levels_one_and_two_cannot_be_filed_online(level: int) -> None:
    with pytest.raises(OnlineFilingNotAllowedError):
        draft(level)


def test_submitting_gives_a_valid_code_and_records_who_and_when() -> None:
    dossier = draft()
    dossier.submit(CITIZEN)
    assert dossier.status is Status.SUBMITTED
    assert dossier.code is not None and is_valid(dossier.code)
    assert dossier.code.startswith("HCM.QTB-")
    _created, submitted = dossier.collect_events()
    assert type(submitted).__name__ == "Submitted"
    assert submitted.actor == CITIZEN.model_dump()
    assert submitted.at is not None and submitted.at.tzinfo is not None


def test_only_the_owner_may_submit() -> None:
    dossier = draft()
    with pytest.raises(NotOwnerError):
        dossier.submit(OTHER)
    assert dossier.status is Status.DRAFT


def test_a_dossier_is_submitted_once() -> None:
    dossier = draft()
    dossier.submit(CITIZEN)
    with pytest.raises(InvalidTransitionError):
        dossier.submit(CITIZEN)


def test_the_application_replays_state_from_events() -> None:
    app = DossierApplication()  # in-memory persistence: no I/O in unit tests
    dossier_id = app.start_draft(
        CITIZEN, procedure_code="1.001193", procedure_version=1, service_level=4,
        agency_code="HN", form={},
    )
    code = app.submit(dossier_id, CITIZEN)
    view = app.view(dossier_id, CITIZEN)
    assert view["code"] == code
    assert view["status"] == "submitted"
    assert view["status_label"] == "Mới đăng ký"
    assert view["version"] == 2


def test_another_citizen_cannot_see_the_dossier() -> None:
    app = DossierApplication()
    dossier_id = app.start_draft(
        CITIZEN, procedure_code="x", procedure_version=1, service_level=3, agency_code="HN",
        form={},
    )
    with pytest.raises(DossierNotFoundError):
        app.view(dossier_id, OTHER)


def test_uses_in_memory_persistence_by_default() -> None:
    assert isinstance(DossierApplication(), Application)
