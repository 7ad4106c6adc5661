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
    few documents per worker are in flight, so memory stays flat however long the input."""
    if workers <= 1:
        for item in items:
            yield item if isinstance(item, ReadError) else read_raw(item)
        return
    context = multiprocessing.get_context("spawn")
    window: deque[Future[Outcome] | ReadError] = deque()
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for item in items:
            window.append(item if isinstance(item, ReadError) else pool.submit(read_raw, item))
            while len(window) >= workers * 4:
                yield _result(window.popleft())
        while window:
            yield _result(window.popleft())


def _result(entry: Future[Outcome] | ReadError) -> Outcome:
    return entry if isinstance(entry, ReadError) else entry.result()
