"""Issue #5, fee rules: a lý lịch tư pháp dossier with the reduced-fee box ticked and 4
Phiếu is charged 100.000 đ (the reduced fee replaces the full 200.000 đ) plus 2 × 5.000 đ
(from the 3rd Phiếu on) = 110.000 đ: estimated on the dossier, requested at approval,
the order and its receipt list the counted line, the national export carries the total."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from tests.e2e.journey import applicant, log_in, new_citizen, ok, pdf, register_and_activate, upload
from tests.e2e.portal import portal_session
from tests.e2e.suite import Suite, wait_until

pytestmark = pytest.mark.integration
LY_LICH = "2.000488"  # Cấp Phiếu lý lịch tư pháp, Sở Tư pháp (NB.STP)
AGENCY = "NB.STP"


def test_the_reduced_fee_and_extra_copies_make_the_payment_order(suite: Suite) -> None:
    person = new_citizen("ly-lich")
    citizen = register_and_activate(suite, person)
    officers = {
        name: log_in(suite, f"{name}.stp@motcua.local")
        for name in ("receiver", "processor", "approver")
    }
    browser = portal_session(suite, person.email, person.password)
    try:
        procedure = ok(citizen.get(f"/api/v1/catalog/procedures/{LY_LICH}"))
        fees = {f["code"]: f for f in procedure["fees"]}
        assert (fees["PHI_SV"]["applies_if"], fees["PHI_SV"]["replaces"]) == ("giam_phi", "PHI")
        assert procedure["form_schema"]["properties"]["giam_phi"]["type"] == "boolean"
        page = browser.get(f"/thu-tuc/{LY_LICH}")
        assert "5.000 ₫/bản" in page.text and "từ bản thứ 3" in page.text

        form = {
            **applicant(person.full_name, person.national_id, person.email),
            "loai_phieu": "Phiếu số 1",
            "muc_dich": "Bổ sung hồ sơ xin việc",
            "so_luong": 4,
            "giam_phi": True,
            "qua_trinh_cu_tru": "Từ 2004 đến nay: phường Hoa Lư, tỉnh Ninh Bình",
        }
        dossier_id = ok(
            citizen.post(
                "/api/v1/dossiers",
                json={"procedure_code": LY_LICH, "agency_code": AGENCY, "form": form},
            ),
            201,
        )["id"]
        for code in ("TK", "GTTT"):
            upload(citizen, dossier_id, code, f"{code}.pdf", pdf(code + person.email))
        estimate = ok(citizen.get(f"/api/v1/dossiers/{dossier_id}"))["fee_estimate"]
        assert estimate["total"] == 110000
        assert [(x["code"], x["quantity"], x["amount"]) for x in estimate["lines"]] == [
            ("PHI_SV", 1, 100000),
            ("PHI_THEM", 2, 10000),
        ]
        page = browser.get(f"/ho-so/{dossier_id}")
        assert "Phí, lệ phí dự kiến" in page.text and "110.000 ₫" in page.text
        page = browser.get(f"/ho-so/{dossier_id}/khai")  # the form page, before sending
        assert 'id="fee-card"' in page.text and "110.000 ₫" in page.text
        ok(citizen.post(f"/api/v1/dossiers/{dossier_id}/submit"))

        officer = f"/api/v1/officer/dossiers/{dossier_id}"
        ok(officers["receiver"].post(f"{officer}/accept", json={}))
        ok(officers["processor"].post(f"{officer}/start-processing", json={}))
        ok(
            officers["processor"].post(
                f"{officer}/propose", json={"decision": "approve", "note": "Đủ điều kiện."}
            )
        )
        approved = ok(
            officers["approver"].post(
                f"{officer}/approve", json={"result": {"number": "LLTP-2026-17"}}
            )
        )
        assert approved["status"] == "awaiting_payment"
        assert ok(citizen.get(f"/api/v1/dossiers/{dossier_id}"))["fee_due"] == 110000
        exported = ok(officers["receiver"].get(f"{officer}/national-export"))
        assert exported["TongTienPhiLePhi"] == 110000
        assert [(x["MaPhiLePhi"], x["SoLuong"], x["SoTien"]) for x in exported["LePhi"]] == [
            ("PHI_SV", 1, 100000),
            ("PHI_THEM", 2, 10000),
        ]

        def the_order() -> dict[str, Any] | None:
            items = ok(citizen.get("/api/v1/payments/orders", params={"dossier_id": dossier_id}))[
                "items"
            ]
            return items[0] if items else None

        order = wait_until(the_order, 60, "the fee order")
        assert order["amount"] == 110000
        assert [(i["code"], i.get("quantity"), i["amount"]) for i in order["items"]] == [
            ("PHI_SV", 1, 100000),
            ("PHI_THEM", 2, 10000),
        ]
        page = browser.get(f"/giao-dich/{order['id']}")
        assert "(2 × 5.000 ₫): 10.000 ₫" in page.text

        ok(
            officers["receiver"].post(
                f"/api/v1/payments/orders/{order['id']}/office-payment",
                json={"receipt_no": "BL-LLTP-0017", "amount": order["amount"]},
                headers={"Idempotency-Key": f"office-{order['id']}"},
            )
        )
        receipt = citizen.get(f"/api/v1/payments/orders/{order['id']}/receipt")
        assert receipt.status_code == 200, receipt.text
        text = PdfReader(io.BytesIO(receipt.content)).pages[0].extract_text().replace("\n", " ")
        assert "(2 × 5.000 đồng)" in text and "110.000 đồng" in text
    finally:
        for session in (citizen, *officers.values()):
            session.close()
        browser.close()
