"""Figures: the amount grammar (property tests against babel's renderings), the figures of a reading on our
own test set in three languages (with a floor), stated conversions, and the checks on figures."""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import pytest
from babel.numbers import format_currency, format_decimal, get_currency_name, get_currency_precision
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline import languages
from storyline.rates import ECBRates, Quote, provider_for, write_quotes
from storyline.read import figures as figures_step
from storyline.read import read_document
from storyline.read.figures import parse_amounts, parse_changes, parse_number
from storyline.records import Document, Published, Reading

DATA = Path(__file__).with_name("data") / "figures"
LANGS = ("fr", "en", "ru")
CURRENCIES = ("USD", "EUR", "JPY", "CNY", "RUB", "KZT", "UZS", "KGS", "TJS", "TMT")
FLOOR = {"precision": 0.95, "recall": 0.9}  # measured 1.000 / 1.000 on 51 gold figures when set


def _language(code: str) -> languages.Language:
    language = languages.get(code)
    assert language is not None
    return language


def _one(text: str, code: str) -> tuple[float, str]:
    found = parse_amounts(text, _language(code))
    assert len(found) == 1, (text, found)
    return found[0].value, found[0].unit


cents = st.integers(min_value=0, max_value=10**14).map(lambda n: Decimal(n) / 100)


@settings(max_examples=300, deadline=None)
@given(value=cents, currency=st.sampled_from(CURRENCIES), code=st.sampled_from(LANGS))
def test_any_amount_babel_formats_parses_back(value: Decimal, currency: str, code: str) -> None:
    text = format_currency(value, currency, locale=code)
    shown = value.quantize(Decimal(1).scaleb(-get_currency_precision(currency)), ROUND_HALF_EVEN)
    parsed, unit = _one(f"Le montant : {text}.", code)
    assert unit == currency, text
    assert parsed == pytest.approx(float(shown), rel=1e-12, abs=1e-9), text


@settings(max_examples=300, deadline=None)
@given(value=cents, currency=st.sampled_from(CURRENCIES), code=st.sampled_from(LANGS))
def test_any_number_with_a_currency_name_parses_back(value: Decimal, currency: str, code: str) -> None:
    text = f"{format_decimal(value, locale=code)} {get_currency_name(currency, float(value), locale=code)}"
    parsed, unit = _one(f"Total: {text}.", code)
    assert unit == currency, text
    assert parsed == pytest.approx(float(value), rel=1e-12, abs=1e-9), text


@pytest.mark.parametrize(
    ("text", "decimal", "value"),
    [
        ("326,8", ",", 326.8),
        ("1 234,5", ",", 1234.5),
        ("1,234.5", ".", 1234.5),
        ("1.234,5", ",", 1234.5),
        ("12 500", ",", 12500),
        ("12\u202f500", ",", 12500),
        ("1,234", ".", 1234),
        ("1.234", ".", 1.234),
        ("1.234", ",", 1234),
        ("326.8", ",", 326.8),
        ("1,234,567", ".", 1234567),
    ],
)
def test_separators(text: str, decimal: str, value: float) -> None:
    assert parse_number(text, decimal) == pytest.approx(value)


@pytest.mark.parametrize(
    ("code", "text", "value", "unit"),
    [
        ("fr", "326,8 millions de dollars", 326.8e6, "USD"),
        ("fr", "3 milliards d'euros", 3e9, "EUR"),
        ("fr", "2 mds de dollars", 2e9, "USD"),
        ("fr", "12 Md€", 12e9, "EUR"),
        ("fr", "1 billion d'euros", 1e12, "EUR"),  # a French billion is 10^12
        ("en", "1 billion euros", 1e9, "EUR"),  # an English one 10^9
        ("en", "$2.5bn", 2.5e9, "USD"),
        ("en", "US$326.8 million", 326.8e6, "USD"),
        ("en", "1.85 trillion tenge", 1.85e12, "KZT"),
        ("en", "500 million so'm", 500e6, "UZS"),
        ("ru", "500 тыс. рублей", 500e3, "RUB"),
        ("ru", "12 млн долларов США", 12e6, "USD"),
        ("ru", "26 млрд юаней", 26e9, "CNY"),
        ("ru", "1,2 трлн тенге", 1.2e12, "KZT"),
        ("ru", "300 млн сомов", 300e6, "KGS"),
        ("ru", "5 млн сомони", 5e6, "TJS"),
        ("ru", "40 млн манатов", 40e6, "TMT"),
        ("ru", "3 млрд йен", 3e9, "JPY"),
        ("ru", "10 ₽", 10, "RUB"),
        ("en", "₸500", 500, "KZT"),
    ],
)
def test_scales_and_currencies(code: str, text: str, value: float, unit: str) -> None:
    got, got_unit = _one(text, code)
    assert (got, got_unit) == (pytest.approx(value), unit)


@pytest.mark.parametrize(
    ("code", "text", "low", "high"),
    [
        ("fr", "entre 1 et 2 milliards d'euros", 1e9, 2e9),
        ("en", "$1-2 billion", 1e9, 2e9),
        ("en", "between 5 and 7 million tenge", 5e6, 7e6),
        ("ru", "от 1 до 2 млрд долларов", 1e9, 2e9),
    ],
)
def test_ranges_take_the_midpoint(code: str, text: str, low: float, high: float) -> None:
    (amount,) = parse_amounts(text, _language(code))
    assert (amount.low, amount.high, amount.value) == (low, high, (low + high) / 2)
    assert amount.start == 0


@pytest.mark.parametrize(
    ("code", "text"),
    [("fr", "environ 304 millions d'euros"), ("en", "more than $5 billion"), ("ru", "около 500 млн рублей")],
)
def test_approximations(code: str, text: str) -> None:
    (amount,) = parse_amounts(text, _language(code))
    assert amount.approximate


def test_words_are_not_currencies_before_a_number() -> None:
    assert parse_amounts("The party won 3 seats; we will try 2 options.", _language("en")) == []


@pytest.mark.parametrize(
    ("code", "text", "direction", "percent"),
    [
        ("fr", "en hausse de 12 %", 1, 12.0),
        ("fr", "un léger recul", -1, None),
        ("en", "a 2.8% decline", -1, 2.8),
        ("en", "up 5%", 1, 5.0),
        ("ru", "рост на 5%", 1, 5.0),
        ("ru", "снизился на 2,5 процента", -1, 2.5),
    ],
)
def test_changes(code: str, text: str, direction: int, percent: float | None) -> None:
    (change,) = parse_changes(text, _language(code))
    assert (change.direction, change.percent) == (direction, percent)


def test_up_alone_is_not_a_change() -> None:
    assert parse_changes("They set up a fund.", _language("en")) == []


# Readings (these load the language models) --------------------------------------------------------------


def _read(text: str, code: str, published: str) -> Reading:
    doc = Document(
        id="t",
        text=text,
        language=code,
        published=Published(date=date.fromisoformat(published), source="input"),
    )
    return read_document(doc)


def _score(rows: list[dict[str, Any]]) -> dict[str, float]:
    tp = fp = fn = kinds = periods = 0
    for row in rows:
        reading = _read(row["text"], row["language"], row["published"])
        free = list(reading.figures)
        for gold in row["figures"]:
            match = next(
                (
                    f
                    for f in free
                    if f.unit == gold["unit"] and abs(f.value - gold["value"]) <= 0.005 * abs(gold["value"])
                ),
                None,
            )
            if match is None:
                fn += 1
                continue
            free.remove(match)
            tp += 1
            kinds += match.kind == gold["kind"]
            periods += (str(match.period.start.year) if match.period else None) == gold["period"]
        fp += len(free)
    return {
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "kind": kinds / tp if tp else 0.0,
        "period": periods / tp if tp else 0.0,
        "gold": tp + fn,
    }


@pytest.mark.slow
def test_own_figure_set_meets_the_floor() -> None:
    rows = [json.loads(line) for line in (DATA / "testset.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["language"] for r in rows} == set(LANGS)
    scores = _score(rows)
    assert scores["precision"] >= FLOOR["precision"], scores
    assert scores["recall"] >= FLOOR["recall"], scores
    assert scores["kind"] >= 0.9 and scores["period"] >= 0.85, scores


@pytest.mark.slow
def test_restated_amount_is_the_stated_conversion_not_a_second_figure() -> None:
    reading = _read(
        "Uzbekistan's trade with Japan reached $326.8 million (about EUR 304 million) in 2025.",
        "en",
        "2025-12-03",
    )
    (figure,) = reading.figures
    assert figure.value == 326.8e6 and figure.period is not None and figure.period.start.year == 2025
    assert figure.stated_conversion is not None and figure.stated_conversion.value == 304e6
    (check,) = [c for c in reading.checks if c.kind == "stated_conversion_mismatch"]
    assert "1.0750 USD per EUR" in check.message and "1.1668" in check.message


@pytest.mark.slow
@pytest.mark.parametrize(
    ("code", "text", "published"),
    [
        (
            "fr",
            "Les échanges entre la Russie et le Turkménistan ont atteint 1,5 milliard de dollars en 2024, contre "
            "1,2 milliard de dollars en 2023, un net recul.",
            "2025-07-01",
        ),
        (
            "en",
            "Trade between Russia and Turkmenistan reached $1.5 billion in 2024, against $1.2 billion in 2023, "
            "a 5% rise.",
            "2025-07-01",
        ),
        (
            "ru",
            "Товарооборот России и Туркменистана составил 1,5 млрд долларов в 2024 году против 1,2 млрд "
            "долларов в 2023 году. Рост на 12%.",
            "2025-07-01",
        ),
    ],
)
def test_a_stated_change_the_figures_contradict(code: str, text: str, published: str) -> None:
    reading = _read(text, code, published)
    checks = [c for c in reading.checks if c.kind == "stated_change_mismatch"]
    assert len(checks) == 1, reading.checks
    assert "+25.0%" in checks[0].message


@pytest.mark.slow
def test_a_stated_change_the_figures_agree_with_gets_no_check() -> None:
    reading = _read(
        "Les échanges entre la Russie et le Turkménistan ont atteint 1,5 milliard de dollars en 2024, contre "
        "1,2 milliard de dollars en 2023, en hausse de 25 %.",
        "fr",
        "2025-07-01",
    )
    assert len(reading.figures) == 2
    assert not [c for c in reading.checks if c.kind == "stated_change_mismatch"]


@pytest.mark.slow
def test_two_figures_for_the_same_quantity_disagree() -> None:
    reading = _read(
        "Trade between Kazakhstan and China reached $43.8 billion in 2024. Officials in Astana said later "
        "that trade between Kazakhstan and China was $41.2 billion in 2024.",
        "en",
        "2025-03-01",
    )
    (check,) = [c for c in reading.checks if c.kind == "figures_disagree"]
    assert "43,800,000,000 USD and 41,200,000,000 USD" in check.message
    assert len(check.evidence) == 2


@pytest.mark.slow
def test_no_rate_known_means_no_conversion_and_an_info_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(figures_step, "default_provider", ECBRates)
    reading = _read("Le budget du Tadjikistan prévoit 45 milliards de somonis en 2026.", "fr", "2025-09-15")
    (figure,) = reading.figures
    assert figure.unit == "TJS" and figure.converted == {}
    (check,) = [c for c in reading.checks if c.kind == "conversion_unavailable"]
    assert "TJS" in check.message and check.severity == "info"


@pytest.mark.slow
def test_the_rate_store_converts_what_the_ecb_does_not_quote(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    db = tmp_path / "rates.sqlite3"
    day = date(2025, 9, 15)
    write_quotes(db, "nbt", "TJS", [Quote(day, "USD", 9.25), Quote(day, "EUR", 10.85)])
    monkeypatch.setattr(figures_step, "default_provider", lambda: provider_for(db))
    reading = _read("Le budget du Tadjikistan prévoit 45 milliards de somonis.", "fr", "2025-09-15")
    (figure,) = reading.figures
    assert figure.converted["USD"].value == pytest.approx(45e9 / 9.25, rel=1e-6)
    assert figure.converted["EUR"].rate_date == day
    assert not [c for c in reading.checks if c.kind == "conversion_unavailable"]
