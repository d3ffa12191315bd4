"""Alembic history of the gateway's table (applied at start-up: shared.pg.migrate)."""

from pathlib import Path

MIGRATIONS_DIR = Path(__file__).parent
