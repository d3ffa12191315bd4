"""The composition root of identity, the one module that names its concrete adapters: the
use-case context from settings (shared by the app and the seed), its store (migrations to
head, then a pool) and the signing keys the key-rotation command manages."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from psycopg_pool import AsyncConnectionPool

from services.identity.adapters.common_passwords import common_passwords
from services.identity.adapters.hashing import Argon2Hasher
from services.identity.adapters.signing import TokenIssuer, add_key, load_keys
from services.identity.adapters.store import AccountStore
from services.identity.adapters.tables import metadata
from services.identity.application.context import Identity, LinkSealer
from services.identity.domain.passwords import PasswordPolicy
from services.identity.domain.throttle import ThrottlePolicy
from services.identity.settings import IdentitySettings
from shared.blobstore import BlobStore
from shared.pg.migrate import migrate
from shared.pg.pools import open_async_pool
from shared.pg.prune import Prune
from shared.secret_file import load_or_create_secret

MIGRATIONS = Path(__file__).parent / "migrations"


def account_store(pool: AsyncConnectionPool[Any] | None = None) -> AccountStore:
    """identity's PostgreSQL store; without ``pool`` it answers 503 until one is attached."""
    return AccountStore(pool)


def document_blobs(settings: IdentitySettings) -> BlobStore:
    """The wallet's files: S3 when a URL is set, else the local directory."""
    return settings.blob_store(
        settings.resolved_data_dir() / "blobs", max_bytes=settings.max_document_bytes
    )


def rotate_signing_key(settings: IdentitySettings) -> tuple[str, Path]:
    """Add a new signing key: its kid and the directory it is in."""
    directory = settings.resolved_data_dir() / "keys"
    return add_key(directory).kid, directory


def signing_key_ids(settings: IdentitySettings) -> list[str]:
    return [key.kid for key in load_keys(settings.resolved_data_dir() / "keys")]


def build_identity(settings: IdentitySettings, store: AccountStore) -> Identity:
    """The use cases' context on ``store`` (its pool may be attached later)."""
    data = settings.resolved_data_dir()
    keys = load_keys(data / "keys", settings.signing_key_pem)
    return Identity(
        settings=settings,
        store=store,
        hasher=Argon2Hasher(
            settings.argon2_memory_kib, settings.argon2_time_cost, settings.argon2_parallelism
        ),
        policy=PasswordPolicy(common_passwords(), demo=settings.demo),
        issuer=TokenIssuer(
            keys,
            settings.issuer,
            settings.audience,
            timedelta(minutes=settings.access_token_minutes),
        ),
        sealer=LinkSealer(settings.link_seal_public_key, settings.seal_key_file()),
        blobs=document_blobs(settings),
        captcha_key=(
            settings.captcha_secret.encode()
            if settings.captcha_secret
            else load_or_create_secret(data / "captcha.key")
        ),
        throttle=ThrottlePolicy(
            settings.login_free_failures,
            settings.login_base_delay_seconds,
            settings.login_lock_after,
            settings.login_lock_seconds,
        ),
    )


async def open_store(settings: IdentitySettings) -> AsyncConnectionPool[Any]:
    """Migrate identity's schema to head, then open its pool (raises while PostgreSQL
    cannot be reached)."""
    dsn, schema = settings.require("postgres_dsn"), settings.pg_schema()
    await asyncio.to_thread(migrate, dsn, schema, MIGRATIONS, metadata)
    return await open_async_pool(dsn, schema, name="identity")


def prune_rules(settings: IdentitySettings) -> list[Prune]:
    """Sessions go once expired (a refresh is refused from then on, revoked or not);
    login throttle counters ``throttle_keep_hours`` after their window ended (a counter
    whose window is over counts from zero anyway); a form limit's attempt log once its
    newest attempt left the window (none of them weighs any more)."""
    keep = timedelta(seconds=settings.address_window_seconds, hours=settings.throttle_keep_hours)

    def ended_windows(now: datetime) -> datetime:
        return now - keep

    def expired(now: datetime) -> datetime:
        return now

    return [
        Prune("sessions", "expires_at", expired),
        Prune("throttle", "window_start", ended_windows),
        Prune("attempt_logs", "expires_at", expired),
    ]
