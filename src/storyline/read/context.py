"""What the reading steps share while they read one document."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storyline.languages import Language
from storyline.read.nlp import Parse
from storyline.records import Check, Document, EventMention, Figure, Interval, Published, Time

GRANULARITIES = {"day", "week", "month", "quarter", "season", "year", "decade", "range", "approximate"}


@dataclass
class Found:
    """An entity named in the text: the knowledge-base entry it names and how."""

    start: int
    end: int
    text: str
    entity: str  # the KB id the words name (a capital's place id, a country for a demonym)
    role: str  # name, short, demonym, metonym, acronym
    actor: (
        str | None
    )  # the entity acting when this mention is in an actor's position (a capital -> its country)
    place: bool  # the mention is a location ("à Tokyo", "in Astana")


@dataclass
class Context:
    doc: Document
    language: Language
    text: str
    parse: Parse | None = None
    published: Published | None = None
    found: list[Found] = field(default_factory=list)
    times: list[Time] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    events: list[EventMention] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    def grammar(self) -> dict[str, Any]:
        return self.language.resource("grammar")

    def words(self, resource: str, key: str) -> frozenset[str]:
        """A word list of the language's resource, folded for comparison with lemmas and folded text."""
        from storyline.read.patterns import fold

        return frozenset(fold(w) for w in self.language.resource(resource).get(key, []))


def interval_of(time: Time) -> Interval | None:
    if time.interval is None or time.type not in ("DATE", "TIME"):
        return None
    granularity = time.interval.granularity if time.interval.granularity in GRANULARITIES else "approximate"
    return Interval(start=time.interval.start, end=time.interval.end, granularity=granularity, text=time.text)  # type: ignore[arg-type]
