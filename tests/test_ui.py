"""The HTML pages, without a browser: a small chronicle of readings made by hand, served by a real uvicorn
server on the loopback interface and read with httpx; plus the pure helpers (highlighting, snippets, SVG)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from servers import running_server
from storyline.records import (
    Check,
    Conversion,
    Entity,
    EventMention,
    Figure,
    Interval,
    Mention,
    Place,
    Published,
    Reading,
    Span,
)
from storyline.serve import create_app, pages, svg
from storyline.store import connect
from storyline.store.chronicle import Chronicle, input_hash

SUMMIT = ["JPN", "KAZ", "KGZ", "TJK", "TKM", "UZB"]
TOKYO, ASTANA = 1850147, 1526273
FORMAT = "central-asia-plus-japan"
SCRIPT = "<script>alert(1)</script>"


def _span(text: str, words: str) -> Span:
    start = text.index(words)
    return Span(start=start, end=start + len(words), text=words)


def _entity(text: str, id_: str, kind: str, name: str, words: str) -> Entity:
    s = _span(text, words)
    return Entity(
        id=id_,
        kind=kind,  # type: ignore[arg-type]
        name=name,
        mentions=[Mention(start=s.start, end=s.end, text=s.text)],
    )


def reading(
    doc: str,
    published: date,
    text: str,
    events: list[
        tuple[str, str, str, date | None, date | None, int | None]
    ],  # type, status, words, when, place
    *,
    title: str | None = None,
    language: str = "en",
    figures: list[Figure] | None = None,
    checks: list[Check] | None = None,
) -> Reading:
    """A reading made by hand: each event is a summit of the format, its evidence the given words."""
    return Reading(
        id=doc,
        language=language,
        published=Published(date=published, source="input"),
        text=text,
        title=title or f"Title of {doc}",
        entities=[_entity(text, "JPN", "country", "Japan", "Japan")] if "Japan" in text else [],
        times=[],
        checks=checks or [],
        figures=figures or [],
        events=[
            EventMention(
                type=kind,  # type: ignore[arg-type]
                status=status,  # type: ignore[arg-type]
                participants=SUMMIT,
                format=FORMAT,
                where=Place(
                    name="Tokyo" if city == TOKYO else "Astana",
                    geonameid=city,
                    country="JPN" if city == TOKYO else "KAZ",
                )
                if city
                else None,
                when=Interval(start=start, end=end, granularity="range") if start and end else None,
                evidence=_span(text, words),
            )
            for kind, status, words, start, end, city in events
        ],
    )


ANNOUNCED = (
    "TOKYO — Japan will host the first summit of the Central Asia plus Japan dialogue in mid-December.\n\n"
    "The leaders of the five republics are expected in Tokyo. Officials said the agenda is long."
)
HELD = (
    "TOKYO — The leaders of Japan and the five Central Asian republics met in Tokyo on 19 and 20 December. "
    "They adopted the Tokyo Declaration.\n\n"
    "Trade between Uzbekistan and Japan reached US$336.3 million in 2024.\n\n"
    "In August 2024 a first summit in Astana was cancelled."
)
HOSTILE = (
    f"A page that says {SCRIPT} in its text. Japan and the republics met in Tokyo on 20 December, "
    f"it says, and {SCRIPT} again.\n\nA second paragraph <b>bold</b> & done."
)


def corpus() -> list[Reading]:
    trade = _span(HELD, "US$336.3 million in 2024")
    return [
        reading(
            "announce.en.txt",
            date(2025, 10, 28),
            ANNOUNCED,
            [
                (
                    "CONSULT",
                    "planned",
                    "Japan will host the first summit of the Central Asia plus Japan dialogue in mid-December",
                    date(2025, 12, 11),
                    date(2025, 12, 20),
                    TOKYO,
                )
            ],
            title="Japan to host Central Asia summit",
        ),
        reading(
            "held.en.txt",
            date(2025, 12, 20),
            HELD,
            [
                (
                    "CONSULT",
                    "occurred",
                    "The leaders of Japan and the five Central Asian republics met in Tokyo on 19 and 20 December",
                    date(2025, 12, 19),
                    date(2025, 12, 20),
                    TOKYO,
                ),
                (
                    "CONSULT",
                    "cancelled",
                    "In August 2024 a first summit in Astana was cancelled",
                    date(2024, 8, 1),
                    date(2024, 8, 31),
                    ASTANA,
                ),
            ],
            title="Japan and Central Asia hold first summit",
            figures=[
                Figure(
                    kind="trade_volume",
                    value=336.3e6,
                    unit="USD",
                    period=Interval(start=date(2024, 1, 1), end=date(2024, 12, 31), granularity="year"),
                    between=["JPN", "UZB"],
                    converted={
                        "EUR": Conversion(value=310.78e6, rate=0.924128, rate_date=date(2024, 12, 31)),
                        "USD": Conversion(value=336.3e6, rate=1.0, rate_date=date(2024, 12, 31)),
                    },
                    evidence=trade,
                )
            ],
            checks=[Check(kind="example_check", severity="info", message="A check with <i>markup</i>.")],
        ),
        reading(
            "hostile.en.txt",
            date(2025, 12, 21),
            HOSTILE,
            [
                (
                    "CONSULT",
                    "occurred",
                    f"{SCRIPT} in its text. Japan and the republics met in Tokyo on 20 December",
                    date(2025, 12, 20),
                    date(2025, 12, 20),
                    TOKYO,
                )
            ],
            title=f"Hostile {SCRIPT} title",
        ),
    ]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("ui") / "ui.sqlite3"
    engine = connect(str(path))
    chronicle = Chronicle(engine)
    for r in corpus():
        chronicle.add(r, input_hash(r.model_dump_json()))
    app = create_app(engine)
    with running_server(app) as base_url:
        yield base_url


def get(base: str, path: str, status: int = 200) -> str:
    response = httpx.get(base + path, timeout=30)
    assert response.status_code == status, (path, response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert_clean(path, html)
    return html


def assert_clean(path: str, html: str) -> None:
    """No inline script, no style attribute or element, no raw markup from the hostile document."""
    for tag in re.findall(r"<script\b[^>]*>", html, flags=re.I):
        assert re.search(r"\bsrc=", tag), (path, tag)
    assert not re.search(r"<style\b", html, flags=re.I), path
    assert not re.search(r"\sstyle\s*=", html, flags=re.I), path
    assert "alert(1)</script>" not in html, path
    assert "<b>bold</b>" not in html, path
    assert "<i>markup</i>" not in html, path
    assert '<meta name="viewport"' in html, path
    assert '<a class="skip-link" href="#main">' in html and 'id="main"' in html, path


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def event_ids(base: str) -> dict[str, str]:
    """The story's events by their summary, from the story page."""
    html = get(base, "/stories/" + FORMAT)
    return {m[1]: m[0] for m in re.findall(r'<h3><a href="/events/([^"]+)">([^<]+)</a></h3>', html)}


def test_home_lists_the_story_with_a_search_box(site: str) -> None:
    html = get(site, "/")
    assert f'href="/stories/{FORMAT}"' in html
    assert 'action="/search"' in html and 'method="get"' in html
    assert '<label for="site-search"' in html
    assert "<nav" in html and "<main" in html and "<header" in html and "<footer" in html


def test_story_page_shows_events_in_time_order_with_status_history_and_a_timeline(site: str) -> None:
    html = get(site, "/stories/" + FORMAT)
    timeline = html[html.index('id="timeline"') :]
    cancelled, held = timeline.index("meeting cancelled in Astana"), timeline.index("meeting held in Tokyo")
    assert cancelled < held  # August 2024 before December 2025
    assert 'class="status st-bg-cancelled">cancelled</span>' in html
    assert 'class="status st-bg-occurred">took place</span>' in html
    # the held summit's history: announced (planned), then took place, with links to the evidence
    assert "announced" in html and "took place" in html
    assert re.search(r'href="/documents/announce\.en\.txt#evidence-\d+"', html)
    # the SVG strip: role=img with title and desc, each mark a link to its event with a tooltip
    strip = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in strip and "<title" in strip and "<desc" in strip
    assert re.search(r'<a href="/events/[^"]+" class="mark-link"><title>meeting held in Tokyo', strip)
    assert "Independent sources" in html


def test_event_page_highlights_each_mention_in_its_document_and_links_to_it(site: str) -> None:
    held = next(i for s, i in event_ids(site).items() if s.startswith("meeting held in Tokyo"))
    html = get(site, "/events/" + held)
    assert re.search(
        r'<mark id="evidence-\d+">The leaders of Japan and the five Central Asian republics', html
    )
    assert "They adopted the Tokyo Declaration." in html  # the sentence after, as plain text
    # the hostile document mentions the same summit: its evidence is shown escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    targets = re.findall(r'href="/documents/([^"#]+)#evidence-(\d+)"', html)
    assert targets
    for doc, start in targets:
        page = get(site, f"/documents/{doc}")
        assert f'<mark id="evidence-{start}">' in page, (doc, start)


def test_document_page_preserves_paragraphs_and_escapes_the_text(site: str) -> None:
    html = get(site, "/documents/hostile.en.txt")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; done." in html
    assert "Hostile &lt;script&gt;alert(1)&lt;/script&gt; title" in html
    assert re.search(r'<mark id="evidence-\d+">&lt;script&gt;alert\(1\)&lt;/script&gt; in its text', html)
    held = get(site, "/documents/held.en.txt")
    article = held[held.index('<article class="doc-text"') : held.index("</article>")]
    assert article.count("<p>") == 3  # three paragraphs
    assert "trade volume" in held and "336.3 million USD" in held and "0.924128" in held
    assert "A check with &lt;i&gt;markup&lt;/i&gt;." in held
    assert 'href="/actors/JPN"' in held


def test_actor_page_shows_events_and_partners(site: str) -> None:
    html = get(site, "/actors/JPN")
    assert "<h1>Japan</h1>" in html
    assert 'href="/actors/UZB"' in html and "Partners" in html
    assert 'role="img"' in html
    assert "meeting held in Tokyo" in html


def test_figures_page_draws_the_values_with_their_conversion_and_source(site: str) -> None:
    html = get(site, "/figures")
    assert '<label for="f-kind">' in html and '<option value="trade_volume" selected>' in html
    assert 'class="chart linechart"' in html
    assert re.search(r'href="/documents/held\.en\.txt#evidence-\d+"', html)
    eur = get(site, "/figures?kind=trade_volume&currency=EUR&parties=JPN%2BUZB")
    assert "0.924128" in eur and "2024-12-31" in eur
    assert "No figures of this kind." in get(site, "/figures?kind=nothing")


def test_network_page_links_each_actor(site: str) -> None:
    html = get(site, "/network")
    assert 'class="chart network"' in html
    for actor in SUMMIT:
        assert f'href="/actors/{actor}"' in html
    assert "No meetings in this range." in get(site, "/network?since=1990&until=1991")
    assert "not understood" in get(site, "/network?since=yesterday")


def test_map_page_places_cities_by_geonames_id(site: str) -> None:
    html = get(site, "/map")
    assert 'class="chart worldmap"' in html
    assert f'id="place-g{TOKYO}"' in html and f'id="place-g{ASTANA}"' in html
    assert f'href="#place-g{TOKYO}"' in html
    assert 'class="graticule"' in html
    get(site, "/map?extent=world")


def test_search_marks_the_matches_and_escapes_the_snippet(site: str) -> None:
    html = get(site, "/search?q=alert")
    assert 'href="/documents/hostile.en.txt"' in html
    assert "<mark>alert</mark>" in html
    assert "&lt;script&gt;" in html
    assert "0 documents match" in get(site, "/search?q=nonexistentword")
    get(site, "/search")


@pytest.mark.parametrize(
    "path",
    ["/stories/nope", "/events/ev-nope", "/documents/nope.txt", "/actors/NOPE", "/documents/a/b%2Fc"],
)
def test_unknown_ids_get_an_html_404(site: str, path: str) -> None:
    html = get(site, path, status=404)
    assert "Not found" in html


def test_pages_carry_the_content_security_policy_and_static_files_are_served(site: str) -> None:
    response = httpx.get(site + "/", timeout=30)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    for path in ("/static/storyline.css", "/static/storyline.js"):
        assert httpx.get(site + path, timeout=30).status_code == 200


def test_every_internal_link_on_the_story_page_resolves(site: str) -> None:
    html = get(site, "/stories/" + FORMAT)
    for href in sorted({h.split("#")[0] for h in links(html) if h.startswith("/")}):
        assert httpx.get(site + href.replace("&amp;", "&"), timeout=30).status_code == 200, href


# -- helpers ---------------------------------------------------------------------------------------------


def test_paragraphs_cut_overlapping_spans_and_keep_one_anchor_per_start() -> None:
    text = "One two three.\n\nFour five six."
    paras = pages.paragraphs(text, [(4, 13), (8, 20), (21, 25)])
    assert ["".join(p.text for p in para) for para in paras] == ["One two three.", "Four five six."]
    marked = [(p.text, p.anchor) for para in paras for p in para if p.mark]
    assert marked == [
        ("two ", "evidence-4"),
        ("three", "evidence-8"),
        (".", None),
        ("Four", None),
        ("five", "evidence-21"),
    ]


def test_excerpt_shows_the_sentence_around_the_evidence() -> None:
    text = "First sentence. The evidence is here. Third one. Fourth."
    start = text.index("The evidence")
    pieces = pages.excerpt(text, start, start + len("The evidence is here."), anchor="evidence-1", around=1)
    assert [p.mark for p in pieces] == [False, True, False]
    assert pieces[0].text == "First sentence. "
    assert pieces[2].text.startswith(" Third one.")
    assert pieces[1].anchor == "evidence-1"


def test_snippet_pieces_mark_the_bracketed_words() -> None:
    pieces = pages.snippet_pieces("…a <b>[Tokyo]</b> [summit]…")
    assert [(p.text, p.mark) for p in pieces] == [
        ("…a <b>", False),
        ("Tokyo", True),
        ("</b> ", False),
        ("summit", True),
        ("…", False),
    ]


def test_svg_charts_escape_every_label() -> None:
    mark = svg.Mark("ev-1", date(2025, 1, 1), date(2025, 1, 2), "planned", "<b>x</b> & y", "/events/ev-1")
    out = str(svg.timeline([mark], title="T <i>"))
    assert "<b>" not in out and "&lt;b&gt;x&lt;/b&gt; &amp; y" in out and "T &lt;i&gt;" in out
    net = str(svg.network([("A", "<A>", 1), ("B", "B", 1)], [("A", "B", 1)], title="N"))
    assert "&lt;A&gt;" in net and "<A>" not in net
    dots = [svg.Dot("g1", "<Tokyo>", 35.7, 139.7, 1, "<Tokyo>: 1", "#place-g1")]
    world = str(svg.world_map(dots, [(138.0, 36.0)], title="M"))
    assert "&lt;Tokyo&gt;" in world and "<Tokyo>" not in world


def test_places_are_located_by_geonames_id_or_the_country_capital() -> None:
    assert pages.locate(TOKYO, "JPN")[:1] == ("Tokyo",)  # type: ignore[index]
    capital = pages.locate(None, "KAZ")
    assert capital is not None and capital[0] == "Astana" and capital[3] == "country"
    assert pages.locate(None, None) is None
    assert (
        pages.locate(None, "BRA") is not None
    )  # "Brasilia" in the country list, "Brasília" among the cities


def test_dates_from_forms() -> None:
    assert pages.parse_date("2025") == date(2025, 1, 1)
    assert pages.parse_date("2025", end=True) == date(2025, 12, 31)
    assert pages.parse_date("2024-02", end=True) == date(2024, 2, 29)
    assert pages.parse_date("2025-12-20") == date(2025, 12, 20)
    assert pages.parse_date("soon") is None


def test_templates_never_mark_text_safe() -> None:
    templates = Path(pages.__file__).parent / "templates"
    for path in templates.glob("*.html"):
        source = path.read_text(encoding="utf-8")
        assert "|safe" not in source.replace(" ", ""), path
        assert "autoescape false" not in source, path
        assert " style=" not in source and "<style" not in source, path
