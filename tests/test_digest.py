"""Watch lists and the digest over the example corpus's chronicle (built once per session: slow), and watch
lists saved in SQLite and PostgreSQL.

The acceptance case of the digest: the week of the Tokyo summit (15–21 December 2025) lists the summit as
held, with its earlier announcement (28 October) and date setting (5 December) as status changes, the
Uzbekistan–Japan trade figures with their conversions, and the sources' disagreement on its dates.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import feedparser
import html5lib
import httpx
import pytest
from sqlalchemy.orm import Session

from mailserver import PASSWORD, PASSWORD_ENV, SENDER, USER, Server, mail_config_for, running_smtp
from servers import running_server
from storyline.digest.alerts import deliver, due, mark_sent
from storyline.digest.compose import compose, period, sentence_around
from storyline.digest.render import event_headline
from storyline.kb import load as load_kb
from storyline.records import Digest, WatchList
from storyline.serve import create_app
from storyline.store import connect, queries
from storyline.store import tables as t
from storyline.watch import WatchError, configured, every, named, normalise, remove, save, scope

from conftest import ROOT, copy_chronicle

WEEK = (date(2025, 12, 15), date(2025, 12, 21))
NOW = datetime(2025, 12, 22, 8, 0)


@pytest.fixture(scope="module")
def kb() -> Any:
    return load_kb()


# --- watch lists -------------------------------------------------------------------------------------------


def test_names_in_any_language_become_ids_and_mistakes_are_errors(kb: Any) -> None:
    watch = normalise(
        WatchList(
            name="japan",
            actors=["Japon", "UZB"],
            formats=["Центральная Азия + Япония"],
            regions=["Central Asia"],
        ),
        kb,
    )
    assert watch.actors == ["JPN", "UZB"]
    assert watch.formats == ["central-asia-plus-japan"]
    assert watch.regions == ["central-asia"]
    with pytest.raises(WatchError, match="unknown actor 'Atlantis'"):
        normalise(WatchList(name="x", actors=["Atlantis"]), kb)
    with pytest.raises(WatchError, match="bad watch list name"):
        normalise(WatchList(name="no spaces please"), kb)
    with pytest.raises(WatchError, match="unknown format"):
        normalise(WatchList(name="x", formats=["JPN"]), kb)  # a country is not a format


def test_a_region_follows_its_countries(kb: Any) -> None:
    follows = scope(WatchList(name="ca", regions=["central-asia"]), kb)
    assert {"KAZ", "KGZ", "TJK", "TKM", "UZB", "central-asia"} <= follows.actors
    assert not scope(None, kb).actors and scope(None, kb).everything


def test_watch_lists_are_saved_replaced_and_removed(db_url: str, kb: Any) -> None:
    engine = connect(db_url)
    try:
        assert save(engine, normalise(WatchList(name="japan", actors=["JPN"]), kb))
        assert not save(engine, normalise(WatchList(name="japan", actors=["JPN", "KAZ"], language="fr"), kb))
        settings = {"watch": {"eu": {"actors": ["eu"], "types": ["CONSULT"]}, "japan": {"actors": ["KOR"]}}}
        found = every(engine, settings)
        assert list(found) == ["eu", "japan"]
        assert found["japan"][1] == "database" and found["japan"][0].actors == [
            "JPN",
            "KAZ",
        ]  # the saved one wins
        assert found["eu"][1] == "config" and found["eu"][0].types == ["CONSULT"]
        assert named(engine, settings, "japan").language == "fr"
        assert remove(engine, "japan") and not remove(engine, "japan")
        with pytest.raises(WatchError, match="no watch list named 'japan'; known: eu"):
            named(engine, {"watch": {"eu": {"actors": ["eu"]}}}, "japan")
    finally:
        engine.dispose()


def test_a_bad_watch_table_in_the_configuration_says_where() -> None:
    with pytest.raises(WatchError, match=r"\[watch.x\]"):
        configured({"watch": {"x": {"actors": "JPN", "colour": "blue"}}})


def test_sentence_around_finds_the_sentence_of_a_figure() -> None:
    text = "The summit opened. Trade reached US$326.8 million in 2025, officials said. Talks went on."
    start = text.index("US$")
    assert (
        sentence_around(text, start, start + 16) == "Trade reached US$326.8 million in 2025, officials said."
    )
    assert sentence_around(text, 0, 3) == "The summit opened."


def test_periods_end_on_the_last_day() -> None:
    assert period("week", date(2025, 12, 21)) == WEEK
    assert period("day", date(2025, 12, 21)) == (date(2025, 12, 21), date(2025, 12, 21))
    with pytest.raises(ValueError, match="unknown period"):
        period("fortnight", date(2025, 12, 21))


# --- the digest over the example corpus --------------------------------------------------------------------


@pytest.fixture(scope="module")
def chronicle(example_chronicle: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    return copy_chronicle(example_chronicle, tmp_path_factory.mktemp("digest"))


def _tokyo_week(chronicle: str, kb: Any, watch: WatchList | None = None, language: str = "en") -> Digest:
    engine = connect(chronicle)
    try:
        return compose(engine, since=WEEK[0], until=WEEK[1], watch=watch, language=language, kb=kb, now=NOW)
    finally:
        engine.dispose()


@pytest.mark.slow
def test_the_week_of_the_tokyo_summit(chronicle: str, kb: Any) -> None:
    digest = _tokyo_week(chronicle, kb)
    (story,) = [s for s in digest.stories if s.id == "central-asia-plus-japan"]
    assert story.format == "central-asia-plus-japan"
    summit = next(e for e in story.events if e.type == "CONSULT" and e.when and e.when.start.year == 2025)
    assert summit.status == "occurred" and summit.where is not None and summit.where.name == "Tokyo"
    assert not summit.new  # announced in October: not new this week, but it changed
    changes = [(c.change, c.reported, c.new) for c in summit.changes]
    # announced in October, dates set on 5 December (earlier: context), opened on the 19th, over on the 20th
    assert changes == [
        ("announced", date(2025, 10, 28), False),
        ("dates set", date(2025, 12, 5), False),
        ("under way", date(2025, 12, 19), True),
        ("concluded", date(2025, 12, 20), True),
    ]
    # every change comes with its source's sentence, verbatim from the document
    engine = connect(chronicle)
    try:
        with Session(engine) as session:
            for change in summit.changes:
                (quote,) = change.quotes
                document = session.get(t.Document, quote.document)
                assert document is not None and quote.sentence in document.text
                assert quote.evidence.text in quote.sentence
    finally:
        engine.dispose()
    assert "Tokyo" in summit.changes[1].quotes[0].sentence and "19" in summit.changes[1].quotes[0].sentence
    # background mentions (the 2004 founding meeting recalled this week) are not news
    assert all(not (e.when and e.when.start.year < 2025) for s in digest.stories for e in s.events)
    # the declaration adopted at the summit is new this week
    assert any(e.type == "AGREE" and e.new and e.status == "occurred" for e in story.events)
    # the Uzbekistan–Japan trade figures, with their conversions, once each
    trade = sorted((f.figure.value, f.figure.unit) for f in story.figures if f.figure.kind == "trade_volume")
    assert trade == [(326_800_000.0, "USD"), (336_300_000.0, "USD")]
    for f in story.figures:
        assert "EUR" in f.figure.converted and f.figure.converted["EUR"].rate > 0
        assert f.quote.evidence.text in f.quote.sentence and "Uzbekistan" in f.quote.sentence
    # the sources disagree on the dates: 19–20 December (English) against 20 December (Russian)
    (dates,) = [c for c in story.contradictions if c.field == "date"]
    assert {c.value for c in dates.claims} == {"2025-12-19/2025-12-20", "2025-12-20"}
    # every quoted document is described (outlet, date, link data) for the reader
    quoted = {q.document for e in story.events for c in e.changes for q in c.quotes}
    assert quoted <= set(digest.documents)
    assert digest.documents["2025-12-20-sammit-tokio.ru.html"].published == date(2025, 12, 20)


@pytest.mark.slow
def test_a_watch_list_narrows_the_digest(chronicle: str, kb: Any) -> None:
    everything = {s.id for s in _tokyo_week(chronicle, kb).stories}
    japan = _tokyo_week(chronicle, kb, WatchList(name="japan", actors=["JPN"]))
    assert {s.id for s in japan.stories} == {"central-asia-plus-japan"} <= everything
    agreements = _tokyo_week(chronicle, kb, WatchList(name="deals", actors=["JPN"], types=["AGREE"]))
    assert {e.type for s in agreements.stories for e in s.events} == {"AGREE"}
    korea = _tokyo_week(chronicle, kb, WatchList(name="korea", actors=["KOR"]))
    assert korea.stories == []
    keyword = _tokyo_week(chronicle, kb, WatchList(name="decl", keywords=["Tokyo Declaration"]))
    assert {s.id for s in keyword.stories} == {"central-asia-plus-japan"}
    assert "AGREE" in {e.type for s in keyword.stories for e in s.events}
    for event in (e for s in keyword.stories for e in s.events):
        assert any("tokyo declaration" in q.sentence.casefold() for q in event.quotes)


@pytest.mark.slow
def test_the_digest_command_writes_json(chronicle: str, tmp_path: Path) -> None:
    out = tmp_path / "digest.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "storyline.cli",
            "digest",
            "--db",
            chronicle,
            "--until",
            "2025-12-21",
            "--period",
            "week",
            "--format",
            "json",
            "--lang",
            "fr",
            "--output",
            str(out),
        ],
        cwd=ROOT,
        env={**os.environ, "STORYLINE_CONFIG": str(tmp_path / "none.toml")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    digest = Digest.model_validate(json.loads(out.read_text(encoding="utf-8")))
    assert (digest.since, digest.until, digest.language) == (*WEEK, "fr")
    assert any(s.id == "central-asia-plus-japan" for s in digest.stories)
    bad = subprocess.run(
        [sys.executable, "-m", "storyline.cli", "digest", "--db", chronicle, "--watch", "nobody"],
        cwd=ROOT,
        env={**os.environ, "STORYLINE_CONFIG": str(tmp_path / "none.toml")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 2 and "no watch list named 'nobody'" in bad.stderr


@pytest.mark.slow
def test_alerts_tell_each_watch_list_once(chronicle: str, kb: Any) -> None:
    engine = connect(chronicle)
    try:
        touched = [e.id for e in queries.events(engine, with_history=False)]
        japan = normalise(WatchList(name="japan", actors=["JPN"]), kb)
        korea = normalise(WatchList(name="korea", actors=["KOR"]), kb)
        alerts = due(engine, touched, [japan, korea], kb, today=date(2025, 12, 21))
        held = [a for a in alerts if a.event.type == "CONSULT"]
        assert {a.watch.name for a in alerts} == {"japan"}
        (summit,) = held
        assert (summit.before, summit.event.status, summit.report.change) == (
            "ongoing",
            "occurred",
            "concluded",
        )
        # a year later, the same changes are old news: nothing to tell
        assert due(engine, touched, [japan], kb, today=date(2026, 12, 21)) == []
        for alert in alerts:
            mark_sent(engine, alert)
        assert due(engine, touched, [japan], kb, today=date(2025, 12, 21)) == []
    finally:
        engine.dispose()


# --- Atom feeds from storyline serve -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(chronicle: str, kb: Any) -> Iterator[str]:
    engine = connect(chronicle)
    save(engine, normalise(WatchList(name="japan", actors=["JPN"], language="fr"), kb))
    app = create_app(engine)
    app.state.settings = {"watch": {"eu": {"actors": ["eu"]}}}  # as if read from the configuration file
    with running_server(app) as base:
        yield base
    engine.dispose()


def _items(digest: Digest) -> int:
    return sum(len(s.events) + len(s.figures) + len(s.contradictions) for s in digest.stories)


@pytest.mark.slow
def test_the_watch_feed_holds_the_digest_items(served: str, chronicle: str, kb: Any) -> None:
    response = httpx.get(f"{served}/feeds/watch/japan.atom", params={"until": "2025-12-21"}, timeout=60)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.language == "fr" if "language" in parsed.feed else True
    digest = _tokyo_week(chronicle, kb, WatchList(name="japan", actors=["JPN"]), language="fr")
    assert len(parsed.entries) == _items(digest) > 0
    summit = next(e for s in digest.stories for e in s.events if e.type == "CONSULT")
    headline = event_headline(summit, kb, "fr")
    (entry,) = [e for e in parsed.entries if e.id == f"urn:storyline:event:{summit.id}"]
    assert entry.title.startswith(headline)
    assert entry.updated.startswith("2025-12-20")
    # the entry's links and the links inside it lead somewhere on the server
    links = {entry.link, *re.findall(r'href="([^"]+)"', entry.summary)}
    own = {d.url for d in digest.documents.values() if d.url}  # an article's own address comes first
    assert links and all(link.startswith(served) or link in own for link in links)
    for link in (link for link in links if link.startswith(served)):
        assert httpx.get(link, timeout=60).status_code == 200, link


@pytest.mark.slow
def test_the_story_feed_and_the_configured_watch_lists(served: str) -> None:
    story = feedparser.parse(
        httpx.get(f"{served}/feeds/stories/central-asia-plus-japan.atom", timeout=60).content
    )
    assert not story.bozo and story.feed.title == "Central Asia plus Japan Dialogue"
    ids = [e.id for e in story.entries]
    assert len(ids) == len(set(ids)) >= 5
    assert story.entries[0].updated >= story.entries[-1].updated  # the latest first
    ru = feedparser.parse(
        httpx.get(f"{served}/feeds/stories/central-asia-plus-japan.atom?lang=ru", timeout=60).content
    )
    assert ru.feed.title == "Центральная Азия + Япония"
    eu = httpx.get(f"{served}/feeds/watch/eu.atom", params={"until": "2025-04-06"}, timeout=60)
    assert eu.status_code == 200 and not feedparser.parse(eu.content).bozo
    assert httpx.get(f"{served}/feeds/watch/nobody.atom", timeout=60).status_code == 404
    assert httpx.get(f"{served}/feeds/digest.atom?lang=xx", timeout=60).status_code == 422
    assert httpx.get(f"{served}/feeds/stories/nothing.atom", timeout=60).status_code == 404


def test_the_example_configuration_is_valid(kb: Any) -> None:
    import tomllib

    from storyline.digest.mail import mail_config

    settings = tomllib.loads((ROOT / "examples" / "config.toml").read_text(encoding="utf-8"))
    lists = {name: normalise(w, kb) for name, w in configured(settings).items()}
    assert lists["summits"].regions == ["central-asia"] and lists["japan"].recipients
    config = mail_config(settings)
    assert config.starttls and config.sender and config.password_env


# --- delivery: the e-mail digest and the alerts, through a real SMTP server on loopback ------------------


@pytest.fixture(scope="module")
def smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_smtp(tmp_path_factory.mktemp("smtp")) as server:
        yield server


def _arrived(server: Server, before: int) -> EmailMessage:
    assert len(server.inbox.messages) == before + 1
    message = email.message_from_bytes(server.inbox.messages[-1][2], policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


@pytest.mark.slow
def test_the_digest_is_e_mailed_and_its_links_work(
    served: str, chronicle: str, smtp: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[digest]\nbase_url = "{served}"\n\n[mail]\nhost = "127.0.0.1"\nport = {smtp.port}\n'
        f'username = "{USER}"\npassword_env = "{PASSWORD_ENV}"\nsender = "{SENDER}"\nca_file = "{smtp.cert}"\n',
        encoding="utf-8",
    )
    before = len(smtp.inbox.messages)
    done = subprocess.run(
        [
            *(sys.executable, "-m", "storyline.cli", "digest", "--db", chronicle, "--watch", "japan"),
            *("--until", "2025-12-21", "--send", "--to", "desk@newsroom.example.org"),
        ],
        cwd=ROOT,
        env={**os.environ, "STORYLINE_CONFIG": str(config), PASSWORD_ENV: PASSWORD},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    message = _arrived(smtp, before)
    assert message["To"] == "desk@newsroom.example.org" and "japan" in message["Subject"]
    assert message["Content-Language"] == "fr"  # the watch list's language
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    page = html.get_content()
    html5lib.HTMLParser(strict=True).parse(page)  # valid HTML: raises on any parse error
    assert "<script" not in page.lower() and " src=" not in page.lower() and "stylesheet" not in page.lower()
    assert "A EU LIEU" in text.get_content().upper()
    links = set(re.findall(r'href="([^"]+)"', page))
    stored = {d.url for d in _tokyo_week(chronicle, load_kb()).documents.values() if d.url}
    assert links and all(link.startswith(served) or link in stored for link in links)
    for link in (link for link in links if link.startswith(served)):
        assert httpx.get(link.replace("&amp;", "&"), timeout=60).status_code == 200, link


@pytest.mark.slow
def test_alerts_are_e_mailed_once(chronicle: str, kb: Any, smtp: Server, tmp_path: Path) -> None:
    engine = connect(copy_chronicle(Path(chronicle), tmp_path))
    try:
        touched = [e.id for e in queries.events(engine, with_history=False)]
        desk = normalise(
            WatchList(name="desk", actors=["JPN"], recipients=["desk@newsroom.example.org"], language="ru"),
            kb,
        )
        silent = normalise(WatchList(name="silent", actors=["JPN"]), kb)
        alerts = due(engine, touched, [desk, silent], kb, today=date(2025, 12, 21))
        before = len(smtp.inbox.messages)
        os.environ[PASSWORD_ENV] = PASSWORD
        try:
            sent, failed = deliver(engine, alerts, kb, mail_config_for(smtp))
        finally:
            del os.environ[PASSWORD_ENV]
        assert {a.watch.name for a in sent} == {"desk"} and {a.watch.name for a, _ in failed} == {"silent"}
        assert all("no recipients" in reason for _, reason in failed)
        assert len(smtp.inbox.messages) == before + len(sent)
        arrived = [
            email.message_from_bytes(raw, policy=email.policy.default)
            for _, _, raw in smtp.inbox.messages[before:]
        ]
        assert all(m["Content-Language"] == "ru" and m["To"] == "desk@newsroom.example.org" for m in arrived)
        bodies = [m.get_body(("plain",)).get_content() for m in arrived]  # type: ignore[union-attr]
        assert any("Токио" in body for body in bodies), bodies  # the headline's place in the list's language
        # sent once: the next round has nothing more for the desk, and still tries the list with no recipients
        again = due(engine, touched, [desk, silent], kb, today=date(2025, 12, 21))
        assert {a.watch.name for a in again} == {"silent"}
    finally:
        engine.dispose()


def test_update_alerts_need_a_sender(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[mail]\nhost = "127.0.0.1"\n', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "storyline.cli", "update", "--db", str(tmp_path / "c.sqlite3"), "--alerts"],
        cwd=ROOT,
        env={**os.environ, "STORYLINE_CONFIG": str(config)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "--alerts needs a sender" in done.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "en",
            [
                "Central Asia plus Japan Dialogue: summit, Tokyo",
                "took place",
                "announced",
                "dates set",
                "326.8",
            ],
        ),
        ("fr", ["Asie centrale + Japon : sommet, Tokyo", "a eu lieu", "annoncé", "dates fixées", "326,8"]),
        (
            "ru",
            [
                "Центральная Азия + Япония: саммит, Токио",
                "состоялось",
                "объявлено",
                "назначены даты",
                "326,8",
            ],
        ),
    ],
)
def test_the_tokyo_week_in_three_languages(chronicle: str, kb: Any, language: str, words: list[str]) -> None:
    from storyline.digest.render import render

    digest = _tokyo_week(chronicle, kb, language=language)
    for fmt in ("text", "markdown", "html"):
        out = render(digest, fmt, kb, base_url="http://127.0.0.1:8000")  # type: ignore[arg-type]
        for word in words:
            assert word in out.replace("\u00a0", " ").replace("\u202f", " "), (fmt, word)
    # the sources' own sentences stay in their language, whatever the digest's
    text = render(digest, "text", kb)
    assert "20 декабря в Токио состоялся первый саммит" in text
    assert "Tokyo accueillera mi-décembre" in text


def test_the_digest_on_both_databases(db_url: str, kb: Any) -> None:
    """compose() over hand-made readings (no language models), on SQLite and PostgreSQL alike: the summit
    announced in October and held in the week, its figure and the warning check of the week's document."""
    from test_api import fill

    fill(db_url)
    engine = connect(db_url)
    try:
        digest = compose(engine, since=WEEK[0], until=WEEK[1], language="ru", kb=kb, now=NOW)
        again = compose(engine, since=WEEK[0], until=WEEK[1], language="ru", kb=kb, now=NOW)
    finally:
        engine.dispose()
    assert digest == again  # the same database gives the same digest
    (story,) = [s for s in digest.stories if s.id == "central-asia-plus-japan"]
    summit = next(e for e in story.events if e.type == "CONSULT")
    assert summit.status == "occurred" and [c.change for c in summit.changes][-1] in (
        "took place",
        "concluded",
    )
    assert [c.new for c in summit.changes] == [False, True]  # announced in October, held this week
    assert [f.figure.value for f in story.figures] == [326.8e6]
    assert [c.check.kind for c in story.checks] == ["published_date_ambiguous"]
    assert digest.documents["en-held"].outlet == "news.example"
