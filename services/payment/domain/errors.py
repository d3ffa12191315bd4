"""Named domain errors of payment; the shared problem handler answers each with its
``status``, ``type`` and Vietnamese ``detail``."""

from shared.errors import Problem


class PaymentError(Problem):
    """Base of every payment rule violation."""

    type = "payment-error"
    detail = "Thao tác thanh toán không hợp lệ."
    status = 400


class OrderNotFoundError(PaymentError):
    type = "payment-order-not-found"
    detail = "Không tìm thấy giao dịch."
    status = 404


class NotPayerError(PaymentError):
    """Raised as 'not found' by the application: another's order must stay invisible."""

    type = "payment-order-not-found"
    detail = "Không tìm thấy giao dịch."
    status = 404


class NotAllowedError(PaymentError):
    type = "payment-not-allowed"
    detail = "Bạn không có quyền thực hiện thao tác này trên giao dịch."
    status = 403


class InvalidStateError(PaymentError):
    type = "payment-invalid-state"
    detail = "Giao dịch đang ở trạng thái không cho phép thao tác này."
    status = 409


class AlreadyPaidError(InvalidStateError):
    type = "payment-already-paid"
    detail = "Giao dịch này đã được thanh toán."


class OrderCancelledError(InvalidStateError):
    type = "payment-order-cancelled"
    detail = "Giao dịch đã bị hủy nên không thể thanh toán."


class OrderExpiredError(InvalidStateError):
    type = "payment-order-expired"
    detail = (
        "Giao dịch đã hết hạn thanh toán. Vui lòng liên hệ cơ quan giải quyết "
        "hồ sơ để được hướng dẫn."
    )


class NotPaidError(InvalidStateError):
    type = "payment-not-paid"
    detail = "Giao dịch chưa được thanh toán."


class OnlinePaymentNotAllowedError(PaymentError):
    type = "payment-online-not-allowed"
    detail = "Thủ tục này chỉ nhận thanh toán trực tiếp tại cơ quan (chưa đạt mức độ 4)."
    status = 422


class UnknownMethodError(PaymentError):
    type = "payment-unknown-method"
    detail = "Phương thức thanh toán không được hỗ trợ."
    status = 422


class InvalidAmountError(PaymentError):
    type = "payment-invalid-amount"
    detail = "Số tiền không hợp lệ."
    status = 422


class InvalidFeeRequestError(PaymentError):
    type = "payment-invalid-fee-request"
    detail = "Yêu cầu thu phí không hợp lệ."
    status = 422


class IdempotencyKeyReusedError(PaymentError):
    type = "payment-idempotency-key-reused"
    detail = "Khóa Idempotency-Key đã được dùng cho một yêu cầu khác."
    status = 422


class IdempotencyKeyMissingError(PaymentError):
    type = "payment-idempotency-key-missing"
    detail = "Thiếu tiêu đề Idempotency-Key (1-128 ký tự chữ, số, '-', '_', ':', '.')."
    status = 400


class BadCursorError(Problem):
    """An ``after`` that is not a cursor the orders' list gave out."""

    type = "bad-cursor"
    detail = "Tham số phân trang không hợp lệ, vui lòng tải lại danh sách."
    status = 400
