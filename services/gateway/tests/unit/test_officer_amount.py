"""The amount an officer types for a payment at the office: đồng, with or without
thousands separators; anything else is refused on the form, never a 500."""

from __future__ import annotations

import pytest

from services.gateway.entrypoints.http.portal.officer import _amount


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("50000", 50000), ("50.000", 50000), ("1,250,000", 1250000), (" 8 000 ", 8000), ("", 0)],
)
def test_typed_amounts_are_read_as_dong(typed: str, amount: int) -> None:
    assert _amount(typed) == amount


@pytest.mark.parametrize("typed", ["abc", "-5000", "5e3", "５０００", "1" * 16, "50.5đ"])
def test_anything_else_is_not_an_amount(typed: str) -> None:
    assert _amount(typed) is None
