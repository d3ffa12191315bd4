"""The citizen portal, the officer console and the auditor view, served by the gateway.

Server-rendered pages (Jinja2) that call the services through the same upstream
URLs as the proxy, with the caller identity of the session's verified token.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response

from services.gateway.entrypoints.http.portal import (
    account,
    auditor,
    dossiers,
    notifications,
    officer,
    payment_result,
    payments,
    profile,
    public,
    staff,
    supplement,
)
from services.gateway.entrypoints.http.portal.api import Services
from services.gateway.entrypoints.http.portal.web import HealthProbe, Portal
from shared.auth import TokenVerifier
from shared.problems import ProblemError

STATIC = Path(__file__).resolve().parents[3] / "static"  # services/gateway/static
STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}


def build_router(
    client: httpx.AsyncClient,
    upstreams: dict[str, str],
    verifier: TokenVerifier,
    health: HealthProbe,
    csrf_key: bytes,
) -> APIRouter:
    portal = Portal(Services(client, upstreams), verifier, health, csrf_key)

    async def attach(request: Request) -> None:
        request.state.portal = portal

    router = APIRouter(include_in_schema=False, dependencies=[Depends(attach)])
    for module in (
        public,
        account,
        profile,
        payments,
        payment_result,
        dossiers,
        supplement,
        notifications,
        officer,
        staff,
        auditor,
    ):
        router.include_router(module.router)

    @router.get("/static/{name}")
    async def static(name: str) -> Response:
        path = STATIC / name
        if "/" in name or name.startswith(".") or not path.is_file():
            raise ProblemError(404, "not-found", "Không tìm thấy tài nguyên được yêu cầu.")
        return FileResponse(
            path,
            media_type=STATIC_TYPES.get(path.suffix),
            headers={"Cache-Control": "public, max-age=300"},
        )

    return router
