"""Domain errors of the catalogue as application/problem+json."""

from __future__ import annotations

import logging

import psycopg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.catalog.domain.errors import CatalogError
from shared.problems import problem_response

log = logging.getLogger(__name__)


def install(app: FastAPI) -> None:
    @app.exception_handler(CatalogError)
    async def _catalog_error(request: Request, exc: CatalogError) -> JSONResponse:
        return problem_response(
            exc.status, exc.type, exc.detail, instance=request.url.path, **exc.extensions
        )

    @app.exception_handler(psycopg.OperationalError)  # no connection, or the pool timed out
    async def _store_unavailable(request: Request, exc: psycopg.OperationalError) -> JSONResponse:
        log.warning("catalog store unavailable: %s", exc)
        return problem_response(
            503,
            "service-unavailable",
            "Cơ sở dữ liệu danh mục thủ tục tạm thời không truy cập được, "
            "vui lòng thử lại sau ít phút.",
            instance=request.url.path,
            headers={"Retry-After": "5"},
        )
