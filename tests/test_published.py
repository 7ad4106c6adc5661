"""Publication dates: input, metadata, URL, dateline, byline, and numeric dates that read two ways."""

from __future__ import annotations

from datetime import date

import pytest

from storyline.read import read_document
from storyline.records import Document, Published


def published(text: str, **fields: object) -> Published | None:
    return read_document(Document(id="t", text=text, **fields)).published  # type: ignore[arg-type]


def test_input_date_wins() -> None:
    given = Published(date=date(2024, 1, 2), source="input")
    assert published("Le 12/03/2025\n\nUn texte.", published=given, language="fr") == given


def test_date_in_the_url() -> None:
    found = published(
        "Japan hosted a summit with Central Asian leaders.", url="https://news.example/2025/12/20/summit"
    )
    assert found is not None and (found.date, found.source) == (date(2025, 12, 20), "url")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Japan hosts summit\n\nTOKYO, 20 December 2025 — Leaders met in Tokyo on Friday.",
            date(2025, 12, 20),
        ),
        ("Title\n\nThe leaders met in Tokyo.\n\nBy Jane Roe\nPublished 3 December 2025", date(2025, 12, 3)),
        ("Заголовок\n\nАСТАНА, 29 августа 2004 года. Министры провели встречу.", date(2004, 8, 29)),
        (
            "Titre\n\nLes dirigeants se sont réunis à Tokyo.\n\nPar Jeanne Roy\nLe 5 décembre 2025",
            date(2025, 12, 5),
        ),
    ],
)
def test_written_dates_in_datelines_and_bylines(text: str, expected: date) -> None:
    found = published(text)
    assert found is not None and found.date == expected and found.source == "text"


def test_an_unambiguous_numeric_byline() -> None:
    found = published("Titre\n\nLe sommet a eu lieu à Tokyo.\n\nPar Jeanne Roy\nLe 25/11/2025")
    assert found is not None and found.date == date(2025, 11, 25) and found.confidence >= 0.9


def test_an_ambiguous_byline_with_nothing_to_decide_is_read_in_the_language_order_and_flagged() -> None:
    reading = read_document(
        Document(id="t", text="Titre\n\nLe sommet a eu lieu à Tokyo.\n\nPar Jeanne Roy\nLe 05/11/2025")
    )
    assert reading.published is not None and reading.published.date == date(2025, 11, 5)
    assert reading.published.confidence == 0.5
    (check,) = [c for c in reading.checks if c.kind == "published_date_ambiguous"]
    assert "Nothing in the text decides" in check.message


def test_an_ambiguous_byline_is_resolved_by_what_the_text_reports_as_past() -> None:
    text = (
        "Un dialogue économique\n\nLe ministère japonais a tenu en octobre 2025 un dialogue avec le Kazakhstan "
        "et l'Ouzbékistan.\n\nPar Jeanne Roy\nLe 11/05/2025"
    )
    reading = read_document(Document(id="t", text=text))
    assert reading.published is not None and reading.published.date == date(2025, 11, 5)
    (check,) = [c for c in reading.checks if c.kind == "published_date_ambiguous"]
    assert "octobre 2025" in check.message
    assert any(span.text == "octobre 2025" for span in check.evidence)


def test_no_date_is_said() -> None:
    reading = read_document(Document(id="t", text="Japan and Kazakhstan held talks in Astana."))
    assert reading.published is None
    assert any(c.kind == "published_date_missing" for c in reading.checks)
