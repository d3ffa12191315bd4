"""The landing page at ``/``: what the gateway offers and whether its services answer.

The citizen portal and the officer console arrive with their own issues.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.gateway.health import health_of
from services.gateway.routing import SERVICES

VIETNAM = timezone(timedelta(hours=7), "ICT")  # no daylight saving time
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def landing(request: Request) -> HTMLResponse:
    health = await health_of(request.app.state.client, request.app.state.upstreams)
    services = [{"label": SERVICES[name], "up": up} for name, up in health.items()]
    checked_at = datetime.now(UTC).astimezone(VIETNAM).strftime("%H:%M:%S ngày %d/%m/%Y")
    return templates.TemplateResponse(
        request,
        "landing.html",
        {"services": services, "checked_at": checked_at},
        headers={"Cache-Control": "no-store"},
    )
