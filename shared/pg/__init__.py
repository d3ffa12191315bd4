"""PostgreSQL, the one store engine of every service.

- :mod:`shared.pg.pools`: one connection pool per process (async or sync), the
  service's schema first on the ``search_path``, rows as dicts.
- :mod:`shared.pg.migrate`: Alembic, one linear history per service in
  ``services/<name>/migrations/``, applied at start-up under an advisory lock; the
  service's SQLAlchemy Core ``MetaData`` declares what the code expects.
- :mod:`shared.pg.tables`: the tables every non-event-sourced service has: its
  ``outbox`` and the ``processed_events`` of its consumers.
- :mod:`shared.pg.outbox`: a change and its events in one transaction; the relay's
  source reads them in order and deletes what the broker acknowledged.
- :mod:`shared.pg.effects`: idempotent consumption (the event id recorded in the
  effect's transaction) and version-guarded upserts of read models.
- :mod:`shared.pg.listen`: ``LISTEN``/``NOTIFY`` to wake a waiter instead of polling.
"""
