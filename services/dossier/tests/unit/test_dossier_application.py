"""Use cases on in-memory persistence: procedure lookup, form checks, reading rules, audit."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from uuid import UUID

import pytest

from services.dossier.application.dossiers import (
    DossierApplication,
    DossierNotFoundError,
    FormInvalidError,
    ProcedureUnknownError,
    WalletDocumentError,
)
from services.dossier.application.ports import InMemoryProcedures
from services.dossier.domain import errors
from services.dossier.domain.commands import Accept, Approve, Propose, StartProcessing
from services.dossier.tests.unit.builders import (
    AGENCY,
    BIRTH,
    FOREIGN,
    OTHER_CITIZEN,
    OWNER,
    RECEIVER,
    T0,
    uploaded,
)
from shared.events.envelope import Actor


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def app() -> DossierApplication:
    procedures = InMemoryProcedures()
    procedures.add(BIRTH)
    return DossierApplication(procedures=procedures, clock=Clock())


def filed(app: DossierApplication) -> tuple[UUID, str]:
    dossier_id = app.start_draft(
        OWNER,
        procedure_code="1.001193",
        agency_code=AGENCY,
        form={"ho_ten": "Phạm Thị Dung", "email": "dung@example.vn"},
    )
    app.add_attachment(dossier_id, OWNER, uploaded("a1", "giay_chung_sinh"))
    app.add_attachment(dossier_id, OWNER, uploaded("a2", "cccd"))
    return dossier_id, app.submit(dossier_id, OWNER)


def test_a_draft_needs_a_published_procedure(app: DossierApplication) -> None:
    with pytest.raises(ProcedureUnknownError):
        app.start_draft(OWNER, procedure_code="9.999", agency_code=AGENCY, form={})


def test_the_form_is_checked_field_by_field_in_vietnamese(app: DossierApplication) -> None:
    with pytest.raises(FormInvalidError) as refused:
        app.start_draft(
            OWNER,
            procedure_code="1.001193",
            agency_code=AGENCY,
            form={"email": "không-phải-email", "ho_ten": 5},
        )
    fields = {p["field"]: p for p in refused.value.problems}
    assert fields["email"]["message"] == "Giá trị không đúng định dạng."
    assert fields["ho_ten"]["label"] == "Họ và tên"
    # a draft may wait for required fields; submission may not
    dossier_id = app.start_draft(OWNER, procedure_code="1.001193", agency_code=AGENCY, form={})
    app.add_attachment(dossier_id, OWNER, uploaded("a1", "giay_chung_sinh"))
    app.add_attachment(dossier_id, OWNER, uploaded("a2", "cccd"))
    with pytest.raises(FormInvalidError) as incomplete:
        app.submit(dossier_id, OWNER)
    assert incomplete.value.problems[0]["field"] == "ho_ten"
    assert incomplete.value.problems[0]["message"] == "Vui lòng nhập trường bắt buộc này."


def test_a_code_finds_its_dossier(app: DossierApplication) -> None:
    dossier_id, code = filed(app)
    assert app.find_by_code(code) == dossier_id
    assert app.find_by_code(code.lower()) == dossier_id
    with pytest.raises(DossierNotFoundError):
        app.find_by_code(code[:-1] + ("0" if code[-1] != "0" else "1"))


def test_another_citizen_is_told_it_does_not_exist(app: DossierApplication) -> None:
    dossier_id, _ = filed(app)
    with pytest.raises(DossierNotFoundError):
        app.get_for(dossier_id, OTHER_CITIZEN)
    with pytest.raises(DossierNotFoundError):
        app.withdraw(dossier_id, OTHER_CITIZEN, "x")


def test_an_officer_of_another_agency_is_refused(app: DossierApplication) -> None:
    dossier_id, _ = filed(app)
    with pytest.raises(errors.WrongAgencyError):
        app.get_for(dossier_id, FOREIGN)
    with pytest.raises(errors.WrongAgencyError):
        app.act_as_officer(dossier_id, FOREIGN, Accept())


def test_state_as_of_a_moment_and_chain_verification(app: DossierApplication) -> None:
    dossier_id, _ = filed(app)
    submitted_at = app.stored_events(dossier_id)[-1].timestamp  # when it was recorded
    app.act_as_officer(dossier_id, RECEIVER, Accept())
    before = app.state_as_of(dossier_id, submitted_at)
    assert before is not None and before.status.value == "submitted"
    assert app.state_as_of(dossier_id, submitted_at - timedelta(days=1)) is None
    assert app.get_for(dossier_id, OWNER).status.value == "accepted"
    report = app.verify_chain(dossier_id)
    assert report.valid and report.events == 5


def test_a_payment_is_applied_once(app: DossierApplication) -> None:
    dossier_id, _ = filed(app)
    actor = RECEIVER.model_copy(update={"officer_roles": ("receiver", "processor", "approver")})
    for command in (
        Accept(),
        StartProcessing(),
        Propose("approve", "Đạt"),
        Approve({"number": "KS-1"}),
    ):
        app.act_as_officer(dossier_id, actor, command)
    paid_at = T0 + timedelta(days=1)
    assert app.record_payment(dossier_id, "order-1", 8000, paid_at) is True
    assert app.record_payment(dossier_id, "order-1", 8000, paid_at) is False
    assert app.get_for(dossier_id, OWNER).status.value == "result_ready"


def test_a_wallet_document_is_cited_only_by_its_owner_and_for_its_type(
    app: DossierApplication,
) -> None:
    procedures = app.procedures
    assert isinstance(procedures, InMemoryProcedures)
    procedures.wallet["doc-1"] = {"account_id": OWNER.id, "type": "cccd", "number": "0362"}
    procedures.wallet["doc-2"] = {"account_id": OWNER.id, "type": "ho_chieu"}
    procedures.wallet["doc-3"] = {"account_id": OTHER_CITIZEN.id, "type": "cccd"}
    dossier_id = app.start_draft(
        OWNER, procedure_code="1.001193", agency_code=AGENCY, form={"ho_ten": "Phạm Thị Dung"}
    )
    for document_id in ("doc-2", "doc-3", "doc-missing"):
        with pytest.raises(WalletDocumentError):
            app.link_wallet_document(dossier_id, OWNER, "cccd", document_id)
    _, cited = app.link_wallet_document(dossier_id, OWNER, "cccd", "doc-1")
    stored = app.get_for(dossier_id, OWNER).attachments[cited["id"]]
    assert stored["source"] == "wallet" and stored["wallet_document_id"] == "doc-1"
    assert "sha256" not in stored  # a reference, not a copy


def test_an_organisation_form_is_prefilled_from_its_profile() -> None:
    procedures = InMemoryProcedures()
    schema = {
        "type": "object",
        "properties": {
            "ten_to_chuc": {"type": "string"},
            "ma_so_thue": {"type": "string"},
            "ho_ten": {"type": "string"},
        },
    }
    procedures.add(dataclasses.replace(BIRTH, form_schema=schema))
    company = Actor(id="org-1", role="organisation")
    procedures.profiles[company.id] = {
        "name": "Công ty TNHH Hoa Lư",
        "tax_code": "2700123456",
        "address": "Ninh Bình",
    }
    app = DossierApplication(procedures=procedures)
    dossier_id = app.start_draft(
        company, procedure_code="1.001193", agency_code=AGENCY, form={"ma_so_thue": "2700999999"}
    )
    form = app.get_for(dossier_id, company).form
    assert form == {"ten_to_chuc": "Công ty TNHH Hoa Lư", "ma_so_thue": "2700999999"}
