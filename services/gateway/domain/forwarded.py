"""Who is calling and over what: believed from forwarding headers only when the peer
is a configured trusted proxy (a TLS terminator or load balancer in front of us)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

# An ASGI connection scope (read only: "client", "scheme", "headers").
Scope = Mapping[str, Any]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def peer(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else ""


def forwarded_chain(scope: Scope, trusted: Collection[str]) -> list[str]:
    """``X-Forwarded-For`` as the services should see it, ending with the caller: the
    peer appended to what it sent; or, when the peer is a trusted proxy, the entries up
    to the last one that is not a trusted proxy (entries further left are the caller's
    own claims and could be forged; services read the last entry only)."""
    address = peer(scope)
    entries = [
        e.strip() for e in (_header(scope, b"x-forwarded-for") or "").split(",") if e.strip()
    ]
    if address not in trusted:
        return [*entries, address]
    for index in range(len(entries) - 1, -1, -1):
        if entries[index] not in trusted:
            return entries[: index + 1]
    return [*entries, address]


def client_address(scope: Scope, trusted: Collection[str]) -> str:
    """The caller's address (the last entry of :func:`forwarded_chain`)."""
    return forwarded_chain(scope, trusted)[-1]


def is_secure(scope: Scope, trusted: Collection[str]) -> bool:
    """Whether the caller reached us over TLS: directly, or through a trusted proxy
    that says so with ``X-Forwarded-Proto: https``."""
    if scope.get("scheme") == "https":
        return True
    if peer(scope) not in trusted:
        return False
    proto = (_header(scope, b"x-forwarded-proto") or "").split(",")[0].strip().lower()
    return proto == "https"
