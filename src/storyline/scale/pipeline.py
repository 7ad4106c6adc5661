"""The Ray pipeline: shards in, readings out, on an actor pool whose actors load the models once.

The dataset holds one row per shard (:mod:`storyline.scale.shards`). ``map_batches`` hands each shard to an
actor of a fixed-size pool; the actor expands it with the ingest iterators (a WARC archive is streamed on the
worker), drops what ``keep`` rejects, and reads every document with :func:`storyline.runner.read_raw`, the
same pure function as the local engine. Then either the readings come back to the driver, in input order
(``storyline read``), or the actor writes the shard's Parquet files and marker and returns its counts
(``storyline run``).

A worker that dies (a crash, the memory killer) is restarted by Ray and the shard is read again from its
start: nothing of a shard is visible before its marker, so no document is lost or written twice.
"""

from __future__ import annotations

import os
import pickle
import resource
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storyline.flow import input_digest
from storyline.ingest.fetch import FetchConfig
from storyline.ingest.sources import DEFAULT_MAX_BYTES, RawInput
from storyline.records import ReadError, Reading
from storyline.runner import read_raw
from storyline.scale.errors import JobError
from storyline.scale.parquet import Outcome, done_keys, write_shard
from storyline.scale.shards import Shard, expand

Keep = Callable[[RawInput], bool]
RETRIES = 3  # restarts of a dead actor, and retries of the shard it was reading
CRASH_ONCE = "STORYLINE_SCALE_CRASH_ONCE"  # fault injection for the tests: "<document id>=<flag file>"


@dataclass
class ShardWork:
    """What an actor did with one shard."""

    outcomes: list[Outcome] = field(default_factory=list)
    skipped: int = 0  # rejected by the keep filter before reading
    seconds: float = 0.0


class ShardReader:
    """A Ray Data actor: reads whole shards. Models load on the first document of each language (or all at
    once with ``preload``, timed in ``load_seconds``) and stay loaded for the actor's life."""

    def __init__(
        self,
        *,
        out: str | None = None,
        fetch: FetchConfig | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        keep: Keep | None = None,
        preload: bool = False,
    ) -> None:
        self.out = Path(out) if out else None
        self.fetch, self.max_bytes, self.keep = fetch, max_bytes, keep
        self.load_seconds = preload_models() if preload else 0.0

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        rows: dict[str, list[Any]] = {}
        for payload in batch["shard"]:
            shard: Shard = pickle.loads(payload)
            for name, values in self.handle(shard).items():
                rows.setdefault(name, []).extend(values)
        return rows

    def handle(self, shard: Shard) -> dict[str, list[Any]]:
        work = self.read(shard)
        if self.out is None:
            return _reading_rows(shard, work)
        info = {"names": list(shard.names), "skipped": work.skipped, "seconds": round(work.seconds, 3)}
        marker = write_shard(self.out, shard.key, work.outcomes, info)
        return {
            "index": [shard.index],
            "key": [shard.key],
            "read": [marker["read"]],
            "failed": [marker["failed"]],
            "skipped": [work.skipped],
            "seconds": [work.seconds],
            "load_seconds": [self.load_seconds],
            "pid": [os.getpid()],
            "peak_rss_mb": [resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024],
        }

    def read(self, shard: Shard) -> ShardWork:
        started = time.perf_counter()
        work = ShardWork()
        for seq, item in enumerate(expand(shard, fetch=self.fetch, max_bytes=self.max_bytes)):
            if isinstance(item, ReadError):
                work.outcomes.append(Outcome(seq, item, None))
            elif self.keep is not None and not self.keep(item):
                work.skipped += 1
            else:
                _crash_if_marked(item.id)
                work.outcomes.append(Outcome(seq, read_raw(item), input_digest(item)))
        work.seconds = time.perf_counter() - started
        return work


def _reading_rows(shard: Shard, work: ShardWork) -> dict[str, list[Any]]:
    """Each outcome as JSON, as ``storyline read`` prints it, with its place in the job; then, when ``keep``
    rejected inputs, one row that counts them."""
    kinds = ["reading" if isinstance(o.result, Reading) else "error" for o in work.outcomes]
    texts = [_json(o.result) for o in work.outcomes]
    seqs = [o.seq for o in work.outcomes]
    if work.skipped:
        kinds.append("skipped")
        texts.append(str(work.skipped))
        seqs.append(-1)
    return {"index": [shard.index] * len(kinds), "seq": seqs, "kind": kinds, "json": texts}


def _json(result: Reading | ReadError) -> str:
    if isinstance(result, Reading):
        return result.model_dump_json()
    return result.model_dump_json(exclude_none=True)


def preload_models() -> float:
    """Load every language's parser and the language detector now; the seconds it took."""
    from storyline import kb, languages
    from storyline.read.language import detector
    from storyline.read.nlp import parser_for

    started = time.perf_counter()
    detector()
    kb.load()
    for language in languages.available().values():
        parser_for(language)
    return time.perf_counter() - started


def _crash_if_marked(doc_id: str) -> None:
    """Kill this worker process the first time it meets the marked document (tests of recovery only)."""
    marked = os.environ.get(CRASH_ONCE)
    if not marked or "=" not in marked:
        return
    target, flag = marked.split("=", 1)
    if doc_id != target:
        return
    try:
        os.close(os.open(flag, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return
    os._exit(17)


# -- the driver ---------------------------------------------------------------------------------------------


def _dataset(shards: list[Shard], workers: int, actor: dict[str, Any], *, ordered: bool) -> Any:
    import ray.data
    from ray.data import ActorPoolStrategy

    ds = ray.data.from_items(
        [{"shard": pickle.dumps(s)} for s in shards], override_num_blocks=max(1, len(shards))
    )
    ds.context.execution_options.preserve_order = ordered
    with warnings.catch_warnings():  # Ray 2.60 names no parameter for the actor's restarts yet
        warnings.simplefilter("ignore", DeprecationWarning)
        return ds.map_batches(
            ShardReader,
            batch_size=1,
            batch_format="numpy",
            compute=ActorPoolStrategy(size=max(1, min(workers, len(shards)))),
            fn_constructor_kwargs=actor,
            num_cpus=1,
            max_restarts=RETRIES,
            max_task_retries=RETRIES,
        )


@dataclass
class Tally:
    """What :func:`read_shards` counted besides its outcomes."""

    skipped: int = 0  # inputs rejected by ``keep``


def read_shards(
    shards: list[Shard],
    *,
    workers: int,
    fetch: FetchConfig | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    keep: Keep | None = None,
    tally: Tally | None = None,
) -> Iterator[tuple[bool, str]]:
    """``(is_reading, json)`` for every document of the shards, in input order: the outcomes of
    ``storyline read``. The inputs ``keep`` rejected are counted in ``tally``."""
    if not shards:
        return
    actor = {"fetch": fetch, "max_bytes": max_bytes, "keep": keep}
    for batch in _dataset(shards, workers, actor, ordered=True).iter_batches(batch_format="numpy"):
        for kind, text in zip(batch["kind"], batch["json"], strict=True):
            if kind == "skipped":
                if tally is not None:
                    tally.skipped += int(text)
                continue
            yield kind == "reading", str(text)


@dataclass
class JobReport:
    """What a Parquet job did: shards written now and shards found complete from an earlier run."""

    shards: int = 0
    already_done: int = 0
    read: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    load_seconds: dict[int, float] = field(default_factory=dict)  # model loading, per worker process
    busy_seconds: dict[int, float] = field(default_factory=dict)  # reading shards, per worker process
    peak_rss_mb: dict[int, float] = field(default_factory=dict)  # per worker process


def write_parquet(
    shards: Iterable[Shard],
    out: Path,
    *,
    workers: int,
    fetch: FetchConfig | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    keep: Keep | None = None,
    preload: bool = False,
    on_shard: Callable[[dict[str, Any]], None] | None = None,
) -> JobReport:
    """Read the shards not yet complete in ``out`` and write them there (see :mod:`storyline.scale.parquet`).
    ``on_shard`` is called with each shard's counts as it completes."""
    out = out.resolve()  # the workers' working folder is not the driver's on another node
    out.mkdir(parents=True, exist_ok=True)
    done = done_keys(out)
    planned = list(shards)
    todo = [s for s in planned if s.key not in done]
    report = JobReport(shards=len(todo), already_done=len(planned) - len(todo))
    if not todo:
        return report
    started = time.perf_counter()
    actor = {"out": str(out), "fetch": fetch, "max_bytes": max_bytes, "keep": keep, "preload": preload}
    for batch in _dataset(todo, workers, actor, ordered=False).iter_batches(batch_format="numpy"):
        for k in range(len(batch["key"])):
            row = {name: _plain(values[k]) for name, values in batch.items()}
            report.read += int(row["read"])
            report.failed += int(row["failed"])
            report.skipped += int(row["skipped"])
            pid = int(row["pid"])
            report.load_seconds[pid] = float(row["load_seconds"])
            report.busy_seconds[pid] = report.busy_seconds.get(pid, 0.0) + float(row["seconds"])
            report.peak_rss_mb[pid] = float(row["peak_rss_mb"])
            if on_shard is not None:
                on_shard(row)
    report.seconds = time.perf_counter() - started
    missing = [s for s in todo if s.key not in done_keys(out)]
    if missing:  # written on another node, into a folder this machine does not see
        raise JobError(
            f"{len(missing)} shard(s) were written where this machine cannot see them (first: "
            f"{missing[0].label}): --parquet must be a folder every node of the cluster shares"
        )
    return report


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds."""
    return value.item() if hasattr(value, "item") else value
