"""Reading the chronicle page by page, for the HTTP API and the web interface.

:mod:`storyline.store.queries` answers the CLI's questions (all stories, all events); these functions answer a
browser's: one page of a list with the size of the whole list, an entity with its partners, a document as it
was read. Filtering and paging happen in SQL, so a page costs the same in a small chronicle and a large one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    Text,
    case,
    cast,
    column,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

from storyline.records import (
    Check,
    Contradiction,
    Conversion,
    Event,
    Figure,
    Reading,
    Span,
    StatedConversion,
)
from storyline.store import tables as t
from storyline.store.queries import (
    EventFilter,
    _contradiction,
    _events,
    _interval,
    _time_order,
    event_query,
    takes_part,
)

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    """One page of a list: its items, and how many items the whole list holds."""

    items: list[T]
    total: int


# -- helpers --------------------------------------------------------------------------------------------


def like_escape(value: str) -> str:
    """``value`` with LIKE's wildcards escaped (with ``\\``), to match it literally."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def json_list_has(column_: Any, item: str) -> ColumnElement[bool]:
    """Whether a JSON list of strings holds ``item``: its quoted form appears in the list's text."""
    return cast(column_, Text).like(f'%"{like_escape(item)}"%', escape="\\")


def _count(session: Session, query: Select[Any]) -> int:
    return int(
        session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    )


def _matching_documents(engine: Engine, query: str) -> Any:
    """A subquery of the ids of the documents whose title or text match the words of ``query``."""
    words = [w.replace('"', "") for w in query.split() if w.replace('"', "")]
    if engine.dialect.name == "sqlite":
        match = " ".join(f'"{w}"' for w in words)
        return (
            text(
                "SELECT d.id FROM documents_fts JOIN documents d ON d.seq = documents_fts.rowid "
                "WHERE documents_fts MATCH :fts_q"
            )
            .bindparams(fts_q=match)
            .columns(column("id"))
        )
    return (
        text(
            "SELECT id FROM documents WHERE to_tsvector('simple', coalesce(title, '') || ' ' || text) "
            "@@ plainto_tsquery('simple', :fts_q)"
        )
        .bindparams(fts_q=" ".join(words))
        .columns(column("id"))
    )


# -- stories --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoryRow:
    id: str
    title: str
    first: date | None
    last: date | None
    events: int
    documents: int


def stories(engine: Engine, *, limit: int = 50, offset: int = 0) -> Page[StoryRow]:
    """Stories without their timelines, the most recently active first."""
    query = select(t.Story).order_by(t.Story.last_date.desc().nulls_last(), t.Story.id)
    with Session(engine) as session:
        total = _count(session, query)
        rows = session.execute(query.limit(limit).offset(offset)).scalars()
        items = [StoryRow(r.id, r.title, r.first_date, r.last_date, r.events, r.documents) for r in rows]
    return Page(items, total)


# -- events ---------------------------------------------------------------------------------------------


def _event_query(engine: Engine, where: EventFilter, q: str | None) -> Select[Any]:
    query = event_query(where)
    if q and q.strip():
        pattern = f"%{like_escape(q.strip().lower())}%"
        mentioned = select(t.EventMention.event_id).where(
            or_(
                func.lower(t.EventMention.evidence).like(pattern, escape="\\"),
                t.EventMention.document_id.in_(_matching_documents(engine, q)),
            )
        )
        query = query.where(t.Event.id.in_(mentioned))
    return query


def events(
    engine: Engine, where: EventFilter, *, q: str | None = None, with_history: bool = False
) -> Page[Event]:
    """A page of events in time order; ``q`` keeps those whose evidence or documents hold its words."""
    query = _event_query(engine, where, q)
    with Session(engine) as session:
        rows, total = _page_with_total(session, _time_order(query), where.limit, where.offset)
        return Page(_events(session, rows, with_history), total)


def _page_with_total(
    session: Session, query: Select[Any], limit: int | None, offset: int
) -> tuple[list[Any], int]:
    """One page of ``query``'s entities and the size of the whole list, in one pass over the rows (a window
    count) rather than two; a page past the end counts apart."""
    paged = query.add_columns(func.count().over().label("total")).offset(offset)
    if limit is not None:
        paged = paged.limit(limit)
    found = session.execute(paged).all()
    if found:
        return [r[0] for r in found], int(found[0][-1])
    return [], _count(session, query) if offset else 0


# -- entities -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntityRow:
    id: str
    kind: str
    name: str
    wikidata: str | None
    documents: int
    events: int


@dataclass(frozen=True)
class Partner:
    id: str
    name: str | None
    kind: str | None
    events: int


@dataclass(frozen=True)
class YearCount:
    year: int
    events: int


@dataclass
class EntityPage:
    entity: EntityRow
    events: Page[Event]
    by_year: list[YearCount] = field(default_factory=list)
    partners: list[Partner] = field(default_factory=list)


def _event_counts(session: Session, ids: list[str]) -> dict[str, int]:
    """How many events each entity takes part in: one pass over the events for all of them."""
    if not ids:
        return {}
    rows = session.execute(
        select(t.EventParticipant.entity_id, func.count())
        .where(t.EventParticipant.entity_id.in_(ids))
        .group_by(t.EventParticipant.entity_id)
    ).all()
    return {str(i): int(n) for i, n in rows}


def entities(
    engine: Engine, *, kind: str | None = None, prefix: str | None = None, limit: int = 50, offset: int = 0
) -> Page[EntityRow]:
    """Entities with how many documents name them and how many events they take part in, the most
    documented first; ``prefix`` matches the start of their name or id, in any case."""
    documents = func.count(t.DocumentEntity.document_id)
    query = (
        select(t.Entity, documents)
        .outerjoin(t.DocumentEntity, t.DocumentEntity.entity_id == t.Entity.id)
        .group_by(t.Entity.id, t.Entity.kind, t.Entity.name, t.Entity.wikidata)
    )
    if kind:
        query = query.where(t.Entity.kind == kind)
    if prefix:
        pattern = like_escape(prefix.lower()) + "%"
        query = query.where(
            or_(
                func.lower(t.Entity.name).like(pattern, escape="\\"),
                func.lower(t.Entity.id).like(pattern, escape="\\"),
            )
        )
    with Session(engine) as session:
        total = _count(session, query)
        rows = session.execute(
            query.order_by(documents.desc(), t.Entity.id).limit(limit).offset(offset)
        ).all()
        counts = _event_counts(session, [r[0].id for r in rows])
        items = [EntityRow(e.id, e.kind, e.name, e.wikidata, int(n), counts.get(e.id, 0)) for e, n in rows]
    return Page(items, total)


def entity(engine: Engine, entity_id: str, *, limit: int = 100, offset: int = 0) -> EntityPage | None:
    """An entity, a page of its events in time order, its events per year and the entities it acts with
    (how many events they share), or None when no document names it and no event has it as participant."""
    with Session(engine) as session:
        row = session.get(t.Entity, entity_id)
        documents = int(
            session.execute(select(func.count()).where(t.DocumentEntity.entity_id == entity_id)).scalar_one()
        )
        involved = select(t.Event.participants, t.Event.when_start).where(takes_part(entity_id))
        years: Counter[int] = Counter()
        partners: Counter[str] = Counter()
        total = 0
        for participants, start in session.execute(involved):
            total += 1
            if start is not None:
                years[_as_date(start).year] += 1
            partners.update(p for p in set(participants) if p != entity_id)
        if row is None and total == 0:
            return None
        paged = _time_order(select(t.Event).where(takes_part(entity_id)))
        rows = list(session.execute(paged.limit(limit).offset(offset)).scalars())
        known = {
            e.id: e
            for e in session.execute(select(t.Entity).where(t.Entity.id.in_(list(partners)))).scalars()
        }
        info = EntityRow(
            id=entity_id,
            kind=row.kind if row else "other",
            name=row.name if row else entity_id,
            wikidata=row.wikidata if row else None,
            documents=documents,
            events=total,
        )
        return EntityPage(
            entity=info,
            events=Page(_events(session, rows, with_history=False), total),
            by_year=[YearCount(y, n) for y, n in sorted(years.items())],
            partners=[
                Partner(
                    id=p,
                    name=known[p].name if p in known else None,
                    kind=known[p].kind if p in known else None,
                    events=n,
                )
                for p, n in sorted(partners.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
        )


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# -- documents ------------------------------------------------------------------------------------------


class DocumentRef(BaseModel):
    """A document as a list shows it."""

    id: str
    title: str | None = None
    url: str | None = None
    site: str | None = None
    language: str | None = None
    published: date | None = None
    story: str | None = None
    duplicate_of: str | None = None
    duplicate_kind: str | None = None


class DocumentDetail(BaseModel):
    """A document as it was read, with where the chronicle put it."""

    document: DocumentRef
    reading: Reading | None = None
    event_ids: list[str | None] = []
    similarity: float | None = None
    stored_at: datetime | None = None


def _ref(row: t.Document) -> DocumentRef:
    return DocumentRef(
        id=row.id,
        title=row.title,
        url=row.url,
        site=row.site,
        language=row.language,
        published=row.published,
        story=row.story_id,
        duplicate_of=row.duplicate_of,
        duplicate_kind=row.duplicate_kind,
    )


_REF_COLUMNS = (
    t.Document.id,
    t.Document.title,
    t.Document.url,
    t.Document.site,
    t.Document.language,
    t.Document.published,
    t.Document.story_id,
    t.Document.duplicate_of,
    t.Document.duplicate_kind,
)


def _ref_of_row(r: Any) -> DocumentRef:
    return DocumentRef(
        id=r.id,
        title=r.title,
        url=r.url,
        site=r.site,
        language=r.language,
        published=r.published,
        story=r.story_id,
        duplicate_of=r.duplicate_of,
        duplicate_kind=r.duplicate_kind,
    )


def documents(
    engine: Engine,
    *,
    language: str | None = None,
    story: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[DocumentRef]:
    """Documents, the latest published first, filtered by language, story and publication date."""
    query = select(*_REF_COLUMNS)
    if language:
        query = query.where(t.Document.language == language)
    if story:
        query = query.where(t.Document.story_id == story)
    if since:
        query = query.where(t.Document.published >= since)
    if until:
        query = query.where(t.Document.published <= until)
    with Session(engine) as session:
        total = _count(session, query)
        ordered = query.order_by(t.Document.published.desc().nulls_last(), t.Document.id)
        rows = session.execute(ordered.limit(limit).offset(offset)).all()
    return Page([_ref_of_row(r) for r in rows], total)


def document(engine: Engine, document_id: str) -> DocumentDetail | None:
    """A document's reading (its text, entities, events, figures, checks, provenance) and, for each of its
    event mentions, the event it was resolved into; None when no such document is stored."""
    with Session(engine) as session:
        row = session.get(t.Document, document_id)
        if row is None:
            return None
        reading = Reading.model_validate({**row.reading, "text": row.text}) if row.reading else None
        linked: dict[int, str | None] = {
            idx: event_id
            for idx, event_id in session.execute(
                select(t.EventMention.idx, t.EventMention.event_id).where(
                    t.EventMention.document_id == document_id
                )
            ).all()
        }
        count = len(reading.events) if reading else (max(linked) + 1 if linked else 0)
        return DocumentDetail(
            document=_ref(row),
            reading=reading,
            event_ids=[linked.get(k) for k in range(count)],
            similarity=row.similarity,
            stored_at=row.stored_at,
        )


# -- figures, checks, contradictions --------------------------------------------------------------------


class FigureItem(BaseModel):
    id: int
    figure: Figure
    usd: float | None = None
    eur: float | None = None
    document: DocumentRef


class CheckItem(BaseModel):
    id: int
    check: Check
    document: DocumentRef


def _figure(row: t.Figure) -> Figure:
    return Figure(
        kind=row.kind,
        value=row.value,
        unit=row.unit,
        period=_interval(row.period_start, row.period_end, row.period_granularity),
        between=list(row.between),
        converted={k: Conversion.model_validate(v) for k, v in (row.converted or {}).items()},
        stated_conversion=StatedConversion.model_validate(row.stated_conversion)
        if row.stated_conversion
        else None,
        evidence=Span(start=row.evidence_start, end=row.evidence_end, text=row.evidence),
    )


def figures(
    engine: Engine,
    *,
    kind: str | None = None,
    between: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[FigureItem]:
    """Figures with their conversions and their document, the latest period first; ``between`` is an entity
    among their parties, ``since``/``until`` bound their period."""
    query = select(t.Figure, *_REF_COLUMNS).join(t.Document, t.Document.id == t.Figure.document_id)
    if kind:
        query = query.where(t.Figure.kind == kind)
    if between:
        query = query.where(json_list_has(t.Figure.between, between))
    if since:
        query = query.where(t.Figure.period_end >= since)
    if until:
        query = query.where(t.Figure.period_start <= until)
    with Session(engine) as session:
        total = _count(session, query)
        ordered = query.order_by(t.Figure.period_start.desc().nulls_last(), t.Figure.id)
        rows = session.execute(ordered.limit(limit).offset(offset)).all()
        items = [
            FigureItem(id=r[0].id, figure=_figure(r[0]), usd=r[0].usd, eur=r[0].eur, document=_ref_of_row(r))
            for r in rows
        ]
    return Page(items, total)


def checks(
    engine: Engine,
    *,
    kind: str | None = None,
    severity: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[CheckItem]:
    """What reading noticed in documents, the most severe first."""
    query = select(t.Check, *_REF_COLUMNS).join(t.Document, t.Document.id == t.Check.document_id)
    if kind:
        query = query.where(t.Check.kind == kind)
    if severity:
        query = query.where(t.Check.severity == severity)
    rank = case((t.Check.severity == "error", 0), (t.Check.severity == "warning", 1), else_=2)
    with Session(engine) as session:
        total = _count(session, query)
        rows = session.execute(query.order_by(rank, t.Check.id).limit(limit).offset(offset)).all()
        items = [
            CheckItem(
                id=r[0].id,
                check=Check(
                    kind=r[0].kind,
                    severity=r[0].severity,
                    message=r[0].message,
                    evidence=[Span.model_validate(s) for s in r[0].evidence or []],
                ),
                document=_ref_of_row(r),
            )
            for r in rows
        ]
    return Page(items, total)


def contradictions(
    engine: Engine,
    *,
    story: str | None = None,
    field: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Contradiction]:
    """Contradictions, by subject, filtered by story and by what is disputed."""
    query = select(t.Contradiction)
    if story:
        query = query.where(t.Contradiction.story_id == story)
    if field:
        query = query.where(t.Contradiction.field == field)
    with Session(engine) as session:
        total = _count(session, query)
        ordered = query.order_by(t.Contradiction.subject, t.Contradiction.field, t.Contradiction.id)
        rows = session.execute(ordered.limit(limit).offset(offset)).scalars()
        return Page([_contradiction(c) for c in rows], total)


def exists(engine: Engine, table: Any, key: str) -> bool:
    """Whether ``table`` holds a row with primary key ``key``."""
    with Session(engine) as session:
        return session.get(table, key) is not None


__all__ = [
    "CheckItem",
    "DocumentDetail",
    "DocumentRef",
    "EntityPage",
    "EntityRow",
    "FigureItem",
    "Page",
    "Partner",
    "StoryRow",
    "YearCount",
]
