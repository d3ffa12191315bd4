"""The sweep deletes old blobs nothing refers to; it keeps the young, the referenced, and
whatever was stored again (or first referenced) while it ran."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.blob_sweep import sweep
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
