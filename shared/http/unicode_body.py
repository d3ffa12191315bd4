"""JSON bodies that decode to text UTF-8 cannot hold: refused before any route sees them.

``"\\udaff"`` is valid JSON, but a lone surrogate is no character: it cannot be stored,
hashed or sent on as UTF-8, and every service failed on it somewhere (a 500). Raw UTF-8
bytes cannot carry one, so only a ``\\uD800``-``\\uDFFF`` escape can; bodies without such
an escape pass at the cost of one byte search, the rest are decoded once to be sure.
"""

from __future__ import annotations

import json
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problems import problem_response

SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
DETAIL = "Dữ liệu gửi lên chứa ký tự không hợp lệ, vui lòng kiểm tra lại."


def holds_lone_surrogate(body: bytes) -> bool:
    """Whether the JSON ``body`` decodes to text with a lone surrogate (a key or a value);
    a body that is not JSON is left to the route's own validation."""
    if not SURROGATE_ESCAPE.search(body):
        return False
    try:
        decoded = json.loads(body)
    except ValueError:
        return False
    try:
        json.dumps(decoded, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class UnicodeBodyMiddleware:
    """Read a JSON request's body, answer 422 ``validation-error`` if it holds a lone
    surrogate, else hand the same body on. Other bodies (files, forms) stream untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        body = bytearray()
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        if holds_lone_surrogate(bytes(body)):
            errors = [{"field": "body", "code": "string_unicode"}]
            response = problem_response(
                422,
                "validation-error",
                DETAIL,
                "validation error",
                scope.get("path"),
                extensions={"errors": errors},
            )
            await response(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False
