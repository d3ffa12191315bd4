"""JSON bodies that decode to what no service can store: refused before any route sees
them.

``"\\udaff"`` is valid JSON, but a lone surrogate is no character: it cannot be stored,
hashed or sent on as UTF-8, and every service failed on it somewhere (a 500). ``"\\u0000"``
is a character PostgreSQL text and jsonb cannot hold (psycopg's DataError, a 500 at the
first query: schemathesis found it in a procedure code). Raw bytes of a valid JSON text
cannot carry either, so only a ``\\uD800``-``\\uDFFF`` or ``\\u0000`` escape can; bodies
without such an escape pass at the cost of one byte search, the rest are decoded once to
be sure. A NUL in the path or the query (``%00``) is refused the same way.

Numbers likewise: ``1e999`` is valid JSON that Python reads as infinity (and ``NaN`` /
``Infinity``, which are not JSON, it reads too); RFC 8259 permits no such value, and no
answer, hash or JSONB column can hold one. Only a body with a long exponent, a very long
run of digits or those words is decoded to be sure.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problems import problem_response

SUSPECT_ESCAPE = re.compile(rb"\\u(?:[dD][89a-fA-F]|0000)")
DETAIL = "Dữ liệu gửi lên chứa ký tự không hợp lệ, vui lòng kiểm tra lại."
# a float overflows only with an exponent of 3+ digits or 309+ digits before the point
LARGE_NUMBER = re.compile(rb"[eE][+-]?[0-9]{3}|[0-9]{309}|NaN|Infinity")
NUMBER_DETAIL = "Dữ liệu gửi lên chứa giá trị số không hợp lệ, vui lòng kiểm tra lại."


class _NotFiniteError(ValueError):
    pass


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotFiniteError(text)
    return value


def _no_constant(text: str) -> float:
    raise _NotFiniteError(text)


def holds_non_finite_number(body: bytes) -> bool:
    """Whether the JSON ``body`` holds a number that is no finite double (``1e999``,
    ``-1e999``, ``NaN``, ``Infinity``); a body that is not JSON is left to the route."""
    if not LARGE_NUMBER.search(body):
        return False
    try:
        json.loads(body, parse_float=_finite, parse_constant=_no_constant)
    except _NotFiniteError:
        return True
    except ValueError:
        return False
    return False


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
    surrogate, a NUL or a number that is not finite, else hand the same body on. Other
    bodies (files, forms) stream untouched. A NUL in the path or the query is refused."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b""):
            await _answer(scope, receive, send, DETAIL, "url", "string_unicode")
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
        refusal = _refusal(bytes(body))
        if refusal is not None:
            await _answer(scope, receive, send, *refusal)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


def _refusal(body: bytes) -> tuple[str, str, str] | None:
    """(detail, field, error code) of what ``body`` holds that no service may take."""
    if holds_unstorable_text(body):
        return DETAIL, "body", "string_unicode"
    if holds_non_finite_number(body):
        return NUMBER_DETAIL, "body", "finite_number"
    return None


async def _answer(
    scope: Scope, receive: Receive, send: Send, detail: str, field: str, code: str
) -> None:
    response = problem_response(
        422,
        "validation-error",
        detail,
        "validation error",
        scope.get("path"),
        extensions={"errors": [{"field": field, "code": code}]},
    )
    await response(scope, receive, send)


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False
