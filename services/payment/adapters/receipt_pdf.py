"""The receipt (biên lai) of a paid order as a PDF, with a font that has Vietnamese glyphs."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from services.payment.domain.money import format_vnd, vnd_in_words
from services.payment.domain.order import FeeOrder
from services.payment.domain.status import METHOD_LABELS

VN_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
_registered: list[str] = []


def _fonts() -> tuple[str, str]:
    if not _registered:
        for directory in FONT_DIRS:
            regular, bold = directory / "DejaVuSans.ttf", directory / "DejaVuSans-Bold.ttf"
            if regular.is_file() and bold.is_file():
                pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
                pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
                _registered.extend(["DejaVuSans", "DejaVuSans-Bold"])
                break
        else:
            raise RuntimeError("DejaVu Sans not found: install the fonts-dejavu-core package")
    return _registered[0], _registered[1]


def item_text(item: dict[str, Any]) -> str:
    """«Phí cấp bản sao (3 × 8.000 đồng): 24.000 đồng»; a fixed fee shows only its amount."""
    name = item["name"] or item["code"]
    if item.get("quantity", 1) != 1:
        name += f" ({item['quantity']} × {format_vnd(item['unit_amount'])})"
    return f"{name}: {format_vnd(item['amount'])}"


def receipt_lines(order: FeeOrder) -> list[tuple[str, str]]:
    """The receipt's content, also what tests compare with the PDF's text."""
    assert order.payment is not None
    paid_at = datetime.fromisoformat(order.payment["paid_at"]).astimezone(VN_TIME)
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
        ("Thời điểm nộp", paid_at.strftime("%H:%M ngày %d/%m/%Y (giờ Việt Nam)")),
    ]
    if order.payment.get("provider_txn"):
        lines.append(("Mã giao dịch", order.payment["provider_txn"]))
    if order.refunded_amount:
        lines.append(("Đã hoàn lại", format_vnd(order.refunded_amount)))
    return lines


def render_receipt(order: FeeOrder) -> bytes:
    regular, bold = _fonts()
    buffer = io.BytesIO()
    width, height = A5
    pdf = Canvas(buffer, pagesize=A5, invariant=True)
    pdf.setTitle(f"Biên lai {order.payment['receipt_no'] if order.payment else ''}")
    pdf.setFont(bold, 14)
    pdf.drawCentredString(width / 2, height - 20 * mm, "BIÊN LAI THU PHÍ, LỆ PHÍ")
    pdf.setFont(regular, 9)
    pdf.drawCentredString(width / 2, height - 26 * mm, "Cổng dịch vụ công Một Cửa")
    y = height - 40 * mm
    for label, value in receipt_lines(order):
        pdf.setFont(bold, 9)
        pdf.drawString(12 * mm, y, f"{label}:")
        pdf.setFont(regular, 9)
        for chunk in _wrap(value, regular, 9, width - 62 * mm):
            pdf.drawString(55 * mm, y, chunk)
            y -= 5.5 * mm
        y -= 1.5 * mm
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and pdfmetrics.stringWidth(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current or not lines else lines
