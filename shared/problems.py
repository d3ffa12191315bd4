"""Errors as application/problem+json (RFC 9457): Vietnamese ``detail``, stable ``type``."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from shared.blobstore import (
    BlobError,
    BlobNotFoundError,
    BlobTooLargeError,
    BlobTypeNotAllowedError,
)
from shared.errors import Problem, ProblemError, StoreUnavailableError

__all__ = [
    "MEDIA_TYPE",
    "Problem",
    "ProblemError",
    "file_refused",
    "install_problem_handlers",
    "problem_response",
]

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://motcua.vn/problems/"
MEDIA_TYPE = "application/problem+json"
FILES_UNAVAILABLE = "Kho lưu trữ tệp tạm thời không truy cập được, vui lòng thử lại sau ít phút."
MIB = 1024 * 1024

_STATUS_PROBLEMS = {
    400: ("bad-request", "Yêu cầu không hợp lệ."),
    401: ("unauthenticated", "Bạn cần đăng nhập để thực hiện thao tác này."),
    403: ("forbidden", "Bạn không có quyền thực hiện thao tác này."),
    404: ("not-found", "Không tìm thấy tài nguyên được yêu cầu."),
    405: ("method-not-allowed", "Phương thức không được hỗ trợ."),
    409: ("conflict", "Dữ liệu đã bị thay đổi bởi thao tác khác, vui lòng thử lại."),
    413: ("payload-too-large", "Dữ liệu gửi lên quá lớn."),
    415: ("unsupported-media-type", "Định dạng dữ liệu không được hỗ trợ."),
    429: ("too-many-requests", "Bạn thao tác quá nhanh, vui lòng thử lại sau."),
    503: ("service-unavailable", "Dịch vụ tạm thời không sẵn sàng, vui lòng thử lại sau."),
}


def problem_response(
    status: int,
    type_: str,
    detail: str,
    title: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    extensions: Mapping[str, object] | None = None,
) -> JSONResponse:
    """The problem document; ``extensions`` are its extra members (``errors``, ``limit``)."""
    body = {
        "type": PROBLEM_BASE + type_,
        "title": title or type_.replace("-", " "),
        "status": status,
        "detail": detail,
        **({"instance": instance} if instance else {}),
        **(extensions or {}),
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def install_problem_handlers(app: FastAPI, *, store_detail: str | None = None) -> None:
    """One handler for every :class:`Problem`, for bad input, HTTP errors, an unreachable store
    (PostgreSQL down or the pool exhausted: 503, nothing written; ``store_detail`` names the
    service's store for the reader), the file store's errors (a missing file 404, a refused
    one 413/415, an unreachable store 503) and, last, anything unexpected (500, logged)."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.type,
            exc.detail,
            exc.title,
            request.url.path,
            exc.headers,
            exc.extensions,
        )

    async def _store_unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.warning("store unavailable: %s: %s", type(exc).__name__, exc)
        return await _problem(request, StoreUnavailableError(store_detail))

    for error in _store_errors():
        app.add_exception_handler(error, _store_unavailable)

    @app.exception_handler(BlobError)
    async def _file_error(request: Request, exc: BlobError) -> JSONResponse:
        return await _problem(request, _blob_problem(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]), "code": e["type"]}
            for e in exc.errors()
        ]
        return problem_response(
            422,
            "validation-error",
            "Dữ liệu gửi lên không hợp lệ, vui lòng kiểm tra lại.",
            "validation error",
            request.url.path,
            extensions={"errors": errors},
        )

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        type_, detail = _STATUS_PROBLEMS.get(exc.status_code, ("http-error", "Đã có lỗi xảy ra."))
        return problem_response(
            exc.status_code,
            type_,
            detail,
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return problem_response(
            500,
            "internal-error",
            "Hệ thống gặp lỗi không mong muốn, vui lòng thử lại sau.",
            instance=request.url.path,
        )


def file_refused(
    error: BlobTooLargeError | BlobTypeNotAllowedError, kind: str = "file"
) -> ProblemError:
    """The one refusal of an uploaded file, in every service's words: 413 ``<kind>-too-large``
    or 415 ``<kind>-type-not-allowed``. ``kind`` keeps a service's documented ``type``
    (dossier's ``attachment``); the shared handler answers ``file``."""
    if isinstance(error, BlobTooLargeError):
        detail = f"Tệp vượt quá {error.limit / MIB:g} MiB."
        return ProblemError(413, f"{kind}-too-large", detail)
    return ProblemError(415, f"{kind}-type-not-allowed", "Chỉ chấp nhận tệp PDF, JPEG hoặc PNG.")


def _blob_problem(error: BlobError) -> Problem:
    match error:
        case BlobTooLargeError() | BlobTypeNotAllowedError():
            return file_refused(error)
        case BlobNotFoundError():
            return ProblemError(404, "file-not-found", "Không tìm thấy tệp được yêu cầu.")
    # unreachable or refusing us (BlobUnavailableError and the like): nothing was stored
    log.warning("file store unavailable: %s: %s", type(error).__name__, error)
    retry = {"Retry-After": "5"}
    return ProblemError(503, "file-store-unavailable", FILES_UNAVAILABLE, headers=retry)


def _store_errors() -> tuple[type[Exception], ...]:
    import psycopg  # its OperationalError covers psycopg_pool.PoolTimeout too
    from eventsourcing.persistence import InterfaceError, OperationalError

    return (psycopg.OperationalError, OperationalError, InterfaceError)
