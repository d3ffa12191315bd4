"""Domain errors → application/problem+json with Vietnamese details and stable types."""

from __future__ import annotations

import logging

import psycopg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout

from services.identity.adapters.store import StoreUnavailableError
from services.identity.domain import errors as e
from shared.blobstore import (
    BlobError,
    BlobNotFoundError,
    BlobTooLargeError,
    BlobUnavailableError,
)
from shared.problems import problem_response

log = logging.getLogger(__name__)

FIELD_CODES = {
    "invalid_email": "Địa chỉ thư điện tử không hợp lệ.",
    "invalid_national_id": "Số định danh cá nhân (CCCD) phải gồm 12 chữ số hợp lệ.",
    "national_id_birth_year_mismatch": "Số định danh cá nhân không khớp với năm sinh.",
    "invalid_tax_code": "Mã số thuế không hợp lệ.",
    "invalid_phone": "Số điện thoại không hợp lệ.",
    "invalid_reason": "Vui lòng nêu lý do (từ 3 đến 500 ký tự).",
}
WEAK = {
    "too_short": "Mật khẩu phải có ít nhất 8 ký tự.",
    "too_long": "Mật khẩu không được dài quá 128 ký tự.",
    "common": "Mật khẩu này quá phổ biến và dễ bị đoán, vui lòng chọn mật khẩu khác.",
    "contextual": "Mật khẩu không được trùng với thư điện tử hoặc số giấy tờ của bạn.",
}


def _problem(
    request: Request,
    status: int,
    type_: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: object,
) -> JSONResponse:
    return problem_response(
        status, type_, detail, instance=request.url.path, headers=headers, **extra
    )


def to_problem(request: Request, error: Exception) -> JSONResponse:
    match error:
        case e.InvalidFieldError(field=field, code=code):
            detail = FIELD_CODES.get(code, "Dữ liệu gửi lên không hợp lệ, vui lòng kiểm tra lại.")
            return _problem(
                request, 422, "validation-error", detail, errors=[{"field": field, "code": code}]
            )
        case e.WeakPasswordError(reason=reason):
            return _problem(request, 422, "weak-password", WEAK[reason], reason=reason)
        case e.EmailTakenError():
            return _problem(
                request,
                409,
                "email-taken",
                "Địa chỉ thư điện tử này đã được dùng để đăng ký tài khoản.",
            )
        case e.InvalidCredentialsError():
            return _problem(
                request, 401, "invalid-credentials", "Thư điện tử hoặc mật khẩu không đúng."
            )
        case e.AccountNotActivatedError():
            return _problem(
                request,
                403,
                "account-not-activated",
                "Tài khoản chưa được kích hoạt. Vui lòng mở thư kích hoạt đã gửi "
                "đến hộp thư của bạn.",
            )
        case e.AccountDisabledError():
            return _problem(request, 403, "account-disabled", "Tài khoản đã bị khóa.")
        case e.LoginThrottledError(retry_after=seconds, locked=locked):
            type_ = "account-locked" if locked else "login-throttled"
            detail = (
                f"Tài khoản tạm thời bị khóa do đăng nhập sai nhiều lần. Vui lòng thử lại "
                f"sau {seconds} giây hoặc đặt lại mật khẩu."
                if locked
                else f"Bạn đã đăng nhập sai nhiều lần. Vui lòng thử lại sau {seconds} giây."
            )
            return _problem(request, 429, type_, detail, {"Retry-After": str(seconds)})
        case e.TooManyRequestsError(retry_after=seconds):
            return _problem(
                request,
                429,
                "too-many-requests",
                "Bạn thao tác quá nhiều lần, vui lòng thử lại sau.",
                {"Retry-After": str(seconds)},
            )
        case e.InvalidLinkTokenError():
            return _problem(
                request,
                400,
                "invalid-link-token",
                "Liên kết không hợp lệ, đã được sử dụng hoặc đã hết hạn.",
            )
        case e.InvalidRefreshTokenError():
            return _problem(
                request,
                401,
                "invalid-refresh-token",
                "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.",
            )
        case e.CaptchaError():
            return _problem(
                request,
                400,
                "captcha-failed",
                "Chữ xác nhận không đúng hoặc đã hết hạn, vui lòng thử lại.",
            )
        case e.AccountNotFoundError() | e.DocumentNotFoundError():
            return _problem(request, 404, "not-found", "Không tìm thấy tài nguyên được yêu cầu.")
        case e.NotAllowedError():
            return _problem(request, 403, "forbidden", "Bạn không có quyền thực hiện thao tác này.")
        case e.ConcurrentChangeError():
            return _problem(
                request,
                409,
                "conflict",
                "Dữ liệu đã bị thay đổi bởi thao tác khác, vui lòng thử lại.",
            )
        case e.LinkSealingUnavailableError():
            return _problem(
                request,
                503,
                "service-unavailable",
                "Dịch vụ gửi thư tạm thời chưa sẵn sàng, vui lòng thử lại sau.",
                {"Retry-After": "5"},
            )
        case BlobUnavailableError():
            return _problem(
                request,
                503,
                "file-store-unavailable",
                "Kho lưu trữ tệp tạm thời không truy cập được, vui lòng thử lại sau ít phút.",
                {"Retry-After": "5"},
            )
        case BlobTooLargeError(limit=limit):
            return _problem(
                request,
                413,
                "file-too-large",
                f"Tệp đính kèm vượt quá {limit // (1024 * 1024)} MiB.",
            )
        case BlobNotFoundError():  # the document's file is not in the store
            return _problem(request, 404, "not-found", "Không tìm thấy tệp của giấy tờ này.")
        case BlobError():
            return _problem(
                request, 415, "file-type-not-allowed", "Chỉ chấp nhận tệp PDF, JPEG hoặc PNG."
            )
    raise error


def store_unavailable(request: Request, error: Exception) -> JSONResponse:
    """PostgreSQL unreachable (or not prepared yet): retry later, never a 500."""
    log.warning("identity store unavailable: %s", type(error).__name__)
    return _problem(
        request,
        503,
        "store-unavailable",
        "Hệ thống tạm thời không truy cập được dữ liệu, vui lòng thử lại sau ít phút.",
        {"Retry-After": "5"},
    )


def install(app: FastAPI) -> None:
    async def handler(request: Request, error: Exception) -> JSONResponse:
        return to_problem(request, error)

    async def unavailable(request: Request, error: Exception) -> JSONResponse:
        return store_unavailable(request, error)

    app.add_exception_handler(e.IdentityError, handler)
    app.add_exception_handler(BlobError, handler)
    for error in (StoreUnavailableError, PoolTimeout, psycopg.OperationalError):
        app.add_exception_handler(error, unavailable)
