"""Relevance of a procedure for a query, computed over the candidates the index found.

The index guarantees every query term is a prefix of some indexed word; the
score orders candidates the way a citizen expects: the name read as a phrase
first, whole words before word beginnings, the name before keywords, and the
exact diacritics the person typed as a tie-breaker.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from services.catalog.domain.text import accented_words, fold, query_terms, words


@dataclass(frozen=True)
class Candidate:
    """A procedure as ranking sees it; the derived word lists are computed once."""

    code: str
    name: str
    keywords: tuple[str, ...] = ()

    @cached_property
    def name_words(self) -> list[str]:
        return words(self.name)

    @cached_property
    def name_accented(self) -> frozenset[str]:
        return frozenset(accented_words(self.name))

    @cached_property
    def keyword_phrases(self) -> list[list[str]]:
        return [words(k) for k in self.keywords]

    @cached_property
    def keyword_words(self) -> frozenset[str]:
        return frozenset(w for phrase in self.keyword_phrases for w in phrase)


@dataclass(frozen=True)
class Query:
    text: str
    terms: list[str]
    folded: str
    typed_accents: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> Query:
        terms = query_terms(text)
        typed = frozenset(accented_words(text))
        # only when the person typed diacritics does the exact spelling earn a bonus
        return cls(text, terms, fold(text).strip(), typed if typed - set(terms) else frozenset())


def _phrase_in(phrase: list[str], text: list[str]) -> int:
    """Position where ``phrase`` starts in ``text`` (last word may be a prefix), else -1."""
    n = len(phrase)
    for start in range(len(text) - n + 1):
        window = text[start:start + n]
        if window[:-1] == phrase[:-1] and window[-1].startswith(phrase[-1]):
            return start
    return -1


def score(query: Query | str, candidate: Candidate) -> float:
    if isinstance(query, str):
        query = Query.parse(query)
    terms = query.terms
    if not terms:
        return 0.0
    if query.folded == fold(candidate.code):
        return 1000.0
    name = candidate.name_words
    total = 0.0
    position = _phrase_in(terms, name)
    if position == 0:
        total += 60 if len(terms) == len(name) else 40
    elif position > 0:
        total += 30 - min(position, 10)
    if any(_phrase_in(terms, phrase) >= 0 for phrase in candidate.keyword_phrases):
        total += 15  # "sổ đỏ" is how people name a land certificate
    keywords = candidate.keyword_words
    for term in terms:
        if term in name:
            total += 10
        elif any(w.startswith(term) for w in name):
            total += 6
        elif term in keywords:
            total += 4
        elif any(w.startswith(term) for w in keywords):
            total += 2
    if query.typed_accents:
        total += 3 * len(query.typed_accents & candidate.name_accented)
    return total - len(name) * 0.1  # among equals, the shorter (more specific) name


def rank(query: str, candidates: list[Candidate]) -> list[tuple[float, Candidate]]:
    parsed = Query.parse(query)
    scored = [(score(parsed, c), c) for c in candidates]
    scored.sort(key=lambda pair: (-pair[0], pair[1].name_words, pair[1].code))
    return scored
