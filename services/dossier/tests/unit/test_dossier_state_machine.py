"""Random command sequences by random actors at random times (hypothesis).

Invariants after every step: each state change is an edge the rules allow;
the appointment is never before acceptance; while a supplement is outstanding
the appointment does not move, and answering moves it by exactly the paused
working days; the hash chain is valid; replaying the events gives the same state.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from services.dossier.domain.chain import verify
from services.dossier.domain.dossier import Dossier
from services.dossier.domain.errors import DossierError
from services.dossier.domain.rules import allowed_edges
from services.dossier.domain.status import Status
from services.dossier.tests.unit.builders import (
    ADMIN,
    ALL_DUTIES,
    APPROVER,
    AUDITOR,
    CALENDAR,
    FOREIGN,
    OTHER_CITIZEN,
    OWNER,
    PROCESSOR,
    RECEIVER,
    SYSTEM,
    T0,
    draft,
    uploaded,
)
from shared.events.envelope import Actor

ACTORS = st.sampled_from(
    [
        OWNER,
        OTHER_CITIZEN,
        RECEIVER,
        PROCESSOR,
        APPROVER,
        ADMIN,
        ALL_DUTIES,
        FOREIGN,
        AUDITOR,
        SYSTEM,
    ]
)


def usually(party: Actor) -> st.SearchStrategy[Actor]:
    """The party who may act, most of the time, so runs get deep into the lifecycle."""
    return st.one_of(st.just(party), st.just(party), st.just(party), ACTORS)


# Ending a dossier early is tried rarely, for the same reason.
RARELY = st.integers(min_value=0, max_value=19).map(lambda n: n == 0)
EDGES = allowed_edges()


class DossierMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dossier = draft()
        self.now = T0
        self.events: list[Any] = list(self.dossier.collect_events())
        self.uploads = 0
        self.appointment_at_request: datetime | None = None
        self.requested_at: datetime | None = None

    def _do(self, command: str, actor: Actor, *args: Any) -> None:
        before = self.dossier.status
        appointment = self.dossier.appointment_at
        try:
            getattr(self.dossier, command)(actor, *args)
        except DossierError:
            assert self.dossier.status is before
            return
        after = self.dossier.status
        assert (before, after) in EDGES, (command, before, after)
        if after is Status.SUPPLEMENT_REQUESTED and before is not after:
            self.appointment_at_request, self.requested_at = appointment, self.now
        if before is Status.SUPPLEMENT_REQUESTED and after is not before:
            assert self.requested_at is not None
            paused = CALENDAR.working_days_between(self.requested_at, self.now)
            expected = (
                CALENDAR.add_working_days(self.appointment_at_request, paused)
                if self.appointment_at_request
                else None
            )
            assert self.dossier.appointment_at == expected
        self.events.extend(self.dossier.collect_events())

    def _advance(self) -> None:
        """The happy path's next step by the right party, so runs reach every state."""
        d, now = self.dossier, self.now
        step = {
            Status.DRAFT: lambda: self._do("submit", OWNER, now),
            Status.SUBMITTED: lambda: self._do("accept", RECEIVER, now, CALENDAR),
            Status.ACCEPTED: lambda: self._do("start_processing", PROCESSOR, now),
            Status.IN_PROCESSING: (
                (lambda: self._do("approve", APPROVER, {"number": "KS"}, now))
                if d.proposal
                else (lambda: self._do("propose", PROCESSOR, "approve", "Đạt", now))
            ),
            Status.SUPPLEMENT_REQUESTED: lambda: self._do(
                "supplement",
                OWNER,
                [{"document_code": "giay_chung_sinh", "note": "Xong"}],
                now,
                CALENDAR,
            ),
            Status.AWAITING_PAYMENT: lambda: self._do("record_payment", SYSTEM, "o-1", 8000, now),
            Status.RESULT_READY: lambda: self._do("return_result", RECEIVER, "online", now),
        }.get(d.status)
        if step is not None:
            step()

    @rule()
    def advance(self) -> None:
        self._advance()

    @rule()
    def advance_again(self) -> None:
        self._advance()

    @rule(hours=st.integers(min_value=0, max_value=24 * 9))
    def time_passes(self, hours: int) -> None:
        self.now += timedelta(hours=hours)

    @rule(actor=usually(OWNER))
    def upload(self, actor: Actor) -> None:
        self.uploads += 1
        self._do("add_attachment", actor, uploaded(f"u{self.uploads}", "giay_chung_sinh"))

    @rule(actor=usually(OWNER))
    def save_form(self, actor: Actor) -> None:
        self._do("save_form", actor, {"ho_ten": "Lê Văn Cường"})

    @rule(actor=usually(OWNER))
    def submit(self, actor: Actor) -> None:
        self._do("submit", actor, self.now)

    @rule(actor=usually(RECEIVER))
    def accept(self, actor: Actor) -> None:
        self._do("accept", actor, self.now, CALENDAR)

    @rule(actor=usually(RECEIVER), go=RARELY)
    def reject_at_reception(self, actor: Actor, go: bool) -> None:
        if not go:
            return
        self._do("reject_at_reception", actor, "Không đúng thẩm quyền", self.now)

    @rule(actor=usually(ALL_DUTIES))
    def request_supplement(self, actor: Actor) -> None:
        self._do(
            "request_supplement",
            actor,
            [{"document_code": "giay_chung_sinh", "reason": "Mờ"}],
            "Bổ sung",
            self.now,
        )

    @rule(actor=usually(OWNER))
    def supplement(self, actor: Actor) -> None:
        self._do(
            "supplement",
            actor,
            [{"document_code": "giay_chung_sinh", "note": "Đã bổ sung"}],
            self.now,
            CALENDAR,
        )

    @rule(actor=usually(PROCESSOR))
    def start_processing(self, actor: Actor) -> None:
        self._do("start_processing", actor, self.now)

    @rule(actor=usually(ADMIN))
    def assign(self, actor: Actor) -> None:
        self._do("assign", actor, "processor-2", self.now)

    @rule(actor=usually(PROCESSOR), decision=st.sampled_from(["approve", "reject"]))
    def propose(self, actor: Actor, decision: str) -> None:
        self._do("propose", actor, decision, "Đề xuất", self.now)

    @rule(actor=usually(APPROVER))
    def approve(self, actor: Actor) -> None:
        self._do("approve", actor, {"number": "KS"}, self.now)

    @rule(actor=usually(APPROVER), go=RARELY)
    def reject(self, actor: Actor, go: bool) -> None:
        if not go:
            return
        self._do("reject", actor, "Không đủ điều kiện", self.now)

    @rule(actor=usually(APPROVER), days=st.integers(min_value=-2, max_value=10))
    def extend(self, actor: Actor, days: int) -> None:
        base = self.dossier.appointment_at or self.now
        self._do("extend", actor, "Gia hạn", base + timedelta(days=days), self.now)

    @rule(actor=usually(SYSTEM), amount=st.sampled_from([0, 8000]))
    def pay(self, actor: Actor, amount: int) -> None:
        self._do("record_payment", actor, "order-1", amount, self.now)

    @rule(actor=usually(RECEIVER), channel=st.sampled_from(["office", "post", "online"]))
    def return_result(self, actor: Actor, channel: str) -> None:
        self._do("return_result", actor, channel, self.now)

    @rule(actor=usually(OWNER), go=RARELY)
    def withdraw(self, actor: Actor, go: bool) -> None:
        if not go:
            return
        self._do("withdraw", actor, "Không còn nhu cầu", self.now)

    @rule(actor=usually(OWNER), score=st.integers(min_value=0, max_value=6))
    def rate(self, actor: Actor, score: int) -> None:
        self._do("rate", actor, score, "", self.now)

    @invariant()
    def appointment_never_before_acceptance(self) -> None:
        d = self.dossier
        if d.appointment_at is not None:
            assert d.accepted_at is not None and d.appointment_at >= d.accepted_at

    @invariant()
    def paused_clock_keeps_the_appointment(self) -> None:
        if self.dossier.status is Status.SUPPLEMENT_REQUESTED:
            assert self.dossier.appointment_at == self.appointment_at_request

    @invariant()
    def chain_is_valid_and_replay_agrees(self) -> None:
        assert verify(self.events, self.dossier.chain_head).valid
        replayed: Dossier | None = None
        for domain_event in self.events:
            replayed = domain_event.mutate(replayed)
        assert replayed is not None
        assert replayed.status is self.dossier.status
        assert replayed.appointment_at == self.dossier.appointment_at
        assert replayed.version == self.dossier.version


DossierMachine.TestCase.settings = settings(max_examples=80, stateful_step_count=100, deadline=None)
TestDossierStateMachine = DossierMachine.TestCase
