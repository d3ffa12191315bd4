"""The dossier HTTP service: ``python -m services.dossier``.

At start-up the service's schema is migrated, then the event-sourced application is built
on it (:class:`services.dossier.bootstrap.HttpParts`); routes find it, the read models,
the public lookup, the file store and the PDF renderer in ``app.state``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from services.dossier import bootstrap
from services.dossier.entrypoints.http import (
    audit,
    citizen,
    lookup,
    officer,
    page,
    result,
)
from services.dossier.settings import DossierSettings
from shared.auth import remote_verifier
from shared.http.app import create_app, serve

STORE_DETAIL = "Kho dữ liệu hồ sơ tạm thời không truy cập được, vui lòng thử lại sau ít phút."


def dossier_app(**create_kwargs: Any) -> FastAPI:
    """The dossier routes on the suite's HTTP floor (problem+json for every refusal and an
    unreachable store); whoever calls it fills ``app.state`` (verifier, dossiers,
    read_models, lookup, blobs, render_pdf)."""
    app = create_app("dossier", store_detail=STORE_DETAIL, **create_kwargs)
    app.include_router(officer.queues)  # before /{dossier_id} routes of the same prefix
    app.include_router(result.officer_router)
    for module in (citizen, page, officer, audit, lookup, result):
        app.include_router(module.router)
    return app


def build_app(settings: DossierSettings | None = None) -> FastAPI:
    settings = settings or DossierSettings()
    held: dict[str, bootstrap.HttpParts] = {}

    async def event_store() -> None:
        await asyncio.to_thread(held["parts"].dossiers.recorder.max_notification_id)

    async def postgres() -> None:
        await asyncio.to_thread(held["parts"].ping)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        parts = await asyncio.to_thread(bootstrap.HttpParts, settings)
        held["parts"] = parts
        app.state.dossiers = parts.dossiers
        app.state.read_models = parts.read_models
        app.state.lookup = parts.lookup
        refresh = asyncio.create_task(parts.follow_catalog())
        try:
            yield
        finally:
            refresh.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await refresh
            await parts.close()

    app = dossier_app(
        readiness={"event_store": event_store, "postgres": postgres}, lifespan=lifespan
    )
    app.state.verifier = remote_verifier(settings)
    app.state.blobs = bootstrap.blob_store(settings)
    app.state.render_pdf = bootstrap.pdf_renderer()
    return app


def main() -> None:
    settings = DossierSettings()
    serve(build_app(settings), settings, "dossier")
