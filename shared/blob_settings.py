"""Which blob store a service uses: the settings every service with files mixes in.

``MOTCUA_<SERVICE>_BLOB_S3_URL`` empty (the default) keeps the files on local disk;
set, the files go to that S3-compatible endpoint, into ``..._BLOB_S3_BUCKET``. The
launcher (``motcua up``) sets them for its versitygw engine.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings

from shared.blobstore import ALLOWED_TYPES, MAX_BYTES, BlobStore, LocalBlobStore

# S3 bucket naming rules (3-63 lowercase letters, digits, dots, hyphens)
BUCKET_PATTERN = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"


class BlobSettings(BaseSettings):
    blob_s3_url: str = Field(
        "",
        description="S3-compatible endpoint of the file store (http[s]://host:port); "
        "empty: files on local disk.",
    )
    blob_s3_bucket: str = Field(
        "motcua-files",
        pattern=BUCKET_PATTERN,
        description="Bucket of the files (created on first use if absent).",
    )
    blob_s3_region: str = Field("us-east-1", description="Region the S3 requests are signed for.")
    blob_s3_access_key: str = Field("", description="S3 access key id.")
    blob_s3_secret_key: SecretStr = Field(SecretStr(""), description="S3 secret access key.")
    blob_sweep_interval_hours: float = Field(
        24,
        ge=0,
        description="How often the files nothing refers to any more are deleted "
        "(shared.blob_sweep); 0: never by the service itself (run `motcua files sweep`).",
    )
    blob_sweep_grace_hours: float = Field(
        24, ge=0, description="Files younger than this are never swept, referenced or not."
    )

    @model_validator(mode="after")
    def _s3_keys_given(self) -> BlobSettings:
        if self.blob_s3_url and not (
            self.blob_s3_access_key and self.blob_s3_secret_key.get_secret_value()
        ):
            raise ValueError(
                "blob_s3_url is set: blob_s3_access_key and blob_s3_secret_key are required too"
            )
        return self

    def blob_sweep_grace(self) -> timedelta:
        return timedelta(hours=self.blob_sweep_grace_hours)

    def blob_store(
        self,
        local_root: Path,
        *,
        max_bytes: int = MAX_BYTES,
        allowed: frozenset[str] = ALLOWED_TYPES,
    ) -> BlobStore:
        """The configured store: S3 when a URL is set, else files under ``local_root``."""
        if not self.blob_s3_url:
            return LocalBlobStore(local_root, max_bytes=max_bytes, allowed=allowed)
        from shared.blobstore_s3 import S3BlobStore, s3_client

        client = s3_client(
            self.blob_s3_url,
            self.blob_s3_access_key,
            self.blob_s3_secret_key.get_secret_value(),
            self.blob_s3_region,
        )
        return S3BlobStore(
            client,
            self.blob_s3_bucket,
            region=self.blob_s3_region,
            max_bytes=max_bytes,
            allowed=allowed,
        )
