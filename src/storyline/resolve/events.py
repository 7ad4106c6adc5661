"""Which event mentions are the same real event: blocking keys, compatibility, and the event they make.

Everything here works on entity ids, types, places and dates, never on words, so mentions in French, English
and Russian resolve alike. The functions are pure: the store feeds them the mentions of the events a new
mention could belong to (those sharing a blocking key) and writes back what they decide.

A mention joins the most compatible existing event, or starts a new one. Two mentions are compatible when
their types are equal, their formats do not differ, they share participants (any two, or all of a smaller
set), their times overlap (a planned "mid-December 2025" and a held "19–20 December 2025"), and their
places do not differ. A mention that gives no time is placed by its document's date and its status: a
planned meeting lies after the report, a held one before it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import combinations

# How far around its report a mention without a time may lie, by status: (days before, days after).
_WINDOWS = {
    "planned": (30, 3 * 365),
    "postponed": (365, 3 * 365),
    "hypothetical": (30, 5 * 365),
    "cancelled": (2 * 365, 2 * 365),
    "ongoing": (7, 1),
    "occurred": (10 * 365, 1),
    "negated": (10 * 365, 365),
}
_MAX_BUCKET_YEARS = 6  # an event whose time is longer than this is filed under "any year"
_MAX_PROBE_YEARS = 11
_FINE_DAYS = 62  # a time this long or shorter (a day, a week, a month) is filed by month
_MAX_KEYED_PARTICIPANTS = 8
_SAME_DAY_SLACK = timedelta(days=1)  # a date told in another time zone
_PRECISE_DAYS = 7  # a time shorter than a week is a precise date (a day or a meeting's few days)


@dataclass(frozen=True)
class Facts:
    """What resolution knows of one event mention."""

    key: tuple[str, int]  # (document id, index of the mention in its reading)
    origin: str  # the original document: copies of one article share it
    reported: date | None
    type: str
    status: str
    participants: frozenset[str]
    format: str | None = None
    city: str | None = None  # a GeoNames id: the same city whatever language names it
    country: str | None = None
    start: date | None = None
    end: date | None = None
    granularity: str | None = None
    place: str | None = None  # the place's name, for people

    @property
    def timed(self) -> bool:
        return self.start is not None and self.end is not None

    @property
    def precise(self) -> bool:
        return self.timed and (self.end - self.start).days < _PRECISE_DAYS  # type: ignore[operator]

    def window(self) -> tuple[date, date] | None:
        """The days the event can lie in: its own time, else a window around the report."""
        if self.start is not None and self.end is not None:
            return self.start, self.end
        if self.reported is None:
            return None
        before, after = _WINDOWS.get(self.status, (365, 365))
        return self.reported - timedelta(days=before), self.reported + timedelta(days=after)


@dataclass
class Summary:
    """An event as its mentions describe it together."""

    type: str
    format: str | None
    participants: frozenset[str]
    city: str | None
    country: str | None
    start: date | None  # the most trustworthy precise time
    end: date | None
    granularity: str | None
    span: tuple[date, date] | None  # every mention's time together
    first_reported: date | None
    last_reported: date | None
    mentions: int
    sources: int

    def window(self) -> tuple[date, date] | None:
        if self.span is not None:
            return self.span
        if self.first_reported is None or self.last_reported is None:
            return None
        return self.first_reported - timedelta(days=365), self.last_reported + timedelta(days=2 * 365)


def _years(start: date, end: date, most: int) -> list[str]:
    if end.year - start.year + 1 > most:
        return ["*"]
    return [str(y) for y in range(start.year, end.year + 1)]


def _bases(facts: Facts) -> list[str]:
    bases = []
    if facts.format:
        bases.append(f"{facts.type}|f:{facts.format}")
    actors = sorted(facts.participants)[:_MAX_KEYED_PARTICIPANTS]
    if len(actors) == 1:
        bases.append(f"{facts.type}|p:{actors[0]}")
    bases += [f"{facts.type}|p:{a}+{b}" for a, b in combinations(actors, 2)]
    return bases or [f"{facts.type}|-"]


def _months(start: date, end: date) -> list[str]:
    first, last = start - _SAME_DAY_SLACK, end + _SAME_DAY_SLACK
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _fine(facts: Facts) -> bool:
    """A time of at most about a month: filed by month as well as by year."""
    return facts.start is not None and facts.end is not None and (facts.end - facts.start).days <= _FINE_DAYS


def _slack_years(start: date, end: date) -> list[str]:
    return _years(start - _SAME_DAY_SLACK, end + _SAME_DAY_SLACK, _MAX_BUCKET_YEARS)


def index_keys(facts: Facts) -> list[str]:
    """The keys an event is filed under for one of its mentions: its type with its format or with each pair
    of its participants, by time. A time of a month or less is filed by month (``m:``) and, for coarser
    mentions looking for it, by year (``Y:``); a longer time by year (``y:``), and a mention without a time
    by the years its event may lie in around its report (``y:``)."""
    if facts.start is not None and facts.end is not None:
        if _fine(facts):
            buckets = [f"m:{m}" for m in _months(facts.start, facts.end)]
            buckets += [f"Y:{y}" for y in _slack_years(facts.start, facts.end)]
        else:
            buckets = [f"y:{y}" for y in _slack_years(facts.start, facts.end)]
    elif facts.reported is not None:
        buckets = [f"y:{facts.reported.year + k}" for k in range(-1, 3)]
    else:
        buckets = ["y:*"]
    return [f"{base}|{bucket}" for base in _bases(facts) for bucket in buckets]


def probe_keys(facts: Facts) -> list[str]:
    """The keys a mention looks its event up by. Whenever a mention is compatible with an event, one of
    these is one of the event's keys: a fine time meets events of its months and coarse events of its years;
    a coarse or missing time meets every event of the years its event may lie in."""
    if _fine(facts):
        assert facts.start is not None and facts.end is not None
        buckets = [f"m:{m}" for m in _months(facts.start, facts.end)]
        buckets += [f"y:{y}" for y in _slack_years(facts.start, facts.end)]
    else:
        window = facts.window()
        years = _years(*window, _MAX_PROBE_YEARS) if window else ["*"]
        buckets = [f"{kind}:{y}" for y in years if y != "*" for kind in ("Y", "y")]
    buckets.append("y:*")
    return [f"{base}|{bucket}" for base in _bases(facts) for bucket in buckets]


def _overlap(a: tuple[date, date], b: tuple[date, date], slack: timedelta = _SAME_DAY_SLACK) -> bool:
    return a[0] <= b[1] + slack and b[0] <= a[1] + slack


def score(facts: Facts, event: Summary) -> float | None:
    """How well a mention fits an event, or None when it cannot be the same event."""
    if facts.type != event.type:
        return None
    same_format = bool(facts.format and event.format and facts.format == event.format)
    if facts.format and event.format and not same_format:
        return None
    shared = len(facts.participants & event.participants)
    if not same_format:
        needed = min(2, len(facts.participants), len(event.participants))
        if needed == 0 or shared < needed:
            return None
    total = 3.0 if same_format else 0.0
    union = len(facts.participants | event.participants)
    total += shared / union if union else 0.0
    # time
    mine, theirs = facts.window(), event.window()
    if mine is None or theirs is None:
        return None
    if facts.timed and event.span is not None:
        if not _overlap(mine, theirs):
            return None
        total += 2.0 + (1.0 if facts.precise and event.start is not None else 0.0)
    else:
        if not _overlap(mine, theirs, timedelta(0)):
            return None
        if not facts.timed and event.span is None:  # neither says when: only reports close in time
            if facts.reported is None or event.last_reported is None:
                return None
            same_actors = len(facts.participants) >= 2 and facts.participants == event.participants
            if abs((facts.reported - event.last_reported).days) > 45 or not (same_format or same_actors):
                return None
        centre = theirs[0] + (theirs[1] - theirs[0]) / 2
        anchor = facts.reported or centre
        total -= min(abs((centre - anchor).days) / 365, 3.0)
    # place
    if facts.city and event.city and facts.city != event.city:
        if not (same_format and facts.precise and event.start is not None):
            return None
        total -= 1.0
    elif facts.country and event.country and facts.country != event.country:
        return None
    elif facts.city and facts.city == event.city:
        total += 2.0
    elif facts.country and facts.country == event.country:
        total += 1.0
    return total


def best_event(facts: Facts, candidates: Iterable[tuple[str, Summary]]) -> str | None:
    """The id of the candidate event the mention belongs to, or None for a new event; ties go to the
    smaller id so that the choice never depends on the order candidates come in."""
    best: tuple[float, str] | None = None
    for event_id, summary in candidates:
        value = score(facts, summary)
        if value is None:
            continue
        if best is None or value > best[0] or (value == best[0] and event_id < best[1]):
            best = (value, event_id)
    return best[1] if best else None


def order_for_resolution(mentions: Sequence[Facts]) -> list[Facts]:
    """The order a document's mentions are resolved in: timed mentions first, the most precise first."""
    return sorted(mentions, key=lambda f: (not f.timed, _length(f), f.key[1]))


def _length(facts: Facts) -> int:
    return (facts.end - facts.start).days if facts.start and facts.end else 1 << 30


def _majority(values: Iterable[str | None]) -> str | None:
    counts = Counter(v for v in values if v)
    if not counts:
        return None
    top = max(counts.values())
    return min(v for v, n in counts.items() if n == top)


def _best_time(mentions: Sequence[Facts]) -> Facts | None:
    """The mention whose time the event takes. Of reports that it took place: the precise time that
    contains the most others (the "19–20 December" of one source over the "20 December" of another).
    Otherwise: the time most independent sources give, then the most precise, then the latest reported."""
    timed = [m for m in mentions if m.timed]
    held = [m for m in timed if m.status in ("occurred", "ongoing")]
    if held:
        pool = [m for m in held if m.precise] or held

        def within(m: Facts) -> int:
            return len({o.origin for o in pool if m.start <= o.start and o.end <= m.end})  # type: ignore[operator]

        return max(pool, key=lambda m: (within(m), -_length(m), m.reported or date.min, m.key))
    if not timed:
        return None
    origins: dict[tuple[date, date], set[str]] = {}
    for m in timed:
        origins.setdefault((m.start, m.end), set()).add(m.origin)  # type: ignore[arg-type]
    return max(
        timed,
        key=lambda m: (len(origins[(m.start, m.end)]), -_length(m), m.reported or date.min, m.key),  # type: ignore[index]
    )


def summarize(mentions: Sequence[Facts], credible: Sequence[bool] | None = None) -> Summary:
    """The event that a set of mentions describes. Its time is the most precise time of a report that it
    took place (else the latest report that it is planned); its place and format are the most common."""
    assert mentions, "an event has at least one mention"
    trusted = [m for m, ok in zip(mentions, credible or [True] * len(mentions), strict=True) if ok] or list(
        mentions
    )
    best = _best_time(trusted)
    spans = [(m.start, m.end) for m in mentions if m.start and m.end]
    reported = [m.reported for m in mentions if m.reported]
    city = _majority(m.city for m in trusted)
    country = _majority(m.country for m in trusted if not city or m.city == city)
    return Summary(
        type=mentions[0].type,
        format=_majority(m.format for m in mentions),
        participants=frozenset().union(*(m.participants for m in mentions)),
        city=city,
        country=country,
        start=best.start if best else None,
        end=best.end if best else None,
        granularity=best.granularity if best else None,
        span=(min(s for s, _ in spans), max(e for _, e in spans)) if spans else None,
        first_reported=min(reported) if reported else None,
        last_reported=max(reported) if reported else None,
        mentions=len(mentions),
        sources=len({m.origin for m in mentions}),
    )
