"""Issue 6, the browser's way back from the provider: the VNPay return URL is the
portal's «Kết quả thanh toán» page, which shows the order as the payment service knows
it (the IPN is the only truth): a cancelled payment as failed with a way to pay again,
then the paid order with its amount, dossier code, receipt and dossier links. Nobody
but the payer sees it; the page asks who you are first; a mangled reference is refused
in Vietnamese."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from tests.e2e.journey import (
    add_wallet_document,
    cite_wallet_document,
    extract_draft,
    log_in,
    new_citizen,
    ok,
    pdf,
    register_and_activate,
    upload,
)
from tests.e2e.portal import portal_session, provider_answers
from tests.e2e.suite import Suite, wait_until

pytestmark = pytest.mark.integration
PAGE = "/thanh-toan/ket-qua"


def outcome_of(page_html: str) -> str:
    found = re.search(r'<h1 id="payment-outcome">([^<]*)</h1>', page_html)
    assert found, page_html
    return html.unescape(found.group(1))


def test_the_provider_sends_the_payer_back_to_the_portal_result_page(suite: Suite) -> None:
    person = new_citizen("ket-qua-tt")
    citizen = register_and_activate(suite, person)
    officers = {
        name: log_in(suite, f"{name}.hoalu@motcua.local")
        for name in ("receiver", "processor", "approver")
    }
    browser = portal_session(suite, person.email, person.password)
    stranger = new_citizen("nguoi-la")
    register_and_activate(suite, stranger).close()
    other = portal_session(suite, stranger.email, stranger.password)
    try:
        dossier_id = extract_draft(citizen, person)
        upload(citizen, dossier_id, "TK", "to-khai.pdf", pdf("tk-ket-qua" + person.email))
        cite_wallet_document(
            citizen, dossier_id, "GTTT", add_wallet_document(citizen, person.national_id)
        )
        code = ok(citizen.post(f"/api/v1/dossiers/{dossier_id}/submit"))["code"]
        officer = f"/api/v1/officer/dossiers/{dossier_id}"
        ok(officers["receiver"].post(f"{officer}/accept", json={}))
        ok(officers["processor"].post(f"{officer}/start-processing", json={}))
        ok(
            officers["processor"].post(
                f"{officer}/propose", json={"decision": "approve", "note": "Đủ"}
            )
        )
        ok(
            officers["approver"].post(
                f"{officer}/approve", json={"result": {"number": "TL-2026-000046"}}
            )
        )

        def the_order() -> dict[str, Any] | None:
            items = ok(citizen.get("/api/v1/payments/orders", params={"dossier_id": dossier_id}))[
                "items"
            ]
            return items[0] if items else None

        order = wait_until(the_order, 60, "the fee order")

        def checkout(key: str) -> str:
            attempt = ok(
                citizen.post(
                    f"/api/v1/payments/orders/{order['id']}/checkout",
                    headers={"Idempotency-Key": key},
                    json={"method": "vnpay", "accept_terms": True},
                ),
                201,
            )
            return str(attempt["payment_url"])

        # «Hủy» at the provider: back at the portal, failed once the IPN says so
        back = provider_answers(checkout(f"huy-{dossier_id}"), "cancel")
        assert back.startswith(f"{suite.gateway_url}{PAGE}?")
        path = back.removeprefix(suite.gateway_url)
        anonymous = suite.client(follow_redirects=False)
        asked = anonymous.get(path)
        anonymous.close()
        assert asked.status_code in (302, 303)
        assert asked.headers["location"].startswith("/dang-nhap?tiep=%2Fthanh-toan%2Fket-qua")

        def failed() -> str | None:
            page = browser.get(path)
            assert page.status_code == 200, page.text
            return page.text if outcome_of(page.text) == "Thanh toán thất bại" else None

        shown = wait_until(failed, 60, "the cancelled attempt on the result page")
        assert "Người nộp đã hủy giao dịch" in shown and code in shown
        assert f'href="/giao-dich/{order["id"]}"' in shown and "Thanh toán lại" in shown
        assert "bien-lai.pdf" not in shown

        # paid: waiting (or paid already), then paid with the receipt and the dossier
        path = provider_answers(checkout(f"tra-{dossier_id}"), "pay").removeprefix(
            suite.gateway_url
        )
        first = browser.get(path)
        assert outcome_of(first.text) in ("Đang chờ xác nhận", "Đã thanh toán")
        if outcome_of(first.text) == "Đang chờ xác nhận":
            assert '<meta http-equiv="refresh"' in first.text  # it looks again by itself

        def paid() -> str | None:
            page = browser.get(path)
            return page.text if outcome_of(page.text) == "Đã thanh toán" else None

        shown = wait_until(paid, 60, "the paid order on the result page")
        assert "8.000 ₫" in shown and code in shown and '<meta http-equiv="refresh"' not in shown
        assert f'href="/ho-so/{dossier_id}"' in shown
        receipt_link = f"/giao-dich/{order['id']}/bien-lai.pdf"
        assert f'href="{receipt_link}"' in shown
        receipt = browser.get(receipt_link)
        assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")

        # another citizen with the same address sees nothing of it
        refused = other.get(path)
        assert refused.status_code in (403, 404) and code not in refused.text
        assert "8.000" not in refused.text
        # a reference that is not one of ours
        mangled = browser.get(PAGE, params={"vnp_TxnRef": "khong-phai-ma-giao-dich"})
        assert mangled.status_code == 400
        assert "Đường dẫn trở về từ cổng thanh toán không hợp lệ." in mangled.text
    finally:
        for session in (citizen, *officers.values()):
            session.close()
        browser.close()
        other.close()
