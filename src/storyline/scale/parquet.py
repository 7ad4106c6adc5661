"""Readings on disk at scale: Parquet files partitioned by publication month and language.

Layout of a job's folder::

    readings/month=2025-12/language=fr/<shard>.parquet   id, month, language, published, digest, reading, shard, seq
    failures/<shard>.parquet                             key, id, path, digest, kind, message, error, shard, seq
    _done/<shard>.json                                   the shard's completion marker, with its counts

Every file is written under a temporary name and renamed, and the marker is written last: a shard is either
complete (marker present) or ignored, so a shard retried after a crash replaces its own files, and a job run
again skips the shards already marked. Within a file, rows are in publication order (:func:`order_key`), so
the loader merges files without sorting a whole month in memory.
"""

from __future__ import annotations

import heapq
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from storyline.records import ReadError, Reading

UNDATED = "undated"  # the month partition of readings without a publication date; loaded last
READINGS, FAILURES, DONE = "readings", "failures", "_done"
BATCH_ROWS = 256

READING_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("month", pa.string()),
        ("language", pa.string()),
        ("published", pa.string()),
        ("digest", pa.string()),
        ("reading", pa.string()),
        ("shard", pa.string()),
        ("seq", pa.int64()),
    ]
)
FAILURE_SCHEMA = pa.schema(
    [
        ("key", pa.string()),
        ("id", pa.string()),
        ("path", pa.string()),
        ("digest", pa.string()),
        ("kind", pa.string()),
        ("message", pa.string()),
        ("error", pa.string()),
        ("shard", pa.string()),
        ("seq", pa.int64()),
    ]
)


@dataclass
class Outcome:
    """One document of a shard after reading: a reading or an error, with its input's digest (None for an
    input that could not even be ingested) and its place in the shard."""

    seq: int
    result: Reading | ReadError
    digest: str | None


def order_key(published: str | None, doc_id: str, digest: str) -> tuple[str, str, str]:
    """Publication order: dated documents by day, then the undated; ties by id, then by input."""
    return (published or "9999-12-31~", doc_id, digest)


def month_of(reading: Reading) -> str:
    return reading.published.date.isoformat()[:7] if reading.published else UNDATED


def done_keys(folder: Path) -> set[str]:
    """The shards whose outputs are complete."""
    marks = folder / DONE
    return {p.stem for p in marks.glob("*.json")} if marks.is_dir() else set()


def write_shard(folder: Path, shard: str, outcomes: list[Outcome], info: dict[str, Any]) -> dict[str, Any]:
    """Write a shard's readings and failures, then its marker (``info`` plus the counts); return the marker."""
    parts: dict[tuple[str, str], list[dict[str, Any]]] = {}
    failures: list[dict[str, Any]] = []
    for item in outcomes:
        if isinstance(item.result, Reading):
            row = _reading_row(item.result, item.digest or "", shard, item.seq)
            parts.setdefault((row["month"], row["language"]), []).append(row)
        else:
            failures.append(_failure_row(item.result, item.digest, shard, item.seq))
    files = []
    for (month, language), rows in sorted(parts.items()):
        rows.sort(key=lambda r: (*order_key(r["published"], r["id"], r["digest"]), r["seq"]))
        target = folder / READINGS / f"month={month}" / f"language={language}" / f"{shard}.parquet"
        _write_table(pa.Table.from_pylist(rows, schema=READING_SCHEMA), target)
        files.append(target.relative_to(folder).as_posix())
    if failures:
        target = folder / FAILURES / f"{shard}.parquet"
        _write_table(pa.Table.from_pylist(failures, schema=FAILURE_SCHEMA), target)
        files.append(target.relative_to(folder).as_posix())
    marker = {
        **info,
        "shard": shard,
        "read": sum(len(rows) for rows in parts.values()),
        "failed": len(failures),
        "files": files,
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _write_bytes(folder / DONE / f"{shard}.json", json.dumps(marker, indent=1).encode("utf-8"))
    return marker


def _reading_row(reading: Reading, digest: str, shard: str, seq: int) -> dict[str, Any]:
    return {
        "id": reading.id,
        "month": month_of(reading),
        "language": reading.language,
        "published": reading.published.date.isoformat() if reading.published else None,
        "digest": digest,
        "reading": reading.model_dump_json(),
        "shard": shard,
        "seq": seq,
    }


def _failure_row(error: ReadError, digest: str | None, shard: str, seq: int) -> dict[str, Any]:
    return {
        "key": error.id or error.path or "?",
        "id": error.id,
        "path": error.path,
        "digest": digest,
        "kind": error.error.kind,
        "message": error.error.message,
        "error": error.model_dump_json(exclude_none=True),
        "shard": shard,
        "seq": seq,
    }


def _write_table(table: pa.Table, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    pq.write_table(table, temporary, compression="zstd")
    os.replace(temporary, target)


def _write_bytes(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)


# -- reading back -------------------------------------------------------------------------------------------


def _complete(files: Iterator[Path], done: set[str]) -> list[Path]:
    return sorted(f for f in files if f.stem in done)


def months(folder: Path) -> list[str]:
    """The month partitions of complete shards, in publication order (undated last)."""
    done = done_keys(folder)
    found = {
        f.parent.parent.name.split("=", 1)[1]
        for f in _complete((folder / READINGS).glob("month=*/language=*/*.parquet"), done)
    }
    return sorted(found, key=lambda m: (m == UNDATED, m))


def iter_readings(folder: Path, month: str) -> Iterator[dict[str, Any]]:
    """The rows of one month (every language), in publication order, a batch of each file at a time."""
    done = done_keys(folder)
    files = _complete((folder / READINGS / f"month={month}").glob("language=*/*.parquet"), done)
    streams = [
        _rows(pq.ParquetFile(f), ["id", "published", "digest", "reading", "shard", "seq"]) for f in files
    ]
    yield from heapq.merge(
        *streams, key=lambda r: (*order_key(r["published"], r["id"], r["digest"]), r["shard"], r["seq"])
    )


def iter_failures(folder: Path) -> Iterator[dict[str, Any]]:
    """The failures of complete shards, shard by shard, in each shard's order."""
    done = done_keys(folder)
    for path in _complete((folder / FAILURES).glob("*.parquet"), done):
        yield from _rows(pq.ParquetFile(path), None)


def _rows(handle: pq.ParquetFile, columns: list[str] | None) -> Iterator[dict[str, Any]]:
    for batch in handle.iter_batches(batch_size=BATCH_ROWS, columns=columns):
        yield from batch.to_pylist()
