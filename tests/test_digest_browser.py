"""The HTML digest in a real browser (Chromium through Playwright), as a webmail would show it.

The sample week of ``digest_sample`` is rendered in English and opened from a file: the page must show its
stories, log no error, and load nothing but itself (an e-mail's HTML may fetch nothing: no image, font,
stylesheet or script). Screenshots go to ``out/screenshots/`` (or ``$STORYLINE_SCREENSHOTS``):
``digest.png`` on a desktop, ``digest-phone.png`` at a phone's width, ``digest-ru.png`` in Russian.
``STORYLINE_SCREENSHOTS=docs/screenshots`` refreshes the README's copies.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import digest_sample as sample
from storyline.digest.render import render, story_title
from storyline.kb import KnowledgeBase, load

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / os.environ.get("STORYLINE_SCREENSHOTS", "out/screenshots")

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} is not installed: the browser tests need Debian's chromium", allow_module_level=True
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load()


def digest_file(folder: Path, kb: KnowledgeBase, language: str) -> Path:
    path = folder / f"digest.{language}.html"
    path.write_text(render(sample.digest(language), "html", kb, sample.BASE_URL), encoding="utf-8")
    return path


class Opened:
    """A page holding the digest, with every request, console message and uncaught error it made."""

    def __init__(self, browser: Any, path: Path, **options: Any) -> None:
        self.page = browser.new_page(**options)
        self.requests: list[str] = []
        self.console: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.url = path.as_uri()
        self.page.goto(self.url)
        self.page.wait_for_load_state("load")

    def assert_self_contained(self) -> None:
        assert self.requests == [self.url], self.requests
        assert not [m for m in self.console if m.startswith("error")], self.console
        assert not self.errors, self.errors


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_the_digest_renders_on_a_desktop(browser: Any, kb: KnowledgeBase, tmp_path: Path) -> None:
    opened = Opened(browser, digest_file(tmp_path, kb, "en"), viewport={"width": 1100, "height": 900})
    page = opened.page
    week = sample.digest("en")
    for story in week.stories:
        assert page.get_by_role("heading", name=story_title(story, kb, "en"), exact=True).is_visible()
    headline = page.get_by_role("heading", level=3).first
    assert headline.inner_text().startswith("Central Asia plus Japan Dialogue: meeting, Tokyo")
    assert page.get_by_text("got under way", exact=True).first.is_visible()
    # the mail's column keeps to a readable width on a wide screen
    assert page.evaluate("document.querySelector('h1').getBoundingClientRect().width") <= 680
    shoot(page, "digest.png")
    opened.assert_self_contained()
    page.close()


def test_the_digest_on_a_phone(browser: Any, kb: KnowledgeBase, tmp_path: Path) -> None:
    path = digest_file(tmp_path, kb, "en")
    opened = Opened(browser, path, viewport={"width": 390, "height": 844}, is_mobile=True)
    page = opened.page
    assert page.get_by_role("heading", name="Central Asia plus Japan Dialogue", exact=True).is_visible()
    # nothing wider than the screen: no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "digest-phone.png")
    opened.assert_self_contained()
    page.close()


def test_the_digest_in_russian(browser: Any, kb: KnowledgeBase, tmp_path: Path) -> None:
    opened = Opened(browser, digest_file(tmp_path, kb, "ru"), viewport={"width": 1100, "height": 900})
    page = opened.page
    assert page.evaluate("document.documentElement.lang") == "ru"
    assert page.get_by_role("heading", name="Центральная Азия + Япония", exact=True).is_visible()
    assert page.get_by_text("Источники расходятся: дата").is_visible()
    shoot(page, "digest-ru.png")
    opened.assert_self_contained()
    page.close()


def test_the_example_corpus_digest_in_french(
    browser: Any, kb: KnowledgeBase, example_chronicle: Path, tmp_path: Path
) -> None:
    """The digest the bundled examples make for the week of the Tokyo summit (the README's screenshot)."""
    from storyline.digest.compose import compose
    from storyline.store import connect

    engine = connect(str(example_chronicle))
    try:
        week = compose(engine, since=date(2025, 12, 15), until=date(2025, 12, 21), language="fr", kb=kb)
    finally:
        engine.dispose()
    path = tmp_path / "digest.examples.fr.html"
    path.write_text(render(week, "html", kb, "http://127.0.0.1:8000"), encoding="utf-8")
    opened = Opened(browser, path, viewport={"width": 1100, "height": 900})
    page = opened.page
    assert page.get_by_role("heading", name="Asie centrale + Japon", exact=True).is_visible()
    headline = page.get_by_role("heading", level=3).first.inner_text()
    assert headline.replace("\xa0", " ").startswith("Asie centrale + Japon : sommet, Tokyo")
    shoot(page, "digest-examples.fr.png")
    opened.assert_self_contained()
    page.close()
