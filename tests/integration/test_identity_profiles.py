"""Through the gateway on the real engines: the personal document wallet, the
organisation profile, logout, staff accounts and the demo seed; then no secret in any
log line or event."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import jwt
import pytest

from services.identity.entrypoints.seed import DEMO_PASSWORD, demo_accounts, seed_demo
from services.identity.tests.integration.suite import (
    Suite,
    assert_no_secrets,
    events_of,
    problem,
    start_suite,
)
from services.notify.tests.integration.support import NotifyStore
from tests.support.engines import Engines

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(scope="module")
def suite(engines: Engines, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    started = start_suite(engines, tmp_path_factory.mktemp("identity"))
    try:
        yield started
    finally:
        started.stop()
        NotifyStore(engines.postgres_dsn, f"{started.prefix}_notify").drop()


def test_document_wallet_keeps_files_and_hides_them_from_others(suite: Suite) -> None:
    api = suite.api
    _, owner = suite.active_citizen("wallet")
    _, other = suite.active_citizen("other")
    added = api.post(
        "/api/v1/me/documents",
        headers=owner,
        data={
            "type": "cccd",
            "number": "037190000123",
            "issued_on": "2021-06-01",
            "issuer": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
        },
        files={"file": ("căn cước.pdf", PDF, "application/pdf")},
    )
    assert added.status_code == 201, added.text
    doc = added.json()
    assert doc["file"]["content_type"] == "application/pdf"
    assert doc["file"]["size"] == len(PDF)
    listed = api.get("/api/v1/me/documents", headers=owner).json()["items"]
    assert [d["id"] for d in listed] == [doc["id"]]
    file = api.get(f"/api/v1/me/documents/{doc['id']}/file", headers=owner)
    assert file.status_code == 200 and file.content == PDF

    for method, path in (("GET", ""), ("GET", "/file"), ("DELETE", "")):
        response = api.request(method, f"/api/v1/me/documents/{doc['id']}{path}", headers=other)
        problem(response, 404, "not-found")
    assert api.get("/api/v1/me/documents", headers=other).json()["items"] == []

    exe = api.post(
        "/api/v1/me/documents",
        headers=owner,
        data={"type": "cccd", "number": "1"},
        files={"file": ("x.pdf", b"MZ\x90\x00" + bytes(60), "application/pdf")},
    )
    problem(exe, 415, "file-type-not-allowed")
    assert api.delete(f"/api/v1/me/documents/{doc['id']}", headers=owner).status_code == 204
    assert api.get("/api/v1/me/documents", headers=owner).json()["items"] == []


def test_organisation_profile_is_kept_and_logout_ends_the_session(suite: Suite) -> None:
    api, email = suite.api, suite.email("congty")
    unit = {
        "tax_code": "0100109106",
        "name": "Công ty TNHH Du lịch Tràng An",
        "address": "Phường Hoa Lư, tỉnh Ninh Bình",
        "representative": "Trần Văn Bình",
    }
    assert suite.register(email, kind="organisation", organisation=unit).status_code == 201
    token = suite.link_token(suite.wait_mail(email, 1)[0], "/kich-hoat")
    assert api.post("/api/v1/auth/activate", json={"token": token}).status_code == 200
    tokens = suite.login(email).json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    me = api.get("/api/v1/me", headers=bearer).json()
    assert me["organisation"] == unit

    # notify keeps the account's email for the emails of other contexts.
    accounts = NotifyStore(suite.engines.postgres_dsn, f"{suite.prefix}_notify")
    deadline = time.monotonic() + 30
    while (
        accounts.find_one("accounts", id=me["id"], status="active") is None
        and time.monotonic() < deadline
    ):
        time.sleep(0.3)
    projected = accounts.find_one("accounts", id=me["id"])
    assert projected is not None and projected["status"] == "active"
    assert (projected["email"], projected["kind"]) == (email, "organisation")

    # "Sửa thông tin đơn vị": kept for the next dossier forms.
    changed = api.patch(
        "/api/v1/me",
        headers=bearer,
        json={
            "organisation": {**unit, "address": "Phường Nam Định, tỉnh Ninh Bình"},
            "phone": "0987 654 321",
        },
    )
    assert changed.status_code == 200, changed.text
    me = api.get("/api/v1/me", headers=bearer).json()
    assert me["organisation"]["address"] == "Phường Nam Định, tỉnh Ninh Bình"
    assert me["phone"] == "0987654321"
    problem(
        api.patch(
            "/api/v1/me", headers=bearer, json={"organisation": {**unit, "tax_code": "0100109105"}}
        ),
        422,
        "validation-error",
    )

    assert (
        api.post("/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}).status_code
        == 204
    )
    problem(
        api.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}),
        401,
        "invalid-refresh-token",
    )


def test_demo_seed_and_staff_accounts_carry_agency_and_roles(suite: Suite) -> None:
    settings = suite.settings()
    first = asyncio.run(seed_demo(settings))
    assert first.startswith(f"{len(demo_accounts())} demo account(s) created")
    assert asyncio.run(seed_demo(settings)).startswith("0 demo account(s) created")
    suite.remember(DEMO_PASSWORD)

    admin = suite.login("admin@motcua.local", DEMO_PASSWORD)
    assert admin.status_code == 200, admin.text
    as_admin = {"Authorization": f"Bearer {admin.json()['access_token']}"}
    email = suite.email("officer")
    officer_password = "Cán bộ một cửa Hoa Lư 1"
    suite.remember(officer_password)
    created = suite.api.post(
        "/api/v1/admin/accounts",
        headers=as_admin,
        json={
            "kind": "officer",
            "email": email,
            "full_name": "Phạm Văn Tiếp",
            "password": officer_password,
            "agency_code": "NB.HOALU",
            "officer_roles": ["receiver", "processor"],
        },
    )
    assert created.status_code == 201, created.text
    login = suite.login(email, officer_password)
    assert login.status_code == 200, login.text
    claims = jwt.decode(login.json()["access_token"], options={"verify_signature": False})
    assert (claims["role"], claims["agency"], claims["officer_roles"]) == (
        "officer",
        "NB.HOALU",
        ["processor", "receiver"],
    )
    me = suite.api.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
    )
    assert me.json()["agency_code"] == "NB.HOALU" and me.json()["kind"] == "officer"

    agency_admin = suite.login("agencyadmin.stp@motcua.local", DEMO_PASSWORD).json()
    as_agency_admin = {"Authorization": f"Bearer {agency_admin['access_token']}"}
    staff = {
        "kind": "officer",
        "full_name": "Lê Thị Xử",
        "password": officer_password,
        "officer_roles": ["processor"],
    }
    own = suite.api.post(
        "/api/v1/admin/accounts",
        headers=as_agency_admin,
        json={**staff, "email": suite.email("stp"), "agency_code": "NB.STP"},
    )
    assert own.status_code == 201, own.text
    problem(
        suite.api.post(
            "/api/v1/admin/accounts",
            headers=as_agency_admin,
            json={**staff, "email": suite.email("hl"), "agency_code": "NB.HOALU"},
        ),
        403,
        "forbidden",
    )
    _, citizen = suite.active_citizen("not-admin")
    problem(
        suite.api.post(
            "/api/v1/admin/accounts",
            headers=citizen,
            json={**staff, "email": suite.email("c"), "agency_code": "NB.STP"},
        ),
        403,
        "forbidden",
    )


def test_disabling_an_account_ends_its_sessions_until_it_is_enabled(suite: Suite) -> None:
    api = suite.api
    asyncio.run(seed_demo(suite.settings()))  # idempotent: the admins below
    password = "Cán bộ sắp nghỉ việc 1"
    suite.remember(password)
    admin = suite.login("admin@motcua.local", DEMO_PASSWORD).json()
    as_admin = {"Authorization": f"Bearer {admin['access_token']}"}
    email = suite.email("leaving")
    created = api.post(
        "/api/v1/admin/accounts",
        headers=as_admin,
        json={
            "kind": "officer",
            "email": email,
            "full_name": "Đỗ Văn Nghỉ",
            "password": password,
            "agency_code": "NB.STP",
            "officer_roles": ["processor"],
        },
    )
    assert created.status_code == 201, created.text
    officer_id = created.json()["id"]
    session = suite.login(email, password).json()
    disable = f"/api/v1/admin/accounts/{officer_id}/disable"
    enable = f"/api/v1/admin/accounts/{officer_id}/enable"
    reason = {"reason": "Chuyển công tác sang đơn vị khác"}

    # Who may: not the officer, not a citizen, not another agency's admin (who does not
    # even learn the account exists); a reason is required.
    as_officer = {"Authorization": f"Bearer {session['access_token']}"}
    problem(api.post(disable, headers=as_officer, json=reason), 403, "forbidden")
    _, citizen = suite.active_citizen("disabler")
    problem(api.post(disable, headers=citizen, json=reason), 403, "forbidden")
    hoalu_admin = _agency_admin(suite, "NB.HOALU")
    problem(api.post(disable, headers=hoalu_admin, json=reason), 404, "not-found")
    problem(api.post(disable, headers=as_admin, json={"reason": " "}), 422, "validation-error")
    problem(
        api.post(
            f"/api/v1/admin/accounts/{admin_id(admin)}/disable", headers=as_admin, json=reason
        ),
        403,
        "forbidden",
    )

    stp_admin = suite.login("agencyadmin.stp@motcua.local", DEMO_PASSWORD).json()
    as_stp_admin = {"Authorization": f"Bearer {stp_admin['access_token']}"}
    done = api.post(disable, headers=as_stp_admin, json=reason)
    assert done.status_code == 200 and done.json()["status"] == "disabled", done.text
    problem(suite.login(email, password), 403, "account-disabled")
    problem(
        api.post("/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]}),
        401,
        "invalid-refresh-token",
    )
    staff = api.get("/api/v1/staff", headers=as_stp_admin).json()["items"]
    assert [s["active"] for s in staff if s["id"] == officer_id] == [False]
    # Asked twice, recorded once.
    assert api.post(disable, headers=as_admin, json=reason).json()["status"] == "disabled"

    again = api.post(enable, headers=as_admin, json={"reason": "Trở lại làm việc"})
    assert again.status_code == 200 and again.json()["status"] == "active", again.text
    assert suite.login(email, password).status_code == 200

    changes = [
        (e.type.rsplit(".", 1)[-1], e.data.get("reason"), e.actor.id)
        for e in events_of(suite, officer_id)
    ]
    assert changes[-2:] == [
        ("account_disabled", reason["reason"], stp_admin_id(stp_admin)),
        ("account_enabled", "Trở lại làm việc", admin_id(admin)),
    ]


def admin_id(tokens: dict[str, str]) -> str:
    return str(jwt.decode(tokens["access_token"], options={"verify_signature": False})["sub"])


stp_admin_id = admin_id


def _agency_admin(suite: Suite, agency: str) -> dict[str, str]:
    """A fresh agency admin of ``agency``, created by the system admin."""
    admin = suite.login("admin@motcua.local", DEMO_PASSWORD).json()
    password = "Quản trị đơn vị khác 1"
    suite.remember(password)
    email = suite.email(f"aa-{agency.lower()}")
    created = suite.api.post(
        "/api/v1/admin/accounts",
        headers={"Authorization": f"Bearer {admin['access_token']}"},
        json={
            "kind": "officer",
            "email": email,
            "full_name": "Quản Trị Viên",
            "password": password,
            "agency_code": agency,
            "officer_roles": ["agency_admin"],
        },
    )
    assert created.status_code == 201, created.text
    return {"Authorization": f"Bearer {suite.login(email, password).json()['access_token']}"}


def test_authorisation_matrix_of_identity_routes(suite: Suite) -> None:
    """Every identity route that needs a caller, with every kind of caller."""
    api = suite.api
    asyncio.run(seed_demo(suite.settings()))  # idempotent: the staff callers below
    _, citizen = suite.active_citizen("matrix")
    callers: dict[str, dict[str, str] | None] = {"anonymous": None, "citizen": citizen}
    for kind, email in (
        ("officer", "receiver.hoalu@motcua.local"),
        ("auditor", "thanhtra@motcua.local"),
        ("admin", "admin@motcua.local"),
    ):
        token = suite.login(email, DEMO_PASSWORD).json()["access_token"]
        callers[kind] = {"Authorization": f"Bearer {token}"}
    staff = {"kind": "auditor", "full_name": "Kiểm tra viên", "password": "Kiểm tra ma trận 1"}
    expected = {  # route -> status per caller: anonymous, citizen, officer, auditor, admin
        ("GET", "/api/v1/me"): (401, 200, 200, 200, 200),
        ("GET", "/api/v1/me/documents"): (401, 200, 403, 403, 403),
        ("GET", "/api/v1/me/documents/00000000-0000-0000-0000-000000000000"): (
            401,
            404,
            403,
            403,
            403,
        ),
        ("POST", "/api/v1/admin/accounts"): (401, 403, 403, 403, 201),
        ("GET", "/api/v1/staff?agency_code=NB.HOALU"): (401, 403, 200, 403, 200),
        ("GET", "/api/v1/staff?agency_code=NB.PHULY"): (401, 403, 403, 403, 200),
    }
    for (method, path), statuses in expected.items():
        for (name, headers), status in zip(callers.items(), statuses, strict=True):
            body = {**staff, "email": suite.email(name)} if method == "POST" else None
            response = api.request(method, path, headers=headers, json=body)
            assert response.status_code == status, (method, path, name, response.text)


def test_no_password_token_or_hash_in_logs_or_events(suite: Suite) -> None:
    """Runs last in this module."""
    assert_no_secrets(suite)
