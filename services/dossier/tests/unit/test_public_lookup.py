"""The public lookup locks a code tried too often, and answers a wrong second factor of
a known code after the same work as an unknown code (in-memory event store)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.dossier.application.dossiers import DossierApplication, DossierNotFoundError
from services.dossier.application.lookup import PublicLookup
from services.dossier.application.ports import InMemoryLookupAttempts, InMemoryProcedures
from services.dossier.domain.code import new_code
from services.dossier.domain.errors import LookupLockedError
from services.dossier.domain.lookup import LookupPolicy, one_more
from services.dossier.entrypoints.http import lookup as lookup_route
from services.dossier.entrypoints.http.app import dossier_app
from services.dossier.tests.unit.builders import AGENCY, BIRTH, OWNER, uploaded

POLICY = LookupPolicy(attempts=5, lock_seconds=900)
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
UNKNOWN = new_code(AGENCY, START, "00000000")  # well formed, names no dossier


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


class CountingAttempts(InMemoryLookupAttempts):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def count(self, code: str, now: datetime, policy: LookupPolicy) -> Any:
        self.calls.append("count")
        return super().count(code, now, policy)

    def clear(self, code: str) -> None:
        self.calls.append("clear")
        super().clear(code)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dossiers() -> DossierApplication:
    procedures = InMemoryProcedures()
    procedures.add(BIRTH)
    return DossierApplication(procedures=procedures)


@pytest.fixture
def attempts() -> CountingAttempts:
    return CountingAttempts()


@pytest.fixture
def lookup(dossiers: DossierApplication, attempts: CountingAttempts, clock: Clock) -> PublicLookup:
    return PublicLookup(dossiers, attempts, POLICY, clock)


def submitted_code(dossiers: DossierApplication, number: str = "0123 4567 1234") -> str:
    form = {"ho_ten": "Nguyễn Văn An", "so_dinh_danh": number}
    dossier_id = dossiers.start_draft(
        OWNER, procedure_code="1.001193", agency_code=AGENCY, form=form
    )
    dossiers.add_attachment(dossier_id, OWNER, uploaded("a1", "giay_chung_sinh"))
    dossiers.add_attachment(dossier_id, OWNER, uploaded("a2", "cccd"))
    dossiers.submit(dossier_id, OWNER)
    code = dossiers.get_for(dossier_id, OWNER).code
    assert code is not None
    return code


def test_forty_wrong_numbers_then_the_right_one_is_refused_while_locked(
    lookup: PublicLookup, dossiers: DossierApplication, clock: Clock
) -> None:
    code = submitted_code(dossiers)
    for _ in range(POLICY.attempts):
        with pytest.raises(DossierNotFoundError):
            lookup.find(code, "9999")
    clock.now += timedelta(seconds=100)
    for guess in range(40):
        with pytest.raises(LookupLockedError) as locked:
            lookup.find(code, f"{guess:04d}")
    assert locked.value.status == 429
    assert locked.value.headers == {"Retry-After": "900"}  # from the first refused try
    clock.now += timedelta(seconds=899)
    with pytest.raises(LookupLockedError) as locked:
        lookup.find(code, "1234")
    assert locked.value.retry_after == 1
    clock.now += timedelta(seconds=1)
    assert lookup.find(code, "1234")["code"] == code


def test_the_right_number_clears_the_count(
    lookup: PublicLookup, dossiers: DossierApplication
) -> None:
    code = submitted_code(dossiers)
    for _ in range(3):
        for wrong in ("0000", "1111"):
            with pytest.raises(DossierNotFoundError):
                lookup.find(code, wrong)
        assert lookup.find(code, "1234")["status"] == "submitted"


def test_an_unknown_code_locks_like_a_known_one(lookup: PublicLookup) -> None:
    for _ in range(POLICY.attempts):
        with pytest.raises(DossierNotFoundError):
            lookup.find(UNKNOWN, "1234")
    with pytest.raises(LookupLockedError):
        lookup.find(UNKNOWN, "1234")


def test_a_wrong_number_and_an_unknown_code_do_the_same_store_calls(
    lookup: PublicLookup,
    dossiers: DossierApplication,
    attempts: CountingAttempts,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code = submitted_code(dossiers)
    reads: list[str] = []
    select_events = dossiers.recorder.select_events

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append("select_events")
        return select_events(*args, **kwargs)

    monkeypatch.setattr(dossiers.recorder, "select_events", counted)
    seen = []
    for asked in (code, UNKNOWN):
        reads.clear()
        attempts.calls.clear()
        with pytest.raises(DossierNotFoundError):
            lookup.find(asked, "9999")
        seen.append((list(attempts.calls), list(reads)))
    assert seen[0] == seen[1]
    assert seen[0] == (["count"], ["select_events", "select_events"])  # index, dossier


def test_a_malformed_code_is_not_counted(lookup: PublicLookup, attempts: CountingAttempts) -> None:
    with pytest.raises(DossierNotFoundError):
        lookup.find("không-phải-mã", "1234")
    assert attempts.calls == []


def test_tries_spread_beyond_the_window_start_a_new_count() -> None:
    record = None
    for day in range(20):
        record = one_more(record, START + timedelta(days=day), POLICY)
        assert record.locked_until is None and record.count == 1


@pytest.fixture
def client(lookup: PublicLookup) -> Iterator[TestClient]:
    api = dossier_app()
    api.state.lookup = lookup
    with TestClient(api) as test_client:
        yield test_client


def test_a_locked_code_answers_429_with_the_remaining_lock(
    client: TestClient, dossiers: DossierApplication, clock: Clock
) -> None:
    code = submitted_code(dossiers)
    for _ in range(POLICY.attempts):
        assert client.get(f"/api/v1/lookup/{code}", params={"id_last4": "0000"}).status_code == 404
    clock.now += timedelta(seconds=300)
    answer = client.get(f"/api/v1/lookup/{code}", params={"id_last4": "1234"})
    assert answer.status_code == 429
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["retry-after"] == "900"
    body = answer.json()
    assert body["type"].endswith("lookup-locked")
    assert "tạm khóa" in body["detail"] and "15 phút" in body["detail"]
    clock.now += timedelta(seconds=60)
    again = client.get(f"/api/v1/lookup/{code}", params={"id_last4": "1234"})
    assert again.headers["retry-after"] == "840"


def test_a_refusal_waits_out_the_floor_and_an_answer_does_not(
    client: TestClient,
    lookup: PublicLookup,
    dossiers: DossierApplication,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(lookup_route, "asyncio", SimpleNamespace(sleep=sleep))
    lookup.refusal_seconds = 0.5
    code = submitted_code(dossiers)
    for asked in (code, UNKNOWN):
        answer = client.get(f"/api/v1/lookup/{asked}", params={"id_last4": "9999"})
        assert answer.status_code == 404
    assert len(waits) == 2 and all(0 < wait <= 0.5 for wait in waits)
    assert client.get(f"/api/v1/lookup/{code}", params={"id_last4": "1234"}).status_code == 200
    assert len(waits) == 2
