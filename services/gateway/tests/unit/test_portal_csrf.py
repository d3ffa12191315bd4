"""A portal form passes only with its own session's signed CSRF token: a forged value,
a token of another session and a missing one are refused with a Vietnamese message,
the real one works (a real gateway in front of a JWKS-serving identity and echo
upstreams; the session is the verified access token's ``sid``)."""

from __future__ import annotations

import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterator

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.gateway.domain.routing import SERVICES
from services.gateway.entrypoints.http.app import build_app
from services.gateway.entrypoints.http.portal.csrf import CSRF_COOKIE
from services.gateway.settings import GatewaySettings
from services.gateway.tests.servers import echo_app, serving, upstream_urls
from services.identity.adapters.signing import SigningKey

KEY = SigningKey.of(Ed25519PrivateKey.generate())
EXPIRED = "Phiên làm việc của biểu mẫu đã hết hạn"
UPLOAD = f"/ho-so/{uuid.uuid4()}/tep"
JSON = {"Accept": "application/json"}


def access_token(session: str, account: str = "citizen-1") -> str:
    now = int(time.time())
    claims = {
        "iss": "motcua-identity",
        "aud": "motcua",
        "sub": account,
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "sid": session,
        "role": "citizen",
    }
    return jwt.encode(
        claims, KEY.private, algorithm="EdDSA", headers={"kid": KEY.kid, "typ": "at+jwt"}
    )


def identity_app() -> Starlette:
    async def jwks(request: Request) -> JSONResponse:
        return JSONResponse({"keys": [KEY.jwk()]})

    async def login(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "access_token": access_token("s-login"),
                "token_type": "Bearer",
                "expires_in": 300,
                "refresh_token": "s-login.secret",
                "refresh_expires_in": 86400,
            }
        )

    return Starlette(
        routes=[
            Route("/.well-known/jwks.json", jwks),
            Route("/api/v1/auth/login", login, methods=["POST"]),
        ]
    )


@pytest.fixture(scope="module")
def gateway_url() -> Iterator[str]:
    with serving(identity_app()) as identity, serving(echo_app("dossier")) as echo:
        urls = {**dict.fromkeys(SERVICES, echo), "identity": identity}
        settings = GatewaySettings(
            **upstream_urls(urls), rate_limits_enabled=False, csrf_secret="k" * 32
        )
        with serving(build_app(settings)) as url:
            yield url


@pytest.fixture
def browser(gateway_url: str) -> Iterator[Callable[..., httpx.Client]]:
    opened: list[httpx.Client] = []

    def open_browser(session: str | None = None, account: str = "citizen-1") -> httpx.Client:
        client = httpx.Client(base_url=gateway_url, trust_env=False, follow_redirects=False)
        if session is not None:
            client.cookies.set("motcua_access", access_token(session, account))
        opened.append(client)
        return client

    yield open_browser
    for client in opened:
        client.close()


def form_token(client: httpx.Client) -> str:
    page = client.get("/dang-nhap")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert page.status_code == 200 and found, page.text
    assert client.cookies[CSRF_COOKIE] == found.group(1)
    return found.group(1)


def upload(client: httpx.Client, token: str | None) -> httpx.Response:
    data = {"document_code": "TK"} | ({"csrf": token} if token is not None else {})
    return client.post(UPLOAD, data=data, headers=JSON)


def refused(answer: httpx.Response) -> bool:
    return answer.status_code == 403 and EXPIRED in answer.json()["detail"]


def test_the_sessions_own_token_passes(browser: Callable[..., httpx.Client]) -> None:
    citizen = browser("s-A")
    answer = upload(citizen, form_token(citizen))
    assert answer.status_code == 422  # past the CSRF check: no file chosen
    assert answer.json()["detail"] == "Vui lòng chọn tệp."


@pytest.mark.parametrize(
    "forged",
    [
        pytest.param(secrets.token_urlsafe(24), id="unsigned-random"),
        pytest.param("abc.def", id="bad-signature"),
    ],
)
def test_a_forged_token_planted_in_cookie_and_form_is_refused(
    browser: Callable[..., httpx.Client], forged: str
) -> None:
    citizen = browser("s-A")
    citizen.cookies.set(CSRF_COOKIE, forged)
    assert refused(upload(citizen, forged))


@pytest.mark.parametrize(
    ("session", "account"),
    [
        pytest.param("s-B", "citizen-2", id="another-account"),
        pytest.param("s-C", "citizen-1", id="same-account-another-session"),
        pytest.param(None, "", id="token-of-a-signed-in-session-used-anonymously"),
    ],
)
def test_a_token_of_another_session_is_refused(
    browser: Callable[..., httpx.Client], session: str | None, account: str
) -> None:
    token = form_token(browser("s-A"))
    victim = browser(session, account) if session else browser()
    victim.cookies.set(CSRF_COOKIE, token)  # copied, or planted by another origin
    if session is None:
        answer = victim.post("/dang-nhap", data={"csrf": token, "email": "a@b.vn"})
        assert answer.status_code == 400 and EXPIRED in answer.text
    else:
        assert refused(upload(victim, token))


def test_a_field_that_is_not_ascii_is_refused_not_an_error(
    browser: Callable[..., httpx.Client],
) -> None:
    citizen = browser("s-A")
    form_token(citizen)
    assert refused(upload(citizen, "mã-giả.chữ-ký"))


def test_a_missing_token_is_refused(browser: Callable[..., httpx.Client]) -> None:
    citizen = browser("s-A")
    token = form_token(citizen)
    assert refused(upload(citizen, None))  # cookie, no field
    citizen.cookies.delete(CSRF_COOKIE)
    assert refused(upload(citizen, token))  # field, no cookie


def test_signing_in_issues_a_token_for_the_new_session(
    browser: Callable[..., httpx.Client],
) -> None:
    visitor = browser()
    anonymous = form_token(visitor)
    forged = visitor.post("/dang-nhap", data={"csrf": "x.y", "email": "a@b.vn"})
    assert forged.status_code == 400 and EXPIRED in forged.text
    signed_in = visitor.post("/dang-nhap", data={"csrf": anonymous, "email": "a@b.vn"})
    assert signed_in.status_code == 303, signed_in.text
    assert refused(upload(visitor, anonymous))  # the anonymous token no longer counts
    fresh = form_token(visitor)
    assert fresh != anonymous
    assert upload(visitor, fresh).status_code == 422
