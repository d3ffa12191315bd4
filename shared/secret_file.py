"""A random key kept in a file (0600), created on first use: the default of a service's
HMAC keys when no secret is configured. Several processes may start at once (the
gateway's workers): the key is written to a private temporary file and linked into
place, so every process reads the same complete key, never a half-written one."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def load_or_create_secret(path: Path, size: int = 32) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(size))
        try:
            with contextlib.suppress(FileExistsError):  # another process linked its own first
                os.link(draft, path)
        finally:
            draft.unlink()
    return path.read_bytes()
