"""The temporal tagger: real sentences in French, English and Russian, and what each time expression means."""

from __future__ import annotations

import importlib
import itertools
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from babel.dates import format_date
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.languages import Language, get
from storyline.read.times import find_times
from storyline.records import Time

ANCHOR = date(2025, 12, 3)  # the seed article's publication date


def lang(code: str) -> Language:
    language = get(code)
    assert language is not None
    return language


def tag(code: str, text: str, anchor: date | None = ANCHOR) -> list[Time]:
    times = find_times(text, lang(code), anchor)
    for t in times:
        assert text[t.start : t.end] == t.text
    return times


def one(code: str, text: str, anchor: date | None = ANCHOR) -> Time:
    times = tag(code, text, anchor)
    assert len(times) == 1, [(t.text, t.value) for t in times]
    return times[0]


def found(code: str, text: str, anchor: date | None = ANCHOR) -> list[tuple[str, str, str]]:
    return [(t.text, t.type, t.value) for t in tag(code, text, anchor)]


def interval(t: Time) -> tuple[str, str, str, str | None]:
    assert t.interval is not None, t
    i = t.interval
    return i.start.isoformat(), i.end.isoformat(), i.granularity, i.modifier


# ---------------------------------------------------------------------------------------------- the seed article


def test_mid_december_is_the_middle_third_of_the_month() -> None:
    t = one("fr", "Cette rencontre est programmée pour la mi-décembre 2025.")
    assert (t.text, t.type, t.value) == ("mi-décembre 2025", "DATE", "2025-12")
    assert interval(t) == ("2025-12-11", "2025-12-20", "month", "MID")


def test_since_2004_covers_the_phrase_and_is_after() -> None:
    t = one("fr", "Depuis 2004, les relations entre le Japon et l’Asie centrale reposaient sur le format dit")
    assert (t.text, t.value) == ("Depuis 2004", "2004")
    assert interval(t) == ("2004-01-01", "2004-12-31", "year", "AFTER")


def test_more_than_twenty_years_ago_is_a_duration() -> None:
    t = one("fr", "depuis la création de ce dialogue diplomatique il y a plus de vingt ans")
    assert (t.text, t.type, t.value, t.interval) == ("il y a plus de vingt ans", "DURATION", "P20Y", None)


@pytest.mark.parametrize(
    ("sentence", "text", "value", "first", "last"),
    [
        ("Une première tentative avait été envisagée en août 2024 au Kazakhstan", "août 2024", "2024-08", "2024-08-01", "2024-08-31"),
        ("a ainsi tenu, en septembre 2025, la deuxième édition", "septembre 2025", "2025-09", "2025-09-01", "2025-09-30"),
    ],
)  # fmt: skip
def test_month_and_year_without_the_preposition(
    sentence: str, text: str, value: str, first: str, last: str
) -> None:
    t = one("fr", sentence)
    assert (t.text, t.value) == (text, value)
    assert interval(t) == (first, last, "month", None)


def test_the_year_before_counts_from_the_year_the_sentence_gave() -> None:
    sentence = (
        "est estimé à 326,8 millions de dollars en 2025, contre 336,3 millions de dollars l’année précédente"
    )
    times = tag("fr", sentence)
    assert [(t.text, t.value) for t in times] == [("2025", "2025"), ("l’année précédente", "2024")]
    assert interval(times[1]) == ("2024-01-01", "2024-12-31", "year", None)
    assert not any(t.start <= sentence.index("326,8") < t.end for t in times)


def test_the_year_before_counts_from_the_anchor_when_the_text_gave_none() -> None:
    assert found("fr", "Les ventes avaient baissé l'année précédente.") == [
        ("l'année précédente", "DATE", "2024")
    ]
    assert found("fr", "Les ventes avaient baissé l'année précédente.", None) == [
        ("l'année précédente", "DATE", "PAST_REF")
    ]


# ---------------------------------------------------------------------------------------------- the same in English and Russian


def test_english_equivalents() -> None:
    t = one("en", "The summit is scheduled for mid-December 2025.")
    assert (t.text, t.value, interval(t)) == (
        "mid-December 2025",
        "2025-12",
        ("2025-12-11", "2025-12-20", "month", "MID"),
    )
    assert found("en", "Since 2004, the format has brought together foreign ministers.")[0] == (
        "Since 2004",
        "DATE",
        "2004",
    )
    assert found("en", "Trade reached $326.8 million in 2025, against $336.3 million the previous year.") == [
        ("2025", "DATE", "2025"),
        ("the previous year", "DATE", "2024"),
    ]
    assert found("en", "A first attempt was planned in August 2024 in Kazakhstan.") == [
        ("August 2024", "DATE", "2024-08")
    ]
    assert found("en", "The dialogue was launched more than twenty years ago.") == [
        ("more than twenty years ago", "DURATION", "P20Y")
    ]
    assert found("en", "It has met for two decades.") == [("two decades", "DURATION", "P20Y")]


def test_russian_equivalents() -> None:
    t = one("ru", "саммит пройдет 19–20 декабря 2025 года в Токио")
    assert (t.text, t.value) == ("19–20 декабря 2025 года", "2025-12-19")
    assert interval(t) == ("2025-12-19", "2025-12-20", "range", None)
    times = tag(
        "ru", "В 2024 году товарооборот составил 336,3 млн долларов против 350 млн долларов годом ранее."
    )
    assert [(t.text, t.value) for t in times] == [("2024 году", "2024"), ("годом ранее", "2023")]
    t = one("ru", "Формат «Центральная Азия + Япония» существует с 2004 года.")
    assert (t.text, t.value, interval(t)) == (
        "с 2004 года",
        "2004",
        ("2004-01-01", "2004-12-31", "year", "AFTER"),
    )
    assert found("ru", "Диалог начался более двадцати лет назад.") == [
        ("более двадцати лет назад", "DURATION", "P20Y")
    ]
    assert found("ru", "За двадцать лет формат изменился.") == [("двадцать лет", "DURATION", "P20Y")]


def test_with_2004_is_a_comparison_not_a_start() -> None:
    # "по сравнению с 2024 годом": "с" with the instrumental is "with", not "since"
    t = one("ru", "По сравнению с 2024 годом товарооборот вырос.")
    assert (t.text, t.value, interval(t)[3]) == ("2024 годом", "2024", None)


# ---------------------------------------------------------------------------------------------- calendar dates


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("fr", "19 décembre 2025"),
        ("fr", "vendredi 19 décembre 2025"),
        ("fr", "19 déc. 2025"),
        ("fr", "19.12.2025"),
        ("fr", "19/12/2025"),
        ("fr", "2025-12-19"),
        ("en", "December 19, 2025"),
        ("en", "Dec. 19, 2025"),
        ("en", "Friday, December 19, 2025"),
        ("en", "19 December 2025"),
        ("en", "the 19th of December 2025"),
        ("en", "12/19/2025"),
        ("ru", "19 декабря 2025 года"),
        ("ru", "19 декабря 2025 г."),
        ("ru", "19 дек. 2025 г."),
        ("ru", "19-го декабря 2025 года"),
        ("ru", "19.12.2025"),
    ],
)
def test_a_day(code: str, text: str) -> None:
    sentence = {"fr": f"La date : {text}.", "en": f"On {text}, it rained.", "ru": f"Это было {text}."}[code]
    t = one(code, sentence)
    assert (t.text, t.type, t.value) == (text, "DATE", "2025-12-19")
    assert interval(t) == ("2025-12-19", "2025-12-19", "day", None)


@pytest.mark.parametrize(
    ("code", "sentence", "text"),
    [
        ("fr", "Le sommet aura lieu du 19 au 20 décembre 2025 à Tokyo.", "du 19 au 20 décembre 2025"),
        ("fr", "Le sommet aura lieu les 19-20 décembre 2025.", "19-20 décembre 2025"),
        ("fr", "Le sommet aura lieu les 19 et 20 décembre 2025.", "19 et 20 décembre 2025"),
        ("en", "The summit will be held on December 19-20, 2025 in Tokyo.", "December 19-20, 2025"),
        ("en", "The summit will be held on 19–20 December 2025.", "19–20 December 2025"),
        ("en", "The leaders met on 19 and 20 December.", "19 and 20 December"),
        ("ru", "Саммит пройдет 19–20 декабря 2025 года.", "19–20 декабря 2025 года"),
        ("ru", "Саммит пройдет с 19 по 20 декабря.", "с 19 по 20 декабря"),
    ],
)
def test_a_range_of_days(code: str, sentence: str, text: str) -> None:
    t = one(code, sentence)
    assert (t.text, t.value) == (text, "2025-12-19")
    assert interval(t) == ("2025-12-19", "2025-12-20", "range", None)


def test_ranges_across_months_and_years() -> None:
    t = one("fr", "Il sera en visite du 30 novembre au 2 décembre 2025.")
    assert (t.value, interval(t)) == ("2025-11-30", ("2025-11-30", "2025-12-02", "range", None))
    t = one("fr", "Il sera en visite du 28 décembre au 3 janvier 2026.")
    assert interval(t)[:2] == ("2025-12-28", "2026-01-03")
    t = one("en", "The talks ran from December 28, 2025 to January 3, 2026.")
    assert interval(t)[:2] == ("2025-12-28", "2026-01-03")
    t = one("ru", "Переговоры шли с 28 декабря 2025 года по 3 января 2026 года.")
    assert interval(t)[:2] == ("2025-12-28", "2026-01-03")
    t = one("ru", "С января по март 2025 года цены росли.")
    assert (t.value, interval(t)) == ("2025-01", ("2025-01-01", "2025-03-31", "range", None))
    t = one("fr", "La période de 2004 à 2010 fut calme.")
    assert (t.text, t.value, interval(t)) == (
        "de 2004 à 2010",
        "2004",
        ("2004-01-01", "2010-12-31", "range", None),
    )
    t = one("ru", "в 2024–2025 годах")
    assert (t.text, interval(t)[:3]) == ("2024–2025 годах", ("2024-01-01", "2025-12-31", "range"))


def test_an_impossible_day_is_not_a_date() -> None:
    assert tag("fr", "Le 31 février 2025, rien.") == []
    assert found("fr", "Le 29 février 2024, rien.") == [("29 février 2024", "DATE", "2024-02-29")]


def test_a_day_without_a_year() -> None:
    assert found("fr", "Le sommet aura lieu le 19 décembre.") == [("19 décembre", "DATE", "2025-12-19")]
    assert found("en", "The summit opens on December 19.") == [("December 19", "DATE", "2025-12-19")]
    assert found("ru", "Саммит откроется 19 декабря.") == [("19 декабря", "DATE", "2025-12-19")]
    assert found("fr", "Le sommet aura lieu le 19 décembre.", None) == [("19 décembre", "DATE", "XXXX-12-19")]
    assert one("fr", "Le sommet aura lieu le 19 décembre.", None).interval is None


def test_a_day_without_a_year_takes_the_year_of_the_dates_just_before() -> None:
    text = "Le sommet s'est tenu le 5 mars 2020. Le 7 mars, les ministres ont signé. La veille, ils avaient dîné."
    assert found("fr", text) == [
        ("5 mars 2020", "DATE", "2020-03-05"),
        ("7 mars", "DATE", "2020-03-07"),
        ("La veille", "DATE", "2020-03-06"),
    ]
    # a month far from the last date stated belongs to the year of publication
    text = "It was cancelled in August 2024 after a warning. The December meeting in Tokyo is next."
    assert found("en", text) == [("August 2024", "DATE", "2024-08"), ("December", "DATE", "2025-12")]


def test_years_and_months() -> None:
    assert found("fr", "en décembre 2025") == [("décembre 2025", "DATE", "2025-12")]
    assert found("en", "in December 2025") == [("December 2025", "DATE", "2025-12")]
    t = one("ru", "в декабре 2025 года")
    assert (t.text, t.value, interval(t)) == (
        "декабре 2025 года",
        "2025-12",
        ("2025-12-01", "2025-12-31", "month", None),
    )
    for code, text, words in [
        ("fr", "en 2025", "2025"),
        ("en", "in 2025", "2025"),
        ("ru", "в 2025 году", "2025 году"),
    ]:
        t = one(code, text)
        assert (t.text, t.value, interval(t)) == (words, "2025", ("2025-01-01", "2025-12-31", "year", None))
    assert found("en", "The 2025 summit was the first.") == [("2025", "DATE", "2025")]
    assert found("fr", "en décembre") == [("décembre", "DATE", "2025-12")]
    assert found("fr", "en decembre 2025, fevrier 2025, aout 2024") == [
        ("decembre 2025", "DATE", "2025-12"),
        ("fevrier 2025", "DATE", "2025-02"),
        ("aout 2024", "DATE", "2024-08"),
    ]


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("fr", "Le pays a produit 2025 tonnes de blé."),
        ("fr", "Plus de 2000 manifestants étaient présents."),
        ("fr", "Le chiffre d'affaires atteint 326,8 millions de dollars."),
        ("fr", "La ville compte 1 2025 000 habitants."),
        ("fr", "Le taux est de 2025,5 points."),
        ("en", "They shipped 2025 tons of wheat."),
        ("en", "Over 2000 people attended."),
        ("en", "It cost $2025 million."),
        ("ru", "Было произведено 2025 тонн зерна."),
        ("ru", "Собралось около 2000 человек."),
    ],
)
def test_numbers_that_are_not_years(code: str, text: str) -> None:
    assert tag(code, text) == []


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("fr", "Sa mère est arrivée."),
        ("fr", "Mars est la quatrième planète."),
        ("fr", "Sur Mars, il fait froid."),
        ("fr", "Le rapport annuel est publié."),
        ("fr", "Le printemps arabe a tout changé."),
        ("fr", "Il a été élu, puis il a été battu."),
        ("fr", "Un jour, il reviendra."),
        ("en", "You may go if you wish."),
        ("en", "She met April at the conference."),
        ("en", "The annual report is out."),
        ("en", "The Arab Spring changed everything."),
        ("ru", "Мая пришла домой."),
        ("ru", "Защита окружающую среду."),
        ("ru", "Арабская весна изменила всё."),
        ("ru", "Счёт матча 2:1."),
    ],
)
def test_words_that_are_not_times(code: str, text: str) -> None:
    assert tag(code, text) == []


def test_ambiguous_months_need_a_day_a_year_or_a_preposition() -> None:
    assert found("fr", "Le 3 mars, en mars, fin mars, mars 2025.") == [
        ("3 mars", "DATE", "2025-03-03"),
        ("mars", "DATE", "2025-03"),
        ("fin mars", "DATE", "2025-03"),
        ("mars 2025", "DATE", "2025-03"),
    ]
    assert found("fr", "En mai 2025 et en mai.") == [
        ("mai 2025", "DATE", "2025-05"),
        ("mai", "DATE", "2025-05"),
    ]
    assert found("en", "In May, on May 5, May 2025.") == [
        ("May", "DATE", "2025-05"),
        ("May 5", "DATE", "2025-05-05"),
        ("May 2025", "DATE", "2025-05"),
    ]
    assert [t.text for t in tag("en", "It may rain; may 2025 be better.")] == ["2025"]


# ---------------------------------------------------------------------------------------------- vague and relative


@pytest.mark.parametrize(
    ("code", "text", "value", "first", "last", "granularity", "modifier"),
    [
        ("fr", "début 2026", "2026", "2026-01-01", "2026-04-30", "year", "START"),
        ("en", "early 2026", "2026", "2026-01-01", "2026-04-30", "year", "START"),
        ("ru", "в начале 2026 года", "2026", "2026-01-01", "2026-04-30", "year", "START"),
        ("fr", "fin 2025", "2025", "2025-09-01", "2025-12-31", "year", "END"),
        ("en", "late 2025", "2025", "2025-09-01", "2025-12-31", "year", "END"),
        ("ru", "в конце 2025 года", "2025", "2025-09-01", "2025-12-31", "year", "END"),
        ("fr", "mi-2025", "2025", "2025-05-01", "2025-08-31", "year", "MID"),
        ("fr", "début décembre", "2025-12", "2025-12-01", "2025-12-10", "month", "START"),
        ("fr", "fin décembre", "2025-12", "2025-12-21", "2025-12-31", "month", "END"),
        ("ru", "в середине декабря 2025 года", "2025-12", "2025-12-11", "2025-12-20", "month", "MID"),
        ("fr", "au premier semestre 2025", "2025-H1", "2025-01-01", "2025-06-30", "range", None),
        ("en", "in the first half of 2025", "2025-H1", "2025-01-01", "2025-06-30", "range", None),
        ("ru", "в первой половине 2025 года", "2025-H1", "2025-01-01", "2025-06-30", "range", None),
        ("fr", "au second semestre 2025", "2025-H2", "2025-07-01", "2025-12-31", "range", None),
        ("en", "Q1 2025", "2025-Q1", "2025-01-01", "2025-03-31", "quarter", None),
        ("fr", "premier trimestre 2025", "2025-Q1", "2025-01-01", "2025-03-31", "quarter", None),
        ("ru", "первый квартал 2025 года", "2025-Q1", "2025-01-01", "2025-03-31", "quarter", None),
        ("ru", "в III квартале 2025 г.", "2025-Q3", "2025-07-01", "2025-09-30", "quarter", None),
        ("fr", "l'été 2025", "2025-SU", "2025-06-01", "2025-08-31", "season", None),
        ("en", "summer 2025", "2025-SU", "2025-06-01", "2025-08-31", "season", None),
        ("ru", "летом 2025 года", "2025-SU", "2025-06-01", "2025-08-31", "season", None),
        ("en", "winter 2025", "2025-WI", "2024-12-01", "2025-02-28", "season", None),
        ("fr", "les années 1990", "199X", "1990-01-01", "1999-12-31", "decade", None),
        ("en", "the 1990s", "199X", "1990-01-01", "1999-12-31", "decade", None),
        ("ru", "1990-е годы", "199X", "1990-01-01", "1999-12-31", "decade", None),
        ("en", "the early 1990s", "199X", "1990-01-01", "1993-12-31", "decade", "START"),
        ("fr", "fin de l'année dernière", "2024", "2024-09-01", "2024-12-31", "year", "END"),
        ("en", "early next year", "2026", "2026-01-01", "2026-04-30", "year", "START"),
        ("ru", "в конце прошлого года", "2024", "2024-09-01", "2024-12-31", "year", "END"),
        ("en", "by the end of the year", "2025", "2025-09-01", "2025-12-31", "year", "END"),
        ("ru", "до конца года", "2025", "2025-09-01", "2025-12-31", "year", "BEFORE"),
    ],
)
def test_parts_of_periods(
    code: str, text: str, value: str, first: str, last: str, granularity: str, modifier: str | None
) -> None:
    t = one(code, text)
    assert (t.text, t.value) == (text, value)
    assert interval(t) == (first, last, granularity, modifier)


@pytest.mark.parametrize(
    ("code", "text", "value"),
    [
        ("fr", "l'an dernier", "2024"),
        ("fr", "l'année dernière", "2024"),
        ("en", "last year", "2024"),
        ("ru", "прошлом году", "2024"),
        ("fr", "cette année", "2025"),
        ("en", "this year", "2025"),
        ("ru", "этом году", "2025"),
        ("fr", "l'année prochaine", "2026"),
        ("en", "next year", "2026"),
        ("ru", "следующем году", "2026"),
        ("fr", "hier", "2025-12-02"),
        ("en", "yesterday", "2025-12-02"),
        ("ru", "вчера", "2025-12-02"),
        ("fr", "aujourd'hui", "2025-12-03"),
        ("en", "today", "2025-12-03"),
        ("ru", "сегодня", "2025-12-03"),
        ("fr", "demain", "2025-12-04"),
        ("en", "tomorrow", "2025-12-04"),
        ("ru", "завтра", "2025-12-04"),
        ("fr", "avant-hier", "2025-12-01"),
        ("fr", "la semaine dernière", "2025-W48"),
        ("en", "next week", "2025-W50"),
        ("ru", "прошлом месяце", "2025-11"),
        ("en", "last June", "2025-06"),
        ("fr", "juin dernier", "2025-06"),
        ("en", "last December", "2024-12"),
        ("ru", "июне прошлого года", "2024-06"),
        ("fr", "19 décembre dernier", "2024-12-19"),
        ("fr", "lundi", "2025-12-01"),
        ("en", "Monday", "2025-12-01"),
        ("ru", "понедельник", "2025-12-01"),
        ("fr", "mercredi", "2025-12-03"),
        ("en", "Friday", "2025-11-28"),
        ("en", "next Friday", "2025-12-05"),
        ("fr", "lundi prochain", "2025-12-08"),
        ("en", "last Wednesday", "2025-11-26"),
        ("en", "last summer", "2025-SU"),
        ("fr", "cet été", "2025-SU"),
        ("en", "next spring", "2026-SP"),
    ],
)
def test_relative_to_the_publication_date(code: str, text: str, value: str) -> None:
    sentences = {"fr": "Cela s'est passé {}.", "en": "It happened {}.", "ru": "Это было в {}."}
    sentence = sentences[code].format(text)
    t = one(code, sentence)
    assert (t.text, t.type, t.value) == (text, "DATE", value)
    assert t.interval is not None


def test_relative_words_count_from_the_text_when_they_say_so() -> None:
    text = "Le budget de 2020 a augmenté par rapport à l'année précédente. L'année suivante, il a baissé."
    assert [t.value for t in tag("fr", text)] == ["2020", "2019", "2021"]
    text = "The deal was signed on 5 May 2023. The next day, it was published; the following month it was ratified."
    assert [t.value for t in tag("en", text)] == ["2023-05-05", "2023-05-06", "2023-06"]
    # too far back: the anchor is the reference again
    text = "En 2020, rien. Une phrase. Une autre phrase. L'année précédente, tout."
    assert [t.value for t in tag("fr", text)] == ["2020", "2024"]


def test_without_an_anchor_relative_values_are_placeholders() -> None:
    assert found(
        "en", "yesterday, today, last year, next year, last June, on Monday, mid-December", None
    ) == [
        ("yesterday", "DATE", "PAST_REF"),
        ("today", "DATE", "PRESENT_REF"),
        ("last year", "DATE", "PAST_REF"),
        ("next year", "DATE", "FUTURE_REF"),
        ("last June", "DATE", "XXXX-06"),
        ("Monday", "DATE", "XXXX-WXX-1"),
        ("mid-December", "DATE", "XXXX-12"),
    ]
    assert all(t.interval is None for t in tag("fr", "hier, aujourd'hui, en décembre, fin décembre", None))
    assert found("fr", "aujourd'hui", None) == [("aujourd'hui", "DATE", "PRESENT_REF")]


def test_present_references() -> None:
    for code, text in [("fr", "actuellement"), ("en", "currently"), ("ru", "сейчас")]:
        t = one(code, f"{text}.")
        assert (t.text, t.type, t.value, t.interval) == (text, "DATE", "PRESENT_REF", None)


@pytest.mark.parametrize(
    ("code", "sentence", "text", "modifier"),
    [
        ("fr", "Jusqu'en 2030, rien ne change.", "Jusqu'en 2030", "BEFORE"),
        ("fr", "D'ici 2030, tout change.", "D'ici 2030", "BEFORE"),
        ("fr", "À partir de 2030, tout change.", "À partir de 2030", "AFTER"),
        ("en", "Until 2030, nothing changes.", "Until 2030", "BEFORE"),
        ("en", "Around 2030, everything changes.", "Around 2030", "APPROX"),
        ("ru", "К 2030 году всё изменится.", "К 2030 году", "BEFORE"),
        ("ru", "После 2030 года всё изменится.", "После 2030 года", "AFTER"),
    ],
)
def test_modifiers_before_a_year(code: str, sentence: str, text: str, modifier: str) -> None:
    t = one(code, sentence)
    assert (t.text, t.value, interval(t)) == (text, "2030", ("2030-01-01", "2030-12-31", "year", modifier))


def test_since_a_day() -> None:
    t = one("fr", "Depuis le 19 décembre, il neige.")
    assert (t.text, t.value, interval(t)[3]) == ("Depuis le 19 décembre", "2025-12-19", "AFTER")
    t = one("ru", "С 19 декабря идёт снег.")
    assert (t.text, t.value, interval(t)[3]) == ("С 19 декабря", "2025-12-19", "AFTER")


# ---------------------------------------------------------------------------------------------- durations, sets, clock times


@pytest.mark.parametrize(
    ("code", "text", "value"),
    [
        ("fr", "trois jours", "P3D"),
        ("fr", "vingt-cinq ans", "P25Y"),
        ("fr", "vingt et un jours", "P21D"),
        ("fr", "quatre-vingt-dix jours", "P90D"),
        ("fr", "dix-huit mois", "P18M"),
        ("fr", "deux décennies", "P20Y"),
        ("en", "two decades", "P20Y"),
        ("en", "twenty five years", "P25Y"),
        ("en", "18 months", "P18M"),
        ("en", "three hours", "PT3H"),
        ("ru", "двадцать лет", "P20Y"),
        ("ru", "сорок пять минут", "PT45M"),
        ("ru", "три дня", "P3D"),
    ],
)
def test_durations(code: str, text: str, value: str) -> None:
    t = one(code, text)
    assert (t.text, t.type, t.value, t.interval) == (text, "DURATION", value, None)


@pytest.mark.parametrize(
    ("code", "text", "value"),
    [
        ("fr", "chaque année", "P1Y"),
        ("fr", "tous les deux ans", "P2Y"),
        ("fr", "chaque lundi", "XXXX-WXX-1"),
        ("en", "every year", "P1Y"),
        ("en", "annually", "P1Y"),
        ("en", "every two years", "P2Y"),
        ("ru", "ежегодно", "P1Y"),
        ("ru", "каждый год", "P1Y"),
        ("ru", "каждую неделю", "P1W"),
    ],
)
def test_sets(code: str, text: str, value: str) -> None:
    t = one(code, text)
    assert (t.text, t.type, t.value, t.interval) == (text, "SET", value, None)


def test_clock_times_take_the_day_of_their_sentence() -> None:
    assert found("fr", "Le 19 décembre 2025 à 15h30, le sommet s'ouvre.")[1] == (
        "15h30",
        "TIME",
        "2025-12-19T15:30",
    )
    assert found("en", "On December 19, 2025 at 3 p.m. the summit opens.")[1] == (
        "3 p.m.",
        "TIME",
        "2025-12-19T15:00",
    )
    assert found("ru", "19 декабря 2025 года в 15:30 открылся саммит.")[1] == (
        "15:30",
        "TIME",
        "2025-12-19T15:30",
    )
    # no day in the text: the publication date's (TimeBank's convention), else an unknown day
    assert found("fr", "La réunion commence à 15 h 30.") == [("15 h 30", "TIME", "2025-12-03T15:30")]
    assert found("fr", "La réunion commence à 15 h 30.", None) == [("15 h 30", "TIME", "XXXX-XX-XXT15:30")]
    assert found("en", "We meet at noon.") == [("noon", "TIME", "2025-12-03T12:00")]
    assert found("ru", "Встреча в 8 утра.") == [("8 утра", "TIME", "2025-12-03T08:00")]
    assert found("ru", "Встреча в 3 часа дня.", None) == [("3 часа дня", "TIME", "XXXX-XX-XXT15:00")]
    assert found("fr", "Hier à 9h, la séance a commencé.") == [
        ("Hier", "DATE", "2025-12-02"),
        ("9h", "TIME", "2025-12-02T09:00"),
    ]


# ---------------------------------------------------------------------------------------------- TimeBank's conventions


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        ("fr", "Il est arrivé hier soir.", ("hier soir", "TIME", "2025-12-02TEV")),
        ("fr", "Le conseil s'est réuni mardi matin.", ("mardi matin", "TIME", "2025-12-02TMO")),
        ("fr", "Il neigera ce soir.", ("ce soir", "TIME", "2025-12-03TEV")),
        (
            "fr",
            "Il est reparti hier en début d'après-midi.",
            ("hier en début d'après-midi", "TIME", "2025-12-02TAF"),
        ),
        (
            "fr",
            "Les vols ont eu lieu la nuit de lundi à mardi.",
            ("la nuit de lundi à mardi", "TIME", "2025-12-01TNI"),
        ),
        ("en", "Protesters gathered yesterday evening.", ("yesterday evening", "TIME", "2025-12-02TEV")),
        ("en", "Markets fell on Monday morning.", ("on Monday morning", "TIME", "2025-12-01TMO")),
        ("ru", "Вчера вечером собрались протестующие.", ("Вчера вечером", "TIME", "2025-12-02TEV")),
        ("ru", "Рынки упали в понедельник утром.", ("понедельник утром", "TIME", "2025-12-01TMO")),
    ],
)
def test_parts_of_the_day(code: str, text: str, expected: tuple[str, str, str]) -> None:
    assert found(code, text) == [expected]


def test_a_part_of_the_day_alone_is_of_the_day_the_text_named() -> None:
    text = "Le 24 mars, la police a été appelée. Elle est arrivée dans la nuit."
    assert found("fr", text)[-1] == ("dans la nuit", "TIME", "2025-03-24TNI")


def test_clock_times_take_the_day_named_before_them() -> None:
    text = "Dimanche, la course a commencé. Le vainqueur est arrivé à 18 h 55."
    assert found("fr", text)[-1] == ("18 h 55", "TIME", "2025-11-30T18:55")
    assert found("fr", "Le concert commence à 22 h.")[-1] == ("22 h", "TIME", "2025-12-03T22:00")


def test_a_weekday_is_the_next_one_when_the_verb_says_the_future() -> None:
    assert found("fr", "Le ministre a parlé samedi.") == [("samedi", "DATE", "2025-11-29")]
    assert found("fr", "Le ministre parlera samedi.") == [("samedi", "DATE", "2025-12-06")]
    assert found("en", "The envoy will meet him on Friday.") == [("Friday", "DATE", "2025-12-05")]
    assert found("ru", "Посланник встретится с ним в пятницу.") == [("пятницу", "DATE", "2025-12-05")]


def test_the_year_of_a_day_without_one() -> None:
    # told in the past, long after the anchor in its year: the year before
    assert found("fr", "Le contrat a été signé le 21 décembre.", date(2002, 1, 3))[0][2] == "2001-12-21"
    assert found("fr", "Il est mort en mai.", date(2003, 2, 23)) == [("mai", "DATE", "2002-05")]
    # a few weeks after the anchor: this year's
    assert found("fr", "Il a annoncé un vote le 16 juillet.", date(1999, 7, 9))[0][2] == "1999-07-16"
    # the weekday decides
    assert found("fr", "Le jeudi 12 septembre, il a parlé.", date(2002, 9, 10))[0][2] == "2002-09-12"


def test_two_digit_years() -> None:
    assert found("fr", "dès octobre 98.", date(1999, 5, 23)) == [("dès octobre 98", "DATE", "1998-10")]
    assert found("fr", "le 10 novembre 93, sur l'A 10", date(2002, 1, 21))[0][2] == "1993-11-10"
    assert found("fr", "deux ruptures en 97 (en janvier)", date(1999, 7, 29))[0][:3] == ("97", "DATE", "1997")
    assert found("fr", "Ils ont gagné 93 à 83.", date(1999, 5, 20)) == []


def test_ages_are_not_durations() -> None:
    for text in (
        "Jean Burget, 87 ans, a été heurté.",
        "Un chauffeur de bus de 38 ans a été agressé.",
        "pour les moins de 17 ans qui ont joué",
        "pour les enfants de 2 à 8 ans",
        "l'accueil des 0-6 ans",
        "Elle s'est éteinte à l'âge de 114 ans.",
        "A 38-year-old driver was arrested.",
        "Ahmed Karimov, aged 87, died.",
        "Водитель в возрасте 38 лет задержан.",
    ):
        assert [t for t in found(text=text, code=_code(text)) if t[1] == "DURATION"] == [], text
    assert found("fr", "Il a écopé d'une peine de 2 ans de prison.") == [("2 ans", "DURATION", "P2Y")]
    assert found("fr", "Leur association durera plus de vingt ans.") == [
        ("plus de vingt ans", "DURATION", "P20Y")
    ]


def _code(text: str) -> str:
    if any("а" <= ch <= "я" for ch in text.lower()):
        return "ru"
    return "en" if any(w in text for w in ("old", "aged")) else "fr"


@pytest.mark.parametrize(
    ("code", "text", "value"),
    [
        ("fr", "quelques jours", "PXD"),
        ("fr", "plusieurs années", "PXY"),
        ("fr", "ces derniers jours", "PXD"),
        ("fr", "un demi-siècle", "P50Y"),
        ("fr", "un quart de siècle", "P25Y"),
        ("fr", "une demi-heure", "PT30M"),
        ("fr", "quinquennat", "P5Y"),
        ("en", "several months", "PXM"),
        ("en", "half an hour", "PT30M"),
        ("en", "half a year", "P6M"),
        ("en", "a quarter of a century", "P25Y"),
        ("ru", "несколько месяцев", "PXM"),
        ("ru", "полчаса", "PT30M"),
        ("ru", "четверть века", "P25Y"),
    ],
)
def test_vague_and_fractional_durations(code: str, text: str, value: str) -> None:
    assert found(code, text) == [(text, "DURATION", value)]


@pytest.mark.parametrize(
    ("code", "text", "value"),
    [
        ("fr", "désormais", "PRESENT_REF"),
        ("fr", "pour l'instant", "PRESENT_REF"),
        ("fr", "auparavant", "PAST_REF"),
        ("fr", "l'avenir", "FUTURE_REF"),
        ("en", "for the time being", "PRESENT_REF"),
        ("ru", "ранее", "PAST_REF"),
    ],
)
def test_vague_references(code: str, text: str, value: str) -> None:
    assert found(code, text) == [(text, "DATE", value)]


def test_today_set_off_by_a_comma_is_the_present() -> None:
    assert found("fr", "Aujourd'hui, la ville a changé.") == [("Aujourd'hui", "DATE", "PRESENT_REF")]
    assert found("fr", "Il se rend aujourd'hui à Sangatte.") == [("aujourd'hui", "DATE", "2025-12-03")]


def test_ago_is_a_date_unless_approximate() -> None:
    assert found("en", "The dam was built three years ago.") == [("three years ago", "DATE", "2022")]
    assert found("ru", "Плотина построена год назад.") == [("год назад", "DATE", "2024")]
    assert found("fr", "Il est parti il y a une semaine.") == [("il y a une semaine", "DATE", "2025-11-26")]
    text = "Выборы прошли 2 марта, а через две недели правительство ушло в отставку."
    assert found("ru", text)[1] == ("через две недели", "DATE", "2025-03-16")
    assert found("en", "It began in 2015; two years later it grew.")[1] == ("two years later", "DATE", "2017")
    # relative to an event, not to a date: a duration
    assert found("fr", "six ans après sa victoire") == [("six ans", "DURATION", "P6Y")]


def test_sets_centuries_and_weekends() -> None:
    assert found("fr", "tous les jeudis") == [("tous les jeudis", "SET", "XXXX-WXX-4")]
    assert found("en", "The market is open on Sundays.") == [("Sundays", "SET", "XXXX-WXX-7")]
    assert found("ru", "по понедельникам") == [("по понедельникам", "SET", "XXXX-WXX-1")]
    assert found("en", "each summer") == [("each summer", "SET", "XXXX-SU")]
    assert found("fr", "leurs efforts annuels") == [("annuels", "SET", "P1Y")]
    assert found("fr", "à la fin du XIXe siècle")[0][1:] == ("DATE", "18XX")
    assert found("en", "in the 19th century")[0][1:] == ("DATE", "18XX")
    assert found("ru", "в XIX веке")[0][1:] == ("DATE", "18XX")
    assert found("fr", "Les combats ont repris ce week-end.", date(2003, 2, 4)) == [
        ("ce week-end", "DATE", "2003-W05-WE")
    ]
    assert found("en", "Talks resume next weekend.", date(2025, 3, 12)) == [
        ("next weekend", "DATE", "2025-W12-WE")
    ]
    assert found("en", "Growth should pick up in the third quarter.")[0][2] == "2025-Q3"
    assert found("en", "the H1 element") == []


# ---------------------------------------------------------------------------------------------- the whole


ARTICLE = """Le Japon prépare son premier sommet avec l’Asie centrale
Cette rencontre est programmée pour la mi-décembre 2025. Depuis 2004, les relations reposaient sur le format
« Central Asia + Japan ». En décembre 2025, il s’agira de la première réunion au niveau des chefs d’État depuis
la création de ce dialogue il y a plus de vingt ans. Une première tentative avait été envisagée en août 2024 au
Kazakhstan. Le ministère a tenu, en septembre 2025, la deuxième édition du dialogue. Le commerce est estimé à
326,8 millions de dollars en 2025, contre 336,3 millions de dollars l’année précédente. Aucune nouvelle date
n’a été avancée. Jusqu’à présent limité à des réunions ministérielles, ce cadre pourrait évoluer.
Par Rodion Zolkin
Le 12/03/2025"""


def test_an_article() -> None:
    assert [(t.text, t.value) for t in tag("fr", ARTICLE)] == [
        ("mi-décembre 2025", "2025-12"),
        ("Depuis 2004", "2004"),
        ("décembre 2025", "2025-12"),
        ("il y a plus de vingt ans", "P20Y"),
        ("août 2024", "2024-08"),
        ("septembre 2025", "2025-09"),
        ("2025", "2025"),
        ("l’année précédente", "2024"),
        ("Jusqu’à présent", "PRESENT_REF"),
        ("12/03/2025", "2025-03-12"),  # day first, as French writes it
    ]


def test_a_language_without_time_words_finds_nothing(tmp_path: Path) -> None:
    (tmp_path / "language.json").write_text(json.dumps({"code": "xx"}), encoding="utf-8")
    language = Language(code="xx", name="X", lingua="X", nlp={}, folder=tmp_path)
    assert find_times("Le 19 décembre 2025.", language, ANCHOR) == []


def test_empty_text() -> None:
    assert find_times("", lang("fr"), ANCHOR) == []


# ---------------------------------------------------------------------------------------------- properties

DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2035, 12, 31))


@settings(max_examples=150, deadline=None)
@given(day=DAYS, code=st.sampled_from(["fr", "en", "ru"]), width=st.sampled_from(["long", "medium", "full"]))
def test_babel_dates_read_back(day: date, code: str, width: str) -> None:
    """What babel writes for a date in each locale ("19 décembre 2025", "December 19, 2025",
    "19 декабря 2025 г.", "vendredi 19 déc. 2025" ...) reads back as that day."""
    written = format_date(day, format=width, locale=code)
    t = one(code, written, anchor=None)
    assert (t.text, t.type, t.value) == (written, "DATE", day.isoformat())
    assert interval(t) == (day.isoformat(), day.isoformat(), "day", None)


@settings(max_examples=150, deadline=None)
@given(day=DAYS, code=st.sampled_from(["fr", "en", "ru"]))
def test_babel_dates_inside_a_sentence(day: date, code: str) -> None:
    written = format_date(day, format="long", locale=code)
    sentence = {
        "fr": f"Le ministre a déclaré le {written} que 326,8 millions seraient versés.",
        "en": f"The minister said on {written} that 326.8 million would be paid.",
        "ru": f"Министр заявил {written}, что будет выплачено 326,8 млн.",
    }[code]
    assert found(code, sentence) == [(written, "DATE", day.isoformat())]


PIECES = """le la en de 19 2025 décembre mi- fin début depuis il y a plus vingt ans l'année précédente , . 3 h 30
December in since the year before last early mid- 2004 19-20 декабря в году с по годом ранее более лет назад
12/03/2025 326,8 millions Mars mai May chaque every ежегодно hier soir matin la nuit ce tous les jeudis quelques
jours désormais 97 octobre 98 XIXe siècle 87 ans , Monday night yesterday evening ago 38-year-old aged вчера вечером
через недели полгода"""
WORDS = st.sampled_from(PIECES.split())


@settings(max_examples=200, deadline=None)
@given(words=st.lists(WORDS, max_size=25), code=st.sampled_from(["fr", "en", "ru"]))
def test_any_text_gives_ordered_spans_that_do_not_overlap(words: list[str], code: str) -> None:
    text = " ".join(words)
    times = tag(code, text)
    for before, after in itertools.pairwise(times):
        assert before.end <= after.start
    for t in times:
        if t.interval is not None:
            assert t.interval.start <= t.interval.end


TAGGER: Any = importlib.import_module("storyline.read.times")
SOUP = st.lists(
    WORDS | st.sampled_from(["3Q", "1H", "T1", "Q4", "2e", "trimestre", "ans", "года", "years"]), max_size=40
)


@settings(max_examples=200, deadline=None)
@given(words=SOUP, code=st.sampled_from(["fr", "en", "ru"]))
def test_looking_only_near_time_words_loses_nothing(words: list[str], code: str) -> None:
    """Patterns run only near a digit or a time word they need; running them everywhere finds the same."""
    text = " ".join(words) + "\n" + ARTICLE
    fast = find_times(text, lang(code), ANCHOR)
    everywhere = TAGGER._windows
    try:
        TAGGER._windows = lambda text, pattern, triggers: [(0, len(text))]
        slow = find_times(text, lang(code), ANCHOR)
    finally:
        TAGGER._windows = everywhere
    assert fast == slow
