"""``storyline bench``: documents per second (and per core) and peak memory for reading a corpus.

Speed is measured here, never asserted in tests. Model loading is timed apart from reading: each worker
process loads its models once, on its first document.
"""

from __future__ import annotations

import itertools
import os
import platform
import resource
import time
from pathlib import Path
from typing import Any

from storyline.ingest.sources import RawInput, iter_inputs
from storyline.records import Reading
from storyline.runner import read_all

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "articles"


def _corpus(paths: list[str], documents: int) -> list[RawInput]:
    found = [item for item in iter_inputs(paths or [str(EXAMPLES)]) if isinstance(item, RawInput)]
    if not found:
        raise SystemExit("the benchmark corpus is empty")
    out = []
    for k, raw in zip(range(documents), itertools.cycle(found), strict=False):
        out.append(RawInput(**{**raw.__dict__, "id": f"{raw.id}#{k}"}))
    return out


def _peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def run_bench(paths: list[str], *, documents: int, workers: int) -> dict[str, Any]:
    corpus = _corpus(paths, documents)
    # With one worker, reading runs in this process: a warm-up over one document per language loads the
    # models first, timed apart. With several, each worker process loads its own models, inside the timing.
    load_seconds = 0.0
    if workers == 1:
        started = time.perf_counter()
        distinct = {raw.id.split("#")[0]: raw for raw in corpus}
        list(read_all(distinct.values(), workers=1))
        load_seconds = time.perf_counter() - started
    chars = sum(len(raw.data or b"") + len((raw.text or "").encode()) for raw in corpus)
    started = time.perf_counter()
    outcomes = list(read_all(corpus, workers=workers))
    seconds = time.perf_counter() - started
    readings = [o for o in outcomes if isinstance(o, Reading)]
    own, children = _peak_mb()
    return {
        "documents": len(corpus),
        "read": len(readings),
        "failed": len(outcomes) - len(readings),
        "megabytes of input": round(chars / 1e6, 2),
        "workers": workers,
        "seconds": round(seconds, 2),
        "model loading": "timed apart" if workers == 1 else "inside the timing, once per worker",
        "documents per second": round(len(corpus) / seconds, 2),
        "documents per second per core": round(len(corpus) / seconds / workers, 2),
        "model loading, one process (s)": round(load_seconds, 2) if workers == 1 else "n/a",
        "peak memory, main process (MB)": round(own, 1),
        "peak memory, largest worker (MB)": round(children, 1),
        "events found": sum(len(r.events) for r in readings),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "languages": ",".join(sorted({r.language for r in readings})),
    }
