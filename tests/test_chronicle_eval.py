"""The chronicle scorer (B-cubed over stories and resolved events) and the gold's cross-document `event` keys."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from storyline.evaluate import gold_interval, load_gold
from storyline.evaluate.chronicle import (
    Count3,
    DocumentPrediction,
    bcubed,
    document_key,
    load_golds,
    score_chronicle,
    shared_slugs,
)
from storyline.records import EventMention, Interval, Place, Span

from conftest import EXAMPLES

GOLD_FILES = sorted((EXAMPLES / "gold").glob("*.gold.json"))
TOKYO_2025 = "japan-central-asia-summit-2025-tokyo"


# B-cubed


def test_bcubed_perfect_clustering_scores_one() -> None:
    gold = {1: "a", 2: "a", 3: "b", 4: "c"}
    # the predicted ids need not be the gold's: only the partition counts
    score = bcubed({1: "x", 2: "x", 3: "y", 4: "z"}, gold)
    assert score == Count3(1.0, 1.0, 1.0, 4)


def test_bcubed_all_in_one_cluster() -> None:
    gold = {1: "a", 2: "a", 3: "a", 4: "b"}
    score = bcubed(dict.fromkeys(gold, "one"), gold)
    # precision: items of a see 3 of 4 right, the b item 1 of 4: (3 * 3/4 + 1/4) / 4 = (3² + 1²) / 4² = 10/16
    assert score.precision == pytest.approx(10 / 16)
    assert score.recall == 1.0
    assert score.f1 == pytest.approx(2 * (10 / 16) / (10 / 16 + 1))


def test_bcubed_all_singletons() -> None:
    gold = {1: "a", 2: "a", 3: "a", 4: "b"}
    score = bcubed({i: str(i) for i in gold}, gold)
    # recall: items of a find 1 of their 3, the b item 1 of 1: (3 * 1/3 + 1) / 4 = 2 clusters / 4 items
    assert (score.precision, score.recall) == (1.0, pytest.approx(2 / 4))
    # a missing prediction is a singleton too: predicting nothing gives the same score
    assert bcubed({}, gold) == score


def test_bcubed_textbook_example() -> None:
    # Bagga & Baldwin's figure: gold A = {1..5}, B = {6, 7}, C = {8..12}; the prediction merges B and C.
    #   precision: 1..5 -> 5/5 each; 6, 7 -> 2/7 each; 8..12 -> 5/7 each
    #              (5 * 1 + 2 * 2/7 + 5 * 5/7) / 12 = (5 + 29/7) / 12 = 64/84 = 16/21 ≈ 0.762
    #   recall:    every predicted cluster holds its items' whole gold cluster: 1.0
    #   F1:        2 * 16/21 / (16/21 + 1) = 32/37 ≈ 0.865
    gold = {i: "A" if i <= 5 else "B" if i <= 7 else "C" for i in range(1, 13)}
    predicted = {i: "X" if i <= 5 else "Y" for i in range(1, 13)}
    score = bcubed(predicted, gold)
    assert score.precision == pytest.approx(16 / 21)
    assert score.recall == 1.0
    assert score.f1 == pytest.approx(32 / 37)
    assert score.n == 12
    assert score.as_dict() == {"precision": 0.762, "recall": 1.0, "f1": 0.865, "n": 12}
    # swapping the roles swaps precision and recall
    swapped = bcubed(gold, predicted)
    assert (swapped.precision, swapped.recall) == (1.0, pytest.approx(16 / 21))


def test_bcubed_asymmetric_example() -> None:
    # gold A = {1, 2, 3}, B = {4, 5}; predicted X = {1, 2}, Y = {3, 4, 5}
    #   precision: 1, 2 -> 2/2; 3 -> 1/3; 4, 5 -> 2/3: (2 + 1/3 + 4/3) / 5 = 11/15
    #   recall:    1, 2 -> 2/3; 3 -> 1/3; 4, 5 -> 2/2: (4/3 + 1/3 + 2) / 5 = 11/15
    gold = {1: "A", 2: "A", 3: "A", 4: "B", 5: "B"}
    score = bcubed({1: "X", 2: "X", 3: "Y", 4: "Y", 5: "Y", 99: "Y"}, gold)  # 99 is not in gold: ignored
    assert (score.precision, score.recall, score.n) == (pytest.approx(11 / 15), pytest.approx(11 / 15), 5)


def test_bcubed_of_nothing() -> None:
    assert bcubed({"x": "a"}, {}) == Count3(1.0, 1.0, 1.0, 0)


# score_chronicle on a synthetic case


def _mention(type_: str, status: str, *participants: str, **extra: Any) -> EventMention:
    return EventMention.model_validate(
        {
            "type": type_,
            "status": status,
            "participants": list(participants),
            "evidence": Span(start=0, end=1, text="x"),
            **extra,
        }
    )


def _gold_event(slug: str, type_: str, status: str, *participants: str, **extra: Any) -> dict[str, Any]:
    return {"type": type_, "event": slug, "status": status, "participants": list(participants), **extra}


def test_score_chronicle_on_a_small_case() -> None:
    golds = [
        {
            "path": "../articles/a.en.txt",
            "story": "japan",
            "events": [
                _gold_event("tokyo", "CONSULT", "occurred", "JPN", "KAZ"),
                _gold_event("declaration", "AGREE", "occurred", "JPN", "KAZ"),
                _gold_event("astana", "CONSULT", "cancelled", "JPN", "KAZ"),
            ],
        },
        {
            "path": "../articles/b.fr.txt",
            "story": "japan",
            "events": [
                _gold_event("tokyo", "CONSULT", "occurred", "JPN", "KAZ", "UZB"),
                _gold_event("astana", "CONSULT", "cancelled", "JPN", "KAZ"),
                _gold_event("ministerial", "CONSULT", "occurred", "JPN", "UZB", optional=True),
            ],
        },
        {
            "path": "../articles/c.ru.txt",
            "story": "china",
            "events": [_gold_event("xian", "CONSULT", "occurred", "CHN", "KAZ")],
        },
    ]
    assert [document_key(g) for g in golds] == ["a.en.txt", "b.fr.txt", "c.ru.txt"]
    predicted = {
        "a.en.txt": DocumentPrediction(
            story="S1",
            events=[
                (_mention("CONSULT", "occurred", "JPN", "KAZ"), "E1"),
                (_mention("AGREE", "occurred", "JPN", "KAZ"), "E2"),
                (_mention("CONSULT", "cancelled", "JPN", "KAZ"), "E3"),
            ],
        ),
        "b.fr.txt": DocumentPrediction(
            story="S1",
            events=[
                (_mention("SUPPORT", "occurred", "JPN", "KAZ"), "E9"),  # matches no gold event
                (_mention("CONSULT", "occurred", "JPN", "KAZ", "UZB"), "E1"),
                (_mention("CONSULT", "cancelled", "JPN", "KAZ"), "E1"),  # wrongly merged with Tokyo
                (_mention("CONSULT", "occurred", "JPN", "UZB"), "E7"),  # the optional event: not an item
            ],
        ),
        # c.ru.txt has no prediction: its own story, no mentions
    }
    scores = score_chronicle(golds, predicted)
    # stories: gold {a, b} {c}, predicted {a, b} {c}: perfect
    assert scores.stories == Count3(1.0, 1.0, 1.0, 3)
    # events: items a0 a1 a2 b0 b1 (b2 is optional, c0 unmatched); 6 required gold events, 5 matched
    #   gold: tokyo {a0, b0}, declaration {a1}, astana {a2, b1}; predicted: E1 {a0, b0, b1}, E2 {a1}, E3 {a2}
    #   precision: a0, b0 -> 2/3; b1 -> 1/3; a1, a2 -> 1: (4/3 + 1/3 + 2) / 5 = 11/15
    #   recall:    a0, b0 -> 2/2; b1, a2 -> 1/2; a1 -> 1:  (2 + 1 + 1) / 5 = 4/5
    assert (scores.gold_events, scores.matched_events) == (6, 5)
    assert scores.coverage == pytest.approx(5 / 6)
    assert scores.events.precision == pytest.approx(11 / 15)
    assert scores.events.recall == pytest.approx(4 / 5)
    assert scores.events.n == 5
    # shared events (tokyo and astana occur in two documents): items a0 b0 b1 a2
    #   precision: a0, b0 -> 2/3; b1 -> 1/3; a2 -> 1: 8/3 / 4 = 2/3
    #   recall:    a0, b0 -> 1; b1, a2 -> 1/2: 3 / 4
    assert shared_slugs(golds) == {"tokyo", "astana"}
    assert scores.shared_events.precision == pytest.approx(2 / 3)
    assert scores.shared_events.recall == pytest.approx(3 / 4)
    assert scores.as_dict() == {
        "documents": 3,
        "stories": {"precision": 1.0, "recall": 1.0, "f1": 1.0, "n": 3},
        "events": {
            "gold": 6,
            "matched": 5,
            "coverage": 0.833,
            "precision": 0.733,
            "recall": 0.8,
            "f1": 0.765,
            "n": 5,
        },
        "shared events": {"precision": 0.667, "recall": 0.75, "f1": 0.706, "n": 4},
    }


def test_score_chronicle_without_predictions() -> None:
    golds: list[dict[str, Any]] = [
        {
            "path": "../articles/a.en.txt",
            "story": "s",
            "events": [_gold_event("e", "CONSULT", "occurred", "JPN")],
        },
        {"path": "../articles/b.en.txt", "story": "s", "events": []},
    ]
    scores = score_chronicle(golds, {})
    assert (scores.stories.precision, scores.stories.recall) == (1.0, 0.5)
    assert (scores.gold_events, scores.matched_events, scores.events.n) == (1, 0, 0)


# the gold's `event` keys


@pytest.fixture(scope="module")
def golds() -> list[dict[str, Any]]:
    return [load_gold(p) for p in GOLD_FILES]


def _mentions(golds: list[dict[str, Any]]) -> dict[str, list[tuple[dict[str, Any], dict[str, Any]]]]:
    by_slug: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = defaultdict(list)
    for gold in golds:
        for event in gold["events"]:
            by_slug[event["event"]].append((gold, event))
    return by_slug


def test_every_gold_event_has_a_slug_once_per_document(golds: list[dict[str, Any]]) -> None:
    assert len(golds) >= 30
    assert load_golds([EXAMPLES / "gold"]) == golds
    for gold in golds:
        slugs = [e.get("event") for e in gold["events"]]
        for event, slug in zip(gold["events"], slugs, strict=True):
            assert isinstance(slug, str) and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug), (gold["id"], slug)
            assert list(event)[:2] == ["type", "event"], (gold["id"], slug)
        assert len(slugs) == len(set(slugs)), (gold["id"], slugs)


def test_one_slug_one_type(golds: list[dict[str, Any]]) -> None:
    for slug, mentions in _mentions(golds).items():
        assert len({e["type"] for _, e in mentions}) == 1, (slug, [(g["id"], e["type"]) for g, e in mentions])


def _disagreement_marked(event: dict[str, Any]) -> bool:
    notes = " ".join(str(v) for k, v in event.items() if k.endswith("note"))
    return "disagree" in notes


def test_one_slug_one_time(golds: list[dict[str, Any]]) -> None:
    """Two dated mentions of one event overlap or lie within 31 days, unless the gold marks a disagreement."""
    for slug, mentions in _mentions(golds).items():
        dated = [(g, e, gold_interval(e.get("when"))) for g, e in mentions if e.get("when")]
        for i, (g1, e1, a) in enumerate(dated):
            for g2, e2, b in dated[i + 1 :]:
                assert a is not None and b is not None
                gap = max(a[0], b[0]) - min(a[1], b[1])
                if gap > timedelta(days=31):
                    assert _disagreement_marked(e1) or _disagreement_marked(e2), (
                        slug,
                        (g1["id"], e1["when"]),
                        (g2["id"], e2["when"]),
                    )


def test_cross_document_events(golds: list[dict[str, Any]]) -> None:
    by_slug = _mentions(golds)
    tokyo = by_slug[TOKYO_2025]
    assert len({g["id"] for g, _ in tokyo}) >= 4
    assert len({g["language"] for g, _ in tokyo}) >= 2
    # one real event whatever its status or date in each report
    assert {e["status"] for _, e in tokyo} >= {"planned", "occurred"}
    astana = {e["status"] for _, e in by_slug["japan-central-asia-summit-2024-astana-cancelled"]}
    assert astana == {"cancelled", "postponed"}
    # a declaration adopted at the summit is an event of its own
    assert {e["type"] for _, e in by_slug["tokyo-declaration-2025"]} == {"AGREE"}
    assert "tokyo-declaration-2025" in shared_slugs(golds)
    # background history, optional wherever it is not the news, is shared only when optional events count
    first_ministerial = "central-asia-plus-japan-first-ministerial-2004-astana"
    assert len(by_slug[first_ministerial]) >= 5
    assert first_ministerial not in shared_slugs(golds)
    assert first_ministerial in shared_slugs(golds, optional=True)


def test_gold_scores_itself_perfectly(golds: list[dict[str, Any]]) -> None:
    """A prediction built from the gold (one mention per event, resolved to its slug) scores 1.0."""
    predicted = {}
    for gold in golds:
        events = []
        for event in gold["events"]:
            extra: dict[str, Any] = {}
            if interval := gold_interval(event.get("when")):
                extra["when"] = Interval(start=interval[0], end=interval[1], granularity="range")
            if (where := event.get("where")) and where.get("country"):
                extra["where"] = Place(name=where.get("city") or where["country"], country=where["country"])
            mention = _mention(event["type"], event["status"], *event["participants"], **extra)
            events.append((mention, event["event"]))
        predicted[document_key(gold)] = DocumentPrediction(story=gold["story"], events=events)
    scores = score_chronicle(golds, predicted)
    assert scores.stories.f1 == 1.0
    assert scores.matched_events == scores.gold_events > 50
    assert (scores.events.f1, scores.shared_events.f1) == (1.0, 1.0)
    assert Path(golds[0]["path"]).name in predicted
