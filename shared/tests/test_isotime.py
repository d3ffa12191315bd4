"""IsoDatetime writes a moment as the bodies always had it and documents it as date-time."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel

from shared.http.isotime import IsoDatetime


class Stamped(BaseModel):
    at: IsoDatetime


def test_a_utc_moment_keeps_its_isoformat_text() -> None:
    moment = datetime(2026, 12, 3, 18, 30, 42, tzinfo=UTC)
    assert Stamped(at=moment).model_dump_json() == '{"at":"2026-12-03T18:30:42+00:00"}'


def test_an_iso_string_comes_back_as_it_was() -> None:
    for text in ("2026-12-03T18:30:42.000123+00:00", "2026-12-04T01:30:42+07:00"):
        assert Stamped.model_validate({"at": text}).model_dump(mode="json") == {"at": text}


def test_the_schema_says_date_time() -> None:
    schema = Stamped.model_json_schema(mode="serialization")
    assert schema["properties"]["at"] == {"type": "string", "format": "date-time", "title": "At"}
