"""Writing the chronicle: a reading goes in, and the events, stories and contradictions it touches are
brought up to date — in one transaction per document, so that a run killed at any moment leaves a database
that is whole, and running it again finishes the work with the same result.

Resolution is incremental and local: a new mention is compared only with the events that share one of its
blocking keys, and only the events, stories and figures it touches are recomputed. A bulk load uses the same
writer a batch at a time (:mod:`storyline.store.bulk`): :meth:`Chronicle.stage` stores without resolving,
:meth:`Chronicle.resolve_mentions` resolves one part of a batch, :meth:`Chronicle.settle` finishes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ARRAY, Engine, String, and_, any_, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session

from storyline import kb as knowledge
from storyline.records import Figure as FigureRecord
from storyline.records import ReadError, Reading
from storyline.resolve import duplicates
from storyline.resolve.contradictions import FigureClaim, event_disagreements, figure_disagreement
from storyline.resolve.events import (
    Facts,
    best_event,
    index_keys,
    order_for_resolution,
    probe_keys,
    summarize,
)
from storyline.resolve.events import Summary as EventSummary
from storyline.resolve.status import current_status, history
from storyline.resolve.stories import document_story, event_summary, story_id, story_name, story_title
from storyline.store import tables as t

LEAD_CHARACTERS = 400  # a mention this close to the top is in the headline or lead
_HEADLINE_STATUS_ORDER = ("occurred", "ongoing", "planned", "postponed", "cancelled")


def input_hash(data: bytes | str | None) -> str:
    """The hash of an input as it came (bytes or text): the same input is never read twice."""
    raw = data.encode("utf-8") if isinstance(data, str) else (data or b"")
    return hashlib.sha256(raw).hexdigest()


@dataclass
class Added:
    """What storing one document did."""

    document: str
    skipped: bool = False  # already stored with the same input
    replaced: bool = False  # stored before with another input: the old version was removed
    duplicate_of: str | None = None
    duplicate_kind: str | None = None
    events: set[str] = field(default_factory=set)
    stories: set[str] = field(default_factory=set)


def _now() -> datetime:
    return datetime.now(UTC)


def city_key(geonameid: int | None) -> str | None:
    """A place is a city when it has a GeoNames id; a country-level place has none."""
    return str(geonameid) if geonameid else None


class Chronicle:
    """The writer of one database. One writer at a time: ``storyline run`` reads in parallel and writes
    here from one process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.kb = knowledge.load()
        self._seq = 0  # the sequence number of the document being stored
        self._left: set[str] = set()  # stories an event or document of this transaction left
        self._moved: set[str] = set()  # documents whose story this transaction changed

    # -- what is already there -----------------------------------------------------------------------

    def known(self, key: str, digest: str) -> bool:
        """Whether this input (by id and hash) was already stored or already failed."""
        with Session(self.engine) as session:
            stored = session.get(t.Document, key)
            if stored is not None:
                return stored.input_hash == digest
            failed = session.get(t.Failure, key)
            return failed is not None and failed.input_hash == digest

    def copy_source(self, key: str, digest: str) -> str | None:
        """The stored document whose input is byte for byte this one's, under another id."""
        with Session(self.engine) as session:
            return _copy_source(session, key, digest)

    # -- writing ---------------------------------------------------------------------------------------

    def add_failure(self, error: ReadError, digest: str | None, key: str | None = None) -> None:
        """Record a document that could not be read (once per input)."""
        name = key or error.id or error.path or "?"
        with Session(self.engine) as session, session.begin():
            row = session.get(t.Failure, name)
            if row is None:
                session.add(
                    t.Failure(
                        key=name,
                        input_hash=digest,
                        kind=error.error.kind,
                        message=error.error.message,
                        at=_now(),
                    )
                )
            elif (row.input_hash, row.kind, row.message) != (digest, error.error.kind, error.error.message):
                row.input_hash, row.kind, row.message, row.at = (
                    digest,
                    error.error.kind,
                    error.error.message,
                    _now(),
                )

    def add_copy(self, key: str, digest: str, original: str) -> Added:
        """Record an input identical to a stored one: linked to it, not read again."""
        with Session(self.engine) as session, session.begin():
            return self._copy(session, key, digest, original)

    def _copy(self, session: Session, key: str, digest: str, original: str) -> Added:
        source = session.get(t.Document, original)
        assert source is not None
        session.execute(delete(t.Failure).where(t.Failure.key == key))
        session.add(
            t.Document(
                id=key,
                input_hash=digest,
                text_hash=source.text_hash,
                title=source.title,
                text="",
                language=source.language,
                published=source.published,
                duplicate_of=original,
                duplicate_kind="exact",
                similarity=1.0,
                reading=None,
                story_id=source.story_id,
                seq=self._next_seq(session),
                stored_at=_now(),
            )
        )
        session.flush()
        return Added(document=key, duplicate_of=original, duplicate_kind="exact")

    def add(self, reading: Reading, digest: str) -> Added:
        """Store one reading and resolve what it says; a no-op when the same input was stored before."""
        with Session(self.engine) as session, session.begin():
            old = session.get(t.Document, reading.id)
            if old is not None and old.input_hash == digest:
                return Added(document=reading.id, skipped=True)
            added = Added(document=reading.id, replaced=old is not None)
            touched_events: set[str] = set()
            self._left, self._moved = set(), set()
            if old is not None:
                touched_events |= self._remove(session, old)
            doc, mentions = self._store(session, reading, digest, added)
            self._seq = doc.seq
            touched_events |= self._resolve(session, mentions)
            added.events = touched_events
            added.stories = self._refresh_stories(session, touched_events, {reading.id})
            self._figure_contradictions(session, {reading.id} | self._moved)
            return added

    def _store(
        self, session: Session, reading: Reading, digest: str, added: Added
    ) -> tuple[t.Document, list[t.EventMention]]:
        """The document and what its reading says, as rows; nothing resolved yet."""
        session.execute(delete(t.Failure).where(t.Failure.key == reading.id))
        doc = self._store_document(session, reading, digest, added)
        mentions = self._store_mentions(session, reading, doc)
        self._store_figures(session, reading)
        self._store_checks(session, reading)
        self._store_entities(session, reading)
        session.flush()
        return doc, mentions

    # -- batches: store many documents, then resolve them together (see storyline.store.bulk) -------------

    def stage(self, session: Session, reading: Reading, digest: str) -> Added | None:
        """Store a reading in ``session`` without resolving it, and mark it pending; skipped when stored
        before with the same input. None when a document of that id is stored with another input: replacing
        one must resolve at once (:meth:`add`), after what is pending."""
        old = session.get(t.Document, reading.id)
        if old is not None:
            return Added(document=reading.id, skipped=True) if old.input_hash == digest else None
        added = Added(document=reading.id)
        doc, _mentions = self._store(session, reading, digest, added)
        session.add(t.Pending(document_id=doc.id, seq=doc.seq))
        session.flush()
        return added

    def stage_copy(self, session: Session, key: str, digest: str) -> Added | None:
        """Record in ``session`` an input identical to a stored (or staged) one under another id; None when
        there is none."""
        original = _copy_source(session, key, digest)
        return self._copy(session, key, digest, original) if original is not None else None

    @staticmethod
    def pending(session: Session) -> list[str]:
        """The documents a batch stored and has not resolved yet, in the order they were stored."""
        return list(session.execute(select(t.Pending.document_id).order_by(t.Pending.seq)).scalars())

    @staticmethod
    def unresolved(session: Session, documents: Sequence[str]) -> list[tuple[int, Facts]]:
        """The mentions of ``documents`` that have no event yet, as (row id, facts), in the order resolution
        takes them: documents in the order they were stored, a document's mentions as
        :func:`order_for_resolution` orders them."""
        rows: dict[str, list[t.EventMention]] = {}
        for chunk in _chunks(list(documents)):
            for row in session.execute(
                select(t.EventMention).where(
                    t.EventMention.document_id.in_(chunk), t.EventMention.event_id.is_(None)
                )
            ).scalars():
                rows.setdefault(row.document_id, []).append(row)
        out: list[tuple[int, Facts]] = []
        for doc_id in documents:
            found = {r.idx: r for r in rows.get(doc_id, [])}
            for facts in order_for_resolution([facts_of(r) for r in found.values()]):
                out.append((found[facts.key[1]].id, facts))
        return out

    @staticmethod
    def stored_keys(session: Session, probes: set[str]) -> list[list[str]]:
        """Every key of each stored event that holds one of ``probes``."""
        events: set[str] = set()
        for chunk in _chunks(sorted(probes)):
            events.update(
                session.execute(select(t.EventKey.event_id).where(t.EventKey.key.in_(chunk))).scalars()
            )
        keys: dict[str, list[str]] = {}
        for chunk in _chunks(sorted(events)):
            for event_id, key in session.execute(
                select(t.EventKey.event_id, t.EventKey.key).where(t.EventKey.event_id.in_(chunk))
            ):
                keys.setdefault(event_id, []).append(key)
        return [sorted(v) for _, v in sorted(keys.items())]

    def resolve_mentions(self, mentions: Sequence[int]) -> set[str]:
        """Give these stored mentions (row ids, in resolution order) their events, in one transaction; the
        events touched. Mentions of different parts (:mod:`storyline.resolve.partition`) may be resolved by
        different processes at once."""
        with Session(self.engine) as session, session.begin():
            rows: dict[int, t.EventMention] = {}
            for chunk in _chunks(list(mentions)):
                rows.update(
                    (r.id, r)
                    for r in session.execute(
                        select(t.EventMention).where(t.EventMention.id.in_(chunk))
                    ).scalars()
                )
            touched: set[str] = set()
            for number in mentions:
                row = rows[number]
                if row.event_id is None:  # not resolved by an earlier attempt that was interrupted
                    touched.add(self._resolve_one(session, row, facts_of(row)))
            return touched

    def settle(self, documents: Sequence[str]) -> tuple[set[str], set[str]]:
        """After the mentions of the pending ``documents`` are resolved: their stories, the stories of the
        events they touched and their figures' contradictions, in one transaction that also ends their
        pending state. The events and stories touched."""
        with Session(self.engine) as session, session.begin():
            docs = set(documents)
            self._left, self._moved = set(), set()
            events: set[str] = set()
            seqs: list[int] = []
            for chunk in _chunks(sorted(docs)):
                events.update(
                    e
                    for e in session.execute(
                        select(t.EventMention.event_id).where(t.EventMention.document_id.in_(chunk))
                    ).scalars()
                    if e is not None
                )
                seqs += session.execute(select(t.Document.seq).where(t.Document.id.in_(chunk))).scalars()
            self._seq = max(seqs, default=self._seq)
            stories = self._refresh_stories(session, events, docs)
            self._figure_contradictions(session, docs | self._moved)
            for chunk in _chunks(sorted(docs)):
                session.execute(delete(t.Pending).where(t.Pending.document_id.in_(chunk)))
            return events, stories

    # -- documents ------------------------------------------------------------------------------------

    @staticmethod
    def _next_seq(session: Session) -> int:
        return int(session.execute(select(func.coalesce(func.max(t.Document.seq), 0))).scalar_one()) + 1

    def _store_document(self, session: Session, reading: Reading, digest: str, added: Added) -> t.Document:
        text_digest = duplicates.text_hash(reading.text)
        original: str | None = None
        kind: str | None = None
        similarity: float | None = None
        row = session.execute(
            select(t.Document.id, t.Document.duplicate_of)
            .where(t.Document.text_hash == text_digest, t.Document.id != reading.id)
            .order_by(t.Document.seq)
            .limit(1)
        ).first()
        if row is not None and reading.text.strip():
            original, kind, similarity = row.duplicate_of or row.id, "exact", 1.0
        sig = duplicates.signature(reading.text)
        if original is None and sig is not None:
            original, similarity = self._near_duplicate(session, sig, reading.id)
            kind = "near" if original else None
        provenance = reading.provenance
        doc = t.Document(
            id=reading.id,
            input_hash=digest,
            text_hash=text_digest,
            title=reading.title,
            text=reading.text,
            language=reading.language,
            published=reading.published.date if reading.published else None,
            url=reading.url,
            site=reading.site,
            source=provenance.source if provenance else None,
            duplicate_of=original,
            duplicate_kind=kind,
            similarity=similarity,
            minhash=duplicates.to_bytes(sig) if sig is not None else None,
            reading=reading.model_dump(mode="json", exclude={"text"}),
            seq=self._next_seq(session),
            stored_at=_now(),
        )
        session.add(doc)
        session.flush()
        if sig is not None:
            session.add_all(
                t.DocumentBand(band=band, bucket=bucket, document_id=reading.id)
                for band, bucket in duplicates.bands(sig)
            )
        added.duplicate_of, added.duplicate_kind = original, kind
        return doc

    @staticmethod
    def _near_duplicate(session: Session, sig: Any, key: str) -> tuple[str | None, float | None]:
        """The earliest stored original whose text this one nearly repeats, and the similarity."""
        buckets = duplicates.bands(sig)
        candidates = set(
            session.execute(
                select(t.DocumentBand.document_id).where(
                    or_(*(and_(t.DocumentBand.band == b, t.DocumentBand.bucket == k) for b, k in buckets)),
                    t.DocumentBand.document_id != key,
                )
            ).scalars()
        )
        if not candidates:
            return None, None
        best: tuple[float, int, str] | None = None
        for row in session.execute(
            select(t.Document.id, t.Document.duplicate_of, t.Document.minhash, t.Document.seq).where(
                t.Document.id.in_(candidates)
            )
        ):
            if row.minhash is None:
                continue
            value = duplicates.similarity(sig, duplicates.from_bytes(row.minhash))
            if value >= duplicates.THRESHOLD and (best is None or (value, -row.seq) > (best[0], -best[1])):
                best = (value, row.seq, row.duplicate_of or row.id)
        return (best[2], round(best[0], 3)) if best else (None, None)

    def _remove(self, session: Session, doc: t.Document) -> set[str]:
        """Take a document out (its text changed): its events lose its mentions and are recomputed."""
        events = {
            e
            for e in session.execute(
                select(t.EventMention.event_id).where(t.EventMention.document_id == doc.id)
            ).scalars()
            if e is not None
        }
        session.execute(
            update(t.Document)
            .where(t.Document.duplicate_of == doc.id)
            .values(duplicate_of=None, duplicate_kind=None)
        )
        if doc.story_id:
            self._left.add(doc.story_id)
        session.delete(doc)
        session.flush()
        for event_id in sorted(events):
            self._refresh_event(session, event_id)
        return {e for e in events if session.get(t.Event, e) is not None}

    def _store_mentions(self, session: Session, reading: Reading, doc: t.Document) -> list[t.EventMention]:
        rows = []
        for idx, m in enumerate(reading.events):
            row = t.EventMention(
                document_id=reading.id,
                idx=idx,
                origin=doc.duplicate_of or reading.id,
                reported=doc.published,
                type=m.type,
                mode=m.mode,
                status=m.status,
                participants=sorted(m.participants),
                source_actors=list(m.source),
                target_actors=list(m.target),
                format=m.format,
                place_name=m.where.name if m.where else None,
                place_country=m.where.country if m.where else None,
                place_geonameid=m.where.geonameid if m.where else None,
                when_start=m.when.start if m.when else None,
                when_end=m.when.end if m.when else None,
                when_granularity=m.when.granularity if m.when else None,
                when_text=m.when.text if m.when else None,
                reason=m.reason,
                evidence_start=m.evidence.start,
                evidence_end=m.evidence.end,
                evidence=m.evidence.text,
                confidence=m.confidence,
            )
            rows.append(row)
        session.add_all(rows)
        return rows

    @staticmethod
    def _store_figures(session: Session, reading: Reading) -> None:
        session.add_all(_figure_row(reading.id, idx, f) for idx, f in enumerate(reading.figures))

    @staticmethod
    def _store_checks(session: Session, reading: Reading) -> None:
        session.add_all(
            t.Check(
                document_id=reading.id,
                idx=idx,
                kind=c.kind,
                severity=c.severity,
                message=c.message,
                evidence=[s.model_dump(mode="json") for s in c.evidence],
            )
            for idx, c in enumerate(reading.checks)
        )

    @staticmethod
    def _store_entities(session: Session, reading: Reading) -> None:
        counts: dict[str, int] = {}
        for entity in reading.entities:
            if entity.id not in counts and session.get(t.Entity, entity.id) is None:
                session.add(
                    t.Entity(id=entity.id, kind=entity.kind, name=entity.name, wikidata=entity.wikidata)
                )
            counts[entity.id] = counts.get(entity.id, 0) + len(entity.mentions)
        session.flush()
        session.add_all(
            t.DocumentEntity(document_id=reading.id, entity_id=key, mentions=n) for key, n in counts.items()
        )
        session.flush()

    # -- events ---------------------------------------------------------------------------------------

    def _resolve(self, session: Session, mentions: list[t.EventMention]) -> set[str]:
        """Give each new mention of one document its event; the ids of the events touched."""
        by_key = {(row.document_id, row.idx): row for row in mentions}
        return {
            self._resolve_one(session, by_key[f.key], f)
            for f in order_for_resolution([facts_of(row) for row in mentions])
        }

    def _resolve_one(self, session: Session, row: t.EventMention, f: Facts) -> str:
        """Give one mention its event (the best candidate, or a new one) and recompute that event."""
        chosen = best_event(f, self._candidates(session, f))
        if chosen is None:
            chosen = _new_event_id(session, f)
            session.add(
                t.Event(
                    id=chosen,
                    type=f.type,
                    status=f.status,
                    participants=sorted(f.participants),
                    mentions=0,
                    sources=0,
                )
            )
            session.flush()
        row.event_id = chosen
        session.flush()
        self._refresh_event(session, chosen)
        return chosen

    def _candidates(self, session: Session, facts: Facts) -> list[tuple[str, EventSummary]]:
        ids = sorted(set(session.execute(_holding(probe_keys(facts), session)).scalars()))
        if not ids:
            return []
        rows = session.execute(select(t.Event).where(t.Event.id.in_(ids))).scalars()
        return [(row.id, summary_of(row)) for row in rows]

    def _refresh_event(self, session: Session, event_id: str) -> None:
        """Recompute an event from its mentions: its summary, keys, status history and contradictions; an
        event left with no mention is deleted."""
        event = session.get(t.Event, event_id)
        if event is None:
            return
        rows = list(
            session.execute(
                select(t.EventMention).where(t.EventMention.event_id == event_id).order_by(t.EventMention.id)
            ).scalars()
        )
        if not rows:
            if event.story_id:
                self._left.add(event.story_id)
            session.delete(event)
            session.flush()
            return
        facts = [facts_of(r) for r in rows]
        first = summarize(facts)
        reports = history(facts, first.start)
        by_key = {(r.document_id, r.idx): r for r in rows}
        for report in reports:
            row = by_key[report.facts.key]
            row.credible, row.change, row.note = report.credible, report.change, report.note
        s = summarize([r.facts for r in reports], [r.credible for r in reports])
        event.type, event.format = s.type, s.format
        event.status = current_status(reports)
        event.participants = sorted(s.participants)
        place = next((r for r in rows if city_key(r.place_geonameid) == s.city), None) if s.city else None
        if place is None and s.country:  # no city: the country, named as a mention names it
            place = next((r for r in rows if r.place_country == s.country), None)
        event.place_name = place.place_name if place else None
        event.place_geonameid = place.place_geonameid if place else None
        event.place_country = s.country
        event.when_start, event.when_end, event.when_granularity = s.start, s.end, s.granularity
        event.span_start, event.span_end = s.span if s.span else (None, None)
        event.first_reported, event.last_reported = s.first_reported, s.last_reported
        event.mentions, event.sources = s.mentions, s.sources
        event.summary = event_summary(
            event.type, event.status, event.place_name, s.start, s.end, s.granularity
        )
        self._sync(
            session, t.EventParticipant.entity_id, t.EventParticipant, event_id, set(event.participants)
        )
        keys = {k for f in facts for k in index_keys(f)}
        self._sync(session, t.EventKey.key, t.EventKey, event_id, keys)
        found = event_disagreements(reports)
        existing = list(
            session.execute(select(t.Contradiction).where(t.Contradiction.event_id == event_id)).scalars()
        )
        if [(c.field, c.claims, c.message) for c in existing] != [
            (d.field, d.claims_json(), d.message) for d in found
        ]:
            for stale in existing:
                session.delete(stale)
            session.add_all(
                t.Contradiction(
                    subject=f"event:{event_id}",
                    event_id=event_id,
                    story_id=event.story_id,
                    field=d.field,
                    claims=d.claims_json(),
                    message=d.message,
                )
                for d in found
            )
        session.flush()

    # -- stories --------------------------------------------------------------------------------------

    def _refresh_stories(self, session: Session, events: set[str], documents: set[str]) -> set[str]:
        """Put the touched events in their stories, then recompute those stories and the stories of the
        documents that mention them."""
        stories: set[str] = set(self._left)
        affected_docs = set(documents)
        for event_id in sorted(events):
            event = session.get(t.Event, event_id)
            if event is None:
                continue
            docs: set[str] | None = None
            formats: list[str] = []
            if not event.format:  # its story is the format its documents name most
                docs = self._mentioning(session, event_id)
                formats = [
                    f
                    for f in session.execute(
                        select(t.EventMention.format).where(
                            t.EventMention.document_id.in_(docs), t.EventMention.format.is_not(None)
                        )
                    ).scalars()
                    if f
                ]
            new = story_id(event.format, formats, event.participants)
            if new != event.story_id:  # the documents that mention it may change story too
                affected_docs |= docs if docs is not None else self._mentioning(session, event_id)
            if event.story_id and event.story_id != new:
                stories.add(event.story_id)
            if new is not None and session.get(t.Story, new) is None:
                session.add(t.Story(id=new, title=new, events=0, documents=0))
                session.flush()
                # documents that name this format and have no event in a story may now join it
                affected_docs.update(
                    session.execute(
                        select(t.DocumentEntity.document_id).where(t.DocumentEntity.entity_id == new)
                    ).scalars()
                )
            if event.story_id != new:
                event.story_id = new
                session.execute(
                    update(t.Contradiction).where(t.Contradiction.event_id == event_id).values(story_id=new)
                )
            if new:
                stories.add(new)
        session.flush()
        for doc_id in sorted(affected_docs):
            stories |= self._document_story(session, doc_id)
        todo = stories
        while todo:  # a story left with no event is deleted: its documents find another, which is recounted
            orphans: set[str] = set()
            for story in sorted(todo):
                orphans |= self._refresh_story(session, story)
            todo = set()
            for doc_id in sorted(orphans):
                todo |= self._document_story(session, doc_id)
            stories |= todo
        return stories

    @staticmethod
    def _sync(session: Session, column: Any, table: Any, event_id: str, wanted: set[str]) -> None:
        """Make the rows of ``table`` for ``event_id`` hold exactly ``wanted`` in ``column`` (writing only
        what changed)."""
        stored = set(session.execute(select(column).where(table.event_id == event_id)).scalars())
        if stored - wanted:
            session.execute(delete(table).where(table.event_id == event_id, column.in_(stored - wanted)))
        session.add_all(
            table(**{column.key: value, "event_id": event_id}) for value in sorted(wanted - stored)
        )

    @staticmethod
    def _mentioning(session: Session, event_id: str) -> set[str]:
        return set(
            session.execute(
                select(t.EventMention.document_id).where(t.EventMention.event_id == event_id)
            ).scalars()
        )

    def _document_story(self, session: Session, doc_id: str) -> set[str]:
        doc = session.get(t.Document, doc_id)
        if doc is None:
            return set()
        votes = session.execute(
            select(t.Event.story_id, t.EventMention.evidence_start)
            .join(t.Event, t.Event.id == t.EventMention.event_id)
            .where(t.EventMention.document_id == doc_id)
            .order_by(t.EventMention.evidence_start, t.EventMention.idx)
        ).all()
        new = document_story([(story, start < LEAD_CHARACTERS) for story, start in votes])
        if new is None:  # no event of its own in a story: the format it names most, if that story exists
            named = session.execute(
                select(t.DocumentEntity.entity_id)
                .join(t.Entity, t.Entity.id == t.DocumentEntity.entity_id)
                .join(t.Story, t.Story.id == t.DocumentEntity.entity_id)
                .where(t.DocumentEntity.document_id == doc_id, t.Entity.kind == "format")
                .order_by(t.DocumentEntity.mentions.desc(), t.DocumentEntity.entity_id)
                .limit(1)
            ).scalar_one_or_none()
            new = named
        old = doc.story_id
        if old != new:
            self._moved.add(doc_id)
        doc.story_id = new
        session.execute(
            update(t.Document)
            .where(
                t.Document.duplicate_of == doc_id,
                t.Document.duplicate_kind == "exact",
                t.Document.reading.is_(None),
            )
            .values(story_id=new)
        )
        return {s for s in (old, new) if s}

    def _refresh_story(self, session: Session, story: str) -> set[str]:
        """A story's counts, dates and title, from SQL aggregates: the cost does not grow with the story. A
        story with no event left is deleted; the documents it held (returned) are left with none."""
        row = session.get(t.Story, story)
        if row is None:
            return set()
        events, first, last = session.execute(
            select(func.count(), func.min(t.Event.when_start), func.max(t.Event.when_end)).where(
                t.Event.story_id == story
            )
        ).one()
        if not events:
            held = set(
                session.execute(
                    select(t.Document.id).where(t.Document.story_id == story, t.Document.reading.is_not(None))
                ).scalars()
            )
            session.execute(update(t.Document).where(t.Document.story_id == story).values(story_id=None))
            session.delete(row)
            session.flush()
            return held
        row.first_date, row.last_date, row.events = first, last, int(events)
        row.documents = int(
            session.execute(
                select(func.count()).select_from(t.Document).where(t.Document.story_id == story)
            ).scalar_one()
        )
        latest = list(
            session.execute(
                select(t.Event)
                .where(
                    t.Event.story_id == story,
                    t.Event.when_start.is_not(None),
                    t.Event.status.in_(_HEADLINE_STATUS_ORDER),
                )
                .order_by(t.Event.when_start.desc())
                .limit(20)
            ).scalars()
        ) or list(
            session.execute(
                select(t.Event).where(t.Event.story_id == story).order_by(t.Event.id).limit(1)
            ).scalars()
        )
        row.title = story_title(story_name(story, self.kb), _headline(latest))
        row.updated_seq = self._seq
        session.flush()
        return set()

    # -- figures --------------------------------------------------------------------------------------

    def _figure_contradictions(self, session: Session, documents: set[str]) -> None:
        """Compare each figure of the documents with the same quantity in other documents (the story of a
        disagreement is that of its earliest document in a story)."""
        subjects: set[str] = set()
        for chunk in _chunks(sorted(documents)):
            for figure in session.execute(select(t.Figure).where(t.Figure.document_id.in_(chunk))).scalars():
                subjects.add(figure.subject or figure_subject(figure))
        for subject in sorted(subjects):
            same = session.execute(
                select(t.Figure, t.Document.duplicate_of, t.Document.story_id)
                .join(t.Document, t.Document.id == t.Figure.document_id)
                .where(t.Figure.subject == subject)
                .order_by(t.Document.seq, t.Figure.idx)
            ).all()
            claims = []
            story = None
            for other, copy_of, story_of in same:
                value, unit = (other.usd, "USD") if other.usd is not None else (other.value, other.unit)
                claims.append(
                    FigureClaim(
                        document=copy_of or other.document_id,
                        value=value,
                        unit=unit,
                        shown=f"{other.value:,.0f} {other.unit}",
                    )
                )
                story = story or story_of
            session.execute(delete(t.Contradiction).where(t.Contradiction.subject == subject))
            comparable = [c for c in claims if c.unit == claims[0].unit] if claims else []
            found = figure_disagreement(subject.split(":", 1)[1], comparable)
            if found is not None:
                session.add(
                    t.Contradiction(
                        subject=subject,
                        event_id=None,
                        story_id=story,
                        field=found.field,
                        claims=found.claims_json(),
                        message=found.message,
                    )
                )
        session.flush()


def _copy_source(session: Session, key: str, digest: str) -> str | None:
    row = session.execute(
        select(t.Document.id, t.Document.duplicate_of)
        .where(t.Document.input_hash == digest, t.Document.id != key)
        .order_by(t.Document.seq)
        .limit(1)
    ).first()
    return (row.duplicate_of or row.id) if row else None


def _holding(keys: list[str], session: Session) -> Any:
    """The query for the events that hold one of ``keys``. On PostgreSQL the keys go as one array: an IN
    list of a few hundred values is planned anew at every call, which costs more than the lookup."""
    query = select(t.EventKey.event_id)
    if session.get_bind().dialect.name == "postgresql":
        return query.where(t.EventKey.key == any_(bindparam("keys", keys, type_=ARRAY(String))))
    return query.where(t.EventKey.key.in_(keys))


def _chunks(values: Sequence[Any], size: int = 500) -> list[Sequence[Any]]:
    """Values in slices short enough for an IN list."""
    return [values[k : k + size] for k in range(0, len(values), size)]


def _new_event_id(session: Session, facts: Facts) -> str:
    """An id made from the mention that founds the event (stable across runs); should an event of that id
    outlive its founding mention (the document was corrected), the next free variant."""
    for attempt in range(1000):
        salt = f"\x1f{attempt}" if attempt else ""
        candidate = "ev-" + hashlib.sha1(f"{facts.key[0]}\x1f{facts.key[1]}{salt}".encode()).hexdigest()[:16]
        if session.get(t.Event, candidate) is None:
            return candidate
    raise RuntimeError(f"no free event id for {facts.key}")


def _headline(events: Sequence[t.Event]) -> str | None:
    """The story's latest event that has a status (held, under way, planned, postponed, cancelled), in
    words; a meeting first when several share the date."""
    datable = [e for e in events if e.when_start and e.status in _HEADLINE_STATUS_ORDER]
    if not datable:
        return events[0].summary if events else None
    latest = max(datable, key=lambda e: (e.when_start, e.type == "CONSULT", e.sources, e.id))
    return latest.summary


def figure_subject(figure: t.Figure | FigureRecord) -> str:
    """What a figure measures: its kind, the parties it is between and its period."""
    if isinstance(figure, FigureRecord):
        start, end = (figure.period.start, figure.period.end) if figure.period else (None, None)
    else:
        start, end = figure.period_start, figure.period_end
    period = f"{start}/{end}" if start else "-"
    return f"figure:{figure.kind}|{'+'.join(sorted(figure.between))}|{period}"


def _figure_row(doc_id: str, idx: int, f: FigureRecord) -> t.Figure:
    return t.Figure(
        document_id=doc_id,
        idx=idx,
        kind=f.kind,
        subject=figure_subject(f),
        value=f.value,
        unit=f.unit,
        period_start=f.period.start if f.period else None,
        period_end=f.period.end if f.period else None,
        period_granularity=f.period.granularity if f.period else None,
        between=sorted(f.between),
        usd=f.converted["USD"].value if "USD" in f.converted else (f.value if f.unit == "USD" else None),
        eur=f.converted["EUR"].value if "EUR" in f.converted else (f.value if f.unit == "EUR" else None),
        converted={k: v.model_dump(mode="json") for k, v in f.converted.items()},
        stated_conversion=f.stated_conversion.model_dump(mode="json") if f.stated_conversion else None,
        evidence_start=f.evidence.start,
        evidence_end=f.evidence.end,
        evidence=f.evidence.text,
    )


def facts_of(row: t.EventMention) -> Facts:
    return Facts(
        key=(row.document_id, row.idx),
        origin=row.origin,
        reported=row.reported,
        type=row.type,
        status=row.status,
        participants=frozenset(row.participants),
        format=row.format,
        city=city_key(row.place_geonameid),
        country=row.place_country,
        start=row.when_start,
        end=row.when_end,
        granularity=row.when_granularity,
        place=row.place_name,
    )


def summary_of(row: t.Event) -> EventSummary:
    span = (row.span_start, row.span_end) if row.span_start and row.span_end else None
    return EventSummary(
        type=row.type,
        format=row.format,
        participants=frozenset(row.participants),
        city=city_key(row.place_geonameid),
        country=row.place_country,
        start=row.when_start,
        end=row.when_end,
        granularity=row.when_granularity,
        span=span,
        first_reported=row.first_reported,
        last_reported=row.last_reported,
        mentions=row.mentions,
        sources=row.sources,
    )
