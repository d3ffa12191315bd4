"""FastAPI dependencies of identity's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.identity.application.context import Identity
from services.identity.entrypoints.http.client import client_address


def identity(request: Request) -> Identity:
    ctx: Identity = request.app.state.identity
    return ctx


def address(request: Request) -> str:
    return client_address(request, request.app.state.identity.settings.trusted_proxies)


Ctx = Annotated[Identity, Depends(identity)]
ClientAddress = Annotated[str, Depends(address)]
