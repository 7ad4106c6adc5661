"""The HTML pages in a real browser (Chromium through Playwright) over the example corpus's chronicle.

The chronicle is built once per module with ``storyline run examples/articles`` (it loads the language models:
slow), plus one hand-made document whose text holds a ``<script>``. The screenshots the tests take are written
to ``out/screenshots/`` (the test artifacts, overwritten each run), or to the folder named by
``$STORYLINE_SCREENSHOTS``: ``STORYLINE_SCREENSHOTS=docs/screenshots`` refreshes the ones the README shows.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from servers import running_server
from storyline.records import Published, Reading
from storyline.serve import create_app
from storyline.store import connect
from storyline.store.chronicle import Chronicle, input_hash

from conftest import copy_chronicle

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / os.environ.get("STORYLINE_SCREENSHOTS", "out/screenshots")
STORY = "central-asia-plus-japan"
HOSTILE_ID = "hostile-script.en.txt"
HOSTILE_SCRIPT = "<script>window.__pwned=1</script>"

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} is not installed: the browser tests need Debian's chromium", allow_module_level=True
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def hostile_reading() -> Reading:
    text = (
        f"A page that tries to run a script: {HOSTILE_SCRIPT} — and some <b>markup</b>.\n\n"
        "Its text must be shown as text, and the script must never run."
    )
    return Reading(
        id=HOSTILE_ID,
        language="en",
        published=Published(date=date(2025, 12, 22), source="input"),
        text=text,
        title=f"Hostile page {HOSTILE_SCRIPT}",
        entities=[],
        events=[],
        figures=[],
        checks=[],
        times=[],
    )


@pytest.fixture(scope="module")
def base_url(example_chronicle: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = copy_chronicle(example_chronicle, tmp_path_factory.mktemp("browser"))
    engine = connect(str(path))
    hostile = hostile_reading()
    Chronicle(engine).add(hostile, input_hash(hostile.model_dump_json()))
    with running_server(create_app(engine)) as url:
        yield url
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


class Watched:
    """A page with its console messages and uncaught errors recorded."""

    def __init__(self, browser: Any, **options: Any) -> None:
        self.page = browser.new_page(**options)
        self.console: list[str] = []
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def goto(self, url: str) -> Any:
        response = self.page.goto(url)
        assert response is not None and response.status == 200, url
        return response

    def assert_quiet(self) -> None:
        problems = [m for m in self.console if m.startswith("error") or "Content Security Policy" in m]
        assert not problems, problems
        assert not self.errors, self.errors


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)
    assert (SHOTS / name).stat().st_size > 10_000


def _event_index(items: list[str], *needles: str) -> int:
    found = [k for k, text in enumerate(items) if all(n in text for n in needles)]
    assert found, (needles, items)
    return found[0]


def test_the_story_page_shows_the_events_in_time_order_with_their_statuses(
    browser: Any, base_url: str
) -> None:
    w = Watched(browser, viewport={"width": 1280, "height": 900})
    response = w.goto(f"{base_url}/stories/{STORY}")
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "style-src 'self'" in policy
    page = w.page
    items = [li.inner_text() for li in page.locator("ol.timeline-list > li.event").all()]
    founding = _event_index(items, "took place", "28 August 2004", "Astana")
    astana = _event_index(items, "cancelled", "August 2024", "Astana")
    tokyo = _event_index(items, "took place", "19–20 December 2025", "meeting held in Tokyo")
    assert founding < astana < tokyo
    # the Astana summit's history: announced, then cancelled; the late "took place" report does not count
    history = items[astana]
    assert "announced with dates" in history and "not counted" in history
    # the SVG strip: one link per dated event, each with a tooltip
    strip = page.locator("svg.timeline").first
    assert strip.get_attribute("role") == "img"
    marks = strip.locator("a.mark-link")
    assert marks.count() >= 8
    assert "Astana" in (marks.nth(0).locator("title").text_content() or "")
    # the first Tab reaches the skip link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    shoot(page, "story.png")
    w.assert_quiet()
    page.close()


def test_the_story_page_on_a_phone(browser: Any, base_url: str) -> None:
    w = Watched(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
    w.goto(f"{base_url}/stories/{STORY}")
    page = w.page
    # nothing wider than the screen: no horizontal scrolling of the page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("svg.timeline").first.is_visible()
    shoot(page, "story-phone.png")
    w.assert_quiet()
    page.close()


def test_clicking_an_event_shows_its_sentences_highlighted_in_their_articles(
    browser: Any, base_url: str
) -> None:
    w = Watched(browser, viewport={"width": 1280, "height": 900})
    w.goto(f"{base_url}/stories/{STORY}")
    page = w.page
    page.locator("ol.timeline-list h3 a", has_text="meeting held in Tokyo, 19–20 December 2025").click()
    page.wait_for_url("**/events/**")
    assert page.locator("h1").inner_text().startswith("meeting held in Tokyo")
    marks = page.locator("blockquote.excerpt mark")
    assert marks.count() >= 2
    assert marks.first.is_visible()
    texts = [m.inner_text() for m in marks.all()]
    assert any("Tokyo" in t or "Токио" in t for t in texts), texts
    # the mark sits inside the article's own words, with text before or after it
    excerpt = page.locator("blockquote.excerpt").first.inner_text()
    assert len(excerpt) > len(texts[0])
    shoot(page, "event.png")
    # the link to the document lands on the highlighted evidence there
    page.locator("a", has_text="Read it in the document").first.click()
    page.wait_for_url("**/documents/**#evidence-*")
    target = page.evaluate("decodeURIComponent(location.hash.slice(1))")
    mark = page.locator(f"mark[id='{target}']")
    assert mark.count() == 1 and mark.is_visible()
    w.assert_quiet()
    page.close()


def test_a_document_with_a_script_shows_it_as_text_and_never_runs_it(browser: Any, base_url: str) -> None:
    w = Watched(browser, viewport={"width": 1280, "height": 900})
    w.goto(f"{base_url}/documents/{HOSTILE_ID}")
    page = w.page
    assert HOSTILE_SCRIPT in page.locator("article.doc-text").inner_text()
    assert HOSTILE_SCRIPT in page.locator("h1").inner_text()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("article.doc-text b").count() == 0
    w.goto(f"{base_url}/search?q=pwned")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert "window.__pwned" in page.locator("ol.results").inner_text()
    w.assert_quiet()
    page.close()


@pytest.mark.parametrize(
    ("path", "shot", "chart"),
    [
        ("/actors/JPN", "actor-jpn.png", "svg.timeline"),
        ("/figures", "figures.png", "svg.linechart"),
        ("/network", "network.png", "svg.network"),
        ("/map", "map.png", "svg.worldmap"),
    ],
)
def test_the_views_draw_their_charts(browser: Any, base_url: str, path: str, shot: str, chart: str) -> None:
    w = Watched(browser, viewport={"width": 1280, "height": 900})
    w.goto(base_url + path)
    page = w.page
    svg = page.locator(chart).first
    assert svg.is_visible() and svg.get_attribute("role") == "img"
    assert svg.locator("title").count() >= 1
    assert svg.locator("a").count() >= 1  # marks, points, nodes and dots are links
    shoot(page, shot)
    w.assert_quiet()
    page.close()


def test_an_unknown_event_is_an_html_404(base_url: str) -> None:
    response = httpx.get(f"{base_url}/events/ev-does-not-exist", timeout=30)
    assert response.status_code == 404 and "Not found" in response.text
