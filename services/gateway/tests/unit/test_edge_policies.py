"""Rate limits (with an in-memory counter), CORS, HSTS behind a trusted TLS proxy, and the
combined OpenAPI document, through a real gateway in front of echo upstreams."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.gateway.application.ratelimit import RateLimiter
from services.gateway.domain.forwarded import client_address, is_secure
from services.gateway.domain.openapi import merge
from services.gateway.domain.ratelimit import Limits, buckets
from services.gateway.domain.routing import SERVICES
from services.gateway.entrypoints.http.app import build_app
from services.gateway.settings import GatewaySettings
from services.gateway.tests.servers import echo_app, serving, upstream_urls
from services.identity.adapters.signing import SigningKey

PROBLEM = "application/problem+json"
KEY = SigningKey.of(Ed25519PrivateKey.generate())


class FakeCounter:
    """Counts in memory, like the PostgreSQL counters would: over the limit → retry delay."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    async def hit(self, key: str, limit: int) -> float | None:
        self.counts[key] = self.counts.get(key, 0) + 1
        return 42.5 if self.counts[key] > limit else None


def _openapi_app(service: str, schemas: dict[str, Any]) -> Starlette:
    item = {
        "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}
    }
    paths = {
        "/api/v1/dossiers": {"get": {"tags": ["dossiers"], "responses": item}},
        "/api/v1/catalog/procedures": {"get": {"tags": ["procedures"], "responses": item}},
        "/internal/only": {"get": {"responses": {}}},
    }

    async def document(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "openapi": "3.1.0",
                "info": {"title": service, "version": "1"},
                "paths": paths,
                "components": {"schemas": schemas},
            }
        )

    echo = echo_app(service)
    return Starlette(routes=[Route("/openapi.json", document), *echo.routes])


@contextmanager
def _gateway(**overrides: Any) -> Iterator[tuple[httpx.Client, FakeCounter]]:
    counter = FakeCounter()
    limits = Limits(
        client=overrides.pop("client", 100),
        account=overrides.pop("account", 100),
        login=overrides.pop("login", 3),
        lookup=overrides.pop("lookup", 2),
        window_seconds=60,
    )
    with ExitStack() as stack:
        dossier = stack.enter_context(
            serving(
                _openapi_app(
                    "dossier",
                    {"Item": {"type": "object", "properties": {"code": {"type": "string"}}}},
                )
            )
        )
        catalog = stack.enter_context(
            serving(
                _openapi_app(
                    "catalog",
                    {"Item": {"type": "object", "properties": {"name": {"type": "string"}}}},
                )
            )
        )
        jwks = stack.enter_context(
            serving(
                Starlette(
                    routes=[
                        Route(
                            "/.well-known/jwks.json", lambda r: JSONResponse({"keys": [KEY.jwk()]})
                        )
                    ]
                )
            )
        )
        urls = {name: dossier for name in SERVICES} | {"catalog": catalog}
        settings = GatewaySettings(
            **upstream_urls(urls),
            jwks_url=f"{jwks}/.well-known/jwks.json",
            rate_limits_enabled=False,
            **overrides,
        )
        app = build_app(settings, limiter=RateLimiter(counter, limits))
        url = stack.enter_context(serving(app))
        yield stack.enter_context(httpx.Client(base_url=url, trust_env=False)), counter


@pytest.mark.parametrize(
    ("method", "path", "query", "names"),
    [
        ("POST", "/api/v1/auth/login", "", ["client", "login"]),
        ("POST", "/dang-nhap", "", ["client", "login"]),
        ("GET", "/api/v1/auth/login", "", ["client"]),
        ("GET", "/api/v1/lookup/NB.HOALU-261122-ABCDEFGHJ", "id_last4=1234", ["client", "lookup"]),
        ("GET", "/tra-cuu", "ma=X", ["client", "lookup"]),
        ("GET", "/tra-cuu", "", ["client"]),
        ("GET", "/api/v1/dossiers", "", ["client"]),
        ("GET", "/healthz", "", []),
        ("GET", "/static/portal.css", "", []),
        ("OPTIONS", "/api/v1/dossiers", "", []),
    ],
)
def test_which_limits_a_request_counts_against(
    method: str, path: str, query: str, names: list[str]
) -> None:
    assert [name for name, _ in buckets(method, path, query, "203.0.113.9")] == names


def test_login_is_limited_per_address_with_retry_after() -> None:
    with _gateway(login=3) as (gateway, _):
        answers = [gateway.post("/api/v1/auth/login", json={}) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        refused = answers[-1]
        assert refused.headers["content-type"] == PROBLEM
        assert refused.headers["retry-after"] == "43"
        problem = refused.json()
        assert problem["type"].endswith("/too-many-requests") and problem["limit"] == "login"
        assert "thử lại sau 43 giây" in problem["detail"]
        assert refused.headers["x-frame-options"] == "DENY"  # edge headers on refusals too
        # other requests of the same address are not in the login limit
        assert gateway.get("/api/v1/dossiers").status_code == 200


def test_a_browser_page_gets_the_refusal_as_a_vietnamese_page() -> None:
    with _gateway(lookup=1) as (gateway, _):
        gateway.get("/tra-cuu", params={"ma": "X"})
        page = gateway.get("/tra-cuu", params={"ma": "X"}, headers={"Accept": "text/html"})
        assert page.status_code == 429 and page.headers["content-type"].startswith("text/html")
        assert "Bạn tra cứu hồ sơ quá nhiều lần" in page.text


def test_forwarded_addresses_count_only_from_trusted_proxies() -> None:
    with _gateway(trusted_proxies=["127.0.0.1"]) as (gateway, counter):
        gateway.get("/api/v1/dossiers", headers={"X-Forwarded-For": "1.2.3.4, 198.51.100.7"})
        assert counter.counts == {"client:198.51.100.7": 1}
    with _gateway() as (gateway, counter):
        gateway.get("/api/v1/dossiers", headers={"X-Forwarded-For": "198.51.100.7"})
        assert counter.counts == {"client:127.0.0.1": 1}  # a caller cannot pick its address


def _token(sub: str) -> str:
    now = int(time.time())
    claims = {
        "iss": "motcua-identity",
        "aud": "motcua",
        "sub": sub,
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "sid": "s",
        "role": "citizen",
    }
    return jwt.encode(
        claims, KEY.private, algorithm="EdDSA", headers={"kid": KEY.kid, "typ": "at+jwt"}
    )


def test_a_signed_in_account_is_limited_whatever_its_address() -> None:
    with _gateway(account=2, trusted_proxies=["127.0.0.1"]) as (gateway, counter):
        bearer = {"Authorization": f"Bearer {_token('acc-7')}"}
        statuses = [
            gateway.get(
                "/api/v1/dossiers", headers={**bearer, "X-Forwarded-For": f"198.51.100.{n}"}
            ).status_code
            for n in range(3)
        ]
        assert statuses == [200, 200, 429]
        assert counter.counts["account:acc-7"] == 3
        other = {"Authorization": f"Bearer {_token('acc-8')}"}
        assert gateway.get("/api/v1/dossiers", headers=other).status_code == 200


def test_a_signed_in_portal_viewer_counts_against_the_account_limit() -> None:
    with _gateway(account=2) as (gateway, counter):
        cookie = {"Cookie": f"motcua_access={_token('acc-9')}"}
        pages = [gateway.get("/", headers={**cookie, "Accept": "text/html"}) for _ in range(3)]
        assert [p.status_code for p in pages] == [200, 200, 429]
        assert counter.counts["account:acc-9"] == 3  # one count per page, however rendered
        assert "Tài khoản của bạn gửi quá nhiều yêu cầu" in pages[2].text
        assert pages[2].headers["retry-after"] == "43"
        assert gateway.get("/", headers={"Accept": "text/html"}).status_code == 200


def test_cors_allows_only_configured_origins() -> None:
    with _gateway(cors_origins=["https://dichvucong.ninhbinh.gov.vn"]) as (gateway, counter):
        preflight = gateway.options(
            "/api/v1/dossiers",
            headers={
                "Origin": "https://dichvucong.ninhbinh.gov.vn",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == (
            "https://dichvucong.ninhbinh.gov.vn"
        )
        assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
        assert counter.counts == {}  # preflights are not counted
        simple = gateway.get(
            "/api/v1/dossiers", headers={"Origin": "https://dichvucong.ninhbinh.gov.vn"}
        )
        assert "retry-after" in simple.headers["access-control-expose-headers"].lower()
        foreign = gateway.options(
            "/api/v1/dossiers",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in foreign.headers
    with _gateway() as (gateway, _):
        response = gateway.get("/api/v1/dossiers", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in response.headers


def test_hsts_only_over_tls_as_reported_by_a_trusted_proxy() -> None:
    https = {"X-Forwarded-Proto": "https"}
    with _gateway(trusted_proxies=["127.0.0.1"], hsts_max_age=600) as (gateway, _):
        assert (
            gateway.get("/healthz", headers=https).headers["strict-transport-security"]
            == "max-age=600; includeSubDomains"
        )
        assert "strict-transport-security" not in gateway.get("/healthz").headers
    with _gateway(hsts_max_age=600) as (gateway, _):  # anyone may send the header
        assert "strict-transport-security" not in gateway.get("/healthz", headers=https).headers


def test_forwarded_helpers() -> None:
    scope = {
        "client": ("10.0.0.2", 1),
        "scheme": "http",
        "headers": [
            (b"x-forwarded-for", b"1.1.1.1, 2.2.2.2, 10.0.0.3"),
            (b"x-forwarded-proto", b"https"),
        ],
    }
    assert client_address(scope, {"10.0.0.2", "10.0.0.3"}) == "2.2.2.2"
    assert client_address(scope, set()) == "10.0.0.2"
    assert is_secure(scope, {"10.0.0.2"}) and not is_secure(scope, set())


def test_the_combined_openapi_document() -> None:
    with _gateway() as (gateway, _):
        response = gateway.get("/api/v1/openapi.json")
        assert response.status_code == 200
        document = response.json()
        # each path from the service the gateway routes it to; internal ones left out
        assert set(document["paths"]) == {"/api/v1/dossiers", "/api/v1/catalog/procedures"}
        assert "payment" in document["x-motcua-services"]
        schemas = document["components"]["schemas"]
        # two different "Item"s (identity's comes first): catalog's is qualified, its
        # $refs follow; the services serving the same document share theirs
        assert set(schemas) == {"Item", "catalog.Item"}
        assert schemas["catalog.Item"]["properties"] == {"name": {"type": "string"}}
        catalog = document["paths"]["/api/v1/catalog/procedures"]["get"]["responses"]
        assert catalog["200"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/catalog.Item"
        }
        assert document["tags"] == [
            {"name": "dossiers", "x-motcua-service": "dossier"},
            {"name": "procedures", "x-motcua-service": "catalog"},
        ]
        assert "bearer" in document["components"]["securitySchemes"]


def test_merge_names_unavailable_services_and_shares_identical_schemas() -> None:
    same = {"HTTPValidationError": {"type": "object"}}
    doc = {"openapi": "3.1.0", "paths": {}, "components": {"schemas": same}}
    merged = merge({"dossier": doc, "catalog": doc}, ["payment"])
    assert merged["components"]["schemas"] == same
    assert merged["x-motcua-unavailable"] == ["payment"]


def test_without_a_postgresql_address_the_gateway_starts_without_limits(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.delenv("MOTCUA_POSTGRES_DSN", raising=False)
    monkeypatch.delenv("MOTCUA_GATEWAY_POSTGRES_DSN", raising=False)
    monkeypatch.setenv("MOTCUA_STATE_DIR", str(tmp_path))  # no engines.json there
    settings = GatewaySettings(**upstream_urls(dict.fromkeys(SERVICES, "http://127.0.0.1:9")))
    assert settings.postgres_dsn is None
    assert build_app(settings).state.rate_limiter is None
