"""Issue 8, assignment by name through the gateway: the ward's agency admin reads the
ward's staff directory, picks «Cán bộ xử lý NB.HOALU» and assigns the dossier; that
officer finds it among «hồ sơ được giao cho tôi». Another agency's officer, the
auditor and the citizen cannot read the ward's directory."""

from __future__ import annotations

import pytest

from tests.e2e.journey import (
    PROBLEM,
    WARD,
    log_in,
    new_citizen,
    ok,
    pdf,
    register_and_activate,
    upload,
)
from tests.e2e.suite import Suite, wait_until

pytestmark = pytest.mark.integration


def test_an_agency_admin_assigns_a_dossier_to_a_colleague_picked_by_name(suite: Suite) -> None:
    person = new_citizen("phan-cong")
    citizen = register_and_activate(suite, person)
    admin = log_in(suite, "agencyadmin.hoalu@motcua.local")
    receiver = log_in(suite, "receiver.hoalu@motcua.local")
    processor = log_in(suite, "processor.hoalu@motcua.local")
    others = [
        log_in(suite, email) for email in ("processor.stp@motcua.local", "thanhtra@motcua.local")
    ]
    try:
        staff = ok(admin.get("/api/v1/staff"))
        assert staff["agency_code"] == WARD
        names = {s["full_name"]: s for s in staff["items"]}
        assert {
            "Cán bộ tiếp nhận NB.HOALU",
            "Cán bộ xử lý NB.HOALU",
            "Lãnh đạo phê duyệt NB.HOALU",
        } <= set(names)
        chosen = names["Cán bộ xử lý NB.HOALU"]
        assert chosen["active"] and chosen["officer_roles"] == ["processor"]
        assert chosen["id"] == ok(processor.get("/api/v1/me"))["id"]
        for outsider in (*others, citizen):
            refused = outsider.get("/api/v1/staff", params={"agency_code": WARD})
            assert refused.status_code == 403 and refused.headers["content-type"] == PROBLEM
            assert refused.json()["detail"] == "Bạn không có quyền thực hiện thao tác này."

        dossier_id = ok(
            citizen.post(
                "/api/v1/dossiers",
                json={
                    "procedure_code": "1.004746",
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
        code = ok(citizen.post(f"/api/v1/dossiers/{dossier_id}/submit"))["code"]
        officer = f"/api/v1/officer/dossiers/{dossier_id}"
        ok(receiver.post(f"{officer}/accept", json={}))
        assigned = ok(
            admin.post(
                f"{officer}/assign",
                json={"officer_id": chosen["id"], "note": "Giao anh/chị xử lý."},
            )
        )
        assert assigned["status"] == "in_processing"

        def mine() -> bool:
            queue = ok(
                processor.get(
                    "/api/v1/officer/queues/in_processing", params={"mine": "true", "size": 100}
                )
            )
            return code in {item["code"] for item in queue["items"]}

        wait_until(mine, 60, "the dossier in the assignee's own queue")
        assert ok(processor.get(officer))["assignee"] == chosen["id"]
    finally:
        for session in (citizen, admin, receiver, processor, *others):
            session.close()
