"""Finding procedures as people type: prefixes of folded words in an indexed array
narrow the candidates in the store; relevance is scored here over those candidates."""

from __future__ import annotations

from typing import Any

from services.catalog.adapters.procedure_store import ProcedureStore
from services.catalog.domain.relevance import Candidate, rank
from services.catalog.domain.text import query_terms

CANDIDATE_LIMIT = 2000
MAX_PAGE_SIZE = 100


class Search:
    def __init__(self, store: ProcedureStore) -> None:
        self.store = store

    async def __call__(self, q: str = "", agency: str | None = None, field: str | None = None,
                       level: int | None = None, page: int = 1,
                       page_size: int = 20) -> dict[str, Any]:
        filters: dict[str, Any] = {}
        if agency:
            filters["agency_codes"] = agency
        if field:
            filters["field_code"] = field
        if level:
            filters["service_level"] = level
        skip = (page - 1) * page_size
        terms = query_terms(q)
        if not terms:
            docs, total = await self.store.page(filters, skip, page_size)
            items = [d["card"] for d in docs]
        else:
            docs = await self.store.candidates(terms, filters, CANDIDATE_LIMIT)
            by_code = {d["_id"]: d for d in docs}
            ranked = rank(q, [Candidate(d["_id"], d["card"]["name"], tuple(d["s_keywords"]))
                              for d in docs])
            total = len(ranked)
            items = [{**by_code[c.code]["card"], "score": round(s, 2)}
                     for s, c in ranked[skip:skip + page_size]]
        return {"items": items, "total": total, "page": page, "page_size": page_size,
                "query": q}
