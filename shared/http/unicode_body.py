"""JSON bodies that decode to what no service can store: refused before any route sees
them.

``"\\udaff"`` is valid JSON, but a lone surrogate is no character: it cannot be stored,
hashed or sent on as UTF-8, and every service failed on it somewhere (a 500). Raw UTF-8
bytes cannot carry one, so only a ``\\uD800``-``\\uDFFF`` escape can; bodies without such
an escape pass at the cost of one byte search, the rest are decoded once to be sure.

Numbers likewise: ``1e999`` is valid JSON that Python reads as infinity (and ``NaN`` /
``Infinity``, which are not JSON, it reads too); RFC 8259 permits no such value, and no
answer, hash or JSONB column can hold one. Only a body with a long exponent, a very long
run of digits or those words is decoded to be sure.
"""

from __future__ import annotations

import json
import math
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problems import problem_response

SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
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
    surrogate or a number that is not finite, else hand the same body on. Other bodies
    (files, forms) stream untouched."""

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
        refusal = _refusal(bytes(body))
        if refusal is not None:
            detail, code = refusal
            response = problem_response(
                422,
                "validation-error",
                detail,
                "validation error",
                scope.get("path"),
                extensions={"errors": [{"field": "body", "code": code}]},
            )
            await response(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


def _refusal(body: bytes) -> tuple[str, str] | None:
    """(detail, error code) of what ``body`` holds that no service may take, if anything."""
    if holds_lone_surrogate(body):
        return DETAIL, "string_unicode"
    if holds_non_finite_number(body):
        return NUMBER_DETAIL, "finite_number"
    return None


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False
