"""Rendering helpers shared by every page: templates, filters, redirects, login guard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from services.gateway.application.ports import HealthProbe
from services.gateway.entrypoints.http.portal.api import Services
from services.gateway.entrypoints.http.portal.csrf import csrf_ok, csrf_token
from services.gateway.entrypoints.http.portal.session import (
    Viewer,
    apply_cookies,
    current_viewer,
)
from services.gateway.entrypoints.http.ratelimit import AccountLimitedError, account_refusal
from shared.auth import TokenVerifier
from shared.vn.money import format_amount
from shared.vn.time import format_date, format_datetime

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"  # services/gateway/templates


def vnd(amount: Any) -> str:
    try:
        return f"{format_amount(int(amount))} ₫"
    except (TypeError, ValueError):
        return ""


def local_time(value: Any, with_time: bool = True) -> str:
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment) if with_time else format_date(moment)


templates = Jinja2Templates(directory=TEMPLATES)
templates.env.filters["vnd"] = vnd
templates.env.filters["local_time"] = local_time
templates.env.filters["local_date"] = lambda value: local_time(value, with_time=False)


@dataclass(frozen=True)
class Portal:
    services: Services
    verifier: TokenVerifier
    health: HealthProbe  # every upstream's liveness (the home page shows it)
    csrf_key: bytes  # HMAC key of the forms' CSRF tokens (csrf.py)

    async def viewer(self, request: Request) -> Viewer | None:
        viewer = await current_viewer(request, self.verifier, self.services)
        if viewer is not None and not getattr(request.state, "account_counted", False):
            request.state.account_counted = True  # one page, one count
            limiter = getattr(request.app.state, "rate_limiter", None)
            refused = await account_refusal(limiter, viewer.id, request.url.path, True)
            if refused:
                raise AccountLimitedError(refused)
        return viewer


def portal_of(request: Request) -> Portal:
    portal: Portal = request.state.portal
    return portal


async def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> Response:
    portal = portal_of(request)
    viewer = await portal.viewer(request)
    values = {
        "viewer": viewer,
        "csrf": csrf_token(request, viewer),
        "path": request.url.path,
    }
    values.update(context or {})
    response = templates.TemplateResponse(
        request, template, values, status_code=status, headers={"Cache-Control": "no-store"}
    )
    return apply_cookies(request, response)


def redirect(request: Request, url: str) -> Response:
    return apply_cookies(request, RedirectResponse(url, status_code=303))


def login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect(request, f"/dang-nhap?tiep={quote(target, safe='')}")


async def posted(request: Request) -> dict[str, Any] | None:
    """The posted form, or None when it does not carry its session's CSRF token."""
    form = await request.form()
    viewer = await portal_of(request).viewer(request)
    submitted = str(form.get("csrf") or request.headers.get("x-csrf-token") or "")
    if not csrf_ok(request, submitted, viewer):
        return None
    return dict(form)


def html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status)
