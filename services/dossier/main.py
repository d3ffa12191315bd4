"""Composition root of the dossier HTTP service: ``python -m services.dossier``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.dossier.adapters.procedures import MongoProcedures
from services.dossier.adapters.queries import ReadModels
from services.dossier.api import audit, citizen, errors, lookup, officer, result
from services.dossier.application.dossiers import DossierApplication
from services.dossier.settings import DossierSettings
from shared.http.app import create_app, serve


def build_app(settings: DossierSettings | None = None) -> FastAPI:
    settings = settings or DossierSettings()
    procedures = MongoProcedures(settings.require("mongo_url"), settings.mongo_database)
    dossiers = DossierApplication(env=settings.eventstore_env(), procedures=procedures)

    async def event_store() -> None:
        await asyncio.to_thread(dossiers.recorder.max_notification_id)

    async def mongo() -> None:
        await asyncio.to_thread(procedures.db.command, "ping")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        dossiers.close()
        procedures.close()

    app = create_app("dossier", readiness={"event_store": event_store, "mongo": mongo},
                     lifespan=lifespan)
    app.state.dossiers = dossiers
    app.state.settings = settings
    app.state.blobs = settings.blob_store(settings.blob_root())
    app.state.read_models = ReadModels(procedures.db)
    errors.install(app)
    app.include_router(officer.queues)  # before /{dossier_id} routes of the same prefix
    app.include_router(result.officer_router)
    for module in (citizen, officer, audit, lookup, result):
        app.include_router(module.router)
    return app


def main() -> None:
    settings = DossierSettings()
    serve(build_app(settings), settings, "dossier")
