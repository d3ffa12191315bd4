"""Which events become which notifications, and what people read (Vietnamese)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.events.envelope import IntegrationEvent


@dataclass(frozen=True)
class Email:
    subject: str
    body: str
    html: str | None = None  # sent as a multipart/alternative part when present


def inbox_title(event: IntegrationEvent) -> str | None:
    """The in-app notification for an event, or None if it concerns nobody's inbox."""
    if event.type == "vn.motcua.dossier.created":
        return "Đã tạo hồ sơ nháp."
    if event.type == "vn.motcua.dossier.submitted":
        return f"Hồ sơ {event.data['code']} đã được gửi đến cơ quan tiếp nhận."
    return None


def submitted_email(code: str, portal_url: str) -> Email:
    return Email(
        subject=f"[Một Cửa] Hồ sơ {code} đã được gửi thành công",
        body=(
            "Kính gửi Quý công dân,\n\n"
            f"Hồ sơ có mã {code} đã được gửi thành công đến cơ quan tiếp nhận.\n"
            "Cơ quan sẽ kiểm tra và thông báo kết quả tiếp nhận qua thư điện tử "
            "và trên Cổng dịch vụ công.\n\n"
            f"Tra cứu hồ sơ: {portal_url}/tra-cuu?ma={code}\n\n"
            "Trân trọng,\nHệ thống Một Cửa\n"
        ),
    )
