"""Bulk loading against one document at a time: the synthetic corpus of :mod:`storyline.bench_resolve`
stored into a fresh database once with :meth:`Chronicle.add <storyline.store.chronicle.Chronicle.add>` and
once per worker count with :class:`storyline.store.bulk.BatchWriter`, each timed, with how the batches split
into parts and whether every run made the same chronicle as the first. Speed is measured here, never asserted
in tests.

    python -m storyline.bench_bulk --size 4000 --workers 1 2 --db postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from storyline.bench_resolve import digest_of, fresh_database, synthetic_readings
from storyline.records import Reading
from storyline.store import connect, queries
from storyline.store.bulk import BATCH, BatchWriter
from storyline.store.chronicle import Chronicle


def _one_at_a_time(url: str, readings: Sequence[Reading]) -> tuple[dict[str, Any], list[str]]:
    engine = connect(url)
    try:
        chronicle = Chronicle(engine)
        started, cpu = time.perf_counter(), time.process_time()
        for reading in readings:
            chronicle.add(reading, digest_of(reading.id))
        row = {
            "mode": "one at a time",
            "workers": 1,
            "seconds": round(time.perf_counter() - started, 1),
            "cpu_seconds": round(time.process_time() - cpu, 1),
        }
        return row, queries.dump(engine)
    finally:
        engine.dispose()


def _batches(
    url: str, readings: Sequence[Reading], workers: int, batch: int
) -> tuple[dict[str, Any], list[str]]:
    engine = connect(url)
    try:
        started, cpu = time.perf_counter(), time.process_time()
        with BatchWriter(engine, workers=workers) as writer:
            for k in range(0, len(readings), batch):
                with writer.batch() as staged:
                    for reading in readings[k : k + batch]:
                        staged.add(reading, digest_of(reading.id))
            resolved = writer.resolved
            used = writer.workers
        seconds = time.perf_counter() - started
        storing = seconds - resolved.seconds_resolving - resolved.seconds_settling  # and starting workers
        mentions = max(1, resolved.mentions)
        row = {
            "mode": f"batches of {batch}",
            "workers": used,
            "seconds": round(seconds, 1),
            "cpu_seconds": round(time.process_time() - cpu, 1),  # this process: not the workers
            "store_seconds": round(storing, 1),
            "resolve_seconds": round(resolved.seconds_resolving, 1),
            "settle_seconds": round(resolved.seconds_settling, 1),
            "parts": len(resolved.parts),
            "mentions_per_part": round(mentions / max(1, len(resolved.parts)), 1),
            # the part a batch cannot be split below: the speed-up from parallel parts is at most 1 / this
            "largest_part_share_mean": round(sum(resolved.largest) / max(1, len(resolved.largest)), 3),
            "largest_part_share_max": round(max(resolved.largest, default=0.0), 3),
            # the largest resolving process that has ended (they end with the writer)
            "peak_mb_worker": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
            if used > 1
            else None,
        }
        return row, queries.dump(engine)
    finally:
        engine.dispose()


def run_bulk_bench(
    size: int,
    workers: Sequence[int] = (1, 2),
    url: str | None = None,
    batch: int = BATCH,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """A row for one document at a time, then one per worker count; each in a fresh database."""
    readings = list(synthetic_readings(size, seed))
    mentions = sum(len(r.events) for r in readings)
    base = Path(tempfile.mkdtemp(prefix="storyline-bulk-"))
    rows: list[dict[str, Any]] = []
    try:
        with fresh_database(url, f"{size}_one", base) as location:
            row, expected = _one_at_a_time(location, readings)
        rows.append(row)
        for count in workers:
            with fresh_database(url, f"{size}_w{count}", base) as location:
                row, found = _batches(location, readings, count, batch)
            row["same_chronicle"] = found == expected
            rows.append(row)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    for row in rows:
        row["database"] = "postgresql" if url and "://" in url else "sqlite"
        row["mentions"], row["documents"] = mentions, len(readings)
        row["mentions_per_second"] = round(mentions / row["seconds"], 1) if row["seconds"] else None
        row["speedup"] = round(rows[0]["seconds"] / row["seconds"], 2) if row["seconds"] else None
    rows[0]["peak_mb_main"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=4000, help="event mentions in the synthetic corpus")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch", type=int, default=BATCH)
    parser.add_argument("--db", default=None, help="a postgresql:// URL, else fresh SQLite files")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rows = run_bulk_bench(args.size, args.workers, url=args.db, batch=args.batch, seed=args.seed)
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
