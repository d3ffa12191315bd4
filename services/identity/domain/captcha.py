"""The "chữ xác nhận" of the forgotten-password form: a small sum written in words.

Stateless: the challenge token carries a nonce, an expiry and an HMAC of the
expected answer, all signed; the service records every answered nonce, right or wrong, so a
challenge takes one attempt and cannot be replayed. It is a speed bump against scripted mass
requests, not a CAPTCHA in the strong sense; the per-address and per-account
limits are what actually bound abuse.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.identity.domain.errors import CaptchaError

WORDS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười")
LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True)
class Challenge:
    token: str
    question: str
    expires_at: datetime


def _mac(key: bytes, *parts: str) -> str:
    return hmac.new(key, "|".join(parts).encode(), hashlib.sha256).hexdigest()


def new_challenge(key: bytes, now: datetime) -> Challenge:
    a, b = secrets.randbelow(10) + 1, secrets.randbelow(10) + 1
    nonce = secrets.token_urlsafe(16)
    expires = now + LIFETIME
    body = {"n": nonce, "e": int(expires.timestamp()), "a": _mac(key, "answer", nonce, str(a + b))}
    payload = base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")
    question = f"{WORDS[a].capitalize()} cộng {WORDS[b]} bằng bao nhiêu? (nhập chữ số)"
    return Challenge(f"{payload}.{_mac(key, 'token', payload)}", question, expires)


@dataclass(frozen=True)
class Attempt:
    nonce: str
    expires_at: datetime
    solved: bool


def read_attempt(key: bytes, token: str, answer: str, now: datetime) -> Attempt:
    """An answer to a genuine, unexpired challenge (CaptchaError otherwise), and whether
    it is right. The caller must record the nonce as used either way."""
    try:
        payload, mac = token.split(".")
        if not hmac.compare_digest(mac, _mac(key, "token", payload)):
            raise CaptchaError()
        body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        nonce, expires_ts, expected = body["n"], int(body["e"]), body["a"]
    except (ValueError, KeyError, TypeError) as error:
        raise CaptchaError() from error
    expires = datetime.fromtimestamp(expires_ts, now.tzinfo)
    if now > expires:
        raise CaptchaError()
    solved = hmac.compare_digest(expected, _mac(key, "answer", nonce, answer.strip()))
    return Attempt(nonce, expires, solved)
