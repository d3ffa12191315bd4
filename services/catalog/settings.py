from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_CATALOG_")

    mongo_database: str = Field("motcua_catalog", description="MongoDB database of catalog.")
