"""The gateway's one table (schema ``gateway``): the shared rate-limit counters.

One row per (key, window): how many requests that window let through, and how many
the last batch added. UNLOGGED: a
counter is worth nothing after a crash (the limits start counting again), so its
writes skip the WAL; a window's row is updated in place (no index on ``hits``, so the
updates stay HOT). ``window_no`` has its own index for the once-a-window cleanup.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

rate_counters = sa.Table(
    "rate_counters",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("window_no", sa.BigInteger, primary_key=True),  # floor(epoch / window length)
    sa.Column("hits", sa.Integer, nullable=False),
    # how many of the last batch's hits the last update let through (RETURNING shows only
    # new values; the batch needs to know its share exactly)
    sa.Column("last_added", sa.Integer, nullable=False, server_default="0"),
    sa.Index("rate_counters_by_window", "window_no"),
    prefixes=["UNLOGGED"],
)
