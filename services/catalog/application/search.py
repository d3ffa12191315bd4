"""Finding procedures as people type: folded word prefixes narrow the candidates in the
in-memory index; relevance is scored over those candidates."""

from __future__ import annotations

from typing import Any

from services.catalog.adapters.search_index import SearchIndex
from services.catalog.domain.relevance import rank
from services.catalog.domain.text import query_terms


class Search:
    def __init__(self, index: SearchIndex) -> None:
        self.index = index

    async def __call__(self, q: str = "", agency: str | None = None, field: str | None = None,
                       level: int | None = None, page: int = 1,
                       page_size: int = 20) -> dict[str, Any]:
        await self.index.fresh()
        terms = query_terms(q)
        found = self.index.select(terms, agency or None, field or None, level)
        skip = (page - 1) * page_size
        if not terms:
            found.sort(key=lambda e: (e.sort_name, e.code))
            items = [e.card for e in found[skip:skip + page_size]]
        else:
            by_code = {e.code: e for e in found}
            ranked = rank(q, [e.candidate for e in found])
            items = [{**by_code[c.code].card, "score": round(s, 2)}
                     for s, c in ranked[skip:skip + page_size]]
        return {"items": items, "total": len(found), "page": page, "page_size": page_size,
                "query": q}
