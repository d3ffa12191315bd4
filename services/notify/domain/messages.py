"""What an email is, independent of how it is sent."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Email:
    subject: str
    body: str
    html: str | None = None  # sent as a multipart/alternative part when present
