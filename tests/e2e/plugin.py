"""The ``suite`` fixture: every service process, started once per test session.

A plugin named in the root conftest.py, so the end-to-end and the browser tests
share one suite rather than each starting their own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.suite import Suite, start_suite, stop_suite
from tests.support.engines import Engines


@pytest.fixture(scope="session")
def suite(engines: Engines, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    """The whole suite on the session's engines, demo data seeded.

    ``suite.gateway_url`` is the only address tests should call; ``suite.stop(name)``
    and ``suite.start(name)`` stop and restart one process of motcua_ops' registry
    (``"catalog"``, ``"dossier-worker"``, ...); ``suite.maildir`` holds the emails.
    """
    started = start_suite(engines, tmp_path_factory.mktemp("suite-state"))
    try:
        yield started
    finally:
        stop_suite(started)


WHOLE_SUITE_TESTS = ("tests/e2e/", "tests/browser/", "tests/contract/")
# Schemathesis spends the per-address budgets of 127.0.0.1 (registrations per hour, failed
# logins) that every test's citizen shares: nothing on the suite runs after it.
LAST_TESTS = ("tests/contract/",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests on the whole suite last: the suite stays up until the session
    ends, and its dozen idle processes would otherwise load the 2-core machine under
    every integration test that starts processes of its own."""
    items.sort(
        key=lambda item: (
            any(p in item.nodeid for p in WHOLE_SUITE_TESTS),
            any(p in item.nodeid for p in LAST_TESTS),
        )
    )
