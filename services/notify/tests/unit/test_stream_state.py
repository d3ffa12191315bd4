"""The deadline rows and statistics facts the agents derive from dossier events."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from faust.types import TP

from services.notify.domain.deadlines import follow, reminder_id
from services.notify.domain.stats import measures_of, stats_key
from services.notify.entrypoints.streams.deadlines import Reminders
from shared.events.envelope import Actor, IntegrationEvent
from shared.workdays import WorkCalendar

DUE = "2026-12-01T02:00:00+00:00"


def _event(sequence: int, kind: str, **data: Any) -> IntegrationEvent:
    return IntegrationEvent(
        id=IntegrationEvent.stable_id("d1", sequence),
        source="/motcua/dossier",
        type=f"vn.motcua.dossier.{kind}",
        subject="d1",
        time=datetime.now(UTC),
        data=data,
        sequence=sequence,
        actor=Actor(id="x", role="system"),
    )


def test_a_row_follows_the_dossier_and_ignores_redelivery() -> None:
    table: dict[str, Any] = {}
    follow(
        table,
        _event(1, "created", owner_id="u1", agency_code="NB.HOALU", procedure={"code": "1.001193"}),
        2,
    )
    follow(table, _event(2, "accepted", appointment_at=DUE), 2)
    follow(table, _event(3, "transferred", to_agency="NB.STP"), 2)
    row = follow(table, _event(2, "accepted", appointment_at="2030-01-01T00:00:00+00:00"), 2)
    assert row is not None and row["appointment_at"] == DUE and row["agency_code"] == "NB.STP"
    assert stats_key(row) == "NB.STP|1.001193" and row["partition"] == 2
    closed = follow(table, _event(4, "result_returned", at=DUE), 2)
    assert closed is not None and closed["closed"] is True


def test_completion_is_on_time_up_to_the_appointment_and_late_after() -> None:
    row = {"appointment_at": DUE}
    assert measures_of("vn.motcua.dossier.accepted", {}, row) == ["received"]
    assert measures_of("vn.motcua.dossier.result_returned", {"at": DUE}, row) == ["on_time"]
    assert measures_of(
        "vn.motcua.dossier.result_returned", {"at": "2026-12-01T02:00:01+00:00"}, row
    ) == ["late"]
    assert measures_of("vn.motcua.dossier.submitted", {}, row) == []


def test_a_reminder_id_changes_with_the_appointment() -> None:
    assert reminder_id("d1", "deadline_overdue", DUE) == reminder_id("d1", "deadline_overdue", DUE)
    assert reminder_id("d1", "deadline_overdue", DUE) != reminder_id(
        "d1", "deadline_overdue", "2026-12-02T02:00:00+00:00"
    )


class _Notifier:
    def __init__(self) -> None:
        self.sources: list[str] = []

    async def deliver(self, source: str, *_: Any) -> None:
        self.sources.append(source)


def test_a_reminder_goes_once_and_a_closed_dossier_is_forgotten() -> None:
    async def calendar() -> WorkCalendar:
        return WorkCalendar()

    table: dict[str, dict[str, Any]] = {}
    follow(table, _event(1, "created", owner_id="u", agency_code="NB.HOALU"), 0)
    follow(table, _event(2, "accepted", code="C1", appointment_at=DUE), 0)
    app = SimpleNamespace(consumer=SimpleNamespace(assignment=lambda: {TP("dossiers", 0)}))
    notifier = _Notifier()
    reminders = Reminders(app, table, notifier, "dossiers", calendar)  # type: ignore[arg-type]
    after = datetime(2026, 12, 2, tzinfo=UTC)

    asyncio.run(reminders.tick(after))
    asyncio.run(reminders.tick(after))
    overdue = reminder_id("d1", "deadline_overdue", DUE)
    assert notifier.sources == [overdue] and reminders.sent == {overdue}

    follow(table, _event(3, "result_returned", at=DUE), 0)
    asyncio.run(reminders.tick(after))
    assert notifier.sources == [overdue] and reminders.sent == set()
