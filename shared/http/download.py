"""The ``Content-Disposition`` of a file people download, whatever its Vietnamese name."""

from __future__ import annotations

from urllib.parse import quote

from shared.vn.text import strip_marks


def content_disposition(filename: str) -> str:
    """RFC 6266 with the RFC 5987 UTF-8 name, and an ASCII fallback for old clients
    ("Tờ khai.docx" → ``filename="To khai.docx"``)."""
    fallback = "".join(
        c if c.isascii() and c not in '"\\' and c.isprintable() else "_"
        for c in strip_marks(filename)
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
