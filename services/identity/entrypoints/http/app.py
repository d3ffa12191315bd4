"""The identity HTTP app: ``python -m services.identity``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from services.identity.application.documents import sweep_document_files
from services.identity.bootstrap import account_store, build_identity, open_store, prune_rules
from services.identity.domain.errors import STORE_DETAIL
from services.identity.entrypoints.http import admin, auth, directory, documents, me
from services.identity.settings import IdentitySettings
from shared.auth import JwksCache, TokenVerifier
from shared.blob_sweep import sweep_forever
from shared.events.topics import events_topic
from shared.http.app import create_app, serve
from shared.kafka.producer import make_producer
from shared.kafka.topics import ensure_topics
from shared.pg.listen import Listener
from shared.pg.outbox import CHANNEL, OutboxTableSource
from shared.pg.prune import prune_forever
from shared.relay import Relay
from shared.vn.time import utc_now

log = logging.getLogger(__name__)


def build_app(settings: IdentitySettings | None = None) -> FastAPI:
    settings = settings or IdentitySettings()
    store = account_store()
    ctx = build_identity(settings, store)
    bootstrap = settings.require("kafka_bootstrap_servers")
    dsn = settings.require("postgres_dsn")  # unset is a mistake, not an outage: fail now
    state: dict[str, Any] = {}

    async def own_jwks() -> dict[str, Any]:
        return ctx.issuer.jwks()

    async def postgres() -> None:
        await store.ping()

    async def relay() -> None:
        if "relay" not in state or state["relay"].done() or not state.get("relaying"):
            raise RuntimeError("outbox relay is not running")

    async def run_relay() -> None:
        """Migrate, open the pool (and start pruning), prepare the topic, then relay the
        outbox; retried until it works, so the process starts (and reports not ready)
        while an engine is down. Requests meanwhile get 503 problems."""
        topic = events_topic("identity", settings.topic_prefix)
        while True:
            try:
                if "pool" not in state:
                    state["pool"] = await open_store(settings)
                    store.attach(state["pool"])
                    state["prune"] = asyncio.create_task(
                        prune_forever(
                            state["pool"], prune_rules(settings), settings.prune_interval_seconds
                        )
                    )
                    if settings.blob_sweep_interval_hours:
                        state["sweep"] = asyncio.create_task(
                            sweep_forever(
                                lambda: sweep_document_files(
                                    store, ctx.blobs, utc_now(), settings.blob_sweep_grace()
                                ),
                                settings.blob_sweep_interval_hours * 3600,
                            )
                        )
                await ensure_topics(
                    bootstrap, [topic], replication_factor=settings.kafka_replication_factor
                )
                producer = make_producer(bootstrap)
                await producer.start()
                break
            except Exception:
                log.warning("identity cannot reach its engines yet; retrying", exc_info=True)
                await asyncio.sleep(2.0)
        listener = Listener(dsn, [CHANNEL])
        state["relaying"] = True
        try:
            await Relay(OutboxTableSource(state["pool"]), producer, topic, listener=listener).run()
        finally:
            await listener.close()
            await producer.stop()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state["relay"] = asyncio.create_task(run_relay())
        try:
            yield
        finally:
            tasks = [state[name] for name in ("relay", "prune", "sweep") if name in state]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if "pool" in state:
                await state["pool"].close()

    app = create_app(
        "identity",
        readiness={"postgres": postgres, "relay": relay},
        lifespan=lifespan,
        store_detail=STORE_DETAIL,
    )
    app.state.settings = settings
    app.state.identity = ctx
    app.state.verifier = TokenVerifier(
        JwksCache(own_jwks), issuer=settings.issuer, audience=settings.audience
    )
    for router in (auth.router, me.router, documents.router, admin.router, directory.router):
        app.include_router(router)
    return app


def main() -> None:
    settings = IdentitySettings()
    serve(build_app(settings), settings, "identity")
