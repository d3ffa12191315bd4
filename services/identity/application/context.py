"""What every use case needs, wired once by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from services.identity.application.ports import AccessTokens, Accounts, PasswordHasher
from services.identity.domain.errors import LinkSealingUnavailableError
from services.identity.domain.passwords import PasswordPolicy
from services.identity.domain.throttle import ThrottlePolicy
from services.identity.settings import IdentitySettings
from shared.blobstore import BlobStore
from shared.sealing import public_key_from_text, seal
from shared.vn.time import utc_now


class LinkSealer:
    """Seals emailed links for notify. The key file is read when first needed, so
    identity may start before notify has created its key pair."""

    def __init__(self, configured: str | None, key_file: Path) -> None:
        self.key_file = key_file
        self._key: X25519PublicKey | None = public_key_from_text(configured) if configured else None

    def seal(self, link: str, account_id: str) -> str:
        if self._key is None:
            try:
                self._key = public_key_from_text(self.key_file.read_text())
            except (OSError, ValueError) as error:
                raise LinkSealingUnavailableError() from error
        return seal(self._key, link, aad=account_id.encode())


@dataclass
class Identity:
    settings: IdentitySettings
    store: Accounts
    hasher: PasswordHasher
    policy: PasswordPolicy
    issuer: AccessTokens
    sealer: LinkSealer
    blobs: BlobStore
    captcha_key: bytes
    throttle: ThrottlePolicy
    clock: Callable[[], datetime] = field(default=utc_now)

    def link(self, path: str, token: str) -> str:
        return f"{self.settings.portal_url.rstrip('/')}{path}?token={token}"

    @property
    def refresh_ttl(self) -> timedelta:
        return timedelta(days=self.settings.refresh_token_days)
