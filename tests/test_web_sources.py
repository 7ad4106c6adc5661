"""Feeds, OPML, sitemaps and pages as sources, against a real server on 127.0.0.1 (and the bundled example
feed, offline)."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyline.ingest.document import to_document
from storyline.ingest.fetch import FetchConfig, Fetcher
from storyline.ingest.sources import RawInput
from storyline.ingest.web import MemoryState, SourceState, detect_kind, iter_sources, parse_date, sniff
from storyline.records import ReadError
from webserver import LoopbackServer, Reply, Request

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
HTML = "text/html; charset=utf-8"
CONFIG = FetchConfig(allow_private=True, min_delay=0.01, backoff=0.01, retries=0, total_timeout=10)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


def read(names: list[str], state: SourceState | None = None, **options: int) -> list[RawInput | ReadError]:
    with Fetcher(CONFIG) as fetcher:
        return list(iter_sources(names, fetcher=fetcher, state=state, **options))  # type: ignore[arg-type]


def page(title: str, body: str) -> bytes:
    return (
        f"<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a> <a href='/world'>World</a>"
        f"</nav><article><h1>{title}</h1><p>{body}</p></article><footer>© Example News</footer></body></html>"
    ).encode()


def rss(server: LoopbackServer, *items: str, language: str = "en-us") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>T</title><link>{server.url('/')}</link><language>{language}</language>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def item(
    guid: str, link: str, title: str, date: str = "Sat, 20 Dec 2025 01:30:00 +0900", extra: str = ""
) -> str:
    return f"<item><guid>{guid}</guid><link>{link}</link><title>{title}</title><pubDate>{date}</pubDate>{extra}</item>"


def docs(items: list[RawInput | ReadError]) -> list[RawInput]:
    return [i for i in items if isinstance(i, RawInput)]


def errors(items: list[RawInput | ReadError]) -> list[ReadError]:
    return [i for i in items if isinstance(i, ReadError)]


# -- kinds ----------------------------------------------------------------------------------------------


def test_detect_kind_by_name_and_content(tmp_path: Path) -> None:
    assert detect_kind("crawl.warc.gz") == "warc" and detect_kind("https://x.org/a.warc") == "warc"
    assert detect_kind("subs.opml") == "opml"
    assert detect_kind("https://x.org/news/article-1") == "page"
    assert detect_kind("https://x.org/sitemap.xml") == "sitemap"
    assert detect_kind("https://x.org/feed", b'<?xml version="1.0"?>\n<rss version="2.0">') == "feed"
    assert detect_kind("https://x.org/x", b"<!-- hi --><feed xmlns='http://www.w3.org/2005/Atom'>") == "feed"
    assert (
        detect_kind("https://x.org/x", b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>")
        == "sitemap"
    )
    assert detect_kind("https://x.org/x", b"<sitemapindex>") == "sitemap"
    assert sniff(b"<!DOCTYPE html><html>") == "page" and sniff(b"WARC/1.0\r\n") == "warc"
    feed = tmp_path / "news.xml"
    feed.write_bytes(
        b"<?xml version='1.0'?><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
    )
    assert detect_kind(str(feed)) == "feed"
    other = tmp_path / "data.xml"
    other.write_bytes(b"<records/>")
    assert detect_kind(str(other)) == "file"
    assert detect_kind(str(tmp_path)) == "folder"
    assert detect_kind(str(EXAMPLES / "feed.xml")) == "feed"


def test_parse_date_keeps_the_written_day() -> None:
    assert parse_date("Sat, 20 Dec 2025 01:30:00 +0900") == "2025-12-20"
    assert parse_date("2025-12-19T23:30:00Z") == "2025-12-19"
    assert parse_date("2025-12-19") == "2025-12-19"
    assert parse_date("sometime") is None


# -- feeds ----------------------------------------------------------------------------------------------


def test_rss_feed_entries_become_pages(server: LoopbackServer) -> None:
    server.route(
        "/a",
        page("Summit opens", "Leaders of five countries met in Tokyo on Friday. " * 8),
        headers={"Content-Type": HTML},
    )
    server.route(
        "/b",
        page("Summit ends", "The declaration was adopted on Saturday in Tokyo. " * 8),
        headers={"Content-Type": HTML},
    )
    feed = rss(
        server, item("g-a", "/a#comments", "Opens (feed title)"), item("g-b", server.url("/b"), "Ends")
    )
    server.route("/feed.rss", feed, headers={"Content-Type": "application/rss+xml"})
    found = read([server.url("/feed.rss")])
    assert [d.id for d in docs(found)] == [
        server.url("/a"),
        server.url("/b"),
    ]  # relative link resolved, fragment dropped
    first = docs(found)[0]
    assert first.kind == "html" and first.title == "Opens (feed title)" and first.published == "2025-12-20"
    assert first.language == "en"
    assert first.provenance is not None and first.provenance.source == server.url("/feed.rss")
    assert first.provenance.status == 200 and first.provenance.headers["content-type"] == HTML
    assert first.provenance.entry == {
        "guid": "g-a",
        "link": server.url("/a#comments"),
        "title": "Opens (feed title)",
        "published": "2025-12-20",
    }
    document = to_document(first)
    assert "Leaders of five countries met in Tokyo" in document.text and document.published is not None


def test_atom_feed_with_content_falls_back_when_the_page_fails(server: LoopbackServer) -> None:
    atom = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">
  <title>Flux</title><id>urn:flux</id><updated>2025-12-19T08:30:00+01:00</updated>
  <entry><id>urn:1</id><title>Ouverture</title><link href="{server.url("/ok")}"/>
    <published>2025-12-19T08:30:00+01:00</published></entry>
  <entry><id>urn:2</id><title>Clôture</title><link href="{server.url("/gone")}"/>
    <updated>2025-12-20T18:00:00+09:00</updated>
    <content type="html">&lt;p&gt;Le sommet s'est achevé à Tokyo par une déclaration commune.&lt;/p&gt;</content></entry>
  <entry><id>urn:3</id><title>Sans contenu</title><link href="{server.url("/gone2")}"/></entry>
</feed>""".encode()
    server.route("/atom", atom, headers={"Content-Type": "application/atom+xml"})
    server.route("/ok", page("Ouverture", "Le sommet s'ouvre à Tokyo. " * 10), headers={"Content-Type": HTML})
    state = MemoryState()
    found = read([server.url("/atom")], state)
    ok, fallback, failed = found
    assert (
        isinstance(ok, RawInput)
        and ok.language == "fr"
        and ok.published == "2025-12-19"
        and ok.title == "Ouverture"
    )
    assert isinstance(fallback, RawInput) and fallback.published == "2025-12-20"
    assert fallback.text is not None and "déclaration commune" in fallback.text
    assert fallback.provenance is not None and fallback.provenance.entry is not None
    assert (
        fallback.provenance.entry["content_from_feed"] is True
        and fallback.provenance.entry["page_error"] == "http_status"
    )
    assert (
        isinstance(failed, ReadError)
        and failed.error.kind == "http_status"
        and failed.id == server.url("/gone2")
    )
    # only the page that was fetched is marked seen: the others are tried again next time
    assert state.guids == {(server.url("/atom"), "urn:1")}


def test_seen_guids_are_not_fetched_again(server: LoopbackServer) -> None:
    server.route("/a", page("A", "Text of a. " * 20), headers={"Content-Type": HTML})
    server.route(
        "/feed", rss(server, item("g-a", "/a", "A")), headers={"Content-Type": "application/rss+xml"}
    )
    state = MemoryState()
    assert len(docs(read([server.url("/feed")], state))) == 1
    assert read([server.url("/feed")], state) == []
    assert len(server.requested("/feed")) == 2 and len(server.requested("/a")) == 1


def test_a_failed_page_is_retried_on_the_next_run(server: LoopbackServer) -> None:
    server.route("/a", status=500)
    server.route(
        "/feed", rss(server, item("g-a", "/a", "A")), headers={"Content-Type": "application/rss+xml"}
    )
    state = MemoryState()
    assert [e.error.kind for e in errors(read([server.url("/feed")], state))] == ["http_status"]
    server.route("/a", page("A", "Text of a. " * 20), headers={"Content-Type": HTML})
    assert len(docs(read([server.url("/feed")], state))) == 1


def test_conditional_requests_make_the_second_run_empty(server: LoopbackServer) -> None:
    feed = rss(server, item("g-a", "/a", "A"))

    def reply(request: Request) -> Reply:
        if request.headers.get("if-none-match") == '"f1"':
            return Reply(304, {"ETag": '"f1"'})
        return Reply(
            200,
            {
                "Content-Type": "application/rss+xml",
                "ETag": '"f1"',
                "Last-Modified": "Sat, 20 Dec 2025 10:00:00 GMT",
            },
            feed,
        )

    server.handle("/feed", reply)
    server.route("/a", page("A", "Text of a. " * 20), headers={"Content-Type": HTML})
    state = MemoryState()
    assert len(docs(read([server.url("/feed")], state))) == 1
    assert read([server.url("/feed")], state) == []
    second = server.requested("/feed")[1]
    assert second.headers["if-none-match"] == '"f1"'
    assert second.headers["if-modified-since"] == "Sat, 20 Dec 2025 10:00:00 GMT"
    assert state.fetched[server.url("/feed")][2] == 304
    assert len(server.requested("/a")) == 1


def test_robots_disallowed_entry_is_an_error_and_never_requested(server: LoopbackServer) -> None:
    server.route("/robots.txt", b"User-agent: *\nDisallow: /private/\n")
    server.route("/private/a", page("A", "x " * 50), headers={"Content-Type": HTML})
    server.route(
        "/feed", rss(server, item("g-a", "/private/a", "A")), headers={"Content-Type": "application/rss+xml"}
    )
    (found,) = read([server.url("/feed")])
    assert isinstance(found, ReadError) and found.error.kind == "robots"
    assert server.requested("/private/a") == []


def test_opml_lists_feeds(server: LoopbackServer, tmp_path: Path) -> None:
    server.route("/a", page("A", "Text of a. " * 20), headers={"Content-Type": HTML})
    server.route("/b", page("B", "Text of b. " * 20), headers={"Content-Type": HTML})
    server.route(
        "/one.rss", rss(server, item("1", "/a", "A")), headers={"Content-Type": "application/rss+xml"}
    )
    server.route("/two.rss", rss(server, item("2", "/b", "B")), headers={"Content-Type": "text/xml"})
    opml = f"""<?xml version="1.0"?><opml version="2.0"><head><title>subs</title></head><body>
      <outline text="news"><outline text="one" type="rss" xmlUrl="{server.url("/one.rss")}"/></outline>
      <outline text="two" type="rss" xmlUrl="/two.rss"/><outline text="no feed"/></body></opml>""".encode()
    server.route("/subs.opml", opml, headers={"Content-Type": "text/x-opml"})
    assert [d.id for d in docs(read([server.url("/subs.opml")]))] == [server.url("/a"), server.url("/b")]
    local = tmp_path / "subs.opml"
    local.write_bytes(opml.replace(b'xmlUrl="/two.rss"', f'xmlUrl="{server.url("/two.rss")}"'.encode()))
    assert [d.id for d in docs(read([str(local)]))] == [server.url("/a"), server.url("/b")]


# -- sitemaps -------------------------------------------------------------------------------------------

SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
NEWS_NS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def urlset(*urls: str, news: bool = False) -> bytes:
    return f'<?xml version="1.0"?><urlset {SITEMAP_NS} {NEWS_NS if news else ""}>{"".join(urls)}</urlset>'.encode()


def test_sitemap_pages_and_lastmod_is_not_a_publication_date(server: LoopbackServer) -> None:
    for name in ("a", "b", "c"):
        server.route(f"/{name}", page(name, f"Text of {name}. " * 20), headers={"Content-Type": HTML})
    entries = [
        f"<url><loc>{server.url('/' + n)}</loc><lastmod>2025-01-0{i + 1}</lastmod></url>"
        for i, n in enumerate("abc")
    ]
    server.route("/sitemap.xml", urlset(*entries), headers={"Content-Type": "application/xml"})
    found = docs(read([server.url("/sitemap.xml")], sitemap_urls=2))
    assert [d.id for d in found] == [server.url("/a"), server.url("/b")]  # at most 2 URLs per sitemap
    assert found[0].published is None
    assert found[0].provenance is not None and found[0].provenance.entry == {
        "loc": server.url("/a"),
        "lastmod": "2025-01-01",
    }


def test_news_sitemap_gives_date_title_language(server: LoopbackServer) -> None:
    server.route("/n", page("N", "Le sommet est annulé. " * 20), headers={"Content-Type": HTML})
    entry = f"""<url><loc>{server.url("/n")}</loc><lastmod>2025-02-01</lastmod><news:news>
      <news:publication><news:name>Horizon</news:name><news:language>fr</news:language></news:publication>
      <news:publication_date>2024-08-10T09:00:00+02:00</news:publication_date>
      <news:title>Sommet annulé</news:title></news:news></url>"""
    server.route("/news.xml", urlset(entry, news=True), headers={"Content-Type": "application/xml"})
    (found,) = read([server.url("/news.xml")])
    assert isinstance(found, RawInput)
    assert (found.published, found.title, found.language) == ("2024-08-10", "Sommet annulé", "fr")


def test_sitemap_index_is_followed_with_gzip_and_a_depth_limit(server: LoopbackServer) -> None:
    server.route("/a", page("A", "Text of a. " * 20), headers={"Content-Type": HTML})
    server.route("/b", page("B", "Text of b. " * 20), headers={"Content-Type": HTML})
    server.route(
        "/s1.xml",
        urlset(f"<url><loc>{server.url('/a')}</loc></url>"),
        headers={"Content-Type": "application/xml"},
    )
    server.route(
        "/s2.xml.gz",
        gzip.compress(urlset("<url><loc>/b</loc></url>")),
        headers={"Content-Type": "application/x-gzip"},
    )
    server.route(
        "/loop.xml",
        f"<sitemapindex {SITEMAP_NS}><sitemap><loc>/loop.xml</loc></sitemap></sitemapindex>".encode(),
        headers={"Content-Type": "application/xml"},
    )
    index = (
        f"<sitemapindex {SITEMAP_NS}>"
        + "".join(
            f"<sitemap><loc>{server.url(p)}</loc></sitemap>" for p in ("/s1.xml", "/s2.xml.gz", "/loop.xml")
        )
        + "</sitemapindex>"
    )
    server.route("/index.xml", index.encode(), headers={"Content-Type": "application/xml"})
    found = read([server.url("/index.xml")])
    assert [d.id for d in docs(found)] == [server.url("/a"), server.url("/b")]
    assert [e.error.kind for e in errors(found)] == ["too_deep"]
    assert (
        len(server.requested("/loop.xml")) == 3
    )  # at depths 1, 2 and 3; the one it lists at depth 4 is not fetched


def test_sitemap_urls_seen_are_skipped(server: LoopbackServer) -> None:
    server.route("/a", page("A", "Text of a. " * 20), headers={"Content-Type": HTML})
    server.route(
        "/sitemap.xml",
        urlset(f"<url><loc>{server.url('/a')}</loc></url>"),
        headers={"Content-Type": "application/xml"},
    )
    state = MemoryState()
    assert len(read([server.url("/sitemap.xml")], state)) == 1
    assert read([server.url("/sitemap.xml")], state) == []
    assert len(server.requested("/a")) == 1


# -- pages ----------------------------------------------------------------------------------------------


def test_a_page_with_boilerplate_keeps_the_main_text(server: LoopbackServer) -> None:
    article = EXAMPLES / "articles" / "2025-12-20-sammit-tokio.ru.html"
    server.route("/news/tokio", article.read_bytes(), headers={"Content-Type": "text/html"})
    (raw,) = read([server.url("/news/tokio")])
    assert isinstance(raw, RawInput) and raw.id == server.url("/news/tokio") and raw.kind == "html"
    document = to_document(raw)
    assert "Токийской" in document.text
    assert "Главная" not in document.text and "Экономика" not in document.text  # the menu is dropped
    assert document.provenance is not None and document.provenance.status == 200


def test_a_redirected_page_gets_the_final_url_as_id(server: LoopbackServer) -> None:
    server.route("/short", status=301, headers={"Location": "/long/article"})
    server.route("/long/article", page("A", "x " * 50), headers={"Content-Type": HTML})
    (raw,) = read([server.url("/short#top")])
    assert isinstance(raw, RawInput) and raw.id == server.url("/long/article")
    assert raw.provenance is not None and raw.provenance.url == server.url("/long/article")


def test_page_errors(server: LoopbackServer) -> None:
    server.route("/doc.pdf", b"%PDF-1.4 ...", headers={"Content-Type": "application/pdf"})
    found = read(
        [server.url("/missing"), server.url("/doc.pdf"), "ftp://example.org/a.html", "file:///etc/passwd"]
    )
    assert [(e.error.kind, e.id) for e in errors(found)] == [
        ("http_status", server.url("/missing")),
        ("not_html", server.url("/doc.pdf")),
        ("scheme", "ftp://example.org/a.html"),
        ("scheme", "file:///etc/passwd"),
    ]
    assert server.requested("/doc.pdf") and len(found) == 4


def test_the_default_config_refuses_loopback(server: LoopbackServer) -> None:
    server.route("/a", page("A", "x " * 50), headers={"Content-Type": HTML})
    (found,) = list(iter_sources([server.url("/a")]))
    assert isinstance(found, ReadError) and found.error.kind == "private_address"
    assert server.log == []


def test_cp1251_page_through_the_source(server: LoopbackServer) -> None:
    body = (
        '<html><head><meta charset="windows-1251"><title>Саммит</title></head><body><article><p>'
        + "Саммит в Астане отменён из-за землетрясения. " * 10
        + "</p></article></body></html>"
    )
    server.route("/ru", body.encode("cp1251"), headers={"Content-Type": "text/html"})
    (raw,) = read([server.url("/ru")])
    assert isinstance(raw, RawInput) and "Астане" in to_document(raw).text


# -- local files ----------------------------------------------------------------------------------------


def test_local_feed_with_relative_links_reads_files_offline(tmp_path: Path) -> None:
    articles = EXAMPLES / "articles"
    feed = tmp_path / "feed.xml"
    links = [
        ("2025-12-20-sammit-tokio.ru.html", "Sat, 20 Dec 2025 19:40:00 +0500"),
        ("2025-12-20-tokyo-summit-held.en.txt", "Sat, 20 Dec 2025 18:00:00 +0900"),
    ]
    (tmp_path / "articles").mkdir()
    for name, _ in links:
        (tmp_path / "articles" / name).write_bytes((articles / name).read_bytes())
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><language>ru</language>'
        + "".join(item(n, f"articles/{n}", f"Title {n}", d) for n, d in links[:1])
        + item(links[1][0], (tmp_path / "articles" / links[1][0]).as_uri(), "Tokyo", links[1][1])
        + "</channel></rss>",
        encoding="utf-8",
    )
    with Fetcher(FetchConfig()) as fetcher:
        found = list(iter_sources([str(feed)], fetcher=fetcher))
    assert [(d.id, d.kind, d.published) for d in docs(found)] == [
        ("articles/2025-12-20-sammit-tokio.ru.html", "html", "2025-12-20"),
        ("articles/2025-12-20-tokyo-summit-held.en.txt", "text", "2025-12-20"),
    ]
    first = docs(found)[0]
    assert first.title == "Title 2025-12-20-sammit-tokio.ru.html" and first.language == "ru"
    assert "Токийской" in to_document(first).text


def test_the_example_feed_is_read_offline() -> None:
    """The bundled feed links to its articles by relative paths: reading it needs no network, and each
    document keeps the feed entry's title, date and guid."""
    found = list(iter_sources([str(EXAMPLES / "feed.xml")]))
    assert len(found) == 8 and not errors(found)
    first = docs(found)[0]
    assert first.id == "articles/2025-12-20-tokyo-summit-held.en.txt" and first.published == "2025-12-20"
    assert first.provenance is not None and first.provenance.entry is not None
    assert first.provenance.entry["guid"] == "eurasia-headlines:caspian-ledger:2025-12-20-tokyo-summit-held"
    assert "Tokyo" in to_document(first).text


def test_files_and_folders_still_go_through_iter_inputs(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Some text.", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.html").write_text("<html><body>x</body></html>", encoding="utf-8")
    found = read([str(tmp_path / "a.txt"), str(tmp_path / "sub"), str(tmp_path / "nope.txt")])
    assert [(i.id, i.kind) for i in docs(found)] == [("a.txt", "text"), ("b.html", "html")]
    assert errors(found)[0].error.kind == "unreadable"
