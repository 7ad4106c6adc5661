"""Web archives (WARC, plain or gzipped) read as a stream, one record at a time.

A ``response`` record with HTTP status 200 and an HTML or plain-text body, or a ``resource`` record of type
text/html or text/plain, becomes a :class:`~storyline.ingest.sources.RawInput`. Other response records (an
error status, an image, a body over the size limit) become a :class:`~storyline.records.ReadError` with the
reason, and reading goes on. Request, metadata, warcinfo and revisit records carry no document and are skipped.
A corrupt or truncated archive ends with one ReadError.
"""

from __future__ import annotations

import random
import resource
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyline.ingest.fetch import KEPT_HEADERS, PAGE_TYPES, canonical_url, decode_body, media_type
from storyline.ingest.sources import DEFAULT_MAX_BYTES, RawInput, error
from storyline.records import Provenance, ReadError

_READ = 64 * 1024


def iter_warc(
    path: Path | str, *, source: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[RawInput | ReadError]:
    """The documents of a WARC file, in the archive's order, without reading the file into memory."""
    name = str(path)
    source = source or name
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, after the generator is done
    except OSError as exc:
        yield error("unreadable", f"cannot read {name}: {exc.strerror or exc}", path=name)
        return
    with handle:
        yield from _records(handle, name, source, max_bytes)


def _records(handle: IO[bytes], name: str, source: str, max_bytes: int) -> Iterator[RawInput | ReadError]:
    number = 0
    try:
        for record in ArchiveIterator(handle):
            number += 1
            broken = _broken(record)
            item = None if broken else _record(record, source, max_bytes, f"{name}#{number}")
            broken = broken or _drain(record)
            if broken:
                yield error("corrupt", f"record {number} of the archive is broken: {broken}", path=name)
                return
            if item is not None:
                yield item
    except (ArchiveLoadFailed, EOFError, OSError, zlib.error, ValueError) as exc:
        yield error("corrupt", f"the archive is broken after record {number}: {exc}", path=name)


def _broken(record: Any) -> str | None:
    """Why a record cannot be trusted: not WARC (warcio reads unknown bytes as an old ARC header), or no
    length."""
    if record.format != "warc":
        return "not a WARC record (ARC files and other formats are not read)"
    if not (record.rec_headers.get_header("Content-Length") or "").strip().isdigit():
        return "no valid Content-Length"
    return None


def _drain(record: Any) -> str | None:
    """Read what is left of the record (warcio would do the same before the next one) and tell whether the
    file ended before the record's announced length: a truncated archive."""
    stream = record.raw_stream
    while stream.read(_READ):
        pass
    if getattr(stream, "limit", 0) > 0:
        return f"the file ends {stream.limit} bytes before the record does"
    return None


def _record(record: Any, source: str, max_bytes: int, where: str) -> RawInput | ReadError | None:
    """One record as a document, as the reason it is not one, or None when it carries no document."""
    if record.rec_type not in ("response", "resource"):
        return None
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    doc_id = canonical_url(url) if url.startswith(("http://", "https://")) else url or where
    if record.rec_type == "response":
        if record.http_headers is None:
            return error("not_http", "a response record without HTTP headers", id=doc_id, path=where)
        status = int(record.http_headers.get_statuscode() or 0)
        content_type = record.http_headers.get_header("Content-Type")
    else:
        status = 200
        content_type = record.rec_headers.get_header("Content-Type")
    if status != 200:
        return error("http_status", f"HTTP {status} in the archive", id=doc_id, path=where)
    kind = media_type(content_type)
    if kind not in PAGE_TYPES:
        return error("not_html", f"archived content of type {kind or 'unknown'}", id=doc_id, path=where)
    body = _read_at_most(record.content_stream(), max_bytes + 1)
    if len(body) > max_bytes:
        return error("too_large", f"record over the limit of {max_bytes} bytes", id=doc_id, path=where)
    decoded = decode_body(body, content_type)
    if decoded is None:
        return error("binary", "the archived body is not text in a known encoding", id=doc_id, path=where)
    return RawInput(
        id=doc_id,
        kind="text" if kind == "text/plain" else "html",
        text=decoded[0],
        path=where,
        url=url or None,
        provenance=Provenance(
            source=source,
            url=url or None,
            fetched_at=_warc_date(record.rec_headers.get_header("WARC-Date")),
            status=status,
            headers=_headers(record, content_type),
            entry={"warc_record_id": record.rec_headers.get_header("WARC-Record-ID")},
        ),
    )


def _read_at_most(stream: IO[bytes], limit: int) -> bytes:
    parts: list[bytes] = []
    size = 0
    while size < limit:
        chunk = stream.read(min(_READ, limit - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


def _headers(record: Any, content_type: str | None) -> dict[str, str]:
    found = {"content-type": content_type} if content_type else {}
    if record.http_headers is not None:
        for name in KEPT_HEADERS:
            value = record.http_headers.get_header(name)
            if value:
                found[name] = value
    return found


def _warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


# -- benchmark ---------------------------------------------------------------------------------------------

_WORDS = [
    "summit",
    "leaders",
    "minister",
    "agreement",
    "trade",
    "energy",
    "declaration",
    "capital",
    "talks",
    "cooperation",
    "transport",
    "investment",
    "region",
    "delegation",
    "president",
    "visit",
    "partnership",
    "security",
    "water",
    "climate",
    "railway",
]


def write_synthetic_warc(path: Path, megabytes: int, *, seed: int = 7) -> int:
    """Write a gzipped WARC of about ``megabytes`` MB of HTML response records (~20 KB each); return how
    many records it holds."""
    rng = random.Random(seed)
    target = megabytes * 1024 * 1024
    count = 0
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        while handle.tell() < target:
            count += 1
            body = _synthetic_page(rng, count)
            http = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                f"https://bench.example/article/{count}", "response", payload=BytesIO(body), http_headers=http
            )
            writer.write_record(record)
    return count


def _synthetic_page(rng: random.Random, number: int) -> bytes:
    paragraphs = []
    size = 0
    while size < 20_000:
        sentence = " ".join(rng.choice(_WORDS) for _ in range(120)).capitalize() + "."
        paragraphs.append(f"<p>{sentence}</p>")
        size += len(sentence) + 7
    html = f"<html><head><title>Article {number}</title></head><body><article>{''.join(paragraphs)}</article></body></html>"
    return html.encode("utf-8")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def bench_warc(megabytes: int, workdir: Path) -> dict[str, Any]:
    """Write a synthetic WARC.gz of about ``megabytes`` MB in ``workdir``, read it back with
    :func:`iter_warc`, and report the records read, the time taken and the peak memory before and after
    reading: a flat peak shows the archive is streamed."""
    path = workdir / "bench.warc.gz"
    write_synthetic_warc(path, megabytes)
    before = _peak_rss_mb()
    started = time.perf_counter()
    records = sum(1 for item in iter_warc(path) if isinstance(item, RawInput))
    seconds = time.perf_counter() - started
    return {
        "megabytes": megabytes,
        "records": records,
        "seconds": round(seconds, 3),
        "peak_rss_mb_before": round(before, 1),
        "peak_rss_mb_after": round(_peak_rss_mb(), 1),
    }
