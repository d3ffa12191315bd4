"""The dossier's citizen, officer and result routes on an in-memory application, with a
blob store of the test's choosing: for the tests of files (uploads, results, outages)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.dossier.application.dossiers import DossierApplication
from services.dossier.application.ports import InMemoryProcedures
from services.dossier.entrypoints.http import citizen, errors, officer, result
from services.dossier.tests.unit.builders import BIRTH
from shared.blobstore import BlobStore
from shared.http.app import create_app


@contextmanager
def files_api(blobs: BlobStore) -> Iterator[tuple[TestClient, DossierApplication]]:
    procedures = InMemoryProcedures()
    procedures.add(BIRTH)
    dossiers = DossierApplication(procedures=procedures)
    app: FastAPI = create_app("dossier-test")
    app.state.dossiers = dossiers
    app.state.blobs = blobs
    errors.install(app)
    app.include_router(result.officer_router)
    for module in (citizen, officer, result):
        app.include_router(module.router)
    with TestClient(app) as client:
        yield client, dossiers
