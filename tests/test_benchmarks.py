"""The scorers for the public benchmarks: French TimeBank (time expressions) and the PLOVER gold records
(events). The counting is tested on hand-made predictions, so these tests do not depend on how good the
tagger or the event reader is; one test per scorer runs the real thing end to end on a tiny fixture."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from storyline import languages
from storyline.evaluate import plover, timebank
from storyline.records import EVENT_TYPES, EventMention, Span, Time

from conftest import ROOT, need

DATA = Path(__file__).parent / "data" / "benchmarks"
TIMEBANK = ROOT / "benchmarks" / "fr-timebank" / "Data"
PLOVER_GSR = ROOT / "benchmarks" / "plover-gsr" / "PLOVER_GSR_CAMEO.json"


# French TimeBank


@pytest.fixture(scope="module")
def tml_docs() -> list[timebank.TimebankDoc]:
    return timebank.load(DATA / "timebank")


def as_time(gold: timebank.GoldTimex, **changes: object) -> Time:
    fields: dict[str, object] = {
        "start": gold.start,
        "end": gold.end,
        "text": gold.text,
        "type": gold.type,
        "value": gold.value,
    }
    fields.update(changes)
    return Time.model_validate(fields)


def test_load_tml_offsets_and_creation_time(tml_docs: list[timebank.TimebankDoc]) -> None:
    assert [d.name for d in tml_docs] == ["doc-a", "doc-b"]
    a, b = tml_docs
    assert str(a.dct) == "2024-03-15" and a.dct_value == "2024-03-15"
    assert "<" not in a.text and "Les travaux & l'enquête" in a.text  # tags removed, entities decoded
    assert [(t.text, t.type, t.value) for t in a.timexes] == [
        ("hier", "DATE", "2024-03-14"),
        ("trois heures", "DURATION", "PT3H"),
        ("2 mai", "DATE", "2024-05-02"),
    ]
    # a TIMEX3 with a tag inside it keeps its whole text
    assert b.timexes[-1].text == "samedi 18 novembre"
    for doc in tml_docs:
        for t in doc.timexes:
            assert doc.text[t.start : t.end] == t.text
    # the creation time is the anchor, not an expression to find
    assert all(t.tid != "t0" for d in tml_docs for t in d.timexes)


def test_perfect_prediction_scores_one(tml_docs: list[timebank.TimebankDoc]) -> None:
    total = timebank.TimebankScores()
    for doc in tml_docs:
        total.add(timebank.score_document(doc, [as_time(g) for g in doc.timexes]))
    assert (total.documents, total.gold, total.predicted) == (2, 6, 6)
    for count in (total.strict, total.relaxed, total.type, total.value):
        assert (count.precision, count.recall, count.f1) == (1.0, 1.0, 1.0)
    assert total.type_accuracy == total.value_accuracy == 1.0
    assert total.errors == []


def test_a_miss_lowers_recall_only(tml_docs: list[timebank.TimebankDoc]) -> None:
    doc = tml_docs[0]
    predicted = [as_time(g) for g in doc.timexes[1:]]
    scores = timebank.score_document(doc, predicted)
    assert scores.relaxed.recall == pytest.approx(2 / 3)
    assert scores.relaxed.precision == 1.0
    assert scores.value.recall == pytest.approx(2 / 3)
    assert [(e.kind, e.gold) for e in scores.errors] == [("missed", doc.timexes[0])]


def test_spurious_lowers_precision_only(tml_docs: list[timebank.TimebankDoc]) -> None:
    doc = tml_docs[0]
    extra = Time(start=1, end=3, text=doc.text[1:3], type="DATE", value="2024")
    scores = timebank.score_document(doc, [extra, *(as_time(g) for g in doc.timexes)])
    assert scores.relaxed.precision == pytest.approx(3 / 4)
    assert scores.relaxed.recall == 1.0
    assert [e.kind for e in scores.errors] == ["spurious"]


def test_boundary_type_and_value_errors(tml_docs: list[timebank.TimebankDoc]) -> None:
    doc = tml_docs[0]
    hier, heures, mai = doc.timexes
    predicted = [
        as_time(hier, value="2024-03-13"),  # right span, wrong value
        as_time(heures, type="DATE"),  # right span and value, wrong type
        as_time(mai, start=mai.start - 3, text=doc.text[mai.start - 3 : mai.end]),  # "le 2 mai"
    ]
    scores = timebank.score_document(doc, predicted)
    assert (scores.strict.tp, scores.relaxed.tp) == (2, 3)
    assert scores.strict.f1 == pytest.approx(2 / 3)
    assert scores.relaxed.f1 == 1.0
    assert scores.value.tp == 2 and scores.value.f1 == pytest.approx(2 / 3)
    assert scores.type.tp == 2 and scores.type_accuracy == pytest.approx(2 / 3)
    assert sorted(e.kind for e in scores.errors) == ["span", "type", "value"]


def test_one_prediction_over_two_golds_counts_once() -> None:
    text = "entre 1990 et 1999"
    doc = timebank.TimebankDoc(
        name="range",
        dct=None,
        text=text,
        timexes=(
            timebank.GoldTimex(6, 10, "1990", "DATE", "1990"),
            timebank.GoldTimex(14, 18, "1999", "DATE", "1999"),
        ),
    )
    whole = Time(start=0, end=len(text), text=text, type="DATE", value="1990")
    scores = timebank.score_document(doc, [whole])
    assert (scores.relaxed.tp, scores.relaxed.fn, scores.relaxed.fp) == (1, 1, 0)
    missed = [e for e in scores.errors if e.kind == "missed"]
    assert len(missed) == 1 and missed[0].predicted == whole  # the prediction that swallowed it


def test_pairing_is_maximal_and_prefers_larger_overlaps() -> None:
    gold = [
        timebank.GoldTimex(0, 10, "x" * 10, "DATE", "a"),
        timebank.GoldTimex(12, 14, "yy", "DATE", "b"),
    ]

    def time(start: int, end: int) -> Time:
        return Time(start=start, end=end, text="z" * (end - start), type="DATE", value="a")

    # the long prediction overlaps the first gold most, but only it can serve the second one
    assert timebank.pair(gold, [time(0, 1), time(3, 14)]) == [(0, 0), (1, 1)]
    # "d'ici le 30 juin": the larger overlap wins when only one gold can have the prediction
    small = [
        timebank.GoldTimex(2, 5, "ici", "DATE", "d"),
        timebank.GoldTimex(6, 16, "le 30 juin", "DATE", "j"),
    ]
    assert timebank.pair(small, [time(0, 16)]) == [(1, 0)]


def test_timebank_end_to_end(tml_docs: list[timebank.TimebankDoc]) -> None:
    french = languages.get("fr")
    assert french is not None
    scores = timebank.score(tml_docs, french)
    assert (scores.documents, scores.gold) == (2, 6)
    for count in (scores.strict, scores.relaxed, scores.type, scores.value):
        assert count.tp + count.fn == scores.gold
        assert count.tp + count.fp == scores.predicted
    assert scores.strict.tp <= scores.relaxed.tp
    assert max(scores.type.tp, scores.value.tp) <= scores.relaxed.tp
    assert set(scores.as_dict()) >= {"strict", "relaxed", "type", "value", "type_accuracy", "value_accuracy"}


def test_french_timebank_counts() -> None:
    docs = timebank.load(need(TIMEBANK))
    assert len(docs) == 108
    # 533 TIMEX3 in the files: 108 creation times (one per document, in DCT) and 425 in the texts
    assert sum(len(d.timexes) for d in docs) == 425
    assert all(d.dct is not None for d in docs)
    for doc in docs:
        for t in doc.timexes:
            assert doc.text[t.start : t.end] == t.text


# PLOVER gold records


@pytest.fixture(scope="module")
def plover_loaded() -> tuple[list[plover.PloverRecord], Counter[str]]:
    report: Counter[str] = Counter()
    return plover.load(DATA / "plover.json", report), report


def event(
    kind: str, source: list[str], target: list[str], participants: list[str] | None = None
) -> EventMention:
    return EventMention.model_validate(
        {
            "type": kind,
            "status": "occurred",
            "source": source,
            "target": target,
            "participants": participants if participants is not None else [*source, *target],
            "evidence": Span(start=0, end=1, text="x"),
        }
    )


def test_load_plover_records(plover_loaded: tuple[list[plover.PloverRecord], Counter[str]]) -> None:
    records, report = plover_loaded
    assert [(r.id, r.type, r.original_type) for r in records] == [
        ("TEST-AGREE-0001", "AGREE", "AGREE"),
        ("TEST-DEMAND-0001", "REQUEST", "DEMAND"),
        ("TEST-FIGHT-0001", "ASSAULT", "FIGHT"),
        ("TEST-INVESTIGATE-0001", "ACCUSE", "INVESTIGATE"),
    ]
    agree, demand, fight, investigate = records
    assert (agree.source, agree.target) == (("KEN", "TZA"), ())
    assert (demand.source, demand.target) == (("CHL",), ("PER",))  # IGO is no country
    assert (fight.source, fight.target) == (("JPN",), ())  # CAMEO's JAP; a target that is a bare string
    assert investigate.mode == "investigate"
    assert agree.text.startswith("Kenya and Tanzania agreed")
    assert report == Counter(
        {
            "DOCUMENT record": 1,
            "target actor code that is no country (IGO)": 1,
            "source code JAP read as JPN": 1,
            "target field that is not a list of actors ('harbour')": 1,
        }
    )


def test_plover_record_counting(plover_loaded: tuple[list[plover.PloverRecord], Counter[str]]) -> None:
    agree, demand, _, _ = plover_loaded[0]
    # a meeting-like event offers its participants for both sides
    perfect = plover.score_record(agree, [event("AGREE", [], [], ["KEN", "TZA", "UGA"])])
    assert (perfect.found, perfect.right, perfect.predicted, perfect.actors_found) == (1, 1, 1, 1)
    # a directed event is held to its direction: source and target swapped is the right type, wrong actors
    swapped = plover.score_record(demand, [event("REQUEST", ["PER"], ["CHL"])])
    assert (swapped.found, swapped.actors_found, swapped.actor_sentences) == (1, 0, 1)
    assert (swapped.source_found, swapped.target_found) == (0, 0)
    # a wrong type beside the right one: the sentence is found, one prediction of two is right
    wrong = plover.score_record(
        demand, [event("ACCUSE", ["CHL"], ["PER"]), event("REQUEST", ["CHL"], ["PER"])]
    )
    assert (wrong.found, wrong.right, wrong.predicted, wrong.actors_found) == (1, 1, 2, 1)
    assert wrong.types["ACCUSE"].predicted == 1 and wrong.types["ACCUSE"].right == 0
    assert wrong.types["REQUEST"].as_dict() == {"gold": 1, "found": 1, "predicted": 1, "right": 1}


def test_plover_totals_on_hand_made_events(
    plover_loaded: tuple[list[plover.PloverRecord], Counter[str]],
) -> None:
    records = plover_loaded[0]
    made = {
        "TEST-AGREE-0001": [event("AGREE", [], [], ["KEN", "TZA"])],
        "TEST-DEMAND-0001": [event("REQUEST", ["CHL"], ["PER"]), event("THREATEN", ["CHL"], ["PER"])],
        "TEST-FIGHT-0001": [],
        "TEST-INVESTIGATE-0001": [event("ACCUSE", ["NOR"], [])],
    }
    scores = plover.score(records, reader=lambda r: made[r.id])
    assert scores.sentences == 4
    assert scores.type_recall == pytest.approx(3 / 4)  # the FIGHT sentence has no event
    assert scores.type_precision == pytest.approx(3 / 4)  # the THREATEN event is not the gold's type
    # all four name a gold country; the INVESTIGATE event lacks its target
    assert (scores.actors_found, scores.actor_sentences) == (2, 4)
    assert (scores.target_found, scores.target_sentences) == (1, 2)
    assert scores.types["ASSAULT"].as_dict() == {"gold": 1, "found": 0, "predicted": 0, "right": 0}
    assert scores.types["THREATEN"].as_dict() == {"gold": 0, "found": 0, "predicted": 1, "right": 0}
    missed = [o.record.id for o in scores.outcomes if not o.found]
    assert missed == ["TEST-FIGHT-0001"]
    # replacing a record's type changes only that sentence
    moved = plover.score([replace(records[0], type="CONSULT")], reader=lambda r: made[r.id])
    assert (moved.found, moved.right, moved.predicted) == (0, 0, 1)


@pytest.mark.slow
def test_plover_end_to_end(plover_loaded: tuple[list[plover.PloverRecord], Counter[str]]) -> None:
    scores = plover.score(plover_loaded[0])
    assert scores.sentences == 4 and len(scores.outcomes) == 4
    assert 0 <= scores.found <= 4 and scores.right <= scores.predicted
    assert sum(row.gold for row in scores.types.values()) == 4
    assert sum(row.predicted for row in scores.types.values()) == scores.predicted
    assert set(scores.as_dict()) >= {"type_recall", "type_precision", "actors", "types"}


def test_plover_gold_file_loads() -> None:
    report: Counter[str] = Counter()
    records = plover.load(need(PLOVER_GSR), report)
    assert len(records) == 322
    assert report["DOCUMENT record"] == 1
    assert {r.type for r in records} <= set(EVENT_TYPES)
