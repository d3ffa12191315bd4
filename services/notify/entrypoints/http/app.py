"""The HTTP process of notify, ``python -m services.notify``: the app factory.

One process runs both the HTTP API (inbox, SSE, preferences, stats, probes) and
the faust-streaming worker on the same event loop. Why one process: every
replica is then a full member of the consumer group (two replicas split the
partitions), the suite and its deployments keep one process per service, and
the API reads only PostgreSQL, never the worker's memory, so nothing couples the
two but the loop. The lifespan runs what bootstrap.py builds (the store, the inbox
hub, the email sender, the faust worker) and stops it in reverse.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.notify.bootstrap import Bootstrap, Running
from services.notify.entrypoints.http import notifications, stats
from services.notify.settings import NotifySettings
from shared.auth import remote_verifier
from shared.http.app import create_app, serve

# What a person reads when notify's PostgreSQL cannot be reached (503, Retry-After: 5).
STORE_DETAIL = "Dịch vụ tạm thời không sẵn sàng, vui lòng thử lại sau."


def build_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or NotifySettings()
    bootstrap = Bootstrap(settings)
    running: list[Running] = []

    async def postgres() -> None:
        if not running:
            raise RuntimeError("the store is not open")
        await running[0].ping()

    async def kafka() -> None:
        if not running or not running[0].streams.running():
            raise RuntimeError("the stream worker is not running")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with bootstrap.running() as notify:
            app.state.inbox, app.state.statistics = notify.inbox, notify.statistics
            running.append(notify)
            try:
                yield
            finally:
                running.clear()

    app = create_app(
        "notify",
        readiness={"postgres": postgres, "kafka": kafka},
        lifespan=lifespan,
        store_detail=STORE_DETAIL,
    )
    app.state.settings = settings
    app.state.verifier = remote_verifier(settings)
    app.include_router(notifications.router)
    app.include_router(stats.router)
    return app


def main() -> None:
    settings = NotifySettings()
    serve(build_app(settings), settings, "notify")
