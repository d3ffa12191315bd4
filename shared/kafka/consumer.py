"""At-least-once consumption with idempotent effects, retries and a DLQ.

The handler must make its effect idempotent by recording the event id in the
same transaction as the effect (see :mod:`shared.pg.effects`). Offsets are committed
only after the handler succeeded or the message was parked in the DLQ, so a
crash redelivers rather than loses. While it runs, the group's lag per partition
is on ``/metrics`` (:mod:`shared.kafka.lag`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError
from prometheus_client import Counter

from shared.events.envelope import IntegrationEvent
from shared.events.topics import dlq_topic
from shared.kafka.lag import LAG_SECONDS, LagGauge
from shared.kafka.producer import make_producer
from shared.logs import correlation_id

log = logging.getLogger(__name__)

Handler = Callable[[IntegrationEvent], Awaitable[None]]

CONSUMED = Counter("motcua_events_consumed_total", "Events handled", ["group", "type"])
PARKED = Counter("motcua_events_dlq_total", "Events parked in a DLQ", ["group"])


class IdempotentConsumer:
    def __init__(
        self,
        *,
        bootstrap_servers: str,
        topics: list[str],
        group_id: str,
        handler: Handler,
        max_attempts: int = 5,
        backoff_seconds: float = 0.2,
        lag_seconds: float = LAG_SECONDS,
    ) -> None:
        self.topics = topics
        self.group_id = group_id
        self.handler = handler
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.lag_seconds = lag_seconds
        self._lag = LagGauge(group_id)
        self._consumer = AIOKafkaConsumer(
            *topics,
            bootstrap_servers=bootstrap_servers,
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
        )
        self._dlq = make_producer(bootstrap_servers)

    async def start(self) -> None:
        await self._dlq.start()
        await self._consumer.start()

    async def stop(self) -> None:
        await self._consumer.stop()
        await self._dlq.stop()

    async def run(self) -> None:
        """Consume until cancelled, reporting the lag every ``lag_seconds`` meanwhile."""
        reporter = asyncio.create_task(self._report_lag())
        try:
            while True:
                batches = await self._consumer.getmany(timeout_ms=500, max_records=100)
                for tp, records in batches.items():
                    for record in records:
                        await self._process(record)
                    await self._consumer.commit({tp: records[-1].offset + 1})
        finally:
            reporter.cancel()
            with suppress(asyncio.CancelledError):
                await reporter
            self._lag.report({})  # no longer this process's to report

    async def lag(self) -> dict[tuple[str, int], int]:
        """{(topic, partition): end offset - committed offset} for the assigned partitions;
        a partition the group never committed counts from its first offset."""
        partitions = sorted(self._consumer.assignment())
        if not partitions:
            return {}
        ends = await self._consumer.end_offsets(partitions)
        committed = {tp: await self._consumer.committed(tp) for tp in partitions}
        never = [tp for tp, offset in committed.items() if offset is None]
        if never:
            committed.update(await self._consumer.beginning_offsets(never))
        return {(tp.topic, tp.partition): ends[tp] - (committed[tp] or 0) for tp in partitions}

    async def _report_lag(self) -> None:
        while True:
            try:
                self._lag.report(await self.lag())
            except KafkaError as error:  # the broker is away: the next round tries again
                log.warning("consumer lag not refreshed", extra={"error": str(error)})
            await asyncio.sleep(self.lag_seconds)

    async def _process(self, record: ConsumerRecord) -> None:
        try:
            event = IntegrationEvent.from_bytes(record.value)
        except ValueError as error:
            await self._park(record, f"invalid envelope: {error}")
            return
        token = correlation_id.set(event.correlationid or str(event.id))
        try:
            await self._handle_with_retries(record, event)
        finally:
            correlation_id.reset(token)

    async def _handle_with_retries(self, record: ConsumerRecord, event: IntegrationEvent) -> None:
        for attempt in range(1, self.max_attempts + 1):
            try:
                await self.handler(event)
            except Exception as error:
                if attempt == self.max_attempts:
                    await self._park(record, f"{type(error).__name__}: {error}")
                    return
                log.warning(
                    "handler failed, retrying",
                    extra={"event_id": str(event.id), "attempt": attempt, "error": str(error)},
                )
                await asyncio.sleep(self.backoff_seconds * 2 ** (attempt - 1))
            else:
                CONSUMED.labels(self.group_id, event.type).inc()
                return

    async def _park(self, record: ConsumerRecord, reason: str) -> None:
        log.error("parking message in DLQ", extra={"topic": record.topic, "reason": reason})
        headers = [
            *(record.headers or ()),
            ("dlq-reason", reason.encode()[:1000]),
            ("dlq-source", f"{record.topic}/{record.partition}/{record.offset}".encode()),
            ("dlq-group", self.group_id.encode()),
        ]
        await self._dlq.send_and_wait(
            dlq_topic(record.topic), value=record.value, key=record.key, headers=headers
        )
        PARKED.labels(self.group_id).inc()

    def assignment(self) -> set[TopicPartition]:
        return self._consumer.assignment()
