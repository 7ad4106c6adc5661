"""Scoring readings against gold files (the format of ``examples/gold/*.gold.json``).

Matching rules:

* an event matches a gold event when the type and status are equal and the participant countries overlap
  with a Jaccard index of at least 0.5 (level ``events``); at level ``events+time`` the time intervals also
  overlap, without the prediction being more than twice as long as the gold interval (a gold event without
  a time wants none); at level ``events+time+place`` the place's country is also equal (a gold event
  without a place wants none). Matching is one-to-one, greedy in gold order (required events first), each
  gold event taking, among the predictions that match it, one with the right time and place if there is one.
* a gold event marked ``optional`` is neither rewarded nor punished: a prediction matching it is removed
  from both counts, and missing it costs nothing.
* a figure matches when the unit is equal and the value is within 0.5 %.
* event times: of the required gold events matched at level ``events``, the share whose time also matches
  (an accuracy: its "recall" column).
* entities: the gold's countries against the reading's country entities.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from storyline.read.events import jaccard
from storyline.records import EventMention, Figure, Reading

LEVELS = ("events", "events+time", "events+time+place")


@dataclass
class Count:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Count) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
        }


@dataclass
class Scores:
    counts: dict[str, Count] = field(
        default_factory=lambda: {k: Count() for k in (*LEVELS, "event times", "figures", "entities")}
    )
    documents: int = 0

    def add(self, other: Scores) -> None:
        for key, count in other.counts.items():
            self.counts[key].add(count)
        self.documents += other.documents

    def as_dict(self) -> dict[str, Any]:
        return {"documents": self.documents, **{k: c.as_dict() for k, c in self.counts.items()}}


def gold_interval(value: str | None) -> tuple[date, date] | None:
    """ "2025-12-19", "2025-12", "2025" or "a/b" as first and last day."""
    if not value:
        return None
    if "/" in value:
        a, b = value.split("/", 1)
        first, last = gold_interval(a), gold_interval(b)
        return (first[0], last[1]) if first and last else None
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return date(parts[0], 1, 1), date(parts[0], 12, 31)
    if len(parts) == 2:
        return date(parts[0], parts[1], 1), date(
            parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1]
        )
    day = date(parts[0], parts[1], parts[2])
    return day, day


def _countries(ids: Iterable[str]) -> set[str]:
    return {i for i in ids if len(i) == 3 and i.isupper()}


def _time_ok(gold: dict[str, Any], event: EventMention) -> bool:
    wanted = gold_interval(gold.get("when"))
    if wanted is None:
        return event.when is None
    if event.when is None:
        return False
    start, end = event.when.start, event.when.end
    if start > wanted[1] or wanted[0] > end:
        return False
    return (end - start).days + 1 <= 2 * ((wanted[1] - wanted[0]).days + 1)


def _place_ok(gold: dict[str, Any], event: EventMention) -> bool:
    where = gold.get("where")
    if not where or not where.get("country"):
        return event.where is None
    return event.where is not None and event.where.country == where["country"]


def _event_matcher(level: str) -> Callable[[dict[str, Any], EventMention], bool]:
    def match(gold: dict[str, Any], event: EventMention) -> bool:
        if gold["type"] != event.type or gold["status"] != event.status:
            return False
        if jaccard(_countries(gold.get("participants", [])), _countries(event.participants)) < 0.5:
            return False
        if level != "events" and not _time_ok(gold, event):
            return False
        return level != "events+time+place" or _place_ok(gold, event)

    return match


def _match_events(
    gold: list[dict[str, Any]], events: list[EventMention], level: str
) -> tuple[Count, list[tuple[dict[str, Any], EventMention]]]:
    """The counts at ``level`` and the required gold events matched, with their predictions."""
    match = _event_matcher(level)
    free = list(range(len(events)))
    count = Count()
    pairs = []
    for g in sorted(gold, key=lambda g: bool(g.get("optional"))):
        # among the predictions that match, the one that also has the right time and place
        hits = [i for i in free if match(g, events[i])]
        hit = next((i for i in hits if _time_ok(g, events[i]) and _place_ok(g, events[i])), None)
        hit = hit if hit is not None else next((i for i in hits if _time_ok(g, events[i])), None)
        hit = hit if hit is not None else (hits[0] if hits else None)
        if hit is not None:
            free.remove(hit)
            if not g.get("optional"):
                count.tp += 1
                pairs.append((g, events[hit]))
        elif not g.get("optional"):
            count.fn += 1
    count.fp = len(free)
    return count, pairs


def _score_figures(gold: list[dict[str, Any]], figures: list[Figure]) -> Count:
    free = list(range(len(figures)))
    count = Count()
    for g in gold:
        hit = next(
            (
                i
                for i in free
                if figures[i].unit == g["unit"]
                and abs(figures[i].value - g["value"]) <= 0.005 * abs(g["value"])
            ),
            None,
        )
        if hit is None:
            count.fn += 1
        else:
            free.remove(hit)
            count.tp += 1
    count.fp = len(free)
    return count


def score_reading(reading: Reading, gold: dict[str, Any]) -> Scores:
    scores = Scores(documents=1)
    for level in LEVELS:
        scores.counts[level], pairs = _match_events(gold.get("events", []), reading.events, level)
        if level == "events":
            # of the events found, how many carry the right time: an accuracy, kept as tp (right) and fn (wrong)
            right = sum(_time_ok(g, e) for g, e in pairs)
            scores.counts["event times"] = Count(tp=right, fn=len(pairs) - right)
    scores.counts["figures"] = _score_figures(gold.get("figures", []), reading.figures)
    wanted = set(gold.get("entities", {}).get("countries", []))
    found = {e.id for e in reading.entities if e.kind == "country"}
    scores.counts["entities"] = Count(tp=len(wanted & found), fp=len(found - wanted), fn=len(wanted - found))
    return scores


def load_gold(path: Path) -> dict[str, Any]:
    gold: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    gold["_file"] = str(path)
    return gold


def evaluate_gold_files(gold_files: list[Path], workers: int = 1) -> tuple[Scores, list[tuple[str, Scores]]]:
    """Read the article each gold file names and score it: the total and each document's scores."""
    from storyline.ingest.sources import iter_inputs
    from storyline.runner import read_all

    golds = [load_gold(p) for p in gold_files]
    paths = [str((Path(g["_file"]).parent / g["path"]).resolve()) for g in golds]
    total, each = Scores(), []
    for gold, outcome in zip(golds, read_all(iter_inputs(paths), workers=workers), strict=True):
        if isinstance(outcome, Reading):
            scores = score_reading(outcome, gold)
        else:  # an article that cannot be read scores nothing: all its gold facts are missed
            scores = score_reading(
                Reading(
                    id=gold["id"],
                    language="und",
                    published=None,
                    text="",
                    entities=[],
                    events=[],
                    figures=[],
                    checks=[],
                    times=[],
                ),
                gold,
            )
        total.add(scores)
        each.append((gold["id"], scores))
    return total, each
