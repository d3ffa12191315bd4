"""Wire the agents, tables and timer of the notify stream application."""

from __future__ import annotations

from typing import Any

import faust
from aiokafka import AIOKafkaProducer

from services.notify.application.identity_emails import IdentityEmails
from services.notify.application.notices import Notifier
from services.notify.application.ports import StatsStore
from services.notify.domain.deadlines import follow
from services.notify.domain.stats import measures_of, stats_key
from services.notify.entrypoints.streams import deadlines, stats
from services.notify.entrypoints.streams.app import (
    EventStream,
    make_faust_app,
    topic_names,
    within,
)
from services.notify.settings import NotifySettings
from shared.events.envelope import IntegrationEvent
from shared.kafka.producer import make_producer
from shared.kafka.topics import ensure_topics
from shared.pg.calendar import CalendarOverrides

# str keys stay str
JSON: faust.Schema = faust.Schema(key_serializer="json", value_serializer="json")


class NotifyStreams:
    """The faust app of one notify process; start it inside the running event loop."""

    def __init__(
        self,
        settings: NotifySettings,
        bootstrap: str,
        notifier: Notifier,
        identity: IdentityEmails,
        stats_mirror: StatsStore,
        overrides: CalendarOverrides,
    ) -> None:
        self.settings = settings
        self.bootstrap = bootstrap
        self.stats_mirror = stats_mirror
        self.notifier = notifier
        self.identity = identity
        self.topics = topic_names(settings)
        self.app = make_faust_app(settings, bootstrap)
        self.dlq: AIOKafkaProducer = make_producer(bootstrap)
        self.stream = EventStream(self.dlq, settings.consumer_group)
        partitions = settings.topic_partitions
        self.deadlines = self.app.Table("deadlines", partitions=partitions, schema=JSON)
        self.stats = self.app.Table("stats", partitions=partitions, schema=JSON)
        self.stats_seen = self.app.Table("stats-seen", partitions=partitions, schema=JSON)
        self.overrides = overrides
        self.reminders = deadlines.Reminders(
            self.app, self.deadlines, notifier, self.topics["dossier"], self.overrides.calendar
        )
        self._install()
        self.ready = False
        self.app.on_startup_finished = self._recovered

    def _topic(self, name: str, **options: Any) -> faust.TopicT:
        return self.app.topic(name, value_serializer="raw", key_serializer="raw", **options)

    def _install(self) -> None:
        app, stream = self.app, self.stream
        facts = self._topic(
            f"{self.settings.topic_prefix}motcua.notify.stats-facts",
            partitions=self.settings.topic_partitions,
            internal=True,
        )

        async def dossier_events(batch: list[tuple[IntegrationEvent, Any]]) -> None:
            rows = []
            for event, item in batch:
                with within(item):
                    rows.append(follow(self.deadlines, event, item.message.partition) or {})
            await self.notifier.dossier_events([event for event, _ in batch])
            sent = [
                await facts.send(
                    key=stats_key(row).encode(), value=stats.fact(event.subject, measure, row)
                )
                for (event, _), row in zip(batch, rows, strict=True)
                for measure in measures_of(event.type, event.data, row)
            ]
            for delivery in sent:
                await delivery  # delivered before these events' offsets may be committed

        async def identity(events: Any) -> None:
            async for item in events.events():
                await stream.handle(item.message, self.identity)

        async def dossier(events: Any) -> None:
            # acked (so committed) by faust once the batch's turn is over
            batches = events.take_events(self.settings.batch_size, self.settings.batch_seconds)
            async for items in batches:
                await stream.handle_batch(items, dossier_events)

        async def payment(events: Any) -> None:
            async for item in events.events():
                await stream.handle(item.message, self.notifier.payment_event)

        async def catalog(events: Any) -> None:
            async for item in events.events():
                await stream.handle(item.message, self.overrides)

        async def count(events: Any) -> None:
            async for item in events.events():
                await stats.count(
                    self.stats_seen, self.stats, self.stats_mirror, item.key.decode(), item.value
                )

        app.agent(self._topic(self.topics["identity"]), name="notify-identity")(identity)
        app.agent(self._topic(self.topics["dossier"]), name="notify-dossier")(dossier)
        app.agent(self._topic(self.topics["payment"]), name="notify-payment")(payment)
        app.agent(self._topic(self.topics["catalog"]), name="notify-catalog")(catalog)
        app.agent(facts, name="notify-stats")(count)

        async def remind() -> None:
            await self.reminders.tick()

        app.timer(self.settings.reminder_interval_seconds, name="notify-reminders")(remind)

    async def _recovered(self) -> None:
        self.ready = True  # partitions assigned and tables recovered: events flow

    async def start(self) -> None:
        partitions = self.settings.topic_partitions
        await ensure_topics(
            self.bootstrap,
            list(self.topics.values()),
            partitions=partitions,
            replication_factor=self.settings.kafka_replication_factor,
        )
        self.settings.faust_datadir().mkdir(parents=True, exist_ok=True)
        await self.dlq.start()
        await self.app.start()

    async def stop(self) -> None:
        await self.app.stop()
        await self.dlq.stop()

    def running(self) -> bool:
        return self.ready and bool(self.app.started) and not self.app.crashed
