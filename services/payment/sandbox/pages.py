"""The sandbox's hosted pages, in Vietnamese like the real provider's."""

from __future__ import annotations

import html

from services.payment.sandbox.store import Txn
from shared.vn.money import format_vnd

STYLE = (
    "body{font-family:sans-serif;max-width:34rem;margin:2rem auto;color:#222}"
    "button{margin:.3rem;padding:.6rem 1.2rem}.note{color:#a33}"
)


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} — Cổng thanh toán thử nghiệm</title>"
        f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>{body}"
        f"</body></html>"
    )


def payment_page(txn: Txn, merchant: str) -> str:
    return _page(
        "Thanh toán trực tuyến",
        f"""
<p class="note">Môi trường thử nghiệm theo giao thức VNPay — không có tiền thật được chuyển.</p>
<dl>
  <dt>Đơn vị chấp nhận thanh toán</dt><dd>{html.escape(merchant)}</dd>
  <dt>Mã giao dịch</dt><dd>{html.escape(txn.txn_ref)}</dd>
  <dt>Nội dung</dt><dd>{html.escape(txn.order_info)}</dd>
  <dt>Số tiền</dt><dd data-amount="{txn.amount}">{format_vnd(txn.amount)}</dd>
</dl>
<form method="post" action="/paymentv2/confirm">
  <input type="hidden" name="token" value="{html.escape(txn.token)}">
  <button name="action" value="pay">Thanh toán</button>
  <button name="action" value="cancel">Hủy</button>
  <button name="action" value="fail">Giao dịch thất bại</button>
</form>""",
    )


def error_page(title: str, detail: str) -> str:
    return _page(title, f"<p>{html.escape(detail)}</p>")
