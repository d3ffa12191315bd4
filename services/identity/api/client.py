"""The client's address: the direct peer, or what a trusted proxy says it saw."""

from __future__ import annotations

from fastapi import Request


def client_address(request: Request, trusted: list[str]) -> str:
    peer = request.client.host if request.client else "unknown"
    forwarded = request.headers.get("x-forwarded-for")
    if peer in trusted and forwarded:
        # The gateway appends the peer it saw last; anything before it the caller wrote.
        last = forwarded.split(",")[-1].strip()
        if last:
            return last[:64]
    return peer
