"""Which files the dossiers' histories keep: a draft's removed file goes, a filed
dossier's files stay (removed or not), a held file and the result file stay."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.dossier.application.blobs import referenced_files
from services.dossier.application.dossiers import DossierApplication
from services.dossier.application.ports import InMemoryProcedures
from services.dossier.domain.dossier import Dossier
from services.dossier.domain.files import FileReferences
from services.dossier.tests.unit.builders import (
    AGENCY,
    APPROVER,
    BIRTH,
    CALENDAR,
    OWNER,
    PROCESSOR,
    RECEIVER,
    T0,
)

T = T0 + timedelta(hours=1)


def _file(attachment_id: str, digit: str, code: str = "giay_chung_sinh") -> dict[str, Any]:
    return {
        "id": attachment_id,
        "document_code": code,
        "name": f"{attachment_id}.pdf",
        "content_type": "application/pdf",
        "size": 100,
        "sha256": digit * 64,
    }


def _kept(*dossiers: Dossier) -> set[str]:
    references = FileReferences()
    for dossier in dossiers:
        for event in dossier.collect_events():
            references.record(event)
    return references.kept()


def _draft() -> Dossier:
    return Dossier.start_draft(OWNER, procedure=BIRTH, agency_code=AGENCY, form={"ho_ten": "An"})


def test_a_file_removed_from_a_draft_goes_a_held_one_stays() -> None:
    dossier = _draft()
    dossier.add_attachment(OWNER, _file("a1", "1"))
    dossier.add_attachment(OWNER, _file("a2", "2", "cccd"))
    dossier.remove_attachment(OWNER, "a1")
    assert _kept(dossier) == {"2" * 64}


def test_a_filed_dossier_keeps_what_it_held_from_its_submission_on() -> None:
    dossier = _draft()
    dossier.add_attachment(OWNER, _file("a0", "0", "uy_quyen"))
    dossier.remove_attachment(OWNER, "a0")  # removed before filing: never filed
    dossier.add_attachment(OWNER, _file("a1", "1"))
    dossier.add_attachment(OWNER, _file("a2", "2", "cccd"))
    dossier.submit(OWNER, T)
    dossier.remove_attachment(OWNER, "a2")  # removed once filed: stays for audit
    dossier.add_attachment(OWNER, _file("a3", "3", "uy_quyen"))
    dossier.remove_attachment(OWNER, "a3")
    assert _kept(dossier) == {"1" * 64, "2" * 64, "3" * 64}


def test_the_result_file_stays() -> None:
    dossier = _draft()
    dossier.add_attachment(OWNER, _file("a1", "1"))
    dossier.add_attachment(OWNER, _file("a2", "2", "cccd"))
    dossier.submit(OWNER, T)
    dossier.accept(RECEIVER, T, CALENDAR)
    dossier.start_processing(PROCESSOR, T)
    dossier.propose(PROCESSOR, "approve", "Đủ điều kiện", T)
    result = {"name": "kq.pdf", "content_type": "application/pdf", "size": 9, "sha256": "f" * 64}
    dossier.approve(APPROVER, {"number": "KS-1", "document": result}, T)
    assert _kept(dossier) == {"1" * 64, "2" * 64, "f" * 64}


def test_a_file_two_dossiers_share_stays_while_one_needs_it() -> None:
    draft, other = _draft(), _draft()
    draft.add_attachment(OWNER, _file("a1", "1"))
    draft.remove_attachment(OWNER, "a1")
    other.add_attachment(OWNER, _file("b1", "1"))  # the same bytes
    assert _kept(draft, other) == {"1" * 64}
    assert _kept(_draft()) == set()


def test_the_application_reads_the_references_from_its_whole_log() -> None:
    procedures = InMemoryProcedures()
    procedures.add(BIRTH)
    app = DossierApplication(procedures=procedures)
    dossier_id = app.start_draft(
        OWNER, procedure_code="1.001193", agency_code=AGENCY, form={"ho_ten": "An"}
    )
    for n in range(5):
        app.add_attachment(dossier_id, OWNER, _file(f"a{n}", str(n)))
    app.remove_attachment(dossier_id, OWNER, "a0")
    assert referenced_files(app, batch=2) == {str(n) * 64 for n in range(1, 5)}
