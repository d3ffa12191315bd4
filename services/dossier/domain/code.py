"""Human-readable dossier codes: agency, date, random part and a check character.

The random part (8 characters of a 32-symbol alphabet, 40 bits) makes codes
impractical to enumerate; the check character catches typing mistakes.
"""

from __future__ import annotations

import secrets
from datetime import datetime

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def check_char(body: str) -> str:
    total = 0
    for position, char in enumerate(body.replace("-", "")):
        # odd weights are coprime with 32, so any single changed character is caught
        weight = 2 * position + 1
        total += weight * (ALPHABET.index(char) if char in ALPHABET else ord(char))
    return ALPHABET[total % len(ALPHABET)]


def new_code(agency_code: str, at: datetime, token: str | None = None) -> str:
    token = token or "".join(secrets.choice(ALPHABET) for _ in range(8))
    body = f"{agency_code.upper()}-{at:%y%m%d}-{token}"
    return body + check_char(body)


def is_valid(code: str) -> bool:
    return len(code) > 1 and check_char(code[:-1]) == code[-1]
