"""An event's status history: which source said what, when, and what each report changed.

Reports are put in the order they were published. A report's status is *credible* unless what was already
known rules it out: a meeting reported as held is not planned again by a later report (that report is
stale), nor cancelled; a report that something took place, published before the event's own dates, is
premature; hypothetical and negated mentions speak of the event without giving it a status. The current
status is that of the latest credible report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from storyline.resolve.events import Facts

STATUS_BEARING = ("planned", "postponed", "cancelled", "ongoing", "occurred")
_DONE = ("occurred",)


@dataclass(frozen=True)
class Report:
    """One mention's place in its event's history."""

    facts: Facts
    credible: bool
    change: str | None  # announced, dates set, rescheduled, postponed, cancelled, under way, held, …
    note: str | None = None  # why a report is not credible


# Within one day's reports (often one document telling the story so far), the order of a life: a document
# that says a summit was planned and then called off gives "planned" before "cancelled".
LIFE_ORDER = {
    "negated": 0,
    "hypothetical": 0,
    "planned": 1,
    "postponed": 2,
    "ongoing": 3,
    "cancelled": 4,
    "occurred": 4,
}
_HAPPENED = ("occurred", "ongoing")


def report_order(
    reported: date | None, status: str, document: str, origin: str, idx: int
) -> tuple[date, int, bool, str, int]:
    """The order of an event's reports: by publication date, then the order of a life, then originals
    before their copies, then by document."""
    return (reported or date.min, LIFE_ORDER.get(status, 0), origin != document, document, idx)


def _sort_key(facts: Facts) -> tuple[date, int, bool, str, int]:
    return report_order(facts.reported, facts.status, facts.key[0], facts.origin, facts.key[1])


def _outvoted(mentions: Sequence[Facts]) -> tuple[set[str], str | None]:
    """When independent sources disagree on whether the event took place or was cancelled, the statuses
    of the side fewer sources take (a tie decides nothing), and a note naming the other side."""
    happened = {m.origin for m in mentions if m.status in _HAPPENED}
    cancelled = {m.origin for m in mentions if m.status == "cancelled"}
    if not happened or not cancelled or len(happened) == len(cancelled):
        return set(), None
    if len(happened) < len(cancelled):
        return set(_HAPPENED), f"disputed: {len(cancelled)} independent sources say it was cancelled"
    return {"cancelled"}, f"disputed: {len(happened)} independent sources say it took place"


def history(mentions: Sequence[Facts], event_start: date | None = None) -> list[Report]:
    """The reports of an event in the order they were published, each with its credibility and change."""
    reports: list[Report] = []
    held = False
    status: str | None = None
    planned_time: tuple[date, date] | None = None
    losing, dispute = _outvoted(mentions)
    for facts in sorted(mentions, key=_sort_key):
        credible, note = True, None
        if facts.status not in STATUS_BEARING:
            credible, note = False, f"{facts.status}: speaks of the event without giving it a status"
        elif facts.status in losing:
            credible, note = False, dispute
        elif held and facts.status in ("planned", "postponed", "cancelled"):
            credible, note = False, "stale: an earlier report says the event took place"
        elif (
            facts.status in _HAPPENED
            and facts.reported is not None
            and event_start is not None
            and (event_start - facts.reported).days > 1
        ):
            credible, note = False, "premature: published before the event's own dates"
        change = None
        if credible:
            change = _change(facts, status, planned_time)
            status = facts.status
            held = held or facts.status in _DONE
            if facts.status == "planned" and facts.precise:
                planned_time = (facts.start, facts.end)  # type: ignore[assignment]
        reports.append(Report(facts=facts, credible=credible, change=change, note=note))
    return reports


def _change(facts: Facts, status: str | None, planned_time: tuple[date, date] | None) -> str | None:
    """What a credible report changes, given the status known before it (None: it confirms)."""
    new = facts.status
    if new == "planned":
        if status is None or status in ("cancelled",):
            return "announced" if not facts.precise else "announced with dates"
        if facts.precise:
            when = (facts.start, facts.end)
            if planned_time is None:
                return "dates set"
            if when != planned_time and not _inside(when, planned_time):  # type: ignore[arg-type]
                return "rescheduled"
        return "rescheduled" if status == "postponed" else None
    if new == status:
        return None
    return {
        "postponed": "postponed",
        "cancelled": "cancelled",
        "ongoing": "under way",
        "occurred": "took place" if status != "ongoing" else "concluded",
    }[new]


def _inside(inner: tuple[date, date], outer: tuple[date, date]) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def current_status(reports: Sequence[Report]) -> str:
    """The status of the latest credible report; without one, the most common status given."""
    for report in reversed(reports):
        if report.credible:
            return report.facts.status
    statuses = [r.facts.status for r in reports]
    return max(sorted(set(statuses)), key=statuses.count)
