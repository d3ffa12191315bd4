"""Composition root of the identity HTTP service: ``python -m services.identity``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from services.identity.api import admin, auth, directory, documents, errors, me
from services.identity.bootstrap import build_identity
from services.identity.settings import IdentitySettings
from shared.auth import JwksCache, TokenVerifier
from shared.events.topics import events_topic
from shared.http.app import create_app, serve
from shared.kafka.producer import make_producer
from shared.kafka.topics import ensure_topics
from shared.mongo import make_client
from shared.mongo_outbox import MongoOutboxRelay

log = logging.getLogger(__name__)


def build_app(settings: IdentitySettings | None = None) -> FastAPI:
    settings = settings or IdentitySettings()
    client = make_client(settings.require("mongo_url"))
    db = client[settings.mongo_database]
    ctx = build_identity(settings, db)
    bootstrap = settings.require("kafka_bootstrap_servers")
    state: dict[str, asyncio.Task[None]] = {}

    async def own_jwks() -> dict[str, Any]:
        return ctx.issuer.jwks()

    async def mongo() -> None:
        await db.command("ping")

    async def relay() -> None:
        if "relay" not in state or state["relay"].done() or not ctx.store.ready:
            raise RuntimeError("outbox relay is not running")

    async def run_relay() -> None:
        """Prepare indexes and topic, then relay the outbox; retried until it works,
        so the process starts (and reports not ready) while an engine is down."""
        topic = events_topic("identity", settings.topic_prefix)
        while True:
            try:
                await ctx.store.create_indexes()
                await ensure_topics(bootstrap, [topic])
                producer = make_producer(bootstrap)
                await producer.start()
                ctx.store.ready = True
                break
            except Exception:
                log.warning("identity cannot reach its engines yet; retrying", exc_info=True)
                await asyncio.sleep(2.0)
        try:
            await MongoOutboxRelay([ctx.store.accounts], producer, topic, ctx.store.locks).run()
        finally:
            await producer.stop()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state["relay"] = asyncio.create_task(run_relay())
        try:
            yield
        finally:
            state["relay"].cancel()
            await asyncio.gather(state["relay"], return_exceptions=True)
            await client.close()

    app = create_app("identity", readiness={"mongo": mongo, "relay": relay}, lifespan=lifespan)
    app.state.settings = settings
    app.state.identity = ctx
    app.state.verifier = TokenVerifier(
        JwksCache(own_jwks), issuer=settings.issuer, audience=settings.audience
    )
    errors.install(app)
    for router in (auth.router, me.router, documents.router, admin.router, directory.router):
        app.include_router(router)
    return app


def main() -> None:
    settings = IdentitySettings()
    serve(build_app(settings), settings, "identity")
