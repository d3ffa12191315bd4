"""``queue_sizes``: how many ``dossier_queue`` rows each (agency, stage, local due day)
holds, kept exact by statement-level triggers on ``dossier_queue`` in the transaction
of every change, so the officer's five counts read a few rows whatever the load.

The trigger function pins the migrating session's search path (this schema), so it
finds ``queue_sizes`` whoever changes the queue.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"

# the appointment's date in Asia/Ho_Chi_Minh, as services.dossier.adapters.queries reads it
_DAY = "(appointment_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
_SAME = "s.agency = g.agency AND s.stage = g.stage AND s.due_day IS NOT DISTINCT FROM g.due_day"
_FOLLOW = f"""
CREATE FUNCTION queue_sizes_follow() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    WITH g AS (
      SELECT agency, stage, {_DAY} AS due_day, count(*) AS n FROM old_rows GROUP BY 1, 2, 3
    ), emptied AS (
      DELETE FROM queue_sizes s USING g WHERE {_SAME} AND s.n = g.n
    )
    UPDATE queue_sizes s SET n = s.n - g.n FROM g WHERE {_SAME} AND s.n > g.n;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO queue_sizes (agency, stage, due_day, n)
    SELECT agency, stage, {_DAY}, count(*) FROM new_rows GROUP BY 1, 2, 3
    ON CONFLICT (agency, stage, due_day) DO UPDATE SET n = queue_sizes.n + excluded.n;
  END IF;
  RETURN NULL;
END
$$
"""
# a trigger with transition tables has one event
_TRIGGERS = {
    "INSERT": "NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def upgrade() -> None:
    op.create_table(
        "queue_sizes",
        sa.Column("agency", sa.Text, nullable=False),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("due_day", sa.Date),  # none: no appointment
        sa.Column("n", sa.BigInteger, nullable=False),
    )
    op.create_index(
        "queue_sizes_key",
        "queue_sizes",
        ["agency", "stage", "due_day"],
        unique=True,
        postgresql_nulls_not_distinct=True,
    )
    op.execute(_FOLLOW)
    for event, tables in _TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER queue_sizes_on_{event.lower()} AFTER {event} ON dossier_queue"
            f" REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION queue_sizes_follow()"
        )
    op.execute(
        "INSERT INTO queue_sizes (agency, stage, due_day, n)"
        f" SELECT agency, stage, {_DAY}, count(*) FROM dossier_queue GROUP BY 1, 2, 3"
    )


def downgrade() -> None:
    for event in _TRIGGERS:
        op.execute(f"DROP TRIGGER queue_sizes_on_{event.lower()} ON dossier_queue")
    op.execute("DROP FUNCTION queue_sizes_follow()")
    op.drop_table("queue_sizes")
