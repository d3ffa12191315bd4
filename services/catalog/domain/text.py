"""Vietnamese text as people type it: with or without diacritics, in any case.

Search works on a folded form (shared.vn.text.fold: NFD, combining marks stripped,
đ → d, lower case; PostgreSQL folds the stored procedures the same way with ``unaccent``:
adapters/search_store.py). A query's folded words match the beginnings of a
procedure's words, so whole words and words still being typed ("khai s") match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.vn.text import fold, nfc

_WORD = re.compile(r"[0-9a-z]+")
_WORD_ACCENTED = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """Folded words, in order."""
    return _WORD.findall(fold(text))


def accented_words(text: str) -> list[str]:
    """Lower-case words keeping their diacritics (NFC), in order."""
    return _WORD_ACCENTED.findall(nfc(text).lower())


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
