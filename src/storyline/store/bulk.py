"""Writing many documents at once: store a batch, then resolve it in parts that run in parallel.

:meth:`Chronicle.add <storyline.store.chronicle.Chronicle.add>` stores and resolves one document per
transaction. A bulk load (``storyline load``, the Ray engine's loader) goes in three steps per batch:

1. **Store**: every document of the batch, its mentions, figures, checks and entities, in one transaction
   and in order (sequence numbers, exact and near duplicates as one at a time would find them), each marked
   pending (table ``pending_documents``).
2. **Resolve**: the batch's new mentions are split by :func:`storyline.resolve.partition.partition` into
   parts that share no blocking key with one another; each part is resolved in the order a one-at-a-time
   load would take its mentions, in a transaction of its own — on PostgreSQL by ``workers`` processes at
   once (SQLite has one writer, so there it runs in this process).
3. **Settle**: the stories of the events touched and of the batch's documents, and the contradictions of
   their figures, recomputed once for the batch; the pending marks go in the same transaction.

Every mention gets the event a one-at-a-time load gives it (see :mod:`storyline.resolve.partition`), and
stories, documents' stories and contradictions are functions of the events and documents stored, so the
chronicle is the same; ``tests/test_bulk.py`` compares both on the example corpus and a synthetic one.
A load killed anywhere leaves documents pending: :func:`finish` (run first by every writer) resolves them.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from storyline.records import Reading
from storyline.resolve.partition import Part, bins, partition
from storyline.store.chronicle import Added, Chronicle

BATCH = 200  # documents stored, then resolved, together (the help of ``--batch`` says so too)


@dataclass
class Resolved:
    """What resolving pending documents did."""

    documents: int = 0
    mentions: int = 0
    parts: list[int] = field(default_factory=list)  # the size of each part, largest first
    largest: list[float] = field(default_factory=list)  # each batch's largest part, as a share of the batch
    events: set[str] = field(default_factory=set)
    stories: set[str] = field(default_factory=set)
    seconds_resolving: float = 0.0  # splitting into parts and resolving them (wall time)
    seconds_settling: float = 0.0  # stories and figures

    def add(self, other: Resolved) -> None:
        self.documents += other.documents
        self.mentions += other.mentions
        self.parts += other.parts
        self.largest += other.largest
        self.events |= other.events
        self.stories |= other.stories
        self.seconds_resolving += other.seconds_resolving
        self.seconds_settling += other.seconds_settling


class BatchWriter:
    """Stores documents a batch at a time and resolves each batch in parallel parts. Use as a context
    manager (the worker processes are stopped at its end)::

        with BatchWriter(engine, workers=4) as writer:
            with writer.batch() as batch:
                for reading, digest in readings:
                    batch.add(reading, digest)
    """

    def __init__(self, engine: Engine, *, workers: int = 1) -> None:
        self.engine = engine
        self.chronicle = Chronicle(engine)
        # SQLite has one writer: parts resolved at once would wait for each other, or fail
        self.workers = max(1, workers) if engine.dialect.name != "sqlite" else 1
        self._pool: ProcessPoolExecutor | None = None
        self.resolved = Resolved()

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    @contextmanager
    def batch(self) -> Iterator[Batch]:
        """A batch: what is added to it is stored in one transaction at its end, then resolved."""
        batch = Batch(self)
        try:
            yield batch
            batch.commit()
        finally:
            batch.close()
        self.finish()

    def finish(self) -> Resolved:
        """Resolve every pending document (this writer's batch, or one a killed load left); what it did."""
        started = time.perf_counter()
        with Session(self.engine) as session:
            documents = self.chronicle.pending(session)
            if not documents:
                return Resolved()
            mentions = self.chronicle.unresolved(session, documents)
            parts = partition(mentions, lambda probes: self.chronicle.stored_keys(session, probes))
        done = Resolved(documents=len(documents), mentions=len(mentions), parts=[len(p) for p in parts])
        if mentions:
            done.largest = [len(parts[0]) / len(mentions)]
        done.events = self._resolve(parts)
        resolved = time.perf_counter()
        events, done.stories = self.chronicle.settle(documents)
        done.events |= events
        done.seconds_resolving = resolved - started
        done.seconds_settling = time.perf_counter() - resolved
        self.resolved.add(done)
        return done

    def _resolve(self, parts: Sequence[Part]) -> set[str]:
        if not parts:
            return set()
        if self.workers == 1 or len(parts) == 1:
            return self.chronicle.resolve_mentions([m for part in parts for m in part.mentions])
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
            )
        url = self.engine.url.render_as_string(hide_password=False)
        groups = bins(
            parts, self.workers * 4
        )  # several groups a worker: one large part does not idle the rest
        futures = [
            self._pool.submit(_resolve_group, url, [m for part in group for m in part.mentions])
            for group in groups
        ]
        touched: set[str] = set()
        for future in futures:
            touched |= future.result()
        return touched


class Batch:
    """Documents being stored together (one transaction); see :meth:`BatchWriter.batch`."""

    def __init__(self, writer: BatchWriter) -> None:
        self.writer = writer
        self.session = Session(writer.engine)
        self.session.begin()

    def add(self, reading: Reading, digest: str) -> Added:
        """Store a reading, to be resolved with the batch; one that replaces a stored document of the same
        id (its input changed) is resolved at once, after what the batch stored before it."""
        added = self.writer.chronicle.stage(self.session, reading, digest)
        if added is not None:
            return added
        self.commit()
        self.writer.finish()
        added = self.writer.chronicle.add(reading, digest)
        self.session = Session(self.writer.engine)
        self.session.begin()
        return added

    def add_copy(self, key: str, digest: str) -> Added | None:
        """Record an input identical to a stored or batched one under another id; None when there is none."""
        return self.writer.chronicle.stage_copy(self.session, key, digest)

    def commit(self) -> None:
        self.session.commit()
        self.session.close()

    def close(self) -> None:
        self.session.close()


def finish(engine: Engine, workers: int = 1) -> Resolved:
    """Resolve what a killed bulk load left pending (nothing when nothing is)."""
    with BatchWriter(engine, workers=workers) as writer:
        return writer.finish()


_CHRONICLES: dict[str, Chronicle] = {}


def _resolve_group(url: str, mentions: list[int]) -> set[str]:
    """In a worker process: resolve one group of parts (its own connection, its own transaction)."""
    from storyline.store import engine_for

    chronicle = _CHRONICLES.get(url)
    if chronicle is None:
        chronicle = _CHRONICLES[url] = Chronicle(engine_for(url))
    return chronicle.resolve_mentions(mentions)
