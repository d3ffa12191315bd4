"""Consumer lag on ``/metrics``: per group, topic and partition, what waits to be handled.

Lag is the partition's end offset (one past its last record) minus the group's committed
offset. Consumers refresh it every few seconds (one ListOffsets request for all their
partitions), so a consumer stuck in a handler shows its backlog growing.
"""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import Gauge

LAG_SECONDS = 5.0
CONSUMER_LAG = Gauge(
    "motcua_consumer_lag",
    "End offset minus the group's committed offset",
    ["group", "topic", "partition"],
)


class LagGauge:
    """One group's samples of :data:`CONSUMER_LAG`; partitions it lost are removed."""

    def __init__(self, group: str) -> None:
        self.group = group
        self._reported: set[tuple[str, int]] = set()

    def report(self, lags: Mapping[tuple[str, int], int]) -> None:
        """Set the lag of every (topic, partition) the consumer holds now."""
        for topic, partition in self._reported - lags.keys():
            CONSUMER_LAG.remove(self.group, topic, str(partition))
        for (topic, partition), lag in lags.items():
            CONSUMER_LAG.labels(self.group, topic, str(partition)).set(max(lag, 0))
        self._reported = set(lags)
