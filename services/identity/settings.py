from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.blob_settings import BUCKET_PATTERN, BlobSettings
from shared.settings import PruneSettings, ServiceSettings, state_dir


class IdentitySettings(ServiceSettings, BlobSettings, PruneSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_IDENTITY_")

    data_dir: Path | None = Field(
        None, description="Keys and blobs; defaults to $MOTCUA_STATE_DIR/identity."
    )
    signing_key_pem: str | None = Field(
        None, description="Ed25519 private key (PKCS#8 PEM) that signs tokens; else key files."
    )
    issuer: str = Field("motcua-identity", description="`iss` of every access token.")
    audience: str = Field("motcua", description="`aud` of every access token.")
    access_token_minutes: int = Field(10, ge=1, le=60, description="Access token lifetime.")
    refresh_token_days: int = Field(14, ge=1, le=90, description="Refresh session lifetime.")
    portal_url: str = Field(
        "http://127.0.0.1:8000",
        description="Public portal address used in emailed links (never taken from requests).",
    )
    activation_hours: int = Field(48, ge=1, le=168, description="Activation link lifetime.")
    reset_minutes: int = Field(30, ge=5, le=30, description="Reset link lifetime (≤ 30).")
    link_resend_seconds: int = Field(
        60, ge=0, description="Least time between two activation or reset emails of an account."
    )
    link_sends_per_day: int = Field(5, ge=1, description="Most such emails per account and day.")
    demo: bool = Field(
        False,
        description="Demo mode: the published demo password (README.md) may be set; "
        "`motcua seed --demo` turns it on for the seed.",
    )
    argon2_memory_kib: int = Field(19 * 1024, description="argon2id memory cost (KiB).")
    argon2_time_cost: int = Field(2, description="argon2id iterations.")
    argon2_parallelism: int = Field(1, description="argon2id lanes.")
    login_free_failures: int = Field(3, ge=1, description="Failures before logins are slowed.")
    login_base_delay_seconds: float = Field(
        1.0, gt=0, description="First wait once slowed; doubles with each further failure."
    )
    login_lock_after: int = Field(10, ge=2, le=50, description="Failures that lock an account.")
    login_lock_seconds: int = Field(900, ge=1, description="How long a lock lasts.")
    address_max_failures: int = Field(
        50, ge=1, description="Failed logins from one client address per window."
    )
    address_window_seconds: int = Field(900, ge=1, description="That window, in seconds.")
    form_window_seconds: int = Field(
        3600,
        ge=60,
        description="Sliding window of the registration, activation-resend and "
        "forgotten-password limits below.",
    )
    register_per_address: int = Field(
        100, ge=1, description="Registrations from one client address per window."
    )
    register_per_email: int = Field(10, ge=1, description="Registrations of one email per window.")
    resend_per_address: int = Field(
        100, ge=1, description="Activation-link requests from one client address per window."
    )
    resend_per_email: int = Field(
        5, ge=1, description="Activation-link requests for one email per window."
    )
    forgot_per_address: int = Field(
        100, ge=1, description="Forgotten-password requests from one client address per window."
    )
    forgot_per_email: int = Field(
        5, ge=1, description="Forgotten-password requests for one email per window."
    )
    throttle_keep_hours: float = Field(
        3.0, ge=0, description="Hours a throttle counter is kept after its window ended."
    )
    trusted_proxies: list[str] = Field(
        ["127.0.0.1", "::1"],
        description="Addresses or networks whose X-Forwarded-For is believed (the gateway).",
    )
    link_seal_public_key: str | None = Field(
        None, description="notify's X25519 public key (base64url) sealing emailed links."
    )
    link_seal_public_key_file: Path | None = Field(
        None,
        description="File with that key; defaults to $MOTCUA_STATE_DIR/notify/link-seal.key.pub.",
    )
    captcha_secret: str | None = Field(
        None, description="HMAC key of captcha challenges; else a generated key file."
    )
    max_document_bytes: int = Field(
        10 * 1024 * 1024, gt=0, description="Largest personal document file."
    )
    blob_s3_bucket: str = Field(
        "motcua-identity",
        pattern=BUCKET_PATTERN,
        description="Bucket of the document wallet's files when BLOB_S3_URL is set.",
    )

    def resolved_data_dir(self) -> Path:
        return self.data_dir or state_dir() / "identity"

    def seal_key_file(self) -> Path:
        return self.link_seal_public_key_file or state_dir() / "notify" / "link-seal.key.pub"
