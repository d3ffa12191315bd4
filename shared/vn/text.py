"""Vietnamese text as people type it: composed or decomposed, with or without diacritics."""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    """The composed (NFC) form, in which everything is stored and compared."""
    return unicodedata.normalize("NFC", text)


def strip_marks(text: str) -> str:
    """Without diacritics, case kept: «Tờ khai đăng ký» → "To khai dang ky" (đ is a letter
    of its own in Unicode, not d with a mark, so it is replaced by hand)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower case without diacritics, for search: «Đăng ký khai sinh» → "dang ky khai sinh"."""
    return strip_marks(text).lower()
