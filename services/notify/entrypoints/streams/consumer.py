"""faust's Kafka consumer, made to hand every record of an event topic to the agents.

faust-streaming 0.15 can commit past records no agent ever saw (measured here:
a worker SIGKILLed and restarted under load lost 8 of 60 dossier events):

- its fetch loop drops the rest of a fetched batch when a rebalance starts or
  flow stops, while the Kafka client's position has already moved past it;
- the next record then looks like a gap to ``_drain_messages``, which marks the
  missing offsets as acknowledged (gaps are meant for compacted topics and
  transaction markers), or, with no committed offset yet, is taken as is;
- ``_new_offset`` commits the first run of acknowledged offsets even when the
  run starts one past the committed offset.

- faust empties the agents' queues whenever flow resumes (after every rebalance
  and table recovery), dropping records already handed over.

This consumer keeps, per partition of an acknowledged topic, the next offset an
agent must see. A record beyond it makes the consumer seek back and drop the
rest of the batch, so the skipped records are fetched again; a record below it
was delivered already. When faust empties the queues, every partition is sought
back to its committed offset. Offsets are committed only from the committed
offset on, without holes. Redelivery is harmless: every notify effect is idempotent.
Upstream: faust-streaming/faust#175, robinhood/faust#458 and #681.

It also puts the group's lag per partition of the event topics on ``/metrics``
(:mod:`shared.kafka.lag`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Set
from typing import Any, ClassVar, cast

import faust
from faust.transport.consumer import CONSUMER_FETCHING
from faust.transport.drivers import aiokafka as driver
from faust.types import TP, ConsumerT, Message
from mode import Service, ServiceT

from shared.kafka.lag import LAG_SECONDS, LagGauge

log = logging.getLogger(__name__)
STALL_SECONDS = 60.0
STALL_CHECK_SECONDS = 5.0


class GaplessConsumer(driver.Consumer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._next_offset: dict[TP, int] = {}
        self._since: dict[TP, tuple[int, float]] = {}  # committed offset, since when
        self._lag = LagGauge(self.app.conf.id)
        flow_control = self.app.flow_control
        clear_queues = flow_control.clear

        def clear() -> None:  # faust empties the agents' queues on every flow resume
            clear_queues()
            self._rewind_to_committed()

        flow_control.clear = clear  # type: ignore[method-assign]

    def _rewind_to_committed(self, only: set[TP] | None = None) -> None:
        """Records handed to an agent's queue and dropped from it are fetched again."""
        if not self._next_offset:
            return
        assigned = self.assignment()
        for tp, handed in list(self._next_offset.items()):
            committed = self._committed_offset.get(tp)
            if tp not in assigned or committed is None or handed <= committed:
                continue
            if only is not None and tp not in only:
                continue
            self._thread.seek(tp, committed)
            self._read_offset[tp] = committed or None
            self._next_offset[tp] = committed

    @Service.timer(STALL_CHECK_SECONDS)
    async def _rewind_stalled(self) -> None:
        """The safety net for any other way a handed-over record gets lost: a partition
        whose committed offset has not moved for ``STALL_SECONDS`` while records beyond
        it were handed over is fetched again from there (longer than SMTP's retries)."""
        now = time.monotonic()
        stalled: set[TP] = set()
        for tp, handed in list(self._next_offset.items()):
            committed = self._committed_offset.get(tp)
            if committed is None or handed <= committed:
                self._since.pop(tp, None)
                continue
            since = self._since.setdefault(tp, (committed, now))
            if since[0] != committed:
                self._since[tp] = (committed, now)
            elif now - since[1] >= STALL_SECONDS:
                stalled.add(tp)
                self._since.pop(tp, None)
        if stalled:
            log.warning(
                "partitions stalled at their committed offset; rewinding",
                extra={"partitions": sorted(str(tp) for tp in stalled)},
            )
            self._rewind_to_committed(stalled)

    @Service.timer(LAG_SECONDS)
    async def _report_lag(self) -> None:
        try:
            partitions = [
                tp for tp in self.assignment() if self.app.topics.acks_enabled_for(tp.topic)
            ]
            ends = await self.highwaters(*partitions) if partitions else {}
        except Exception as error:  # a metric never stops the worker
            log.warning("consumer lag not refreshed", extra={"error": str(error)})
            return
        committed = {tp: self._committed_offset.get(tp) for tp in partitions}
        self._lag.report(
            {
                (tp.topic, tp.partition): ends[tp] - offset
                for tp, offset in committed.items()
                if offset is not None and tp in ends
            }
        )

    async def perform_seek(self) -> None:
        await super().perform_seek()
        self._next_offset.clear()
        fresh: list[TP] = []
        for tp in self.assignment():
            if not self.app.topics.acks_enabled_for(tp.topic):
                continue
            committed = self._committed_offset.get(tp)
            if committed is None:
                fresh.append(tp)
            else:
                self._next_offset[tp] = committed
        if fresh:  # never committed: the group starts at the log start, whatever was read
            starts = await self.earliest_offsets(*fresh)
            for tp, start in starts.items():
                await self.seek(tp, start)
            self._committed_offset.update(starts)
            self._next_offset.update(starts)

    async def seek(self, partition: TP, offset: int) -> None:
        await super().seek(partition, offset)
        if partition in self._next_offset:
            self._next_offset[partition] = offset

    async def on_partitions_revoked(self, revoked: Set[TP]) -> None:
        for tp in revoked:
            self._next_offset.pop(tp, None)
        await super().on_partitions_revoked(revoked)

    def _new_offset(self, tp: TP) -> int | None:
        acked = self._acked[tp]
        floor = self._committed_offset.get(tp)
        if acked and floor is not None and min(acked) > floor:
            return None  # the record at the committed offset is still in flight
        return cast(int | None, super()._new_offset(tp))

    async def _deliver(self, tp: TP, message: Message) -> bool:
        """Hand ``message`` to the streams; False when the batch must be fetched again."""
        expected = self._next_offset.get(tp)
        if expected is None:  # assigned, but not sought to the committed offsets yet
            await self.perform_seek()
            return False
        if message.offset < expected:
            return True  # delivered before a rewind; its effect is idempotent anyway
        if message.offset > expected:
            log.warning(
                "records skipped by the fetcher; rewinding",
                extra={
                    "topic": tp.topic,
                    "partition": tp.partition,
                    "from": expected,
                    "to": message.offset,
                },
            )
            await self.seek(tp, expected)
            return False
        handed = self.callback(message)
        result = await self.wait_first(handed, self.suspend_flow.wait())
        if handed not in result.done:
            await self.seek(tp, message.offset)  # flow stopped before the streams took it
            return False
        self._next_offset[tp] = message.offset + 1
        self._read_offset[tp] = message.offset
        return True

    async def _drain_messages(self, fetcher: ServiceT) -> None:  # pragma: no cover
        # faust's loop (transport/consumer.py), with every record of an
        # acknowledged topic going through ``_deliver``.
        consumer_stopped = cast(Service, self)._stopped.is_set
        fetcher_stopped = cast(Service, fetcher)._stopped.is_set
        acks_enabled_for = self.app.topics.acks_enabled_for
        try:
            while not (consumer_stopped() or fetcher_stopped()):
                self.diag.set_flag(CONSUMER_FETCHING)
                records = cast(AsyncIterator[tuple[TP, Message]], self.getmany(timeout=1.0))
                await asyncio.sleep(0)
                if self.should_stop:
                    continue
                count = 0
                async for tp, message in records:
                    count += 1
                    if count % 100 == 0:
                        await asyncio.sleep(0)
                    if self._commit_every is not None and self._n_acked >= self._commit_every:
                        self._n_acked = 0
                        await self.commit()
                    if acks_enabled_for(message.topic):
                        if not await self._deliver(tp, message):
                            break
                        continue
                    read = self._read_offset[tp]
                    if read is None or message.offset >= read:
                        await self.wait_first(self.callback(message), self.suspend_flow.wait())
                        self._read_offset[tp] = message.offset
                self.diag.unset_flag(CONSUMER_FETCHING)
        except self.consumer_stopped_errors:
            if not self.transport.app.should_stop:
                raise
        except asyncio.CancelledError:
            if not self.transport.app.should_stop:
                raise
        finally:
            self.diag.unset_flag(CONSUMER_FETCHING)


class GaplessTransport(driver.Transport):
    """faust's aiokafka transport, consuming with :class:`GaplessConsumer`."""

    Consumer: ClassVar[type[ConsumerT]] = GaplessConsumer


def consume_gapless(app: faust.App) -> None:
    """Make the app's Kafka consumer a :class:`GaplessConsumer` (before it starts)."""
    app.transport = GaplessTransport(app.conf.broker_consumer, app)
