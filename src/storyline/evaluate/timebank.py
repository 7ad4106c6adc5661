"""Scoring the time tagger on an ISO-TimeML corpus (French TimeBank), TempEval-3 style.

The gold is every TIMEX3 inside a document's ``TEXT`` element; the document creation time (the TIMEX3
with ``functionInDocument="CREATION_TIME"``, normally inside ``DCT``) is not an expression to find: it is
the anchor handed to the tagger. Offsets refer to the plain text of ``TEXT``, tags removed.

Measures, summed over all documents:

* ``strict``: a prediction with exactly the gold's offsets;
* ``relaxed``: a prediction overlapping the gold's characters, one-to-one: exact pairs first, then as many
  overlapping pairs as possible (see :func:`pair`);
* over the relaxed pairs: ``type_accuracy`` and ``value_accuracy`` (share of pairs with the gold's type or
  TIMEX3 value), and the attribute F1s ``type`` and ``value``, where a relaxed pair with the right
  attribute is a true positive, precision is over all predictions and recall over all gold expressions.
  ``value.f1`` is the number HeidelTime and TempEval-3 report as "value F1".
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from storyline.evaluate import Count
from storyline.languages import Language
from storyline.read.times import find_times
from storyline.records import Time

ErrorKind = Literal["missed", "spurious", "span", "type", "value"]


@dataclass(frozen=True)
class GoldTimex:
    """One gold TIMEX3: ``doc.text[start:end] == text``."""

    start: int
    end: int
    text: str
    type: str
    value: str
    tid: str = ""
    mod: str | None = None


@dataclass(frozen=True)
class TimebankDoc:
    name: str
    dct: date | None
    text: str
    timexes: tuple[GoldTimex, ...]
    dct_value: str = ""


@dataclass(frozen=True)
class TimexError:
    """One disagreement. ``missed``: a gold expression left without a prediction (``predicted`` is the
    prediction it overlaps when one paired with another gold swallowed it: "entre 1990 et 1999" for
    "1999"); ``spurious``: a prediction left without a gold (``gold`` likewise); for a relaxed pair,
    ``span`` (offsets differ), ``type`` and ``value``."""

    document: str
    kind: ErrorKind
    gold: GoldTimex | None
    predicted: Time | None

    def describe(self) -> str:
        gold = f"{self.gold.text!r} {self.gold.type} {self.gold.value}" if self.gold else "-"
        pred = (
            f"{self.predicted.text!r} {self.predicted.type} {self.predicted.value}" if self.predicted else "-"
        )
        return f"{self.document} {self.kind}: gold {gold} | predicted {pred}"


@dataclass
class TimebankScores:
    documents: int = 0
    gold: int = 0
    predicted: int = 0
    strict: Count = field(default_factory=Count)
    relaxed: Count = field(default_factory=Count)
    type: Count = field(default_factory=Count)
    value: Count = field(default_factory=Count)
    errors: list[TimexError] = field(default_factory=list)

    @property
    def type_accuracy(self) -> float:
        return self.type.tp / self.relaxed.tp if self.relaxed.tp else 1.0

    @property
    def value_accuracy(self) -> float:
        return self.value.tp / self.relaxed.tp if self.relaxed.tp else 1.0

    def add(self, other: TimebankScores) -> None:
        self.documents += other.documents
        self.gold += other.gold
        self.predicted += other.predicted
        for mine, theirs in (
            (self.strict, other.strict),
            (self.relaxed, other.relaxed),
            (self.type, other.type),
            (self.value, other.value),
        ):
            mine.add(theirs)
        self.errors.extend(other.errors)

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "gold": self.gold,
            "predicted": self.predicted,
            "strict": self.strict.as_dict(),
            "relaxed": self.relaxed.as_dict(),
            "type": self.type.as_dict(),
            "value": self.value.as_dict(),
            "type_accuracy": round(self.type_accuracy, 3),
            "value_accuracy": round(self.value_accuracy, 3),
        }


# Loading


def _flatten(element: ET.Element, pieces: list[str], offset: int, found: list[GoldTimex]) -> int:
    """Append the plain text under `element` to `pieces` (its tail excluded), record every TIMEX3 met with
    its offsets, and return the offset after it."""
    start = offset
    if element.text:
        pieces.append(element.text)
        offset += len(element.text)
    for child in element:
        offset = _flatten(child, pieces, offset, found)
        if child.tail:
            pieces.append(child.tail)
            offset += len(child.tail)
    if element.tag == "TIMEX3" and offset > start:
        found.append(
            GoldTimex(
                start=start,
                end=offset,
                text="".join(element.itertext()),
                type=element.get("type", ""),
                value=element.get("value", ""),
                tid=element.get("tid", ""),
                mod=element.get("mod"),
            )
        )
    return offset


def _creation_time(root: ET.Element) -> str:
    for timex in root.iter("TIMEX3"):
        if timex.get("functionInDocument") == "CREATION_TIME":
            return timex.get("value", "")
    dct = root.find("DCT")
    if dct is not None:
        inner = dct.find("TIMEX3")
        return inner.get("value", "") if inner is not None else "".join(dct.itertext()).strip()
    return ""


def _as_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def parse_tml(path: Path) -> TimebankDoc:
    """One ISO-TimeML file."""
    root = ET.parse(path).getroot()
    body = root.find(".//TEXT")
    if body is None:
        raise ValueError(f"{path}: no TEXT element")
    pieces: list[str] = []
    found: list[GoldTimex] = []
    _flatten(body, pieces, 0, found)
    dct_value = _creation_time(root)
    return TimebankDoc(
        name=path.stem,
        dct=_as_date(dct_value),
        text="".join(pieces),
        timexes=tuple(sorted(found, key=lambda t: (t.start, t.end))),
        dct_value=dct_value,
    )


def load(folder: Path) -> list[TimebankDoc]:
    """Every ``.tml`` file of `folder`, in name order."""
    return [parse_tml(path) for path in sorted(folder.glob("*.tml"))]


# Scoring


def _overlap(a: GoldTimex, b: Time) -> bool:
    return a.start < b.end and b.start < a.end


def _overlap_size(a: GoldTimex, b: Time) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def pair(gold: Sequence[GoldTimex], predicted: Sequence[Time]) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, prediction index), as many as possible: exact spans first, then
    overlaps (a maximum matching by augmenting paths; the larger overlaps are tried first, so "d'ici le
    30 juin" pairs with the gold "le 30 juin" rather than with the gold "ici")."""
    owner: dict[int, int] = {}  # prediction -> gold
    exact = {(p.start, p.end): j for j, p in enumerate(predicted)}
    for i, g in enumerate(gold):
        j = exact.get((g.start, g.end))
        if j is not None and j not in owner:
            owner[j] = i
    fixed = set(owner)
    options = {
        i: sorted(
            (j for j, p in enumerate(predicted) if j not in fixed and _overlap(g, p)),
            key=lambda j: -_overlap_size(g, predicted[j]),
        )
        for i, g in enumerate(gold)
        if i not in owner.values()
    }

    def augment(i: int, seen: set[int]) -> bool:
        for j in options[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    best = {i: _overlap_size(gold[i], predicted[js[0]]) if js else 0 for i, js in options.items()}
    for i in sorted(options, key=lambda i: (-best[i], gold[i].start)):
        augment(i, set())
    return sorted((i, j) for j, i in owner.items())


def score_document(doc: TimebankDoc, predicted: Sequence[Time]) -> TimebankScores:
    """The counts for one document's predictions; pure, so it can be tested on hand-made predictions."""
    gold = doc.timexes
    pairs = pair(gold, predicted)
    scores = TimebankScores(documents=1, gold=len(gold), predicted=len(predicted))
    strict = sum(
        1 for i, j in pairs if (gold[i].start, gold[i].end) == (predicted[j].start, predicted[j].end)
    )
    typed = sum(1 for i, j in pairs if gold[i].type == predicted[j].type)
    valued = sum(1 for i, j in pairs if gold[i].value == predicted[j].value)
    for count, tp in (
        (scores.strict, strict),
        (scores.relaxed, len(pairs)),
        (scores.type, typed),
        (scores.value, valued),
    ):
        count.tp, count.fp, count.fn = tp, len(predicted) - tp, len(gold) - tp
    paired_gold = {i for i, _ in pairs}
    paired_pred = {j for _, j in pairs}
    errors = scores.errors
    for i, g in enumerate(gold):
        if i not in paired_gold:
            swallowed = next((p for p in predicted if _overlap(g, p)), None)
            errors.append(TimexError(doc.name, "missed", g, swallowed))
    for j, p in enumerate(predicted):
        if j not in paired_pred:
            errors.append(
                TimexError(doc.name, "spurious", next((g for g in gold if _overlap(g, p)), None), p)
            )
    for i, j in pairs:
        g, p = gold[i], predicted[j]
        if (g.start, g.end) != (p.start, p.end):
            errors.append(TimexError(doc.name, "span", g, p))
        if g.type != p.type:
            errors.append(TimexError(doc.name, "type", g, p))
        if g.value != p.value:
            errors.append(TimexError(doc.name, "value", g, p))
    return scores


def score(docs: Sequence[TimebankDoc], language: Language) -> TimebankScores:
    """Tag each document's text, anchored on its creation time, and score it against the gold."""
    total = TimebankScores()
    for doc in docs:
        total.add(score_document(doc, find_times(doc.text, language, doc.dct)))
    return total
