"""Read what the SMTP sink received (``.eml`` files).

The sink's directory is shared by every run on an engine set and grows to tens of
thousands of files; a test polls it for its own recipient many times. Each file's
``To`` header is read once and remembered (the sink renames a file into place only
when it is complete, so a file never changes), and only a recipient's own messages are
parsed in full.
"""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from pathlib import Path

_recipients: dict[Path, str] = {}


def _to(path: Path) -> str:
    if path not in _recipients:
        with path.open("rb") as file:
            headers = BytesHeaderParser(policy=policy.default).parse(file)
        _recipients[path] = str(headers.get("To", "")).lower()
    return _recipients[path]


def messages_to(maildir: Path, recipient: str) -> list[EmailMessage]:
    found = []
    for path in sorted(maildir.glob("*.eml")):
        if recipient.lower() not in _to(path):
            continue
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        found.append(message)
    return found
