"""Web archives: small WARC files written here with warcio, read back record by record."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyline.ingest.document import to_document
from storyline.ingest.sources import RawInput
from storyline.ingest.warc import bench_warc, iter_warc
from storyline.ingest.web import iter_sources
from storyline.records import ReadError

ARTICLE = (
    "<html><head><title>Summit</title></head><body><nav>Home | World | Sport</nav><article><h1>Summit</h1>"
    + "<p>The leaders of Japan and the five Central Asian countries met in Tokyo on 20 December.</p>" * 5
    + "</article><footer>© Example</footer></body></html>"
).encode()


def response(writer: WARCWriter, url: str, status: str, content_type: str, body: bytes) -> None:
    http = StatusAndHeaders(status, [("Content-Type", content_type), ("ETag", '"e1"')], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=http))


def write_archive(path: Path, *, gzip: bool = True) -> None:
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        request = StatusAndHeaders("GET /a HTTP/1.1", [("Host", "news.example.org")], is_http_request=True)
        writer.write_record(
            writer.create_warc_record("https://news.example.org/a", "request", http_headers=request)
        )
        response(writer, "https://news.example.org/a#top", "200 OK", "text/html; charset=utf-8", ARTICLE)
        response(writer, "https://news.example.org/missing", "404 Not Found", "text/html", b"<html>no</html>")
        response(
            writer,
            "https://news.example.org/logo.png",
            "200 OK",
            "image/png",
            b"\x89PNG\r\n\x1a\n" + bytes(64),
        )
        revisit = writer.create_revisit_record(
            "https://news.example.org/a", digest="sha1:AAAA", refers_to_uri="https://news.example.org/a",
            refers_to_date="2025-12-20T10:00:00Z",
        )  # fmt: skip
        writer.write_record(revisit)
        latin = "<html><body><p>Le sommet a été annulé.</p></body></html>".encode("latin-1")
        response(writer, "https://news.example.org/fr", "200 OK", "text/html; charset=iso-8859-1", latin)
        response(
            writer,
            "https://news.example.org/big",
            "200 OK",
            "text/html",
            b"<html>" + b"x" * 5000 + b"</html>",
        )
        writer.write_record(
            writer.create_warc_record(
                "https://news.example.org/note", "resource", payload=BytesIO(b"<p>a resource</p>"),
                warc_content_type="text/html",
            )
        )  # fmt: skip


def test_records_of_a_warc_gz(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_archive(path)
    found = list(iter_warc(path, max_bytes=4000))
    summary = [(i.id, i.error.kind if isinstance(i, ReadError) else "doc") for i in found]
    assert summary == [
        ("https://news.example.org/a", "doc"),
        ("https://news.example.org/missing", "http_status"),
        ("https://news.example.org/logo.png", "not_html"),
        ("https://news.example.org/fr", "doc"),
        ("https://news.example.org/big", "too_large"),
        ("https://news.example.org/note", "doc"),
    ]
    page = found[0]
    assert isinstance(page, RawInput) and page.kind == "html" and page.url == "https://news.example.org/a#top"
    assert page.provenance is not None and page.provenance.source == str(path)
    assert page.provenance.status == 200 and page.provenance.headers["etag"] == '"e1"'
    assert page.provenance.fetched_at is not None and page.provenance.fetched_at.tzinfo is not None
    assert page.provenance.entry is not None and page.provenance.entry["warc_record_id"].startswith(
        "<urn:uuid:"
    )
    document = to_document(page)
    assert "five Central Asian countries" in document.text and "Sport" not in document.text
    french = found[3]
    assert isinstance(french, RawInput) and french.text is not None and "été annulé" in french.text


def test_an_uncompressed_warc_through_iter_sources(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    write_archive(path, gzip=False)
    found = list(iter_sources([str(path)]))
    assert sum(isinstance(i, RawInput) for i in found) == 4
    assert all(
        i.provenance is not None and i.provenance.source == str(path)
        for i in found
        if isinstance(i, RawInput)
    )


def test_a_truncated_archive_ends_with_one_error(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_archive(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 300])
    found = list(iter_warc(path))
    assert isinstance(found[-1], ReadError) and found[-1].error.kind == "corrupt"
    assert sum(isinstance(i, ReadError) and i.error.kind == "corrupt" for i in found) == 1
    assert isinstance(found[0], RawInput)


def test_garbage_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.warc.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00" + b"not a gzip stream" * 20)
    (only,) = list(iter_warc(path))
    assert isinstance(only, ReadError) and only.error.kind == "corrupt"
    (missing,) = list(iter_warc(tmp_path / "nope.warc"))
    assert isinstance(missing, ReadError) and missing.error.kind == "unreadable"


def test_bench_warc_streams(tmp_path: Path) -> None:
    result = bench_warc(2, tmp_path)
    assert set(result) == {"megabytes", "records", "seconds", "peak_rss_mb_before", "peak_rss_mb_after"}
    assert result["records"] > 20
    assert result["peak_rss_mb_after"] - result["peak_rss_mb_before"] < 50
