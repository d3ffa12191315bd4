"""What every service gets from create_app: health, readiness, metrics, request ids,
JSON logs with the correlation id, and problem+json errors."""

from __future__ import annotations

import io
import json
import logging

import psycopg
from fastapi.testclient import TestClient
from pydantic import BaseModel

from shared.errors import Problem
from shared.http.app import create_app
from shared.logs import JsonFormatter
from shared.problems import ProblemError


class Body(BaseModel):
    amount: int


class QuotaExceededError(Problem):
    status = 429
    type = "quota-exceeded"
    detail = "Bạn đã nộp quá số hồ sơ cho phép trong ngày."


def make_client(ready: bool = True) -> TestClient:
    async def engine() -> None:
        if not ready:
            raise ConnectionError("kafka is down")

    app = create_app("test", readiness={"kafka": engine})

    @app.post("/items")
    def create(body: Body) -> dict[str, int]:
        if body.amount < 0:
            raise ProblemError(422, "negative-amount", "Số tiền không được âm.")
        return {"amount": body.amount}

    @app.get("/quota")
    def quota() -> None:
        raise QuotaExceededError(headers={"Retry-After": "60"}, limit=5)

    @app.get("/store-down")
    def store_down() -> None:
        raise psycopg.OperationalError("connection refused")

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    @app.get("/log")
    def log_something() -> dict[str, str]:
        logging.getLogger("test").info("xử lý yêu cầu")
        return {}

    return TestClient(app, raise_server_exceptions=False)


def test_health_and_readiness() -> None:
    assert make_client().get("/healthz").json() == {"status": "ok", "service": "test"}
    assert make_client().get("/readyz").status_code == 200
    down = make_client(ready=False).get("/readyz")
    assert down.status_code == 503
    assert down.headers["content-type"] == "application/problem+json"
    assert down.headers["retry-after"]
    assert "kafka is down" in down.json()["failing"]["kafka"]


def test_metrics_are_exposed_for_prometheus() -> None:
    client = make_client()
    client.get("/healthz")
    text = client.get("/metrics").text
    assert "motcua_http_requests_total" in text


def test_request_id_is_kept_when_sane_and_replaced_when_not() -> None:
    client = make_client()
    assert client.get("/healthz", headers={"X-Request-ID": "abc-1"}).headers["x-request-id"] == (
        "abc-1"
    )
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>"}).headers["x-request-id"]
    assert replaced != "<script>" and len(replaced) == 36


def test_invalid_body_is_a_vietnamese_problem_naming_the_field() -> None:
    response = make_client().post("/items", json={"amount": "nhiều"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/validation-error")
    assert body["detail"] == "Dữ liệu gửi lên không hợp lệ, vui lòng kiểm tra lại."
    assert body["errors"][0]["field"] == "amount"


def test_domain_problem_keeps_its_type_and_detail() -> None:
    body = make_client().post("/items", json={"amount": -1}).json()
    assert body["type"].endswith("/negative-amount")
    assert body["detail"] == "Số tiền không được âm."
    assert body["status"] == 422


def test_a_named_problem_carries_its_type_detail_headers_and_members() -> None:
    response = make_client().get("/quota")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "60"
    body = response.json()
    assert body["type"].endswith("/quota-exceeded")
    assert body["detail"] == "Bạn đã nộp quá số hồ sơ cho phép trong ngày."
    assert body["limit"] == 5


def test_an_unreachable_store_is_a_503_to_retry_not_a_500() -> None:
    response = make_client().get("/store-down")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["type"].endswith("/store-unavailable")
    assert "connection refused" not in response.text


def test_unexpected_error_is_a_problem_that_leaks_nothing() -> None:
    response = make_client().get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text


def test_unknown_route_is_a_problem() -> None:
    response = make_client().get("/nothing-here")
    assert response.status_code == 404
    assert response.json()["detail"] == "Không tìm thấy tài nguyên được yêu cầu."


def test_logs_are_json_lines_with_the_request_correlation_id() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("test"))
    logger = logging.getLogger("test")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        make_client().get("/log", headers={"X-Request-ID": "req-7"})
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["message"] == "xử lý yêu cầu"
    assert line["service"] == "test"
    assert line["level"] == "INFO"
    assert line["correlation_id"] == "req-7"


def test_a_lone_surrogate_anywhere_in_a_json_body_is_a_422_problem() -> None:
    client = make_client()
    for body in ('{"amount": 1, "note": "\\udaff"}', '{"amount": 1, "\\uDC00x": 1}'):
        response = client.post("/items", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"].endswith("/validation-error")
        assert (
            problem["detail"] == "Dữ liệu gửi lên chứa ký tự không hợp lệ, vui lòng kiểm tra lại."
        )


def test_a_nul_anywhere_in_a_json_body_is_a_422_problem_not_a_store_error() -> None:
    """Found by schemathesis: a NUL in dossier's procedure code reached PostgreSQL (500)."""
    client = make_client()
    for body in ('{"amount": 1, "note": "a\\u0000b"}', '{"amount": 1, "\\u0000": [1]}'):
        response = client.post("/items", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"] == [{"field": "body", "code": "string_unicode"}]


def test_a_nul_in_the_path_or_the_query_is_a_422_problem() -> None:
    client = make_client()
    for url in ("/items/a%00b", "/items?note=a%00b"):
        response = client.get(url)
        assert response.status_code == 422, url
        assert response.json()["errors"] == [{"field": "url", "code": "string_unicode"}]
    assert client.get("/healthz?note=%2500").status_code == 200  # the text "%00" is kept


def test_escaped_text_that_only_looks_like_a_surrogate_is_kept() -> None:
    client = make_client()
    for body in (
        '{"amount": 1, "note": "\\\\udaff"}',
        '{"amount": 1, "note": "\\ud83d\\ude00"}',
        '{"amount": 1, "note": "\\\\u0000"}',
    ):
        response = client.post("/items", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 200, body


def test_a_number_no_double_holds_in_a_json_body_is_a_422_problem() -> None:
    client = make_client()
    huge_float = "9" * 400 + ".5"
    for number in ("1e999", "-1E+999", huge_float, "NaN", "Infinity", "-Infinity"):
        body = '{"amount": 1, "note": {"x": [' + number + "]}}"
        response = client.post("/items", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 422, number
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"].endswith("/validation-error")
        assert problem["errors"] == [{"field": "body", "code": "finite_number"}]
        assert "giá trị số không hợp lệ" in problem["detail"]


def test_large_but_finite_numbers_and_lookalike_text_reach_the_route() -> None:
    client = make_client()
    for body in (
        '{"amount": 1, "x": 1e308, "y": 1e-999}',
        '{"amount": 1, "note": "NaN Infinity 1e999"}',
    ):
        response = client.post("/items", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 200, body
