"""Reading the chronicle back: stories, events with their status history and contradictions, documents,
full-text search. The CLI, the exports and the HTTP API are thin layers over these functions; each returns
the record types of :mod:`storyline.records`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, func, select, text
from sqlalchemy.orm import Session

from storyline.records import (
    Claim,
    Contradiction,
    Event,
    Interval,
    Place,
    Span,
    StatusReport,
    Story,
)
from storyline.resolve.status import report_order
from storyline.store import tables as t


@dataclass(frozen=True)
class EventFilter:
    """Which events to list; every field is optional and they combine with AND."""

    actor: str | None = None  # an entity id among the participants (JPN, european-union)
    type: str | None = None
    status: str | None = None
    format: str | None = None
    story: str | None = None
    since: date | None = None  # the event's time ends on or after this day
    until: date | None = None  # ... and starts on or before this one
    limit: int | None = None
    offset: int = 0


def _contradiction(row: t.Contradiction) -> Contradiction:
    return Contradiction(
        subject=row.subject,
        event=row.event_id,
        story=row.story_id,
        field=row.field,
        claims=[Claim(value=c["value"], documents=list(c["documents"])) for c in row.claims],
        message=row.message,
    )


def _interval(
    start: date | None, end: date | None, granularity: str | None, words: str | None = None
) -> Interval | None:
    if start is None or end is None:
        return None
    return Interval(start=start, end=end, granularity=granularity or "range", text=words)  # type: ignore[arg-type]


def _place(name: str | None, geonameid: int | None, country: str | None) -> Place | None:
    return Place(name=name, geonameid=geonameid, country=country) if name else None


def _events(session: Session, rows: Sequence[t.Event], with_history: bool = True) -> list[Event]:
    ids = [r.id for r in rows]
    reports: dict[str, list[StatusReport]] = defaultdict(list)
    contradictions: dict[str, list[Contradiction]] = defaultdict(list)
    if with_history and ids:
        mentions = session.execute(
            select(t.EventMention, t.Document.duplicate_of, t.Document.language, t.Document.url)
            .join(t.Document, t.Document.id == t.EventMention.document_id)
            .where(t.EventMention.event_id.in_(ids))
        ).all()
        ordered = sorted(
            mentions,
            key=lambda m: report_order(m[0].reported, m[0].status, m[0].document_id, m[0].origin, m[0].idx),
        )
        for m, copy_of, language, url in ordered:
            assert m.event_id is not None
            reports[m.event_id].append(
                StatusReport(
                    document=m.document_id,
                    copy_of=copy_of,
                    reported=m.reported,
                    language=language,
                    url=url,
                    status=m.status,
                    credible=m.credible,
                    change=m.change,
                    note=m.note,
                    when=_interval(m.when_start, m.when_end, m.when_granularity, m.when_text),
                    where=_place(m.place_name, m.place_geonameid, m.place_country),
                    source=list(m.source_actors),
                    target=list(m.target_actors),
                    evidence=Span(start=m.evidence_start, end=m.evidence_end, text=m.evidence),
                )
            )
        for c in session.execute(select(t.Contradiction).where(t.Contradiction.event_id.in_(ids))).scalars():
            assert c.event_id is not None
            contradictions[c.event_id].append(_contradiction(c))
    return [
        Event(
            id=r.id,
            type=r.type,  # type: ignore[arg-type]
            status=r.status,  # type: ignore[arg-type]
            summary=r.summary,
            format=r.format,
            participants=list(r.participants),
            where=_place(r.place_name, r.place_geonameid, r.place_country),
            when=_interval(r.when_start, r.when_end, r.when_granularity),
            mentions=r.mentions,
            sources=r.sources,
            story=r.story_id,
            history=reports.get(r.id, []),
            contradictions=contradictions.get(r.id, []),
        )
        for r in rows
    ]


def _time_order(query: Select[Any]) -> Select[Any]:
    # events without a time go last; then by first report, then id, so the order is total and stable
    return query.order_by(
        t.Event.when_start.is_(None),
        t.Event.when_start,
        t.Event.when_end,
        t.Event.first_reported,
        t.Event.id,
    )


def takes_part(entity_id: str) -> ColumnElement[bool]:
    """Whether an event has ``entity_id`` among its participants (by the event_participants index)."""
    return t.Event.id.in_(
        select(t.EventParticipant.event_id).where(t.EventParticipant.entity_id == entity_id)
    )


def event_query(where: EventFilter) -> Select[Any]:
    """The events a filter keeps (unordered, unpaged)."""
    query = select(t.Event)
    if where.type:
        query = query.where(t.Event.type == where.type.upper())
    if where.status:
        query = query.where(t.Event.status == where.status)
    if where.format:
        query = query.where(t.Event.format == where.format)
    if where.story:
        query = query.where(t.Event.story_id == where.story)
    if where.since:  # an event without a time is in no date range
        query = query.where(t.Event.when_end >= where.since)
    if where.until:
        query = query.where(t.Event.when_start <= where.until)
    if where.actor:
        query = query.where(takes_part(where.actor))
    return query


def events(engine: Engine, where: EventFilter | None = None, *, with_history: bool = True) -> list[Event]:
    """Events in time order, filtered."""
    where = where or EventFilter()
    query = event_query(where)
    query = _time_order(query).offset(where.offset)
    if where.limit is not None:
        query = query.limit(where.limit)
    with Session(engine) as session:
        return _events(session, list(session.execute(query).scalars()), with_history)


def events_by_id(session: Session, ids: Iterable[str]) -> list[Event]:
    """The events named, in time order, with their histories."""
    rows = session.execute(_time_order(select(t.Event).where(t.Event.id.in_(sorted(set(ids)))))).scalars()
    return _events(session, list(rows))


def event(engine: Engine, event_id: str) -> Event | None:
    with Session(engine) as session:
        row = session.get(t.Event, event_id)
        return _events(session, [row])[0] if row else None


def story_ids(engine: Engine) -> list[str]:
    """Stories, the most recently active first."""
    with Session(engine) as session:
        return list(
            session.execute(
                select(t.Story.id).order_by(t.Story.last_date.desc().nulls_last(), t.Story.id)
            ).scalars()
        )


def story_version(engine: Engine, story_id: str) -> int | None:
    """A number that changes whenever the story does (None: no such story)."""
    with Session(engine) as session:
        value = session.execute(
            select(t.Story.updated_seq).where(t.Story.id == story_id)
        ).scalar_one_or_none()
        return None if value is None else int(value)


def story(engine: Engine, story_id: str) -> Story | None:
    """A story with its timeline: events in time order, each with its status history and contradictions."""
    found = stories(engine, [story_id])
    return found[0] if found else None


def stories(engine: Engine, ids: Iterable[str] | None = None) -> list[Story]:
    """Stories (all, or those named), the most recently active first."""
    wanted = list(ids) if ids is not None else story_ids(engine)
    out = []
    with Session(engine) as session:
        for sid in wanted:
            row = session.get(t.Story, sid)
            if row is None:
                continue
            rows = list(
                session.execute(_time_order(select(t.Event).where(t.Event.story_id == sid))).scalars()
            )
            documents = list(
                session.execute(
                    select(t.Document.id)
                    .where(t.Document.story_id == sid)
                    .order_by(t.Document.published, t.Document.id)
                ).scalars()
            )
            others = session.execute(
                select(t.Contradiction).where(
                    t.Contradiction.story_id == sid, t.Contradiction.event_id.is_(None)
                )
            ).scalars()
            timeline = _events(session, rows)
            out.append(
                Story(
                    id=row.id,
                    title=row.title,
                    first=row.first_date,
                    last=row.last_date,
                    documents=documents,
                    events=timeline,
                    contradictions=[c for e in timeline for c in e.contradictions]
                    + [_contradiction(c) for c in others],
                )
            )
    return out


def contradictions(engine: Engine) -> list[Contradiction]:
    with Session(engine) as session:
        return [
            _contradiction(c)
            for c in session.execute(
                select(t.Contradiction).order_by(t.Contradiction.subject, t.Contradiction.field)
            ).scalars()
        ]


@dataclass(frozen=True)
class Hit:
    document: str
    title: str | None
    published: date | None
    snippet: str


def search(engine: Engine, query: str, limit: int = 20) -> list[Hit]:
    """Documents whose title or text match ``query`` (words; "quoted phrases"), the best first."""
    words = [w for w in query.replace('"', " ").split() if w]
    if not words:
        return []
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            match = " ".join('"' + w.replace('"', "") + '"' for w in words)
            rows = conn.execute(
                text(
                    "SELECT d.id, d.title, d.published, "
                    "snippet(documents_fts, 1, '[', ']', '…', 16) AS snippet "
                    "FROM documents_fts JOIN documents d ON d.seq = documents_fts.rowid "
                    "WHERE documents_fts MATCH :q ORDER BY bm25(documents_fts), d.id LIMIT :n"
                ),
                {"q": match, "n": limit},
            ).all()
        else:
            vector = "to_tsvector('simple', coalesce(title, '') || ' ' || text)"
            rows = conn.execute(
                text(
                    f"SELECT id, title, published, ts_headline('simple', text, q, "
                    f"'StartSel=[, StopSel=], MaxWords=16, MinWords=6') AS snippet "
                    f"FROM documents, plainto_tsquery('simple', :q) AS q WHERE {vector} @@ q "
                    f"ORDER BY ts_rank({vector}, q) DESC, id LIMIT :n"
                ),
                {"q": " ".join(words), "n": limit},
            ).all()
    return [Hit(document=r[0], title=r[1], published=_as_date(r[2]), snippet=r[3]) for r in rows]


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def counts(engine: Engine) -> dict[str, int]:
    """How many of each thing the database holds."""
    with Session(engine) as session:
        out = {}
        for name, table in (
            ("documents", t.Document),
            ("failures", t.Failure),
            ("event mentions", t.EventMention),
            ("events", t.Event),
            ("stories", t.Story),
            ("figures", t.Figure),
            ("checks", t.Check),
            ("contradictions", t.Contradiction),
        ):
            out[name] = int(session.execute(select(func.count()).select_from(table)).scalar_one())
        out["copies"] = int(
            session.execute(
                select(func.count()).select_from(t.Document).where(t.Document.duplicate_of.is_not(None))
            ).scalar_one()
        )
        return out


def failures(engine: Engine) -> list[tuple[str, str, str]]:
    with Session(engine) as session:
        return [
            (f.key, f.kind, f.message)
            for f in session.execute(select(t.Failure).order_by(t.Failure.key)).scalars()
        ]


def dump(engine: Engine) -> list[str]:
    """Everything a chronicle says, as lines of JSON: its stories (with their events, histories and
    contradictions), then every event, in their stable order. Two databases hold the same chronicle when
    their dumps are equal."""
    return [s.model_dump_json() for s in stories(engine)] + [e.model_dump_json() for e in events(engine)]
