"""Reading quality on gold files: the seed article (when ../shared is here) and the project's own examples.

The floors below are the scores measured when they were set; a change that lowers one fails here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from storyline import languages
from storyline.evaluate import Scores, load_gold, plover, score_reading, timebank
from storyline.ingest.sources import iter_inputs
from storyline.records import Reading
from storyline.runner import read_all

from conftest import EXAMPLES, ROOT, SEED

BASELINE = json.loads(Path(__file__).with_name("quality_baseline.json").read_text(encoding="utf-8"))


def _read(path: Path) -> Reading:
    (reading,) = list(read_all(iter_inputs([str(path)])))
    assert isinstance(reading, Reading), reading
    return reading


def test_seed_events_figures_and_entities(seed_gold: dict[str, Any]) -> None:
    reading = _read(SEED)
    scores = score_reading(reading, seed_gold).counts
    for level in ("events", "events+time", "events+time+place"):
        assert (scores[level].tp, scores[level].fn, scores[level].fp) == (4, 0, 0), level
    assert (scores["figures"].tp, scores["figures"].fp) == (2, 0)
    assert scores["entities"].recall == 1.0
    planned, cancelled = (next(e for e in reading.events if e.status == s) for s in ("planned", "cancelled"))
    assert planned.where is not None and planned.where.name == "Tokyo" and planned.where.geonameid == 1850147
    assert planned.format == "central-asia-plus-japan"
    assert cancelled.reason is not None and "alerte sismique" in cancelled.reason
    aid = next(e for e in reading.events if e.type == "AID")
    assert (aid.source, aid.target, aid.context) == (["JPN"], ["UZB"], ["health"])
    trade = {f.period.start.year: f for f in reading.figures if f.period}
    assert trade[2024].value == 336_300_000 and trade[2024].stated_conversion is not None
    assert set(trade[2025].between) == {"UZB", "JPN"} and trade[2025].converted["EUR"].rate_date.year == 2025
    mismatch = [c for c in reading.checks if c.kind == "stated_conversion_mismatch"]
    assert mismatch and "1.07" in mismatch[0].message
    metonyms = {m.text for e in reading.entities if e.id in ("JPN", "RUS", "CHN") for m in e.mentions}
    assert {"Tokyo", "Moscou", "Pékin"} <= metonyms
    linked = {m.text for e in reading.entities for m in e.mentions}
    assert not linked & {"Newsletter", "État", "Pixabay"}


def test_own_examples_meet_the_floors() -> None:
    golds = [load_gold(p) for p in sorted((EXAMPLES / "gold").glob("*.gold.json"))]
    assert len(golds) >= 30
    paths = [str((Path(g["_file"]).parent / g["path"]).resolve()) for g in golds]
    total = Scores()
    for gold, reading in zip(golds, read_all(iter_inputs(paths)), strict=True):
        assert isinstance(reading, Reading), reading
        assert reading.published is not None and reading.published.date.isoformat() == gold["published"], (
            gold["id"]
        )
        total.add(score_reading(reading, gold))
    for level, floor in BASELINE["corpus"].items():
        count = total.counts[level]
        score = count.recall if level == "event times" else count.f1
        assert score >= floor, (level, count.as_dict())


def test_french_timebank_meets_the_floors() -> None:
    scores = timebank.score(timebank.load(ROOT / "benchmarks" / "fr-timebank" / "Data"), languages.get("fr"))  # type: ignore[arg-type]
    assert (scores.documents, scores.gold) == (108, 425)
    assert scores.relaxed.f1 >= BASELINE["timebank"]["relaxed span"], scores.as_dict()
    assert scores.value.f1 >= BASELINE["timebank"]["value"], scores.as_dict()


def test_plover_records_meet_the_floors() -> None:
    scores = plover.score(plover.load(ROOT / "benchmarks" / "plover-gsr" / "PLOVER_GSR_CAMEO.json"))
    assert scores.sentences == 322
    assert scores.type_recall >= BASELINE["plover"]["type recall"], scores.as_dict()
    assert scores.type_precision >= BASELINE["plover"]["type precision"], scores.as_dict()


@pytest.mark.parametrize("status", ["planned", "occurred", "cancelled"])
def test_every_status_of_the_story_is_read_in_examples(status: str) -> None:
    readings = [r for r in read_all(iter_inputs([str(EXAMPLES / "articles")])) if isinstance(r, Reading)]
    assert any(
        e.status == status and e.format == "central-asia-plus-japan" for r in readings for e in r.events
    )
