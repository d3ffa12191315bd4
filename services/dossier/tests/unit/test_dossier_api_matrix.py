"""Every dossier route with every kind of caller: the answer and, for a refusal, a
problem+json body (no engines: in-memory event store and blob store)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.dossier.application.dossiers import DossierApplication
from services.dossier.application.lookup import PublicLookup
from services.dossier.application.ports import InMemoryLookupAttempts, InMemoryProcedures
from services.dossier.bootstrap import pdf_renderer
from services.dossier.domain.commands import Accept, Propose, StartProcessing
from services.dossier.domain.lookup import LookupPolicy
from services.dossier.entrypoints.http.app import dossier_app
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
    uploaded,
)
from shared.blobstore import InMemoryBlobStore
from shared.events.envelope import Actor
from tests.support import tokens

CALLERS: dict[str, Actor | None] = {
    "owner": OWNER,
    "other citizen": OTHER_CITIZEN,
    "receiver": RECEIVER,
    "processor": PROCESSOR,
    "approver": APPROVER,
    "agency admin": ADMIN,
    "foreign officer": FOREIGN,
    "auditor": AUDITOR,
    "anonymous": None,
}


def headers(actor: Actor | None) -> dict[str, str]:
    if actor is None:
        return {}
    return tokens.caller_of(actor)


@pytest.fixture
def app() -> Iterator[tuple[TestClient, DossierApplication]]:
    procedures = InMemoryProcedures()
    procedures.add(BIRTH)
    procedures.wallet["doc-1"] = {"account_id": OWNER.id, "type": "cccd"}
    dossiers = DossierApplication(procedures=procedures)
    api: FastAPI = dossier_app()
    api.state.verifier = tokens.verifier()
    api.state.dossiers = dossiers
    api.state.lookup = PublicLookup(dossiers, InMemoryLookupAttempts(), LookupPolicy(5, 900))
    api.state.blobs = InMemoryBlobStore()
    api.state.render_pdf = pdf_renderer()
    with TestClient(api) as client:
        yield client, dossiers


def _draft(dossiers: DossierApplication) -> UUID:
    dossier_id = dossiers.start_draft(
        OWNER,
        procedure_code="1.001193",
        agency_code=AGENCY,
        form={"ho_ten": "Nguyễn Văn An", "so_dinh_danh": "1234"},
    )
    dossiers.add_attachment(dossier_id, OWNER, uploaded("a1", "giay_chung_sinh"))
    dossiers.add_attachment(dossier_id, OWNER, uploaded("a2", "cccd"))
    return dossier_id


def _submitted(dossiers: DossierApplication) -> UUID:
    dossier_id = _draft(dossiers)
    dossiers.submit(dossier_id, OWNER)
    return dossier_id


def _processing(dossiers: DossierApplication) -> UUID:
    dossier_id = _submitted(dossiers)
    dossiers.act_as_officer(dossier_id, RECEIVER, Accept())
    dossiers.act_as_officer(dossier_id, PROCESSOR, StartProcessing())
    dossiers.act_as_officer(dossier_id, PROCESSOR, Propose("approve", "Đạt"))
    return dossier_id


Setup = Callable[[DossierApplication], UUID]
# route, setup, body, who may (and the success status)
ROUTES: list[tuple[str, str, Setup, Any, set[str], int]] = [
    (
        "GET",
        "/api/v1/dossiers/{id}",
        _submitted,
        None,
        {"owner", "receiver", "processor", "approver", "agency admin", "auditor"},
        200,
    ),
    (
        "GET",
        "/api/v1/dossiers/{id}/timeline",
        _submitted,
        None,
        {"owner", "receiver", "processor", "approver", "agency admin", "auditor"},
        200,
    ),
    (
        "GET",
        "/api/v1/dossiers/{id}/page",
        _submitted,
        None,
        {"owner", "receiver", "processor", "approver", "agency admin", "auditor"},
        200,
    ),
    (
        "PUT",
        "/api/v1/dossiers/{id}/form",
        _draft,
        {"form": {"ho_ten": "Lê Văn Bình"}},
        {"owner"},
        200,
    ),
    (
        "PUT",
        "/api/v1/dossiers/{id}/form",
        _draft,
        {"form": {"ho_ten": "Lê Văn Bình", "so_dinh_danh": "1234"}, "submit": True},
        {"owner"},
        200,
    ),
    (
        "POST",
        "/api/v1/dossiers/{id}/wallet-documents",
        _draft,
        {"document_code": "cccd", "wallet_document_id": "doc-1"},
        {"owner"},
        201,
    ),
    ("POST", "/api/v1/dossiers/{id}/submit", _draft, None, {"owner"}, 200),
    ("POST", "/api/v1/dossiers/{id}/withdraw", _submitted, {"reason": "Nộp nhầm"}, {"owner"}, 200),
    ("POST", "/api/v1/officer/dossiers/{id}/accept", _submitted, {}, {"receiver"}, 200),
    (
        "POST",
        "/api/v1/officer/dossiers/{id}/reject-at-reception",
        _submitted,
        {"reason": "Sai thẩm quyền"},
        {"receiver"},
        200,
    ),
    (
        "POST",
        "/api/v1/officer/dossiers/{id}/request-supplement",
        _processing,
        {"items": [{"document_code": "cccd", "reason": "Mờ"}], "reason": "Bổ sung"},
        {"processor"},
        200,
    ),
    (
        "POST",
        "/api/v1/officer/dossiers/{id}/assign",
        _processing,
        {"officer_id": "processor-2"},
        {"agency admin"},
        200,
    ),
    (
        "POST",
        "/api/v1/officer/dossiers/{id}/transfer",
        _processing,
        {"to_agency": "NB.STP", "reason": "Chuyển Sở"},
        {"agency admin"},
        200,
    ),
    (
        "POST",
        "/api/v1/officer/dossiers/{id}/opinions",
        _processing,
        {"opinion": "Đồng ý"},
        {"processor", "approver"},
        200,
    ),
    (
        "POST",
        "/api/v1/officer/dossiers/{id}/approve",
        _processing,
        {"result": {"number": "KS-1"}},
        {"approver"},
        200,
    ),
    (
        "POST",
        "/api/v1/officer/dossiers/{id}/reject",
        _processing,
        {"reason": "Không đạt"},
        {"approver"},
        200,
    ),
    (
        "GET",
        "/api/v1/officer/dossiers/{id}",
        _submitted,
        None,
        {"receiver", "processor", "approver", "agency admin", "auditor"},
        200,
    ),
    (
        "GET",
        "/api/v1/officer/dossiers/{id}/national-export",
        _submitted,
        None,
        {"receiver", "processor", "approver", "agency admin", "auditor"},
        200,
    ),
    ("GET", "/api/v1/audit/dossiers/{id}/events", _submitted, None, {"auditor"}, 200),
    ("GET", "/api/v1/audit/dossiers/{id}/verify", _submitted, None, {"auditor"}, 200),
    ("GET", "/api/v1/audit/dossiers/{id}/export", _submitted, None, {"auditor"}, 200),
]


@pytest.mark.parametrize("who", sorted(CALLERS))
@pytest.mark.parametrize(
    ("method", "path", "setup", "body", "allowed", "ok"),
    ROUTES,
    ids=[f"{r[0]} {r[1]}" for r in ROUTES],
)
def test_route_answers_each_caller(
    app: tuple[TestClient, DossierApplication],
    who: str,
    method: str,
    path: str,
    setup: Setup,
    body: Any,
    allowed: set[str],
    ok: int,
) -> None:
    client, dossiers = app
    dossier_id = setup(dossiers)
    version = dossiers.get_for(dossier_id, OWNER).version
    response = client.request(
        method, path.format(id=dossier_id), json=body, headers=headers(CALLERS[who])
    )
    if who in allowed:
        assert response.status_code == ok, response.text
        return
    expected = {"anonymous": 401, "other citizen": 404}.get(who, 403)
    if path.startswith(("/api/v1/audit/", "/api/v1/officer/")) and who == "other citizen":
        expected = 403  # staff routes refuse the role before any dossier is looked at
    caller = CALLERS[who]
    if setup is _draft and caller is not None and caller.role == "officer":
        expected = 404  # a draft is nobody's business but its author's
    assert response.status_code == expected, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].startswith("https://motcua.vn/problems/") and problem["detail"]
    assert dossiers.get_for(dossier_id, OWNER).version == version  # nothing written


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_an_uploaded_file_is_stored_by_content_and_served_to_readers(
    app: tuple[TestClient, DossierApplication],
) -> None:
    client, dossiers = app
    dossier_id = dossiers.start_draft(
        OWNER, procedure_code="1.001193", agency_code=AGENCY, form={"ho_ten": "Nguyễn Văn An"}
    )
    base = f"/api/v1/dossiers/{dossier_id}"
    refused = client.post(
        f"{base}/attachments",
        headers=headers(OWNER),
        data={"document_code": "giay_chung_sinh"},
        files={"file": ("x.pdf", b"GIF89a not a pdf", "application/pdf")},
    )
    assert refused.status_code == 415
    sent = client.post(
        f"{base}/attachments",
        headers=headers(OWNER),
        data={"document_code": "giay_chung_sinh"},
        files={"file": ("giấy chứng sinh.pdf", PDF, "text/plain")},
    )
    assert sent.status_code == 201, sent.text
    attachment = sent.json()
    assert attachment["content_type"] == "application/pdf"  # from the bytes, not the client
    assert attachment["sha256"] == hashlib.sha256(PDF).hexdigest()
    got = client.get(f"{base}/attachments/{attachment['id']}", headers=headers(OWNER))
    assert got.status_code == 200 and got.content == PDF
    assert (
        client.get(
            f"{base}/attachments/{attachment['id']}", headers=headers(OTHER_CITIZEN)
        ).status_code
        == 404
    )
    officer_upload = client.post(
        f"{base}/attachments",
        headers=headers(RECEIVER),
        data={"document_code": "giay_chung_sinh"},
        files={"file": ("y.pdf", PDF + b"1", "application/pdf")},
    )
    assert officer_upload.status_code == 404  # a draft: not the agency's yet


def test_public_lookup_needs_the_second_factor(
    app: tuple[TestClient, DossierApplication],
) -> None:
    client, dossiers = app
    code = dossiers.get_for(_submitted(dossiers), OWNER).code
    assert client.get(f"/api/v1/lookup/{code}", params={"id_last4": "1234"}).status_code == 200
    assert client.get(f"/api/v1/lookup/{code}", params={"id_last4": "4321"}).status_code == 404
    assert client.get(f"/api/v1/lookup/{code}").status_code == 422
    assert (
        client.get("/api/v1/lookup/NB-000000-00000000X", params={"id_last4": "1234"}).status_code
        == 404
    )
