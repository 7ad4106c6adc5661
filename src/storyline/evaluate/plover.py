"""Scoring event reading on the PLOVER gold-standard records (``PLOVER_GSR_CAMEO.json``).

Each record is one English sentence with one human-coded event: a type, source and target actors. The file
uses an older PLOVER category list; :data:`RENAMED` maps it to today's 16 types. Actor codes are kept when
they are ISO 3166-1 alpha-3 country codes of the knowledge base (after correcting the CAMEO-style spellings
in :data:`CORRECTED`); the others (IGO, NGO, IMG, ...) name no country and are dropped.

Measures, over all sentences (each read on its own, in English, published 2000-01-01):

* ``type_recall``: the share of sentences whose gold type is among the types of the predicted events;
* ``type_precision``: the share of predicted events whose type is their sentence's gold type;
* ``actors``: among the sentences with at least one gold country (source or target), the share where one
  predicted event of the gold type has them all: the gold source countries are a subset of the event's
  ``source`` and the gold target countries a subset of its ``target``, where an event without a source
  (or target), such as a meeting, offers its ``participants`` instead. ``source`` and ``target`` are the
  same test for one side, among the sentences with gold countries on that side.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from storyline import kb
from storyline.records import EVENT_TYPES, Document, EventMention, Published

# The older category names of the file -> (today's type, the mode the PLOVER manual gives it).
RENAMED: dict[str, tuple[str, str | None]] = {
    "INVESTIGATE": ("ACCUSE", "investigate"),
    "DEMAND": ("REQUEST", None),
    "DISAPPROVE": ("ACCUSE", "disapprove"),
    "FIGHT": ("ASSAULT", None),
}
# Country codes the file spells the CAMEO way rather than ISO 3166-1.
CORRECTED = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM"}
PUBLISHED = date(2000, 1, 1)


@dataclass(frozen=True)
class PloverRecord:
    id: str
    type: str  # one of the 16 PLOVER types
    original_type: str  # as the file writes it
    mode: str | None
    source: tuple[str, ...]  # country codes, ISO 3166-1 alpha-3
    target: tuple[str, ...]
    text: str


@dataclass
class TypeRow:
    gold: int = 0  # sentences of this gold type
    found: int = 0  # ... where an event of this type was predicted
    predicted: int = 0  # predicted events of this type, in all sentences
    right: int = 0  # ... in sentences of this gold type

    def as_dict(self) -> dict[str, int]:
        return {"gold": self.gold, "found": self.found, "predicted": self.predicted, "right": self.right}


@dataclass(frozen=True)
class Outcome:
    """What was predicted for one record."""

    record: PloverRecord
    events: tuple[EventMention, ...]
    found: bool
    actors: bool | None  # None when the gold names no country


@dataclass
class PloverScores:
    sentences: int = 0
    found: int = 0  # sentences whose gold type was predicted
    predicted: int = 0  # predicted events
    right: int = 0  # predicted events of their sentence's gold type
    actor_sentences: int = 0  # sentences with a gold country
    actors_found: int = 0
    source_sentences: int = 0
    source_found: int = 0
    target_sentences: int = 0
    target_found: int = 0
    types: dict[str, TypeRow] = field(default_factory=lambda: {t: TypeRow() for t in EVENT_TYPES})
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def type_recall(self) -> float:
        return _share(self.found, self.sentences)

    @property
    def type_precision(self) -> float:
        return _share(self.right, self.predicted)

    @property
    def actors(self) -> float:
        return _share(self.actors_found, self.actor_sentences)

    @property
    def source(self) -> float:
        return _share(self.source_found, self.source_sentences)

    @property
    def target(self) -> float:
        return _share(self.target_found, self.target_sentences)

    def add(self, other: PloverScores) -> None:
        for name in (
            "sentences",
            "found",
            "predicted",
            "right",
            "actor_sentences",
            "actors_found",
            "source_sentences",
            "source_found",
            "target_sentences",
            "target_found",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for key, row in other.types.items():
            mine = self.types.setdefault(key, TypeRow())
            mine.gold += row.gold
            mine.found += row.found
            mine.predicted += row.predicted
            mine.right += row.right
        self.outcomes.extend(other.outcomes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sentences": self.sentences,
            "type_recall": round(self.type_recall, 3),
            "type_precision": round(self.type_precision, 3),
            "actors": round(self.actors, 3),
            "source": round(self.source, 3),
            "target": round(self.target, 3),
            "counts": {
                "found": self.found,
                "predicted": self.predicted,
                "right": self.right,
                "actor_sentences": self.actor_sentences,
                "actors_found": self.actors_found,
                "source_sentences": self.source_sentences,
                "source_found": self.source_found,
                "target_sentences": self.target_sentences,
                "target_found": self.target_found,
            },
            "types": {t: row.as_dict() for t, row in self.types.items()},
        }


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


# Loading


def _countries(actors: Any, side: str, report: Counter[str]) -> tuple[str, ...]:
    """The country codes of a ``source`` or ``target`` field, which should be a list of actor objects."""
    if actors is None or actors == "":
        return ()
    if isinstance(actors, dict):
        actors = [actors]
    if not isinstance(actors, list):
        report[f"{side} field that is not a list of actors ({actors!r})"] += 1
        return ()
    base = kb.load()
    codes: list[str] = []
    for actor in actors:
        code = actor.get("code") if isinstance(actor, dict) else None
        if not isinstance(code, str):
            report[f"{side} actor without a code"] += 1
            continue
        code = code.strip().upper()
        if code in CORRECTED:
            report[f"{side} code {code} read as {CORRECTED[code]}"] += 1
            code = CORRECTED[code]
        entry = base.get(code) if len(code) == 3 else None
        if entry is None or entry.kind != "country":
            report[f"{side} actor code that is no country ({code})"] += 1
            continue
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def load(path: Path, report: Counter[str] | None = None) -> list[PloverRecord]:
    """The sentence records of the file, in file order. What is skipped or corrected is counted in
    `report` when one is given (the DOCUMENT record, unknown types, missing text, non-country actors)."""
    report = report if report is not None else Counter()
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list of records")
    records: list[PloverRecord] = []
    for item in data:
        if not isinstance(item, dict):
            report["item that is not an object"] += 1
            continue
        original = str(item.get("event", "")).strip().upper()
        if original == "DOCUMENT":
            report["DOCUMENT record"] += 1
            continue
        kind, mode = RENAMED.get(original, (original, None))
        if kind not in EVENT_TYPES:
            report[f"unknown event type ({original})"] += 1
            continue
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            report["record without text"] += 1
            continue
        own_mode = item.get("mode")
        records.append(
            PloverRecord(
                id=str(item.get("id") or f"record-{len(records) + 1}"),
                type=kind,
                original_type=original,
                mode=own_mode if isinstance(own_mode, str) and own_mode else mode,
                source=_countries(item.get("source"), "source", report),
                target=_countries(item.get("target"), "target", report),
                text=text.strip(),
            )
        )
    return records


# Scoring


def _side(wanted: tuple[str, ...], named: list[str], participants: list[str]) -> bool:
    return set(wanted) <= set(named or participants)


def _has_actors(record: PloverRecord, event: EventMention) -> bool:
    return _side(record.source, event.source, event.participants) and _side(
        record.target, event.target, event.participants
    )


def score_record(record: PloverRecord, events: Sequence[EventMention]) -> PloverScores:
    """The counts for one sentence's predicted events; pure, so it can be tested on hand-made events."""
    scores = PloverScores(sentences=1, predicted=len(events))
    of_type = [e for e in events if e.type == record.type]
    scores.found = int(bool(of_type))
    scores.right = len(of_type)
    row = scores.types.setdefault(record.type, TypeRow())
    row.gold, row.found, row.right = 1, scores.found, len(of_type)
    for event in events:
        scores.types.setdefault(event.type, TypeRow()).predicted += 1
    actors: bool | None = None
    if record.source or record.target:
        actors = any(_has_actors(record, e) for e in of_type)
        scores.actor_sentences, scores.actors_found = 1, int(actors)
    if record.source:
        scores.source_sentences = 1
        scores.source_found = int(any(_side(record.source, e.source, e.participants) for e in of_type))
    if record.target:
        scores.target_sentences = 1
        scores.target_found = int(any(_side(record.target, e.target, e.participants) for e in of_type))
    scores.outcomes.append(Outcome(record, tuple(events), bool(of_type), actors))
    return scores


def read_events(record: PloverRecord) -> list[EventMention]:
    """The events storyline reads in the record's sentence."""
    from storyline.read import read_document

    doc = Document(
        id=record.id,
        text=record.text,
        language="en",
        published=Published(date=PUBLISHED, source="input"),
    )
    return read_document(doc).events


def score(
    records: Sequence[PloverRecord],
    reader: Callable[[PloverRecord], Sequence[EventMention]] = read_events,
) -> PloverScores:
    """Read each record's sentence and score its events against the record."""
    total = PloverScores()
    for record in records:
        total.add(score_record(record, reader(record)))
    return total
