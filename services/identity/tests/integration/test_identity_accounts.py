"""The identity issue's "done when", through the gateway on the real engines: register,
activation email from the SMTP sink, activate, log in, refresh, change password,
forgotten password, the document wallet, and each bad path; then no secret in any
log line or event."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from services.identity.adapters.signing import SigningKey
from services.identity.tests.integration.suite import (
    PASSWORD,
    PORTAL,
    Suite,
    assert_no_secrets,
    problem,
    start_suite,
)
from tests.support.engines import Engines

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def suite(engines: Engines, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    started = start_suite(engines, tmp_path_factory.mktemp("identity"))
    try:
        yield started
    finally:
        started.stop()


def test_register_activate_login_refresh_change_and_reset(suite: Suite) -> None:
    api, email = suite.api, suite.email("hoa")
    registered = suite.register(email.upper().replace("@EXAMPLE.VN", "@example.vn"))
    assert registered.status_code == 201, registered.text
    # Only the right password learns that the account waits for activation: a wrong one
    # gets the answer an unknown email gets.
    problem(suite.login(email, "Sai-mat-khau-9"), 401, "invalid-credentials")
    problem(suite.login(suite.email("nobody")), 401, "invalid-credentials")
    problem(suite.login(email), 403, "account-not-activated")

    # The first link arrives; an immediate resend is rate-limited, a later one is not
    # and replaces the first link.
    first = suite.link_token(suite.wait_mail(email, 1)[0], "/kich-hoat")
    assert api.post("/api/v1/auth/activation/resend", json={"email": email}).status_code == 202
    time.sleep(6.5)
    assert api.post("/api/v1/auth/activation/resend", json={"email": email}).status_code == 202
    mails = suite.wait_mail(email, 2)
    time.sleep(1)
    assert len(suite.wait_mail(email, 2)) == 2
    html = mails[0].get_body(preferencelist=("html",))
    assert html is not None and "Kích hoạt tài khoản" in html.get_content()
    assert mails[0]["Subject"] == "[Một Cửa] Kích hoạt tài khoản của bạn"
    second = suite.link_token(mails[1], "/kich-hoat")
    problem(api.post("/api/v1/auth/activate", json={"token": first}), 400, "invalid-link-token")
    assert api.post("/api/v1/auth/activate", json={"token": second}).status_code == 200
    problem(api.post("/api/v1/auth/activate", json={"token": second}), 400, "invalid-link-token")

    login = suite.login(email)
    assert login.status_code == 200, login.text
    tokens = login.json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 600
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    me = api.get("/api/v1/me", headers=bearer)
    assert me.status_code == 200, me.text
    assert me.json()["email"].lower() == email and me.json()["full_name"] == "Nguyễn Thị Hoa"
    assert "password_hash" not in me.text
    problem(api.get("/api/v1/me"), 401, "unauthenticated")

    # Refresh rotates; presenting the replaced token again revokes the session.
    rotated = api.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert rotated.status_code == 200, rotated.text
    suite.remember(rotated.json()["access_token"], rotated.json()["refresh_token"])
    assert rotated.json()["refresh_token"] != tokens["refresh_token"]
    problem(
        api.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}),
        401,
        "invalid-refresh-token",
    )
    problem(
        api.post("/api/v1/auth/refresh", json={"refresh_token": rotated.json()["refresh_token"]}),
        401,
        "invalid-refresh-token",
    )

    # Change the password: the current one is needed, other sessions end, this one stays.
    here, elsewhere = suite.login(email).json(), suite.login(email).json()
    here_bearer = {"Authorization": f"Bearer {here['access_token']}"}
    new_password = "Tràng An mùa lúa chín 2026"
    suite.remember(new_password)
    problem(
        api.post(
            "/api/v1/me/password",
            headers=here_bearer,
            json={"current_password": "sai mật khẩu rồi", "new_password": new_password},
        ),
        401,
        "invalid-credentials",
    )
    problem(
        api.post(
            "/api/v1/me/password",
            headers=here_bearer,
            json={"current_password": PASSWORD, "new_password": "12345678"},
        ),
        422,
        "weak-password",
    )
    changed = api.post(
        "/api/v1/me/password",
        headers=here_bearer,
        json={"current_password": PASSWORD, "new_password": new_password},
    )
    assert changed.status_code == 204, changed.text
    problem(
        api.post("/api/v1/auth/refresh", json={"refresh_token": elsewhere["refresh_token"]}),
        401,
        "invalid-refresh-token",
    )
    kept = api.post("/api/v1/auth/refresh", json={"refresh_token": here["refresh_token"]})
    assert kept.status_code == 200
    suite.remember(kept.json()["refresh_token"], kept.json()["access_token"])
    problem(suite.login(email, PASSWORD), 401, "invalid-credentials")
    assert suite.login(email, new_password).status_code == 200

    # Forgotten password: the same answer for a known and an unknown email.
    time.sleep(6.1)  # the per-account spacing of emailed links
    spoofed = {"Host": "attacker.example", "X-Forwarded-Host": "attacker.example"}
    known = api.post(
        "/api/v1/auth/password/forgot",
        headers=spoofed,
        json={"email": email, **suite.solve_captcha()},
    )
    unknown = api.post(
        "/api/v1/auth/password/forgot",
        json={"email": suite.email("nobody"), **suite.solve_captcha()},
    )
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    wrong = suite.solve_captcha()
    wrong["captcha_answer"] = str(int(wrong["captcha_answer"]) + 1)
    problem(
        api.post("/api/v1/auth/password/forgot", json={"email": email, **wrong}),
        400,
        "captcha-failed",
    )
    reused = suite.solve_captcha()
    api.post("/api/v1/auth/password/forgot", json={"email": suite.email("x"), **reused})
    problem(
        api.post("/api/v1/auth/password/forgot", json={"email": email, **reused}),
        400,
        "captcha-failed",
    )

    reset_mail = suite.wait_mail(email, 3)[2]
    assert reset_mail["Subject"] == "[Một Cửa] Đặt lại mật khẩu"
    reset_token = suite.link_token(reset_mail, "/dat-lai-mat-khau")
    reset_body = reset_mail.get_body(preferencelist=("plain",))
    assert reset_body is not None
    reset_text = reset_body.get_content()
    assert PORTAL in reset_text and "attacker.example" not in reset_text
    final_password = "Cố đô Hoa Lư ngàn năm 968"
    suite.remember(final_password)
    reset = api.post(
        "/api/v1/auth/password/reset", json={"token": reset_token, "new_password": final_password}
    )
    assert reset.status_code == 200, reset.text
    assert "access_token" not in reset.text  # no automatic login after a reset
    problem(
        api.post(
            "/api/v1/auth/password/reset",
            json={"token": reset_token, "new_password": "Một mật khẩu khác 1"},
        ),
        400,
        "invalid-link-token",
    )
    problem(
        api.post("/api/v1/auth/refresh", json={"refresh_token": kept.json()["refresh_token"]}),
        401,
        "invalid-refresh-token",
    )
    problem(suite.login(email, new_password), 401, "invalid-credentials")
    assert suite.login(email, final_password).status_code == 200


def test_an_expired_reset_link_is_refused(suite: Suite) -> None:
    email, _ = suite.active_citizen("expiry")
    time.sleep(6.1)
    assert (
        suite.api.post(
            "/api/v1/auth/password/forgot", json={"email": email, **suite.solve_captcha()}
        ).status_code
        == 202
    )
    token = suite.link_token(suite.wait_mail(email, 2)[1], "/dat-lai-mat-khau")
    past = datetime.now(UTC) - timedelta(seconds=1)
    with suite.db() as db:
        assert (
            db.execute(
                "UPDATE accounts SET reset_expires_at = %s WHERE email_key = %s", (past, email)
            ).rowcount
            == 1
        )
    problem(
        suite.api.post(
            "/api/v1/auth/password/reset",
            json={"token": token, "new_password": "Đêm trăng Tam Cốc 77"},
        ),
        400,
        "invalid-link-token",
    )


def test_registration_bad_paths(suite: Suite) -> None:
    email = suite.email("dup")
    assert suite.register(email).status_code == 201
    assert suite.register(email.upper()).status_code == 201  # see test_a_taken_email_…
    problem(suite.register(suite.email("short"), password="ngắn7"), 422, "weak-password")
    common = suite.register(suite.email("common"), password="password123")
    problem(common, 422, "weak-password")
    assert common.json()["reason"] == "common"
    assert suite.register(suite.email("long"), password="x" * 64 + " dài").status_code == 201
    problem(suite.register(suite.email("cccd"), national_id="037190000"), 422, "validation-error")
    problem(
        suite.register(suite.email("year"), national_id="037185000123"), 422, "validation-error"
    )
    problem(
        suite.register(
            suite.email("org"),
            kind="organisation",
            organisation={
                "tax_code": "0100109105",
                "name": "Công ty TNHH Tràng An",
                "address": "Ninh Bình",
                "representative": "Trần Văn Bình",
            },
        ),
        422,
        "validation-error",
    )
    org = suite.register(
        suite.email("org"),
        kind="organisation",
        organisation={
            "tax_code": "0100109106",
            "name": "Công ty TNHH Tràng An",
            "address": "Ninh Bình",
            "representative": "Trần Văn Bình",
        },
    )
    assert org.status_code == 201, org.text
    problem(suite.register(suite.email("officer"), kind="officer"), 422, "validation-error")
    problem(
        suite.api.post("/api/v1/auth/activate", json={"token": "x" * 43}), 400, "invalid-link-token"
    )


def test_a_taken_email_answers_like_a_new_one_and_its_owner_is_emailed(suite: Suite) -> None:
    email, _ = suite.active_citizen("taken")
    time.sleep(6.1)  # the per-account spacing of emailed links
    fresh, taken = suite.register(suite.email("fresh")), suite.register(email.upper())
    assert fresh.status_code == taken.status_code == 201
    assert fresh.json().keys() == taken.json().keys()
    assert {k: v for k, v in fresh.json().items() if k != "id"} == {
        k: v for k, v in taken.json().items() if k != "id"
    }
    notice = suite.wait_mail(email, 2)[1]
    assert notice["Subject"] == "[Một Cửa] Có người đăng ký tài khoản bằng địa chỉ thư của bạn"
    body = notice.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "dùng địa chỉ thư điện tử này để đăng ký tài khoản mới" in text
    assert f"{PORTAL}/dang-nhap" in text and f"{PORTAL}/quen-mat-khau" in text
    problem(suite.login(email, "một mật khẩu khác hẳn"), 401, "invalid-credentials")
    assert suite.login(email).status_code == 200  # the account is untouched


def test_wrong_passwords_are_throttled_then_the_account_is_locked(suite: Suite) -> None:
    email, _ = suite.active_citizen("throttle")
    for _ in range(2):  # the free failures
        problem(suite.login(email, "không phải mật khẩu"), 401, "invalid-credentials")
    problem(suite.login(email, "không phải mật khẩu"), 401, "invalid-credentials")
    throttled = suite.login(email, PASSWORD)  # even the right password must wait
    problem(throttled, 429, "login-throttled")
    assert int(throttled.headers["Retry-After"]) >= 1
    time.sleep(1.2)
    problem(suite.login(email, "không phải mật khẩu"), 401, "invalid-credentials")
    locked = suite.login(email, PASSWORD)
    problem(locked, 429, "account-locked")
    assert 60 < int(locked.headers["Retry-After"]) <= 120


def test_failed_logins_are_limited_per_client_address(suite: Suite) -> None:
    """Straight to identity (as the gateway on loopback would forward): the address is the
    last X-Forwarded-For entry, and 50 failures from it within 15 minutes close it."""
    identity = next(p for p in suite.processes if p.module == "services.identity")
    with httpx.Client(base_url=identity.url, timeout=30) as direct:

        def attempt(address: str) -> httpx.Response:
            return direct.post(
                "/api/v1/auth/login",
                headers={"X-Forwarded-For": f"10.0.0.1, {address}"},
                json={"email": suite.email("ghost"), "password": "đoán bừa mật khẩu"},
            )

        statuses = [attempt("198.51.100.7").status_code for _ in range(50)]
        assert statuses == [401] * 50
        problem(attempt("198.51.100.7"), 429, "too-many-requests")
        problem(attempt("198.51.100.8"), 401, "invalid-credentials")


def test_link_requests_are_limited_per_email_and_the_refusal_says_when(suite: Suite) -> None:
    """Five activation-link requests per email and hour: the sixth is refused for the
    rest of the hour, in Vietnamese; another email from the same address still passes."""
    identity = next(p for p in suite.processes if p.module == "services.identity")
    with httpx.Client(base_url=identity.url, timeout=30) as direct:

        def resend(email: str) -> httpx.Response:
            return direct.post(
                "/api/v1/auth/activation/resend",
                headers={"X-Forwarded-For": "198.51.100.20"},
                json={"email": email},
            )

        email = suite.email("resend")
        assert [resend(email).status_code for _ in range(5)] == [202] * 5
        started = time.monotonic()
        refused = resend(email.upper())
        problem(refused, 429, "too-many-requests")
        assert 3600 - (time.monotonic() - started) - 60 < int(refused.headers["Retry-After"])
        assert int(refused.headers["Retry-After"]) <= 3600
        detail = refused.json()["detail"]
        assert detail.startswith("Bạn đã thử quá nhiều lần. Vui lòng thử lại sau ")
        assert " phút (lúc " in detail
        assert resend(suite.email("neighbour")).status_code == 202


def _signed(key: Ed25519PrivateKey, kid: str, **claims: object) -> str:
    now = int(time.time())
    body = {
        "iss": "motcua-identity",
        "aud": "motcua",
        "sub": "x",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "role": "admin",
        **claims,
    }
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
    assert suite.api.get("/.well-known/jwks.json").json() == jwks
    forged = _signed(Ed25519PrivateKey.generate(), kid, sub=me["id"])
    problem(
        suite.api.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"}),
        401,
        "invalid-token",
    )
    expired = _signed(key, kid, sub=me["id"], role="citizen", exp=int(time.time()) - 60)
    problem(
        suite.api.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"}),
        401,
        "invalid-token",
    )
    fresh = _signed(key, kid, sub=me["id"], role="citizen")
    assert (
        suite.api.get("/api/v1/me", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    )


def test_concurrent_registrations_of_one_email_make_exactly_one_account(suite: Suite) -> None:
    email = suite.email("same")
    body = {"email": email, "password": PASSWORD, "full_name": "Nguyễn Thị Hoa"}

    def register(spelling: str) -> httpx.Response:
        with httpx.Client(base_url=suite.api.base_url, timeout=30, trust_env=False) as api:
            return api.post("/api/v1/auth/register", json={**body, "email": spelling})

    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(register, [email, email.upper(), email]))
    assert [a.status_code for a in answers] == [201] * 3, [a.text for a in answers]
    with suite.db() as db:
        rows = db.execute("SELECT id FROM accounts WHERE email_key = %s", (email,)).fetchall()
    assert len(rows) == 1 and rows[0]["id"] in {a.json()["id"] for a in answers}


def test_no_password_token_or_hash_in_logs_or_events(suite: Suite) -> None:
    """Runs last in this module."""
    assert_no_secrets(suite)
