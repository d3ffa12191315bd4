"""Fee lines computed from a count (3 copies × 8.000 đồng) keep their quantity on the order
and show it on the receipt; extra keys of a payment request do not break the order."""

from __future__ import annotations

import io

from pypdf import PdfReader

from services.payment.adapters.receipt_pdf import item_text, receipt_lines, render_receipt
from services.payment.domain.order import Command, FeeOrder
from services.payment.tests.unit.test_fee_order import CLERK, NOW, SYSTEM

LINES = [
    {
        "code": "PHI_SV",
        "name": "Phí cung cấp thông tin lý lịch tư pháp (giảm)",
        "unit_amount": 100000,
        "quantity": 1,
        "amount": 100000,
        "rule": None,
    },
    {
        "code": "PHI_THEM",
        "name": "Phí cấp từ Phiếu thứ 3 trở lên",
        "unit_amount": 5000,
        "quantity": 2,
        "amount": 10000,
        "rule": "per_copy",
        "something_new": [1],
    },
]


def _order(items: list[dict[str, object]], total: int) -> FeeOrder:
    return FeeOrder.request(
        SYSTEM,
        items=items,
        total=total,
        dossier_id="d-9",
        request_sequence=7,
        dossier_code="NB-1",
        procedure_code="2.000488",
        procedure_name="Cấp Phiếu lý lịch tư pháp",
        agency_code="HN.TP",
        payer_id="u-1",
        payer_name="An",
        service_level=4,
        reason="",
    )


def test_the_order_keeps_quantity_and_unit_price_and_drops_other_keys() -> None:
    order = _order(LINES, 110000)
    assert order.items == [
        {
            "code": "PHI_SV",
            "name": LINES[0]["name"],
            "amount": 100000,
            "quantity": 1,
            "unit_amount": 100000,
        },
        {
            "code": "PHI_THEM",
            "name": LINES[1]["name"],
            "amount": 10000,
            "quantity": 2,
            "unit_amount": 5000,
        },
    ]
    legacy = _order([{"code": "LP", "name": "Lệ phí", "amount": 8000}], 8000)
    assert legacy.items == [{"code": "LP", "name": "Lệ phí", "amount": 8000}]
    odd = _order(
        [{"code": "LP", "name": "Lệ phí", "amount": 8000, "quantity": "2", "unit_amount": 4000}],
        8000,
    )
    assert "quantity" not in odd.items[0]


def test_the_receipt_lists_each_counted_line_with_its_quantity() -> None:
    assert (
        item_text(
            {
                "code": "PHI_THEM",
                "name": "Phí thêm",
                "amount": 10000,
                "quantity": 2,
                "unit_amount": 5000,
            }
        )
        == "Phí thêm (2 × 5.000 đồng): 10.000 đồng"
    )
    assert item_text({"code": "LP", "name": "", "amount": 8000}) == "LP: 8.000 đồng"
    order = _order(LINES, 110000)
    order.record_office_payment(
        CLERK, Command("k", "f"), receipt_no="0000042", amount=110000, paid_at=NOW
    )
    items = [value for label, value in receipt_lines(order) if label == "Khoản thu"]
    assert items == [
        "Phí cung cấp thông tin lý lịch tư pháp (giảm): 100.000 đồng",
        "Phí cấp từ Phiếu thứ 3 trở lên (2 × 5.000 đồng): 10.000 đồng",
    ]
    text = PdfReader(io.BytesIO(render_receipt(order))).pages[0].extract_text()
    assert "(2 × 5.000 đồng)" in text.replace("\n", " ")
