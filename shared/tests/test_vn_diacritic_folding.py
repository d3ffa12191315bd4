"""Search and ASCII fallbacks read Vietnamese without diacritics, however it was typed."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from shared.vn.text import fold, nfc, strip_marks

BASE = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
TONED = "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
VIETNAMESE = BASE + TONED
LETTERS = VIETNAMESE + VIETNAMESE.upper() + " 0123456789"


def test_marks_go_and_d_with_stroke_becomes_d() -> None:
    assert strip_marks("Tờ khai Đăng ký") == "To khai Dang ky"
    assert fold("ĐĂNG KÝ KẾT HÔN") == "dang ky ket hon"
    assert fold("Thủ tục") == fold("Thu\u0309 tu\u0323c") == "thu tuc"  # composed, decomposed


def test_nfc_composes_what_a_keyboard_sent_decomposed() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hồng")
    assert decomposed != "Nguyễn Thị Hồng"
    assert nfc(decomposed) == "Nguyễn Thị Hồng"


@given(st.text())
def test_folding_twice_is_folding_once(value: str) -> None:
    assert fold(fold(value)) == fold(value)
    assert strip_marks(strip_marks(value)) == strip_marks(value)


@given(st.text())
def test_composed_and_decomposed_input_fold_alike(value: str) -> None:
    assert fold(unicodedata.normalize("NFC", value)) == fold(unicodedata.normalize("NFD", value))


@given(st.text(alphabet=LETTERS))
def test_vietnamese_folds_to_ascii_of_the_same_length(value: str) -> None:
    folded = fold(value)
    assert folded.isascii() and len(folded) == len(value)
    assert strip_marks(value).lower() == folded
