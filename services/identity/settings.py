from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_IDENTITY_")

    mongo_database: str = Field("motcua_identity", description="MongoDB database of identity.")
