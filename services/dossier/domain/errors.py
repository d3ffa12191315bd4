"""Named domain errors: each a :class:`shared.errors.Problem` (status, stable type,
Vietnamese detail), answered as problem+json by the suite's one handler."""

import math

from shared.errors import Problem


class DossierError(Problem):
    """Base of every dossier rule violation."""

    type = "dossier-error"
    detail = "Thao tác trên hồ sơ không hợp lệ."
    status = 400


class NotOwnerError(DossierError):
    type = "dossier-not-owner"
    detail = "Bạn không phải người nộp hồ sơ này."
    status = 403


class WrongAgencyError(DossierError):
    type = "dossier-wrong-agency"
    detail = "Hồ sơ không thuộc cơ quan của bạn."
    status = 403


class MissingOfficerRoleError(DossierError):
    type = "dossier-missing-officer-role"
    detail = "Bạn không được giao nhiệm vụ cần thiết cho thao tác này."
    status = 403


class NotAssigneeError(DossierError):
    type = "dossier-not-assignee"
    detail = "Hồ sơ đã được phân công cho cán bộ xử lý khác."
    status = 403


class NotAllowedError(DossierError):
    type = "dossier-not-allowed"
    detail = "Vai trò của bạn không được thực hiện thao tác này trên hồ sơ."
    status = 403


class InvalidTransitionError(DossierError):
    type = "dossier-invalid-transition"
    detail = "Hồ sơ đang ở trạng thái không cho phép thao tác này."
    status = 409


class OnlineFilingNotAllowedError(DossierError):
    type = "dossier-level-not-online"
    detail = "Thủ tục này chưa hỗ trợ nộp hồ sơ trực tuyến (mức độ 1-2)."
    status = 422


class AgencyNotServingError(DossierError):
    type = "dossier-agency-not-serving"
    detail = "Cơ quan được chọn không giải quyết thủ tục này."
    status = 422


class MissingDocumentsError(DossierError):
    type = "dossier-missing-documents"
    detail = "Hồ sơ còn thiếu giấy tờ bắt buộc."
    status = 422


class InvalidInputError(DossierError):
    type = "dossier-invalid-input"
    detail = "Dữ liệu không hợp lệ."
    status = 422


class AttachmentLimitError(DossierError):
    """The dossier holds as many files, or as many bytes, as one dossier may."""

    type = "dossier-attachment-limit"
    detail = "Hồ sơ đã đạt giới hạn tệp đính kèm."
    status = 422


class AlreadyRatedError(DossierError):
    type = "dossier-already-rated"
    detail = "Bạn đã đánh giá hồ sơ này."
    status = 409


class ResultNotFoundError(DossierError):
    type = "result-not-found"
    detail = "Hồ sơ chưa có tệp kết quả giải quyết để tải."
    status = 404


class LookupLockedError(Problem):
    """A code tried too often in the public lookup: locked for a while, whatever is given."""

    type = "lookup-locked"
    status = 429

    def __init__(self, retry_after: int) -> None:
        minutes = math.ceil(retry_after / 60)
        super().__init__(
            "Mã hồ sơ này đã bị tạm khóa tra cứu vì nhập sai số giấy tờ quá nhiều lần. "
            f"Vui lòng thử lại sau {minutes} phút.",
            headers={"Retry-After": str(retry_after)},
            retry_after=retry_after,
        )
        self.retry_after = retry_after
