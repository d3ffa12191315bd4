"""Composition root of the dossier HTTP service: ``python -m services.dossier``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.dossier.api import errors
from services.dossier.api.routes import router
from services.dossier.application.dossiers import DossierApplication
from services.dossier.settings import DossierSettings
from shared.http.app import create_app, serve


def build_app(settings: DossierSettings | None = None) -> FastAPI:
    settings = settings or DossierSettings()
    dossiers = DossierApplication(env=settings.eventstore_env())

    async def event_store() -> None:
        await asyncio.to_thread(dossiers.recorder.max_notification_id)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        dossiers.close()

    app = create_app("dossier", readiness={"event_store": event_store}, lifespan=lifespan)
    app.state.dossiers = dossiers
    app.state.settings = settings
    errors.install(app)
    app.include_router(router)
    return app


def main() -> None:
    settings = DossierSettings()
    serve(build_app(settings), settings, "dossier")
