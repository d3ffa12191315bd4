"""Exported JSON Schemas of the event contract: ``python -m shared.events.schemas``.

The files under docs/schemas/ are checked in so that a change to the contract
shows up in review; a test fails when they drift from the models.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from shared.events.envelope import CONTENT_TYPE, IntegrationEvent
from shared.events.topics import CONTEXTS, dlq_topic, events_topic

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "docs" / "schemas"


def asyncapi() -> dict[str, Any]:
    """An AsyncAPI 3.0 document of every topic; messages are integration events."""
    channels: dict[str, Any] = {}
    for context in CONTEXTS:
        for topic, purpose in (
            (events_topic(context), f"Integration events of the {context} service."),
            (dlq_topic(events_topic(context)), "Messages that failed after retries."),
        ):
            channels[topic.replace(".", "-")] = {
                "address": topic,
                "description": purpose + " Kafka key: the event's subject (aggregate id).",
                "messages": {"event": {"$ref": "#/components/messages/IntegrationEvent"}},
            }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "Một Cửa events", "version": "1"},
        "defaultContentType": CONTENT_TYPE,
        "channels": channels,
        "components": {
            "messages": {
                "IntegrationEvent": {
                    "contentType": CONTENT_TYPE,
                    "payload": {"$ref": "integration-event.schema.json"},
                }
            }
        },
    }


def rendered() -> dict[str, str]:
    schema = IntegrationEvent.model_json_schema()
    schema["$id"] = "https://motcua.vn/schemas/integration-event.schema.json"
    return {
        "integration-event.schema.json": json.dumps(schema, indent=2, ensure_ascii=False) + "\n",
        "asyncapi.yaml": yaml.safe_dump(asyncapi(), allow_unicode=True, sort_keys=False),
    }


def main() -> None:
    SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
    for name, text in rendered().items():
        (SCHEMA_DIR / name).write_text(text)
        print(SCHEMA_DIR / name)


if __name__ == "__main__":
    main()
