"""Relevance of a procedure for a query, computed over the candidates the index found.

The index guarantees every query term is a prefix of some indexed word; the
score orders candidates the way a citizen expects: the name read as a phrase
first, whole words before word beginnings, the name before keywords, and the
exact diacritics the person typed as a tie-breaker.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.catalog.domain.text import accented_words, fold, query_terms, words


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str
    keywords: tuple[str, ...] = ()


def _phrase_in(phrase: list[str], text: list[str]) -> int:
    """Position where ``phrase`` starts in ``text`` (last word may be a prefix), else -1."""
    n = len(phrase)
    for start in range(len(text) - n + 1):
        window = text[start:start + n]
        if window[:-1] == phrase[:-1] and window[-1].startswith(phrase[-1]):
            return start
    return -1


def score(query: str, candidate: Candidate) -> float:
    terms = query_terms(query)
    if not terms:
        return 0.0
    if fold(query).strip() == fold(candidate.code):
        return 1000.0
    name = words(candidate.name)
    phrases = [words(k) for k in candidate.keywords]
    keywords = [w for phrase in phrases for w in phrase]
    total = 0.0
    if any(_phrase_in(terms, phrase) >= 0 for phrase in phrases):
        total += 15  # "sổ đỏ" is how people name a land certificate
    position = _phrase_in(terms, name)
    if position == 0:
        total += 60 if len(terms) == len(name) else 40
    elif position > 0:
        total += 30 - min(position, 10)
    for term in terms:
        if term in name:
            total += 10
        elif any(w.startswith(term) for w in name):
            total += 6
        elif term in keywords:
            total += 4
        elif any(w.startswith(term) for w in keywords):
            total += 2
    typed = set(accented_words(query))
    if typed - set(terms):  # the person typed diacritics: reward the exact spelling
        total += 3 * len(typed & set(accented_words(candidate.name)))
    return total - len(name) * 0.1  # among equals, the shorter (more specific) name


def rank(query: str, candidates: list[Candidate]) -> list[tuple[float, Candidate]]:
    scored = [(score(query, c), c) for c in candidates]
    scored.sort(key=lambda pair: (-pair[0], fold(pair[1].name), pair[1].code))
    return scored
