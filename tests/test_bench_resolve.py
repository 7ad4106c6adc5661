"""The resolution benchmark's synthetic corpus, and the benchmark on a tiny size (speed is never asserted)."""

from __future__ import annotations

from pathlib import Path

from storyline.bench_resolve import planted_events, run_resolution_bench, synthetic_readings
from storyline.records import Reading

SIZE = 200
BENCH_SIZE = 150  # the chronicle stores about 60 mentions a second: keep the test short


def test_synthetic_readings_validate_and_look_like_news() -> None:
    readings = list(synthetic_readings(SIZE))
    assert sum(len(r.events) for r in readings) == SIZE
    for reading in readings:
        again = Reading.model_validate(reading.model_dump(mode="json"))  # the contract, round trip
        assert again == reading
        assert reading.language == "en"
        assert reading.published is not None and reading.published.source == "input"
        assert 200 <= len(reading.text) <= 2000
        for mention in reading.events:
            span = mention.evidence
            assert reading.text[span.start : span.end] == span.text
            if mention.when is not None:
                assert mention.when.start <= mention.when.end
    statuses = {m.status for r in readings for m in r.events}
    assert statuses == {"planned", "occurred"}
    assert any(m.when is None for r in readings for m in r.events)
    assert any(m.when is not None and m.when.granularity == "month" for r in readings for m in r.events)
    assert len({r.id for r in readings}) == len(readings)
    dates = [r.published.date for r in readings if r.published]
    assert dates == sorted(dates)


def test_same_seed_same_corpus() -> None:
    first = [r.model_dump(mode="json") for r in synthetic_readings(SIZE, seed=3)]
    again = [r.model_dump(mode="json") for r in synthetic_readings(SIZE, seed=3)]
    other = [r.model_dump(mode="json") for r in synthetic_readings(SIZE, seed=4)]
    assert first == again
    assert first != other


def test_bench_reports_and_resolves_the_planted_events(tmp_path: Path) -> None:
    rows = run_resolution_bench((BENCH_SIZE,), workdir=tmp_path)
    assert len(rows) == 1
    row = rows[0]
    for key in (
        "mentions",
        "documents",
        "events",
        "planted_events",
        "seconds",
        "mentions_per_second",
        "us_per_mention",
        "candidates_per_mention",
        "peak_mb",
        "growth",
        "cpu_growth",
        "verdict",
    ):
        assert key in row, key
    assert row["mentions"] == BENCH_SIZE
    assert row["growth"] == 1.0 and row["cpu_growth"] == 1.0
    assert row["verdict"] == "baseline"
    planted = planted_events(BENCH_SIZE)
    assert row["planted_events"] == planted
    assert 0.7 * planted <= row["events"] <= 1.3 * planted
    assert not list(tmp_path.glob("*.sqlite3"))  # each size's database is removed afterwards
