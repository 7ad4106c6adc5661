"""A polite and safe HTTP fetcher for feeds, sitemaps and pages.

Polite: one request at a time per host, a minimum delay between two requests to the same host (raised by the
host's ``Crawl-delay``), robots.txt honoured, retries with exponential back-off on 429 and 5xx that honour
``Retry-After``, conditional requests (``If-None-Match`` / ``If-Modified-Since``).

Safe: redirects are followed by hand so that every hop is checked before anything is sent to it: the scheme
must be http or https, and every address the host resolves to must be public (no loopback, private, link-local,
multicast, reserved or unspecified address, nor an IPv6 form that embeds one), unless the configuration allows
private addresses or names the host in ``allow_hosts``. The body is read as a stream and decompressed here, in
pieces of bounded size, so that the size limit applies to the *decompressed* bytes: a compression bomb is cut
at the limit without ever being inflated in memory. An overall deadline stops endless or trickling responses.

:meth:`Fetcher.fetch` never raises for network or HTTP problems: every failure is a :class:`FetchResult`
whose ``error`` says what went wrong (``dns``, ``tls``, ``timeout``, ``connect``, ``http_status``,
``too_large``, ``not_html``, ``unsupported_type``, ``robots``, ``private_address``, ``scheme``,
``too_many_redirects``, ``decompression``).

The address check resolves the name before httpx connects, and httpx resolves it again; a DNS server that
answers differently the second time (DNS rebinding) is not defended against.
"""

from __future__ import annotations

import codecs
import email.utils
import ipaddress
import re
import socket
import ssl
import threading
import time
import urllib.robotparser
import zlib
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urljoin, urlsplit, urlunsplit

import brotli
import httpx

from storyline import __version__
from storyline.ingest.decode import DecodeError, decode
from storyline.records import ErrorInfo

DEFAULT_USER_AGENT = f"storyline/{__version__} (+https://github.com/storyline-news/storyline)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
KEPT_HEADERS = (
    "content-type",
    "etag",
    "last-modified",
    "content-encoding",
    "content-length",
    "date",
    "retry-after",
)
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
XML_TYPES = frozenset(
    {
        "text/xml",
        "application/xml",
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "text/x-opml",
        "text/x-opml+xml",
        "application/x-gzip",
        "application/gzip",
    }
)
# Names that never resolve (RFC 2606, RFC 6761): refused at once, without asking a DNS server.
RESERVED_SUFFIXES = (".example", ".invalid", ".test")
PIECE = 64 * 1024  # the most a decompressor may produce in one step
ROBOTS_MAX_BYTES = 512 * 1024

_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_\-:.]+)""", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-:.]+)["']""", re.I)


@dataclass
class FetchConfig:
    """How the fetcher behaves. Times are in seconds, sizes in bytes."""

    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0  # one fetch, redirects, retries and waits included
    max_bytes: int = 10 * 1024 * 1024  # decompressed
    max_redirects: int = 5
    min_delay: float = 1.0  # between two requests to the same host
    retries: int = 3  # further attempts after a 429 or 5xx
    backoff: float = 1.0  # first wait when the server gives no Retry-After; doubled at each retry
    max_retry_wait: float = 60.0  # cap on any one wait, Retry-After included
    respect_robots: bool = True
    allow_private: bool = False
    # Hosts ("name" or "name:port") fetched even when they resolve to a private address, e.g. an intranet
    # news server. Every other host, redirect targets included, is still checked.
    allow_hosts: frozenset[str] = frozenset()


@dataclass
class FetchResult:
    """What one fetch gave: a body, a 304, or an error."""

    url: str
    final_url: str
    fetched_at: datetime
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    text: str | None = None
    encoding: str | None = None
    not_modified: bool = False
    error: ErrorInfo | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when a body was received (not a 304, not an error)."""
        return self.error is None and not self.not_modified

    @property
    def media_type(self) -> str | None:
        return media_type(self.headers.get("content-type"))


class _Decoder(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...

    def finish(self) -> bytes: ...


class _DecompressionError(ValueError):
    pass


def media_type(content_type: str | None) -> str | None:
    """``text/html`` out of ``text/html; charset=utf-8``."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def canonical_url(url: str) -> str:
    """The URL without its fragment, with a lower-case scheme and host: a fetched document's id."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" not in netloc:
        netloc = netloc.lower()
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def header_charset(content_type: str | None) -> str | None:
    """The charset a Content-Type header names, if Python knows it."""
    match = _CHARSET.search(content_type or "")
    return _known_codec(match.group(1)) if match else None


def _known_codec(name: str) -> str | None:
    try:
        return codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None


def body_charset(data: bytes) -> str | None:
    """The charset the document declares itself: an XML declaration or an HTML meta tag."""
    head = data[:4096]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return _known_codec(match.group(1).decode("ascii", "ignore")) if match else None


def decode_body(data: bytes, content_type: str | None) -> tuple[str, str] | None:
    """``(text, encoding)``: the header's charset first (the HTTP rule), then the document's own declaration,
    then detection. None for binary content."""
    declared = header_charset(content_type)
    if declared and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode(declared), declared
        except UnicodeDecodeError:
            pass
    try:
        return decode(data, body_charset(data))
    except DecodeError:
        return None


def is_public_address(address: str) -> bool:
    """False for loopback, private, link-local, multicast, reserved, unspecified and shared addresses, and for
    IPv6 addresses that embed an IPv4 one that is not public (mapped, 6to4, Teredo)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not is_public_address(str(embedded)):
            return False
    bad = ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
    bad = bad or ip.is_reserved or ip.is_unspecified or not ip.is_global
    return not bad


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        yield data

    def finish(self) -> bytes:
        return b""


class _Zlib:
    """gzip or deflate (zlib-wrapped, or raw as some servers send it), inflated at most PIECE bytes at a time."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._inflater = zlib.decompressobj(wbits=31 if gzip else 15)
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            yield from self._inflate(data)
        except zlib.error as exc:
            if self._gzip or self._started:
                raise _DecompressionError(
                    f"corrupt {'gzip' if self._gzip else 'deflate'} data: {exc}"
                ) from exc
            self._inflater = zlib.decompressobj(wbits=-15)  # raw deflate, without the zlib header
            yield from self.feed(data)

    def _inflate(self, data: bytes) -> Iterator[bytes]:
        while data and not self._inflater.eof:
            piece = self._inflater.decompress(data, PIECE)
            self._started = True
            data = self._inflater.unconsumed_tail
            if piece:
                yield piece

    def finish(self) -> bytes:
        if not self._inflater.eof:
            raise _DecompressionError("the compressed body is truncated")
        return b""


class _Brotli:
    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            piece = self._decompressor.process(data, output_buffer_limit=PIECE)
            while True:
                if piece:
                    yield piece
                if self._decompressor.can_accept_more_data():
                    break
                piece = self._decompressor.process(b"", output_buffer_limit=PIECE)
        except brotli.error as exc:
            raise _DecompressionError(f"corrupt brotli data: {exc}") from exc

    def finish(self) -> bytes:
        if not self._decompressor.is_finished():
            raise _DecompressionError("the brotli body is truncated")
        return b""


def _decoder_for(content_encoding: str | None) -> _Decoder:
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return _Identity()
    if len(codings) > 1:
        raise _DecompressionError(f"stacked content encodings are not supported: {content_encoding}")
    if codings[0] in ("gzip", "x-gzip"):
        return _Zlib(gzip=True)
    if codings[0] == "deflate":
        return _Zlib(gzip=False)
    if codings[0] == "br":
        return _Brotli()
    raise _DecompressionError(f"unknown content encoding {codings[0]!r}")


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from now: a number of seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass
class _Host:
    """What the fetcher knows about one host (scheme, name and port)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    robots_lock: threading.Lock = field(default_factory=threading.Lock)
    last: float | None = None  # time.monotonic() at the end of the last request
    delay: float = 0.0
    robots: urllib.robotparser.RobotFileParser | None = None
    robots_note: str | None = None
    robots_checked: bool = False


@dataclass
class _Attempt:
    """One HTTP request: a response, a redirect to follow, or an error."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    location: str | None = None
    error: ErrorInfo | None = None


def _kept(headers: httpx.Headers) -> dict[str, str]:
    return {name: headers[name] for name in KEPT_HEADERS if name in headers}


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{parts.port or _default_port(parts.scheme)}"


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


class Fetcher:
    """Fetches URLs politely and safely; see the module's documentation. Use as a context manager, or call
    :meth:`close`. Safe to share between threads: requests to one host are serialised."""

    def __init__(self, config: FetchConfig | None = None) -> None:
        self.config = config or FetchConfig()
        self._client = httpx.Client(
            follow_redirects=False,
            trust_env=False,  # a proxy from the environment would bypass the address check
            headers={"User-Agent": self.config.user_agent, "Accept-Encoding": "gzip, deflate, br"},
        )
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def host_delay(self, url: str) -> float:
        """The delay now kept between two requests to the host of ``url`` (min_delay or Crawl-delay)."""
        return max(self.config.min_delay, self._host(url).delay)

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: Collection[str] | None = None,
    ) -> FetchResult:
        """GET ``url``, following redirects (each hop checked), with a conditional request when validators
        are given. ``accept``: the media types wanted; another type is refused before its body is read
        (``not_html`` when HTML was among those wanted, ``unsupported_type`` otherwise). Never raises for
        network or HTTP problems."""
        return self._fetch(url, etag, last_modified, accept, robots=self.config.respect_robots)

    def _fetch(
        self,
        url: str,
        etag: str | None,
        last_modified: str | None,
        accept: Collection[str] | None,
        *,
        robots: bool,
        max_bytes: int | None = None,
    ) -> FetchResult:
        deadline = time.monotonic() + self.config.total_timeout
        headers = self._conditional_headers(etag, last_modified)
        result = FetchResult(url=url, final_url=url, fetched_at=datetime.now(UTC))
        current = url
        for _hop in range(self.config.max_redirects + 1):
            result.final_url = current
            problem = self._check_url(current, result.notes, robots=robots)
            if problem is not None:
                result.error = problem
                return result
            attempt = self._attempt_with_retries(current, headers, accept, deadline, max_bytes)
            result.fetched_at = datetime.now(UTC)
            if attempt.location is None:
                return self._finish(result, attempt)
            current = urljoin(current, attempt.location)
        result.error = ErrorInfo(
            kind="too_many_redirects", message=f"more than {self.config.max_redirects} redirects from {url}"
        )
        return result

    @staticmethod
    def _conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return headers

    @staticmethod
    def _finish(result: FetchResult, attempt: _Attempt) -> FetchResult:
        result.status, result.headers, result.error = attempt.status, attempt.headers, attempt.error
        if attempt.status == 304 and attempt.error is None:
            result.not_modified = True
            return result
        if attempt.error is None:
            result.body = attempt.body
            decoded = decode_body(attempt.body, attempt.headers.get("content-type"))
            if decoded is not None:
                result.text, result.encoding = decoded
        return result

    # -- checks made before every hop -------------------------------------------------------------------

    def _check_url(self, url: str, notes: list[str], *, robots: bool) -> ErrorInfo | None:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https"):
            return ErrorInfo(kind="scheme", message=f"only http and https URLs are fetched, not {url!r}")
        if not parts.hostname:
            return ErrorInfo(kind="scheme", message=f"no host in {url!r}")
        try:
            port = parts.port or _default_port(parts.scheme.lower())
        except ValueError:
            return ErrorInfo(kind="scheme", message=f"bad port in {url!r}")
        problem = self._check_address(parts.hostname, port)
        if problem is None and robots:
            problem = self._check_robots(url, notes)
        return problem

    def _check_address(self, host: str, port: int) -> ErrorInfo | None:
        """Refuse a host that does not resolve, or that resolves to any address that is not public (unless
        private addresses are allowed, or the host is in ``allow_hosts``)."""
        host = host.lower().rstrip(".")
        allowed = self.config.allow_private or host in self.config.allow_hosts
        allowed = allowed or f"{host}:{port}" in self.config.allow_hosts
        if host.endswith(RESERVED_SUFFIXES) or host in ("example", "invalid", "test"):
            return ErrorInfo(kind="dns", message=f"{host} is a reserved name that never resolves")
        if not allowed and (host == "localhost" or host.endswith(".localhost")):
            return ErrorInfo(kind="private_address", message=f"{host} is the local machine")
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            return ErrorInfo(kind="dns", message=f"cannot resolve {host}: {exc}")
        if allowed:
            return None
        for info in infos:
            address = str(info[4][0])
            if not is_public_address(address):
                return ErrorInfo(
                    kind="private_address",
                    message=f"{host} resolves to {address}, which is not a public address",
                )
        return None

    def _check_robots(self, url: str, notes: list[str]) -> ErrorInfo | None:
        host = self._host(url)
        with host.robots_lock:
            if not host.robots_checked:
                self._load_robots(url, host)
        if host.robots_note and host.robots_note not in notes:
            notes.append(host.robots_note)
        if host.robots is not None and not host.robots.can_fetch(self.config.user_agent, url):
            return ErrorInfo(kind="robots", message=f"robots.txt of {urlsplit(url).netloc} disallows {url}")
        return None

    def _load_robots(self, url: str, host: _Host) -> None:
        """robots.txt, once per host: 2xx is obeyed; 4xx means no rules; 5xx or unreachable means no rules,
        with a note. A Crawl-delay raises the host's delay (up to max_retry_wait)."""
        parts = urlsplit(url)
        robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
        got = self._fetch(robots_url, None, None, None, robots=False, max_bytes=ROBOTS_MAX_BYTES)
        host.robots_checked = True
        if got.error is None and got.status is not None and 200 <= got.status < 300:
            parser = urllib.robotparser.RobotFileParser(robots_url)
            parser.parse((got.text or "").splitlines())
            host.robots = parser
            delay = parser.crawl_delay(self.config.user_agent)
            if delay:
                host.delay = min(float(delay), self.config.max_retry_wait)
        elif got.status is None or got.status >= 500:
            reason = got.error.message if got.error else f"HTTP {got.status}"
            host.robots_note = f"robots.txt of {parts.netloc} could not be read ({reason}); fetched anyway"

    # -- requests --------------------------------------------------------------------------------------

    def _host(self, url: str) -> _Host:
        key = _host_key(url)
        with self._hosts_lock:
            return self._hosts.setdefault(key, _Host())

    @contextmanager
    def _turn(self, url: str) -> Iterator[None]:
        """Hold the host for one request, after waiting out the delay since its last request."""
        host = self._host(url)
        with host.lock:
            if host.last is not None:
                wait = host.last + max(self.config.min_delay, host.delay) - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            try:
                yield
            finally:
                host.last = time.monotonic()

    def _attempt_with_retries(
        self,
        url: str,
        headers: dict[str, str],
        accept: Collection[str] | None,
        deadline: float,
        max_bytes: int | None,
    ) -> _Attempt:
        attempt = _Attempt()
        for number in range(self.config.retries + 1):
            with self._turn(url):
                attempt = self._attempt(url, headers, accept, deadline, max_bytes)
            if attempt.status not in RETRY_STATUSES or number == self.config.retries:
                return attempt
            wait = self._retry_wait(attempt, number)
            if time.monotonic() + wait > deadline:
                return attempt
            time.sleep(wait)
        return attempt

    def _retry_wait(self, attempt: _Attempt, number: int) -> float:
        asked = retry_after_seconds(attempt.headers.get("retry-after"))
        wait = asked if asked is not None else self.config.backoff * 2**number
        return min(wait, self.config.max_retry_wait)

    def _attempt(
        self,
        url: str,
        headers: dict[str, str],
        accept: Collection[str] | None,
        deadline: float,
        max_bytes: int | None,
    ) -> _Attempt:
        remaining = max(0.001, deadline - time.monotonic())
        timeout = httpx.Timeout(
            min(self.config.read_timeout, remaining), connect=min(self.config.connect_timeout, remaining)
        )
        try:
            with self._client.stream("GET", url, headers=headers, timeout=timeout) as response:
                return self._read_response(response, accept, deadline, max_bytes or self.config.max_bytes)
        except httpx.TimeoutException as exc:
            return _Attempt(error=ErrorInfo(kind="timeout", message=f"timed out fetching {url}: {exc!r}"))
        except httpx.ConnectError as exc:
            kind = "tls" if _is_tls_error(exc) else "connect"
            return _Attempt(error=ErrorInfo(kind=kind, message=f"cannot connect to {url}: {exc}"))
        except httpx.DecodingError as exc:
            return _Attempt(error=ErrorInfo(kind="decompression", message=str(exc)))
        except (httpx.TransportError, httpx.InvalidURL) as exc:
            return _Attempt(error=ErrorInfo(kind="connect", message=f"fetching {url} failed: {exc!r}"))

    def _read_response(
        self, response: httpx.Response, accept: Collection[str] | None, deadline: float, max_bytes: int
    ) -> _Attempt:
        attempt = _Attempt(status=response.status_code, headers=_kept(response.headers))
        status = response.status_code
        if status in REDIRECT_STATUSES and response.headers.get("location"):
            attempt.location = response.headers["location"]
            return attempt
        if status == 304:
            return attempt
        if status >= 300:
            phrase = response.reason_phrase or ""
            attempt.error = ErrorInfo(kind="http_status", message=f"HTTP {status} {phrase}".strip())
            return attempt
        attempt.error = self._refused_type(attempt.headers.get("content-type"), accept)
        attempt.error = attempt.error or _declared_too_large(attempt.headers, max_bytes)
        if attempt.error is None:
            attempt.body, attempt.error = _read_body(response, deadline, max_bytes)
        return attempt

    @staticmethod
    def _refused_type(content_type: str | None, accept: Collection[str] | None) -> ErrorInfo | None:
        kind = media_type(content_type)
        if accept is None or kind is None or kind in accept:
            return None
        if "text/html" in accept:
            return ErrorInfo(kind="not_html", message=f"expected a web page, got {kind}")
        return ErrorInfo(kind="unsupported_type", message=f"cannot use content of type {kind}")


def _is_tls_error(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or "SSL" in type(seen).__name__ or "CERTIFICATE" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _declared_too_large(headers: dict[str, str], max_bytes: int) -> ErrorInfo | None:
    """A Content-Length over the limit is refused before reading (compressed bytes only grow when inflated).
    A smaller or absent one is not trusted: the limit is enforced while reading."""
    length = headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        return ErrorInfo(kind="too_large", message=f"{length} bytes announced, over the limit of {max_bytes}")
    return None


def _read_body(response: httpx.Response, deadline: float, max_bytes: int) -> tuple[bytes, ErrorInfo | None]:
    """The decompressed body, stopped at ``max_bytes`` or at the deadline."""
    try:
        decoder = _decoder_for(response.headers.get("content-encoding"))
        parts: list[bytes] = []
        size = 0
        for chunk in response.iter_raw():
            for piece in decoder.feed(chunk):
                size += len(piece)
                if size > max_bytes:
                    return b"", ErrorInfo(
                        kind="too_large", message=f"body over the limit of {max_bytes} bytes"
                    )
                parts.append(piece)
            if time.monotonic() > deadline:
                return b"", ErrorInfo(
                    kind="timeout", message="the response did not finish within the total timeout"
                )
        parts.append(decoder.finish())
    except _DecompressionError as exc:
        return b"", ErrorInfo(kind="decompression", message=str(exc))
    return b"".join(parts), None
