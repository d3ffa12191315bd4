"""Vietnamese text as people type it: with or without diacritics, in any case.

Search works on a folded form: NFD, combining marks stripped, đ → d, lower
case (PostgreSQL folds the stored procedures the same way with ``unaccent``:
adapters/search_store.py). A query's folded words match the beginnings of a
procedure's words, so whole words and words still being typed ("khai s") match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_WORD = re.compile(r"[0-9a-z]+")
_WORD_ACCENTED = re.compile(r"\w+")


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


def query_terms(query: str) -> list[str]:
    """The folded words of a query, duplicates removed, order kept."""
    return list(dict.fromkeys(words(query)))


@dataclass(frozen=True)
class SearchQuery:
    """A query as search reads it: its folded terms (every one must begin a word of the
    procedure), the folded whole (an exact procedure code) and the words typed with
    diacritics, which only then earn the exact spelling a bonus."""

    text: str
    terms: list[str]
    folded: str
    typed_accents: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> SearchQuery:
        terms = query_terms(text)
        typed = frozenset(accented_words(text))
        return cls(text, terms, fold(text).strip(), typed if typed - set(terms) else frozenset())
