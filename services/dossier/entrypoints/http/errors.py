"""Domain and store errors → problem+json, in one place."""

import psycopg
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.dossier.application.dossiers import DossierNotFoundError, FormInvalidError
from services.dossier.domain import errors
from shared.blobstore import BlobUnavailableError
from shared.problems import problem_response


def install(app: FastAPI) -> None:
    @app.exception_handler(errors.DossierError)
    async def _domain(request: Request, exc: errors.DossierError) -> JSONResponse:
        extra = {"errors": exc.problems} if isinstance(exc, FormInvalidError) else {}
        return problem_response(
            exc.status, exc.type, exc.detail, instance=request.url.path, **extra
        )

    @app.exception_handler(DossierNotFoundError)
    async def _missing(request: Request, exc: DossierNotFoundError) -> JSONResponse:
        return problem_response(
            404, "dossier-not-found", "Không tìm thấy hồ sơ.", instance=request.url.path
        )

    @app.exception_handler(IntegrityError)
    async def _conflict(request: Request, exc: IntegrityError) -> JSONResponse:
        # two writers of the same version: the second one is refused, nothing half-written
        return problem_response(
            409,
            "dossier-concurrent-change",
            "Hồ sơ vừa được người khác thay đổi, vui lòng tải lại và thử lại.",
            instance=request.url.path,
        )

    @app.exception_handler(BlobUnavailableError)
    async def _blobs_unavailable(request: Request, exc: BlobUnavailableError) -> JSONResponse:
        # the file store is down or refuses us: nothing was stored, the user may retry
        return problem_response(
            503,
            "file-store-unavailable",
            "Kho lưu trữ tệp tạm thời không truy cập được, vui lòng thử lại sau ít phút.",
            instance=request.url.path,
            headers={"Retry-After": "5"},
        )

    async def _store_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # PostgreSQL cannot be reached (or the pool waited too long): nothing was written
        return problem_response(
            503,
            "store-unavailable",
            "Kho dữ liệu hồ sơ tạm thời không truy cập được, vui lòng thử lại sau ít phút.",
            instance=request.url.path,
            headers={"Retry-After": "5"},
        )

    for error in (psycopg.OperationalError, OperationalError, InterfaceError):
        app.add_exception_handler(error, _store_unavailable)
