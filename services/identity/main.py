"""Composition root of the identity HTTP service: ``python -m services.identity``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.identity.settings import IdentitySettings
from shared.http.app import create_app, serve
from shared.mongo import make_client


def build_app(settings: IdentitySettings | None = None) -> FastAPI:
    settings = settings or IdentitySettings()
    client = make_client(settings.require("mongo_url"))
    db = client[settings.mongo_database]

    async def mongo() -> None:
        await db.command("ping")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await client.close()

    app = create_app("identity", readiness={"mongo": mongo}, lifespan=lifespan)
    app.state.settings = settings
    return app


def main() -> None:
    settings = IdentitySettings()
    serve(build_app(settings), settings, "identity")
