"""JSON bodies that decode to text no store can keep: refused before any route sees them.

``"\\udaff"`` is valid JSON, but a lone surrogate is no character: it cannot be stored,
hashed or sent on as UTF-8, and every service failed on it somewhere (a 500). ``"\\u0000"``
is a character PostgreSQL text and jsonb cannot hold (psycopg's DataError, a 500 at the
first query: schemathesis found it in a procedure code). Raw bytes of a valid JSON text
cannot carry either, so only a ``\\uD800``-``\\uDFFF`` or ``\\u0000`` escape can; bodies
without such an escape pass at the cost of one byte search, the rest are decoded once to
be sure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problems import problem_response

SUSPECT_ESCAPE = re.compile(rb"\\u(?:[dD][89a-fA-F]|0000)")
DETAIL = "Dữ liệu gửi lên chứa ký tự không hợp lệ, vui lòng kiểm tra lại."


def holds_unstorable_text(body: bytes) -> bool:
    """Whether the JSON ``body`` decodes to text (a key or a value) with a lone surrogate or
    a NUL; a body that is not JSON is left to the route's own validation."""
    if not SUSPECT_ESCAPE.search(body):
        return False
    try:
        decoded = json.loads(body)
    except ValueError:
        return False
    for text in _texts(decoded):
        if "\x00" in text:
            return True
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return True
    return False


def _texts(node: object) -> Iterator[str]:
    """Every key and string value of a decoded JSON document."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)


class UnicodeBodyMiddleware:
    """Read a JSON request's body, answer 422 ``validation-error`` if it holds a lone
    surrogate or a NUL, else hand the same body on. Other bodies (files, forms) stream
    untouched. A NUL in the path or the query (``%00``) is refused the same way."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b""):
            await _refusal(scope, "url")(scope, receive, send)
            return
        if not _is_json(scope):
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
        if holds_unstorable_text(bytes(body)):
            await _refusal(scope, "body")(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


def _refusal(scope: Scope, field: str) -> JSONResponse:
    return problem_response(
        422,
        "validation-error",
        DETAIL,
        "validation error",
        scope.get("path"),
        extensions={"errors": [{"field": field, "code": "string_unicode"}]},
    )


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False
