from shared.events.envelope import Actor, IntegrationEvent
from shared.events.topics import dlq_topic, events_topic

__all__ = ["Actor", "IntegrationEvent", "dlq_topic", "events_topic"]
