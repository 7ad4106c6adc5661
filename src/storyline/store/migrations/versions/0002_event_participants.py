"""Who takes part in each event, one row each, so that an actor's events are found by an index.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "event_participants",
        sa.Column("entity_id", sa.String(length=300), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("entity_id", "event_id"),
    )
    op.create_index("ix_event_participants_event", "event_participants", ["event_id"], unique=False)
    rows = op.get_bind().execute(sa.text("SELECT id, participants FROM events")).all()
    filled = []
    for event_id, participants in rows:
        ids = json.loads(participants) if isinstance(participants, str) else participants
        filled += [{"entity_id": p, "event_id": event_id} for p in sorted(set(ids or []))]
    if filled:
        op.bulk_insert(table, filled)


def downgrade() -> None:
    op.drop_index("ix_event_participants_event", table_name="event_participants")
    op.drop_table("event_participants")
