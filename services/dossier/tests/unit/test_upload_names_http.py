"""A dossier attachment's and a result file's name is stored plain, whatever the client
sent as its file name (path parts, bidi isolates, a right-to-left override)."""

from __future__ import annotations

from typing import Any

from services.dossier.tests.unit.builders import AGENCY, APPROVER, OWNER
from services.dossier.tests.unit.files_api import files_api
from services.dossier.tests.unit.test_dossier_api_matrix import headers
from services.dossier.tests.unit.test_result_file import PDF, _processing
from shared.blobstore import InMemoryBlobStore

# NUL and newlines reach us percent-encoded from httpx: shared/tests/test_upload_names.py
HOSTILE = "..\\..\\tmp/\u2066ho so\u202efdp.exe\u2069"


def test_an_attachments_hostile_name_is_stored_plain() -> None:
    with files_api(InMemoryBlobStore()) as (client, dossiers):
        dossier_id = dossiers.start_draft(
            OWNER, procedure_code="1.001193", agency_code=AGENCY, form={"ho_ten": "Nguyễn Văn An"}
        )
        answer = client.post(
            f"/api/v1/dossiers/{dossier_id}/attachments",
            headers=headers(OWNER),
            data={"document_code": "cccd"},
            files={"file": (HOSTILE, PDF, "application/pdf")},
        )
        assert answer.status_code == 201, answer.text
        assert answer.json()["name"] == "ho sofdp.exe"
        stored: dict[str, Any] = dossiers.get_for(dossier_id, OWNER).attachments
        assert [a["name"] for a in stored.values()] == ["ho sofdp.exe"]


def test_a_result_files_name_is_stored_plain() -> None:
    with files_api(InMemoryBlobStore()) as (client, dossiers):
        dossier_id = _processing(dossiers)
        answer = client.post(
            f"/api/v1/officer/dossiers/{dossier_id}/approve",
            headers=headers(APPROVER),
            data={"result_number": "KS-9"},
            files={"file": (HOSTILE, PDF, "application/pdf")},
        )
        assert answer.status_code == 200, answer.text
        result = dossiers.get_for(dossier_id, APPROVER).result
        assert result is not None and result["document"]["name"] == "ho sofdp.exe"
