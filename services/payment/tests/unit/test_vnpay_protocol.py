"""VNPay 2.1.0 signing and the merchant's reading of notifications."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

from services.payment.adapters.vnpay import protocol
from services.payment.adapters.vnpay.merchant import VnpayMerchant
from services.payment.application.ports import Notification, Rejected
from services.payment.domain.status import FailureReason

SECRET = "SECRET"
MERCHANT = VnpayMerchant(
    tmn_code="TMN", secret=SECRET, payment_url="https://p/pay", return_url="https://m/return"
)


def test_signature_is_hmac_sha512_over_sorted_urlencoded_params() -> None:
    params = {
        "vnp_TxnRef": "1",
        "vnp_Amount": "1000000",
        "vnp_OrderInfo": "Thanh toan ho so",
        "vnp_Empty": "",
        "other": "x",
    }
    data = "vnp_Amount=1000000&vnp_OrderInfo=Thanh+toan+ho+so&vnp_TxnRef=1"
    expected = hmac.new(b"SECRET", data.encode(), hashlib.sha512).hexdigest()
    assert protocol.sign(params, SECRET) == expected
    assert protocol.verify({**params, "vnp_SecureHash": expected.upper()}, SECRET)
    assert not protocol.verify({**params, "vnp_Amount": "1", "vnp_SecureHash": expected}, SECRET)


def test_payment_url_carries_amount_times_100_and_dates_in_gmt7() -> None:
    created = datetime(2026, 11, 21, 17, 30, tzinfo=UTC)
    url = MERCHANT.payment_url(
        attempt_id="ab" * 16 + "001",
        amount=150_000,
        order_info="Thanh toán lệ phí hồ sơ Đ-1",
        created_at=created,
        expires_at=created,
        client_ip="10.0.0.1",
    )
    params = dict(parse_qsl(urlsplit(url).query))
    assert params["vnp_Amount"] == "15000000"
    assert params["vnp_CreateDate"] == "20261122003000"
    assert params["vnp_OrderInfo"] == "Thanh toan le phi ho so D-1"
    assert protocol.verify(params, SECRET)


def _ipn(**changes: str) -> dict[str, str]:
    params = {
        "vnp_TmnCode": "TMN",
        "vnp_Amount": "15000000",
        "vnp_ResponseCode": "00",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": uuid.uuid4().hex + "001",
        "vnp_TransactionNo": "14000001",
        "vnp_PayDate": "20261122003000",
        "vnp_BankCode": "NCB",
        **changes,
    }
    return {**params, "vnp_SecureHash": protocol.sign(params, SECRET)}


def test_reading_notifications() -> None:
    note = MERCHANT.read(_ipn())
    assert isinstance(note, Notification) and note.success and note.amount == 150_000
    assert note.paid_at == datetime(2026, 11, 21, 17, 30, tzinfo=UTC)
    cancelled = MERCHANT.read(_ipn(vnp_ResponseCode="24", vnp_TransactionStatus="02"))
    assert isinstance(cancelled, Notification) and cancelled.failure == FailureReason.CANCELLED
    refusals = {
        "97": [{**_ipn(), "vnp_Amount": "1"}, _ipn(vnp_TmnCode="OTHER")],
        "01": [_ipn(vnp_TxnRef="not-ours")],
        "04": [_ipn(vnp_Amount="1550")],
    }
    for code, cases in refusals.items():
        for params in cases:
            answer = MERCHANT.read(params)
            assert isinstance(answer, Rejected) and answer.answer["RspCode"] == code
