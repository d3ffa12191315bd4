"""The sweep deletes old blobs nothing refers to; it keeps the young, the referenced, and
whatever was stored again (or first referenced) while it ran."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from services.dossier.settings import DossierSettings
from services.identity.settings import IdentitySettings
from shared.blob_sweep import SweepReport, sweep, sweep_forever
from shared.blobstore import InMemoryBlobStore

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NOW = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)


def _store(*ages_hours: float) -> tuple[InMemoryBlobStore, list[str]]:
    store = InMemoryBlobStore()
    names = []
    for n, age in enumerate(ages_hours):
        name = store.put(PDF + str(n).encode())
        store.times[name] = NOW - timedelta(hours=age)
        names.append(name)
    return store, names


def test_old_unreferenced_blobs_go_young_and_referenced_ones_stay() -> None:
    store, (old, young, kept) = _store(48, 2, 48)
    report = sweep(store, lambda: {kept}, now=NOW, grace=timedelta(hours=24))
    assert report.as_dict() == {"listed": 3, "referenced": 1, "deleted": 1}
    assert sorted(store.blobs) == sorted([young, kept])
    assert not store.exists(old)


def test_references_are_read_after_the_listing_and_a_blob_stored_again_stays() -> None:
    store, (first, second) = _store(48, 48)
    calls = []

    def referenced() -> set[str]:  # meanwhile: one blob is put again, none referenced
        calls.append(sorted(store.blobs))
        store.put(store.blobs[second])
        return set()

    report = sweep(store, referenced, now=NOW, grace=timedelta(hours=24))
    assert calls == [sorted([first, second])]
    assert report.deleted == 1 and sorted(store.blobs) == [second]


def test_nothing_old_reads_no_references() -> None:
    store, _ = _store(1)

    def referenced() -> set[str]:
        raise AssertionError("not needed")

    assert sweep(store, referenced, now=NOW).deleted == 0


async def test_the_services_sweep_again_and_again_and_survive_a_failed_round() -> None:
    rounds: list[int] = []

    async def run() -> SweepReport:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise ConnectionError("the store is down")
        if len(rounds) == 3:
            raise asyncio.CancelledError  # the service stops
        return SweepReport(0, 0, 0)

    with pytest.raises(asyncio.CancelledError):
        await sweep_forever(run, every_seconds=0)
    assert rounds == [0, 1, 2]


def test_the_sweep_is_a_setting_of_every_service_with_files() -> None:
    assert DossierSettings().blob_sweep_interval_hours == 24
    assert DossierSettings().blob_sweep_grace() == timedelta(hours=24)
    settings = IdentitySettings(blob_sweep_interval_hours=0, blob_sweep_grace_hours=2)
    assert settings.blob_sweep_interval_hours == 0
    assert settings.blob_sweep_grace() == timedelta(hours=2)
