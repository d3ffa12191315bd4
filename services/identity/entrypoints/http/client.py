"""The client's address: the direct peer, or what a trusted proxy says it saw."""

from __future__ import annotations

import ipaddress

from fastapi import Request


def _trusted(peer: str, trusted: list[str]) -> bool:
    """``trusted`` holds addresses or networks (``10.0.0.0/8``), as containers get
    addresses from a network rather than a fixed one."""
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(entry, strict=False) for entry in trusted)


def client_address(request: Request, trusted: list[str]) -> str:
    peer = request.client.host if request.client else "unknown"
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded and _trusted(peer, trusted):
        # The gateway appends the peer it saw last; anything before it the caller wrote.
        last = forwarded.split(",")[-1].strip()
        if last:
            return last[:64]
    return peer
