"""storyline's own English and Russian time sets (tests/data/times): their scorer, and floors on their scores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.evaluate import timesets

SETS = Path(__file__).parent / "data" / "times"
# Measured when the sets were written (relaxed span F1, value F1); a change that lowers one fails here.
FLOORS = {"en": (1.0, 0.973), "ru": (1.0, 1.0)}


@pytest.mark.parametrize("code", sorted(FLOORS))
def test_a_set_is_big_enough_and_well_formed(code: str) -> None:
    data = json.loads((SETS / f"{code}.json").read_text(encoding="utf-8"))
    assert data["language"] == code
    assert len(data["sentences"]) >= 40
    for item in data["sentences"]:
        assert item["set"] in ("dev", "held-out")
        for t in item["times"]:
            assert t["type"] in ("DATE", "TIME", "DURATION", "SET")
            assert t["text"] in item["text"]
    language, docs = timesets.load(SETS / f"{code}.json")
    assert language == code and len(docs) == len(data["sentences"])
    for doc in docs:
        for g in doc.timexes:
            assert doc.text[g.start : g.end] == g.text


@pytest.mark.parametrize("code", sorted(FLOORS))
def test_scores_do_not_fall_below_the_floors(code: str) -> None:
    scores = timesets.score(SETS / f"{code}.json")
    relaxed, value = FLOORS[code]
    assert scores.relaxed.f1 >= relaxed - 1e-9, [e.describe() for e in scores.errors]
    assert scores.value.f1 >= value - 1e-9, [e.describe() for e in scores.errors]


def test_the_parts_add_up() -> None:
    path = SETS / "en.json"
    whole = timesets.score(path)
    dev, held_out = timesets.score(path, "dev"), timesets.score(path, "held-out")
    assert dev.documents + held_out.documents == whole.documents
    assert dev.gold + held_out.gold == whole.gold
    assert held_out.documents >= 15


def test_main_prints_the_scores(capsys: pytest.CaptureFixture[str]) -> None:
    assert timesets.main([str(SETS / "ru.json"), "--errors"]) == 0
    out = capsys.readouterr().out
    assert "ru: " in out and "relaxed span" in out and "value" in out
