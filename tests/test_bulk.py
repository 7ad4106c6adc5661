"""Bulk loading: a batch stored at once, its mentions split by blocking keys into parts resolved apart (in
parallel processes on PostgreSQL), then its stories — the same chronicle as one document at a time."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storyline.bench_bulk import run_bulk_bench
from storyline.bench_resolve import synthetic_readings
from storyline.records import Reading
from storyline.resolve.events import Facts
from storyline.resolve.partition import bins, partition
from storyline.store import connect, integrity_problems
from storyline.store import tables as t
from storyline.store.bulk import BatchWriter, finish
from storyline.store.chronicle import Chronicle

from conftest import ROOT, copy_chronicle, drop_postgres, dump, fresh_postgres

SYNTHETIC = 500  # event mentions: about 125 documents, a few near copies


def _digest(reading: Reading) -> str:
    return hashlib.sha256(reading.model_dump_json().encode("utf-8")).hexdigest()


def _one_at_a_time(url: str, readings: list[Reading]) -> None:
    engine = connect(url)
    chronicle = Chronicle(engine)
    for reading in readings:
        chronicle.add(reading, _digest(reading))
    engine.dispose()


def _in_batches(url: str, readings: list[Reading], size: int, workers: int = 1) -> BatchWriter:
    engine = connect(url)
    with BatchWriter(engine, workers=workers) as writer:
        for k in range(0, len(readings), size):
            with writer.batch() as batch:
                for reading in readings[k : k + size]:
                    batch.add(reading, _digest(reading))
    engine.dispose()
    return writer


def _facts(doc: str, idx: int, participants: set[str], start: date | None, fmt: str | None = None) -> Facts:
    return Facts(
        key=(doc, idx),
        origin=doc,
        reported=date(2025, 12, 1),
        type="CONSULT",
        status="occurred" if start else "planned",
        participants=frozenset(participants),
        format=fmt,
        start=start,
        end=start,
        granularity="day" if start else None,
    )


# -- the partition, pure ------------------------------------------------------------------------------


def test_mentions_that_share_a_key_are_one_part_and_others_are_apart() -> None:
    day = date(2025, 12, 19)
    mentions = [
        (1, _facts("a", 0, {"JPN", "UZB"}, day)),
        (2, _facts("b", 0, {"FRA", "DEU"}, day)),
        (3, _facts("c", 0, {"JPN", "UZB", "KAZ"}, day)),  # shares JPN+UZB with 1
        (4, _facts("d", 0, {"FRA", "DEU"}, date(2019, 3, 2))),  # the same pair, years apart
    ]
    parts = partition(mentions, lambda _probes: [])
    assert [p.mentions for p in parts] == [(1, 3), (2,), (4,)]


def test_a_stored_event_joins_the_parts_of_the_mentions_that_can_find_it() -> None:
    day = date(2025, 12, 19)
    mentions = [(1, _facts("a", 0, {"JPN", "UZB"}, day)), (2, _facts("b", 0, {"KAZ", "CHN"}, day))]
    apart = partition(mentions, lambda _probes: [])
    assert len(apart) == 2
    stored = ["CONSULT|p:JPN+UZB|m:2025-12", "CONSULT|p:CHN+KAZ|m:2025-12"]  # an event holding both pairs
    joined = partition(mentions, lambda probes: [stored] if probes & set(stored) else [])
    assert [p.mentions for p in joined] == [(1, 2)]


def test_a_key_only_probed_links_nothing() -> None:
    # both look up their pair's "any year" key, which neither is filed under: they stay apart
    mentions = [
        (1, _facts("a", 0, {"JPN", "UZB"}, date(2010, 5, 1))),
        (2, _facts("b", 0, {"JPN", "UZB"}, date(2025, 12, 19))),
    ]
    assert len(partition(mentions, lambda _probes: [])) == 2
    # an event filed under it (one whose time is too long to file by year) joins them
    stored = ["CONSULT|p:JPN+UZB|y:*"]
    assert len(partition(mentions, lambda probes: [stored] if probes & set(stored) else [])) == 1


def test_bins_balance_the_work_and_keep_every_part() -> None:
    mentions = [(k, _facts(f"d{k}", 0, {f"A{k:02d}", f"B{k:02d}"}, date(2025, 1, 1))) for k in range(10)]
    parts = partition(mentions, lambda _probes: [])
    groups = bins(parts, 3)
    assert sorted(m for g in groups for p in g for m in p.mentions) == list(range(10))
    assert sorted(sum(len(p) for p in g) for g in groups) == [3, 3, 4]


# -- the same chronicle as one at a time ------------------------------------------------------------------


def test_batches_make_the_chronicle_one_at_a_time_makes(tmp_path: Path) -> None:
    readings = list(synthetic_readings(SYNTHETIC, seed=3))
    one, many = str(tmp_path / "one.sqlite3"), str(tmp_path / "many.sqlite3")
    _one_at_a_time(one, readings)
    writer = _in_batches(many, readings, size=30)
    assert len(writer.resolved.parts) > len(readings) // 30  # each batch split into several parts
    engine = connect(many)
    assert integrity_problems(engine) == []
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(t.Pending)).scalar_one() == 0
        near = session.execute(
            select(func.count()).select_from(t.Document).where(t.Document.duplicate_kind == "near")
        ).scalar_one()
    engine.dispose()
    assert near > 0  # near copies found within and across batches
    expected = dump(one)
    assert expected and dump(many) == expected


def test_parallel_parts_on_postgresql_make_the_same_chronicle(tmp_path: Path) -> None:
    readings = list(synthetic_readings(360, seed=4))  # PostgreSQL is slower per statement: fewer
    one = str(tmp_path / "one.sqlite3")
    _one_at_a_time(one, readings)
    url = fresh_postgres()
    try:
        writer = _in_batches(url, readings, size=30, workers=2)
        assert writer.workers == 2
        engine = connect(url)
        assert integrity_problems(engine) == []
        engine.dispose()
        assert dump(url) == dump(one)
    finally:
        drop_postgres(url)


def test_a_document_replaced_within_a_load_is_resolved_in_its_turn(tmp_path: Path) -> None:
    readings = list(synthetic_readings(200, seed=5))
    changed = readings[10].model_copy(update={"events": readings[10].events[:1]})
    sequence = [*readings[:30], changed, *readings[30:]]
    one, many = str(tmp_path / "one.sqlite3"), str(tmp_path / "many.sqlite3")
    _one_at_a_time(one, sequence)
    _in_batches(many, sequence, size=50)  # the first version is in the same batch as its replacement
    assert dump(many) == dump(one)


def test_the_example_corpus_loaded_in_batches_is_the_chronicle_run_made(
    example_chronicle: Path, tmp_path: Path
) -> None:
    source = connect(copy_chronicle(example_chronicle, tmp_path))
    with Session(source) as session:
        docs = list(session.execute(select(t.Document).order_by(t.Document.seq)).scalars())
        items = [
            (
                d.id,
                d.input_hash,
                Reading.model_validate({**d.reading, "text": d.text}) if d.reading is not None else None,
            )
            for d in docs
        ]
    source.dispose()
    target = str(tmp_path / "bulk.sqlite3")
    engine = connect(target)
    with BatchWriter(engine) as writer, writer.batch() as batch:
        for key, digest, reading in items:
            if reading is None:
                assert batch.add_copy(key, digest) is not None
            else:
                batch.add(reading, digest)
    assert integrity_problems(engine) == []
    engine.dispose()
    expected = dump(str(tmp_path / example_chronicle.name))
    assert len(expected) > 30 and dump(target) == expected


# -- a load killed halfway ------------------------------------------------------------------------------

_LOADER = """
import hashlib, sys
from storyline.bench_bulk import run_bulk_bench
from storyline.bench_resolve import synthetic_readings
from storyline.store import connect
from storyline.store.bulk import BatchWriter

def main():
    readings = list(synthetic_readings(int(sys.argv[2]), seed=6))
    with BatchWriter(connect(sys.argv[1])) as writer:
        for k in range(0, len(readings), 100):
            with writer.batch() as batch:
                for r in readings[k : k + 100]:
                    batch.add(r, hashlib.sha256(r.model_dump_json().encode("utf-8")).hexdigest())

if __name__ == "__main__":
    main()
"""


def test_a_load_killed_while_resolving_is_finished_by_the_next(tmp_path: Path) -> None:
    size = 800
    readings = list(synthetic_readings(size, seed=6))
    killed = str(tmp_path / "killed.sqlite3")
    connect(killed).dispose()  # the schema first, so that the loader's tables can be watched
    script = tmp_path / "loader.py"
    script.write_text(_LOADER, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, str(script), killed, str(size)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    engine = connect(killed)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and process.poll() is None:  # the second batch stored, not resolved
            with Session(engine) as session:
                pending = session.execute(select(func.count()).select_from(t.Pending)).scalar_one()
                resolved = session.execute(
                    select(func.count())
                    .select_from(t.EventMention)
                    .where(t.EventMention.event_id.is_not(None))
                ).scalar_one()
            if pending and resolved > 100:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the loader ended before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        with Session(engine) as session:
            assert session.execute(select(func.count()).select_from(t.Pending)).scalar_one() > 0
        assert integrity_problems(engine) == []  # pending documents are not a fault
        done = finish(engine)
        assert done.documents > 0
        writer = _in_batches(killed, readings, size=100)  # the rest; what is stored is skipped
        assert writer.resolved.documents < len(readings)
    finally:
        if process.poll() is None:
            process.kill()
        engine.dispose()
    whole = str(tmp_path / "whole.sqlite3")
    _in_batches(whole, readings, size=100)
    assert dump(killed) == dump(whole)


def test_the_bulk_bench_reports_both_ways_and_the_same_chronicle() -> None:
    rows = run_bulk_bench(160, workers=(1,), batch=15)
    assert [r["mode"] for r in rows] == ["one at a time", "batches of 15"]
    batched = rows[1]
    assert batched["same_chronicle"] is True and batched["parts"] > 10
    assert 0 < batched["largest_part_share_max"] <= 1 and batched["mentions"] == 160
    assert batched["store_seconds"] >= 0 and batched["resolve_seconds"] > 0
