"""The receipt (biên lai) of a paid order as a PDF paper (shared.vn.pdf)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from services.payment.domain.order import FeeOrder
from services.payment.domain.status import METHOD_LABELS
from shared.vn import pdf
from shared.vn.money import format_vnd, vnd_in_words
from shared.vn.time import format_time_on_date

MARGIN = 12 * mm
LABEL_WIDTH = 43 * mm


def item_text(item: dict[str, Any]) -> str:
    """«Phí cấp bản sao (3 × 8.000 đồng): 24.000 đồng»; a fixed fee shows only its amount."""
    name = item["name"] or item["code"]
    if item.get("quantity", 1) != 1:
        name += f" ({item['quantity']} × {format_vnd(item['unit_amount'])})"
    return f"{name}: {format_vnd(item['amount'])}"


def receipt_lines(order: FeeOrder) -> list[tuple[str, str]]:
    """The receipt's content, also what tests compare with the PDF's text."""
    assert order.payment is not None
    paid_at = datetime.fromisoformat(order.payment["paid_at"])
    amount = int(order.payment["amount"])
    lines = [
        ("Số biên lai", order.payment["receipt_no"]),
        ("Người nộp", order.payer_name or order.payer_id),
        ("Mã hồ sơ", order.dossier_code),
        ("Thủ tục", f"{order.procedure_code} {order.procedure_name}".strip()),
        ("Cơ quan thu", order.agency_code),
    ]
    lines += [("Khoản thu", item_text(item)) for item in order.items]
    lines += [
        ("Số tiền", format_vnd(amount)),
        ("Bằng chữ", vnd_in_words(amount)),
        ("Hình thức", METHOD_LABELS.get(order.payment["method"], order.payment["method"])),
        ("Thời điểm nộp", f"{format_time_on_date(paid_at)} (giờ Việt Nam)"),
    ]
    if order.payment.get("provider_txn"):
        lines.append(("Mã giao dịch", order.payment["provider_txn"]))
    if order.refunded_amount:
        lines.append(("Đã hoàn lại", format_vnd(order.refunded_amount)))
    return lines


def render_receipt(order: FeeOrder) -> bytes:
    style = pdf.styles(9)
    rows = [
        [pdf.text(f"{label}:", style.bold), pdf.text(value, style.body)]
        for label, value in receipt_lines(order)
    ]
    table = Table(rows, colWidths=[LABEL_WIDTH, A5[0] - 2 * MARGIN - LABEL_WIDTH])
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, -1), 0)])
    )
    story = [
        pdf.text("BIÊN LAI THU PHÍ, LỆ PHÍ", style.title),
        pdf.text("Cổng dịch vụ công Một Cửa", style.centred),
        Spacer(1, 6 * mm),
        table,
    ]
    number = order.payment["receipt_no"] if order.payment else ""
    return pdf.render(story, title=f"Biên lai {number}", pagesize=A5, margin=MARGIN)
