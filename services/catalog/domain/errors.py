"""Domain errors of the catalogue; api/errors.py maps them to problem+json."""

from __future__ import annotations


class CatalogError(Exception):
    """Base: ``detail`` is what a person reads (Vietnamese)."""

    status = 400
    type = "catalog-error"

    def __init__(self, detail: str, **extensions: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


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
