"""Change the password (knowing the current one) and reset a forgotten one by email."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.identity.application.context import Identity
from services.identity.application.ports import Change
from services.identity.application.registration import may_send_link
from services.identity.application.sessions import revoke_sessions
from services.identity.domain.accounts import Status, account_actor, system_actor
from services.identity.domain.captcha import read_attempt
from services.identity.domain.errors import (
    AccountNotFoundError,
    CaptchaError,
    InvalidCredentialsError,
    InvalidLinkTokenError,
)
from services.identity.domain.passwords import normalise_password
from services.identity.domain.tokens import new_token, token_hash
from services.identity.domain.validation import InvalidFieldError, normalise_email

RESET_PATH = "/dat-lai-mat-khau"


def _context_words(account: dict[str, Any]) -> list[str]:
    return [
        account["email_key"].split("@")[0],
        account["email_key"],
        account.get("profile", {}).get("national_id", ""),
    ]


async def change_password(
    ctx: Identity, account_id: str, current: str, new: str, keep_session: str | None
) -> None:
    account = await ctx.store.by_id(account_id)
    if account is None:
        raise AccountNotFoundError()
    if not ctx.hasher.verify(account.get("password_hash"), normalise_password(current)):
        raise InvalidCredentialsError()
    password = ctx.policy.check(new, _context_words(account))
    now = ctx.clock()
    done = await ctx.store.update(
        account,
        [Change("password_changed", {"account_id": account_id, "reason": "change"})],
        account_actor(account),
        now,
        set_={"password_hash": ctx.hasher.hash(password), "password_changed_at": now},
    )
    if not done:
        raise InvalidCredentialsError()
    await revoke_sessions(ctx, now, account_id=account_id, keep=keep_session)


async def forgot_password(
    ctx: Identity, email: str, captcha_token: str, captcha_answer: str
) -> None:
    """Email a reset link if the account exists and is active. The caller answers the
    same whatever happens here, and the work done is nearly the same either way:
    one token minted and sealed, at most one account update (the form's limits counted
    the request before, whatever the email)."""
    now = ctx.clock()
    attempt = read_attempt(ctx.captcha_key, captcha_token, captcha_answer, now)
    # One attempt per challenge: a wrong answer uses it up too.
    used = await ctx.store.use_captcha(attempt.nonce, attempt.expires_at, now)
    if not used or not attempt.solved:
        raise CaptchaError()
    try:
        _, email_key = normalise_email(email)
    except InvalidFieldError:
        email_key = ""
    token = new_token()
    account = await ctx.store.by_email_key(email_key) if email_key else None
    subject = account["_id"] if account else "none"
    sealed = ctx.sealer.seal(ctx.link(RESET_PATH, token), subject)
    if account is None or account["status"] != Status.ACTIVE:
        return
    allowed, sends = may_send_link(ctx, account)
    if not allowed:
        return
    expires_at = now + timedelta(minutes=ctx.settings.reset_minutes)
    change = Change(
        "password_reset_requested",
        {
            "account_id": account["_id"],
            "email": account["email"],
            "full_name": account["profile"]["full_name"],
            "sealed_link": sealed,
            "expires_at": expires_at.isoformat(),
        },
    )
    await ctx.store.update(
        account,
        [change],
        system_actor(),
        now,
        set_={
            "reset": {"token_hash": token_hash(token), "expires_at": expires_at},
            "link_sends": sends,
        },
    )


async def reset_password(ctx: Identity, token: str, new: str) -> None:
    now = ctx.clock()
    hashed = token_hash(token)
    account = await ctx.store.by_token("reset", hashed)
    if account is None or account["reset"]["expires_at"] <= now:
        raise InvalidLinkTokenError()
    password = ctx.policy.check(new, _context_words(account))
    done = await ctx.store.update(
        account,
        [Change("password_changed", {"account_id": account["_id"], "reason": "reset"})],
        system_actor(),
        now,
        set_={
            "password_hash": ctx.hasher.hash(password),
            "password_changed_at": now,
            "login": {"failures": 0},
        },
        unset=["reset"],
        guard={"reset.token_hash": hashed},
    )
    if not done:
        raise InvalidLinkTokenError()
    await revoke_sessions(ctx, now, account_id=account["_id"])
