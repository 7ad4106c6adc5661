"""The fetcher against a real server on 127.0.0.1: limits, redirects, address checks, robots.txt, retries,
politeness, conditional requests, compression and charsets. Nothing leaves the machine."""

from __future__ import annotations

import gzip
import resource
import socket
import time
import zlib
from collections.abc import Iterator

import brotli
import pytest

from storyline.ingest.fetch import (
    FetchConfig,
    Fetcher,
    FetchResult,
    canonical_url,
    is_public_address,
    retry_after_seconds,
)
from webserver import LoopbackServer, Reply, Request

HTML = "text/html; charset=utf-8"


def local(**overrides: object) -> FetchConfig:
    """A config for the loopback server: private addresses allowed, short delays and timeouts."""
    settings: dict[str, object] = {
        "allow_private": True,
        "min_delay": 0.01,
        "backoff": 0.05,
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "total_timeout": 10.0,
    }
    settings.update(overrides)
    return FetchConfig(**settings)  # type: ignore[arg-type]


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


def fetch(server: LoopbackServer, path: str, **config: object) -> FetchResult:
    with Fetcher(local(**config)) as fetcher:
        return fetcher.fetch(server.url(path))


def kind(result: FetchResult) -> str | None:
    return result.error.kind if result.error else None


# -- basics ---------------------------------------------------------------------------------------------


def test_a_page_is_fetched_with_the_user_agent_and_kept_headers(server: LoopbackServer) -> None:
    server.route("/a", b"<html><body>hi</body></html>", headers={"Content-Type": HTML, "ETag": '"v1"'})
    result = fetch(server, "/a")
    assert result.ok and result.status == 200
    assert result.text == "<html><body>hi</body></html>"
    assert result.headers["etag"] == '"v1"' and result.headers["content-type"] == HTML
    assert result.fetched_at.tzinfo is not None
    assert server.requested("/a")[0].headers["user-agent"].startswith("storyline/")


def test_404_is_an_http_status_error(server: LoopbackServer) -> None:
    result = fetch(server, "/missing")
    assert kind(result) == "http_status" and result.status == 404
    assert result.error is not None and "404" in result.error.message


def test_non_http_schemes_are_refused() -> None:
    with Fetcher(local()) as fetcher:
        for url in ("ftp://example.org/file", "file:///etc/passwd", "gopher://x/"):
            assert kind(fetcher.fetch(url)) == "scheme"


def test_tls_and_connect_errors(server: LoopbackServer) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with Fetcher(local()) as fetcher:
        assert kind(fetcher.fetch(f"https://{server.host}/")) == "tls"  # TLS spoken to a plain HTTP server
        assert kind(fetcher.fetch(f"http://127.0.0.1:{port}/")) == "connect"


def test_reserved_names_fail_as_dns_without_a_lookup() -> None:
    with Fetcher(local()) as fetcher:
        assert kind(fetcher.fetch("https://news.example/a")) == "dns"


def test_a_page_of_another_type_is_not_html(server: LoopbackServer) -> None:
    server.route("/doc.pdf", b"%PDF-1.4 " + b"x" * 5000, headers={"Content-Type": "application/pdf"})
    with Fetcher(local()) as fetcher:
        result = fetcher.fetch(server.url("/doc.pdf"), accept={"text/html", "text/plain"})
    assert kind(result) == "not_html" and result.body == b""


def test_canonical_url_drops_the_fragment() -> None:
    assert canonical_url("HTTPS://News.Example.org/a?b=1#top") == "https://news.example.org/a?b=1"


# -- redirects and addresses ----------------------------------------------------------------------------


def test_a_redirect_chain_is_followed(server: LoopbackServer) -> None:
    server.route("/a", status=301, headers={"Location": "/b"})
    server.route("/b", status=302, headers={"Location": server.url("/c")})
    server.route("/c", b"<html>end</html>", headers={"Content-Type": HTML})
    result = fetch(server, "/a")
    assert result.ok and result.final_url == server.url("/c") and result.url == server.url("/a")
    assert server.paths() == ["/a", "/b", "/c"]


def test_too_many_redirects(server: LoopbackServer) -> None:
    for n in range(10):
        server.route(f"/r{n}", status=302, headers={"Location": f"/r{n + 1}"})
    result = fetch(server, "/r0", max_redirects=3)
    assert kind(result) == "too_many_redirects"
    assert len(server.paths()) == 4


def test_loopback_is_refused_by_default(server: LoopbackServer) -> None:
    server.route("/a", b"secret", headers={"Content-Type": "text/plain"})
    with Fetcher(FetchConfig(min_delay=0.01)) as fetcher:
        result = fetcher.fetch(server.url("/a"))
        assert kind(result) == "private_address"
        assert kind(fetcher.fetch(f"http://localhost:{server.port}/a")) == "private_address"
    assert server.log == []  # refused before connecting


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
    ],
)
def test_a_redirect_to_a_private_address_is_refused(server: LoopbackServer, target: str) -> None:
    server.route("/go", status=302, headers={"Location": target})
    config = FetchConfig(min_delay=0.01, allow_hosts=frozenset({server.host}), respect_robots=False)
    with Fetcher(config) as fetcher:
        result = fetcher.fetch(server.url("/go"))
    assert kind(result) == "private_address", result.error
    assert result.final_url == target
    assert server.paths() == ["/go"]


def test_allow_hosts_is_by_port_too(server: LoopbackServer) -> None:
    server.route("/a", b"ok", headers={"Content-Type": "text/plain"})
    other = FetchConfig(min_delay=0.01, allow_hosts=frozenset({"127.0.0.1:1"}))
    with Fetcher(other) as fetcher:
        assert kind(fetcher.fetch(server.url("/a"))) == "private_address"
    allowed = FetchConfig(min_delay=0.01, allow_hosts=frozenset({"127.0.0.1"}))
    with Fetcher(allowed) as fetcher:
        assert fetcher.fetch(server.url("/a")).ok


def test_public_address_check() -> None:
    assert is_public_address("93.184.216.34") and is_public_address("2606:2800:220:1:248:1893:25c8:1946")
    for address in ("127.0.0.1", "10.1.2.3", "192.168.0.1", "172.16.0.1", "169.254.169.254", "100.64.0.1",
                    "224.0.0.1", "0.0.0.0", "240.0.0.1", "::1", "::", "fe80::1", "fc00::1", "ff02::1",
                    "::ffff:10.0.0.1", "2002:0a00:0001::1", "not an address"):  # fmt: skip
        assert not is_public_address(address), address


# -- robots.txt -----------------------------------------------------------------------------------------


def test_robots_disallow_stops_the_request(server: LoopbackServer) -> None:
    server.route(
        "/robots.txt", b"User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"}
    )
    server.route("/private/page", b"<html>no</html>", headers={"Content-Type": HTML})
    server.route("/public", b"<html>yes</html>", headers={"Content-Type": HTML})
    with Fetcher(local()) as fetcher:
        refused = fetcher.fetch(server.url("/private/page"))
        allowed = fetcher.fetch(server.url("/public"))
    assert kind(refused) == "robots" and allowed.ok
    assert server.requested("/private/page") == []
    assert len(server.requested("/robots.txt")) == 1  # cached per host


def test_robots_for_our_agent_only(server: LoopbackServer) -> None:
    server.route("/robots.txt", b"User-agent: storyline\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    server.route("/a", b"x", headers={"Content-Type": "text/plain"})
    assert kind(fetch(server, "/a")) == "robots"
    assert fetch(server, "/a", respect_robots=False).ok


def test_robots_crawl_delay_raises_the_host_delay(server: LoopbackServer) -> None:
    server.route("/robots.txt", b"User-agent: *\nCrawl-delay: 2\nDisallow: /x\n")
    with Fetcher(local()) as fetcher:
        assert fetcher.host_delay(server.url("/x")) == 0.01
        assert kind(fetcher.fetch(server.url("/x"))) == "robots"  # no second request, so no wait
        assert fetcher.host_delay(server.url("/b")) == 2.0


def test_robots_server_error_allows_with_a_note(server: LoopbackServer) -> None:
    server.route("/robots.txt", b"oops", status=500)
    server.route("/a", b"x", headers={"Content-Type": "text/plain"})
    result = fetch(server, "/a", retries=0)
    assert result.ok and any("robots.txt" in note for note in result.notes)


# -- retries, timeouts, politeness ----------------------------------------------------------------------


def _sequence(*replies: Reply) -> object:
    queue = list(replies)

    def reply(_request: Request) -> Reply:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return reply


def test_429_with_retry_after_is_retried_after_the_wait(server: LoopbackServer) -> None:
    ok = Reply(200, {"Content-Type": "text/plain"}, b"fine")
    server.handle("/a", _sequence(Reply(429, {"Retry-After": "1"}, b""), ok))  # type: ignore[arg-type]
    result = fetch(server, "/a")
    assert result.ok and result.text == "fine"
    first, second = server.requested("/a")
    assert second.at - first.at >= 0.9


def test_503_then_success(server: LoopbackServer) -> None:
    ok = Reply(200, {"Content-Type": "text/plain"}, b"fine")
    server.handle("/a", _sequence(Reply(503), Reply(502), ok))  # type: ignore[arg-type]
    assert fetch(server, "/a").ok
    assert len(server.requested("/a")) == 3


def test_retries_give_up(server: LoopbackServer) -> None:
    server.route("/a", status=503)
    result = fetch(server, "/a", retries=2)
    assert kind(result) == "http_status" and result.status == 503
    assert len(server.requested("/a")) == 3


def test_retry_after_forms() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past


def test_slow_headers_hit_the_read_timeout(server: LoopbackServer) -> None:
    server.route("/slow", b"late", delay=1.5)
    result = fetch(server, "/slow", read_timeout=0.3)
    assert kind(result) == "timeout"  # without it, the body would arrive after 1.5 s


def test_a_trickling_body_hits_the_total_timeout(server: LoopbackServer) -> None:
    def trickle() -> Iterator[bytes]:
        for _ in range(200):
            yield b"x" * 10
            time.sleep(0.05)

    server.route("/trickle", trickle(), headers={"Content-Type": "text/plain"})
    result = fetch(server, "/trickle", total_timeout=0.5)
    assert kind(result) == "timeout"  # without it, the whole body would arrive after 10 s


def test_requests_to_one_host_are_spaced(server: LoopbackServer) -> None:
    server.route("/a", b"x", headers={"Content-Type": "text/plain"})
    server.route("/b", b"y", headers={"Content-Type": "text/plain"})
    with Fetcher(local(min_delay=0.3)) as fetcher:
        fetcher.fetch(server.url("/a"))
        fetcher.fetch(server.url("/b"))
    (a,), (b,) = server.requested("/a"), server.requested("/b")
    assert b.at - a.at >= 0.29


def test_conditional_request_gets_not_modified(server: LoopbackServer) -> None:
    def reply(request: Request) -> Reply:
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(304, {"ETag": '"v1"'})
        return Reply(200, {"Content-Type": "text/plain", "ETag": '"v1"'}, b"body")

    server.handle("/a", reply)
    with Fetcher(local()) as fetcher:
        first = fetcher.fetch(server.url("/a"))
        second = fetcher.fetch(server.url("/a"), etag=first.headers["etag"], last_modified="x")
    assert first.ok and not first.not_modified
    assert second.not_modified and not second.ok and second.error is None and second.body == b""
    assert server.requested("/a")[1].headers["if-modified-since"] == "x"


# -- sizes and compression ------------------------------------------------------------------------------


def test_an_announced_oversized_body_is_refused_before_reading(server: LoopbackServer) -> None:
    server.route("/big", b"x" * 2000, headers={"Content-Type": "text/plain", "Content-Length": "5000000"})
    result = fetch(server, "/big", max_bytes=1000)
    assert kind(result) == "too_large" and result.body == b""


def test_an_oversized_body_without_length_is_cut(server: LoopbackServer) -> None:
    server.route("/big", (b"x" * 65536 for _ in range(100)), headers={"Content-Type": "text/plain"})
    result = fetch(server, "/big", max_bytes=100_000)
    assert kind(result) == "too_large"


def test_a_body_under_the_limit_without_length(server: LoopbackServer) -> None:
    server.route("/ok", (b"ab" for _ in range(1000)), headers={"Content-Type": "text/plain"})
    assert fetch(server, "/ok").text == "ab" * 1000


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """256 MB of zeros, gzipped to about a quarter of a megabyte."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1024 * 1024)
    return b"".join(packer.compress(zeros) for _ in range(256)) + packer.flush()


def test_a_gzip_bomb_is_cut_at_the_limit(server: LoopbackServer, bomb: bytes) -> None:
    server.route("/bomb", bomb, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = fetch(server, "/bomb", max_bytes=2 * 1024 * 1024)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert kind(result) == "too_large"
    assert grown_mb < 64


def test_gzip_deflate_and_brotli_are_decoded(server: LoopbackServer) -> None:
    page = "<html><body><p>Сводка: déjà vu</p></body></html>".encode()
    server.route("/gz", gzip.compress(page), headers={"Content-Type": HTML, "Content-Encoding": "gzip"})
    server.route("/zlib", zlib.compress(page), headers={"Content-Type": HTML, "Content-Encoding": "deflate"})
    raw = zlib.compressobj(wbits=-15)
    server.route(
        "/raw",
        raw.compress(page) + raw.flush(),
        headers={"Content-Type": HTML, "Content-Encoding": "deflate"},
    )
    server.route("/br", brotli.compress(page), headers={"Content-Type": HTML, "Content-Encoding": "br"})
    with Fetcher(local()) as fetcher:
        for path in ("/gz", "/zlib", "/raw", "/br"):
            result = fetcher.fetch(server.url(path))
            assert result.ok and result.body == page, path
    assert "br" in server.requested("/br")[0].headers["accept-encoding"]


def test_a_corrupt_compressed_body_is_a_decompression_error(server: LoopbackServer) -> None:
    server.route(
        "/bad", b"\x1f\x8b\x08\x00garbage" * 10, headers={"Content-Type": HTML, "Content-Encoding": "gzip"}
    )
    server.route(
        "/cut", gzip.compress(b"x" * 10000)[:-30], headers={"Content-Type": HTML, "Content-Encoding": "gzip"}
    )
    server.route("/brbad", b"not brotli at all", headers={"Content-Type": HTML, "Content-Encoding": "br"})
    with Fetcher(local()) as fetcher:
        for path in ("/bad", "/cut", "/brbad"):
            assert kind(fetcher.fetch(server.url(path))) == "decompression", path


# -- charsets -------------------------------------------------------------------------------------------


def test_cp1251_declared_only_in_meta(server: LoopbackServer) -> None:
    page = (
        '<html><head><meta charset="windows-1251"></head><body><p>Саммит в Астане отменён.</p></body></html>'
    )
    server.route("/ru", page.encode("cp1251"), headers={"Content-Type": "text/html"})
    result = fetch(server, "/ru")
    assert result.text == page and result.encoding == "cp1251"


def test_latin1_declared_in_the_header(server: LoopbackServer) -> None:
    page = "<html><body><p>Le sommet a été annulé à Astana.</p></body></html>"
    server.route("/fr", page.encode("latin-1"), headers={"Content-Type": "text/html; charset=ISO-8859-1"})
    result = fetch(server, "/fr")
    assert result.text == page and result.encoding == "iso8859-1"


def test_undeclared_charset_is_detected(server: LoopbackServer) -> None:
    text = "Премьер-министр Японии отменил визит в Казахстан из-за угрозы землетрясения. " * 5
    server.route("/ru.txt", text.encode("cp1251"), headers={"Content-Type": "text/plain"})
    assert fetch(server, "/ru.txt").text == text


def test_xml_declaration_charset(server: LoopbackServer) -> None:
    feed = '<?xml version="1.0" encoding="koi8-r"?><rss><channel><title>Новости</title></channel></rss>'
    server.route("/feed", feed.encode("koi8-r"), headers={"Content-Type": "application/xml"})
    assert fetch(server, "/feed").text == feed
