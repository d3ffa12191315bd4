"""Password rules of OWASP ASVS 5.0 (V6.2): length, not common, not the user's own data,
not this service's own words.

No composition rules. Length counts Unicode code points after NFC, so a
Vietnamese passphrase counts as people see it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from services.identity.domain.errors import WeakPasswordError

MIN_LENGTH = 8
MAX_LENGTH = 128  # ASVS: at least 64 must be accepted
# The demo accounts' password, published in README.md ("Demo accounts"): refused
# outside demo mode.
DEMO_PASSWORD = "Demo Một Cửa 2025"
# Words of this service (ASVS 6.2.11): refused alone or with only digits, spaces and
# punctuation around them ("motcua2025", "Mật khẩu 123", "Password123!").
SERVICE_WORDS = frozenset(
    {"motcua", "mộtcửa", "dichvucong", "dịchvụcông", "matkhau", "mậtkhẩu", "password"}
)


def normalise_password(password: str) -> str:
    return unicodedata.normalize("NFC", password)


def _letters(text: str) -> str:
    """The letters of ``text``, lower case: what is left of a word once digits, spaces
    and punctuation are added around it."""
    return re.sub(r"[\W\d_]+", "", text.lower())


class PasswordPolicy:
    def __init__(self, common: frozenset[str], *, demo: bool = False) -> None:
        self.common = common
        self.demo = demo

    def check(self, password: str, context: Iterable[str] = ()) -> str:
        """The password to hash (NFC) or :class:`WeakPasswordError`."""
        password = normalise_password(password)
        if len(password) < MIN_LENGTH:
            raise WeakPasswordError("too_short")
        if len(password) > MAX_LENGTH:
            raise WeakPasswordError("too_long")
        folded = password.strip().lower()
        if (
            not folded
            or folded in self.common
            or _letters(folded) in SERVICE_WORDS
            or (not self.demo and folded == DEMO_PASSWORD.lower())
        ):
            raise WeakPasswordError("common")
        for word in context:
            word = word.strip().lower()
            letters = _letters(word)
            if len(word) >= 4 and (
                folded == word or (len(letters) >= 4 and _letters(folded) == letters)
            ):
                raise WeakPasswordError("contextual")
        return password
