"""Putting a Parquet folder of readings into the chronicle database, in publication order.

The decisions are the local flow's (:func:`storyline.flow.run`), taken just before each document is
stored: an input stored before with the same digest is skipped, an input identical to a stored one under
another id is recorded as its copy, anything else is stored and resolved by
:meth:`~storyline.store.chronicle.Chronicle.add`, one transaction per document. So loading twice changes
nothing, and a load killed at any point is finished by loading again, with the database an uninterrupted
load would have made.

Resolution is sequential. Its blocking keys do not partition the work: a mention probes several keys, an
event gathers mentions found under different keys, stories join events, near-duplicate detection compares
with every stored document, and the chronicle numbers documents in the order they are stored. Splitting by
key would make the result depend on timing, so one writer stores the documents in order.
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
from storyline.store.chronicle import Chronicle

BATCH = 200  # documents looked up in the database at once


def load_folder(
    folder: Path, engine: Engine, *, on_document: Callable[[str, str], None] | None = None
) -> RunReport:
    """Load every complete shard of ``folder``: failures first, then readings month by month, each month
    in publication order. ``on_document(id, outcome)`` is called after each document, as in the flow."""
    chronicle = Chronicle(engine)
    report = RunReport()

    def note(key: str, outcome: str) -> None:
        if on_document is not None:
            on_document(key, outcome)

    for batch in _batches(iter_failures(folder)):
        known = _stored(engine, [(r["key"], r["digest"]) for r in batch if r["digest"]])
        for row in batch:
            note(row["key"], _failure(chronicle, row, known, report))
    for month in months(folder):
        for batch in _batches(iter_readings(folder, month)):
            known = _stored(engine, [(r["id"], r["digest"]) for r in batch])
            for row in batch:
                note(row["id"], _reading(chronicle, row, known, report))
    return report


def _batches(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
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


def _reading(
    chronicle: Chronicle, row: dict[str, Any], known: set[tuple[str, str]], report: RunReport
) -> str:
    doc_id, digest = row["id"], row["digest"]
    if (doc_id, digest) in known:  # a repeat within this batch is caught by Chronicle.add itself
        report.unchanged += 1
        return "unchanged"
    original = chronicle.copy_source(doc_id, digest)
    if original is not None:
        chronicle.add_copy(doc_id, digest, original)
        report.copies += 1
        return "copy"
    reading = Reading.model_validate(json.loads(row["reading"]))
    return tally(report, chronicle.add(reading, digest))
