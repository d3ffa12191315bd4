"""The ``Content-Disposition`` of a file people download, whatever its Vietnamese name."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote


def content_disposition(filename: str) -> str:
    """RFC 6266 with the RFC 5987 UTF-8 name, and an ASCII fallback for old clients
    ("Tờ khai.docx" → ``filename="To khai.docx"``)."""
    decomposed = unicodedata.normalize("NFD", filename.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    fallback = "".join(
        c if c.isascii() and c not in '"\\' and c.isprintable() else "_" for c in plain
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
