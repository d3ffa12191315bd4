"""The citizen schemathesis calls as: registered and activated through the suite, as
tests/e2e does, with the access token a request carries to the gateway and, forwarded,
to a service (each verifies it itself)."""

from __future__ import annotations

from tests.e2e.journey import Person, log_in, new_citizen, register_and_activate
from tests.e2e.suite import Suite


def registered_citizen(suite: Suite) -> Person:
    person = new_citizen("schemathesis")
    register_and_activate(suite, person).close()
    return person


def signed_in(suite: Suite, person: Person) -> dict[str, str]:
    """A fresh ``Authorization`` header for ``person`` (a token lasts minutes: one per run)."""
    session = log_in(suite, person.email, person.password)
    token = session.http.headers["Authorization"].removeprefix("Bearer ")
    session.close()
    return {"Authorization": f"Bearer {token}"}
