"""The digest as the reader receives it: HTML e-mail, Markdown and text in French, English and Russian.

The digest is the hand-built week of ``digest_sample`` (the Central Asia + Japan summit in Tokyo), rendered
with the real knowledge base and the real catalogues. The HTML is parsed by html5lib in strict mode (any
parse error fails), and its links and resources are read from the parsed tree.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import html5lib
import pytest
from babel.messages.pofile import read_po

import digest_sample as sample
from storyline import languages
from storyline.digest import i18n
from storyline.digest.render import document_link, event_headline, render, story_title
from storyline.kb import KnowledgeBase, load
from storyline.records import Digest, DigestDocument, Quote, Span

LANGUAGES = ("en", "fr", "ru")
FORMATS = ("html", "markdown", "text")
XHTML = "{http://www.w3.org/1999/xhtml}"

# What each language calls the sample's facts: the story, its statuses and changes, a date, a figure.
EXPECTED: dict[str, dict[str, Any]] = {
    "en": {
        "story": "Central Asia plus Japan Dialogue",
        "words": ["took place", "announced", "dates set", "got under way", "earlier", "planned"],
        "new": "new",
        "dates": ["December 19 – 20, 2025", "October 28, 2025"],
        "figures": ["326.8 million USD", "278.89 million EUR", "26.13 billion RUB", "0.8534", "79.96"],
        "disagree": "Sources disagree: date",
        "check": "publication date ambiguous",
        "summary": "2 stories, 3 events, 4 new status changes",
    },
    "fr": {
        "story": "Asie centrale + Japon",
        "words": ["a eu lieu", "annoncé", "dates fixées", "a commencé", "pour mémoire", "prévu", "rencontre"],
        "new": "nouveau",
        "dates": ["19–20 décembre 2025", "28 octobre 2025"],
        "figures": ["326,8 millions USD", "278,89 millions EUR", "26,13 milliards RUB", "0,8534", "79,96"],
        "disagree": "Les sources divergent : date",
        "check": "date de publication ambiguë",
        "summary": "2 sujets, 3 événements, 4 nouveaux changements de statut",
    },
    "ru": {
        "story": "Центральная Азия + Япония",
        "words": [
            "состоялось",
            "объявлено",
            "назначены даты",
            "началось",
            "ранее",
            "запланировано",
            "встреча",
        ],
        "new": "новое",
        "dates": ["19—20 декабря 2025 г.", "28 октября 2025 г."],
        "figures": ["326,8 миллиона USD", "278,89 миллиона EUR", "26,13 миллиарда RUB", "0,8534", "79,96"],
        "disagree": "Источники расходятся: дата",
        "check": "дата публикации неоднозначна",
        "summary": "2 сюжета, 3 события, 4 новых изменения статуса",
    },
}
URLS = [d.url for d in sample.documents().values() if d.url]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load()


def flat(text: str) -> str:
    """Every run of white space (no-break and thin spaces too) as one space."""
    return " ".join(text.split())


def plain_markdown(text: str) -> str:
    """The words of a Markdown text: block-quote marks, emphasis and escapes removed, lines joined."""
    lines = [re.sub(r"^\s*(?:>\s?)*", "", line) for line in text.splitlines()]
    words = flat(" ".join(lines)).replace("**", "")
    return re.sub(r"\\(.)", r"\1", words)


def parse_html(html: str) -> Any:
    """The document tree; html5lib in strict mode raises on any parse error."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
    return parser.parse(html)


def text_of(tree: Any) -> str:
    body = tree.find(f"{XHTML}body")
    return flat("".join(body.itertext()))


def readable(out: str, fmt: str) -> str:
    if fmt == "html":
        return text_of(parse_html(out))
    if fmt == "markdown":
        return plain_markdown(out)
    return flat(out)


# -- catalogues -------------------------------------------------------------------------------------------


def test_languages_are_the_folders_with_a_catalogue() -> None:
    assert set(LANGUAGES) <= set(i18n.available())
    for code in i18n.available():
        assert (languages.HERE / code / "messages.po").exists()


def test_catalogues_compile_and_translate_every_message() -> None:
    """Every message the code and templates use is in the template, and French and Russian translate all
    of them (every plural form), keeping their %(name)s placeholders."""
    used = {m.id for m in i18n.extract() if m.id}
    with i18n.TEMPLATE.open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    assert used == template, "messages.pot is stale: run python -m storyline.digest.i18n"
    for code in i18n.available():
        assert i18n.translations(code) is i18n.translations(code)  # compiled once
        with i18n.catalogue_path(code).open("rb") as handle:
            catalogue = read_po(handle, locale=code)
        problems = [(m.id, errors) for m, errors in catalogue.check()]
        assert not problems, (code, problems)
        assert {m.id for m in catalogue if m.id} == used, code
    for code in ("fr", "ru"):
        with i18n.catalogue_path(code).open("rb") as handle:
            catalogue = read_po(handle, locale=code)
        untranslated = []
        for message in catalogue:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if isinstance(message.id, tuple):
                assert len(strings) == catalogue.num_plurals, (code, message.id)
            if not all(strings):
                untranslated.append(message.id)
        assert not untranslated, (code, untranslated)


def test_russian_has_three_plural_forms() -> None:
    ru = i18n.texts("ru")
    forms = {n: ru.counted("%(num)d event", "%(num)d events", n) for n in (1, 2, 5, 11, 21, 22, 25, 111)}
    assert forms == {
        1: "1 событие",
        2: "2 события",
        5: "5 событий",
        11: "11 событий",
        21: "21 событие",
        22: "22 события",
        25: "25 событий",
        111: "111 событий",
    }
    fr = i18n.texts("fr")
    assert [fr.counted("%(num)d story", "%(num)d stories", n) for n in (0, 1, 2)] == [
        "0 sujet",
        "1 sujet",
        "2 sujets",
    ]


def test_russian_plurals_in_the_digest(kb: KnowledgeBase) -> None:
    week = sample.digest("ru")
    one = week.model_copy(update={"stories": week.stories[1:]})
    five = week.model_copy(update={"stories": week.stories[1:] * 5})
    assert "2 сюжета, 3 события, 4 новых изменения статуса" in flat(render(week, "text", kb))
    assert "1 сюжет, 1 событие, 1 новое изменение статуса" in flat(render(one, "text", kb))
    assert "5 сюжетов, 5 событий, 5 новых изменений статуса" in flat(render(five, "text", kb))


def test_a_language_is_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new language needs its folder and catalogue, and no code."""
    root = tmp_path / "languages"
    for code in LANGUAGES:
        shutil.copytree(languages.HERE / code, root / code)
    (root / "de").mkdir()
    (root / "de" / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\nmsgid "new"\nmsgstr "neu"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(languages, "HERE", root)
    try:
        assert "de" in i18n.available()
        assert i18n.texts("de").gettext("new") == "neu"
        assert i18n.texts("de").day(date(2025, 12, 20)) == "20. Dezember 2025"
    finally:
        i18n.translations.cache_clear()


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(i18n.UnknownLanguage, match=r"available: .*fr"):
        i18n.texts("xx")


def test_dates_and_numbers_follow_the_locale() -> None:
    fr, ru, en = i18n.texts("fr"), i18n.texts("ru"), i18n.texts("en")
    assert fr.days(date(2025, 12, 19), date(2025, 12, 20)) == "19–20 décembre 2025"
    assert flat(ru.days(date(2025, 12, 19), date(2025, 12, 20))) == "19—20 декабря 2025 г."
    assert flat(en.days(date(2025, 11, 28), date(2025, 12, 3))) == "November 28 – December 3, 2025"
    assert flat(fr.amount(2_300_000_000, "USD")) == "2,3 milliards USD"
    assert flat(ru.amount(950_000, "EUR")) == "950 000 EUR"
    assert en.amount(1_500_000, "tonnes") == "1.5 million\u00a0tonnes"


# -- rendering --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_digest_in_every_language_and_format(kb: KnowledgeBase, lang: str, fmt: str) -> None:
    out = render(sample.digest(lang), fmt, kb, sample.BASE_URL)
    words = readable(out, fmt)
    expected = EXPECTED[lang]
    assert expected["story"] in words
    assert expected["summary"] in words
    lowered = words.lower()  # the text format writes statuses in capitals
    for word in [*expected["words"], *expected["dates"], *expected["figures"]]:
        assert flat(word).lower() in lowered, (lang, fmt, word)
    assert expected["new"] in lowered
    assert expected["disagree"] in words
    assert expected["check"] in words
    # the facts as the sources gave them: every quoted sentence verbatim, whatever the digest's language
    for sentence in sample.QUOTES:
        assert flat(sentence) in words, (lang, fmt, sentence)
    assert "The date 05/12/2025 reads as 5 December or 12 May 2025" in words
    assert "12 lines of site text dropped" not in words  # a note is not worth the reader's attention
    for outlet in (
        "Carrefour Eurasie",
        "Horizon Steppes",
        "Caspian Ledger",
        "Степной меридиан",
        "Amu Trade Monitor",
    ):
        assert outlet in words
    # the summit's events in order, each change in order
    changes = [lowered.index(flat(w).lower()) for w in expected["words"][:4]]
    assert changes[1:] == sorted(changes[1:]) and changes[0] < changes[-1]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_links_are_the_articles_or_the_document_pages(kb: KnowledgeBase, lang: str) -> None:
    own = f"{sample.BASE_URL}/documents/{sample.TRADE_NOTE}#evidence-"
    html = render(sample.digest(lang), "html", kb, sample.BASE_URL)
    hrefs = [a.get("href") for a in parse_html(html).iter(f"{XHTML}a")]
    assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs)
    assert set(URLS) <= set(hrefs)
    assert any(h.startswith(own) for h in hrefs)
    text = render(sample.digest(lang), "text", kb, sample.BASE_URL)
    markdown = render(sample.digest(lang), "markdown", kb, sample.BASE_URL)
    for url in URLS:
        assert f"<{url}>" in text
        assert f"(<{url}>)" in markdown
    assert own in text and own in markdown
    # without a serve address, the source without a URL is named, not linked
    bare = render(sample.digest(lang), "text", kb)
    assert "/documents/" not in bare and "None" not in bare and "Amu Trade Monitor" in bare


def test_html_is_a_self_contained_email(kb: KnowledgeBase) -> None:
    for lang in LANGUAGES:
        html = render(sample.digest(lang), "html", kb, sample.BASE_URL)
        assert html.startswith("<!DOCTYPE html>")
        tree = parse_html(html)
        assert tree.get("lang") == lang
        head = tree.find(f"{XHTML}head")
        assert head.find(f"{XHTML}meta[@charset='utf-8']") is not None
        title = head.find(f"{XHTML}title")
        assert title is not None and title.text and "storyline" in title.text
        lowered = html.lower()
        assert "<script" not in lowered and "javascript:" not in lowered
        assert "<style" not in lowered and "<link" not in lowered and "@import" not in lowered
        assert "url(" not in lowered
        for element in tree.iter():
            assert element.get("src") is None, element.tag
            assert element.get("srcset") is None, element.tag
            assert element.get("class") is None, element.tag  # mail clients drop stylesheets: inline only
            name = element.tag.removeprefix(XHTML)
            assert name not in ("img", "iframe", "object", "embed", "video", "audio", "form", "input"), name
        # a table layout, styled inline
        assert tree.find(f".//{XHTML}table[@role='presentation']") is not None


def test_text_fits_eighty_columns(kb: KnowledgeBase) -> None:
    for lang in LANGUAGES:
        for fmt in ("text", "markdown"):
            out = render(sample.digest(lang), fmt, kb, sample.BASE_URL)
            long = [line for line in out.splitlines() if len(line) > 80 and "://" not in line]
            assert not long, (lang, fmt, long)


def test_sources_words_are_escaped_not_markup(kb: KnowledgeBase) -> None:
    """Text from documents never becomes markup: a title or sentence holding tags stays text."""
    week = sample.digest("en")
    hostile = "hostile.en"
    sentence = "Officials said <script>alert(1)</script> and *stars* [link](javascript:alert(1)) & more."
    week.documents[hostile] = DigestDocument(
        id=hostile, title="<img src=x onerror=alert(1)>", outlet="<b>Outlet</b>", url="javascript:alert(1)"
    )
    event = week.stories[1].events[0]
    event.quotes.append(
        Quote(document=hostile, sentence=sentence, evidence=Span(start=0, end=9, text="Officials"))
    )
    html = render(week, "html", kb, sample.BASE_URL)
    assert "<script" not in html and "<img" not in html and "<b>Outlet" not in html
    tree = parse_html(html)
    words = text_of(tree)
    assert flat(sentence) in words and "<b>Outlet</b>" in words
    hrefs = [a.get("href") for a in tree.iter(f"{XHTML}a")]
    assert f"{sample.BASE_URL}/documents/hostile.en#evidence-0" in hrefs  # not the javascript: URL
    markdown = render(week, "markdown", kb, sample.BASE_URL)
    assert "<script>" not in markdown and r"\<script\>" in markdown and r"\*stars\*" in markdown
    assert flat(sentence) in plain_markdown(markdown)
    assert flat(sentence) in flat(render(week, "text", kb))


def test_json_is_the_record(kb: KnowledgeBase) -> None:
    week = sample.digest("fr")
    out = render(week, "json", kb)
    assert out == week.model_dump_json(indent=2)
    assert Digest.model_validate_json(out) == week


def test_unknown_format_is_refused(kb: KnowledgeBase) -> None:
    with pytest.raises(ValueError, match="unknown digest format 'pdf'"):
        render(sample.digest(), "pdf", kb)


def test_an_empty_week(kb: KnowledgeBase) -> None:
    week = sample.digest("fr").model_copy(update={"stories": []})
    for fmt in FORMATS:
        assert "Rien de nouveau sur la période." in readable(render(week, fmt, kb), fmt)


def test_headlines_and_titles_are_composed_in_the_language(kb: KnowledgeBase) -> None:
    summit = sample.summit()
    assert (
        flat(event_headline(summit, kb, "en"))
        == "Central Asia plus Japan Dialogue: meeting, Tokyo, December 19 – 20, 2025"
    )
    assert (
        event_headline(summit, kb, "fr")
        == "Asie centrale + Japon\u00a0: rencontre, Tokyo, 19–20 décembre 2025"
    )
    assert event_headline(sample.equipment(), kb, "ru") == "Япония и Узбекистан: помощь"
    many = sample.equipment().model_copy(update={"participants": ["JPN", "KAZ", "KGZ", "TJK", "TKM", "UZB"]})
    assert event_headline(many, kb, "ru") == "Япония, Казахстан, Киргизия и ещё 3: помощь"
    week = sample.digest()
    assert story_title(week.stories[0], kb, "ru") == "Центральная Азия + Япония"
    assert story_title(week.stories[1], kb, "fr") == "Japon–Ouzbékistan"


def test_document_link() -> None:
    doc = DigestDocument(id="a b/c", url=None)
    assert (
        document_link("a b/c", doc, "https://serve.example/", 12)
        == "https://serve.example/documents/a%20b%2Fc#evidence-12"
    )
    assert document_link("a b/c", doc, None) is None
    web = DigestDocument(id="x", url="https://news.example/x")
    assert document_link("x", web, "https://serve.example") == "https://news.example/x"
    assert document_link("x", DigestDocument(id="x", url="file:///etc/passwd"), None) is None


def test_the_parser_is_strict() -> None:
    """The HTML checks would catch a broken page."""
    with pytest.raises(html5lib.html5parser.ParseError):
        parse_html("<!DOCTYPE html><html lang=en><head><title>t</title></head><body><p>a</b></body></html>")
    assert isinstance(parse_html("<!DOCTYPE html><title>t</title><p>a"), ElementTree.Element)
