"""The chaos benchmark, short: about 1,000 dossier events filed through the gateway
while three seeded SIGKILLs hit the suite (seed 22: the payment worker, notify, the
dossier worker; the dossier relay's kills are in test_backbone_survives_crashes); every
effect (Kafka, inbox, email by Message-ID, payment orders, payments
received, the dossier read model) counted against the stores: nothing lost or doubled.

Its own suite (kills would disturb the session's shared one); ``bench/chaos.py`` runs
the long version.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.chaos import TARGETS, chaos, report
from tests.e2e.suite import start_suite, stop_suite
from tests.support.engines import Engines

pytestmark = pytest.mark.integration


def test_sigkills_under_load_lose_and_double_nothing(engines: Engines, tmp_path: Path) -> None:
    suite = start_suite(engines, tmp_path / "suite")
    try:
        (run,) = chaos(suite, 1_000, 3, seed=22, citizens=4, drain_seconds=120)
    finally:
        stop_suite(suite)
    print(report([run]))
    assert sum(run.kills.values()) == 3 and set(run.kills) == set(TARGETS)
    assert run.events >= 1_000
    assert run.effects.dossiers > 100 and run.approved > 20 and run.paid > 0
    assert {name: (c.lost, c.doubled) for name, c in run.effects.checks.items()} == {
        name: (0, 0) for name in run.effects.checks
    }
