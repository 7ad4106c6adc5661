"""Scoring the time tagger on storyline's own sentence sets (``tests/data/times/<code>.json``).

A set is JSON: ``{"language": code, "sentences": [{"text", "anchor" (YYYY-MM-DD), "set" ("dev" or
"held-out"), "times": [{"text", "type", "value"}, ...]}, ...]}``; each gold expression is the first occurrence
of its text after the one before it.
Each sentence is tagged alone, anchored on its date, and scored like French TimeBank (relaxed span F1 and
value F1, TempEval-3 style: see :mod:`storyline.evaluate.timebank`).

Run: ``python -m storyline.evaluate.timesets [FILE.json ...]`` (default: the English and Russian sets), with
``--errors`` to print every disagreement.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from storyline.evaluate.timebank import GoldTimex, TimebankDoc, TimebankScores, score_document
from storyline.languages import get
from storyline.read.times import find_times

SETS = Path(__file__).resolve().parents[3] / "tests" / "data" / "times"


def load(path: Path, part: str | None = None) -> tuple[str, list[TimebankDoc]]:
    """The language of a set and its sentences (those of one `part`, "dev" or "held-out", if given) as
    documents with gold expressions."""
    data = json.loads(path.read_text(encoding="utf-8"))
    docs: list[TimebankDoc] = []
    for n, item in enumerate(data["sentences"], 1):
        if part is not None and item.get("set", "dev") != part:
            continue
        text: str = item["text"]
        gold: list[GoldTimex] = []
        position = 0
        for t in item["times"]:
            start = text.find(t["text"], position)
            if start < 0:
                raise ValueError(
                    f"{path.name} sentence {n}: {t['text']!r} is not in {text!r} after {position}"
                )
            position = start + len(t["text"])
            gold.append(GoldTimex(start, position, t["text"], t["type"], t["value"]))
        anchor = date.fromisoformat(item["anchor"])
        docs.append(TimebankDoc(f"{path.stem}-{n}", anchor, text, tuple(gold), item["anchor"]))
    return data["language"], docs


def score(path: Path, part: str | None = None) -> TimebankScores:
    code, docs = load(path, part)
    language = get(code)
    if language is None:
        raise ValueError(f"{path.name}: storyline does not read {code!r}")
    total = TimebankScores()
    for doc in docs:
        total.add(score_document(doc, find_times(doc.text, language, doc.dct)))
    return total


def main(argv: list[str]) -> int:
    show_errors = "--errors" in argv
    paths = [Path(a) for a in argv if a != "--errors"] or sorted(SETS.glob("*.json"))
    for path in paths:
        for part in (None, "dev", "held-out"):
            s = score(path, part)
            print(
                f"{path.stem}{'' if part is None else ' ' + part}: {s.documents} sentences, {s.gold} expressions, "
                f"{s.predicted} found; relaxed span P {s.relaxed.precision:.3f} R {s.relaxed.recall:.3f} "
                f"F1 {s.relaxed.f1:.3f}; value P {s.value.precision:.3f} R {s.value.recall:.3f} F1 {s.value.f1:.3f}"
            )
            if show_errors and part is None:
                for error in s.errors:
                    print("  " + error.describe())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
