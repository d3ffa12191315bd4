"""Named domain errors; services/identity/entrypoints/http/errors.py maps each to problem+json."""

from __future__ import annotations


class IdentityError(Exception):
    """Base of every identity domain error."""


class InvalidFieldError(IdentityError):
    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


class WeakPasswordError(IdentityError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # too_short, too_long, common, contextual


class EmailTakenError(IdentityError):
    pass


class InvalidCredentialsError(IdentityError):
    pass


class AccountNotActivatedError(IdentityError):
    pass


class AccountDisabledError(IdentityError):
    pass


class LoginThrottledError(IdentityError):
    def __init__(self, retry_after: int, locked: bool) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after
        self.locked = locked


class InvalidLinkTokenError(IdentityError):
    """An activation or reset token that is unknown, used or expired."""


class InvalidRefreshTokenError(IdentityError):
    pass


class CaptchaError(IdentityError):
    pass


class TooManyRequestsError(IdentityError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


class AccountNotFoundError(IdentityError):
    pass


class DocumentNotFoundError(IdentityError):
    pass


class NotAllowedError(IdentityError):
    pass


class LinkSealingUnavailableError(IdentityError):
    """notify's public key for sealing email links is not known yet."""


class ConcurrentChangeError(IdentityError):
    """Someone changed the account between our read and our write."""
