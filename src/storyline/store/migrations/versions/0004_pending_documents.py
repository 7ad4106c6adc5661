"""Documents stored by a batch load and not resolved yet.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_documents",
        sa.Column("document_id", sa.String(length=1000), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id"),
    )
    op.create_index("ix_pending_documents_seq", "pending_documents", ["seq"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_pending_documents_seq", table_name="pending_documents")
    op.drop_table("pending_documents")
