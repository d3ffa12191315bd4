"""The public default secret and failpoints are refused outside sandbox mode; receipts
say the amount in words (the words themselves: shared/tests/test_vn_amounts.py)."""

from __future__ import annotations

import io

import pytest
from pydantic import ValidationError
from pypdf import PdfReader

from services.payment.adapters.receipt_pdf import render_receipt
from services.payment.domain.order import Command
from services.payment.settings import DEFAULT_SECRET, PaymentSettings
from services.payment.tests.unit.test_fee_order import CLERK, NOW, order
from shared.settings import load_settings


def test_outside_sandbox_mode_the_public_default_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="MOTCUA_PAYMENT_VNPAY_HASH_SECRET is the public"):
        PaymentSettings()


def test_the_refusal_names_the_mode_that_allows_it() -> None:
    with pytest.raises(ValidationError, match="MOTCUA_PAYMENT_SANDBOX=true"):
        PaymentSettings(sandbox=False)


def test_sandbox_mode_accepts_the_default_secret() -> None:
    assert PaymentSettings(sandbox=True).secret == DEFAULT_SECRET


def test_a_real_secret_starts_without_sandbox_mode() -> None:
    assert PaymentSettings(vnpay_hash_secret="s3cret").secret == "s3cret"


def test_failpoints_need_sandbox_mode() -> None:
    with pytest.raises(ValidationError, match="MOTCUA_PAYMENT_FAILPOINT"):
        PaymentSettings(vnpay_hash_secret="s3cret", failpoint="after_ipn_saved")
    assert PaymentSettings(sandbox=True, failpoint="after_ipn_saved").failpoint


def test_sandbox_mode_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_PAYMENT_SANDBOX", "true")
    assert PaymentSettings().sandbox


def test_a_process_refused_its_settings_exits_naming_the_setting_not_the_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MOTCUA_PAYMENT_VNPAY_HASH_SECRET", "the-real-secret")
    monkeypatch.setenv("MOTCUA_PAYMENT_FAILPOINT", "after_ipn_saved")
    with pytest.raises(SystemExit) as exit_:
        load_settings(PaymentSettings)
    message = str(exit_.value)
    assert "MOTCUA_PAYMENT_FAILPOINT" in message
    assert "refusing to start" in message
    assert "the-real-secret" not in message


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
