"""Order and attempt states, with the Vietnamese labels people see."""

from enum import StrEnum


class OrderStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    REFUNDED = "refunded"  # fully refunded
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUND_DUE = "refund_due"  # paid after it was cancelled or expired: the money goes back


class AttemptStatus(StrEnum):
    STARTED = "started"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class FailureReason(StrEnum):
    CANCELLED = "cancelled"  # the payer chose "Hủy" at the provider
    EXPIRED = "expired"  # the attempt's time ran out
    FAILED = "failed"  # the provider refused the payment


ORDER_LABELS = {
    OrderStatus.PENDING: "Chờ thanh toán",
    OrderStatus.PAID: "Đã thanh toán",
    OrderStatus.REFUNDED: "Đã hoàn tiền",
    OrderStatus.CANCELLED: "Đã hủy",
    OrderStatus.EXPIRED: "Hết hạn thanh toán",
    OrderStatus.REFUND_DUE: "Đã nhận tiền sau khi giao dịch đóng, chờ hoàn tiền",
}
PARTLY_REFUNDED_LABEL = "Đã thanh toán, đã hoàn tiền một phần"
PAID_TWICE_LABEL = "Đã thanh toán; có khoản nộp trùng chờ hoàn tiền"
PAID_TWICE_REFUNDED_LABEL = "Đã thanh toán; khoản nộp trùng đã được hoàn"

ATTEMPT_LABELS = {
    AttemptStatus.STARTED: "Đang chờ thanh toán",
    AttemptStatus.SUCCEEDED: "Thành công",
    AttemptStatus.FAILED: "Không thành công",
}

# A started attempt of an order that no longer takes payment (paid another way, cancelled,
# expired): the payer should not finish it; money taken anyway is recorded and owed back.
STOPPED_ATTEMPT_LABEL = "Đã dừng: giao dịch không còn nhận thanh toán"

FAILURE_LABELS: dict[str, str] = {  # by FailureReason (a str)
    FailureReason.CANCELLED: "Người nộp đã hủy giao dịch",
    FailureReason.EXPIRED: "Giao dịch hết hạn chờ thanh toán",
    FailureReason.FAILED: "Giao dịch thất bại",
}

METHOD_LABELS = {
    "vnpay_sandbox": "Thanh toán trực tuyến (VNPay, môi trường thử nghiệm)",
    "vnpay": "Thanh toán trực tuyến qua VNPay",
    "office": "Nộp trực tiếp tại cơ quan",
}
ONLINE_METHODS = ("vnpay_sandbox", "vnpay")
CLOSED = (OrderStatus.CANCELLED, OrderStatus.EXPIRED)  # ended without being paid
