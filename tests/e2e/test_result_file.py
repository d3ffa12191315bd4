"""Issues 5/8, the result document as a file: the approver approves with the signed
result (multipart, through the gateway); the owner downloads the identical bytes once
the result is ready (after the fee paid at the office), through the API and through
the portal's «Tải kết quả giải quyết»; before that, and to anyone else, it is refused
with problem+json in Vietnamese."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote

import pytest

from tests.e2e.journey import (
    PROBLEM,
    WARD,
    log_in,
    new_citizen,
    ok,
    pdf,
    register_and_activate,
    status_of,
    upload,
)
from tests.e2e.portal import portal_session
from tests.e2e.suite import Suite, wait_until

pytestmark = pytest.mark.integration
REREGISTRATION = "1.004746"  # Đăng ký lại khai sinh: level 3, 5.000 đồng paid at the office
RESULT_NAME = "Trích lục đăng ký lại khai sinh.pdf"


def refused(response: Any, status: int, problem: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["type"].endswith(f"/{problem}"), body
    assert body["detail"]
    return str(body["detail"])


def test_the_approver_attaches_the_result_and_the_owner_downloads_it(suite: Suite) -> None:
    person = new_citizen("tep-ket-qua")
    citizen = register_and_activate(suite, person)
    stranger = register_and_activate(suite, new_citizen("nguoi-la-kq"))
    officers = {
        name: log_in(suite, f"{name}.hoalu@motcua.local")
        for name in ("receiver", "processor", "approver")
    }
    browser = portal_session(suite, person.email, person.password)
    result_pdf = pdf("ket-qua-" + person.email)
    try:
        dossier_id = ok(
            citizen.post(
                "/api/v1/dossiers",
                json={
                    "procedure_code": REREGISTRATION,
                    "agency_code": WARD,
                    "form": {
                        "ho_ten": person.full_name,
                        "so_dinh_danh": person.national_id,
                        "noi_cu_tru": "Phường Hoa Lư, tỉnh Ninh Bình",
                        "so_dien_thoai": "0912345678",
                        "email": person.email,
                        "noi_dang_ky_truoc": "UBND xã Ninh Hải (cũ)",
                    },
                },
            ),
            201,
        )["id"]
        for code in ("TK", "BANSAO", "GTTT"):
            upload(citizen, dossier_id, code, f"{code}.pdf", pdf(code + person.email))
        ok(citizen.post(f"/api/v1/dossiers/{dossier_id}/submit"))
        result_url = f"/api/v1/dossiers/{dossier_id}/result"
        refused(citizen.get(result_url), 404, "result-not-found")  # nothing approved yet

        officer = f"/api/v1/officer/dossiers/{dossier_id}"
        ok(officers["receiver"].post(f"{officer}/accept", json={}))
        ok(officers["processor"].post(f"{officer}/start-processing", json={}))
        ok(
            officers["processor"].post(
                f"{officer}/propose", json={"decision": "approve", "note": "Đủ điều kiện."}
            )
        )
        form = {"result_number": "KSL-8/2026", "result_note": "Bản chính ký số"}
        sent = {"file": (RESULT_NAME, result_pdf, "application/pdf")}
        refused(
            officers["processor"].post(f"{officer}/approve", data=form, files=sent),
            403,
            "dossier-missing-officer-role",
        )  # not an approver: refused, nothing recorded
        assert status_of(citizen, dossier_id) == "in_processing"
        approved = ok(officers["approver"].post(f"{officer}/approve", data=form, files=sent))
        assert approved["status"] == "awaiting_payment"
        assert approved["result"] == {
            "number": "KSL-8/2026",
            "note": "Bản chính ký số",
            "document": {
                "name": RESULT_NAME,
                "content_type": "application/pdf",
                "size": len(result_pdf),
                "sha256": hashlib.sha256(result_pdf).hexdigest(),
            },
        }

        # the fee is still due: the owner waits, the agency already has it
        detail = refused(citizen.get(result_url), 404, "result-not-found")
        assert "chưa sẵn sàng" in detail
        assert officers["receiver"].get(result_url).content == result_pdf
        refused(stranger.get(result_url), 404, "dossier-not-found")
        page = browser.get(f"/ho-so/{dossier_id}")
        assert page.status_code == 200 and "Tải kết quả giải quyết" not in page.text

        def the_order() -> dict[str, Any] | None:
            items = ok(citizen.get("/api/v1/payments/orders", params={"dossier_id": dossier_id}))[
                "items"
            ]
            return items[0] if items else None

        order = wait_until(the_order, 60, "the fee order")
        ok(
            officers["receiver"].post(
                f"/api/v1/payments/orders/{order['id']}/office-payment",
                json={"receipt_no": "BL-KQ-0001", "amount": order["amount"]},
                headers={"Idempotency-Key": f"office-{order['id']}"},
            )
        )
        wait_until(
            lambda: status_of(citizen, dossier_id) == "result_ready",
            60,
            "the dossier to learn of the payment",
        )

        got = citizen.get(result_url)
        assert got.status_code == 200 and got.content == result_pdf
        assert got.headers["content-type"] == "application/pdf"
        assert got.headers["content-disposition"].startswith("attachment;")
        assert (
            f"filename*=UTF-8''{quote(RESULT_NAME, safe='')}"
            in (got.headers["content-disposition"])
        )
        refused(stranger.get(result_url), 404, "dossier-not-found")

        page = browser.get(f"/ho-so/{dossier_id}")
        assert "Tải kết quả giải quyết" in page.text
        assert f'href="/ho-so/{dossier_id}/ket-qua"' in page.text
        downloaded = browser.get(f"/ho-so/{dossier_id}/ket-qua")
        assert downloaded.status_code == 200
        assert (
            hashlib.sha256(downloaded.content).hexdigest() == hashlib.sha256(result_pdf).hexdigest()
        )
        assert downloaded.headers["content-disposition"].startswith("attachment")
    finally:
        for session in (citizen, stranger, *officers.values()):
            session.close()
        browser.close()
