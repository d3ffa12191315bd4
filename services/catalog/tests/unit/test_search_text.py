"""Vietnamese as people type it: diacritics and case do not matter. (How the folded terms
find and rank procedures in PostgreSQL: tests/integration/test_search_sql.py.)"""

from __future__ import annotations

from services.catalog.domain.text import SearchQuery, fold, query_terms, strip_marks


def test_fold_removes_diacritics_case_and_d_stroke() -> None:
    assert fold("Đăng ký khai sinh") == "dang ky khai sinh"
    assert fold("ĐĂNG KÝ KẾT HÔN") == "dang ky ket hon"
    assert strip_marks("Tờ khai Đăng ký") == "To khai Dang ky"


def test_fold_is_the_same_for_composed_and_decomposed_input() -> None:
    composed = "Thủ tục"
    decomposed = "Thu\u0309 tu\u0323c"
    assert fold(composed) == fold(decomposed) == "thu tuc"


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
