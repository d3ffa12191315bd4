"""The tables every non-event-sourced service has, declared once.

A service adds them to its ``MetaData`` (:func:`add_common_tables`) and its first
migration creates them (:func:`create_common_tables`).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

OUTBOX = "outbox"
PROCESSED = "processed_events"


def _outbox_columns() -> list[Any]:
    return [
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("event_id", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),  # the envelope as JSON
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
    ]


def _processed_columns() -> list[Any]:
    return [
        sa.Column("consumer", sa.Text, primary_key=True),
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column(
            "processed_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
    ]


def add_common_tables(metadata: sa.MetaData) -> None:
    sa.Table(OUTBOX, metadata, *_outbox_columns())
    sa.Table(PROCESSED, metadata, *_processed_columns())


def create_common_tables(op: Any) -> None:
    """For a service's first migration: ``create_common_tables(op)``."""
    op.create_table(OUTBOX, *_outbox_columns())
    op.create_table(PROCESSED, *_processed_columns())
