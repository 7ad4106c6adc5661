"""Sources on the web and in archives: feeds (RSS, Atom), OPML lists of feeds, sitemaps (news sitemaps
included), single pages and WARC files, each turned into :class:`~storyline.ingest.sources.RawInput` with a
:class:`~storyline.records.Provenance`, or into a :class:`~storyline.records.ReadError`.

:func:`iter_sources` is the entry point: files, folders and ``-`` go to
:func:`~storyline.ingest.sources.iter_inputs` unchanged; URLs and feed, OPML, sitemap and WARC files go to the
readers here. A :class:`SourceState` makes runs incremental: conditional requests for feeds and sitemaps, and
feed entries or sitemap URLs already read are skipped.
"""

from __future__ import annotations

import email.utils
import re
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname

import feedparser
from lxml import etree

from storyline.ingest.fetch import (
    PAGE_TYPES,
    XML_TYPES,
    FetchConfig,
    Fetcher,
    FetchResult,
    canonical_url,
    media_type,
)
from storyline.ingest.sources import DEFAULT_MAX_BYTES, RawInput, error, iter_inputs, kind_of
from storyline.ingest.warc import iter_warc
from storyline.records import Provenance, ReadError

SOURCE_TYPES = PAGE_TYPES | XML_TYPES
FEED_SUFFIXES = (".rss", ".atom", ".xml", ".rdf")
_ROOT = re.compile(rb"<(?![?!])([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)

Item = RawInput | ReadError


class SourceState(Protocol):
    """What a run remembers for the next one. ``validators`` and ``remember`` keep the ETag and Last-Modified
    of a feed or sitemap URL; ``seen`` and ``mark_seen`` keep the feed entries (by GUID) and sitemap URLs
    already read from a source."""

    def validators(self, url: str) -> tuple[str | None, str | None]: ...

    def remember(
        self, url: str, etag: str | None, last_modified: str | None, status: int | None, fetched_at: datetime
    ) -> None: ...

    def seen(self, source: str, guid: str) -> bool: ...

    def mark_seen(self, source: str, guid: str) -> None: ...


@dataclass
class MemoryState:
    """A :class:`SourceState` held in dictionaries, for tests and one-off runs."""

    fetched: dict[str, tuple[str | None, str | None, int | None, datetime]] = field(default_factory=dict)
    guids: set[tuple[str, str]] = field(default_factory=set)

    def validators(self, url: str) -> tuple[str | None, str | None]:
        known = self.fetched.get(url)
        return (known[0], known[1]) if known else (None, None)

    def remember(
        self, url: str, etag: str | None, last_modified: str | None, status: int | None, fetched_at: datetime
    ) -> None:
        self.fetched[url] = (etag, last_modified, status, fetched_at)

    def seen(self, source: str, guid: str) -> bool:
        return (source, guid) in self.guids

    def mark_seen(self, source: str, guid: str) -> None:
        self.guids.add((source, guid))


@dataclass
class _Run:
    """What the readers of one :func:`iter_sources` call share."""

    fetcher: Fetcher
    state: SourceState | None
    max_bytes: int
    sitemap_depth: int
    sitemap_urls: int


# -- kinds -------------------------------------------------------------------------------------------------


def is_url(name: str) -> bool:
    """A name with a scheme (``https://``, ``ftp://``, ``file:``), as opposed to a path. Windows drive letters
    are paths."""
    return bool(_SCHEME.match(name)) and not re.match(r"^[A-Za-z]:[\\/]", name)


def file_path(url: str) -> Path:
    """The local path of a ``file:`` URL. feedparser turns ``file:///tmp/a`` into ``file://tmp/a``; a host
    other than localhost is read back as the path's first folder."""
    parts = urlsplit(url)
    path = parts.path
    if parts.netloc and parts.netloc.lower() != "localhost":
        path = f"/{parts.netloc}{path}"
    return Path(url2pathname(unquote(path)))


def sniff(head: bytes) -> str | None:
    """The kind of a document from its first bytes: feed, opml, sitemap, warc or page; None if unknown."""
    if head.startswith(b"WARC/"):
        return "warc"
    text = _COMMENT.sub(b"", head[:4096]).lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:15].lower().startswith((b"<!doctype html", b"<html")):
        return "page"
    match = _ROOT.search(text)
    if not match:
        return None
    root = match.group(2).lower()
    if root in (b"rss", b"feed", b"rdf", b"channel"):
        return "feed"
    if root == b"opml":
        return "opml"
    if root in (b"urlset", b"sitemapindex"):
        return "sitemap"
    if root == b"html":
        return "page"
    return None


FEED_WORDS = ("feed", "rss", "atom")


def detect_kind(name_or_url: str, head_bytes: bytes | None = None) -> str:
    """feed, opml, sitemap, warc, page (a URL), file or folder. The name's extension decides when it can; the
    first bytes (``head_bytes``, or read from a local file) decide otherwise."""
    lowered = name_or_url.lower().split("?", 1)[0].split("#", 1)[0]
    if lowered.endswith((".warc", ".warc.gz")):
        return "warc"
    if lowered.endswith(".opml"):
        return "opml"
    if is_url(name_or_url):
        sniffed = sniff(head_bytes) if head_bytes else None
        if sniffed:
            return sniffed
        if "sitemap" in lowered and lowered.endswith((".xml", ".xml.gz")):
            return "sitemap"
        # a URL named like a feed (/feed.xml, /rss, .atom) is taken for one; fetching it decides anyway
        url_path = urlsplit(lowered).path
        if (
            url_path.endswith((".rss", ".atom", ".rdf", ".xml"))
            or url_path.rstrip("/").rsplit("/", 1)[-1] in FEED_WORDS
        ):
            return "feed"
        return "page"
    path = Path(name_or_url)
    if path.is_dir():
        return "folder"
    if head_bytes is None and path.is_file() and path.suffix.lower() in FEED_SUFFIXES:
        try:
            with path.open("rb") as handle:
                head_bytes = handle.read(4096)
        except OSError:
            head_bytes = None
    sniffed = sniff(head_bytes) if head_bytes else None
    return sniffed if sniffed in ("feed", "opml", "sitemap", "warc") else "file"


# -- the entry point ---------------------------------------------------------------------------------------


def iter_sources(
    names: Iterable[str],
    *,
    fetcher: Fetcher | None = None,
    config: FetchConfig | None = None,
    state: SourceState | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    sitemap_depth: int = 3,
    sitemap_urls: int = 1000,
) -> Iterator[Item]:
    """Every document the named sources hold, in order. A fetcher is made from ``config`` when none is given
    (and closed at the end). ``sitemap_depth`` limits how deep sitemap indexes are followed, ``sitemap_urls``
    how many URLs are taken from one sitemap."""
    own = fetcher is None
    run = _Run(fetcher or Fetcher(config), state, max_bytes, sitemap_depth, sitemap_urls)
    try:
        for name in names:
            yield from _dispatch(name, run)
    finally:
        if own:
            run.fetcher.close()


def _dispatch(name: str, run: _Run) -> Iterator[Item]:
    if name == "-":
        yield from iter_inputs([name], max_bytes=run.max_bytes)
        return
    if is_url(name):
        if urlsplit(name).scheme.lower() in ("http", "https"):
            yield from _from_url(name, run)
        else:
            yield error("scheme", f"only http and https URLs are fetched, not {name!r}", id=name, path=name)
        return
    kind = detect_kind(name)
    if kind == "warc":
        yield from iter_warc(Path(name), source=name, max_bytes=run.max_bytes)
    elif kind in ("feed", "opml", "sitemap"):
        yield from _from_local(name, kind, run)
    else:
        yield from iter_inputs([name], max_bytes=run.max_bytes)


def _from_local(name: str, kind: str, run: _Run) -> Iterator[Item]:
    path = Path(name)
    try:
        if path.stat().st_size > run.max_bytes:
            yield error("too_large", f"{name} is over the limit of {run.max_bytes} bytes", path=name)
            return
        data = path.read_bytes()
    except OSError as exc:
        yield error("unreadable", f"cannot read {name}: {exc.strerror or exc}", path=name)
        return
    base = path.resolve().as_uri()
    if kind == "feed":
        yield from _feed_entries(name, data, base, run)
    elif kind == "opml":
        yield from _opml(name, data, base, run)
    else:
        yield from _sitemap(name, data, base, run, depth=0)


def _from_url(url: str, run: _Run) -> Iterator[Item]:
    """A URL named by the user: fetched once (conditionally), then read as what it turns out to be."""
    result = _fetch_source(url, run)
    if result is None:
        return
    if not result.ok:
        yield _fetch_error(result)
        return
    kind = sniff(result.body[:4096]) or _kind_from_type(result.media_type) or detect_kind(url)
    if kind == "feed":
        yield from _feed_entries(url, result.body, result.final_url, run)
    elif kind == "opml":
        yield from _opml(url, result.body, result.final_url, run)
    elif kind == "sitemap" or _is_gzip(result.body):
        yield from _sitemap(url, result.body, result.final_url, run, depth=0)
    elif kind == "warc":
        yield error(
            "unsupported", "WARC files are read from disk: download the archive first", id=url, path=url
        )
    else:
        yield _page_input(result, source=url, entry=None)


def _kind_from_type(kind: str | None) -> str | None:
    if kind in ("application/rss+xml", "application/atom+xml", "application/rdf+xml"):
        return "feed"
    if kind in ("text/x-opml", "text/x-opml+xml"):
        return "opml"
    if kind in ("text/html", "application/xhtml+xml", "text/plain"):
        return "page"
    return None


def _fetch_source(url: str, run: _Run) -> FetchResult | None:
    """Fetch a feed, sitemap or page named as a source, conditionally when the state knows it. None when the
    server says it has not changed."""
    etag, last_modified = run.state.validators(url) if run.state else (None, None)
    result = run.fetcher.fetch(url, etag=etag, last_modified=last_modified, accept=SOURCE_TYPES)
    if run.state is not None and (result.ok or result.not_modified):
        run.state.remember(
            url,
            result.headers.get("etag") or etag,
            result.headers.get("last-modified") or last_modified,
            result.status,
            result.fetched_at,
        )
    return None if result.not_modified else result


def _fetch_error(result: FetchResult) -> ReadError:
    assert result.error is not None
    return error(result.error.kind, result.error.message, id=result.url, path=result.url)


def _page_input(result: FetchResult, *, source: str, entry: dict[str, Any] | None) -> Item:
    """A fetched page as a raw input; its id is the URL after redirects, without fragment."""
    url = canonical_url(result.final_url)
    kind = media_type(result.headers.get("content-type"))
    if kind is not None and kind not in PAGE_TYPES:
        return error("not_html", f"expected a web page, got {kind}", id=url, path=result.url)
    if result.text is None:
        return error("binary", "the page is not text in any known encoding", id=url, path=result.url)
    is_text = kind == "text/plain" or (kind is None and kind_of(Path("page"), result.body) == "text")
    return RawInput(
        id=url,
        kind="text" if is_text else "html",
        text=result.text,
        url=url,
        provenance=Provenance(
            source=source,
            url=url,
            fetched_at=result.fetched_at,
            status=result.status,
            headers=result.headers,
            entry=entry,
        ),
    )


# -- feeds -------------------------------------------------------------------------------------------------


@dataclass
class _Entry:
    guid: str
    link: str | None
    title: str | None
    published: str | None
    language: str | None
    content: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"guid": self.guid, "link": self.link, "title": self.title, "published": self.published}


def _feed_entries(source: str, data: bytes, base: str, run: _Run) -> Iterator[Item]:
    """Every entry of an RSS or Atom feed not seen before, as the page it links to."""
    parsed = feedparser.parse(data)
    if not parsed.entries:
        if parsed.get("bozo"):
            reason = parsed.get("bozo_exception")
            yield error("bad_feed", f"not a readable feed: {reason}", id=source, path=source)
        return
    language = _language(parsed.feed.get("language"))
    for raw_entry in parsed.entries:
        entry = _entry(raw_entry, base, language)
        if entry is None:
            yield error("bad_feed", "a feed entry has neither a guid nor a link", path=source)
            continue
        if run.state is not None and run.state.seen(source, entry.guid):
            continue
        item = _entry_document(source, entry, base, run)
        if run.state is not None and isinstance(item, RawInput) and not _from_feed(item):
            run.state.mark_seen(source, entry.guid)
        yield item


def _from_feed(item: RawInput) -> bool:
    entry = item.provenance.entry if item.provenance else None
    return bool(entry and entry.get("content_from_feed"))


def _entry(raw: Any, base: str, feed_language: str | None) -> _Entry | None:
    link = raw.get("link")
    link = urljoin(base, link) if link else None
    guid = raw.get("id") or link
    if not guid:
        return None
    contents = raw.get("content") or []
    content = next((c.get("value") for c in contents if c.get("value")), None)
    return _Entry(
        guid=guid,
        link=link,
        title=raw.get("title") or None,
        published=_entry_date(raw),
        language=_language(raw.get("language")) or feed_language,
        content=content,
    )


def _entry_date(raw: Any) -> str | None:
    """The entry's date as written (in its own time zone), YYYY-MM-DD."""
    for key in ("published", "updated", "created"):
        value = raw.get(key)
        if value:
            day = parse_date(value)
            if day:
                return day
    for key in ("published_parsed", "updated_parsed"):
        parsed = raw.get(key)
        if parsed:
            return time.strftime("%Y-%m-%d", parsed)
    return None


def parse_date(value: str) -> str | None:
    """YYYY-MM-DD out of an RFC 822 or ISO 8601 date, in the time zone it is written in."""
    value = value.strip()
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def _language(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return re.split(r"[-_]", value.strip(), maxsplit=1)[0].lower() or None


def _entry_document(source: str, entry: _Entry, base: str, run: _Run) -> Item:
    """The page an entry links to; the entry's own content if the page cannot be had."""
    details = entry.as_dict()
    if entry.link is None:
        item: Item = error("no_link", "the entry has no link", id=entry.guid, path=source)
    elif base.startswith("file:") and entry.link.startswith("file:"):
        item = _local_link(source, entry, run)
    elif is_url(entry.link) and urlsplit(entry.link).scheme.lower() in ("http", "https"):
        result = run.fetcher.fetch(entry.link, accept=PAGE_TYPES)
        item = _page_input(result, source=source, entry=details) if result.ok else _fetch_error(result)
    else:
        item = error("scheme", f"only http and https links are fetched, not {entry.link!r}", id=entry.link)
    if isinstance(item, ReadError) and entry.content:
        return _content_input(source, entry, item)
    if isinstance(item, RawInput):
        item.title = entry.title or item.title
        item.published = entry.published or item.published
        item.language = entry.language or item.language
    return item


def _content_input(source: str, entry: _Entry, failure: ReadError) -> RawInput:
    """The content the feed carries for an entry whose page could not be fetched."""
    details = entry.as_dict() | {"content_from_feed": True, "page_error": failure.error.kind}
    doc_id = canonical_url(entry.link) if entry.link and is_url(entry.link) else entry.guid
    return RawInput(
        id=doc_id,
        kind="html",
        text=entry.content,
        url=entry.link,
        title=entry.title,
        language=entry.language,
        published=entry.published,
        provenance=Provenance(source=source, url=entry.link, entry=details),
    )


def _local_link(source: str, entry: _Entry, run: _Run) -> Item:
    """A link from a local feed to a local file: read from disk. Its id is its path relative to the feed's
    folder when it lies under it (stable across machines), else its absolute path."""
    assert entry.link is not None
    path = file_path(entry.link)
    root = Path(source).resolve().parent
    doc_id = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    try:
        size = path.stat().st_size
        if size > run.max_bytes:
            return error(
                "too_large", f"{size} bytes is over the limit of {run.max_bytes}", id=doc_id, path=str(path)
            )
        data = path.read_bytes()
    except OSError as exc:
        return error("unreadable", f"cannot read {path}: {exc.strerror or exc}", id=doc_id, path=str(path))
    return RawInput(
        id=doc_id,
        kind=kind_of(path, data),
        data=data,
        path=str(path),
        provenance=Provenance(source=source, url=entry.link, entry=entry.as_dict()),
    )


# -- OPML --------------------------------------------------------------------------------------------------


def _opml(source: str, data: bytes, base: str, run: _Run) -> Iterator[Item]:
    """Every feed an OPML file lists (outlines with an xmlUrl), read in turn."""
    try:
        root = etree.fromstring(data, parser=_XML_PARSER)
    except etree.XMLSyntaxError as exc:
        yield error("bad_opml", f"not readable OPML: {exc}", id=source, path=source)
        return
    for outline in root.iter("{*}outline"):
        feed = outline.get("xmlUrl")
        if feed:
            yield from _dispatch_feed(urljoin(base, feed.strip()), run)


def _dispatch_feed(url: str, run: _Run) -> Iterator[Item]:
    if url.startswith("file:"):
        yield from _from_local(str(file_path(url)), "feed", run)
    elif urlsplit(url).scheme.lower() in ("http", "https"):
        result = _fetch_source(url, run)
        if result is not None and not result.ok:
            yield _fetch_error(result)
        elif result is not None:
            yield from _feed_entries(url, result.body, result.final_url, run)
    else:
        yield error("scheme", f"only http and https feeds are fetched, not {url!r}", id=url, path=url)


# -- sitemaps ----------------------------------------------------------------------------------------------


@dataclass
class _SitemapUrl:
    loc: str
    lastmod: str | None = None
    published: str | None = None
    title: str | None = None
    language: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v is not None}


def _is_gzip(data: bytes) -> bool:
    return data[:2] == b"\x1f\x8b"


def _gunzip(data: bytes, limit: int) -> bytes | None:
    """A gzipped sitemap (sitemap.xml.gz), inflated up to ``limit`` bytes; None if larger or corrupt."""
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error:
        return None
    return out if len(out) <= limit else None


def _sitemap(source: str, data: bytes, base: str, run: _Run, *, depth: int) -> Iterator[Item]:
    """A urlset's pages, or, for a sitemap index, the pages of the sitemaps it lists (up to the depth)."""
    if _is_gzip(data):
        inflated = _gunzip(data, run.max_bytes)
        if inflated is None:
            yield error(
                "decompression", "the gzipped sitemap is corrupt or too large", id=source, path=source
            )
            return
        data = inflated
    try:
        root = etree.fromstring(data, parser=_XML_PARSER)
    except etree.XMLSyntaxError as exc:
        yield error("bad_sitemap", f"not a readable sitemap: {exc}", id=source, path=source)
        return
    name = etree.QName(root).localname
    if name == "sitemapindex":
        yield from _sitemap_index(source, root, base, run, depth)
    elif name == "urlset":
        for url in _urlset(root, base)[: run.sitemap_urls]:
            yield from _sitemap_page(source, url, run)
    else:
        yield error(
            "bad_sitemap", f"a sitemap's root is urlset or sitemapindex, not {name}", id=source, path=source
        )


def _sitemap_index(source: str, root: Any, base: str, run: _Run, depth: int) -> Iterator[Item]:
    if depth >= run.sitemap_depth:
        yield error(
            "too_deep", f"sitemap indexes nested deeper than {run.sitemap_depth}", id=source, path=source
        )
        return
    locations = [_text(node) for node in root.iter("{*}loc")]
    for loc in [loc for loc in locations if loc][: run.sitemap_urls]:
        url = urljoin(base, loc)
        if url.startswith("file:"):
            yield from _local_sitemap(url, run, depth + 1)
            continue
        result = _fetch_source(url, run)
        if result is not None and not result.ok:
            yield _fetch_error(result)
        elif result is not None:
            yield from _sitemap(url, result.body, result.final_url, run, depth=depth + 1)


def _local_sitemap(url: str, run: _Run, depth: int) -> Iterator[Item]:
    path = file_path(url)
    try:
        data = path.read_bytes() if path.stat().st_size <= run.max_bytes else None
    except OSError as exc:
        yield error("unreadable", f"cannot read {path}: {exc.strerror or exc}", path=str(path))
        return
    if data is None:
        yield error("too_large", f"{path} is over the limit of {run.max_bytes} bytes", path=str(path))
        return
    yield from _sitemap(str(path), data, url, run, depth=depth)


def _urlset(root: Any, base: str) -> list[_SitemapUrl]:
    urls = []
    for node in root.iterchildren("{*}url"):
        loc = _text(node.find("{*}loc"))
        if not loc:
            continue
        news = node.find("{*}news")
        entry = _SitemapUrl(loc=urljoin(base, loc), lastmod=_text(node.find("{*}lastmod")))
        if news is not None:
            published = _text(news.find("{*}publication_date"))
            entry.published = parse_date(published) if published else None
            entry.title = _text(news.find("{*}title"))
            entry.language = _language(_text(news.find("{*}publication/{*}language")))
        urls.append(entry)
    return urls


def _text(node: Any) -> str | None:
    if node is None or node.text is None:
        return None
    return str(node.text).strip() or None


def _sitemap_page(source: str, url: _SitemapUrl, run: _Run) -> Iterator[Item]:
    """One page a sitemap lists, unless read before. Only a news sitemap's publication date is taken as the
    date of publication (lastmod says when the page last changed)."""
    if run.state is not None and run.state.seen(source, url.loc):
        return
    if urlsplit(url.loc).scheme.lower() not in ("http", "https"):
        yield error(
            "scheme", f"only http and https pages are fetched, not {url.loc!r}", id=url.loc, path=source
        )
        return
    result = run.fetcher.fetch(url.loc, accept=PAGE_TYPES)
    if not result.ok:
        yield _fetch_error(result)
        return
    item = _page_input(result, source=source, entry=url.as_dict())
    if isinstance(item, RawInput):
        item.published = url.published
        item.title = url.title
        item.language = url.language
        if run.state is not None:
            run.state.mark_seen(source, url.loc)
    yield item
