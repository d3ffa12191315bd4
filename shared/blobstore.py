"""Content-addressed file storage: a port, a local-disk adapter and an in-memory fake
(the S3 adapter is in :mod:`shared.blobstore_s3`).

A blob is named by the SHA-256 of its bytes, so storing the same file twice
keeps one copy and a name can never point at different content. The content
type is sniffed from the bytes (magic numbers, ``filetype``), never taken from
the client, and checked against an allow-list together with the size.

Who may read a blob is not this module's business: services keep their own
records (owner, file name, sha256) and only hand out a blob through them. Nor is when
a blob goes: :mod:`shared.blob_sweep` deletes the blobs no record refers to any more,
once they are older than a grace period; a put of bytes already stored therefore
refreshes the blob's time, so what was just stored (again) is never swept.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import filetype

SHA256_HEX = re.compile(r"[0-9a-f]{64}")
MAX_BYTES = 10 * 1024 * 1024
ALLOWED_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


class BlobError(Exception):
    """Base of the errors a blob store raises."""


class BlobTooLargeError(BlobError):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"blob of {size} bytes exceeds {limit}")
        self.size = size
        self.limit = limit


class BlobTypeNotAllowedError(BlobError):
    def __init__(self, content_type: str | None) -> None:
        super().__init__(f"content type {content_type!r} is not allowed")
        self.content_type = content_type


class BlobNotFoundError(BlobError):
    pass


class BlobUnavailableError(BlobError):
    """The store cannot be reached or refuses us (down, timeout, bad keys): try again
    later; the APIs answer 503. Nothing was stored."""


@dataclass(frozen=True)
class BlobInfo:
    sha256: str
    size: int
    content_type: str


@dataclass(frozen=True)
class StoredBlob:
    """A blob as the store lists it: its name and when it was last put."""

    sha256: str
    modified: datetime


def sniff_content_type(data: bytes) -> str | None:
    """The MIME type the bytes' magic numbers say, or None if unknown."""
    kind = filetype.guess(data)
    return kind.mime if kind is not None else None


def check_blob(
    data: bytes, *, max_bytes: int = MAX_BYTES, allowed: frozenset[str] = ALLOWED_TYPES
) -> BlobInfo:
    """Validate size and sniffed type; raise a :class:`BlobError` if refused."""
    if len(data) > max_bytes:
        raise BlobTooLargeError(len(data), max_bytes)
    content_type = sniff_content_type(data)
    if content_type not in allowed:
        raise BlobTypeNotAllowedError(content_type)
    return BlobInfo(hashlib.sha256(data).hexdigest(), len(data), content_type)


def _checked_name(sha256: str) -> str:
    if not SHA256_HEX.fullmatch(sha256):
        raise BlobNotFoundError(sha256)
    return sha256


class BlobStore(Protocol):
    def put(self, data: bytes) -> str:
        """Store ``data`` (after :func:`check_blob`); return its sha256 hex."""
        ...

    def get(self, sha256: str) -> bytes:
        """The blob's bytes; :class:`BlobNotFoundError` if absent."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def listing(self) -> Iterator[StoredBlob]:
        """Every blob of the store (anything else in it is not listed)."""
        ...

    def modified(self, sha256: str) -> datetime | None:
        """When the blob was last put; None if absent."""
        ...

    def delete(self, sha256: str) -> None:
        """Remove the blob; absent is fine."""
        ...


class LocalBlobStore:
    """Blobs as files ``<root>/<ab>/<sha256>``, written atomically (temp file + rename)."""

    def __init__(
        self,
        root: Path,
        *,
        max_bytes: int = MAX_BYTES,
        allowed: frozenset[str] = ALLOWED_TYPES,
    ) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.allowed = allowed

    def _path(self, sha256: str) -> Path:
        name = _checked_name(sha256)
        return self.root / name[:2] / name

    def put(self, data: bytes) -> str:
        info = check_blob(data, max_bytes=self.max_bytes, allowed=self.allowed)
        path = self._path(info.sha256)
        try:
            if path.exists():
                os.utime(path)  # stored again: not to be swept as if forgotten
            else:
                _write_atomically(path, data)
        except OSError as error:  # the disk is full, gone or refuses us: nothing is stored
            raise BlobUnavailableError(f"put: {type(error).__name__}") from error
        return info.sha256

    def get(self, sha256: str) -> bytes:
        try:
            return self._path(sha256).read_bytes()
        except FileNotFoundError:
            raise BlobNotFoundError(sha256) from None
        except OSError as error:  # the disk is gone or refuses us
            raise BlobUnavailableError(f"get: {type(error).__name__}") from error

    def exists(self, sha256: str) -> bool:
        try:
            return self._path(sha256).is_file()
        except BlobNotFoundError:
            return False

    def listing(self) -> Iterator[StoredBlob]:
        for path in sorted(self.root.glob("??/*")):
            if SHA256_HEX.fullmatch(path.name) and path.parent.name == path.name[:2]:
                yield StoredBlob(path.name, _mtime(path))

    def modified(self, sha256: str) -> datetime | None:
        try:
            return _mtime(self._path(sha256))
        except (BlobNotFoundError, FileNotFoundError):
            return None

    def delete(self, sha256: str) -> None:
        try:
            self._path(sha256).unlink(missing_ok=True)
        except BlobNotFoundError:
            return
        except OSError as error:
            raise BlobUnavailableError(f"delete: {type(error).__name__}") from error


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class InMemoryBlobStore:
    """The fake for unit tests: same checks, bytes kept in a dict."""

    def __init__(
        self, *, max_bytes: int = MAX_BYTES, allowed: frozenset[str] = ALLOWED_TYPES
    ) -> None:
        self.blobs: dict[str, bytes] = {}
        self.times: dict[str, datetime] = {}
        self.max_bytes = max_bytes
        self.allowed = allowed

    def put(self, data: bytes) -> str:
        info = check_blob(data, max_bytes=self.max_bytes, allowed=self.allowed)
        self.blobs.setdefault(info.sha256, data)
        self.times[info.sha256] = datetime.now(UTC)
        return info.sha256

    def get(self, sha256: str) -> bytes:
        try:
            return self.blobs[_checked_name(sha256)]
        except KeyError:
            raise BlobNotFoundError(sha256) from None

    def exists(self, sha256: str) -> bool:
        return sha256 in self.blobs

    def listing(self) -> Iterator[StoredBlob]:
        for sha256 in sorted(self.blobs):
            yield StoredBlob(sha256, self.times[sha256])

    def modified(self, sha256: str) -> datetime | None:
        return self.times.get(sha256)

    def delete(self, sha256: str) -> None:
        self.blobs.pop(sha256, None)
        self.times.pop(sha256, None)
