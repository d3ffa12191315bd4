from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class NotifySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_NOTIFY_")

    mongo_database: str = Field("motcua_notify", description="MongoDB database of notify.")
    consumer_group: str = Field("motcua-notify", description="Kafka consumer group id.")
    mail_from: str = Field(
        "Một Cửa <no-reply@motcua.local>", description="Sender of every email."
    )
    portal_url: str = Field(
        "http://127.0.0.1:8000", description="Public portal address used in email links."
    )
