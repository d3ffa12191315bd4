"""Named refusals of identity, each a :class:`shared.errors.Problem`: the shared handler
answers them as problem+json with the Vietnamese ``detail`` and the stable ``type``."""

from __future__ import annotations

from shared.errors import Problem

STORE_DETAIL = "Hệ thống tạm thời không truy cập được dữ liệu, vui lòng thử lại sau ít phút."

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


class IdentityError(Problem):
    """Base of every identity domain error."""


class InvalidFieldError(IdentityError):
    status = 422
    type = "validation-error"
    detail = "Dữ liệu gửi lên không hợp lệ, vui lòng kiểm tra lại."

    def __init__(self, field: str, code: str) -> None:
        super().__init__(FIELD_CODES.get(code), errors=[{"field": field, "code": code}])
        self.field = field
        self.code = code

    def __str__(self) -> str:  # for logs and tests: the stable code, not the prose
        return f"{self.field}: {self.code}"


class WeakPasswordError(IdentityError):
    status = 422
    type = "weak-password"

    def __init__(self, reason: str) -> None:
        super().__init__(WEAK[reason], reason=reason)
        self.reason = reason  # too_short, too_long, common, contextual

    def __str__(self) -> str:
        return self.reason


class EmailTakenError(IdentityError):
    status = 409
    type = "email-taken"
    detail = "Địa chỉ thư điện tử này đã được dùng để đăng ký tài khoản."


class InvalidCredentialsError(IdentityError):
    status = 401
    type = "invalid-credentials"
    detail = "Thư điện tử hoặc mật khẩu không đúng."


class AccountNotActivatedError(IdentityError):
    status = 403
    type = "account-not-activated"
    detail = "Tài khoản chưa được kích hoạt. Vui lòng mở thư kích hoạt đã gửi đến hộp thư của bạn."


class AccountDisabledError(IdentityError):
    status = 403
    type = "account-disabled"
    detail = "Tài khoản đã bị khóa."


class LoginThrottledError(IdentityError):
    status = 429

    def __init__(self, retry_after: int, locked: bool) -> None:
        self.type = "account-locked" if locked else "login-throttled"
        detail = (
            f"Tài khoản tạm thời bị khóa do đăng nhập sai nhiều lần. Vui lòng thử lại "
            f"sau {retry_after} giây hoặc đặt lại mật khẩu."
            if locked
            else f"Bạn đã đăng nhập sai nhiều lần. Vui lòng thử lại sau {retry_after} giây."
        )
        super().__init__(detail, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after
        self.locked = locked


class InvalidLinkTokenError(IdentityError):
    """An activation or reset token that is unknown, used or expired."""

    status = 400
    type = "invalid-link-token"
    detail = "Liên kết không hợp lệ, đã được sử dụng hoặc đã hết hạn."


class InvalidRefreshTokenError(IdentityError):
    status = 401
    type = "invalid-refresh-token"
    detail = "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại."


class CaptchaError(IdentityError):
    status = 400
    type = "captcha-failed"
    detail = "Chữ xác nhận không đúng hoặc đã hết hạn, vui lòng thử lại."


class TooManyRequestsError(IdentityError):
    status = 429
    type = "too-many-requests"
    detail = "Bạn thao tác quá nhiều lần, vui lòng thử lại sau."

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class AccountNotFoundError(IdentityError):
    status = 404
    type = "not-found"
    detail = "Không tìm thấy tài nguyên được yêu cầu."


class DocumentNotFoundError(IdentityError):
    status = 404
    type = "not-found"
    detail = "Không tìm thấy tài nguyên được yêu cầu."


class NotAllowedError(IdentityError):
    status = 403
    type = "forbidden"
    detail = "Bạn không có quyền thực hiện thao tác này."


class LinkSealingUnavailableError(IdentityError):
    """notify's public key for sealing email links is not known yet."""

    status = 503
    type = "service-unavailable"
    detail = "Dịch vụ gửi thư tạm thời chưa sẵn sàng, vui lòng thử lại sau."

    def __init__(self) -> None:
        super().__init__(headers={"Retry-After": "5"})


class ConcurrentChangeError(IdentityError):
    """Someone changed the account between our read and our write."""

    status = 409
    type = "conflict"
    detail = "Dữ liệu đã bị thay đổi bởi thao tác khác, vui lòng thử lại."
