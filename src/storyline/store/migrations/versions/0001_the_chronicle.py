"""The chronicle: documents, readings, events, stories, contradictions, sources; full-text search.

Revision ID: 0001
Revises:
Create Date: 2026-11-28 10:49:46.435284
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    _tables()
    _full_text()


def _tables() -> None:
    op.create_table(
        "entities",
        sa.Column("id", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("wikidata", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "failures",
        sa.Column("key", sa.String(length=1000), nullable=False),
        sa.Column("input_hash", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "fetch_state",
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("etag", sa.String(length=500), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("url"),
    )
    op.create_table(
        "seen_entries",
        sa.Column("source", sa.String(length=2000), nullable=False),
        sa.Column("guid", sa.String(length=2000), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "guid"),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("every_minutes", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_checked", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url"),
    )
    op.create_table(
        "stories",
        sa.Column("id", sa.String(length=300), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=True),
        sa.Column("last_date", sa.Date(), nullable=True),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("updated_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(length=1000), nullable=False),
        sa.Column("input_hash", sa.String(length=64), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("site", sa.String(length=300), nullable=True),
        sa.Column("source", sa.String(length=2000), nullable=True),
        sa.Column("duplicate_of", sa.String(length=1000), nullable=True),
        sa.Column("duplicate_kind", sa.String(length=10), nullable=True),
        sa.Column("similarity", sa.Float(), nullable=True),
        sa.Column("minhash", sa.LargeBinary(), nullable=True),
        sa.Column("reading", sa.JSON(), nullable=True),
        sa.Column("story_id", sa.String(length=300), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["duplicate_of"], ["documents.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_duplicate_of"), ["duplicate_of"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_input_hash"), ["input_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_published"), ["published"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_story_id"), ["story_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_text_hash"), ["text_hash"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("place_name", sa.String(length=300), nullable=True),
        sa.Column("place_country", sa.String(length=3), nullable=True),
        sa.Column("place_geonameid", sa.Integer(), nullable=True),
        sa.Column("when_start", sa.Date(), nullable=True),
        sa.Column("when_end", sa.Date(), nullable=True),
        sa.Column("when_granularity", sa.String(length=20), nullable=True),
        sa.Column("span_start", sa.Date(), nullable=True),
        sa.Column("span_end", sa.Date(), nullable=True),
        sa.Column("first_reported", sa.Date(), nullable=True),
        sa.Column("last_reported", sa.Date(), nullable=True),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.Column("sources", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("story_id", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_format"), ["format"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_story_id"), ["story_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_type"), ["type"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_when_start"), ["when_start"], unique=False)
        batch_op.create_index("ix_events_story_when", ["story_id", "when_start"], unique=False)

    op.create_table(
        "checks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(length=1000), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "idx"),
    )
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checks_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_checks_kind"), ["kind"], unique=False)

    op.create_table(
        "contradictions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject", sa.String(length=400), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=True),
        sa.Column("story_id", sa.String(length=300), nullable=True),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("claims", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contradictions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contradictions_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contradictions_story_id"), ["story_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contradictions_subject"), ["subject"], unique=False)

    op.create_table(
        "document_bands",
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("document_id", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("band", "bucket", "document_id"),
    )
    op.create_table(
        "document_entities",
        sa.Column("document_id", sa.String(length=1000), nullable=False),
        sa.Column("entity_id", sa.String(length=300), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["entity_id"], ["entities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id", "entity_id"),
    )
    op.create_table(
        "event_keys",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key", "event_id"),
    )
    with op.batch_alter_table("event_keys", schema=None) as batch_op:
        batch_op.create_index("ix_event_keys_event", ["event_id"], unique=False)

    op.create_table(
        "event_mentions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(length=1000), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=1000), nullable=False),
        sa.Column("reported", sa.Date(), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("mode", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("source_actors", sa.JSON(), nullable=False),
        sa.Column("target_actors", sa.JSON(), nullable=False),
        sa.Column("format", sa.String(length=100), nullable=True),
        sa.Column("place_name", sa.String(length=300), nullable=True),
        sa.Column("place_country", sa.String(length=3), nullable=True),
        sa.Column("place_geonameid", sa.Integer(), nullable=True),
        sa.Column("when_start", sa.Date(), nullable=True),
        sa.Column("when_end", sa.Date(), nullable=True),
        sa.Column("when_granularity", sa.String(length=20), nullable=True),
        sa.Column("when_text", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=True),
        sa.Column("credible", sa.Boolean(), nullable=False),
        sa.Column("change", sa.String(length=40), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "idx"),
    )
    with op.batch_alter_table("event_mentions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_mentions_event_id"), ["event_id"], unique=False)

    op.create_table(
        "figures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(length=1000), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("period_granularity", sa.String(length=20), nullable=True),
        sa.Column("between", sa.JSON(), nullable=False),
        sa.Column("usd", sa.Float(), nullable=True),
        sa.Column("eur", sa.Float(), nullable=True),
        sa.Column("converted", sa.JSON(), nullable=False),
        sa.Column("stated_conversion", sa.JSON(), nullable=True),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "idx"),
    )
    with op.batch_alter_table("figures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_figures_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_figures_kind"), ["kind"], unique=False)


_SQLITE_FTS = (
    # own-content FTS5 (a copy of title and text) keyed by documents.seq, kept up to date by triggers
    "CREATE VIRTUAL TABLE documents_fts USING fts5(title, text, tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN "
    "INSERT INTO documents_fts(rowid, title, text) VALUES (new.seq, coalesce(new.title, ''), new.text); END",
    "CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN "
    "DELETE FROM documents_fts WHERE rowid = old.seq; END",
    "CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, text, seq ON documents BEGIN "
    "DELETE FROM documents_fts WHERE rowid = old.seq; "
    "INSERT INTO documents_fts(rowid, title, text) VALUES (new.seq, coalesce(new.title, ''), new.text); END",
)
_POSTGRES_FTS = (
    "CREATE INDEX ix_documents_fts ON documents USING gin "
    "(to_tsvector('simple', coalesce(title, '') || ' ' || text))",
)


def _full_text() -> None:
    """Full-text search over documents' titles and text: FTS5 on SQLite, a GIN index on PostgreSQL."""
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": _SQLITE_FTS, "postgresql": _POSTGRES_FTS}.get(dialect, ()):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("documents_fts_insert", "documents_fts_delete", "documents_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS documents_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_documents_fts")
    with op.batch_alter_table("figures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_figures_kind"))
        batch_op.drop_index(batch_op.f("ix_figures_document_id"))

    op.drop_table("figures")
    with op.batch_alter_table("event_mentions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_mentions_event_id"))

    op.drop_table("event_mentions")
    with op.batch_alter_table("event_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_event_keys_event")

    op.drop_table("event_keys")
    op.drop_table("document_entities")
    op.drop_table("document_bands")
    with op.batch_alter_table("contradictions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contradictions_subject"))
        batch_op.drop_index(batch_op.f("ix_contradictions_story_id"))
        batch_op.drop_index(batch_op.f("ix_contradictions_event_id"))

    op.drop_table("contradictions")
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checks_kind"))
        batch_op.drop_index(batch_op.f("ix_checks_document_id"))

    op.drop_table("checks")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_story_when")
        batch_op.drop_index(batch_op.f("ix_events_when_start"))
        batch_op.drop_index(batch_op.f("ix_events_type"))
        batch_op.drop_index(batch_op.f("ix_events_story_id"))
        batch_op.drop_index(batch_op.f("ix_events_status"))
        batch_op.drop_index(batch_op.f("ix_events_format"))

    op.drop_table("events")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_text_hash"))
        batch_op.drop_index(batch_op.f("ix_documents_story_id"))
        batch_op.drop_index(batch_op.f("ix_documents_published"))
        batch_op.drop_index(batch_op.f("ix_documents_input_hash"))
        batch_op.drop_index(batch_op.f("ix_documents_duplicate_of"))

    op.drop_table("documents")
    op.drop_table("stories")
    op.drop_table("sources")
    op.drop_table("seen_entries")
    op.drop_table("fetch_state")
    op.drop_table("failures")
    op.drop_table("entities")
