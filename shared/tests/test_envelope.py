"""The integration-event envelope (CloudEvents 1.0 + Một Cửa extensions)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from shared.events.envelope import Actor, IntegrationEvent
from shared.events.schemas import SCHEMA_DIR, rendered
from shared.events.topics import dlq_topic, events_topic

SUBJECT = str(uuid.uuid4())


def event(**overrides: object) -> IntegrationEvent:
    fields: dict[str, object] = {
        "id": IntegrationEvent.stable_id(SUBJECT, 1),
        "source": "/motcua/dossier",
        "type": "vn.motcua.dossier.submitted",
        "subject": SUBJECT,
        "time": datetime(2026, 11, 21, 8, 0, tzinfo=timezone(timedelta(hours=7))),
        "data": {"code": "HN-261121-ABCD1234X", "ghi_chu": "Hồ sơ đăng ký khai sinh"},
        "sequence": 1,
        "actor": Actor(id="u1", role="citizen"),
    }
    fields.update(overrides)
    return IntegrationEvent.model_validate(fields)


def test_round_trips_through_bytes_with_vietnamese_text_intact() -> None:
    original = event()
    again = IntegrationEvent.from_bytes(original.to_bytes())
    assert again == original
    assert again.data["ghi_chu"] == "Hồ sơ đăng ký khai sinh"


def test_time_is_normalised_to_utc() -> None:
    assert event().time == datetime(2026, 11, 21, 1, 0, tzinfo=UTC)


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValidationError):
        event(time=datetime(2026, 11, 21, 8, 0))


@pytest.mark.parametrize("bad_type", ["dossier.submitted", "vn.motcua.Dossier.Submitted", ""])
def test_type_must_follow_the_naming_rule(bad_type: str) -> None:
    with pytest.raises(ValidationError):
        event(type=bad_type)


def test_unknown_attributes_are_refused() -> None:
    with pytest.raises(ValidationError):
        event(extra="x")


def test_stable_id_depends_on_subject_and_sequence_only() -> None:
    assert IntegrationEvent.stable_id(SUBJECT, 3) == IntegrationEvent.stable_id(SUBJECT, 3)
    assert IntegrationEvent.stable_id(SUBJECT, 3) != IntegrationEvent.stable_id(SUBJECT, 4)
    assert IntegrationEvent.stable_id(SUBJECT, 3) != IntegrationEvent.stable_id("other", 3)


def test_of_derives_id_source_and_type_from_context_kind_subject_and_sequence() -> None:
    built = IntegrationEvent.of(
        context="dossier",
        kind="submitted",
        subject=SUBJECT,
        sequence=1,
        data={"code": "HN-261121-ABCD1234X", "ghi_chu": "Hồ sơ đăng ký khai sinh"},
        actor=Actor(id="u1", role="citizen"),
        time=datetime(2026, 11, 21, 8, 0, tzinfo=timezone(timedelta(hours=7))),
    )
    assert built == event()
    assert built.correlationid is None


def test_of_carries_the_correlation_id_and_a_republish_keeps_the_id() -> None:
    fields: dict[str, Any] = {
        "context": "identity",
        "kind": "account_registered",
        "subject": "acc-1",
        "sequence": 2,
        "data": {},
        "actor": Actor(id="identity", role="system"),
        "time": datetime(2026, 11, 21, 1, 0, tzinfo=UTC),
    }
    first = IntegrationEvent.of(**fields, correlation_id="req-7")
    again = IntegrationEvent.of(**fields | {"time": datetime(2026, 11, 22, tzinfo=UTC)})
    assert first.source == "/motcua/identity"
    assert first.type == "vn.motcua.identity.account_registered"
    assert first.correlationid == "req-7"
    assert first.id == again.id == IntegrationEvent.stable_id("acc-1", 2)


def test_of_refuses_a_kind_outside_the_naming_rule() -> None:
    with pytest.raises(ValidationError):
        IntegrationEvent.of(
            context="catalog",
            kind="ProcedurePublished",
            subject="1.001193",
            sequence=1,
            data={},
            actor=Actor(id="u1", role="admin"),
            time=datetime(2026, 11, 21, tzinfo=UTC),
        )


def test_context_comes_from_the_type() -> None:
    assert event().context == "dossier"


def test_topic_names() -> None:
    assert events_topic("dossier") == "motcua.dossier.events"
    assert events_topic("payment", "t1.") == "t1.motcua.payment.events"
    assert dlq_topic(events_topic("notify")) == "motcua.notify.events.dlq"
    with pytest.raises(ValueError):
        events_topic("unknown")


def test_checked_in_schemas_match_the_models() -> None:
    for name, text in rendered().items():
        hint = f"run python -m shared.events.schemas ({name})"
        assert (SCHEMA_DIR / name).read_text() == text, hint
