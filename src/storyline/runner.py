"""Reading many documents: in this process or in worker processes that each load the models once.

Results come back in input order. A document that fails becomes a :class:`~storyline.records.ReadError`
with its reason, and the run goes on.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from storyline.ingest.document import IngestError, to_document
from storyline.ingest.sources import RawInput
from storyline.read import read_document
from storyline.records import ErrorInfo, ReadError, Reading

Outcome = Reading | ReadError


def read_raw(raw: RawInput) -> Outcome:
    """Ingest and read one raw input; never raises."""
    try:
        return read_document(to_document(raw))
    except IngestError as exc:
        return ReadError(id=raw.id, path=raw.path, error=ErrorInfo(kind=exc.kind, message=str(exc)))
    except RecursionError:
        return ReadError(
            id=raw.id,
            path=raw.path,
            error=ErrorInfo(kind="too_complex", message="the document nests too deeply to read"),
        )
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"
        return ReadError(id=raw.id, path=raw.path, error=ErrorInfo(kind="internal", message=message[:500]))


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def read_all(items: Iterable[RawInput | ReadError], workers: int = 1) -> Iterator[Outcome]:
    """Read every input, in order. With ``workers > 1``, documents are read in that many processes; at most a
    few documents per worker are in flight, so memory stays flat however long the input. A worker that dies
    (a crash, the memory killer) costs only the document it was reading: the pool is restarted, that document
    is retried alone and recorded as an error if it kills its worker again."""
    if workers <= 1:
        for item in items:
            yield item if isinstance(item, ReadError) else read_raw(item)
        return
    pool = _Pool(workers)
    window: deque[tuple[RawInput | ReadError, Future[Outcome] | None]] = deque()
    try:
        for item in items:
            window.append((item, None if isinstance(item, ReadError) else pool.submit(item)))
            while len(window) >= workers * 4:
                yield pool.result(*window.popleft(), window)
        while window:
            yield pool.result(*window.popleft(), window)
    finally:
        pool.shutdown()


class _Pool:
    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.executor = self._new(workers)

    @staticmethod
    def _new(workers: int) -> ProcessPoolExecutor:
        return _executor(workers)

    def submit(self, raw: RawInput) -> Future[Outcome]:
        return self.executor.submit(read_raw, raw)

    def result(
        self,
        item: RawInput | ReadError,
        future: Future[Outcome] | None,
        window: deque[tuple[RawInput | ReadError, Future[Outcome] | None]],
    ) -> Outcome:
        if isinstance(item, ReadError):
            return item
        assert future is not None
        try:
            return future.result()
        except BrokenProcessPool:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = self._new(self.workers)
            for k, (other, _) in enumerate(window):  # every document in flight goes again
                if isinstance(other, RawInput):
                    window[k] = (other, self.submit(other))
            return _alone(item)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


# Each worker is one core's worth of work: numerical libraries that start a thread per core in every worker
# oversubscribe the machine (measured here: 2 workers read 2.2 times slower than with one thread each).
ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def _executor(workers: int) -> ProcessPoolExecutor:
    for name in ONE_THREAD:
        os.environ.setdefault(name, "1")  # inherited by the workers spawned below; a user's own setting wins
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def _alone(raw: RawInput) -> Outcome:
    """Read one document in a process of its own: if that process dies too, the document is the cause."""
    with _executor(1) as single:
        try:
            return single.submit(read_raw, raw).result()
        except BrokenProcessPool:
            message = "the worker process died while reading this document (out of memory or a crash)"
            return ReadError(
                id=raw.id, path=raw.path, error=ErrorInfo(kind="worker_crashed", message=message)
            )
