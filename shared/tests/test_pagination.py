"""The one keyset cursor: what goes in comes out, anything else is refused."""

import base64
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.pagination import CursorError, decode_cursor, encode_cursor
from shared.vn.time import VN_TZ

AT = datetime(2026, 11, 20, 3, 4, 5, 678901, tzinfo=UTC)


def raw_cursor(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@given(
    at=st.datetimes(timezones=st.just(UTC)),
    row_id=st.text(min_size=1, max_size=40),
)
def test_a_cursor_decodes_to_the_time_and_id_it_was_made_of(at: datetime, row_id: str) -> None:
    cursor = encode_cursor(at, row_id)
    assert decode_cursor(cursor) == (at, row_id)
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_a_time_in_another_offset_is_encoded_in_utc() -> None:
    hanoi = AT.astimezone(VN_TZ)
    cursor = encode_cursor(hanoi, "d-1")
    assert cursor == encode_cursor(AT, "d-1")
    at, _ = decode_cursor(cursor)
    assert at.utcoffset() == timedelta(0)
    assert at == AT


def test_a_cursor_written_with_an_offset_decodes_to_utc() -> None:
    plus7 = AT.astimezone(timezone(timedelta(hours=7))).isoformat()
    at, row_id = decode_cursor(raw_cursor([plus7, "d-1"]))
    assert (at, at.utcoffset(), row_id) == (AT, timedelta(0), "d-1")


def test_a_time_without_offset_is_neither_encoded_nor_decoded() -> None:
    with pytest.raises(ValueError):
        encode_cursor(AT.replace(tzinfo=None), "d-1")
    with pytest.raises(CursorError):
        decode_cursor(raw_cursor([AT.replace(tzinfo=None).isoformat(), "d-1"]))


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not a cursor!",
        "%%%%",
        base64.urlsafe_b64encode(b"\xff\xfe\x00").decode(),
        raw_cursor([AT.isoformat()]),
        raw_cursor([AT.isoformat(), "d-1", "extra"]),
        raw_cursor([AT.isoformat(), 7]),
        raw_cursor(["yesterday", "d-1"]),
        raw_cursor({"at": AT.isoformat(), "id": "d-1"}),
        raw_cursor(42),
        # the payment service's old format, base64 of "time|id"
        base64.urlsafe_b64encode(f"{AT.isoformat()}|o-1".encode()).decode().rstrip("="),
    ],
)
def test_garbage_and_foreign_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(CursorError):
        decode_cursor(cursor)


def test_a_tampered_cursor_is_refused_or_reads_as_another_position_never_crashes() -> None:
    cursor = encode_cursor(AT, "d-1")
    for index in range(len(cursor)):
        for replacement in "A_-=*":
            tampered = cursor[:index] + replacement + cursor[index + 1 :]
            if tampered == cursor:
                continue
            try:
                at, row_id = decode_cursor(tampered)
            except CursorError:
                continue
            assert at.tzinfo is not None and isinstance(row_id, str)
