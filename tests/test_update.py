"""Following sources and ``storyline update``: against a real HTTP server on 127.0.0.1 and a real database
(a SQLite file; PostgreSQL too when a server answers on 127.0.0.1:5432).

Reading a document loads the language models, so the tests that read are marked slow and read in-process
(``flow.update`` with one worker); the command line is run as a subprocess only where nothing is read.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from storyline.flow import update
from storyline.ingest.fetch import FetchConfig
from storyline.store import connect, integrity_problems
from storyline.store.sources import add_source, list_sources
from webserver import LoopbackServer, Reply, Request

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "examples" / "articles"
HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
CONFIG = FetchConfig(allow_private=True, min_delay=0.01, backoff=0.01, retries=0, total_timeout=10)
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
TEXTS = (
    "2025-12-20-tokyo-summit-held.en.txt",
    "2025-11-06-white-house-summit.en.txt",
    "2025-12-05-uzbek-japan-trade.en.txt",
)


# -- helpers ----------------------------------------------------------------------------------------------


class Feed:
    """An RSS feed served with an ETag: 304 when the client's If-None-Match is the current one."""

    def __init__(self, server: LoopbackServer, path: str = "/news/feed.xml") -> None:
        self.server, self.path = server, path
        self.items: list[str] = []
        server.handle(path, self.reply)

    @property
    def url(self) -> str:
        return self.server.url(self.path)

    def body(self) -> bytes:
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title>'
            f"<link>{self.server.url('/')}</link><language>en-us</language>"
            + "".join(self.items)
            + "</channel></rss>"
        ).encode()

    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body()).hexdigest()[:16] + '"'

    def reply(self, request: Request) -> Reply:
        etag = self.etag()
        if request.headers.get("if-none-match") == etag:
            return Reply(304, {"ETag": etag})
        return Reply(200, {"Content-Type": RSS, "ETag": etag}, self.body())

    def add(self, path: str, title: str, date: str = "Sat, 20 Dec 2025 09:00:00 +0900") -> None:
        link = self.server.url(path)
        self.items.append(
            f"<item><guid>{link}</guid><link>{link}</link><title>{html.escape(title)}</title>"
            f"<pubDate>{date}</pubDate></item>"
        )


def article_page(name: str) -> tuple[str, bytes]:
    """An example article (a .txt file) as a simple HTML page: its title and the page."""
    title, *paragraphs = [p.strip() for p in (ARTICLES / name).read_text(encoding="utf-8").split("\n\n")]
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)
    page = (
        f"<!doctype html><html><head><title>{html.escape(title)}</title></head><body>"
        f"<article><h1>{html.escape(title)}</h1>{body}</article></body></html>"
    )
    return title, page.encode()


def serve_article(server: LoopbackServer, feed: Feed, path: str, name: str) -> None:
    title, page = article_page(name)
    server.route(path, page, headers={"Content-Type": HTML})
    feed.add(path, title)


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def failures(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {str(key): str(kind) for key, kind in conn.execute(text("SELECT key, kind FROM failures"))}


def validators_asked(server: LoopbackServer, path: str) -> list[str | None]:
    return [r.headers.get("if-none-match") for r in server.requested(path)]


def cli_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["STORYLINE_CONFIG"] = str(tmp_path / "no-config.toml")
    env.pop("STORYLINE_DB", None)
    return env


def storyline(tmp_path: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "storyline.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=cli_env(tmp_path),
        cwd=tmp_path,
    )


# A `storyline` process that says on exit whether it imported the language-model libraries.
WATCH = (
    "import atexit, sys\n"
    "def report():\n"
    "    loaded = sorted(m for m in ('spacy', 'natasha', 'stanza', 'torch') if m in sys.modules)\n"
    "    sys.stderr.write(f'MODELS_LOADED={loaded}\\n')\n"
    "atexit.register(report)\n"
    "from storyline.cli import main\n"
    "sys.argv = ['storyline', *sys.argv[1:]]\n"
    "main()\n"
)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "chronicle.sqlite3"


@pytest.fixture
def engine(db_path: Path) -> Iterator[Engine]:
    engine = connect(str(db_path))
    yield engine
    engine.dispose()


@contextlib.contextmanager
def fresh_postgresql() -> Iterator[str]:
    """A new, empty PostgreSQL database (dropped afterwards); the test is skipped without a server."""
    try:
        import psycopg

        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except Exception as exc:  # the server is not there, or refuses us
        pytest.skip(f"PostgreSQL does not answer at {PG_ADMIN}: {exc}")
    name = f"storyline_upd_{uuid.uuid4().hex[:12]}"
    try:
        admin.execute(f"CREATE DATABASE {name}")
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_engine(request: pytest.FixtureRequest, db_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = connect(str(db_path))
        yield engine
        engine.dispose()
        return
    with fresh_postgresql() as url:
        engine = connect(url)
        try:
            yield engine
        finally:
            engine.dispose()


# -- sources add, list, remove (no document is read) --------------------------------------------------------


def test_sources_add_list_remove(tmp_path: Path, db_path: Path) -> None:
    feed = "http://127.0.0.1:9/news/feed.rss"
    added = storyline(tmp_path, "sources", "add", feed, "--db", str(db_path), "--every", "30", "--name", "N")
    assert added.returncode == 0, added.stderr
    assert "following" in added.stderr
    again = storyline(tmp_path, "sources", "add", feed, "--db", str(db_path), "--every", "90")
    assert again.returncode == 0, again.stderr
    assert "updated" in again.stderr

    engine = connect(str(db_path))
    try:
        (only,) = list_sources(engine)
        assert (only.url, only.every_minutes, only.name, only.last_checked) == (feed, 90, "N", None)
    finally:
        engine.dispose()

    listed = storyline(tmp_path, "sources", "list", "--db", str(db_path))
    assert listed.returncode == 0, listed.stderr
    assert "1 sources" in listed.stdout and "feed.rss" in listed.stdout and "never" in listed.stdout

    assert storyline(tmp_path, "sources", "remove", feed, "--db", str(db_path)).returncode == 0
    unknown = storyline(tmp_path, "sources", "remove", feed, "--db", str(db_path))
    assert unknown.returncode == 1
    assert "not followed" in unknown.stderr
    assert "0 sources" in storyline(tmp_path, "sources", "list", "--db", str(db_path)).stdout


def test_sources_add_refuses_other_schemes_and_missing_files(tmp_path: Path, db_path: Path) -> None:
    ftp = storyline(tmp_path, "sources", "add", "ftp://example.org/feed.xml", "--db", str(db_path))
    assert ftp.returncode == 2
    assert "only http and https" in ftp.stderr
    missing = storyline(tmp_path, "sources", "add", str(tmp_path / "nowhere.xml"), "--db", str(db_path))
    assert missing.returncode == 2
    assert "no such file" in missing.stderr
    engine = connect(str(db_path))
    try:
        assert list_sources(engine) == []
    finally:
        engine.dispose()


def test_sources_add_local_feed_is_a_feed(tmp_path: Path, engine: Engine, db_path: Path) -> None:
    feed = ROOT / "examples" / "feed.xml"
    done = storyline(tmp_path, "sources", "add", str(feed), "--db", str(db_path))
    assert done.returncode == 0, done.stderr
    assert [s.kind for s in list_sources(engine)] == ["feed"]


@pytest.mark.parametrize("path", ["/news/feed.xml", "/news/feed.rss"])
def test_sources_add_feed_url_records_kind_feed(
    tmp_path: Path, db_path: Path, engine: Engine, server: LoopbackServer, path: str
) -> None:
    feed = Feed(server, path)
    done = storyline(tmp_path, "sources", "add", feed.url, "--db", str(db_path))
    assert done.returncode == 0, done.stderr
    assert [s.kind for s in list_sources(engine)] == ["feed"]


# -- update: conditional requests, seen entries, failures ---------------------------------------------------


@pytest.mark.slow
def test_update_twice_fetches_nothing_new(any_engine: Engine, server: LoopbackServer) -> None:
    engine = any_engine
    feed = Feed(server)
    serve_article(server, feed, "/news/tokyo", TEXTS[0])
    serve_article(server, feed, "/news/washington", TEXTS[1])
    add_source(engine, feed.url, "feed")

    first = update(engine, fetch=CONFIG, workers=1, force=True)
    assert first.sources == [feed.url]
    assert (first.run.read, first.run.failed, first.remembered) == (2, 0, 2), first.run.errors
    assert count(engine, "documents") == 2
    assert server.paths() == ["/news/feed.xml", "/news/tokyo", "/news/washington"]

    before = len(server.log)
    second = update(engine, fetch=CONFIG, workers=1, force=True)
    assert (second.run.read, second.run.unchanged, second.run.failed, second.remembered) == (0, 0, 0, 0)
    asked = [r for r in server.log[before:] if r.path != "/robots.txt"]
    assert [r.path for r in asked] == ["/news/feed.xml"]  # no page again
    assert asked[0].headers.get("if-none-match") == feed.etag()  # and the feed answered 304
    assert count(engine, "documents") == 2
    assert integrity_problems(engine) == []

    serve_article(server, feed, "/news/trade", TEXTS[2])  # a new item: a new ETag
    before = len(server.log)
    third = update(engine, fetch=CONFIG, workers=1, force=True)
    assert (third.run.read, third.run.failed, third.remembered) == (1, 0, 1), third.run.errors
    assert [r.path for r in server.log[before:] if r.path != "/robots.txt"] == [
        "/news/feed.xml",
        "/news/trade",
    ]
    assert count(engine, "documents") == 3
    assert count(engine, "seen_entries") == 3
    assert integrity_problems(engine) == []


def test_update_without_allow_private_records_a_failure(engine: Engine, server: LoopbackServer) -> None:
    feed = Feed(server)
    feed.add("/news/a", "A")
    add_source(engine, feed.url, "feed")
    report = update(engine, fetch=FetchConfig(min_delay=0.01), workers=1, force=True)
    assert report.sources == [feed.url]
    assert report.run.failed == 1 and report.run.read == 0
    assert [e.error.kind for e in report.run.errors] == ["private_address"]
    assert failures(engine) == {feed.url: "private_address"}
    assert server.log == []  # refused before connecting
    assert list_sources(engine)[0].last_checked is not None  # the run went on to the end


@pytest.mark.slow
def test_a_page_that_fails_is_retried_and_seen_entries_are_not(
    engine: Engine, server: LoopbackServer
) -> None:
    # no validators on the feed: it is fetched in full each time, so only the seen entries hold pages back
    title, page = article_page(TEXTS[0])
    items = [
        f"<item><guid>{server.url(p)}</guid><link>{server.url(p)}</link><title>{t}</title></item>"
        for p, t in (("/news/ok", html.escape(title)), ("/news/missing", "Gone"))
    ]
    server.route("/news/ok", page, headers={"Content-Type": HTML})
    server.route(
        "/feed.rss",
        (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>{"".join(items)}</channel></rss>'
        ).encode(),
        headers={"Content-Type": RSS},
    )
    add_source(engine, server.url("/feed.rss"), "feed")

    first = update(engine, fetch=CONFIG, workers=1, force=True)
    assert (first.run.read, first.run.failed, first.remembered) == (1, 1, 1)
    assert [(e.id, e.error.kind) for e in first.run.errors] == [(server.url("/news/missing"), "http_status")]
    assert failures(engine) == {server.url("/news/missing"): "http_status"}

    before = len(server.log)
    second = update(engine, fetch=CONFIG, workers=1, force=True)
    assert second.run.read == 0 and second.run.failed == 1
    assert [r.path for r in server.log[before:] if r.path != "/robots.txt"] == ["/feed.rss", "/news/missing"]

    server.route("/news/missing", article_page(TEXTS[1])[1], headers={"Content-Type": HTML})  # it is back
    third = update(engine, fetch=CONFIG, workers=1, force=True)
    assert (third.run.read, third.run.failed, third.remembered) == (1, 0, 1), third.run.errors
    assert count(engine, "documents") == 2
    assert integrity_problems(engine) == []


def test_a_failed_entry_is_retried_when_the_feed_answers_304(engine: Engine, server: LoopbackServer) -> None:
    feed = Feed(server)  # with an ETag, as most feeds have
    feed.add("/news/missing", "Gone")  # no document is read: the only entry's page is missing
    add_source(engine, feed.url, "feed")
    first = update(engine, fetch=CONFIG, workers=1, force=True)
    assert [e.error.kind for e in first.run.errors] == ["http_status"]
    before = len(server.log)
    second = update(engine, fetch=CONFIG, workers=1, force=True)
    assert [r.path for r in server.log[before:] if r.path != "/robots.txt"] == [
        "/news/feed.xml",
        "/news/missing",
    ]
    assert second.run.failed == 1


# -- the schedule ---------------------------------------------------------------------------------------------


def test_a_source_checked_once_is_not_due_again(engine: Engine, server: LoopbackServer) -> None:
    feed = Feed(server)  # no items: nothing to read
    add_source(engine, feed.url, "feed", every_minutes=60)
    now = datetime.now(UTC)
    assert update(engine, fetch=CONFIG, workers=1, now=now).sources == [feed.url]
    assert update(engine, fetch=CONFIG, workers=1, now=now + timedelta(minutes=59)).sources == []
    assert len(server.requested(feed.path)) == 1
    assert update(engine, fetch=CONFIG, workers=1, now=now + timedelta(minutes=61)).sources == [feed.url]
    assert update(engine, fetch=CONFIG, workers=1, force=True, now=now + timedelta(minutes=62)).sources == [
        feed.url
    ]


def test_update_cli_checks_only_due_sources(
    tmp_path: Path, db_path: Path, engine: Engine, server: LoopbackServer
) -> None:
    feed = Feed(server)
    added = storyline(tmp_path, "sources", "add", feed.url, "--db", str(db_path), "--every", "60")
    assert added.returncode == 0, added.stderr
    common = ["--db", str(db_path), "--allow-private", "--delay", "0.01", "--workers", "1"]
    first = storyline(tmp_path, "update", *common)
    assert first.returncode == 0, first.stderr
    assert "checked 1 source(s): nothing new" in first.stderr
    second = storyline(tmp_path, "update", *common)
    assert second.returncode == 0, second.stderr
    assert "checked 0 source(s)" in second.stderr
    forced = storyline(tmp_path, "update", *common, "--all")
    assert "checked 1 source(s)" in forced.stderr
    assert len(server.requested(feed.path)) == 2


# -- update --watch and its signals ---------------------------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_watch_stops_cleanly_on_a_signal(
    tmp_path: Path, db_path: Path, engine: Engine, server: LoopbackServer, signum: signal.Signals
) -> None:
    feed = Feed(server)  # no new items: nothing is read; --all: every round asks for the feed
    add_source(engine, feed.url, "feed")
    options = ["--db", str(db_path), "--allow-private", "--delay", "0.01", "--workers", "1"]
    process = subprocess.Popen(
        [sys.executable, "-c", WATCH, "update", "--watch", "--all", "--interval", "0.5", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(tmp_path),
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 30
        while len(server.requested(feed.path)) < 2 and time.monotonic() < deadline:  # two rounds done
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        assert len(server.requested(feed.path)) >= 2
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    assert f"stopping ({signum.name})" in stderr
    assert "checked 1 source(s): nothing new" in stderr
    assert "MODELS_LOADED=[]" in stderr  # nothing to read: no model loaded
    assert validators_asked(server, feed.path)[1] == feed.etag()  # later rounds ask conditionally


@pytest.mark.slow
def test_update_alerts_a_watch_list_when_a_followed_event_changes_status(
    tmp_path: Path, db_path: Path, server: LoopbackServer
) -> None:
    """Two rounds of `storyline update --alerts` against a feed on loopback and an SMTP server on loopback:
    the first brings the Tokyo summit's date setting, the second the summit held; the watch list on Japan is
    told each change once, in French."""
    import email
    import email.policy

    from mailserver import PASSWORD, PASSWORD_ENV, SENDER, USER, running_smtp

    feed = Feed(server)
    title, page = article_page("2025-12-05-uzbek-japan-trade.en.txt")
    server.route("/news/trade", page, headers={"Content-Type": HTML})
    feed.add("/news/trade", title, date="Fri, 05 Dec 2025 09:00:00 +0500")
    with running_smtp(tmp_path) as smtp:
        config = tmp_path / "no-config.toml"  # the name cli_env points STORYLINE_CONFIG at
        config.write_text(
            f'[mail]\nhost = "127.0.0.1"\nport = {smtp.port}\nusername = "{USER}"\n'
            f'password_env = "{PASSWORD_ENV}"\nsender = "{SENDER}"\nca_file = "{smtp.cert}"\n',
            encoding="utf-8",
        )
        env = {**cli_env(tmp_path), PASSWORD_ENV: PASSWORD}
        db = ["--db", str(db_path)]

        def cli(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "storyline.cli", *args],
                capture_output=True,
                text=True,
                timeout=600,
                env=env,
                cwd=tmp_path,
            )

        added = cli(
            "watch",
            "add",
            "japan",
            "--actor",
            "Japon",
            "--to",
            "desk@newsroom.example.org",
            "--lang",
            "fr",
            *db,
        )
        assert added.returncode == 0, added.stderr
        assert cli("sources", "add", feed.url, *db).returncode == 0
        update = ("update", *db, "--all", "--allow-private", "--delay", "0.01", "--workers", "1", "--alerts")
        first = cli(*update, "--alert-days", "100000")
        assert first.returncode == 0, first.stderr
        assert "alerted japan" in first.stderr
        after_first = len(smtp.inbox.messages)
        assert after_first >= 1
        title, page = article_page("2025-12-20-tokyo-summit-held.en.txt")
        server.route("/news/held", page, headers={"Content-Type": HTML})
        feed.add("/news/held", title, date="Sat, 20 Dec 2025 18:00:00 +0900")
        second = cli(*update, "--alert-days", "100000")
        assert second.returncode == 0, second.stderr
        new = [
            email.message_from_bytes(raw, policy=email.policy.default)
            for _, _, raw in smtp.inbox.messages[after_first:]
        ]
        bodies = [m.get_body(("plain",)).get_content() for m in new]  # type: ignore[union-attr]
        assert any("a eu lieu" in body and "Tokyo" in body for body in bodies), bodies
        assert all(m["Content-Language"] == "fr" and m["To"] == "desk@newsroom.example.org" for m in new)
        # a third round with nothing new tells nobody anything
        third = cli(*update, "--alert-days", "100000")
        assert third.returncode == 0 and len(smtp.inbox.messages) == after_first + len(new)
        assert "alerted" not in third.stderr
