"""The in-memory index follows changes one procedure at a time."""

from __future__ import annotations

from typing import Any

from services.catalog.adapters.search_index import SearchIndex
from services.catalog.domain.text import index_keys, query_terms


def _doc(code: str, name: str, listed: bool = True, level: int = 4) -> dict[str, Any]:
    return {"_id": code, "listed": listed, "s_name": name.lower(), "s_keywords": [],
            "s_keys": index_keys(name),
            "card": {"code": code, "name": name, "field_code": "HOTICH", "service_level": level,
                     "agency_codes": ["NB.HOALU"]}}


def _index() -> SearchIndex:
    return SearchIndex({"procedures": None, "search_state": None}, None)  # type: ignore[arg-type]


def test_a_changed_name_is_found_by_its_new_words_only() -> None:
    index = _index()
    index._put("1", _doc("1", "Đăng ký khai sinh"))
    assert [e.code for e in index.select(query_terms("khai sinh"), None, None, None)] == ["1"]
    index._put("1", _doc("1", "Đăng ký kết hôn"))
    assert index.select(query_terms("khai sinh"), None, None, None) == []
    assert [e.code for e in index.select(query_terms("ket hon"), None, None, None)] == ["1"]


def test_a_withdrawn_procedure_leaves_the_index() -> None:
    index = _index()
    index._put("1", _doc("1", "Đăng ký khai sinh"))
    index._put("2", _doc("2", "Đăng ký lại khai sinh", level=3))
    index._put("1", _doc("1", "Đăng ký khai sinh", listed=False))
    assert [e.code for e in index.select(query_terms("khai sinh"), None, None, None)] == ["2"]
    assert index.select([], None, None, 4) == []
    index._put("2", None)
    assert index.entries == {} and not any(index.postings.values())
