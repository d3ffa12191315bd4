"""Amounts in đồng as people read them: dots between thousands, and in words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.vn.money import format_amount, format_vnd, vnd_in_words


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(0, "0 đồng"), (500, "500 đồng"), (5_000, "5.000 đồng"), (1_250_000, "1.250.000 đồng")],
)
def test_thousands_are_grouped_with_dots(amount: int, shown: str) -> None:
    assert format_vnd(amount) == shown


@given(st.integers(min_value=0, max_value=10**15))
def test_the_digits_read_back_as_the_amount(amount: int) -> None:
    groups = format_amount(amount).split(".")
    assert int("".join(groups)) == amount
    assert 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])
    assert format_vnd(amount) == f"{format_amount(amount)} đồng"


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (50_000, "Năm mươi nghìn đồng"),
        (1_250_000, "Một triệu hai trăm năm mươi nghìn đồng"),
        (2_000_000_000, "Hai tỷ đồng"),
        (105, "Một trăm lẻ năm đồng"),
    ],
)
def test_an_amount_in_words_is_capitalised_and_ends_in_dong(amount: int, words: str) -> None:
    assert vnd_in_words(amount) == words
