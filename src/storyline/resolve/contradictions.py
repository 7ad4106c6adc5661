"""Where independent sources disagree: an event's date, place, participants or fate, a figure's value.

Copies of one article (exact or near duplicates) share an origin and speak with one voice. Only credible
reports are compared: a stale "planned" is history, not a disagreement. A contradiction lists each value
with the documents that give it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from storyline.resolve.status import Report


@dataclass(frozen=True)
class Claim:
    value: str
    documents: tuple[str, ...]


@dataclass(frozen=True)
class Disagreement:
    field: str
    claims: tuple[Claim, ...]
    message: str

    def claims_json(self) -> list[dict[str, Any]]:
        return [{"value": c.value, "documents": list(c.documents)} for c in self.claims]


def _claims(values: dict[str, set[str]]) -> tuple[Claim, ...]:
    return tuple(Claim(value=v, documents=tuple(sorted(docs))) for v, docs in sorted(values.items()))


def _say(field: str, claims: tuple[Claim, ...]) -> str:
    parts = "; ".join(f"{c.value} according to {', '.join(c.documents)}" for c in claims)
    return f"Sources disagree on the {field}: {parts}."


def _date_value(report: Report) -> str:
    facts = report.facts
    assert facts.start is not None and facts.end is not None
    return facts.start.isoformat() if facts.start == facts.end else f"{facts.start}/{facts.end}"


def event_disagreements(reports: Sequence[Report]) -> list[Disagreement]:
    """The fields of one event on which independent credible reports disagree."""
    found = []
    held = [r for r in reports if r.credible and r.facts.status in ("occurred", "ongoing")]
    # date: reports that it took place, each to the day; a report that it is under way gives the day it
    # began ("opened on Friday the 19th"), not its whole span, so it says nothing against "19-20 December"
    dates: dict[str, set[str]] = defaultdict(set)
    for r in held:
        if r.facts.precise and r.facts.status == "occurred":
            dates[_date_value(r)].add(r.facts.origin)
    if len(dates) > 1 and _independent(dates):
        claims = _claims(dates)
        found.append(Disagreement("date", claims, _say("date", claims)))
    # place: the city of any credible report
    cities: dict[str, set[str]] = defaultdict(set)
    for r in reports:
        if r.credible and r.facts.city:
            cities[r.facts.place or r.facts.city].add(r.facts.origin)
    if len(cities) > 1 and _independent(cities):
        claims = _claims(cities)
        found.append(Disagreement("place", claims, _say("place", claims)))
    # status: whether it took place or was cancelled, when sources say both (the history weighs them)
    ends: dict[str, set[str]] = defaultdict(set)
    for r in reports:
        if r.facts.status in ("occurred", "cancelled"):
            ends[r.facts.status].add(r.facts.origin)
    if len(ends) > 1 and _independent(ends):
        claims = _claims(ends)
        found.append(Disagreement("status", claims, _say("status", claims)))
    # participants: full lists (three or more) of who took part, neither contained in the other
    lists: dict[frozenset[str], set[str]] = defaultdict(set)
    for r in held:
        if len(r.facts.participants) >= 3:
            lists[r.facts.participants].add(r.facts.origin)
    sets = list(lists)
    if any(not (a <= b or b <= a) for i, a in enumerate(sets) for b in sets[i + 1 :]):
        named = {", ".join(sorted(s)): docs for s, docs in lists.items()}
        if _independent(named):
            claims = _claims(named)
            found.append(Disagreement("participants", claims, _say("participants", claims)))
    return found


def _independent(values: dict[str, set[str]]) -> bool:
    """Whether the values come from at least two different origins (a document never contradicts itself)."""
    origins = set().union(*values.values())
    return len(origins) > 1


@dataclass(frozen=True)
class FigureClaim:
    """One document's value for a quantity, in a common unit."""

    document: str  # the origin document
    value: float
    unit: str
    shown: str  # the value as the document gave it


def figure_disagreement(
    subject: str, claims: Sequence[FigureClaim], tolerance: float = 0.02
) -> Disagreement | None:
    """A contradiction when independent documents give values for one quantity (same kind, parties and
    period) that differ by more than ``tolerance`` (2 %), compared in one unit."""
    by_doc: dict[str, FigureClaim] = {}
    for claim in claims:
        by_doc.setdefault(claim.document, claim)
    if len(by_doc) < 2:
        return None
    values = [c.value for c in by_doc.values()]
    low, high = min(values), max(values)
    if high <= 0 or (high - low) / high <= tolerance:
        return None
    grouped: dict[str, set[str]] = defaultdict(set)
    for claim in by_doc.values():
        grouped[claim.shown].add(claim.document)
    made = _claims(grouped)
    return Disagreement("value", made, _say(f"value of {subject}", made))
