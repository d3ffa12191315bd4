"""The sliding-window limits on registration, activation-link and forgotten-password
requests, on a clock of our own: per address and per email, all or nothing, a refused
attempt does not push the lock further, and Retry-After is when the oldest counted
attempt leaves the window."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.identity.adapters.hashing import Argon2Hasher
from services.identity.application import limits
from services.identity.domain.errors import TooManyRequestsError
from services.identity.domain.limits import Window, refusal, take
from services.identity.entrypoints.http import auth
from services.identity.settings import IdentitySettings
from services.identity.tests.unit.fakes import FakeStore
from services.identity.tests.unit.test_login import Clock, _ctx
from shared.http.app import create_app

NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)  # 15:00 in Hà Nội
HOUR = Window(3, 3600)


def at(minutes: float) -> datetime:
    return NOW + timedelta(minutes=minutes)


def test_the_attempt_after_the_limit_waits_for_the_oldest_to_leave_the_window() -> None:
    log = [at(0), at(10), at(20)]
    assert HOUR.wait(log[:2], at(30)) == 0.0
    assert HOUR.wait(log, at(30)) == 30 * 60  # at(0) leaves at 60 min
    assert HOUR.wait(log, at(59.5)) == 30
    assert HOUR.wait(log, at(60)) == 0.0  # it has left: exactly a window after it was made
    assert HOUR.wait(log, at(65)) == 0.0
    assert HOUR.counted(log, at(65)) == [at(10), at(20)]


def test_a_lowered_limit_waits_until_enough_attempts_left() -> None:
    log = [at(0), at(10), at(20), at(30)]
    assert Window(2, 3600).wait(log, at(40)) == 40 * 60  # at(0), at(10), at(20) must go


def test_refused_attempts_do_not_count_so_the_lock_does_not_move() -> None:
    windows = {"k": HOUR}
    logs: dict[str, list[datetime]] = {}
    for minute in (0, 10, 20):
        outcome = take(windows, logs, at(minute))
        assert outcome.wait == 0.0
        logs = outcome.counted
    waits = [take(windows, logs, at(m)).wait for m in (21, 40, 59)]
    assert waits == [39 * 60, 20 * 60, 60]  # the same moment, whatever the retries
    assert take(windows, logs, at(60)).wait == 0.0


def test_an_attempt_counts_in_every_window_or_in_none() -> None:
    windows = {"address": Window(10, 3600), "email": Window(2, 3600)}
    logs = {"address": [at(1)], "email": [at(0), at(5)]}
    refused = take(windows, logs, at(30))
    assert refused.wait == 30 * 60
    assert refused.counted == {"address": [at(1)], "email": [at(0), at(5)]}
    admitted = take(windows, logs, at(60))
    assert admitted.wait == 0.0
    assert admitted.counted == {"address": [at(1), at(60)], "email": [at(5), at(60)]}
    assert admitted.expires_at("email", windows["email"]) == at(120)


def test_the_longest_wait_of_the_full_windows_is_the_answer() -> None:
    windows = {"address": Window(2, 3600), "email": Window(1, 600)}
    logs = {"address": [at(0), at(30)], "email": [at(35)]}
    assert take(windows, logs, at(40)).wait == 20 * 60  # the address frees at 60, email at 45


def test_the_refusal_says_when_in_vietnamese_time() -> None:
    error = refusal(29.2, NOW)
    assert error.retry_after == 30 and error.headers == {"Retry-After": "30"}
    assert error.detail == "Bạn đã thử quá nhiều lần. Vui lòng thử lại sau 30 giây."
    later = refusal(20 * 60 + 0.5, NOW)
    assert later.headers == {"Retry-After": "1201"}
    assert later.detail == "Bạn đã thử quá nhiều lần. Vui lòng thử lại sau 21 phút (lúc 15:21)."
    on_the_hour = refusal(3600, NOW)
    assert on_the_hour.detail.endswith("sau 60 phút (lúc 16:00).")
    night = datetime(2026, 11, 21, 16, 30, tzinfo=UTC)  # 23:30 in Hà Nội
    assert refusal(3600, night).detail.endswith("sau 60 phút (lúc 00:30 ngày 22/11/2026).")


def test_the_budgets_are_settings_per_form_per_address_and_per_email() -> None:
    settings = IdentitySettings(form_window_seconds=1800, forgot_per_address=50, forgot_per_email=2)
    assert limits.windows(settings, "forgot", "198.51.100.7", " Hoa@Example.VN ") == {
        "forgot:address:198.51.100.7": Window(50, 1800),
        "forgot:email:hoa@example.vn": Window(2, 1800),
    }
    defaults = IdentitySettings()
    for form in ("register", "resend", "forgot"):
        address, email = limits.windows(defaults, form, "a", "b@example.vn").values()
        assert address.limit >= 10 * email.limit  # a NAT is not one person


def test_one_email_is_refused_while_another_from_the_same_address_passes(
    tmp_path: Path,
) -> None:
    store, clock = FakeStore(), Clock()
    ctx = _ctx(tmp_path, Argon2Hasher(), store, clock)
    ctx.settings = IdentitySettings(data_dir=tmp_path, resend_per_address=4, resend_per_email=2)

    def resend(email: str) -> None:
        asyncio.run(limits.admit(ctx, "resend", "203.0.113.5", email))

    resend("hoa@example.vn")
    clock.now += timedelta(minutes=10)
    resend("HOA@example.vn")
    with pytest.raises(TooManyRequestsError) as refused:
        resend("hoa@example.vn")
    assert refused.value.retry_after == 50 * 60
    resend("nam@example.vn")  # the office's next citizen
    resend("lan@example.vn")
    with pytest.raises(TooManyRequestsError) as address_full:
        resend("binh@example.vn")  # now the address's budget is spent
    assert address_full.value.retry_after == 50 * 60
    clock.now += timedelta(minutes=50)  # the first attempt left both windows
    resend("binh@example.vn")
    with pytest.raises(TooManyRequestsError) as full_again:
        resend("hoa@example.vn")  # room for hoa's email, none for the address
    assert full_again.value.retry_after == 10 * 60
    clock.now += timedelta(minutes=10)
    resend("hoa@example.vn")


def test_the_route_answers_429_problem_json_with_retry_after(tmp_path: Path) -> None:
    store, clock = FakeStore(), Clock()
    ctx = _ctx(tmp_path, Argon2Hasher(), store, clock)
    ctx.settings = IdentitySettings(data_dir=tmp_path, resend_per_email=2)
    app = create_app("identity")
    app.state.identity = ctx
    app.include_router(auth.router)
    client = TestClient(app)

    def resend() -> int:
        response = client.post("/api/v1/auth/activation/resend", json={"email": "hoa@example.vn"})
        return response.status_code

    assert [resend(), resend()] == [202, 202]
    clock.now += timedelta(minutes=15)
    refused = client.post("/api/v1/auth/activation/resend", json={"email": "hoa@example.vn"})
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["Retry-After"] == "2700"
    body = refused.json()
    assert body["type"].endswith("/too-many-requests")
    assert body["detail"] == "Bạn đã thử quá nhiều lần. Vui lòng thử lại sau 45 phút (lúc 16:00)."
