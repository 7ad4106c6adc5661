"""The chronicle's tables: one class per stored concept, for SQLite and PostgreSQL alike.

Readings are stored whole (as their JSON) and, for querying, in rows: event mentions, figures and checks. What
resolution derives — events, their status history, contradictions and stories — is kept in tables of its own
and recomputed locally when a document arrives or changes. The schema itself is created and upgraded by the
Alembic migrations in ``migrations/``; a test checks that they and these classes agree.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Source(Base):
    """A source the user follows: a feed, an OPML list, a sitemap, a page or a web archive."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(300))
    every_minutes: Mapped[int] = mapped_column(Integer, default=60)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_checked: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FetchState(Base):
    """What the last request of a URL returned, for conditional requests next time."""

    __tablename__ = "fetch_state"
    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[int | None] = mapped_column(Integer)
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SeenEntry(Base):
    """A feed entry (by its GUID) already fetched, so that it is not fetched again."""

    __tablename__ = "seen_entries"
    source: Mapped[str] = mapped_column(String(2000), primary_key=True)
    guid: Mapped[str] = mapped_column(String(2000), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Document(Base):
    """A document that was read (or recognised as a byte-for-byte copy of one that was)."""

    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(String(1000), primary_key=True)
    input_hash: Mapped[str] = mapped_column(String(64), index=True)
    text_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(8))
    published: Mapped[date | None] = mapped_column(Date, index=True)
    url: Mapped[str | None] = mapped_column(String(2000))
    site: Mapped[str | None] = mapped_column(String(300))
    source: Mapped[str | None] = mapped_column(String(2000))
    duplicate_of: Mapped[str | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    duplicate_kind: Mapped[str | None] = mapped_column(String(10))  # "exact" or "near"
    similarity: Mapped[float | None] = mapped_column(Float)
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)
    reading: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    story_id: Mapped[str | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"), index=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)  # the order documents were stored in; FTS rowid
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DocumentBand(Base):
    """One band of a document's MinHash signature: documents that share a band are near-duplicate candidates."""

    __tablename__ = "document_bands"
    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)


class Pending(Base):
    """A document stored by a batch load whose mentions, stories and figures are not resolved yet: the
    batch's resolution removes it, and a load that was killed in between resolves it first when run again."""

    __tablename__ = "pending_documents"
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, index=True)


class Failure(Base):
    """A document that could not be read, with the reason; kept once per input."""

    __tablename__ = "failures"
    key: Mapped[str] = mapped_column(String(1000), primary_key=True)  # the document id, else its path or URL
    input_hash: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Entity(Base):
    """An entity named by at least one stored document."""

    __tablename__ = "entities"
    id: Mapped[str] = mapped_column(String(300), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(500))
    wikidata: Mapped[str | None] = mapped_column(String(20))


class DocumentEntity(Base):
    __tablename__ = "document_entities"
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True)
    mentions: Mapped[int] = mapped_column(Integer)


class Story(Base):
    """A real-world thread: the events of one recurring format, or of one set of actors."""

    __tablename__ = "stories"
    id: Mapped[str] = mapped_column(String(300), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    first_date: Mapped[date | None] = mapped_column(Date)
    last_date: Mapped[date | None] = mapped_column(Date)
    events: Mapped[int] = mapped_column(Integer, default=0)
    documents: Mapped[int] = mapped_column(Integer, default=0)
    updated_seq: Mapped[int] = mapped_column(Integer, default=0)


class Event(Base):
    """A real-world event: every mention of it, in whatever document and language, points here."""

    __tablename__ = "events"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    type: Mapped[str] = mapped_column(String(20), index=True)
    format: Mapped[str | None] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)  # the latest credible status
    participants: Mapped[list[Any]] = mapped_column(JSON)
    place_name: Mapped[str | None] = mapped_column(String(300))
    place_country: Mapped[str | None] = mapped_column(String(3))
    place_geonameid: Mapped[int | None] = mapped_column(Integer)
    when_start: Mapped[date | None] = mapped_column(Date, index=True)
    when_end: Mapped[date | None] = mapped_column(Date)
    when_granularity: Mapped[str | None] = mapped_column(String(20))
    span_start: Mapped[date | None] = mapped_column(Date)  # every mention's time, for matching
    span_end: Mapped[date | None] = mapped_column(Date)
    first_reported: Mapped[date | None] = mapped_column(Date)
    last_reported: Mapped[date | None] = mapped_column(Date)
    mentions: Mapped[int] = mapped_column(Integer, default=0)
    sources: Mapped[int] = mapped_column(Integer, default=0)  # independent documents: copies count once
    summary: Mapped[str] = mapped_column(Text, default="")
    story_id: Mapped[str | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"), index=True)
    # a story's latest event (its headline) is found without sorting all the story's events
    __table_args__ = (
        Index("ix_events_story_when", "story_id", "when_start"),
        Index("ix_events_story_end", "story_id", "when_end"),
    )


class EventKey(Base):
    """A blocking key of an event: a new mention is compared only with events that share one of its keys."""

    __tablename__ = "event_keys"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    __table_args__ = (Index("ix_event_keys_event", "event_id"),)


class EventParticipant(Base):
    """Who takes part in an event, one row each: an actor's events without scanning the events."""

    __tablename__ = "event_participants"
    entity_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    __table_args__ = (Index("ix_event_participants_event", "event_id"),)


class EventMention(Base):
    """An event as one document states it."""

    __tablename__ = "event_mentions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    idx: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(1000))  # the original document when this one is a copy
    reported: Mapped[date | None] = mapped_column(Date)  # the document's publication date
    type: Mapped[str] = mapped_column(String(20))
    mode: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    participants: Mapped[list[Any]] = mapped_column(JSON)
    source_actors: Mapped[list[Any]] = mapped_column(JSON)
    target_actors: Mapped[list[Any]] = mapped_column(JSON)
    format: Mapped[str | None] = mapped_column(String(100))
    place_name: Mapped[str | None] = mapped_column(String(300))
    place_country: Mapped[str | None] = mapped_column(String(3))
    place_geonameid: Mapped[int | None] = mapped_column(Integer)
    when_start: Mapped[date | None] = mapped_column(Date)
    when_end: Mapped[date | None] = mapped_column(Date)
    when_granularity: Mapped[str | None] = mapped_column(String(20))
    when_text: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    evidence_start: Mapped[int] = mapped_column(Integer)
    evidence_end: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float)
    event_id: Mapped[str | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    credible: Mapped[bool] = mapped_column(Boolean, default=True)  # whether its status counts
    change: Mapped[str | None] = mapped_column(String(40))  # what this report changed: announced, held, ...
    note: Mapped[str | None] = mapped_column(Text)  # why its status does not count
    __table_args__ = (UniqueConstraint("document_id", "idx"),)


class Figure(Base):
    __tablename__ = "figures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    idx: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    # the quantity it measures (kind, parties, period): figures of one subject are compared with each other
    subject: Mapped[str | None] = mapped_column(String(400), index=True)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    period_granularity: Mapped[str | None] = mapped_column(String(20))
    between: Mapped[list[Any]] = mapped_column(JSON)
    usd: Mapped[float | None] = mapped_column(Float)
    eur: Mapped[float | None] = mapped_column(Float)
    converted: Mapped[dict[str, Any]] = mapped_column(JSON)
    stated_conversion: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    evidence_start: Mapped[int] = mapped_column(Integer)
    evidence_end: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[str] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("document_id", "idx"),)


class Check(Base):
    __tablename__ = "checks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    idx: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(60), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[Any]] = mapped_column(JSON)
    __table_args__ = (UniqueConstraint("document_id", "idx"),)


class Contradiction(Base):
    """Sources that disagree: on an event's date, place or participants, or on a figure's value."""

    __tablename__ = "contradictions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(400), index=True)  # "event:<id>" or "figure:<key>"
    event_id: Mapped[str | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    story_id: Mapped[str | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    claims: Mapped[list[Any]] = mapped_column(JSON)  # [{"value": ..., "documents": [...]}, ...]
    message: Mapped[str] = mapped_column(Text)


class Watch(Base):
    """A watch list saved with ``storyline watch add``: what a user follows (a :class:`WatchList` as JSON)."""

    __tablename__ = "watchlists"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AlertSent(Base):
    """An alert already sent: a watch list was told that an event reached a status (sent once)."""

    __tablename__ = "alerts_sent"
    watch: Mapped[str] = mapped_column(String(100), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
