"""Read what the SMTP sink received (``.eml`` files)."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path


def messages_to(maildir: Path, recipient: str) -> list[EmailMessage]:
    found = []
    for path in sorted(maildir.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        if recipient.lower() in str(message.get("To", "")).lower():
            found.append(message)
    return found
