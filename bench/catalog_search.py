"""Catalog search latency and throughput over 5,000 generated procedures in PostgreSQL,
next to the bare SQL statement of the same searches, measured in the same run.

    .venv/bin/python -m bench.catalog_search [--procedures 5000] [--queries 300]
                                             [--concurrency 4]

Needs the engines of $MOTCUA_STATE_DIR (``.venv/bin/motcua engines up``) or
MOTCUA_POSTGRES_DSN. Uses a fresh schema and drops it at the end.
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

import psycopg

from services.catalog.adapters.pg import Pool
from services.catalog.adapters.procedure_store import ProcedureStore
from services.catalog.adapters.search_store import ProcedureSearch
from services.catalog.application.documents import content_to_doc, search_fields
from services.catalog.application.search import Search
from services.catalog.bootstrap import open_store
from services.catalog.domain import events
from services.catalog.domain.model import ProcedureContent
from services.catalog.domain.text import SearchQuery
from services.catalog.entrypoints.seed import SEED_ACTOR, load, procedure_content
from services.catalog.settings import CatalogSettings

QUERIES = [
    "khai sinh",
    "Đăng ký khai sinh",
    "dang ky kinh doanh",
    "giấy phép xây dựng",
    "so do",
    "chung thuc ban sao",
    "ly lich tu phap",
    "cap doi",
    "dang",
    "giay phep",
    "thường trú",
    "karaoke",
    "van bang",
    "ket hon",
    "xuat ban ban tin",
    "dat dai",
]
VARIANTS = [
    "",
    "đối với tổ chức",
    "đối với cá nhân",
    "có yếu tố nước ngoài",
    "trên địa bàn",
    "cấp lại",
    "điều chỉnh",
    "gia hạn",
    "trường hợp bị mất",
    "qua mạng",
]


def generate(count: int) -> list[ProcedureContent]:
    """Realistic names: the demo procedures' names with the variations real catalogues have."""
    meta = load("agencies.yaml")
    base = [procedure_content(raw, meta, []) for raw in load("procedures.yaml")["procedures"]]
    rng = random.Random(42)
    generated = []
    for n in range(count):
        source = base[n % len(base)]
        variant = " ".join(rng.sample(VARIANTS, 2)).strip()
        generated.append(
            source.model_copy(
                update={
                    "code": f"B.{n:06d}",
                    "name": f"{source.name} {variant}".strip(),
                    "service_level": rng.randint(1, 4),
                    "result_delivery": ["office"],
                }
            )
        )
    return generated


async def fill(pool: Pool, contents: list[ProcedureContent], concurrency: int) -> None:
    """Each procedure created and published through the store's own statements (the same
    folding and columns as the use case), without the use case's reference checks."""
    store = ProcedureStore(pool)
    fields = {f["code"]: f["name"] for f in load("agencies.yaml")["fields"]}
    now = datetime.now(UTC)
    pending = list(contents)

    async def worker() -> None:
        while pending:
            content = pending.pop()
            draft = content_to_doc(content)
            entry = {"action": "bench", "by": SEED_ACTOR.id, "at": now}
            assert await store.create(content.code, draft, entry, now)
            event = events.procedure_published(
                events.version_data(content, 1, now), 1, SEED_ACTOR, now
            )
            snapshot = {
                "version": 1,
                "published_at": now,
                "published_by": SEED_ACTOR.id,
                "content": draft,
            }
            listing = search_fields(content, 1, fields.get(content.field_code, ""))
            assert await store.publish(content.code, 0, 1, snapshot, listing, entry, event, now)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    async with pool.connection() as conn:
        await conn.execute("ANALYZE procedures")


async def measure(
    call: Callable[[str], Awaitable[int]], queries: list[str], concurrency: int
) -> tuple[list[float], float, int]:
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
    return (
        f"{name:<46}{p50:>9.1f}{p99:>9.1f}{len(latencies) / seconds:>9.1f}"
        f"{hits / len(latencies):>10.1f}"
    )


async def _explain(pool: Pool, query: str) -> None:
    statement, params = ProcedureSearch.statement(SearchQuery.parse(query), None, None, None, 20, 0)
    async with pool.connection() as conn:
        plan = await (
            await conn.execute(
                psycopg.sql.SQL("EXPLAIN (ANALYZE, BUFFERS) {}").format(statement), params
            )
        ).fetchall()
    print(f"plan of {query!r}:")
    for row in plan:
        print("   ", row["QUERY PLAN"])


async def run(procedures: int, queries: int, concurrency: int) -> None:
    schema = "bench_catalog_" + uuid.uuid4().hex[:8]
    settings = CatalogSettings(postgres_schema=schema)
    pool = await open_store(settings)
    try:
        started = time.perf_counter()
        await fill(pool, generate(procedures), concurrency)
        print(
            f"procedures: {procedures} (published in {time.perf_counter() - started:.1f} s),"
            f" queries: {queries} per row, concurrency: {concurrency}"
        )
        store = ProcedureSearch(pool)
        search = Search(store)
        mix = [QUERIES[i % len(QUERIES)] for i in range(queries)]

        def bare(
            agency: str | None = None, level: int | None = None
        ) -> Callable[[str], Awaitable[int]]:
            async def call(query: str) -> int:
                """The same statement on a pooled connection: no parsing of results."""
                statement, params = ProcedureSearch.statement(
                    SearchQuery.parse(query), agency, None, level, 20, 0
                )
                async with pool.connection() as conn:
                    return len(await (await conn.execute(statement, params)).fetchall())

            return call

        async def full(query: str) -> int:
            return len((await search(query, page_size=20)).items)

        async def filtered(query: str) -> int:
            return len((await search(query, agency="NB.HOALU", level=4)).items)

        for query in QUERIES:  # warm-up, and what each query finds
            result = await search(query)
            print(
                f"  {query!r}: {result.total} found, first: "
                f"{result.items[0].name if result.items else '-'}"
            )
        await _explain(pool, "dang ky khai s")
        print(f"{'what':<46}{'p50 ms':>9}{'p99 ms':>9}{'q/s':>9}{'results':>10}")
        for label, call in (
            ("baseline: the bare SQL statement, page of 20", bare()),
            ("search: all terms, relevance, page of 20", full),
            ("baseline: bare SQL, agency and level filters", bare(agency="NB.HOALU", level=4)),
            ("search + agency and level filters", filtered),
        ):
            print(_row(label, *await measure(call, mix, concurrency)))
    finally:
        await pool.close()
        with psycopg.connect(settings.require("postgres_dsn"), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--procedures", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(run(args.procedures, args.queries, args.concurrency))


if __name__ == "__main__":
    main()
