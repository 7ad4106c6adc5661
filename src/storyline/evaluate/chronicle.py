"""Scoring the chronicle: event mentions resolved across documents, and documents grouped into stories.

The gold is the corpus gold (``examples/gold/*.gold.json``): each document names its ``story``, and each of
its events carries an ``event`` slug that is the same in every document (and language) reporting the same
real-world occurrence.

Both tasks are clusterings, scored with B-cubed (Bagga & Baldwin 1998): for each gold item, precision is the
share of its predicted cluster that is in its gold cluster, recall the share of its gold cluster that is in its
predicted cluster; both are averaged over the items, and F1 is their harmonic mean.

* **stories**: the items are the documents, the gold cluster is the document's ``story``, the predicted one
  the story the engine put it in (a document without a prediction, or with none, is a story of its own).
* **events**: each document's required gold events are matched to its predicted mentions by the corpus
  scorer's own matching at level ``events`` (:func:`storyline.evaluate._match_events`: type, status and
  participants). The items are the matched gold events, ``(file name, index of the event in the gold file)``;
  the gold cluster is the gold ``event`` slug, the predicted one the id of the event the matched mention was
  resolved to. Gold events that no mention matches are not items: ``coverage`` says how many were matched.
  Optional gold events are never items, as the corpus scorer neither rewards nor punishes them.
* **shared events**: the same, over the items whose slug is a required event of at least two gold documents
  (:func:`shared_slugs`). Most events of a corpus are reported once, so putting every mention in a cluster of
  its own already scores well over all events (on the example corpus: recall 0.55, F1 0.71); over the shared
  ones it scores lower (recall 0.33, F1 0.50), and linking across documents is what raises it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from storyline.evaluate import _match_events, load_gold
from storyline.records import EventMention

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Count3:
    """B-cubed precision, recall and F1 over ``n`` items (all 1.0 when there are none)."""

    precision: float
    recall: float
    f1: float
    n: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "n": self.n,
        }


@dataclass(frozen=True)
class _Missing:
    """The predicted cluster of an item without a prediction: equal to nothing but itself."""

    item: Hashable


def bcubed(predicted: Mapping[K, str], gold: Mapping[K, str]) -> Count3:
    """B-cubed precision, recall and F1 of ``predicted`` against ``gold``, over the items of ``gold``.

    Both map an item to the id of its cluster. An item of ``gold`` missing from ``predicted`` is a predicted
    cluster of its own; items of ``predicted`` that are not in ``gold`` are ignored.
    """
    if not gold:
        return Count3(1.0, 1.0, 1.0, 0)
    labels: dict[K, Hashable] = {item: predicted.get(item, _Missing(item)) for item in gold}
    gold_size = Counter(gold.values())
    predicted_size = Counter(labels.values())
    both = Counter((labels[item], gold[item]) for item in gold)
    precision = sum(both[labels[i], gold[i]] / predicted_size[labels[i]] for i in gold) / len(gold)
    recall = sum(both[labels[i], gold[i]] / gold_size[gold[i]] for i in gold) / len(gold)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Count3(precision, recall, f1, len(gold))


@dataclass
class DocumentPrediction:
    """What the engine did with one document.

    ``story`` is the id of the story it put the document in (None: none), ``events`` each event mention of
    the document's reading with the id of the resolved (cross-document) event it was assigned to.
    """

    story: str | None = None
    events: list[tuple[EventMention, str]] = field(default_factory=list)


@dataclass(frozen=True)
class ChronicleScores:
    """Story clustering and event resolution scores; see the module's documentation."""

    documents: int
    stories: Count3
    gold_events: int
    matched_events: int
    events: Count3
    shared_events: Count3

    @property
    def coverage(self) -> float:
        """The share of required gold events matched by a mention (1.0 when there are none)."""
        return self.matched_events / self.gold_events if self.gold_events else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "stories": self.stories.as_dict(),
            "events": {
                "gold": self.gold_events,
                "matched": self.matched_events,
                "coverage": round(self.coverage, 3),
                **self.events.as_dict(),
            },
            "shared events": self.shared_events.as_dict(),
        }


def document_key(gold: Mapping[str, Any]) -> str:
    """The key of a gold document in the predictions: its article's file name."""
    return Path(gold["path"]).name


def load_golds(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Gold files (``*.gold.json`` of each directory given, or the files themselves), in name order."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.gold.json")) if path.is_dir() else [path])
    return [load_gold(p) for p in files]


def shared_slugs(
    golds: Iterable[Mapping[str, Any]], documents: int = 2, *, optional: bool = False
) -> set[str]:
    """The ``event`` slugs that occur in at least ``documents`` gold documents.

    Only required events count, unless ``optional``: optional gold events are never scored items.
    """
    seen: Counter[str] = Counter()
    for gold in golds:
        seen.update(
            {
                e["event"]
                for e in gold.get("events", [])
                if e.get("event") and (optional or not e.get("optional"))
            }
        )
    return {slug for slug, n in seen.items() if n >= documents}


# Gold events are paired with mentions on type, status, participants and time: pairing on the first three only
# lets a mention of another event (a 2023 summit recalled in a 2025 article) stand for the gold event the
# reading missed, and the resolution is then scored on the wrong item.
MATCH_LEVEL = "events+time"


def score_chronicle(
    golds: list[dict[str, Any]], predicted: Mapping[str, DocumentPrediction], level: str = MATCH_LEVEL
) -> ChronicleScores:
    """Score story clustering and cross-document event resolution against the gold.

    ``golds`` as loaded by :func:`storyline.evaluate.load_gold`; ``predicted`` keyed by the article's file
    name (:func:`document_key`). A gold document without a prediction is a story of its own and has no
    mentions. Every gold event must carry an ``event`` slug.
    """
    gold_stories: dict[str, str] = {}
    predicted_stories: dict[str, str] = {}
    gold_events: dict[tuple[str, int], str] = {}
    predicted_events: dict[tuple[str, int], str] = {}
    required = 0
    for gold in golds:
        key = document_key(gold)
        if key in gold_stories:
            raise ValueError(f"two gold documents for {key}")
        prediction = predicted.get(key, DocumentPrediction())
        gold_stories[key] = gold["story"]
        if prediction.story is not None:
            predicted_stories[key] = prediction.story
        events = gold.get("events", [])
        required += sum(not e.get("optional") for e in events)
        mentions = [mention for mention, _ in prediction.events]
        resolved = {id(mention): event for mention, event in prediction.events}
        _, pairs = _match_events(events, mentions, level)
        for gold_event, mention in pairs:
            index = next(i for i, e in enumerate(events) if e is gold_event)
            gold_events[key, index] = gold_event["event"]
            predicted_events[key, index] = resolved[id(mention)]
    shared = shared_slugs(golds)
    gold_shared = {item: slug for item, slug in gold_events.items() if slug in shared}
    return ChronicleScores(
        documents=len(gold_stories),
        stories=bcubed(predicted_stories, gold_stories),
        gold_events=required,
        matched_events=len(gold_events),
        events=bcubed(predicted_events, gold_events),
        shared_events=bcubed(predicted_events, gold_shared),
    )


def predictions(engine: Any) -> dict[str, DocumentPrediction]:
    """What a chronicle database predicts for each stored document, keyed by the document's file name: its
    story, and each event mention of its reading with the event it was resolved into."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from storyline.records import Reading
    from storyline.store import tables as t

    out: dict[str, DocumentPrediction] = {}
    with Session(engine) as session:
        assigned: dict[tuple[str, int], str] = {
            (m.document_id, m.idx): m.event_id
            for m in session.execute(select(t.EventMention)).scalars()
            if m.event_id is not None
        }
        for doc in session.execute(select(t.Document)).scalars():
            if doc.reading is None:
                continue
            reading = Reading.model_validate({**doc.reading, "text": doc.text})
            events = [
                (m, assigned.get((doc.id, k), f"unresolved-{doc.id}-{k}"))
                for k, m in enumerate(reading.events)
            ]
            out[Path(doc.id).name] = DocumentPrediction(story=doc.story_id, events=events)
    return out


def evaluate_chronicle(gold_files: list[Path], url: str | None = None, workers: int = 1) -> ChronicleScores:
    """Run the whole flow on the articles the gold files name, into the database at ``url`` (default: a
    temporary SQLite file), and score story clustering and event resolution."""
    import tempfile

    from storyline.flow import run_paths
    from storyline.store import connect

    golds = load_golds(gold_files)
    paths = [str((Path(g["_file"]).parent / g["path"]).resolve()) for g in golds]
    with tempfile.TemporaryDirectory() as tmp:
        engine = connect(url or str(Path(tmp) / "evaluate.sqlite3"))
        try:
            run_paths(paths, engine, workers=workers)
            return score_chronicle(golds, predictions(engine))
        finally:
            engine.dispose()
