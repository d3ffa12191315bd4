"""The OpenAPI document of every service says how each operation refuses, as it answers:
problem+json, the statuses its route can return, the headers it cannot go without; and a
405 names every method of the path."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.testclient import TestClient
from pydantic import BaseModel

from shared.http.actor import CurrentActor
from shared.http.app import create_app

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


class Rename(BaseModel):
    name: str


class Created(BaseModel):
    id: int


def app_with_routes() -> Any:
    app = create_app("test")
    router = APIRouter(prefix="/api/v1/things")

    @router.get("")
    def public_list() -> dict[str, str]:
        return {}

    @router.post("", status_code=201)
    def create(body: Rename, actor: CurrentActor) -> Created:
        return Created(id=1)

    @router.get("/{thing_id}")
    def one(thing_id: int, actor: CurrentActor) -> dict[str, str]:
        return {}

    @router.patch("/{thing_id}")
    def rename(
        thing_id: int,
        body: Rename,
        actor: CurrentActor,
        key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    ) -> dict[str, str]:
        return {}

    app.include_router(router)
    return app


def test_fastapis_validation_answer_is_replaced_by_the_problem_the_services_send() -> None:
    document = app_with_routes().openapi()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert "ValidationError" not in document["components"]["schemas"]
    problem = document["components"]["schemas"]["Problem"]
    assert problem["required"] == ["type", "title", "status", "detail"]
    rename = document["paths"]["/api/v1/things/{thing_id}"]["patch"]
    assert rename["responses"]["422"]["content"] == PROBLEM
    assert rename["responses"]["default"]["content"] == PROBLEM


def test_statuses_follow_what_the_route_needs() -> None:
    paths = app_with_routes().openapi()["paths"]
    statuses = {
        (method, path): sorted(operation["responses"])
        for path, operations in paths.items()
        for method, operation in operations.items()
    }
    assert statuses == {
        ("get", "/api/v1/things"): ["200", "default"],
        ("post", "/api/v1/things"): ["201", "401", "403", "409", "422", "default"],
        ("get", "/api/v1/things/{thing_id}"): ["200", "401", "403", "404", "422", "default"],
        ("patch", "/api/v1/things/{thing_id}"): [
            *("200", "401", "403", "404", "409", "422", "default"),
        ],
    }
    assert paths["/api/v1/things/{thing_id}"]["get"]["security"] == [{"bearer": []}]
    assert "security" not in paths["/api/v1/things"]["get"]


def test_the_idempotency_key_is_required_and_the_caller_headers_are_not_documented() -> None:
    rename = app_with_routes().openapi()["paths"]["/api/v1/things/{thing_id}"]["patch"]
    headers = {p["name"]: p for p in rename["parameters"] if p["in"] == "header"}
    assert list(headers) == ["Idempotency-Key"]
    assert headers["Idempotency-Key"]["required"] is True
    assert headers["Idempotency-Key"]["schema"]["type"] == "string"


def test_a_405_allows_every_method_of_the_path() -> None:
    with TestClient(app_with_routes()) as client:
        response = client.delete("/api/v1/things/1")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PATCH"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "https://motcua.vn/problems/method-not-allowed"


def test_what_a_201_creates_links_to_the_operations_on_it() -> None:
    paths = app_with_routes().openapi()["paths"]
    links = paths["/api/v1/things"]["post"]["responses"]["201"]["links"]
    below = paths["/api/v1/things/{thing_id}"]
    assert links == {
        below[method]["operationId"]: {
            "operationId": below[method]["operationId"],
            "parameters": {"thing_id": "$response.body#/id"},
        }
        for method in ("get", "patch")
    }
