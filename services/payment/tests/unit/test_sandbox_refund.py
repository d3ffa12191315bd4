"""The sandbox's refund answers VNPay's way: signed, with VNPay's codes, and a repeated
request refunds nothing twice (its own process is exercised in the integration tests)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.payment.adapters.vnpay import protocol
from services.payment.adapters.vnpay.merchant import VnpayMerchant
from services.payment.sandbox.main import build_app
from services.payment.settings import PaymentSettings

SECRET = "unit-secret"
TMN = "MOTCUAUT"
API = "/merchant_webapi/api/transaction"


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[TestClient]:
    settings = PaymentSettings(
        vnpay_tmn_code=TMN,
        vnpay_hash_secret=SECRET,
        sandbox_db_path=tmp_path / "sandbox.db",
        sandbox_ipn_attempts=1,
        sandbox_ipn_url="http://127.0.0.1:9/ipn",
    )
    with TestClient(build_app(settings), follow_redirects=False) as client:
        yield client


def _finished(client: TestClient, ref: str, action: str = "pay") -> str:
    """Open the payment page of ``ref`` and press a button; returns vnp_TransactionNo."""
    now = datetime.now(UTC)
    url = VnpayMerchant(
        tmn_code=TMN,
        secret=SECRET,
        payment_url="http://testserver/paymentv2/vpcpay.html",
        return_url="http://portal/ket-qua",
    ).payment_url(
        attempt_id=ref,
        amount=150_000,
        order_info="Le phi",
        created_at=now,
        expires_at=now + timedelta(minutes=15),
        client_ip="127.0.0.1",
    )
    page = client.get(url)
    token = re.search(r'name="token" value="([0-9a-f]+)"', page.text)
    assert token, page.text
    done = client.post("/paymentv2/confirm", data={"token": token.group(1), "action": action})
    return dict(re.findall(r"(vnp_\w+)=([^&]*)", done.headers["location"]))["vnp_TransactionNo"]


def _refund(
    client: TestClient, ref: str, txn_no: str, amount: int, kind: str = "03", **extra: str
) -> dict[str, Any]:
    body = {
        "vnp_RequestId": extra.pop("request_id", uuid.uuid4().hex),
        "vnp_Version": protocol.VERSION,
        "vnp_Command": "refund",
        "vnp_TmnCode": extra.pop("tmn", TMN),
        "vnp_TransactionType": kind,
        "vnp_TxnRef": ref,
        "vnp_Amount": protocol.to_vnp_amount(amount),
        "vnp_TransactionNo": txn_no,
        "vnp_TransactionDate": protocol.format_date(datetime.now(UTC)),
        "vnp_CreateBy": "payment",
        "vnp_CreateDate": protocol.format_date(datetime.now(UTC)),
        "vnp_IpAddr": "127.0.0.1",
        "vnp_OrderInfo": f"Hoan tien {ref}",
    }
    body["vnp_SecureHash"] = extra.pop(
        "hash", protocol.sign_fields(body, protocol.REFUND_REQUEST, SECRET)
    )
    answer = client.post(API, json=body).json()
    fields = (
        protocol.REFUND_RESPONSE
        if answer["vnp_ResponseCode"] not in ("97", "91", "02")
        else protocol.QUERYDR_RESPONSE
    )
    assert protocol.verify_fields(answer, fields, SECRET)  # every answer is signed
    return dict(answer)


def test_a_refund_is_applied_once_and_a_repeat_is_answered_94(sandbox: TestClient) -> None:
    txn_no = _finished(sandbox, "REF1")
    done = _refund(sandbox, "REF1", txn_no, 50_000, request_id="r1")
    assert (done["vnp_ResponseCode"], done["vnp_TransactionStatus"]) == ("00", "05")
    assert done["vnp_TransactionNo"] == txn_no and done["vnp_BankCode"] == "NCB"
    again = _refund(sandbox, "REF1", txn_no, 50_000, request_id="r1")
    assert again["vnp_ResponseCode"] == "94"  # received before: nothing refunded twice
    assert _refund(sandbox, "REF1", txn_no, 100_001)["vnp_ResponseCode"] == "03"  # > left
    assert _refund(sandbox, "REF1", txn_no, 100_000)["vnp_ResponseCode"] == "00"
    assert _refund(sandbox, "REF1", txn_no, 1)["vnp_ResponseCode"] == "03"  # nothing left


def test_refunds_refused_with_vnpays_codes(sandbox: TestClient) -> None:
    txn_no = _finished(sandbox, "REF2")
    cancelled_no = _finished(sandbox, "REF3", action="cancel")
    assert _refund(sandbox, "REF2", txn_no, 1_000, kind="02")["vnp_ResponseCode"] == "03"
    assert _refund(sandbox, "REF2", "999", 1_000)["vnp_ResponseCode"] == "03"
    assert _refund(sandbox, "REF3", cancelled_no, 1_000)["vnp_ResponseCode"] == "95"
    assert _refund(sandbox, "NOPE", txn_no, 1_000)["vnp_ResponseCode"] == "91"
    assert _refund(sandbox, "REF2", txn_no, 1_000, tmn="OTHERTMN")["vnp_ResponseCode"] == "02"
    assert _refund(sandbox, "REF2", txn_no, 1_000, hash="00")["vnp_ResponseCode"] == "97"
    assert _refund(sandbox, "REF2", txn_no, 150_000, kind="02")["vnp_ResponseCode"] == "00"
