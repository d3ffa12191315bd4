"""A moment in an answer's JSON, written as the services always wrote it.

Bodies carry Python's ``datetime.isoformat()`` (``2026-12-03T18:30:42+00:00``); pydantic
would write a UTC moment as ``...Z``. ``IsoDatetime`` keeps the text unchanged and the
OpenAPI document says ``format: date-time``. It reads an ISO string too, so a view that
holds its times as text (payment's orders) is declared with it as well.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema

IsoDatetime = Annotated[
    datetime,
    PlainSerializer(datetime.isoformat, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
