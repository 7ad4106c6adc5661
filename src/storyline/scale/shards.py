"""Sources cut into shards, and shards turned back into raw inputs on a worker.

A shard is the unit of work and of completion: one file, one JSONL file, one WARC archive (streamed), one
feed, sitemap, OPML list or URL, or a chunk of a folder's files. Its key hashes what it names and, for local
files, their size and modification time, so a shard whose files changed is a new shard; a URL's key holds
the day, so a run on the same day resumes and a run on the next day fetches again.

A shard is expanded with the same iterators as the local engine (:func:`~storyline.ingest.web.iter_sources`,
:func:`~storyline.ingest.sources.iter_inputs`), so a document gets the same id, kind and content either way.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from storyline.ingest.fetch import FetchConfig
from storyline.ingest.sources import DEFAULT_MAX_BYTES, RawInput, _from_file, iter_inputs
from storyline.ingest.web import detect_kind, is_url, iter_sources
from storyline.records import ReadError

Item = RawInput | ReadError


@dataclass(frozen=True)
class Shard:
    """One unit of work. ``kind`` is ``source`` (one name given to ``iter_sources``), ``jsonl`` (a file
    given with --input), ``files`` (a chunk of the folder ``root``) or ``inline`` (items already read, such
    as standard input, pickled in ``payload``)."""

    index: int  # its place among the job's shards: outputs keep this order
    kind: str
    names: tuple[str, ...]
    key: str
    root: str | None = None
    payload: bytes | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        """What the shard holds, for messages."""
        if self.kind == "files":
            return f"{self.root} ({len(self.names)} files from {Path(self.names[0]).name})"
        return self.names[0] if self.names else self.kind


def plan(
    sources: Iterable[str],
    jsonl: Iterable[str] = (),
    *,
    shard_size: int = 0,
    workers: int = 1,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[Shard]:
    """The shards of a job, in the order the local engine reads their documents. A folder is cut into
    chunks of ``shard_size`` files (0: about four chunks per worker, at most 256 files each)."""
    shards: list[Shard] = []
    for name in sources:
        if name == "-":
            items = list(iter_inputs(["-"], max_bytes=max_bytes))
            shards.append(_shard(len(shards), "inline", ("-",), payload=pickle.dumps(items)))
        elif not is_url(name) and detect_kind(name) == "folder":
            shards += _folder_shards(Path(name), len(shards), shard_size, workers)
        else:
            shards.append(_shard(len(shards), "source", (name,)))
    for name in jsonl:
        shards.append(_shard(len(shards), "jsonl", (name,)))
    return shards


def _folder_shards(folder: Path, start: int, shard_size: int, workers: int) -> list[Shard]:
    """The folder's files in the order :func:`iter_inputs` reads them, in chunks."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    if not files:  # iter_sources reports the empty folder
        return [_shard(start, "source", (str(folder),))]
    size = shard_size or min(256, max(1, -(-len(files) // (4 * max(1, workers)))))
    chunks = [files[k : k + size] for k in range(0, len(files), size)]
    return [
        _shard(start + n, "files", tuple(str(f) for f in chunk), root=str(folder))
        for n, chunk in enumerate(chunks)
    ]


def _shard(
    index: int, kind: str, names: tuple[str, ...], *, root: str | None = None, payload: bytes | None = None
) -> Shard:
    return Shard(index, kind, names, shard_key(kind, names, root, payload), root, payload)


def shard_key(kind: str, names: tuple[str, ...], root: str | None, payload: bytes | None) -> str:
    """A name for a shard that changes when its content may have changed."""
    digest = hashlib.sha256(f"{kind}\x1f{root or ''}".encode())
    for name in names:
        digest.update(b"\x1e" + name.encode("utf-8") + b"\x1f" + _fingerprint(name).encode())
    if payload is not None:
        digest.update(payload)
    return digest.hexdigest()[:24]


def _fingerprint(name: str) -> str:
    if is_url(name):
        return datetime.now(UTC).date().isoformat()
    try:
        stat = Path(name).stat()
    except OSError:
        return "missing"
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def expand(
    shard: Shard, *, fetch: FetchConfig | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Item]:
    """The shard's documents (and the inputs that could not even be read), in order, streamed."""
    if shard.kind == "inline":
        assert shard.payload is not None
        yield from pickle.loads(shard.payload)
    elif shard.kind == "files":
        root = Path(shard.root or ".")
        for name in shard.names:
            yield from _from_file(Path(name), root, max_bytes)
    elif shard.kind == "jsonl":
        yield from iter_inputs([], shard.names, max_bytes=max_bytes)
    else:
        yield from iter_sources(shard.names, config=fetch, max_bytes=max_bytes)
