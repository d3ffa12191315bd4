"""Through the gateway on the real engines: the staff directory of an agency, read by
that agency's officers and by admins, refused to everybody else in Vietnamese."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from services.identity.entrypoints.seed import DEMO_PASSWORD, seed_demo
from services.identity.tests.integration.suite import Suite, problem, start_suite
from tests.support.engines import Engines

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def suite(engines: Engines, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    started = start_suite(engines, tmp_path_factory.mktemp("directory"))
    try:
        asyncio.run(seed_demo(started.settings()))
        yield started
    finally:
        started.stop()


def bearer(suite: Suite, email: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    login = suite.login(email, password)
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def test_an_officer_reads_the_staff_of_their_agency_with_names_and_duties(suite: Suite) -> None:
    admin = bearer(suite, "admin@motcua.local")
    created = suite.api.post(
        "/api/v1/admin/accounts",
        headers=admin,
        json={
            "kind": "officer",
            "email": suite.email("xuly"),
            "full_name": "Đặng Thị Ánh Tuyết",
            "password": "Cán bộ xử lý Hoa Lư 7",
            "agency_code": "NB.HOALU",
            "officer_roles": ["processor"],
        },
    )
    assert created.status_code == 201, created.text
    gone = suite.api.post(
        "/api/v1/admin/accounts",
        headers=admin,
        json={
            "kind": "officer",
            "email": suite.email("nghi"),
            "full_name": "Vũ Văn Nghỉ",
            "password": "Cán bộ đã nghỉ việc 7",
            "agency_code": "NB.HOALU",
            "officer_roles": ["processor"],
        },
    )
    assert gone.status_code == 201, gone.text
    # no disabling use case exists yet: the account is disabled the way one would be
    with suite.db() as db:
        db.execute("UPDATE accounts SET status = 'disabled' WHERE id = %s", (gone.json()["id"],))

    listing = suite.api.get("/api/v1/staff", headers=bearer(suite, "receiver.hoalu@motcua.local"))
    assert listing.status_code == 200, listing.text
    body = listing.json()
    assert body["agency_code"] == "NB.HOALU"
    by_name = {s["full_name"]: s for s in body["items"]}
    assert set(by_name) == {
        "Cán bộ tiếp nhận NB.HOALU",
        "Cán bộ xử lý NB.HOALU",
        "Lãnh đạo phê duyệt NB.HOALU",
        "Quản trị đơn vị NB.HOALU",
        "Đặng Thị Ánh Tuyết",
        "Vũ Văn Nghỉ",
    }
    assert by_name["Đặng Thị Ánh Tuyết"] == {
        "id": created.json()["id"],
        "full_name": "Đặng Thị Ánh Tuyết",
        "officer_roles": ["processor"],
        "active": True,
    }
    assert by_name["Vũ Văn Nghỉ"]["active"] is False
    assert body["items"][-1]["full_name"] == "Vũ Văn Nghỉ"  # the active come first
    assert by_name["Lãnh đạo phê duyệt NB.HOALU"]["officer_roles"] == ["approver"]
    for entry in body["items"]:
        assert set(entry) == {"id", "full_name", "officer_roles", "active"}  # no email, hash

    approver = bearer(suite, "approver.hoalu@motcua.local")
    asked = suite.api.get("/api/v1/staff", headers=approver, params={"agency_code": "nb.hoalu"})
    assert asked.status_code == 200 and asked.json() == body


def test_admins_read_any_agency_and_nobody_else_reads_a_foreign_one(suite: Suite) -> None:
    admin = bearer(suite, "admin@motcua.local")
    stp = suite.api.get("/api/v1/staff", headers=admin, params={"agency_code": "NB.STP"})
    assert stp.status_code == 200, stp.text
    assert {s["full_name"] for s in stp.json()["items"]} >= {
        "Cán bộ tiếp nhận NB.STP",
        "Quản trị đơn vị NB.STP",
    }
    assert all(s["full_name"].endswith("NB.STP") for s in stp.json()["items"])
    # an admin belongs to no agency: the agency must be named
    problem(suite.api.get("/api/v1/staff", headers=admin), 422, "validation-error")
    problem(
        suite.api.get("/api/v1/staff", headers=admin, params={"agency_code": "NB HOA/LU"}),
        422,
        "validation-error",
    )

    foreign = bearer(suite, "agencyadmin.stp@motcua.local")
    problem(
        suite.api.get("/api/v1/staff", headers=foreign, params={"agency_code": "NB.HOALU"}),
        403,
        "forbidden",
    )
    assert suite.api.get("/api/v1/staff", headers=foreign).json()["agency_code"] == "NB.STP"
    auditor = bearer(suite, "thanhtra@motcua.local")
    problem(
        suite.api.get("/api/v1/staff", headers=auditor, params={"agency_code": "NB.HOALU"}),
        403,
        "forbidden",
    )
    _, citizen = suite.active_citizen("staff-reader")
    refused = suite.api.get("/api/v1/staff", headers=citizen, params={"agency_code": "NB.HOALU"})
    problem(refused, 403, "forbidden")
    problem(suite.api.get("/api/v1/staff", headers=citizen), 403, "forbidden")
    assert refused.json()["detail"] == "Bạn không có quyền thực hiện thao tác này."
    problem(
        suite.api.get("/api/v1/staff", params={"agency_code": "NB.HOALU"}), 401, "unauthenticated"
    )
