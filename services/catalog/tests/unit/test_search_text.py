"""Vietnamese as people type it: diacritics and case do not matter, prefixes match."""

from __future__ import annotations

from services.catalog.domain.relevance import Candidate, rank
from services.catalog.domain.text import fold, index_keys, query_terms, strip_marks


def test_fold_removes_diacritics_case_and_d_stroke() -> None:
    assert fold("Đăng ký khai sinh") == "dang ky khai sinh"
    assert fold("ĐĂNG KÝ KẾT HÔN") == "dang ky ket hon"
    assert strip_marks("Tờ khai Đăng ký") == "To khai Dang ky"


def test_fold_is_the_same_for_composed_and_decomposed_input() -> None:
    composed = "Thủ tục"
    decomposed = "Thu\u0309 tu\u0323c"
    assert fold(composed) == fold(decomposed) == "thu tuc"


def test_every_query_form_hits_the_index_of_the_name() -> None:
    keys = set(index_keys("Đăng ký khai sinh"))
    for query in ("đăng ký khai sinh", "dang ky khai sinh", "Khai Sinh", "khai sinh", "khai s"):
        assert set(query_terms(query)) <= keys, query


def test_a_word_that_is_not_there_does_not_hit() -> None:
    assert not set(query_terms("kết hôn")) <= set(index_keys("Đăng ký khai sinh"))


def test_ranking_puts_the_named_procedure_first() -> None:
    candidates = [
        Candidate("1.004746", "Đăng ký lại khai sinh"),
        Candidate("1.004222", "Đăng ký tạm trú", ("khai báo tạm trú", "sinh viên thuê trọ")),
        Candidate("1.001193", "Đăng ký khai sinh", ("giấy khai sinh",)),
    ]
    for query in ("khai sinh", "dang ky khai sinh", "Đăng ký khai sinh", "KHAI SINH"):
        assert rank(query, candidates)[0][1].code == "1.001193", query


def test_keyword_phrases_rank_above_scattered_word_beginnings() -> None:
    candidates = [
        Candidate("a", "Cấp giấy phép hoạt động in", ("sổ sách", "đồ in")),
        Candidate("b", "Đăng ký đất đai lần đầu", ("làm sổ đỏ",)),
    ]
    assert rank("so do", candidates)[0][1].code == "b"


def test_a_procedure_code_is_an_exact_hit() -> None:
    candidates = [Candidate("1.001193", "Đăng ký khai sinh"), Candidate("1.0011", "Khác")]
    assert rank("1.001193", candidates)[0][1].code == "1.001193"
