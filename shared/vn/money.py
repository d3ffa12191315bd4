"""VND amounts as people read them: «1.250.000 đồng» and in Vietnamese words."""

from __future__ import annotations

from num2words import num2words

# The most any one fee line, order, payment or refund may be, in VND (10 tỷ đồng): far
# above any fee the law sets, far below what VNPay's vnp_Amount (x100) and a PostgreSQL
# bigint hold. Request bodies and computed fees beyond it are refused (422).
MAX_VND = 10_000_000_000


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
