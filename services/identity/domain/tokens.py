"""Random single-use tokens (activation, reset, refresh), stored only as hashes.

A token has 256 random bits, so a fast hash (SHA-256) is enough to store it:
nobody can guess one, and the stored hash cannot be turned back into it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same_hash(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)
