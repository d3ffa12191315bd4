"""The identity issue's "done when", through the gateway on the real engines: register,
activation email from the SMTP sink, activate, log in, refresh, change password,
forgotten password, the document wallet, and each bad path; then no secret in any
log line or event."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from aiokafka import AIOKafkaConsumer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from pymongo import MongoClient

from services.identity.adapters.signing import SigningKey
from services.identity.seed import DEMO_PASSWORD, demo_accounts, seed_demo
from services.identity.settings import IdentitySettings
from services.identity.tests.integration.suite import PASSWORD, PORTAL, Suite, start_suite
from tests.support.engines import Engines

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(scope="module")
def suite(engines: Engines, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    started = start_suite(engines, tmp_path_factory.mktemp("identity"))
    try:
        yield started
    finally:
        started.api.close()
        for process in started.processes:
            process.stop()


def _problem(response, status: int, type_: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/" + type_)
    assert response.json()["detail"]


def test_register_activate_login_refresh_change_and_reset(suite: Suite) -> None:
    api, email = suite.api, suite.email("hoa")
    registered = suite.register(email.upper().replace("@EXAMPLE.VN", "@example.vn"))
    assert registered.status_code == 201, registered.text
    _problem(suite.login(email), 403, "account-not-activated")

    # The first link arrives; an immediate resend is rate-limited, a later one is not
    # and replaces the first link.
    first = suite.link_token(suite.wait_mail(email, 1)[0], "/kich-hoat")
    assert api.post("/api/v1/auth/activation/resend", json={"email": email}).status_code == 202
    time.sleep(2.5)
    assert api.post("/api/v1/auth/activation/resend", json={"email": email}).status_code == 202
    mails = suite.wait_mail(email, 2)
    time.sleep(1)
    assert len(suite.wait_mail(email, 2)) == 2
    html = mails[0].get_body(preferencelist=("html",))
    assert html is not None and "Kích hoạt tài khoản" in html.get_content()
    assert mails[0]["Subject"] == "[Một Cửa] Kích hoạt tài khoản của bạn"
    second = suite.link_token(mails[1], "/kich-hoat")
    _problem(api.post("/api/v1/auth/activate", json={"token": first}), 400, "invalid-link-token")
    assert api.post("/api/v1/auth/activate", json={"token": second}).status_code == 200
    _problem(api.post("/api/v1/auth/activate", json={"token": second}), 400,
             "invalid-link-token")

    login = suite.login(email)
    assert login.status_code == 200, login.text
    tokens = login.json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 600
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    me = api.get("/api/v1/me", headers=bearer)
    assert me.status_code == 200, me.text
    assert me.json()["email"].lower() == email and me.json()["full_name"] == "Nguyễn Thị Hoa"
    assert "password_hash" not in me.text
    _problem(api.get("/api/v1/me"), 401, "unauthenticated")

    # Refresh rotates; presenting the replaced token again revokes the session.
    rotated = api.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert rotated.status_code == 200, rotated.text
    suite.remember(rotated.json()["access_token"], rotated.json()["refresh_token"])
    assert rotated.json()["refresh_token"] != tokens["refresh_token"]
    _problem(api.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}),
             401, "invalid-refresh-token")
    _problem(api.post("/api/v1/auth/refresh",
                      json={"refresh_token": rotated.json()["refresh_token"]}),
             401, "invalid-refresh-token")

    # Change the password: the current one is needed, other sessions end, this one stays.
    here, elsewhere = suite.login(email).json(), suite.login(email).json()
    here_bearer = {"Authorization": f"Bearer {here['access_token']}"}
    new_password = "Tràng An mùa lúa chín 2026"
    suite.remember(new_password)
    _problem(api.post("/api/v1/me/password", headers=here_bearer, json={
        "current_password": "sai mật khẩu rồi", "new_password": new_password}),
        401, "invalid-credentials")
    _problem(api.post("/api/v1/me/password", headers=here_bearer, json={
        "current_password": PASSWORD, "new_password": "12345678"}), 422, "weak-password")
    changed = api.post("/api/v1/me/password", headers=here_bearer, json={
        "current_password": PASSWORD, "new_password": new_password})
    assert changed.status_code == 204, changed.text
    _problem(api.post("/api/v1/auth/refresh", json={"refresh_token": elsewhere["refresh_token"]}),
             401, "invalid-refresh-token")
    kept = api.post("/api/v1/auth/refresh", json={"refresh_token": here["refresh_token"]})
    assert kept.status_code == 200
    suite.remember(kept.json()["refresh_token"], kept.json()["access_token"])
    _problem(suite.login(email, PASSWORD), 401, "invalid-credentials")
    assert suite.login(email, new_password).status_code == 200

    # Forgotten password: the same answer for a known and an unknown email.
    time.sleep(2.1)  # the per-account spacing of emailed links
    known = api.post("/api/v1/auth/password/forgot",
                     json={"email": email, **suite.solve_captcha()})
    unknown = api.post("/api/v1/auth/password/forgot",
                       json={"email": suite.email("nobody"), **suite.solve_captcha()})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    wrong = suite.solve_captcha()
    wrong["captcha_answer"] = str(int(wrong["captcha_answer"]) + 1)
    _problem(api.post("/api/v1/auth/password/forgot", json={"email": email, **wrong}), 400,
             "captcha-failed")
    reused = suite.solve_captcha()
    api.post("/api/v1/auth/password/forgot", json={"email": suite.email("x"), **reused})
    _problem(api.post("/api/v1/auth/password/forgot", json={"email": email, **reused}), 400,
             "captcha-failed")

    reset_mail = suite.wait_mail(email, 3)[2]
    assert reset_mail["Subject"] == "[Một Cửa] Đặt lại mật khẩu"
    reset_token = suite.link_token(reset_mail, "/dat-lai-mat-khau")
    assert PORTAL in reset_mail.get_body(preferencelist=("plain",)).get_content()
    final_password = "Cố đô Hoa Lư ngàn năm 968"
    suite.remember(final_password)
    reset = api.post("/api/v1/auth/password/reset",
                     json={"token": reset_token, "new_password": final_password})
    assert reset.status_code == 200, reset.text
    assert "access_token" not in reset.text  # no automatic login after a reset
    _problem(api.post("/api/v1/auth/password/reset",
                      json={"token": reset_token, "new_password": "Một mật khẩu khác 1"}),
             400, "invalid-link-token")
    _problem(api.post("/api/v1/auth/refresh", json={"refresh_token": kept.json()["refresh_token"]}),
             401, "invalid-refresh-token")
    _problem(suite.login(email, new_password), 401, "invalid-credentials")
    assert suite.login(email, final_password).status_code == 200


def test_an_expired_reset_link_is_refused(suite: Suite) -> None:
    email, _ = suite.active_citizen("expiry")
    time.sleep(2.1)
    assert suite.api.post("/api/v1/auth/password/forgot",
                          json={"email": email, **suite.solve_captcha()}).status_code == 202
    token = suite.link_token(suite.wait_mail(email, 2)[1], "/dat-lai-mat-khau")
    db = MongoClient(suite.engines.mongo_url, tz_aware=True)[suite.identity_db]
    past = datetime.now(UTC) - timedelta(seconds=1)
    assert db.accounts.update_one({"email_key": email},
                                  {"$set": {"reset.expires_at": past}}).modified_count == 1
    _problem(suite.api.post("/api/v1/auth/password/reset",
                            json={"token": token, "new_password": "Đêm trăng Tam Cốc 77"}),
             400, "invalid-link-token")


def test_registration_bad_paths(suite: Suite) -> None:
    email = suite.email("dup")
    assert suite.register(email).status_code == 201
    _problem(suite.register(email.upper()), 409, "email-taken")
    _problem(suite.register(suite.email("short"), password="ngắn7"), 422, "weak-password")
    common = suite.register(suite.email("common"), password="password123")
    _problem(common, 422, "weak-password")
    assert common.json()["reason"] == "common"
    assert suite.register(suite.email("long"), password="x" * 64 + " dài").status_code == 201
    _problem(suite.register(suite.email("cccd"), national_id="037190000"), 422,
             "validation-error")
    _problem(suite.register(suite.email("year"), national_id="037185000123"), 422,
             "validation-error")
    _problem(suite.register(suite.email("org"), kind="organisation", organisation={
        "tax_code": "0100109105", "name": "Công ty TNHH Tràng An", "address": "Ninh Bình",
        "representative": "Trần Văn Bình"}), 422, "validation-error")
    org = suite.register(suite.email("org"), kind="organisation", organisation={
        "tax_code": "0100109106", "name": "Công ty TNHH Tràng An", "address": "Ninh Bình",
        "representative": "Trần Văn Bình"})
    assert org.status_code == 201, org.text
    _problem(suite.register(suite.email("officer"), kind="officer"), 422, "validation-error")
    _problem(suite.api.post("/api/v1/auth/activate", json={"token": "x" * 43}), 400,
             "invalid-link-token")


def test_wrong_passwords_are_throttled_then_the_account_is_locked(suite: Suite) -> None:
    email, _ = suite.active_citizen("throttle")
    for _ in range(2):  # the free failures
        _problem(suite.login(email, "không phải mật khẩu"), 401, "invalid-credentials")
    _problem(suite.login(email, "không phải mật khẩu"), 401, "invalid-credentials")
    throttled = suite.login(email, PASSWORD)  # even the right password must wait
    _problem(throttled, 429, "login-throttled")
    assert int(throttled.headers["Retry-After"]) >= 1
    time.sleep(1.2)
    _problem(suite.login(email, "không phải mật khẩu"), 401, "invalid-credentials")
    locked = suite.login(email, PASSWORD)
    _problem(locked, 429, "account-locked")
    assert 60 < int(locked.headers["Retry-After"]) <= 120


def test_failed_logins_are_limited_per_client_address(suite: Suite) -> None:
    """Straight to identity (as the gateway on loopback would forward): the address is the
    last X-Forwarded-For entry, and 50 failures from it within 15 minutes close it."""
    identity = next(p for p in suite.processes if p.module == "services.identity")
    with httpx.Client(base_url=identity.url, timeout=30) as direct:
        def attempt(address: str) -> httpx.Response:
            return direct.post("/api/v1/auth/login", headers={
                "X-Forwarded-For": f"10.0.0.1, {address}"},
                json={"email": suite.email("ghost"), "password": "đoán bừa mật khẩu"})

        statuses = [attempt("198.51.100.7").status_code for _ in range(50)]
        assert statuses == [401] * 50
        _problem(attempt("198.51.100.7"), 429, "too-many-requests")
        _problem(attempt("198.51.100.8"), 401, "invalid-credentials")


def _signed(key: Ed25519PrivateKey, kid: str, **claims: object) -> str:
    now = int(time.time())
    body = {"iss": "motcua-identity", "aud": "motcua", "sub": "x", "iat": now, "nbf": now,
            "exp": now + 300, "role": "admin", **claims}
    return jwt.encode(body, key, algorithm="EdDSA", headers={"kid": kid, "typ": "at+jwt"})


def test_tokens_signed_by_another_key_or_expired_are_refused(suite: Suite) -> None:
    _, bearer = suite.active_citizen("tokens")
    me = suite.api.get("/api/v1/me", headers=bearer).json()
    real = Path(next((suite.state / "identity" / "keys").glob("*.pem")))
    key = load_pem_private_key(real.read_bytes(), None)
    assert isinstance(key, Ed25519PrivateKey)
    kid = SigningKey.of(key).kid
    jwks = suite.api.get("/api/v1/.well-known/jwks.json").json()
    assert [k["kid"] for k in jwks["keys"]] == [kid] and "d" not in jwks["keys"][0]
    forged = _signed(Ed25519PrivateKey.generate(), kid, sub=me["id"])
    _problem(suite.api.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"}), 401,
             "invalid-token")
    expired = _signed(key, kid, sub=me["id"], role="citizen", exp=int(time.time()) - 60)
    _problem(suite.api.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"}), 401,
             "invalid-token")
    fresh = _signed(key, kid, sub=me["id"], role="citizen")
    assert suite.api.get("/api/v1/me",
                         headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_document_wallet_keeps_files_and_hides_them_from_others(suite: Suite) -> None:
    api = suite.api
    _, owner = suite.active_citizen("wallet")
    _, other = suite.active_citizen("other")
    added = api.post("/api/v1/me/documents", headers=owner, data={
        "type": "cccd", "number": "037190000123", "issued_on": "2021-06-01",
        "issuer": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
    }, files={"file": ("căn cước.pdf", PDF, "application/pdf")})
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
        _problem(response, 404, "not-found")
    assert api.get("/api/v1/me/documents", headers=other).json()["items"] == []

    exe = api.post("/api/v1/me/documents", headers=owner, data={"type": "cccd", "number": "1"},
                   files={"file": ("x.pdf", b"MZ\x90\x00" + bytes(60), "application/pdf")})
    _problem(exe, 415, "file-type-not-allowed")
    assert api.delete(f"/api/v1/me/documents/{doc['id']}", headers=owner).status_code == 204
    assert api.get("/api/v1/me/documents", headers=owner).json()["items"] == []


def test_organisation_profile_is_kept_and_logout_ends_the_session(suite: Suite) -> None:
    api, email = suite.api, suite.email("congty")
    unit = {"tax_code": "0100109106", "name": "Công ty TNHH Du lịch Tràng An",
            "address": "Phường Hoa Lư, tỉnh Ninh Bình", "representative": "Trần Văn Bình"}
    assert suite.register(email, kind="organisation", organisation=unit).status_code == 201
    token = suite.link_token(suite.wait_mail(email, 1)[0], "/kich-hoat")
    assert api.post("/api/v1/auth/activate", json={"token": token}).status_code == 200
    tokens = suite.login(email).json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    me = api.get("/api/v1/me", headers=bearer).json()
    assert me["organisation"] == unit

    # notify keeps the account's email for the emails of other contexts.
    accounts = MongoClient(suite.engines.mongo_url)[f"{suite.prefix}_notify"].accounts
    deadline = time.monotonic() + 30
    while (accounts.find_one({"_id": me["id"], "status": "active"}) is None
           and time.monotonic() < deadline):
        time.sleep(0.3)
    projected = accounts.find_one({"_id": me["id"]})
    assert projected is not None and projected["status"] == "active"
    assert (projected["email"], projected["kind"]) == (email, "organisation")

    # "Sửa thông tin đơn vị": kept for the next dossier forms.
    changed = api.patch("/api/v1/me", headers=bearer, json={"organisation": {
        **unit, "address": "Phường Nam Định, tỉnh Ninh Bình"}, "phone": "0987 654 321"})
    assert changed.status_code == 200, changed.text
    me = api.get("/api/v1/me", headers=bearer).json()
    assert me["organisation"]["address"] == "Phường Nam Định, tỉnh Ninh Bình"
    assert me["phone"] == "0987654321"
    _problem(api.patch("/api/v1/me", headers=bearer, json={"organisation": {
        **unit, "tax_code": "0100109105"}}), 422, "validation-error")

    assert api.post("/api/v1/auth/logout",
                    json={"refresh_token": tokens["refresh_token"]}).status_code == 204
    _problem(api.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}),
             401, "invalid-refresh-token")


def test_demo_seed_and_staff_accounts_carry_agency_and_roles(suite: Suite) -> None:
    settings = IdentitySettings(mongo_url=suite.engines.mongo_url,
                                mongo_database=suite.identity_db,
                                data_dir=suite.state / "identity")
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
    created = suite.api.post("/api/v1/admin/accounts", headers=as_admin, json={
        "kind": "officer", "email": email, "full_name": "Phạm Văn Tiếp", "password":
        officer_password, "agency_code": "NB.HOALU", "officer_roles": ["receiver", "processor"]})
    assert created.status_code == 201, created.text
    login = suite.login(email, officer_password)
    assert login.status_code == 200, login.text
    claims = jwt.decode(login.json()["access_token"], options={"verify_signature": False})
    assert (claims["role"], claims["agency"], claims["officer_roles"]) == (
        "officer", "NB.HOALU", ["processor", "receiver"])
    me = suite.api.get("/api/v1/me",
                       headers={"Authorization": f"Bearer {login.json()['access_token']}"})
    assert me.json()["agency_code"] == "NB.HOALU" and me.json()["kind"] == "officer"

    agency_admin = suite.login("agencyadmin.stp@motcua.local", DEMO_PASSWORD).json()
    as_agency_admin = {"Authorization": f"Bearer {agency_admin['access_token']}"}
    staff = {"kind": "officer", "full_name": "Lê Thị Xử", "password": officer_password,
             "officer_roles": ["processor"]}
    own = suite.api.post("/api/v1/admin/accounts", headers=as_agency_admin,
                         json={**staff, "email": suite.email("stp"), "agency_code": "NB.STP"})
    assert own.status_code == 201, own.text
    _problem(suite.api.post("/api/v1/admin/accounts", headers=as_agency_admin, json={
        **staff, "email": suite.email("hl"), "agency_code": "NB.HOALU"}), 403, "forbidden")
    _, citizen = suite.active_citizen("not-admin")
    _problem(suite.api.post("/api/v1/admin/accounts", headers=citizen, json={
        **staff, "email": suite.email("c"), "agency_code": "NB.STP"}), 403, "forbidden")


async def _identity_events(bootstrap: str, topic: str) -> list[bytes]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    found: list[bytes] = []
    try:
        while batch := await consumer.getmany(timeout_ms=3000):
            found.extend(r.value for records in batch.values() for r in records)
    finally:
        await consumer.stop()
    return found


def test_no_password_token_or_hash_in_logs_or_events(suite: Suite) -> None:
    """Runs last: every secret the tests above used must appear nowhere. It makes its
    own register/activate/login/refresh/reset round first, so it also checks on its own."""
    email, _ = suite.active_citizen("secrets")
    refreshed = suite.api.post("/api/v1/auth/refresh", json={
        "refresh_token": suite.login(email).json()["refresh_token"]})
    suite.remember(refreshed.json()["refresh_token"], refreshed.json()["access_token"])
    time.sleep(2.1)
    suite.api.post("/api/v1/auth/password/forgot", json={"email": email,
                                                         **suite.solve_captcha()})
    reset_token = suite.link_token(suite.wait_mail(email, 2)[1], "/dat-lai-mat-khau")
    suite.remember("Mật khẩu mới sau khi quên 42")
    assert suite.api.post("/api/v1/auth/password/reset", json={
        "token": reset_token, "new_password": "Mật khẩu mới sau khi quên 42"}).status_code == 200
    db = MongoClient(suite.engines.mongo_url, tz_aware=True)[suite.identity_db]
    hashes = {a["password_hash"] for a in db.accounts.find({}, {"password_hash": 1})}
    for session in db.sessions.find():
        hashes.add(session["token_hash"])
        hashes.update(session["previous_hashes"])
    assert len(suite.secrets) >= 7 and len(hashes) >= 3
    time.sleep(1)  # the relay publishes within a fraction of a second
    events = asyncio.run(_identity_events(suite.engines.kafka_bootstrap_servers,
                                          f"{suite.prefix}.motcua.identity.events"))
    assert len(events) >= 5
    text = {"events": b"\n".join(events).decode()}
    for process in suite.processes:
        text[process.module] = process.log_path.read_text(errors="replace")
    assert "vn.motcua.identity.account_registered" in text["events"]
    for name, content in text.items():
        assert "$argon2" not in content, name
        for secret in suite.secrets | hashes:
            assert secret not in content, f"a secret leaked into {name}"
