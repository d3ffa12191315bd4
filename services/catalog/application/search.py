"""Finding procedures as people type: PostgreSQL finds and ranks them
(adapters/search_store.py); this parses the query and pages."""

from __future__ import annotations

from services.catalog.application.ports import SearchRepository
from services.catalog.application.views import ProcedureCard, ProcedurePage
from services.catalog.domain.text import SearchQuery


class Search:
    def __init__(self, store: SearchRepository) -> None:
        self.store = store

    async def __call__(
        self,
        q: str = "",
        agency: str | None = None,
        field: str | None = None,
        level: int | None = None,
        page: int = 1,
        page_size: int = 20,
    ) -> ProcedurePage:
        total, items = await self.store.search(
            SearchQuery.parse(q),
            agency or None,
            field or None,
            level,
            page_size,
            (page - 1) * page_size,
        )
        cards = [ProcedureCard.model_validate(item) for item in items]
        return ProcedurePage(items=cards, total=total, page=page, page_size=page_size, query=q)
