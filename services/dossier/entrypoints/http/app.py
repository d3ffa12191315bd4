"""Composition root of the dossier HTTP service: ``python -m services.dossier``.

At start-up the service's schema is migrated, then the event-sourced application is
built on it; the read models and the worker's copies of other services' data are read
from a synchronous pool (routes run in the thread pool beside the event store). A
listener drops cached procedure versions when the worker writes a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.dossier.adapters.procedures import CHANNEL, PgProcedures
from services.dossier.adapters.queries import ReadModels
from services.dossier.bootstrap import build_dossiers, migrate_store, open_store_pool
from services.dossier.entrypoints.http import audit, citizen, errors, lookup, officer, page, result
from services.dossier.settings import DossierSettings
from shared.http.app import create_app, serve
from shared.pg.listen import Listener

log = logging.getLogger(__name__)


def build_app(settings: DossierSettings | None = None) -> FastAPI:
    settings = settings or DossierSettings()
    dsn = settings.require("postgres_dsn")

    async def event_store() -> None:
        await asyncio.to_thread(app.state.dossiers.recorder.max_notification_id)

    async def postgres() -> None:
        def ping() -> None:
            with app.state.pool.connection() as conn:
                conn.execute("SELECT 1")

        await asyncio.to_thread(ping)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(migrate_store, settings)
        pool = await asyncio.to_thread(open_store_pool, settings)
        procedures = PgProcedures(pool)
        dossiers = await asyncio.to_thread(build_dossiers, settings, procedures)
        app.state.pool = pool
        app.state.dossiers = dossiers
        app.state.read_models = ReadModels(pool)
        listener = Listener(dsn, [CHANNEL])
        refresh = asyncio.create_task(_forget_published(listener, procedures))
        try:
            yield
        finally:
            refresh.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await refresh
            await listener.close()
            dossiers.close()
            await asyncio.to_thread(pool.close)

    app = create_app(
        "dossier", readiness={"event_store": event_store, "postgres": postgres}, lifespan=lifespan
    )
    app.state.settings = settings
    app.state.blobs = settings.blob_store(settings.blob_root())
    errors.install(app)
    app.include_router(officer.queues)  # before /{dossier_id} routes of the same prefix
    app.include_router(result.officer_router)
    for module in (citizen, page, officer, audit, lookup, result):
        app.include_router(module.router)
    return app


async def _forget_published(listener: Listener, procedures: PgProcedures) -> None:
    """The worker wrote a version of these codes: their cached versions are dropped."""
    while True:
        for code in await listener.wait(30.0):
            procedures.forget(code)


def main() -> None:
    settings = DossierSettings()
    serve(build_app(settings), settings, "dossier")
