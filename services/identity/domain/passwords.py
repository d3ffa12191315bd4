"""Password rules of OWASP ASVS 5.0 (V6.2): length, not common, not the user's own data.

No composition rules. Length counts Unicode code points after NFC, so a
Vietnamese passphrase counts as people see it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from services.identity.domain.errors import WeakPasswordError

MIN_LENGTH = 8
MAX_LENGTH = 128  # ASVS: at least 64 must be accepted


def normalise_password(password: str) -> str:
    return unicodedata.normalize("NFC", password)


class PasswordPolicy:
    def __init__(self, common: frozenset[str]) -> None:
        self.common = common

    def check(self, password: str, context: Iterable[str] = ()) -> str:
        """The password to hash (NFC) or :class:`WeakPasswordError`."""
        password = normalise_password(password)
        if len(password) < MIN_LENGTH:
            raise WeakPasswordError("too_short")
        if len(password) > MAX_LENGTH:
            raise WeakPasswordError("too_long")
        folded = password.strip().lower()
        if folded in self.common:
            raise WeakPasswordError("common")
        for word in context:
            word = word.strip().lower()
            if len(word) >= 4 and folded == word:
                raise WeakPasswordError("contextual")
        return password
