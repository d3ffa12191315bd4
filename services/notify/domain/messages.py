"""What an email is, independent of how it is sent, and its failure to leave."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Email:
    subject: str
    body: str
    html: str | None = None  # sent as a multipart/alternative part when present


class DeliveryError(Exception):
    """Every attempt failed; the message says why (the SMTP server's answer)."""
