"""The record types of storyline, one per concept, defined once.

A *reading* is what one document states. Its JSON form is the contract in
``../shared/schema/reading.schema.json``; ``storyline schema`` prints the JSON Schema generated from
these models, and the test suite checks that the two stay compatible.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

EventType = Literal[
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
]
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]

Status = Literal["planned", "occurred", "ongoing", "postponed", "cancelled", "hypothetical", "negated"]

EntityKind = Literal["country", "person", "organization", "format", "place", "region", "other"]
Granularity = Literal["day", "week", "month", "quarter", "season", "year", "decade", "range", "approximate"]
TimeType = Literal["DATE", "TIME", "DURATION", "SET"]
Severity = Literal["info", "warning", "error"]
PublishedSource = Literal["input", "metadata", "text", "url", "inferred"]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Span(Record):
    """Characters of the reading's text: ``text == reading.text[start:end]``."""

    start: int = Field(ge=0, description="offset of the first character in the reading's text")
    end: int = Field(ge=0, description="offset one past the last character")
    text: str = Field(description="text[start:end], verbatim")


class Mention(Span):
    """One place where an entity is named."""


class Entity(Record):
    id: str = Field(description="ISO 3166-1 alpha-3 for countries, a stable slug otherwise")
    kind: EntityKind
    name: str = Field(description="canonical English name")
    wikidata: str | None = Field(default=None, pattern=r"^Q[0-9]+$")
    mentions: list[Mention]


class Interval(Record):
    """Days an expression covers, first and last inclusive."""

    start: date
    end: date
    granularity: Granularity
    text: str | None = Field(default=None, description="the words that said it, as written")


class TimeInterval(Record):
    start: date
    end: date
    granularity: str
    modifier: str | None = Field(
        default=None, description="TIMEX3 mod: START, MID, END, APPROX, BEFORE, AFTER"
    )


class Time(Record):
    """A time expression, TimeML style."""

    start: int
    end: int
    text: str
    type: TimeType
    value: str = Field(description="TIMEX3 value, e.g. 2025-12, 2025-12-19, P20Y, PRESENT_REF, XXXX-12")
    interval: TimeInterval | None = None


class Place(Record):
    name: str
    geonameid: int | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")


class EventMention(Record):
    type: EventType
    mode: str | None = None
    context: list[str] = Field(default_factory=list)
    status: Status
    source: list[str] = Field(default_factory=list)
    target: list[str] = Field(default_factory=list)
    participants: list[str]
    format: str | None = None
    where: Place | None = None
    when: Interval | None = None
    reason: str | None = None
    evidence: Span
    confidence: float = Field(default=0.5, ge=0, le=1)


class Conversion(Record):
    value: float
    rate: float
    rate_date: date


class StatedConversion(Record):
    value: float
    unit: str


class Figure(Record):
    kind: str = Field(description="trade_volume, exports, imports, investment, aid, loan, grant, budget, ...")
    value: float
    unit: str = Field(description="ISO 4217 code for money, else a unit name")
    period: Interval | None = None
    between: list[str] = Field(default_factory=list)
    converted: dict[str, Conversion] = Field(default_factory=dict)
    stated_conversion: StatedConversion | None = None
    evidence: Span


class Check(Record):
    kind: str = Field(description="published_date_ambiguous, stated_conversion_mismatch, ...")
    severity: Severity
    message: str = Field(description="a sentence a person understands, with the numbers")
    evidence: list[Span] = Field(default_factory=list)


class Published(Record):
    date: date
    raw: str | None = Field(default=None, description="as printed in the document, if read from it")
    source: PublishedSource = "inferred"
    confidence: float = Field(default=1.0, ge=0, le=1)


class Provenance(Record):
    """Where a document came from when it was fetched rather than read from a file."""

    source: str | None = Field(
        default=None, description="the source the user named: a feed, sitemap, page or archive"
    )
    url: str | None = Field(default=None, description="the document's URL after redirects")
    fetched_at: datetime | None = None
    status: int | None = Field(default=None, description="HTTP status of the response")
    headers: dict[str, str] = Field(
        default_factory=dict,
        description="response headers that matter: content-type, etag, last-modified, ...",
    )
    entry: dict[str, Any] | None = Field(
        default=None, description="the feed or sitemap entry it came from: guid, link, title, published"
    )


class Reading(Record):
    """The facts that one document states. Offsets refer to ``text``."""

    id: str
    url: str | None = None
    title: str | None = None
    site: str | None = None
    authors: list[str] = Field(default_factory=list)
    language: str = Field(description="ISO 639-1 code, or 'und' when it could not be told")
    published: Published | None
    text: str
    entities: list[Entity]
    events: list[EventMention]
    figures: list[Figure]
    checks: list[Check]
    times: list[Time]
    provenance: Provenance | None = None


class Document(Record):
    """A document as ingest hands it to reading: clean text plus what is known about it."""

    id: str
    text: str
    url: str | None = None
    path: str | None = None
    title: str | None = None
    site: str | None = None
    authors: list[str] = Field(default_factory=list)
    language: str | None = None
    published: Published | None = None
    boilerplate: list[str] = Field(
        default_factory=list, description="lines dropped as the site's, not the article's"
    )
    checks: list[Check] = Field(default_factory=list, description="what ingest noticed (encoding, clean-up)")
    provenance: Provenance | None = None


class ErrorInfo(Record):
    kind: str
    message: str


class ReadError(Record):
    """A document that could not be read, and why."""

    id: str | None = None
    path: str | None = None
    error: ErrorInfo


# The chronicle: what resolution makes of many readings.


class StatusReport(Record):
    """One source's word on an event, in the event's status history."""

    document: str = Field(description="the id of the document that says it")
    copy_of: str | None = Field(default=None, description="the original, when the document is a copy")
    reported: date | None = Field(description="the document's publication date")
    language: str | None = None
    url: str | None = None
    status: Status
    credible: bool = Field(description="whether the report's status counts (not stale, not premature)")
    change: str | None = Field(
        default=None,
        description="what it changed: announced, dates set, postponed, cancelled, took place, ...",
    )
    note: str | None = Field(default=None, description="why a report is not credible")
    when: Interval | None = None
    where: Place | None = None
    source: list[str] = Field(default_factory=list, description="who acts, for a directed event")
    target: list[str] = Field(default_factory=list, description="who is acted upon")
    evidence: Span


class Claim(Record):
    value: str
    documents: list[str]


class Contradiction(Record):
    """Independent sources that disagree on an event's date, place or participants, or a figure's value."""

    subject: str = Field(description="event:<id> or figure:<kind>|<parties>|<period>")
    event: str | None = None
    story: str | None = None
    field: str = Field(description="date, place, participants or value")
    claims: list[Claim]
    message: str


class Event(Record):
    """A real-world event: all its mentions across documents and languages, resolved into one."""

    id: str
    type: EventType
    status: Status = Field(description="the status of the latest credible report")
    summary: str = Field(description="the event in a few words")
    format: str | None = None
    participants: list[str]
    where: Place | None = None
    when: Interval | None = None
    mentions: int
    sources: int = Field(description="independent documents: copies of one article count once")
    story: str | None = None
    history: list[StatusReport] = Field(default_factory=list, description="in the order sources said it")
    contradictions: list[Contradiction] = Field(default_factory=list)


class Story(Record):
    """A real-world thread of events, with its timeline."""

    id: str
    title: str
    first: date | None = None
    last: date | None = None
    documents: list[str] = Field(description="the ids of the documents in the story")
    events: list[Event] = Field(description="in time order")
    contradictions: list[Contradiction] = Field(default_factory=list)


# --- watch lists and digests: what a user follows, and what is new for them ------------------------------


class WatchList(Record):
    """What a user follows. Subjects (actors, formats, regions, keywords) are alternatives: an event
    matches when any of them does, or always when none is given; ``types`` narrows to those event types."""

    name: str = Field(description="a short name: letters, digits, '-' and '_'")
    actors: list[str] = Field(default_factory=list, description="knowledge-base ids (or names) of actors")
    formats: list[str] = Field(default_factory=list, description="knowledge-base ids of diplomatic formats")
    regions: list[str] = Field(default_factory=list, description="knowledge-base ids of regions")
    types: list[EventType] = Field(default_factory=list, description="PLOVER event types; empty: all")
    keywords: list[str] = Field(default_factory=list, description="words matched in the sentences of reports")
    recipients: list[str] = Field(default_factory=list, description="e-mail addresses of the digest")
    language: str | None = Field(default=None, description="the digest's language (fr, en, ru)")


class DigestDocument(Record):
    """A source of the digest: the outlet, its date and a link."""

    id: str
    title: str | None = None
    outlet: str | None = Field(default=None, description="the site, or the URL's host")
    published: date | None = None
    url: str | None = Field(default=None, description="the article's own URL, when it has one")
    language: str | None = None


class Quote(Record):
    """The sentence of a document that supports an item."""

    document: str
    sentence: str
    evidence: Span = Field(description="the characters the reading took the fact from")


class DigestChange(Record):
    """One status change of an event, as one source reported it."""

    change: str = Field(
        description="announced, dates set, rescheduled, postponed, cancelled, under way, took place, concluded"
    )
    status: Status
    reported: date | None = None
    new: bool = Field(description="reported within the digest's period")
    when: Interval | None = None
    where: Place | None = None
    quotes: list[Quote] = Field(default_factory=list)


class DigestEvent(Record):
    id: str
    type: EventType
    mode: str | None = Field(default=None, description="how it was held, as most reports say: summit, visit")
    status: Status
    format: str | None = None
    participants: list[str] = Field(default_factory=list)
    where: Place | None = None
    when: Interval | None = None
    new: bool = Field(description="first reported within the period")
    changes: list[DigestChange] = Field(default_factory=list, description="every change, oldest first")
    quotes: list[Quote] = Field(default_factory=list, description="reports within the period")


class DigestFigure(Record):
    figure: Figure
    quote: Quote


class DigestCheck(Record):
    check: Check
    document: str


class DigestStory(Record):
    id: str
    title: str
    format: str | None = None
    events: list[DigestEvent] = Field(default_factory=list)
    figures: list[DigestFigure] = Field(default_factory=list)
    contradictions: list[Contradiction] = Field(default_factory=list)
    checks: list[DigestCheck] = Field(default_factory=list)


class Digest(Record):
    """What is new in a period for a watch list, by story; ``storyline digest --format json``."""

    watch: str | None = None
    since: date
    until: date = Field(description="the last day of the period, included")
    language: str
    generated: datetime
    stories: list[DigestStory] = Field(default_factory=list)
    documents: dict[str, DigestDocument] = Field(default_factory=dict, description="the sources, by id")
