"""Login, refresh-token rotation, logout.

A session is one login. Its refresh token ``<session id>.<secret>`` is stored
as a hash and replaced at every refresh; presenting a replaced token again
means it was stolen (or replayed), so the whole session is revoked.
Access tokens are short-lived JWTs that other services verify on their own;
revoking a session stops refreshes, and its last access token lives out its
few minutes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.identity.application.context import Identity
from services.identity.domain.accounts import Status
from services.identity.domain.errors import (
    AccountDisabledError,
    AccountNotActivatedError,
    InvalidCredentialsError,
    InvalidRefreshTokenError,
    LoginThrottledError,
    TooManyRequestsError,
)
from services.identity.domain.passwords import normalise_password
from services.identity.domain.tokens import new_token, same_hash, token_hash
from services.identity.domain.validation import InvalidFieldError, normalise_email

# The id no account has: an unknown email's failed login writes to it, so that it does
# the same store work as a known account's (the answer's time must not reveal accounts).
NOBODY = str(uuid.UUID(int=0))


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int

    def body(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_token": self.refresh_token,
            "refresh_expires_in": self.refresh_expires_in,
        }


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, int((moment - now).total_seconds() + 0.999))


async def _check_address(ctx: Identity, address: str, now: datetime) -> None:
    s = ctx.settings
    failures = await ctx.store.count_in_window(
        f"login-ip:{address}", now, s.address_window_seconds, increment=0
    )
    if failures >= s.address_max_failures:
        raise TooManyRequestsError(s.address_window_seconds)


async def _record_failure(
    ctx: Identity, account: dict[str, Any] | None, attempt: int, address: str, now: datetime
) -> None:
    await ctx.store.count_in_window(f"login-ip:{address}", now, ctx.settings.address_window_seconds)
    wait, locked = ctx.throttle.wait_after(attempt)
    await ctx.store.set_quietly(
        account["_id"] if account else NOBODY,
        {
            "login.not_before": now + timedelta(seconds=wait),
            **({"login.locked_at_failures": attempt} if locked else {}),
        },
    )


async def _admit(ctx: Identity, account: dict[str, Any], now: datetime) -> int:
    """Count this attempt as a failure before checking the password (success resets it),
    so that a burst of parallel guesses cannot all pass the throttle the first failures
    would have set: past the lock threshold (or, after a served lock, past one more try)
    the attempt is refused unchecked and its count taken back. Returns the attempt's
    number in the failure streak."""
    state = account.get("login", {})
    if state.get("not_before") and state["not_before"] > now:
        _, locked = ctx.throttle.wait_after(int(state.get("failures", 0)))
        raise LoginThrottledError(_seconds_until(state["not_before"], now), locked)
    attempt = await ctx.store.count_login_attempt(account["_id"])
    limit = max(ctx.throttle.lock_after, int(state.get("locked_at_failures", 0)) + 1)
    if attempt > limit:
        await ctx.store.count_login_attempt(account["_id"], -1)
        until = now + timedelta(seconds=ctx.throttle.lock_seconds)
        await ctx.store.set_quietly(account["_id"], {"login.not_before": until})
        raise LoginThrottledError(_seconds_until(until, now), True)
    return attempt


async def open_session(ctx: Identity, account: dict[str, Any], now: datetime) -> Tokens:
    session_id = str(uuid.uuid4())
    secret = new_token()
    expires = now + ctx.refresh_ttl
    await ctx.store.open_session(
        {
            "id": session_id,
            "account_id": account["_id"],
            "token_hash": token_hash(secret),
            "created_at": now,
            "expires_at": expires,
        },
        now,
    )
    return Tokens(
        ctx.issuer.access_token(account, session_id, now),
        f"{session_id}.{secret}",
        int(ctx.issuer.access_ttl.total_seconds()),
        int(ctx.refresh_ttl.total_seconds()),
    )


async def login(ctx: Identity, email: str, password: str, address: str) -> Tokens:
    now = ctx.clock()
    await _check_address(ctx, address, now)
    try:
        _, email_key = normalise_email(email)
    except InvalidFieldError:
        email_key = ""
    account = await ctx.store.by_email_key(email_key) if email_key else None
    if account is not None:
        attempt = await _admit(ctx, account, now)
    else:
        attempt = await ctx.store.count_login_attempt(NOBODY)
    stored = account.get("password_hash") if account else None
    if not ctx.hasher.verify(stored, normalise_password(password)):
        await _record_failure(ctx, account, attempt, address, now)
        raise InvalidCredentialsError()
    assert account is not None and stored is not None
    await ctx.store.set_quietly(account["_id"], {"login": {"failures": 0}})
    if account["status"] == Status.PENDING:
        raise AccountNotActivatedError()
    if account["status"] != Status.ACTIVE:
        raise AccountDisabledError()
    quiet: dict[str, Any] = {"last_login_at": now}
    if ctx.hasher.needs_rehash(stored):
        quiet["password_hash"] = ctx.hasher.hash(normalise_password(password))
    # Guarded: a password changed meanwhile must not be overwritten by the rehash.
    await ctx.store.set_quietly(account["_id"], quiet, guard={"password_hash": stored})
    return await open_session(ctx, account, now)


def _split(refresh_token: str) -> tuple[str, str]:
    session_id, _, secret = refresh_token.partition(".")
    if not session_id or not secret:
        raise InvalidRefreshTokenError()
    return session_id, secret


async def refresh(ctx: Identity, refresh_token: str) -> Tokens:
    now = ctx.clock()
    session_id, secret = _split(refresh_token)
    session = await ctx.store.session(session_id)
    if session is None or session["revoked_at"] is not None or session["expires_at"] <= now:
        raise InvalidRefreshTokenError()
    presented = token_hash(secret)
    if not same_hash(presented, session["token_hash"]):
        if presented in session.get("previous_hashes", []):
            await revoke_sessions(ctx, now, session_id=session_id)  # a replayed token
        raise InvalidRefreshTokenError()
    account = await ctx.store.by_id(session["account_id"])
    if account is None or account["status"] != Status.ACTIVE:
        raise InvalidRefreshTokenError()
    new_secret = new_token()
    if not await ctx.store.rotate_session(session_id, presented, token_hash(new_secret), now):
        raise InvalidRefreshTokenError()  # a concurrent refresh won
    return Tokens(
        ctx.issuer.access_token(account, session_id, now),
        f"{session_id}.{new_secret}",
        int(ctx.issuer.access_ttl.total_seconds()),
        _seconds_until(session["expires_at"], now),
    )


async def revoke_sessions(
    ctx: Identity,
    now: datetime,
    *,
    account_id: str | None = None,
    session_id: str | None = None,
    keep: str | None = None,
) -> int:
    """End one session, or every session of an account except ``keep``."""
    return await ctx.store.revoke_sessions(
        now, account_id=account_id, session_id=session_id, keep=keep
    )


async def logout(ctx: Identity, refresh_token: str) -> None:
    """Revoke the session the token belongs to; unknown tokens are ignored."""
    try:
        session_id, secret = _split(refresh_token)
    except InvalidRefreshTokenError:
        return
    session = await ctx.store.session(session_id)
    if session is not None and same_hash(token_hash(secret), session["token_hash"]):
        await revoke_sessions(ctx, ctx.clock(), session_id=session_id)
