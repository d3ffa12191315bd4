"""VND amounts as people read them: «1.250.000 đồng» and in Vietnamese words."""

from __future__ import annotations

from num2words import num2words


def format_amount(amount: int) -> str:
    """«1.250.000»: thousands grouped with dots."""
    return f"{amount:,}".replace(",", ".")


def format_vnd(amount: int) -> str:
    """«1.250.000 đồng»."""
    return f"{format_amount(amount)} đồng"


def vnd_in_words(amount: int) -> str:
    """«Một triệu hai trăm năm mươi nghìn đồng»: capitalised, as on a receipt."""
    words = num2words(amount, lang="vi")
    return f"{words[:1].upper()}{words[1:]} đồng"
