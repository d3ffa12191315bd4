"""Every operation's refusals, in the service's OpenAPI document, as the service answers them.

Any route can refuse (a Problem, bad input, an unreachable store), always in
application/problem+json with the RFC 9457 shape (shared/problems.py). The document says so
by shared rules rather than route by route:

- a ``default`` response in application/problem+json, for whatever a route refuses with;
- 422 ``validation-error`` (a Problem, not FastAPI's ``HTTPValidationError``, which no
  service ever answers) where the operation takes parameters or a body;
- 401 and 403 where the route needs a signed-in caller (and its bearer token as the
  operation's security), 409 where such a caller changes something (a stale version, a
  state that does not allow it), 404 where its path names something;
- the headers a service refuses a request without (``Idempotency-Key``) as required;
- the ``X-Motcua-*`` caller headers not at all: the gateway sets them from the verified token
  and strips whatever a caller sends, so no client ever writes them.

A route's own ``responses=`` (a file, an HTML page) stay as it declares them. And what a
201 creates links to the operations on it: ``POST /api/v1/dossiers`` answering ``id`` to
every ``/api/v1/dossiers/{dossier_id}...`` operation (OpenAPI links, which stateful clients
and tests follow).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import BaseRoute

from shared.http.actor import current_actor
from shared.problems import MEDIA_TYPE

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `detail` is Vietnamese, for people.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri", "description": "stable, for programs"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "what a person reads (Vietnamese)"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "the fields refused (422 validation-error)",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "code": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}
# FastAPI's own validation answer, replaced by shared/problems.py's handler everywhere.
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
CALLER_HEADER_PREFIX = "x-motcua-"
# Headers a route reads as optional so that their absence is the service's own Problem
# (payment's 400 ``payment-idempotency-key-missing``), yet never goes without.
REQUIRED_HEADERS = frozenset({"idempotency-key"})
REFUSALS = {
    401: "Chưa đăng nhập hoặc mã truy cập không hợp lệ (problem+json)",
    403: "Không có quyền thực hiện thao tác này (problem+json)",
    404: "Không tìm thấy tài nguyên được yêu cầu (problem+json)",
    409: "Trạng thái hiện tại không cho phép thao tác này (problem+json)",
    422: "Dữ liệu gửi lên không hợp lệ: `errors` liệt kê các trường (problem+json)",
}
DEFAULT_REFUSAL = "Bị từ chối: problem+json (RFC 9457)"
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})
WRITES = frozenset({"put", "post", "delete", "patch"})
BEARER = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


def problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


class ServiceApp(FastAPI):
    """FastAPI whose OpenAPI document says how each operation refuses (the module's rules)."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            schema = get_openapi(
                title=self.title,
                version=self.version,
                description=self.description,
                routes=self.routes,
                tags=self.openapi_tags,
            )
            self.openapi_schema = document_refusals(schema, self.routes)
        return self.openapi_schema


def document_refusals(schema: dict[str, Any], routes: Sequence[BaseRoute]) -> dict[str, Any]:
    """``schema`` with the module's rules applied (in place, and returned)."""
    signed_in = {
        (context.path_format, method.lower())
        for context in iter_route_contexts(routes)
        if isinstance(context.original_route, APIRoute) and _needs(context.dependant, current_actor)
        for method in context.methods or ()
    }
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    schemas["Problem"] = PROBLEM_SCHEMA
    if signed_in:
        components.setdefault("securitySchemes", {})["bearer"] = BEARER
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if method in HTTP_METHODS:
                _document(operation, path, method, (path, method) in signed_in)
    _link_created(schema["paths"], schemas)
    return schema


def _link_created(paths: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Link each 201 answer carrying an ``id`` to the operations of the path below it."""
    for path, operations in paths.items():
        created = operations.get("post", {}).get("responses", {}).get("201", {})
        body = created.get("content", {}).get("application/json", {}).get("schema", {})
        ref = body.get("$ref", "").rsplit("/", 1)[-1]
        if "id" not in schemas.get(ref, body).get("properties", {}):
            continue
        own = re.findall(r"{(\w+)}", path)
        links = {}
        for below, targets in paths.items():
            found = re.fullmatch(re.escape(path) + r"/{(\w+)}(/.*)?", below)
            if found is None:
                continue
            parameters = {name: f"$request.path.{name}" for name in own}
            parameters[found.group(1)] = "$response.body#/id"
            for method, target in targets.items():
                if method in HTTP_METHODS and "operationId" in target:
                    links[target["operationId"]] = {
                        "operationId": target["operationId"],
                        "parameters": parameters,
                    }
        if links:
            created["links"] = links


def _document(operation: dict[str, Any], path: str, method: str, signed_in: bool) -> None:
    parameters = [
        _required_if_needed(p)
        for p in operation.get("parameters", [])
        if not (p["in"] == "header" and p["name"].lower().startswith(CALLER_HEADER_PREFIX))
    ]
    if parameters:
        operation["parameters"] = parameters
    else:
        operation.pop("parameters", None)
    responses = operation.setdefault("responses", {})
    if _is_fastapi_validation(responses.get("422", {})):
        del responses["422"]
    statuses = []
    if signed_in:
        operation.setdefault("security", [{"bearer": []}])
        statuses += [401, 403, 409] if method in WRITES else [401, 403]
    if "{" in path:
        statuses.append(404)
    if parameters or "requestBody" in operation:
        statuses.append(422)
    for status in statuses:
        responses.setdefault(str(status), problem_response(REFUSALS[status]))
    responses.setdefault("default", problem_response(DEFAULT_REFUSAL))


def _is_fastapi_validation(response: dict[str, Any]) -> bool:
    ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
    return isinstance(ref, str) and ref.endswith("/HTTPValidationError")


def _required_if_needed(parameter: dict[str, Any]) -> dict[str, Any]:
    if parameter["in"] != "header" or parameter["name"].lower() not in REQUIRED_HEADERS:
        return parameter
    schema = dict(parameter.get("schema", {}))
    present = [s for s in schema.pop("anyOf", []) if s.get("type") != "null"]
    return {**parameter, "required": True, "schema": {**schema, **(present[0] if present else {})}}


def _needs(dependant: Dependant, call: object) -> bool:
    return any(d.call is call for d in _dependencies(dependant))


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for dependency in dependant.dependencies:
        yield dependency
        yield from _dependencies(dependency)
