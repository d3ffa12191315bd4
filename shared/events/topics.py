"""Topic names: ``motcua.<context>.events`` and their ``.dlq`` twins."""

CONTEXTS = ("identity", "catalog", "dossier", "payment", "notify")


def events_topic(context: str, prefix: str = "") -> str:
    if context not in CONTEXTS:
        raise ValueError(f"unknown context {context!r}")
    return f"{prefix}motcua.{context}.events"


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"
