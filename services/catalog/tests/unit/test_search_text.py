"""Vietnamese as people type it: diacritics and case do not matter. (How the folded terms
find and rank procedures in PostgreSQL: tests/integration/test_search_sql.py; the folding
itself: shared/tests/test_vn_diacritic_folding.py.)"""

from __future__ import annotations

from services.catalog.domain.text import SearchQuery, query_terms


def test_every_way_of_typing_a_name_gives_the_same_terms() -> None:
    for query in (
        "đăng ký khai sinh",
        "dang ky khai sinh",
        "Đăng Ký Khai Sinh",
        "ĐĂNG KÝ  khai-sinh",
        "dang ky khai sinh dang",
    ):
        assert query_terms(query) == ["dang", "ky", "khai", "sinh"], query


def test_only_typed_diacritics_earn_the_exact_spelling() -> None:
    assert SearchQuery.parse("khai sinh").typed_accents == frozenset()
    assert SearchQuery.parse("Đăng ký khai sinh").typed_accents == {"đăng", "ký", "khai", "sinh"}
    assert SearchQuery.parse(" 1.001193 ").folded == "1.001193"
    assert SearchQuery.parse("...").terms == []
