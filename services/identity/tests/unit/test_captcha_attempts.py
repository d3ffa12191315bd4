"""One attempt per captcha challenge: a wrong answer uses it up, so that the few possible
sums cannot all be tried on one challenge."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from services.identity.adapters.hashing import Argon2Hasher
from services.identity.application.passwords import forgot_password
from services.identity.domain.captcha import WORDS, new_challenge
from services.identity.domain.errors import CaptchaError
from services.identity.tests.unit.fakes import FakeStore
from services.identity.tests.unit.test_login import Clock, _ctx


def test_a_wrong_answer_uses_the_challenge_up(tmp_path: Path) -> None:
    clock = Clock()
    ctx = _ctx(tmp_path, Argon2Hasher(), FakeStore(), clock)
    challenge = new_challenge(ctx.captcha_key, clock())
    a, b = challenge.question.lower().split(" bằng ")[0].split(" cộng ")
    answer = WORDS.index(a) + WORDS.index(b)

    def forgot(given: int, token: str = challenge.token) -> None:
        asyncio.run(forgot_password(ctx, "hoa@example.vn", token, str(given)))

    with pytest.raises(CaptchaError):
        forgot(answer + 1)
    with pytest.raises(CaptchaError):
        forgot(answer)  # the right answer comes too late: the challenge is spent
    fresh = new_challenge(ctx.captcha_key, clock())
    x, y = fresh.question.lower().split(" bằng ")[0].split(" cộng ")
    forgot(WORDS.index(x) + WORDS.index(y), fresh.token)  # a new challenge is needed
