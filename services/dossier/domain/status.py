"""Dossier states and the Vietnamese labels people see."""

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
