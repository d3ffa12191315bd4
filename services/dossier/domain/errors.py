"""Named domain errors; the API maps each to problem+json."""


class DossierError(Exception):
    """Base of every dossier rule violation."""

    type = "dossier-error"
    detail = "Thao tác trên hồ sơ không hợp lệ."


class NotOwnerError(DossierError):
    type = "dossier-not-owner"
    detail = "Bạn không phải người nộp hồ sơ này."


class InvalidTransitionError(DossierError):
    type = "dossier-invalid-transition"
    detail = "Hồ sơ đang ở trạng thái không cho phép thao tác này."


class OnlineFilingNotAllowedError(DossierError):
    type = "dossier-level-not-online"
    detail = "Thủ tục này chưa hỗ trợ nộp hồ sơ trực tuyến (mức độ 1-2)."
