"""Rate limits at the edge: which requests count against which limit, and how long a
refused caller waits.

Sliding windows (one minute by default) counted in a shared store (adapters/counters.py),
so every gateway instance sees the same counts and none keeps state of its own. Four
limits:

- ``client``: every request of one client address (health and static files excepted);
- ``login``: sign-in, registration, activation and password forms, per address, stricter;
- ``lookup``: the public dossier lookup without login, per address, stricter;
- ``account``: every API request and portal page of one signed-in account, whatever
  its address (checked once the access token or the portal's session cookie verified).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Forms that guess or spend something per attempt: passwords, emails, captchas.
LOGIN_PATHS = frozenset(
    {
        "/api/v1/auth/login",
        "/api/v1/auth/register",
        "/api/v1/auth/activate",
        "/api/v1/auth/activation/resend",
        "/api/v1/auth/password/forgot",
        "/api/v1/auth/password/reset",
        "/api/v1/auth/refresh",
        "/dang-nhap",
        "/dang-ky",
        "/kich-hoat",
        "/quen-mat-khau",
        "/dat-lai-mat-khau",
    }
)
LOOKUP_PREFIX = "/api/v1/lookup/"
LOOKUP_PAGE = "/tra-cuu"
EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/favicon.ico"})
EXEMPT_PREFIXES = ("/static/",)

DETAILS = {
    "login": "Bạn đã thử đăng nhập, đăng ký hoặc lấy lại mật khẩu quá nhiều lần. "
    "Vui lòng thử lại sau {seconds} giây.",
    "lookup": "Bạn tra cứu hồ sơ quá nhiều lần. Vui lòng thử lại sau {seconds} giây.",
    "client": "Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau {seconds} giây.",
    "account": "Tài khoản của bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau {seconds} giây.",
}


@dataclass(frozen=True)
class Limits:
    """Most requests per window for each limit (0 turns a limit off)."""

    client: int
    account: int
    login: int
    lookup: int
    window_seconds: int

    def of(self, name: str) -> int:
        return int(getattr(self, name))


@dataclass(frozen=True)
class Exceeded:
    """A limit a request went over, and the seconds until the next one would pass."""

    limit: str
    retry_after: float

    @property
    def seconds(self) -> int:
        """``Retry-After``: whole seconds, at least one."""
        return max(1, math.ceil(self.retry_after))

    @property
    def detail(self) -> str:
        return DETAILS[self.limit].format(seconds=self.seconds)


def buckets(method: str, path: str, query: str, address: str) -> list[tuple[str, str]]:
    """The (limit name, counter key) pairs one anonymous request counts against."""
    if path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES) or method == "OPTIONS":
        return []
    found = [("client", f"client:{address}")]
    if method == "POST" and path.rstrip("/") in LOGIN_PATHS:
        found.append(("login", f"login:{address}"))
    if method == "GET" and (path.startswith(LOOKUP_PREFIX) or (path == LOOKUP_PAGE and query)):
        found.append(("lookup", f"lookup:{address}"))
    return found


def retry_after(now: float, window_seconds: int, limit: int, previous: int, current: int) -> float:
    """Seconds until a request under one key passes, if no other comes meanwhile.

    The sliding window counter: the previous window's count, weighted by how much of it
    still overlaps the last ``window_seconds``, takes room from the current one.
    """
    window = int(now // window_seconds)
    elapsed = now - window * window_seconds
    room = limit - current
    if room > 0 and previous > 0:
        # passes once floor(previous * (1 - t / W)) < room, i.e. previous * (1 - t / W) < room
        frees_at = window_seconds * (1 - room / previous)
        if frees_at >= elapsed:
            return frees_at - elapsed + 1e-6
    # the next window, just after it starts: at its first instant this one's count still
    # weighs in full, so a full window refuses a request at exactly the boundary
    return (window + 1) * window_seconds - now + 1e-6
