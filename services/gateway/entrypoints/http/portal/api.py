"""The portal's client of the services: the same upstream URLs the proxy uses.

Page handlers never talk to a service's store; they call its HTTP API with the
verified session's access token, exactly as the proxy forwards it.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.domain.routing import SERVICES
from shared.logs import correlation_id

log = logging.getLogger(__name__)

# The upstream calls the current request made so far (a one-item list: shared, not copied,
# by the tasks of one request); None outside a request.
_upstream_calls: ContextVar[list[int] | None] = ContextVar("upstream_calls", default=None)


def count_upstream(calls: int = 1) -> None:
    """Count ``calls`` upstream calls against the current request."""
    counted = _upstream_calls.get()
    if counted is not None:
        counted[0] += calls


class UpstreamCallsMiddleware:
    """Says how many upstream calls a page cost: ``Server-Timing: upstream;desc="3 calls"``
    on every response whose request made any (pure ASGI)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        counted = [0]

        async def send_with_count(message: Message) -> None:
            if message["type"] == "http.response.start" and counted[0]:
                timing = f'upstream;desc="{counted[0]} calls"'.encode()
                message["headers"] = [*message.get("headers", []), (b"server-timing", timing)]
            await send(message)

        token = _upstream_calls.set(counted)
        try:
            await self.app(scope, receive, send_with_count)
        finally:
            _upstream_calls.reset(token)


class ServiceDownError(Exception):
    """The service did not answer: the page shows a Vietnamese message for that part."""

    def __init__(self, service: str) -> None:
        super().__init__(service)
        self.service = service

    @property
    def message(self) -> str:
        return f"Dịch vụ {SERVICES[self.service]} tạm thời không phản hồi, vui lòng thử lại sau."


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: httpx.Headers
    content: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def detail(self) -> str:
        if isinstance(self.body, dict) and isinstance(self.body.get("detail"), str):
            return self.body["detail"]
        return "Yêu cầu không thực hiện được, vui lòng thử lại."

    @property
    def problem_type(self) -> str:
        if isinstance(self.body, dict) and isinstance(self.body.get("type"), str):
            return self.body["type"].rsplit("/", 1)[-1]
        return ""

    def field_errors(self) -> dict[str, str]:
        """Per-field messages of a problem (dossier: field/message; identity: field/code)."""
        errors: dict[str, str] = {}
        items = self.body.get("errors") if isinstance(self.body, dict) else None
        for item in items or []:
            if isinstance(item, dict) and item.get("field"):
                path = str(item["field"]).replace("/", ".").strip(".").split(".")
                # identity names organisation fields "organisation.tax_code": the form's org_…
                name = (
                    f"org_{path[-1]}"
                    if (path[0] == "organisation" and len(path) > 1)
                    or path[-1] in ORGANISATION_ONLY
                    else path[-1]
                )
                errors[name] = str(
                    item.get("message")
                    or FIELD_CODES.get(str(item.get("code")), "Giá trị không hợp lệ.")
                )
        return errors


ORGANISATION_ONLY = frozenset({"tax_code", "representative"})
FIELD_CODES = {
    "invalid_email": "Địa chỉ thư điện tử không hợp lệ.",
    "invalid_national_id": "Số định danh cá nhân phải gồm 12 chữ số.",
    "national_id_birth_year_mismatch": "Số định danh không khớp với năm sinh.",
    "invalid_phone": "Số điện thoại không hợp lệ.",
    "invalid_tax_code": "Mã số thuế không hợp lệ.",
    "missing": "Vui lòng nhập thông tin này.",
}


class Services:
    def __init__(self, client: httpx.AsyncClient, upstreams: dict[str, str]) -> None:
        self.client = client
        self.upstreams = upstreams

    async def call(
        self,
        method: str,
        service: str,
        path: str,
        *,
        caller: dict[str, str] | None = None,
        client_ip: str = "",
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Answer:
        sent = {
            "x-request-id": correlation_id.get() or "",
            "accept": "application/json",
            **(headers or {}),
        }
        if client_ip:
            sent["x-forwarded-for"] = client_ip
        sent.update(caller or {})
        count_upstream()
        try:
            response = await self.client.request(
                method, self.upstreams[service] + path, headers=sent, **kwargs
            )
        except httpx.TransportError as error:
            log.warning("portal: %s failed: %r", service, error, extra={"upstream": service})
            raise ServiceDownError(service) from None
        if response.status_code in (502, 503, 504) and not _is_problem(response):
            raise ServiceDownError(service)
        body: Any = None
        if "json" in response.headers.get("content-type", ""):
            try:
                body = response.json()
            except ValueError:
                body = None
        return Answer(response.status_code, body, response.headers, response.content)


def _is_problem(response: httpx.Response) -> bool:
    return "problem+json" in response.headers.get("content-type", "")
