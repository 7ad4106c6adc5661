"""What the commands run with ``--engine ray``: a connection, a shard plan, the pipeline, the loader."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine

from storyline.flow import RunReport
from storyline.ingest.fetch import FetchConfig
from storyline.ingest.sources import DEFAULT_MAX_BYTES
from storyline.records import ReadError
from storyline.runner import default_workers
from storyline.scale.cluster import connect
from storyline.scale.errors import JobError
from storyline.scale.load import load_folder
from storyline.scale.pipeline import JobReport, Keep, read_shards, write_parquet
from storyline.scale.shards import plan


def ray_read(
    paths: list[str],
    jsonl: list[str],
    *,
    workers: int,
    address: str | None = None,
    shard_size: int = 0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    fetch: FetchConfig | None = None,
    keep: Keep | None = None,
) -> Iterator[tuple[str, ReadError | None]]:
    """``storyline read`` on Ray: each outcome's JSON line, in input order, with the error it holds (None
    for a reading)."""
    connect(address, workers=workers)
    shards = plan(paths, jsonl, shard_size=shard_size, workers=workers, max_bytes=max_bytes)
    outcomes = read_shards(shards, workers=workers, fetch=fetch, max_bytes=max_bytes, keep=keep)
    with _failing_as_job_error():
        for ok, text in outcomes:
            yield text, None if ok else ReadError.model_validate_json(text)


def ray_run(
    sources: list[str],
    jsonl: list[str],
    engine: Engine,
    *,
    workers: int,
    parquet: Path | None = None,
    address: str | None = None,
    shard_size: int = 0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    fetch: FetchConfig | None = None,
    keep: Keep | None = None,
    on_document: Callable[[str, str], None] | None = None,
) -> tuple[JobReport, RunReport]:
    """``storyline run`` on Ray: read into ``parquet`` (a temporary folder when None, so nothing is kept
    for a rerun to skip), then load that folder into the database."""
    if address and parquet is None:
        raise JobError("with --address, give --parquet: a folder every node of the cluster shares")
    connect(address, workers=workers)
    shards = plan(sources, jsonl, shard_size=shard_size, workers=workers, max_bytes=max_bytes)
    with tempfile.TemporaryDirectory(prefix="storyline-ray-") as scratch:
        folder = parquet or Path(scratch)
        with _failing_as_job_error():
            job = write_parquet(shards, folder, workers=workers, fetch=fetch, max_bytes=max_bytes, keep=keep)
        # the load runs on this machine: as many resolving processes as actors, at most its cores
        resolvers = min(workers, default_workers())
        return job, load_folder(folder, engine, workers=resolvers, on_document=on_document)


@contextmanager
def _failing_as_job_error() -> Iterator[None]:
    """A failed Ray job (a document that kills its worker on every retry, a node lost for good) as one
    line, instead of Ray's pages of traceback."""
    try:
        yield
    except JobError:
        raise
    except Exception as exc:
        text = str(exc).strip()
        first = text.splitlines()[0] if text else ""
        raise JobError(f"the Ray job failed: {type(exc).__name__}: {first[:300]}") from exc
