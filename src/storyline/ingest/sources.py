"""Turn what the user names (files, folders, standard input, JSONL) into raw inputs, in order.

Nothing here parses content: a :class:`RawInput` carries bytes or text to a worker, which turns it into a
:class:`~storyline.records.Document`. What cannot even be read (a missing path, a file over the size limit,
a JSONL line that is not JSON) becomes a :class:`~storyline.records.ReadError` at once.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from storyline.records import ErrorInfo, Provenance, ReadError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl"}


@dataclass
class RawInput:
    """One document before decoding and extraction."""

    id: str
    kind: str  # "text", "html" or "markdown"
    data: bytes | None = None
    text: str | None = None
    path: str | None = None
    url: str | None = None
    title: str | None = None
    language: str | None = None
    published: str | None = None
    provenance: Provenance | None = None


def stable_id(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def error(kind: str, message: str, *, id: str | None = None, path: str | None = None) -> ReadError:
    return ReadError(id=id, path=path, error=ErrorInfo(kind=kind, message=message))


def kind_of(path: Path, data: bytes | None = None) -> str:
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in {".md", ".markdown"}:
        return "markdown"
    if suffix in TEXT_SUFFIXES:
        return "text"
    head = (data or b"")[:1024].lstrip().lower()
    return "html" if head.startswith((b"<!doctype html", b"<html")) else "text"


def iter_inputs(
    paths: Iterable[str], jsonl: Iterable[str] = (), *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[RawInput | ReadError]:
    """Every document named by ``paths`` (files, folders searched recursively, ``-`` for standard input) and
    by the JSONL files ``jsonl``, in the order given; folders in sorted order."""
    for name in paths:
        if name == "-":
            data = sys.stdin.buffer.read(max_bytes + 1)
            yield from _from_bytes(
                "stdin:" + stable_id(data.hex()[:4096]), data, "-", Path("stdin"), max_bytes
            )
            continue
        path = Path(name)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            if not files:
                yield error("empty_folder", f"folder {name} holds no files", path=name)
            for file in files:
                yield from _from_file(file, path, max_bytes)
        else:
            yield from _from_file(path, None, max_bytes)
    for name in jsonl:
        yield from iter_jsonl(Path(name), max_bytes=max_bytes)


def _id_for(file: Path, root: Path | None) -> str:
    """The path relative to the folder named (the file name for a file named alone): stable across runs and
    machines, and unique within a run."""
    return (file.relative_to(root) if root is not None else Path(file.name)).as_posix()


def _from_file(file: Path, root: Path | None, max_bytes: int) -> Iterator[RawInput | ReadError]:
    name = str(file)
    try:
        size = file.stat().st_size
        if size > max_bytes:
            yield error("too_large", f"{size} bytes is over the limit of {max_bytes} bytes", path=name)
            return
        if file.suffix.lower() in JSONL_SUFFIXES:
            yield from iter_jsonl(file, max_bytes=max_bytes)
            return
        data = file.read_bytes()
    except OSError as exc:
        yield error("unreadable", f"cannot read {name}: {exc.strerror or exc}", path=name)
        return
    yield from _from_bytes(_id_for(file, root), data, name, file, max_bytes)


def _from_bytes(
    doc_id: str, data: bytes, name: str, path: Path, max_bytes: int
) -> Iterator[RawInput | ReadError]:
    if len(data) > max_bytes:
        yield error("too_large", f"over the limit of {max_bytes} bytes", id=doc_id, path=name)
        return
    yield RawInput(id=doc_id, kind=kind_of(path, data), data=data, path=name)


def iter_jsonl(file: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[RawInput | ReadError]:
    """Records ``{"id", "url"?, "published"?, "language"?, "title"?, "text" | "html"}``, one per line."""
    name = str(file)
    try:
        handle = file.open("rb")
    except OSError as exc:
        yield error("unreadable", f"cannot read {name}: {exc.strerror or exc}", path=name)
        return
    with handle:
        for number, line in enumerate(handle, start=1):
            where = f"{name}:{number}"
            if not line.strip():
                continue
            if len(line) > max_bytes:
                yield error(
                    "too_large", f"line of {len(line)} bytes is over the limit of {max_bytes}", path=where
                )
                continue
            yield _record(line, where)


def _record(line: bytes, where: str) -> RawInput | ReadError:
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return error("bad_json", f"not a JSON object: {exc}", path=where)
    if not isinstance(record, dict):
        return error("bad_json", "a JSONL line must be a JSON object", path=where)
    doc_id = record.get("id")
    text, html = record.get("text"), record.get("html")
    body = html if isinstance(html, str) and html.strip() else text
    if not isinstance(body, str) or not body.strip():
        return error("no_text", "the record has no 'text' or 'html' string", id=_str(doc_id), path=where)
    url = _str(record.get("url"))
    if doc_id is None:
        doc_id = stable_id(url) if url else stable_id(body)
    published = _str(record.get("published"))
    if published is not None:
        try:
            date.fromisoformat(published[:10])
        except ValueError:
            return error(
                "bad_date", f"'published' must be YYYY-MM-DD, got {published!r}", id=str(doc_id), path=where
            )
    return RawInput(
        id=str(doc_id),
        kind="html" if body is html else "text",
        text=body,
        path=where,
        url=url,
        title=_str(record.get("title")),
        language=_str(record.get("language")),
        published=published[:10] if published else None,
    )


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
