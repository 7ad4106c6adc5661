"""Anniversaries dated from the knowledge base's founding years."""

from __future__ import annotations

from datetime import date

import pytest

from storyline.read import read_document
from storyline.records import Document, Published


def times(text: str) -> list[tuple[str, str]]:
    reading = read_document(
        Document(id="t", text=text, published=Published(date=date(2025, 12, 3), source="input"))
    )
    return [(t.text, t.value) for t in reading.times]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Le sommet devait marquer le vingtième anniversaire du dialogue « Central Asia + Japan ».",
            ("vingtième anniversaire", "2024"),
        ),
        (
            "The summit was to mark the 20th anniversary of the Central Asia + Japan dialogue.",
            ("20th anniversary", "2024"),
        ),
        ("Саммит был приурочен к 20-летию диалога «Центральная Азия + Япония».", ("20-летию", "2024")),
        ("The C5+1 marked its tenth anniversary at the White House.", ("tenth anniversary", "2025")),
    ],
)
def test_an_anniversary_of_a_known_format_is_a_year(text: str, expected: tuple[str, str]) -> None:
    assert expected in times(text)


def test_an_anniversary_of_something_unknown_is_left_alone() -> None:
    assert all(
        "anniversary" not in text for text, _ in times("The couple celebrated their 20th anniversary.")
    )
