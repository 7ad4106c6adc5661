"""A hand-built digest for the tests of rendering and mail, modelled on the example corpus's facts.

The week of 15–21 December 2025 for a watch list on Central Asia: the first "Central Asia + Japan" summit
at the level of heads of state, in Tokyo on 19–20 December 2025 — announced on 28 October, its dates set on
5 December, under way on 19 December and held by 20 December — with the Tokyo Declaration it adopted; the
Uzbekistan–Japan trade figures in US dollars, converted to euros and roubles; an English and a Russian
source that disagree on the summit's dates; and a Japan–Uzbekistan story of its own (medical equipment).

Outlets and URLs are the example corpus's invented ones (``.example`` domains); one source has no URL, so
its link is the document's page on ``storyline serve``. The sentences are quoted verbatim by the renderers,
so some carry characters that markup must escape (``&``, ``<``, ``*``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from storyline.records import (
    Check,
    Claim,
    Contradiction,
    Conversion,
    Digest,
    DigestChange,
    DigestCheck,
    DigestDocument,
    DigestEvent,
    DigestFigure,
    DigestStory,
    Figure,
    Interval,
    Place,
    Quote,
    Span,
)

BASE_URL = "https://storyline.example.org"
STORY = "central-asia-plus-japan"
SUMMIT = "ev-2025-12-19-tokyo-summit"
DECLARATION = "ev-2025-12-20-tokyo-declaration"
EQUIPMENT = "ev-2025-12-20-mammography"

ANNOUNCED = "2025-10-28-sommet-tokyo-annonce.fr"
TRADE_NOTE = "2025-12-05-uzbek-japan-trade.en"
OPENED = "2025-12-19-sommet-tokyo-ouvert.fr"
HELD_EN = "2025-12-20-tokyo-summit-held.en"
HELD_RU = "2025-12-20-sammit-tokio.ru"

# The sentences quoted, as the documents wrote them.
SENTENCE_ANNOUNCED = (
    "Le Japon accueillera à la mi-décembre, à Tokyo, le tout premier sommet du dialogue « Asie centrale + "
    "Japon » au niveau des chefs d’État."
)
SENTENCE_DATES = (
    'Tokyo will host the first summit of the "Central Asia + Japan" dialogue on 19 and 20 December, and the '
    "figures are published ahead of it."
)
SENTENCE_OPENED = (
    "Le premier sommet du dialogue « Asie centrale + Japon » au niveau des chefs d’État s’est ouvert ce "
    "vendredi 19 décembre à Tokyo."
)
SENTENCE_HELD_EN = (
    "The leaders of Japan and the five Central Asian republics met in Tokyo on 19 and 20 December for the "
    'first summit of the "Central Asia + Japan" dialogue at the level of heads of state, and adopted a joint '
    "declaration, the Tokyo Declaration."
)
SENTENCE_HELD_RU = (
    "20 декабря в Токио состоялся первый саммит «Центральная Азия + Япония» на уровне глав государств."
)
SENTENCE_DECLARATION_RU = (
    "По итогам встречи лидеры приняли совместную декларацию, получившую название Токийской."
)
SENTENCE_TRADE = (
    "Trade between Uzbekistan and Japan is estimated at US$326.8 million for 2025, down from US$336.3 million "
    "the previous year."
)
SENTENCE_EQUIPMENT = "Japan also plans to supply Uzbekistan with mammography screening equipment."
SENTENCE_TRADE_NOTE = "Trade turnover: USD 326.8 million (2025, estimate) against USD 336.3 million (2024)."
QUOTES = (
    SENTENCE_ANNOUNCED,
    SENTENCE_DATES,
    SENTENCE_OPENED,
    SENTENCE_HELD_EN,
    SENTENCE_HELD_RU,
    SENTENCE_DECLARATION_RU,
    SENTENCE_TRADE,
    SENTENCE_EQUIPMENT,
)
CENTRAL_ASIA_JAPAN = ["JPN", "KAZ", "KGZ", "TJK", "TKM", "UZB"]
TOKYO = Place(name="Tokyo", geonameid=1850147, country="JPN")
SUMMIT_DAYS = Interval(start=date(2025, 12, 19), end=date(2025, 12, 20), granularity="range")


def quote(document: str, sentence: str, evidence: str, offset: int) -> Quote:
    """A quote whose evidence is ``evidence`` inside ``sentence``; the sentence starts at ``offset`` of the
    document's text."""
    at = sentence.index(evidence)
    return Quote(
        document=document,
        sentence=sentence,
        evidence=Span(start=offset + at, end=offset + at + len(evidence), text=evidence),
    )


def documents() -> dict[str, DigestDocument]:
    docs = [
        DigestDocument(
            id=ANNOUNCED,
            title="Tokyo accueillera mi-décembre le premier sommet Japon–Asie centrale",
            outlet="Carrefour Eurasie",
            published=date(2025, 10, 28),
            url="https://carrefour-eurasie.example/asie-centrale/diplomatie/sommet-tokyo-annonce",
            language="fr",
        ),
        DigestDocument(
            id=TRADE_NOTE,
            title="Uzbekistan–Japan trade estimated at USD 326.8 million in 2025",
            outlet="Amu Trade Monitor",
            published=date(2025, 12, 5),
            url=None,  # a press note read from a file: its link is its page on storyline serve
            language="en",
        ),
        DigestDocument(
            id=OPENED,
            title="Le premier sommet Japon–Asie centrale s’ouvre à Tokyo",
            outlet="Horizon Steppes",
            published=date(2025, 12, 19),
            url="https://horizon-steppes.example/diplomatie/2025/12/19/sommet-tokyo-ouvert",
            language="fr",
        ),
        DigestDocument(
            id=HELD_EN,
            title="Japan & Central Asia hold first leaders' summit, adopt <Tokyo Declaration>",
            outlet="Caspian Ledger",
            published=date(2025, 12, 20),
            url="https://caspian-ledger.example/news/2025/12/20/tokyo-summit-held?ref=rss&lang=en",
            language="en",
        ),
        DigestDocument(
            id=HELD_RU,
            title="В Токио прошёл первый саммит «Центральная Азия + Япония»",
            outlet="Степной меридиан",
            published=date(2025, 12, 20),
            url="https://stepnoy-meridian.example/politika/sammit-tokio",
            language="ru",
        ),
    ]
    return {d.id: d for d in docs}


def summit() -> DigestEvent:
    announced = quote(ANNOUNCED, SENTENCE_ANNOUNCED, "accueillera à la mi-décembre, à Tokyo", 412)
    dates = quote(TRADE_NOTE, SENTENCE_DATES, "on 19 and 20 December", 284)
    opened = quote(OPENED, SENTENCE_OPENED, "s’est ouvert ce vendredi 19 décembre à Tokyo", 301)
    held_en = quote(HELD_EN, SENTENCE_HELD_EN, "met in Tokyo on 19 and 20 December", 96)
    held_ru = quote(HELD_RU, SENTENCE_HELD_RU, "20 декабря в Токио состоялся", 188)
    return DigestEvent(
        id=SUMMIT,
        type="CONSULT",
        status="occurred",
        format=STORY,
        participants=CENTRAL_ASIA_JAPAN,
        where=TOKYO,
        when=SUMMIT_DAYS,
        new=False,
        changes=[
            DigestChange(
                change="announced",
                status="planned",
                reported=date(2025, 10, 28),
                new=False,
                when=Interval(start=date(2025, 12, 11), end=date(2025, 12, 20), granularity="approximate"),
                where=TOKYO,
                quotes=[announced],
            ),
            DigestChange(
                change="dates set",
                status="planned",
                reported=date(2025, 12, 5),
                new=False,
                when=SUMMIT_DAYS,
                where=TOKYO,
                quotes=[dates],
            ),
            DigestChange(
                change="under way",
                status="ongoing",
                reported=date(2025, 12, 19),
                new=True,
                when=Interval(start=date(2025, 12, 19), end=date(2025, 12, 19), granularity="day"),
                where=TOKYO,
                quotes=[opened],
            ),
            DigestChange(
                change="took place",
                status="occurred",
                reported=date(2025, 12, 20),
                new=True,
                when=SUMMIT_DAYS,
                where=TOKYO,
                quotes=[held_en],
            ),
        ],
        # the reports of the week: the Russian one confirms without changing anything
        quotes=[opened, held_en, held_ru],
    )


def declaration() -> DigestEvent:
    adopted = quote(HELD_RU, SENTENCE_DECLARATION_RU, "лидеры приняли совместную декларацию", 290)
    return DigestEvent(
        id=DECLARATION,
        type="AGREE",
        status="occurred",
        format=STORY,
        participants=CENTRAL_ASIA_JAPAN,
        where=TOKYO,
        when=Interval(start=date(2025, 12, 20), end=date(2025, 12, 20), granularity="day"),
        new=True,
        changes=[
            DigestChange(
                change="took place",
                status="occurred",
                reported=date(2025, 12, 20),
                new=True,
                quotes=[adopted],
            )
        ],
        quotes=[adopted],
    )


def equipment() -> DigestEvent:
    plans = quote(
        HELD_EN, SENTENCE_EQUIPMENT, "plans to supply Uzbekistan with mammography screening equipment", 1510
    )
    return DigestEvent(
        id=EQUIPMENT,
        type="AID",
        status="planned",
        participants=["JPN", "UZB"],
        new=True,
        changes=[
            DigestChange(
                change="announced", status="planned", reported=date(2025, 12, 20), new=True, quotes=[plans]
            )
        ],
        quotes=[plans],
    )


def trade_figure() -> DigestFigure:
    held = quote(HELD_EN, SENTENCE_TRADE, "US$326.8 million for 2025", 1602)
    return DigestFigure(
        figure=Figure(
            kind="trade_volume",
            value=326_800_000,
            unit="USD",
            period=Interval(start=date(2025, 1, 1), end=date(2025, 12, 31), granularity="year", text="2025"),
            between=["UZB", "JPN"],
            converted={
                "EUR": Conversion(value=278_891_120, rate=0.8534, rate_date=date(2025, 12, 19)),
                "RUB": Conversion(value=26_130_928_000, rate=79.96, rate_date=date(2025, 12, 19)),
            },
            evidence=held.evidence,
        ),
        quote=held,
    )


def previous_trade_figure() -> DigestFigure:
    held = quote(HELD_EN, SENTENCE_TRADE, "US$336.3 million the previous year", 1602)
    return DigestFigure(
        figure=Figure(
            kind="trade_volume",
            value=336_300_000,
            unit="USD",
            period=Interval(start=date(2024, 1, 1), end=date(2024, 12, 31), granularity="year", text="2024"),
            between=["UZB", "JPN"],
            converted={
                "EUR": Conversion(value=287_004_420, rate=0.8534, rate_date=date(2025, 12, 19)),
                "RUB": Conversion(value=26_890_548_000, rate=79.96, rate_date=date(2025, 12, 19)),
            },
            evidence=held.evidence,
        ),
        quote=held,
    )


def date_contradiction() -> Contradiction:
    return Contradiction(
        subject=f"event:{SUMMIT}",
        event=SUMMIT,
        story=STORY,
        field="date",
        claims=[
            Claim(value="2025-12-19/2025-12-20", documents=[HELD_EN]),
            Claim(value="2025-12-20", documents=[HELD_RU]),
        ],
        message="Sources disagree on the date: 2025-12-19/2025-12-20 (1 document), 2025-12-20 (1 document).",
    )


def checks() -> list[DigestCheck]:
    return [
        DigestCheck(
            document=TRADE_NOTE,
            check=Check(
                kind="published_date_ambiguous",
                severity="warning",
                message="The date 05/12/2025 reads as 5 December or 12 May 2025; 5 December was taken.",
                evidence=[Span(start=52, end=62, text="05/12/2025")],
            ),
        ),
        DigestCheck(  # a note: not worth a reader's attention, the digest leaves it out
            document=HELD_RU,
            check=Check(
                kind="boilerplate_dropped", severity="info", message="12 lines of site text dropped."
            ),
        ),
    ]


def digest(language: str = "en") -> Digest:
    """The week's digest in ``language``: two stories, three events, two figures, a contradiction, a check."""
    return Digest(
        watch="central-asia",
        since=date(2025, 12, 15),
        until=date(2025, 12, 21),
        language=language,
        generated=datetime(2025, 12, 22, 7, 0, tzinfo=UTC),
        stories=[
            DigestStory(
                id=STORY,
                title="Central Asia plus Japan Dialogue: meeting held in Tokyo, 19–20 December 2025",
                format=STORY,
                events=[summit(), declaration()],
                figures=[trade_figure(), previous_trade_figure()],
                contradictions=[date_contradiction()],
                checks=checks(),
            ),
            DigestStory(
                id="jpn-uzb",
                title="Japan–Uzbekistan: aid planned",
                events=[equipment()],
            ),
        ],
        documents=documents(),
    )
