"""JSON logs, one object per line, carrying the request's correlation id.

Every line is redacted on its way out (:func:`redact`), whoever wrote it: our own
loggers, httpx's "HTTP Request: GET <url>" for each upstream call, uvicorn's access and
error loggers (they propagate to the root handler: ``log_config=None``). The values of
query parameters named in :data:`SENSITIVE_QUERY_NAMES` (or starting with a prefix of
:data:`SENSITIVE_QUERY_PREFIXES`), bearer tokens, JWTs, the portal's session cookies and
Authorization and Cookie header values become ``[redacted]``; the names stay, so a line
still says what was asked.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO
from urllib.parse import unquote_plus

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
REDACTED = "[redacted]"

# The one list: query parameters whose values never reach a log line.
SENSITIVE_QUERY_NAMES = frozenset(
    {
        # the public lookup: the dossier code (portal ``ma``) with its second factor
        "id_last4",
        "cccd",
        "ma",
        # tokens of any kind: activation and reset links, OAuth/OIDC callbacks
        "access_token",
        "refresh_token",
        "id_token",
        "token",
        "code",
        "state",
        "password",
        "secret",
        "signature",
        "sig",
    }
)
SENSITIVE_QUERY_PREFIXES = ("vnp_",)  # every parameter of a VNPay callback
SESSION_COOKIES = ("motcua_access", "motcua_refresh", "motcua_csrf")

_QUERY_PAIR = re.compile(r"(?P<lead>[?&;])(?P<name>[^=&\s\"'#;?<>]+)=(?P<value>[^&\s\"'#;<>]*)")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_HEADER = re.compile(
    r"(?i)(?P<name>\b(?:proxy-)?authorization|\b(?:set-)?cookie)(?P<sep>[\"']?\s*[:=,]\s*(?:b?[\"'])?)"
    r"(?P<value>[^\"'\n]+)"
)
_COOKIE = re.compile(rf"\b(?P<name>{'|'.join(SESSION_COOKIES)})=(?P<value>[^;\s\"',]*)")


def sensitive_query_name(name: str) -> bool:
    folded = unquote_plus(name).strip().lower()
    return folded in SENSITIVE_QUERY_NAMES or folded.startswith(SENSITIVE_QUERY_PREFIXES)


SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


def _secret_key(key: Any) -> bool:
    """A mapping's key that names a secret: a header of credentials, a sensitive name."""
    name = key.decode("latin-1") if isinstance(key, bytes) else str(key)
    return name.lower() in SECRET_HEADERS or sensitive_query_name(name)


def _query_pair(match: re.Match[str]) -> str:
    if not match["value"] or not sensitive_query_name(match["name"]):
        return match[0]
    return f"{match['lead']}{match['name']}={REDACTED}"


def redact(text: str) -> str:
    """``text`` with the values of sensitive query parameters, tokens and session cookies
    replaced by ``[redacted]``."""
    text = _QUERY_PAIR.sub(_query_pair, text)
    text = _HEADER.sub(lambda m: f"{m['name']}{m['sep']}{REDACTED}", text)
    text = _BEARER.sub(lambda m: f"{m[1]} {REDACTED}", text)
    text = _JWT.sub(REDACTED, text)
    return _COOKIE.sub(lambda m: f"{m['name']}={REDACTED}", text)


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: REDACTED if _secret_key(k) else _redacted(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_redacted(v) for v in value]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return redact(str(value))  # a URL, an exception: whatever json would have str()-ed


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "correlation_id": correlation_id.get(),
        }
        payload.update({k: _redacted(v) for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            payload["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False, default=str)


def configure_logging(service: str, level: str = "INFO", stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiokafka", "kafka"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
