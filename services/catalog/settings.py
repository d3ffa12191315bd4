from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings, TokenSettings


class CatalogSettings(ServiceSettings, TokenSettings):
    """The store is PostgreSQL: ``postgres_dsn`` and the schema ``pg_schema()`` (``catalog``
    unless ``MOTCUA_CATALOG_POSTGRES_SCHEMA`` says otherwise)."""

    model_config = SettingsConfigDict(env_prefix="MOTCUA_CATALOG_")
