"""The one error base of the suite: a refusal a person can read.

Every service's domain and application errors derive from :class:`Problem`. It is pure (no
web framework): ``shared.problems.install_problem_handlers`` turns any of them into
application/problem+json (RFC 9457) with the Vietnamese ``detail`` and the stable ``type``.
"""

from __future__ import annotations


class Problem(Exception):
    """A refusal: ``status`` (HTTP), ``type`` (stable, for programs), ``detail`` (Vietnamese).

    Subclasses set the three as class attributes; an instance may give its own ``detail``,
    response ``headers`` (``Retry-After``) and extension members (``errors=[...]``).
    """

    status: int = 400
    type: str = "bad-request"
    detail: str = "Yêu cầu không hợp lệ."
    title: str | None = None

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        **extensions: object,
    ) -> None:
        if detail is not None:
            self.detail = detail
        self.headers = headers
        self.extensions = extensions
        super().__init__(self.detail)


class ProblemError(Problem):
    """A refusal built on the spot, where no named error fits (a route's own check)."""

    def __init__(
        self,
        status: int,
        type_: str,
        detail: str,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: object,
    ) -> None:
        self.status = status
        self.type = type_
        self.title = title
        super().__init__(detail, headers=headers, **extensions)


class StoreUnavailableError(Problem):
    """The service's store cannot be reached: nothing was written, the caller may retry."""

    status = 503
    type = "store-unavailable"
    detail = "Kho dữ liệu tạm thời không truy cập được, vui lòng thử lại sau ít phút."

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"Retry-After": "5"})
