"""The routes answer the use cases' typed values in the JSON they always wrote: moments as
``isoformat()`` (``+00:00``, never ``Z``), only the declared keys of a search card."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from services.catalog.application.calendar import Calendar
from services.catalog.application.catalog import Catalog
from services.catalog.application.procedures import Procedures
from services.catalog.application.registry import Registry
from services.catalog.application.search import Search
from services.catalog.application.templates import Templates
from services.catalog.domain.text import SearchQuery
from services.catalog.entrypoints.http import calendar, procedures, registry
from services.catalog.tests.unit.fakes import FakeProcedures, FakeRecords, FakeTemplates
from shared.http.app import create_app
from tests.support import tokens

NOW = datetime(2026, 12, 3, 18, 30, 42, 123456, tzinfo=UTC)
ADMIN = tokens.caller("admin-1", "admin")
CONTENT = {
    "code": "1.001193",
    "name": "Đăng ký khai sinh",
    "field_code": "HOTICH",
    "service_level": 4,
    "agency_codes": ["NB.HOALU", "NB.KHAC"],
    "government_level": "commune",
    "steps": ["Nộp hồ sơ"],
    "time_limit_days": 1,
    "result_delivery": ["office", "online"],
    "form_schema": {
        "type": "object",
        "properties": {"ho_ten": {"title": "Họ và tên", "type": "string"}},
    },
}


class ListedSearch:
    """The search port over the fake store's listed cards, with a key no card declares."""

    def __init__(self, store: FakeProcedures) -> None:
        self.store = store

    async def search(
        self,
        query: SearchQuery,
        agency: str | None,
        field: str | None,
        level: int | None,
        limit: int,
        offset: int,
    ) -> tuple[int, list[dict[str, Any]]]:
        cards = [{**d["card"], "score": 0.5, "rank_terms": 2} for d in self.store.docs.values()]
        return len(cards), cards[offset : offset + limit]


def _client() -> TestClient:
    store = FakeProcedures()
    names = Registry(FakeRecords(), FakeRecords(), lambda: NOW)
    versions = Procedures(store, names, lambda: NOW)
    app = create_app("catalog")
    app.state.verifier = tokens.verifier()
    app.state.catalog = Catalog(
        versions,
        names,
        Search(ListedSearch(store)),
        Templates(FakeTemplates(), versions, lambda: NOW),
        Calendar(FakeRecords(), lambda: NOW),
    )
    for module in (procedures, registry, calendar):
        app.include_router(module.router)
    client = TestClient(app, headers=ADMIN)
    client.put("/api/v1/catalog/fields/HOTICH", json={"name": "Hộ tịch"})
    for code, body in (
        ("NB", {"name": "Ủy ban nhân dân tỉnh Ninh Bình", "tier": "province"}),
        ("NB.HOALU", {"name": "UBND phường Hoa Lư", "tier": "commune", "parent_code": "NB"}),
        ("NB.KHAC", {"name": "UBND xã Khác", "tier": "commune", "parent_code": "NB"}),
    ):
        client.put(f"/api/v1/catalog/agencies/{code}", json=body)
    return client


def test_a_published_version_answers_its_moment_as_isoformat() -> None:
    client = _client()
    assert client.post("/api/v1/catalog/procedures", json=CONTENT).json() == {
        "code": "1.001193",
        "draft_revision": 1,
    }
    published = client.post("/api/v1/catalog/procedures/1.001193/publish")
    assert published.json() == {
        "code": "1.001193",
        "version": 1,
        "published_at": "2026-12-03T18:30:42.123456+00:00",
    }
    view = client.get("/api/v1/catalog/procedures/1.001193").json()
    assert (view["status"], view["published_at"]) == ("current", published.json()["published_at"])
    assert view["field"] == {"code": "HOTICH", "name": "Hộ tịch"}
    assert view["agencies"][0] == {"code": "NB.HOALU", "name": "UBND phường Hoa Lư"}


def test_a_search_card_keeps_only_its_declared_keys() -> None:
    client = _client()
    client.post("/api/v1/catalog/procedures", json=CONTENT)
    client.post("/api/v1/catalog/procedures/1.001193/publish")
    page = client.get("/api/v1/catalog/procedures", params={"q": "khai sinh"}).json()
    assert (page["total"], page["page"], page["page_size"], page["query"]) == (
        1,
        1,
        20,
        "khai sinh",
    )
    assert "rank_terms" not in page["items"][0] and page["items"][0]["score"] == 0.5


def test_a_due_date_answers_utc_and_vietnam_time() -> None:
    due = _client().post(
        "/api/v1/catalog/calendar/add-working-days",
        json={"start": "2026-03-09T16:00:00+07:00", "days": 3},
    )
    assert due.json() == {
        "start": "2026-03-09T09:00:00+00:00",
        "days": 3,
        "due": "2026-03-12T09:00:00+00:00",
        "due_local": "2026-03-12T16:00:00+07:00",
    }
