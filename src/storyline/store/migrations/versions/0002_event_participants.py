"""Indexes for reads that must not grow with the corpus: who takes part in each event (one row each), a
figure's subject, a story's first and last event.

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
    with op.batch_alter_table("figures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject", sa.String(length=400), nullable=True))
        batch_op.create_index(batch_op.f("ix_figures_subject"), ["subject"], unique=False)
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_story_end", ["story_id", "when_end"], unique=False)
    rows = op.get_bind().execute(sa.text("SELECT id, participants FROM events")).all()
    filled = []
    for event_id, participants in rows:
        ids = json.loads(participants) if isinstance(participants, str) else participants
        filled += [{"entity_id": p, "event_id": event_id} for p in sorted(set(ids or []))]
    if filled:
        op.bulk_insert(table, filled)


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_story_end")
    with op.batch_alter_table("figures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_figures_subject"))
        batch_op.drop_column("subject")
    op.drop_index("ix_event_participants_event", table_name="event_participants")
    op.drop_table("event_participants")
