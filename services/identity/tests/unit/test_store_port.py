"""The in-memory fake offers every operation of the PostgreSQL store, with the same
parameters, so use-case tests on it exercise what production calls."""

from __future__ import annotations

import inspect

from services.identity.adapters.store import AccountStore
from services.identity.tests.unit.fakes import FakeStore

WIRING = {"attach", "ping"}  # the process's, not the use cases'


def _operations(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(cls).items()
        if inspect.iscoroutinefunction(member) and not name.startswith("_")
    }


def test_the_fake_has_every_store_operation_with_the_same_parameters() -> None:
    real = {n: s for n, s in _operations(AccountStore).items() if n not in WIRING}
    fake = _operations(FakeStore)
    assert set(real) <= set(fake)
    for name, signature in real.items():
        assert list(signature.parameters) == list(fake[name].parameters), name
