"""Catalog search latency and throughput over 5,000 generated procedures, next to a plain
indexed find on the same collection, measured in the same run.

    .venv/bin/python -m bench.catalog_search [--procedures 5000] [--queries 300]
                                             [--concurrency 4]

Needs the engines of $MOTCUA_STATE_DIR (``.venv/bin/motcua engines up``). Uses a fresh
database and drops it at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.catalog.adapters.documents import content_to_doc, search_fields
from services.catalog.adapters.procedure_store import ProcedureStore
from services.catalog.adapters.search_index import SearchIndex
from services.catalog.application.search import Search
from services.catalog.domain.model import ProcedureContent
from services.catalog.domain.text import query_terms
from services.catalog.seed import load, procedure_content
from services.catalog.settings import CatalogSettings
from shared.mongo import make_client
from shared.mongo_lock import DocumentLocks

QUERIES = ["khai sinh", "Đăng ký khai sinh", "dang ky kinh doanh", "giấy phép xây dựng",
           "so do", "chung thuc ban sao", "ly lich tu phap", "cap doi", "dang", "giay phep",
           "thường trú", "karaoke", "van bang", "ket hon", "xuat ban ban tin", "dat dai"]
VARIANTS = ["", "đối với tổ chức", "đối với cá nhân", "có yếu tố nước ngoài", "trên địa bàn",
            "cấp lại", "điều chỉnh", "gia hạn", "trường hợp bị mất", "qua mạng"]


def generate(count: int) -> list[ProcedureContent]:
    """Realistic names: the demo procedures' names with the variations real catalogues have."""
    meta = load("agencies.yaml")
    base = [procedure_content(raw, meta, []) for raw in load("procedures.yaml")["procedures"]]
    rng = random.Random(42)
    generated = []
    for n in range(count):
        source = base[n % len(base)]
        variant = " ".join(rng.sample(VARIANTS, 2)).strip()
        generated.append(source.model_copy(update={
            "code": f"B.{n:06d}", "name": f"{source.name} {variant}".strip(),
            "service_level": rng.randint(1, 4),
            "result_delivery": ["office"],
        }))
    return generated


async def fill(db: AsyncDatabase[dict[str, Any]], contents: list[ProcedureContent]) -> None:
    """The documents publishing writes, inserted in bulk (the use case would take minutes)."""
    now = datetime.now(UTC)
    store = ProcedureStore(db)
    await store.ensure_indexes()
    docs = []
    for content in contents:
        snapshot = {"version": 1, "published_at": now, "published_by": "bench",
                    "content": content_to_doc(content)}
        docs.append({
            "_id": content.code, "seq": 1, "status": "published", "listed": True,
            "draft": snapshot["content"], "draft_revision": 1, "published_revision": 1,
            "current_version": 1, "versions": [snapshot],
            "withdrawn_versions": [], "history": [], "_outbox": [],
            **search_fields(content, 1, ""),
        })
    for start in range(0, len(docs), 500):
        await db["procedures"].insert_many(docs[start:start + 500])


async def measure(call: Callable[[str], Awaitable[int]], queries: list[str],
                  concurrency: int) -> tuple[list[float], float, int]:
    latencies: list[float] = []
    hits = 0
    pending = list(queries)

    async def worker() -> None:
        nonlocal hits
        while pending:
            query = pending.pop()
            started = time.perf_counter()
            found = await call(query)  # not `hits += await ...`: that loses concurrent updates
            latencies.append(time.perf_counter() - started)
            hits += found

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, time.perf_counter() - started, hits


def _row(name: str, latencies: list[float], seconds: float, hits: int) -> str:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    return (f"{name:<44}{p50:>9.1f}{p99:>9.1f}{len(latencies) / seconds:>9.1f}"
            f"{hits / len(latencies):>10.1f}")


async def run(procedures: int, queries: int, concurrency: int) -> None:
    settings = CatalogSettings()
    client = make_client(settings.require("mongo_url"))
    name = "bench_catalog_" + uuid.uuid4().hex[:8]
    db = client[name]
    try:
        started = time.perf_counter()
        await fill(db, generate(procedures))
        print(f"procedures: {procedures} (loaded in {time.perf_counter() - started:.1f} s), "
              f"queries: {queries} per row, concurrency: {concurrency}")
        index = SearchIndex(db, DocumentLocks(db["locks"]))
        started = time.perf_counter()
        await index.fresh()
        print(f"in-memory index built in {time.perf_counter() - started:.1f} s "
              f"({len(index.postings)} keys)")
        search = Search(index)
        collection = db["procedures"]
        mix = [QUERIES[i % len(QUERIES)] for i in range(queries)]

        async def baseline(query: str) -> int:
            """A plain indexed find: the first query term on the same index, 20 documents."""
            cursor = collection.find({"listed": True, "s_keys": query_terms(query)[0]},
                                     {"card": 1}).limit(20)
            return len(await cursor.to_list())

        async def full(query: str) -> int:
            return len((await search(query, page_size=20))["items"])

        async def filtered(query: str) -> int:
            return len((await search(query, agency="NB.HOALU", level=4))["items"])

        for query in QUERIES:  # warm-up, and what each query finds
            result = await search(query)
            print(f"  {query!r}: {result['total']} found")
        print(f"{'what':<44}{'p50 ms':>9}{'p99 ms':>9}{'q/s':>9}{'results':>10}")
        for label, call in (("baseline: indexed find, first term, limit 20", baseline),
                            ("search: all terms, relevance, page of 20", full),
                            ("search + agency and level filters", filtered)):
            print(_row(label, *await measure(call, mix, concurrency)))
    finally:
        await client.drop_database(name)
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--procedures", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(run(args.procedures, args.queries, args.concurrency))


if __name__ == "__main__":
    main()
