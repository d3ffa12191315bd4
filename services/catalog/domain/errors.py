"""Domain errors of the catalogue: problems (``shared.errors.Problem``) whose ``detail``
is what a person reads (Vietnamese); the suite's handler answers them as problem+json."""

from __future__ import annotations

from shared.errors import Problem


class CatalogError(Problem):
    """Base of the catalogue's refusals; each use case gives its own ``detail``."""

    status = 400
    type = "catalog-error"


class InvalidProcedureError(CatalogError):
    status = 422
    type = "invalid-procedure"


class InvalidAgencyError(CatalogError):
    status = 422
    type = "invalid-agency"


class InvalidCalendarError(CatalogError):
    status = 422
    type = "invalid-calendar"


class InvalidTemplateError(CatalogError):
    status = 422
    type = "invalid-template"


class NotFoundError(CatalogError):
    status = 404
    type = "not-found"


class ConflictError(CatalogError):
    status = 409
    type = "conflict"


class NothingToPublishError(CatalogError):
    status = 409
    type = "nothing-to-publish"


class NotPublishedError(CatalogError):
    status = 409
    type = "not-published"
