"""Vietnamese text as people type it: with or without diacritics, in any case.

Search works on a folded form: NFD, combining marks stripped, đ → d, lower
case. A document is indexed by the prefixes of its folded words, so a query
matches whole words and words still being typed ("khai s").
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[0-9a-z]+")
_WORD_ACCENTED = re.compile(r"\w+")
MAX_PREFIX = 24


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def strip_marks(text: str) -> str:
    """Without diacritics, case kept: "Tờ khai" → "To khai"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower case without diacritics: "Đăng ký khai sinh" → "dang ky khai sinh"."""
    return strip_marks(text).lower()


def words(text: str) -> list[str]:
    """Folded words, in order."""
    return _WORD.findall(fold(text))


def accented_words(text: str) -> list[str]:
    """Lower-case words keeping their diacritics (NFC), in order."""
    return _WORD_ACCENTED.findall(unicodedata.normalize("NFC", text).lower())


def prefixes(word: str) -> list[str]:
    return [word[:n] for n in range(1, min(len(word), MAX_PREFIX) + 1)]


def index_keys(*texts: str) -> list[str]:
    """Every prefix of every folded word of ``texts``: what a query term must hit."""
    keys: set[str] = set()
    for text in texts:
        for word in words(text):
            keys.update(prefixes(word))
    return sorted(keys)


def query_terms(query: str) -> list[str]:
    """The folded words of a query, duplicates removed, order kept."""
    return list(dict.fromkeys(w[:MAX_PREFIX] for w in words(query)))
