"""What is new in a period for a watch list, from the chronicle: the :class:`Digest`.

An event is in the digest when something about it was reported in the period and it is news, not background:
it was first reported then, or a source then reported a change of its status (announced, dates set,
postponed, cancelled, took place...), or it happens in the period. An article that recalls a 2004 meeting in
passing does not put that meeting in this week's digest. Each event comes with its whole status history (the
changes before the period are context, those within it are marked new) and the sentences that support them.
Figures, contradictions and checks come from the period's documents in the digest's stories.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from storyline.kb import KnowledgeBase
from storyline.kb import load as load_kb
from storyline.records import (
    Check,
    Contradiction,
    Digest,
    DigestChange,
    DigestCheck,
    DigestDocument,
    DigestEvent,
    DigestFigure,
    DigestStory,
    Event,
    Figure,
    Quote,
    Span,
    StatusReport,
    WatchList,
)
from storyline.store import tables as t
from storyline.store.queries import _contradiction, events_by_id
from storyline.watch import Scope, scope

PERIODS = {"day": 1, "week": 7, "month": 30}
WORTH_READING = frozenset({"warning", "error"})  # the checks a digest shows; "info" ones stay in the reading
_END = re.compile(r"[.!?…](?=[\s\"'»”)]|$)|\n")


def period(kind: str, until: date) -> tuple[date, date]:
    """The ``kind`` of period ("day", "week": 7 days, "month": 30 days) that ends on ``until``, included."""
    if kind not in PERIODS:
        raise ValueError(f"unknown period {kind!r}; known: {', '.join(PERIODS)}")
    return until - timedelta(days=PERIODS[kind] - 1), until


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` that holds ``text[start:end]``: from the previous sentence end to the next."""
    if not text or start >= len(text):
        return text[start:end]
    begin = 0
    for found in _END.finditer(text, 0, start):
        begin = found.end()
    after = _END.search(text, max(end, start + 1))
    finish = after.end() if after else len(text)
    return text[begin:finish].strip() or text[start:end]


def _within(day: date | None, since: date, until: date) -> bool:
    return day is not None and since <= day <= until


class DocumentCache:
    """The documents the digest quotes, loaded once each."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rows: dict[str, t.Document] = {}

    def get(self, doc_id: str) -> t.Document | None:
        if doc_id not in self.rows:
            row = self.session.get(t.Document, doc_id)
            if row is None:
                return None
            self.rows[doc_id] = row
        return self.rows[doc_id]

    def quote(self, doc_id: str, evidence: Span) -> Quote:
        row = self.get(doc_id)
        text = row.text if row is not None else ""
        sentence = (
            sentence_around(text, evidence.start, evidence.end)
            if text[evidence.start : evidence.end] == evidence.text
            else evidence.text
        )
        return Quote(document=doc_id, sentence=sentence, evidence=evidence)

    def cards(self, ids: Iterable[str]) -> dict[str, DigestDocument]:
        out = {}
        for doc_id in sorted(set(ids)):
            row = self.get(doc_id)
            if row is None:
                continue
            outlet = row.site or (urlsplit(row.url).hostname if row.url else None)
            out[doc_id] = DigestDocument(
                id=doc_id,
                title=row.title,
                outlet=outlet,
                published=row.published,
                url=row.url,
                language=row.language,
            )
        return out


def _independent(history: Iterable[StatusReport]) -> list[StatusReport]:
    return [h for h in history if h.copy_of is None]


def _digest_event(event: Event, since: date, until: date, docs: DocumentCache) -> DigestEvent | None:
    """The event as the digest shows it, or None when it is only background in the period."""
    reports = _independent(event.history)
    recent = [h for h in reports if h.credible and _within(h.reported, since, until)]
    if not recent:
        return None
    first = min((h.reported for h in reports if h.reported), default=None)
    new = _within(first, since, until)
    changes = [
        DigestChange(
            change=h.change,
            status=h.status,
            reported=h.reported,
            new=_within(h.reported, since, until),
            when=h.when,
            where=h.where,
            quotes=[docs.quote(h.document, h.evidence)],
        )
        for h in reports
        if h.change and h.credible
    ]
    happening = event.when is not None and event.when.start <= until and event.when.end >= since
    if not (new or happening or any(c.new for c in changes)):
        return None
    return as_digest_event(
        event, new=new, changes=changes, quotes=[docs.quote(h.document, h.evidence) for h in recent]
    )


def as_digest_event(event: Event, **more: Any) -> DigestEvent:
    """The event in the digest's terms; ``more`` sets the digest's own fields (new, changes, quotes)."""
    return DigestEvent(
        id=event.id,
        type=event.type,
        status=event.status,
        format=event.format,
        participants=event.participants,
        where=event.where,
        when=event.when,
        **{"new": False, **more},
    )


def _recent_event_ids(session: Session, since: date, until: date) -> set[str]:
    reported = select(t.EventMention.event_id).where(
        t.EventMention.reported >= since,
        t.EventMention.reported <= until,
        t.EventMention.event_id.is_not(None),
    )
    return {eid for eid in session.execute(reported.distinct()).scalars() if eid}


def _modes(session: Session, event_ids: list[str]) -> dict[str, str]:
    """How each event was held (summit, visit...), as most of its mentions that say so say."""
    rows = session.execute(
        select(t.EventMention.event_id, t.EventMention.mode, func.count())
        .where(t.EventMention.event_id.in_(event_ids), t.EventMention.mode.is_not(None))
        .group_by(t.EventMention.event_id, t.EventMention.mode)
    ).all()
    best: dict[str, tuple[int, str]] = {}
    for event_id, mode, n in rows:
        if event_id and mode and (n, mode) > best.get(event_id, (0, "")):
            best[event_id] = (n, mode)
    return {event_id: mode for event_id, (_, mode) in best.items()}


def _claims_recent(contradiction: Contradiction, recent_docs: set[str]) -> bool:
    return any(doc in recent_docs for claim in contradiction.claims for doc in claim.documents)


def _distinct(found: list[Contradiction]) -> list[Contradiction]:
    """One disagreement once: the summit and the declaration adopted there disagree on the same date."""
    seen: set[tuple[object, ...]] = set()
    out = []
    for c in found:
        key = (c.field, tuple((claim.value, tuple(claim.documents)) for claim in c.claims))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def _same_figure(figure: Figure) -> tuple[object, ...]:
    period = (figure.period.start, figure.period.end) if figure.period else None
    return (figure.kind, round(figure.value, 2), figure.unit, tuple(sorted(figure.between)), period)


def compose(
    engine: Engine,
    *,
    since: date,
    until: date,
    watch: WatchList | None = None,
    language: str = "en",
    kb: KnowledgeBase | None = None,
    now: datetime | None = None,
    story: str | None = None,
) -> Digest:
    """The digest of what was reported from ``since`` to ``until`` (both included) for ``watch`` (None:
    everything in the database); ``story`` keeps that story's events only (a story's feed)."""
    kb = kb or load_kb()
    only = story
    follows: Scope = scope(watch, kb)
    with Session(engine) as session:
        docs = DocumentCache(session)
        picked: list[tuple[Event, DigestEvent]] = []
        for event in events_by_id(session, _recent_event_ids(session, since, until)):
            shown = _digest_event(event, since, until, docs)
            if shown is None or (only is not None and event.story != only):
                continue
            if follows.matches(event, (q.sentence for q in shown.quotes)):
                picked.append((event, shown))

        modes = _modes(session, [shown.id for _, shown in picked])
        picked = [(event, shown.model_copy(update={"mode": modes.get(event.id)})) for event, shown in picked]
        recent_docs = {
            row.id: row
            for row in session.execute(
                select(t.Document).where(
                    t.Document.published >= since,
                    t.Document.published <= until,
                    t.Document.duplicate_of.is_(None),  # a copy adds no news
                )
            ).scalars()
        }
        recent_ids = set(recent_docs)
        story_ids = {event.story for event, _ in picked if event.story}
        if only is not None:
            story_ids = {only}
        elif follows.everything:
            story_ids |= {row.story_id for row in recent_docs.values() if row.story_id}

        by_story: dict[str, DigestStory] = {}
        for sid in sorted(story_ids):
            row = session.get(t.Story, sid)
            if row is None:
                continue
            entry = kb.get(sid)
            by_story[sid] = DigestStory(
                id=sid, title=row.title, format=sid if entry is not None and entry.kind == "format" else None
            )
        for event, shown in picked:
            if event.story in by_story:
                section = by_story[event.story]
                section.events.append(shown)
                section.contradictions += [c for c in event.contradictions if _claims_recent(c, recent_ids)]
            else:  # an event outside any story is a story of its own
                by_story[event.id] = DigestStory(
                    id=event.id,
                    title=event.summary,
                    events=[shown],
                    contradictions=[c for c in event.contradictions if _claims_recent(c, recent_ids)],
                )

        _add_figures_and_checks(session, by_story, recent_docs, docs, follows)
        for sid, section in by_story.items():
            others = session.execute(
                select(t.Contradiction).where(
                    t.Contradiction.story_id == sid, t.Contradiction.event_id.is_(None)
                )
            ).scalars()
            section.contradictions += [
                c for c in map(_contradiction, others) if _claims_recent(c, recent_ids)
            ]

        for section in by_story.values():
            section.contradictions = _distinct(section.contradictions)
        stories = [s for s in by_story.values() if s.events or s.figures or s.contradictions or s.checks]
        stories.sort(
            key=lambda s: (-len([e for e in s.events if e.new or any(c.new for c in e.changes)]), s.id)
        )
        quoted = {
            q.document
            for s in stories
            for e in s.events
            for q in [*e.quotes, *(q for c in e.changes for q in c.quotes)]
        }
        quoted |= {f.quote.document for s in stories for f in s.figures}
        quoted |= {c.document for s in stories for c in s.checks}
        quoted |= {
            d for s in stories for c in s.contradictions for claim in c.claims for d in claim.documents
        }
        return Digest(
            watch=watch.name if watch else None,
            since=since,
            until=until,
            language=language,
            generated=now or datetime.now(UTC),
            stories=stories,
            documents=docs.cards(quoted),
        )


def _add_figures_and_checks(
    session: Session,
    by_story: dict[str, DigestStory],
    recent_docs: dict[str, t.Document],
    docs: DocumentCache,
    follows: Scope,
) -> None:
    """Figures and the checks worth a reader's attention from the period's documents of the digest's
    stories (a figure between followed actors counts too); one figure stated by several sources is shown
    once, from the earliest."""
    seen: dict[str, set[tuple[object, ...]]] = defaultdict(set)
    for doc_id, row in sorted(recent_docs.items(), key=lambda kv: (kv[1].published, kv[0])):
        reading = row.reading or {}
        story = by_story.get(row.story_id or "")
        for raw in reading.get("figures", []):
            figure = Figure.model_validate(raw)
            if story is None:
                if follows.everything or not (follows.actors & set(figure.between)):
                    continue
                story = by_story.setdefault(
                    row.story_id or doc_id, DigestStory(id=row.story_id or doc_id, title=row.title or doc_id)
                )
            key = _same_figure(figure)
            if key in seen[story.id]:
                continue
            seen[story.id].add(key)
            story.figures.append(DigestFigure(figure=figure, quote=docs.quote(doc_id, figure.evidence)))
        if story is None:
            continue
        for raw in reading.get("checks", []):
            check = Check.model_validate(raw)
            if check.severity in WORTH_READING:
                story.checks.append(DigestCheck(check=check, document=doc_id))
