"""The dossier's citizen, officer and result routes on an in-memory application, with a
blob store of the test's choosing: for the tests of files (uploads, results, outages)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.dossier.application.dossiers import DossierApplication
from services.dossier.application.ports import InMemoryProcedures
from services.dossier.bootstrap import pdf_renderer
from services.dossier.domain.filing import DEFAULT_LIMITS, AttachmentLimits
from services.dossier.entrypoints.http.app import dossier_app
from services.dossier.tests.unit.builders import BIRTH
from shared.blobstore import BlobStore
from tests.support import tokens


@contextmanager
def files_api(
    blobs: BlobStore, limits: AttachmentLimits = DEFAULT_LIMITS
) -> Iterator[tuple[TestClient, DossierApplication]]:
    procedures = InMemoryProcedures()
    procedures.add(BIRTH)
    procedures.wallet["doc-1"] = {"account_id": "citizen-1", "type": "cccd"}
    dossiers = DossierApplication(procedures=procedures, attachment_limits=limits)
    app: FastAPI = dossier_app()
    app.state.verifier = tokens.verifier()
    app.state.dossiers = dossiers
    app.state.blobs = blobs
    app.state.render_pdf = pdf_renderer()
    with TestClient(app) as client:
        yield client, dossiers
