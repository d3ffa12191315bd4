"""notify's refusals, as problem+json (``shared.errors.Problem``): stable ``type``, Vietnamese
``detail``."""

from __future__ import annotations

from shared.errors import Problem


class InvalidCursorError(Problem):
    status = 422
    type = "invalid-cursor"
    detail = "Tham số phân trang không hợp lệ."


class NotificationNotFoundError(Problem):
    """Someone else's entry looks the same as none: no existence leak."""

    status = 404
    type = "notification-not-found"
    detail = "Không tìm thấy thông báo."


class UnknownNotificationKindError(Problem):
    status = 422
    type = "unknown-notification-kind"

    def __init__(self, kinds: list[str]) -> None:
        super().__init__(f"Loại thông báo không tồn tại: {', '.join(kinds)}.", kinds=kinds)
