"""Stories: the real-world threads events belong to, and the words that name them.

An event of a recurring format (Central Asia + Japan, C5+1) belongs to that format's story. An event named
with no format belongs to the story its reports sit in: the format most often named by the documents that
mention it (the aid pledged at a summit belongs to the summit's story). Otherwise it belongs to the story of
its actors (Japan–Uzbekistan). Ids are slugs, stable as documents arrive.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from storyline.kb import KnowledgeBase

# What an event of each type is called in a story's timeline and title.
NOUNS = {
    "AGREE": "agreement",
    "CONSULT": "meeting",
    "SUPPORT": "support",
    "CONCEDE": "concession",
    "COOPERATE": "cooperation",
    "AID": "aid",
    "RETREAT": "withdrawal",
    "REQUEST": "request",
    "ACCUSE": "accusation",
    "REJECT": "rejection",
    "THREATEN": "threat",
    "PROTEST": "protest",
    "SANCTION": "sanctions",
    "MOBILIZE": "mobilisation",
    "COERCE": "coercion",
    "ASSAULT": "attack",
}
STATUS_WORDS = {
    "planned": "planned",
    "occurred": "held",
    "ongoing": "under way",
    "postponed": "postponed",
    "cancelled": "cancelled",
    "hypothetical": "considered",
    "negated": "denied",
}


def story_id(
    event_format: str | None, document_formats: Iterable[str], participants: Iterable[str]
) -> str | None:
    """The story of an event: its format, else the format its documents name most, else its actors."""
    if event_format:
        return event_format
    counts = Counter(document_formats)
    if counts:
        top = max(counts.values())
        return min(f for f, n in counts.items() if n == top)
    countries = sorted(p for p in participants if len(p) == 3 and p.isupper())
    if 1 <= len(countries) <= 3:
        return "-".join(c.lower() for c in countries)
    return None


def document_story(votes: Sequence[tuple[str | None, bool]]) -> str | None:
    """A document's story by the votes of its event mentions (story, in the lead?) in text order: a
    mention in the headline or lead counts twice; a tie goes to the first mentioned."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for k, (story, lead) in enumerate(votes):
        if story:
            counts[story] += 2 if lead else 1
            first.setdefault(story, k)
    if not counts:
        return None
    return max(counts, key=lambda s: (counts[s], -first[s]))


def _date_words(start: date | None, end: date | None, granularity: str | None) -> str:
    if start is None or end is None:
        return ""
    if granularity == "year" or (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return str(start.year)
    if granularity == "month" or (
        start.day == 1 and (end + timedelta(days=1)).day == 1 and start.month == end.month
    ):
        return start.strftime("%B %Y")
    if start == end:
        return f"{start.day} {start.strftime('%B %Y')}"
    if start.year == end.year and start.month == end.month and (end - start).days < 31:
        return f"{start.day}–{end.day} {start.strftime('%B %Y')}"
    return f"{start.isoformat()} to {end.isoformat()}"


# How an event that took place is said, where "held" does not fit.
OCCURRED_WORDS = {
    "CONSULT": "held",
    "AGREE": "reached",
    "AID": "given",
    "SANCTION": "imposed",
    "PROTEST": "held",
}


def event_summary(
    type_: str, status: str, place: str | None, start: date | None, end: date | None, granularity: str | None
) -> str:
    """An event in a few words: "meeting held in Tokyo, 19–20 December 2025"."""
    verb = (
        OCCURRED_WORDS.get(type_, "took place") if status == "occurred" else STATUS_WORDS.get(status, status)
    )
    words = f"{NOUNS.get(type_, type_.lower())} {verb}"
    if place:
        words += f" in {place}"
    when = _date_words(start, end, granularity)
    return f"{words}, {when}" if when else words


def story_name(story: str, kb: KnowledgeBase) -> str:
    """The name of a story's thread: its format's name, or its actors' names."""
    entry = kb.get(story)
    if entry is not None:
        return entry.name
    names = []
    for code in story.split("-"):
        country = kb.get(code.upper())
        names.append(country.name if country else code)
    return "–".join(names)


def story_title(name: str, headline_event: str | None) -> str:
    """A story's title: the thread's name and its latest significant event."""
    return f"{name}: {headline_event}" if headline_event else name
