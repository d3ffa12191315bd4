"""Files a state dir kept on local disk before `motcua up` gave the services the S3 engine:
copied into the services' buckets (and left on disk), so their downloads keep working.

Idempotent and cheap once done: a file already in the bucket is only asked about (HEAD),
not read again.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from motcua_ops.ui import info, warn


@dataclass(frozen=True)
class BlobHome:
    service: str
    local_env: str  # the env var that moves the service's local store
    local_default: str  # below the state dir
    local_suffix: str  # below that env var's directory

    def local_root(self, state: Path) -> Path:
        base = os.environ.get(self.local_env)
        return Path(base) / self.local_suffix if base else state / self.local_default


# As in services/dossier/settings.py (blob_root) and services/identity/settings.py
# (resolved_data_dir() / "blobs").
HOMES = (
    BlobHome("dossier", "MOTCUA_DOSSIER_BLOB_DIR", "dossier/blobs", ""),
    BlobHome("identity", "MOTCUA_IDENTITY_DATA_DIR", "identity/blobs", "blobs"),
)


def local_files(root: Path) -> list[Path]:
    """The blobs of a local store: ``<root>/<ab>/<sha256>``."""
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.glob("??/*")
        if p.is_file() and len(p.name) == 64 and p.name.startswith(p.parent.name)
    )


def copy_local_blobs(state: Path, env: dict[str, str]) -> dict[str, int]:
    """Copy each service's local files into the bucket ``env`` gives it; return how many
    files each service has in its bucket now. A store that cannot be reached is reported
    and skipped (the service then answers 503 for files, and the next `up` tries again)."""
    from shared.blobstore import ALLOWED_TYPES, BlobTypeNotAllowedError, BlobUnavailableError
    from shared.blobstore_s3 import S3BlobStore, s3_client

    copied: dict[str, int] = {}
    for home in HOMES:
        prefix = f"MOTCUA_{home.service.upper()}_BLOB_S3_"
        files = local_files(home.local_root(state))
        if not env.get(prefix + "URL") or not files:
            continue
        bucket = os.environ.get(prefix + "BUCKET") or f"motcua-{home.service}"
        client = s3_client(
            env[prefix + "URL"],
            env[prefix + "ACCESS_KEY"],
            env[prefix + "SECRET_KEY"],
            env[prefix + "REGION"],
        )
        # no size limit here: these files passed the service's own checks when they came in
        store = S3BlobStore(client, bucket, max_bytes=1 << 62, allowed=ALLOWED_TYPES)
        count = 0
        try:
            for path in files:
                if store.exists(path.name):  # copied by an earlier `up`: not read again
                    count += 1
                    continue
                data = path.read_bytes()
                if hashlib.sha256(data).hexdigest() != path.name:
                    warn(f"{home.service}: {path} does not match its name; not copied")
                    continue
                try:
                    store.put(data)
                except BlobTypeNotAllowedError as error:
                    warn(f"{home.service}: {path} not copied: {error}")
                    continue
                count += 1
        except BlobUnavailableError as error:
            warn(f"{home.service}: local files not copied to S3 bucket {bucket}: {error}")
            continue
        finally:
            client.close()
        info(f"{home.service}: {count} local file(s) are in S3 bucket {bucket}")
        copied[home.service] = count
    return copied
