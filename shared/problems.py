"""Errors as application/problem+json (RFC 9457): Vietnamese ``detail``, stable ``type``."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://motcua.vn/problems/"
MEDIA_TYPE = "application/problem+json"

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


class ProblemError(Exception):
    """Raise from a use case or route; the handler turns it into problem+json."""

    def __init__(
        self,
        status: int,
        type_: str,
        detail: str,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: object,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.type = type_
        self.detail = detail
        self.title = title or type_.replace("-", " ")
        self.headers = headers
        self.extensions = extensions


def problem_response(
    status: int,
    type_: str,
    detail: str,
    title: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: object,
) -> JSONResponse:
    body = {
        "type": PROBLEM_BASE + type_,
        "title": title or type_.replace("-", " "),
        "status": status,
        "detail": detail,
        **({"instance": instance} if instance else {}),
        **extensions,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(
            exc.status, exc.type, exc.detail, exc.title, request.url.path, exc.headers,
            **exc.extensions,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]), "code": e["type"]}
            for e in exc.errors()
        ]
        return problem_response(
            422, "validation-error", "Dữ liệu gửi lên không hợp lệ, vui lòng kiểm tra lại.",
            "validation error", request.url.path, errors=errors,
        )

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        type_, detail = _STATUS_PROBLEMS.get(exc.status_code, ("http-error", "Đã có lỗi xảy ra."))
        return problem_response(
            exc.status_code, type_, detail, instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return problem_response(
            500, "internal-error", "Hệ thống gặp lỗi không mong muốn, vui lòng thử lại sau.",
            instance=request.url.path,
        )
