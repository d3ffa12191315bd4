"""Exported JSON Schemas of the event contract: ``python -m shared.events.schemas``.

The files under docs/schemas/ are checked in so that a change to the contract
shows up in review; a test fails when they drift from the models.
"""

from __future__ import annotations

import json
from pathlib import Path

from shared.events.envelope import IntegrationEvent

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "docs" / "schemas"


def rendered() -> dict[str, str]:
    schema = IntegrationEvent.model_json_schema()
    schema["$id"] = "https://motcua.vn/schemas/integration-event.schema.json"
    return {
        "integration-event.schema.json": json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    }


def main() -> None:
    SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
    for name, text in rendered().items():
        (SCHEMA_DIR / name).write_text(text)
        print(SCHEMA_DIR / name)


if __name__ == "__main__":
    main()
