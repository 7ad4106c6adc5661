"""``python -m storyline.bench_scale``: the local engine against Ray, on the same documents.

The corpus is the bundled examples repeated under distinct ids (about 300 documents by default). Each
configuration reads all of it; model loading is measured apart from reading wherever it can be:

* local, 1 worker: the models are loaded in this process first (timed), then the corpus is read;
* local, N workers: worker processes load their models on their first document, inside the timing (as
  ``storyline bench`` reports it);
* Ray, N workers: each actor loads every model when it starts (timed by the actor); the reading rate is
  the documents over the longest time an actor spent reading shards, and the wall time includes starting
  the cluster's actors and loading.

The cost of a million articles is projected from the best measured rate per core and an assumed price per
core-hour (``--price``), stated in the output. Speeds are measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import pickle
import platform
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from storyline.ingest.sources import RawInput, iter_inputs
from storyline.records import Reading
from storyline.runner import ONE_THREAD, read_all

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "articles"
# An assumed on-demand price for one vCPU-hour: a general-purpose cloud instance with 4 GB per vCPU
# (e.g. m6i.large, 2 vCPU, about 0.096 USD an hour in us-east-1, in 2025). Not measured.
PRICE_PER_CORE_HOUR = 0.048
SHARD_DOCUMENTS = 10


def corpus(documents: int) -> list[RawInput]:
    """The examples, repeated under distinct ids up to ``documents``."""
    found = [item for item in iter_inputs([str(EXAMPLES)]) if isinstance(item, RawInput)]
    return [
        RawInput(**{**raw.__dict__, "id": f"{raw.id}#{k}"})
        for k, raw in zip(range(documents), itertools.cycle(found), strict=False)
    ]


def _peak_mb(who: int) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def bench_local(docs: list[RawInput], workers: int) -> dict[str, Any]:
    """The local engine (:func:`storyline.runner.read_all`)."""
    load = None
    if workers == 1:
        from storyline.scale.pipeline import preload_models

        load = preload_models()
    started = time.perf_counter()
    outcomes = list(read_all(docs, workers=workers))
    seconds = time.perf_counter() - started
    read = sum(isinstance(o, Reading) for o in outcomes)
    return {
        "engine": "local",
        "workers": workers,
        "documents": len(docs),
        "read": read,
        "wall seconds": round(seconds, 2),
        "model loading (s)": round(load, 2) if load is not None else "inside wall time",
        "documents per second": round(len(docs) / seconds, 2),
        "documents per second per core": round(len(docs) / seconds / workers, 2),
        "peak memory per worker (MB)": _peak_mb(
            resource.RUSAGE_SELF if workers == 1 else resource.RUSAGE_CHILDREN
        ),
    }


def bench_ray(docs: list[RawInput], workers: int, address: str | None) -> dict[str, Any]:
    """The Ray pipeline (:func:`storyline.scale.pipeline.write_parquet`) over shards of ten documents."""
    import ray

    from storyline.scale.cluster import connect
    from storyline.scale.pipeline import write_parquet
    from storyline.scale.shards import Shard, shard_key

    connect(address, workers=workers)
    shards = []
    for index, start in enumerate(range(0, len(docs), SHARD_DOCUMENTS)):
        payload = pickle.dumps(docs[start : start + SHARD_DOCUMENTS])
        names = (f"bench-{index}",)
        shards.append(
            Shard(index, "inline", names, shard_key("inline", names, None, payload), payload=payload)
        )
    try:
        with tempfile.TemporaryDirectory(prefix="storyline-bench-") as out:
            started = time.perf_counter()
            job = write_parquet(shards, Path(out), workers=workers, preload=True)
            seconds = time.perf_counter() - started
    finally:
        ray.shutdown()
    busy = max(job.busy_seconds.values())
    return {
        "engine": "ray",
        "workers": workers,
        "documents": len(docs),
        "read": job.read,
        "wall seconds": round(seconds, 2),
        "model loading (s)": round(max(job.load_seconds.values()), 2),
        "documents per second": round(len(docs) / busy, 2),
        "documents per second per core": round(len(docs) / busy / workers, 2),
        "documents per second, wall time": round(len(docs) / seconds, 2),
        "peak memory per worker (MB)": round(max(job.peak_rss_mb.values()), 1),
    }


def projection(rate_per_core: float, price: float) -> dict[str, Any]:
    """Core-hours and cost for a million articles at ``rate_per_core`` documents per second per core."""
    core_hours = 1_000_000 / rate_per_core / 3600
    return {
        "documents per second per core": rate_per_core,
        "core-hours per million articles": round(core_hours, 1),
        "assumed price per core-hour (USD)": price,
        "cost per million articles (USD)": round(core_hours * price, 2),
        "hours for a million on 100 cores": round(core_hours / 100, 2),
    }


def run(documents: int, configs: list[tuple[str, int]], address: str | None, price: float) -> dict[str, Any]:
    for name in ONE_THREAD:
        os.environ.setdefault(name, "1")
    docs = corpus(documents)
    results = [
        bench_local(docs, w) if engine == "local" else bench_ray(docs, w, address) for engine, w in configs
    ]
    best = max(r["documents per second per core"] for r in results)
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "input megabytes": round(
            sum(len(d.data or b"") + len((d.text or "").encode()) for d in docs) / 1e6, 2
        ),
        "driver peak memory (MB)": _peak_mb(resource.RUSAGE_SELF),
        "results": results,
        "projection": projection(best, price),
    }


def table(report: dict[str, Any]) -> str:
    columns = [
        ("engine", 6),
        ("workers", 7),
        ("wall seconds", 12),
        ("model loading (s)", 17),
        ("documents per second", 20),
        ("documents per second per core", 29),
        ("peak memory per worker (MB)", 27),
    ]
    lines = ["  ".join(name.rjust(width) for name, width in columns)]
    for row in report["results"]:
        lines.append("  ".join(str(row[name]).rjust(width) for name, width in columns))
    lines.append("")
    lines += [f"{key}: {value}" for key, value in report["projection"].items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m storyline.bench_scale", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument(
        "--configs", default="local:1,local:2,ray:1,ray:2", help="engine:workers, comma-separated"
    )
    parser.add_argument("--address", default=None, help="a running Ray cluster (default: a local instance)")
    parser.add_argument(
        "--price", type=float, default=PRICE_PER_CORE_HOUR, help="USD per core-hour (assumed)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers to this file")
    args = parser.parse_args(argv)
    configs = [(c.split(":")[0], int(c.split(":")[1])) for c in args.configs.split(",")]
    report = run(args.documents, configs, args.address, args.price)
    print(table(report))
    print(json.dumps(report, indent=1))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
