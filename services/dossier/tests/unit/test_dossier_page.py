"""What a dossier page is told: the actions its reader may take, from one read of the store,
and «Lưu và gửi» as one write that still keeps the form when the submission is refused."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from services.dossier.application.dossiers import (
    DossierApplication,
    DossierNotFoundError,
    FormInvalidError,
)
from services.dossier.application.ports import InMemoryProcedures
from services.dossier.domain import errors
from services.dossier.domain.rules import RULES
from services.dossier.domain.status import Status
from services.dossier.tests.unit.builders import (
    ADMIN,
    AGENCY,
    APPROVER,
    AUDITOR,
    BIRTH,
    FOREIGN,
    OTHER_CITIZEN,
    OWNER,
    PROCESSOR,
    RECEIVER,
    SYSTEM,
    T0,
    in_state,
    officer,
    uploaded,
)

READERS = [
    OWNER,
    RECEIVER,
    PROCESSOR,
    APPROVER,
    ADMIN,
    FOREIGN,
    AUDITOR,
    officer("processor", officer_id="processor-2"),
]


@pytest.mark.parametrize("status", list(Status), ids=lambda s: s.value)
def test_the_actions_offered_are_exactly_the_commands_the_rules_let_through(
    status: Status,
) -> None:
    dossier = in_state(status)
    for actor in READERS:
        offered = set(dossier.actions_for(actor)) - {"download_result"}
        for command in RULES:
            try:
                dossier.authorise(command, actor)
            except errors.DossierError:
                assert command not in offered, (status, actor.id, command)
            else:
                assert command in offered, (status, actor.id, command)


def test_the_owner_is_offered_what_a_citizen_does_in_each_state() -> None:
    assert in_state(Status.DRAFT).actions_for(OWNER) == [
        "save_form",
        "add_attachment",
        "remove_attachment",
        "submit",
    ]
    assert "withdraw" in in_state(Status.ACCEPTED).actions_for(OWNER)
    assert "supplement" in in_state(Status.SUPPLEMENT_REQUESTED).actions_for(OWNER)
    assert in_state(Status.COMPLETED).actions_for(OWNER) == ["rate"]  # no result file
    assert in_state(Status.AWAITING_PAYMENT).actions_for(OWNER) == ["withdraw"]
    assert in_state(Status.REJECTED).actions_for(OWNER) == []
    assert in_state(Status.SUBMITTED).actions_for(AUDITOR) == []


def test_a_processor_is_offered_only_what_is_assigned_to_them() -> None:
    dossier = in_state(Status.IN_PROCESSING)  # started by processor-1
    assert "propose" in dossier.actions_for(PROCESSOR)
    assert "propose" not in dossier.actions_for(officer("processor", officer_id="processor-2"))
    assert "approve" in dossier.actions_for(APPROVER)
    assert "download_result" not in dossier.actions_for(APPROVER)  # nothing approved yet


def test_the_result_file_is_offered_to_whom_it_may_be_downloaded_by() -> None:
    dossier = in_state(Status.IN_PROCESSING)
    document = {
        "name": "ket-qua.pdf",
        "content_type": "application/pdf",
        "size": 10,
        "sha256": "cd" * 32,
    }
    dossier.approve(APPROVER, {"number": "KS-1", "document": document}, T0)
    assert dossier.status is Status.AWAITING_PAYMENT  # the fee is owed first
    assert "download_result" in dossier.actions_for(APPROVER)
    assert "download_result" not in dossier.actions_for(OWNER)
    dossier.record_payment(SYSTEM, "order-1", 8000, T0)
    assert dossier.actions_for(OWNER) == ["download_result"]
    assert "download_result" not in dossier.actions_for(FOREIGN)


class CountingApp(DossierApplication):
    reads = 0

    def stored_events(self, dossier_id: UUID) -> list[Any]:
        self.reads += 1
        return super().stored_events(dossier_id)


@pytest.fixture
def app() -> CountingApp:
    procedures = InMemoryProcedures()
    procedures.add(BIRTH)
    return CountingApp(procedures=procedures)


def _draft(app: DossierApplication, form: dict[str, Any]) -> UUID:
    dossier_id = app.start_draft(OWNER, procedure_code=BIRTH.code, agency_code=AGENCY, form=form)
    app.add_attachment(dossier_id, OWNER, uploaded("a1", "giay_chung_sinh"))
    app.add_attachment(dossier_id, OWNER, uploaded("a2", "cccd"))
    return dossier_id


def test_a_page_reads_the_store_once_and_sees_what_the_repository_sees(app: CountingApp) -> None:
    dossier_id = _draft(app, {"ho_ten": "Nguyễn Văn An"})
    app.submit(dossier_id, OWNER)
    dossier, events = app.read_with_events(dossier_id, OWNER)
    assert app.reads == 1
    same = app.get_for(dossier_id, OWNER)
    assert (dossier.version, dossier.status, dossier.code) == (same.version, same.status, same.code)
    assert dossier.chain_head == same.chain_head
    assert [e.originator_version for e in events] == list(range(1, same.version + 1))


def test_a_page_refuses_whom_the_dossier_refuses(app: CountingApp) -> None:
    dossier_id = _draft(app, {"ho_ten": "Nguyễn Văn An"})
    with pytest.raises(DossierNotFoundError):
        app.read_with_events(dossier_id, OTHER_CITIZEN)
    with pytest.raises(DossierNotFoundError):
        app.read_with_events(dossier_id, RECEIVER)  # a draft is its author's only


def test_save_and_submit_is_one_write(app: CountingApp) -> None:
    dossier_id = _draft(app, {})
    before = app.get_for(dossier_id, OWNER).version
    code = app.save_and_submit(dossier_id, OWNER, {"ho_ten": "Trần Thị Bình"})
    dossier = app.get_for(dossier_id, OWNER)
    assert dossier.status is Status.SUBMITTED and dossier.code == code
    assert dossier.form == {"ho_ten": "Trần Thị Bình"}
    assert dossier.version == before + 2  # FormSaved, Submitted
    assert app.find_by_code(code) == dossier_id


def test_a_refused_submission_still_keeps_the_form(app: CountingApp) -> None:
    dossier_id = _draft(app, {})
    with pytest.raises(FormInvalidError):  # ho_ten is required to submit
        app.save_and_submit(dossier_id, OWNER, {"email": "binh@example.vn"})
    dossier = app.get_for(dossier_id, OWNER)
    assert dossier.status is Status.DRAFT and dossier.form == {"email": "binh@example.vn"}
    bare = app.start_draft(OWNER, procedure_code=BIRTH.code, agency_code=AGENCY, form={})
    with pytest.raises(errors.MissingDocumentsError):
        app.save_and_submit(bare, OWNER, {"ho_ten": "Trần Thị Bình"})
    assert app.get_for(bare, OWNER).form == {"ho_ten": "Trần Thị Bình"}
    with pytest.raises(FormInvalidError):  # a malformed value is refused before any write
        app.save_and_submit(bare, OWNER, {"email": "không-phải-email"})
    assert app.get_for(bare, OWNER).form == {"ho_ten": "Trần Thị Bình"}
