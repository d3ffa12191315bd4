"""The limits on registration, activation-link and forgotten-password requests: one
attempt counts against its client address and its target email (domain/limits.py), in
the store, atomically; a refusal says when to try again."""

from __future__ import annotations

from typing import Literal

from services.identity.application.context import Identity
from services.identity.domain.limits import Window, refusal
from services.identity.domain.validation import InvalidFieldError, normalise_email
from services.identity.settings import IdentitySettings

Form = Literal["register", "resend", "forgot"]


def email_key(email: str) -> str:
    """The email as accounts are keyed (an unreadable one as typed, folded): one person
    cannot dodge the per-email budget by changing the case."""
    try:
        return normalise_email(email)[1]
    except InvalidFieldError:
        return email.strip().lower()


def windows(settings: IdentitySettings, form: Form, address: str, email: str) -> dict[str, Window]:
    seconds = settings.form_window_seconds
    per_address = int(getattr(settings, f"{form}_per_address"))
    per_email = int(getattr(settings, f"{form}_per_email"))
    return {
        f"{form}:address:{address}": Window(per_address, seconds),
        f"{form}:email:{email_key(email)}": Window(per_email, seconds),
    }


async def admit(ctx: Identity, form: Form, address: str, email: str) -> None:
    """Count this request, or refuse it (429) without counting it."""
    now = ctx.clock()
    wait = await ctx.store.take_attempt(windows(ctx.settings, form, address, email), now)
    if wait > 0:
        raise refusal(wait, now)
