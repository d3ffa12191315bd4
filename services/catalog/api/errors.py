"""Domain errors of the catalogue as application/problem+json."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.catalog.domain.errors import CatalogError
from shared.mongo_lock import LockTimeoutError
from shared.problems import problem_response


def install(app: FastAPI) -> None:
    @app.exception_handler(CatalogError)
    async def _catalog_error(request: Request, exc: CatalogError) -> JSONResponse:
        return problem_response(exc.status, exc.type, exc.detail, instance=request.url.path,
                                **exc.extensions)

    @app.exception_handler(LockTimeoutError)
    async def _busy(request: Request, exc: LockTimeoutError) -> JSONResponse:
        return problem_response(409, "conflict", "Dữ liệu đang được người khác cập nhật, "
                                "vui lòng thử lại sau giây lát.", instance=request.url.path,
                                headers={"Retry-After": "1"})
