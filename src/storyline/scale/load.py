"""Putting a Parquet folder of readings into the chronicle database, in publication order, a batch at a time.

The decisions are the local flow's (:func:`storyline.flow.run`), taken just before each document is
stored: an input stored before with the same digest is skipped, an input identical to a stored one under
another id is recorded as its copy, anything else is stored. Documents are stored ``BATCH`` at a time in one
transaction, then resolved by :class:`storyline.store.bulk.BatchWriter` — in parts split by their blocking
keys, in parallel on PostgreSQL — with the chronicle a one-at-a-time load makes. Loading twice changes
nothing, and a load killed at any point is finished by loading again (what it left pending is resolved
first).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, tuple_
from sqlalchemy.orm import Session

from storyline.flow import RunReport, tally
from storyline.records import ReadError, Reading
from storyline.scale.parquet import iter_failures, iter_readings, months
from storyline.store import tables as t
from storyline.store.bulk import BATCH, Batch, BatchWriter, Resolved
from storyline.store.chronicle import Chronicle


def load_folder(
    folder: Path,
    engine: Engine,
    *,
    workers: int = 1,
    batch: int = BATCH,
    on_document: Callable[[str, str], None] | None = None,
) -> RunReport:
    """Load every complete shard of ``folder``: failures first, then readings month by month, each month
    in publication order, ``batch`` documents at a time resolved by ``workers`` processes (PostgreSQL).
    ``on_document(id, outcome)`` is called after each document is stored, as in the flow."""
    report = RunReport()

    def note(key: str, outcome: str) -> None:
        if on_document is not None:
            on_document(key, outcome)

    with BatchWriter(engine, workers=workers) as writer:
        writer.finish()  # what a killed load left pending comes first
        for rows in _batches(iter_failures(folder), batch):
            known = _stored(engine, [(r["key"], r["digest"]) for r in rows if r["digest"]])
            for row in rows:
                note(row["key"], _failure(writer.chronicle, row, known, report))
        for month in months(folder):
            for rows in _batches(iter_readings(folder, month), batch):
                known = _stored(engine, [(r["id"], r["digest"]) for r in rows])
                with writer.batch() as staged:
                    for row in rows:
                        note(row["id"], _reading(staged, row, known, report))
        _add_resolved(report, writer.resolved)
    return report


def _add_resolved(report: RunReport, resolved: Resolved) -> None:
    report.events |= resolved.events
    report.stories |= resolved.stories


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, max(1, size))):
        yield batch


def _stored(engine: Engine, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (id, digest) pairs are stored already, as documents or as failures: one query each."""
    if not pairs:
        return set()
    found: set[tuple[str, str]] = set()
    with Session(engine) as session:
        for key, digest in ((t.Document.id, t.Document.input_hash), (t.Failure.key, t.Failure.input_hash)):
            rows = session.execute(select(key, digest).where(tuple_(key, digest).in_(pairs)))
            found |= {(row[0], row[1]) for row in rows}
    return found


def _failure(
    chronicle: Chronicle, row: dict[str, Any], known: set[tuple[str, str]], report: RunReport
) -> str:
    if row["digest"] and (row["key"], row["digest"]) in known:
        report.unchanged += 1
        return "unchanged"
    error = ReadError.model_validate_json(row["error"])
    chronicle.add_failure(error, row["digest"], row["key"])
    report.failed += 1
    report.errors.append(error)
    return "failed"


def _reading(staged: Batch, row: dict[str, Any], known: set[tuple[str, str]], report: RunReport) -> str:
    doc_id, digest = row["id"], row["digest"]
    if (doc_id, digest) in known:  # a repeat within this batch is caught by the batch itself
        report.unchanged += 1
        return "unchanged"
    if staged.add_copy(doc_id, digest) is not None:
        report.copies += 1
        return "copy"
    reading = Reading.model_validate(json.loads(row["reading"]))
    return tally(report, staged.add(reading, digest))
