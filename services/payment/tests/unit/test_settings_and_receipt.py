"""Default secrets are refused outside development; receipts say the amount in words
(the words themselves: shared/tests/test_vn_amounts.py)."""

from __future__ import annotations

import io

import pytest
from pydantic import ValidationError
from pypdf import PdfReader

from services.payment.adapters.receipt_pdf import render_receipt
from services.payment.domain.order import Command
from services.payment.settings import PaymentSettings
from services.payment.tests.unit.test_fee_order import CLERK, NOW, order


def test_production_refuses_the_default_secret_and_failpoints() -> None:
    with pytest.raises(ValidationError, match="HASH_SECRET"):
        PaymentSettings(environment="production")
    with pytest.raises(ValidationError, match="FAILPOINT"):
        PaymentSettings(
            environment="production", vnpay_hash_secret="s3cret", failpoint="after_ipn_saved"
        )
    assert PaymentSettings(environment="production", vnpay_hash_secret="s3cret").secret == "s3cret"


def test_receipt_pdf_has_number_payer_amount_and_dossier() -> None:
    o = order(amount=1_250_000, level=3)
    o.record_office_payment(
        CLERK, Command("k", "f"), receipt_no="0001234", amount=1_250_000, paid_at=NOW
    )
    text = PdfReader(io.BytesIO(render_receipt(o))).pages[0].extract_text()
    for expected in (
        "BIÊN LAI",
        "0001234",
        "An",
        "HN-1",
        "1.250.000 đồng",
        "Một triệu hai trăm năm mươi nghìn đồng",
        "10:00 ngày 22/11/2026",
    ):
        assert expected in text
