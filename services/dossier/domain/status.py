"""Dossier states, the Vietnamese labels people see, and the national portal's codes."""

from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    IN_PROCESSING = "in_processing"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    AWAITING_PAYMENT = "awaiting_payment"
    RESULT_READY = "result_ready"
    COMPLETED = "completed"
    REJECTED_AT_RECEPTION = "rejected_at_reception"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


LABELS: dict[Status, str] = {
    Status.DRAFT: "Nháp",
    Status.SUBMITTED: "Mới đăng ký",
    Status.ACCEPTED: "Đã tiếp nhận",
    Status.IN_PROCESSING: "Đang xử lý",
    Status.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung",
    Status.AWAITING_PAYMENT: "Chờ thanh toán",
    Status.RESULT_READY: "Đã có kết quả",
    Status.COMPLETED: "Đã trả kết quả",
    Status.REJECTED_AT_RECEPTION: "Từ chối tiếp nhận",
    Status.REJECTED: "Từ chối giải quyết",
    Status.WITHDRAWN: "Đã rút hồ sơ",
}

FINAL: frozenset[Status] = frozenset(
    {Status.COMPLETED, Status.REJECTED_AT_RECEPTION, Status.REJECTED, Status.WITHDRAWN}
)

# The national public-service portal's dossier status codes (one table, used by
# every export). A draft has never been filed, so it has no national code.
# Overdue is a measure computed from the appointment date, never a status.
NATIONAL_CODES: dict[Status, int | None] = {
    Status.DRAFT: None,
    Status.SUBMITTED: 1,  # mới đăng ký
    Status.ACCEPTED: 2,  # được tiếp nhận
    Status.REJECTED_AT_RECEPTION: 3,  # không được tiếp nhận
    Status.IN_PROCESSING: 4,  # đang xử lý
    Status.SUPPLEMENT_REQUESTED: 5,  # yêu cầu bổ sung giấy tờ
    Status.AWAITING_PAYMENT: 6,  # yêu cầu thực hiện nghĩa vụ tài chính
    Status.WITHDRAWN: 7,  # công dân yêu cầu rút hồ sơ
    Status.REJECTED: 8,  # dừng xử lý
    Status.RESULT_READY: 9,  # đã xử lý xong
    Status.COMPLETED: 10,  # đã trả kết quả
}
