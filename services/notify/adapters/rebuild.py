"""Rebuild notify's pure projections from zero (``motcua projections rebuild notify``).

The source topics (identity, dossier, catalog) are read from their first offset up to
the end offsets taken when the rebuild starts, by a plain consumer with no group
(manual assignment: nothing is committed, the agents' group is untouched). Each event
goes through the agents' own projection (application/projections.py) into the target
schema, in one transaction: the tables are emptied (``DELETE``: readers keep the old
rows until it commits), then the upserts go in pipelined batches of ``BATCH`` events.
The live agents, if running, wait on the rows being rebuilt and carry on after commit;
their version guard keeps a row they wrote meanwhile.

Not touched (not a pure replay of the topics): ``notifications`` (the users' read
flags, the email queue), ``preferences``, ``emails`` (identity deliveries),
``stats`` (counted by faust with its ``stats-seen`` table), ``processed_events``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import psycopg
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from psycopg import sql

from services.notify.application.projections import PROJECTIONS, TABLES, Projected
from shared.events.envelope import IntegrationEvent
from shared.pg.calendar import jsonb_values
from shared.pg.effects import upsert_versioned_sql

Conn = psycopg.AsyncConnection[Any]
BATCH = 500


class MissingHistoryError(Exception):
    """A source topic is missing or no longer starts at offset 0 (retention deleted its
    first records): a rebuild would drop rows, so none is made."""


async def records_to_end(
    bootstrap: str, topics: Mapping[str, str], batch: int = BATCH
) -> AsyncIterator[tuple[str, list[ConsumerRecord]]]:
    """(context, records) of each topic in ``topics`` (context → topic), in offset order
    per partition, from the first offset to the end offsets at the start."""
    contexts = {topic: context for context, topic in topics.items()}
    # subscribed first for the topics' metadata (partitions), then assigned by hand
    consumer = AIOKafkaConsumer(
        *contexts, bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    try:
        missing = sorted(set(contexts) - await consumer.topics())
        if missing:
            raise MissingHistoryError(f"no such topic: {', '.join(missing)}")
        partitions = [
            TopicPartition(topic, p)
            for topic in contexts
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        consumer.unsubscribe()
        consumer.assign(partitions)
        starts = await consumer.beginning_offsets(partitions)
        lost = sorted(f"{tp.topic}/{tp.partition}" for tp, first in starts.items() if first > 0)
        if lost:
            raise MissingHistoryError(f"the first records were deleted in {', '.join(lost)}")
        ends = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        waiting = {tp for tp, end in ends.items() if end > 0}
        while waiting:
            fetched = await consumer.getmany(*waiting, timeout_ms=1000, max_records=batch)
            for tp, items in fetched.items():
                items = [r for r in items if r.offset < ends[tp]]
                if items:
                    yield contexts[tp.topic], items
                if await consumer.position(tp) >= ends[tp]:
                    waiting.discard(tp)
    finally:
        await consumer.stop()


@dataclass
class Rebuilt:
    events: Counter[str] = field(default_factory=Counter)  # per context
    undecodable: int = 0  # the agents parked these in the DLQ
    unprojectable: int = 0  # and these
    rows: dict[str, int] = field(default_factory=dict)  # per table, after the rebuild


async def rebuild(conn: Conn, bootstrap: str, topics: Mapping[str, str]) -> Rebuilt:
    """Empty :data:`TABLES` and project ``topics`` (context → topic) again, in one
    transaction."""
    done = Rebuilt()
    async with conn.transaction():
        for table in TABLES:
            await conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
        async for context, records in records_to_end(bootstrap, topics):
            rows: list[Projected] = []
            for record in records:
                try:
                    event = IntegrationEvent.from_bytes(record.value)
                except ValueError:
                    done.undecodable += 1
                    continue
                done.events[context] += 1
                try:
                    row = PROJECTIONS[context](event)
                except Exception:  # the agent failed on it too and parked it
                    done.unprojectable += 1
                    continue
                if row:
                    rows.append(row)
            await _write(conn, rows)
        for table in TABLES:
            query = sql.SQL("SELECT count(*) AS n FROM {}").format(sql.Identifier(table))
            found = await (await conn.execute(query)).fetchone()
            done.rows[table] = int(found["n"]) if found else 0
    return done


async def _write(conn: Conn, rows: list[Projected]) -> None:
    """Each row's version-guarded upsert, in order, sent in one pipeline."""
    async with conn.pipeline():
        for row in rows:
            upsert = upsert_versioned_sql(row.table, "id", list(row.changes))
            await conn.execute(upsert, [row.key, row.version, *jsonb_values(row.changes).values()])
