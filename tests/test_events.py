"""Events in French, English and Russian: types, statuses, participants, places, times, formats."""

from __future__ import annotations

from datetime import date

import pytest

from storyline.read import extractors, read_document
from storyline.records import Document, EventMention, Published


def events(text: str, on: date = date(2025, 12, 1), language: str | None = None) -> list[EventMention]:
    document = Document(id="t", text=text, language=language, published=Published(date=on, source="input"))
    return read_document(document).events


def one(text: str, **kwargs: object) -> EventMention:
    found = events(text, **kwargs)  # type: ignore[arg-type]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "status"),
    [
        (
            "Le Japon accueillera à Tokyo un sommet avec le Kazakhstan et l'Ouzbékistan en décembre 2025.",
            "planned",
        ),
        (
            "Le sommet entre le Japon et le Kazakhstan a été reporté à 2026 en raison de la crise.",
            "postponed",
        ),
        ("Le sommet entre le Japon et le Kazakhstan prévu à Astana a été annulé.", "cancelled"),
        ("Le sommet entre le Japon et le Kazakhstan n'aura pas lieu à Astana.", "cancelled"),
        ("Un sommet entre le Japon et le Kazakhstan pourrait être organisé en 2026.", "hypothetical"),
        ("Japan will host a summit with Kazakhstan and Uzbekistan in Tokyo in December 2025.", "planned"),
        ("The summit between Japan and Kazakhstan was called off because of an earthquake.", "cancelled"),
        ("The summit between Japan and Kazakhstan was postponed to 2026.", "postponed"),
        ("Japan and Kazakhstan held a summit in Tokyo in October 2025.", "occurred"),
        ("Саммит Японии и Казахстана состоится в Токио в декабре 2025 года.", "planned"),
        ("Саммит Японии и Казахстана в Астане был отменен из-за землетрясения.", "cancelled"),
        ("Саммит Японии и Казахстана прошел в Токио в октябре 2025 года.", "occurred"),
        ("Le sommet entre le Japon et le Kazakhstan s'est ouvert ce lundi 1er décembre à Tokyo.", "ongoing"),
    ],
)
def test_status_in_three_languages(text: str, status: str) -> None:
    event = one(text)
    assert event.type == "CONSULT"
    assert event.status == status
    assert {"JPN", "KAZ"} <= set(event.participants)


def test_a_summit_that_opens_the_way_is_no_summit_opening() -> None:
    # "s'ouvrir" (reflexive) says a summit began; "ouvrir la voie" says nothing of it
    assert (
        events("Le format du sommet entre le Japon et le Kazakhstan ouvre la voie à une coopération.") == []
    )


def test_a_call_off_keeps_its_reason() -> None:
    event = one(
        "The summit between Japan and Kazakhstan was called off because of a major earthquake warning."
    )
    assert event.reason is not None and "earthquake warning" in event.reason


def test_a_multilateral_meeting_keeps_every_participant_in_one_event() -> None:
    event = one(
        "Le Japon se prépare à accueillir à Tokyo le premier sommet réunissant les dirigeants du Kazakhstan, du "
        "Kirghizistan, du Tadjikistan, du Turkménistan et de l'Ouzbékistan."
    )
    assert sorted(event.participants) == ["JPN", "KAZ", "KGZ", "TJK", "TKM", "UZB"]
    assert event.format == "central-asia-plus-japan", "the six members imply the format"
    assert event.where is not None and (event.where.name, event.where.country) == ("Tokyo", "JPN")
    assert event.where.geonameid == 1850147


def test_aid_is_directed_from_source_to_target() -> None:
    event = one("Japan plans to provide Uzbekistan with mammography screening equipment.")
    assert (event.type, event.status, event.source, event.target) == ("AID", "planned", ["JPN"], ["UZB"])
    assert event.context == ["health"]


def test_a_country_alone_is_a_place_without_coordinates() -> None:
    event = one("Le sommet du Japon et de l'Ouzbékistan prévu au Kazakhstan a été annulé.")
    assert event.where is not None and event.where.country == "KAZ" and event.where.geonameid is None


def test_one_event_per_real_event_per_document() -> None:
    text = (
        "Japan will host a summit with Kazakhstan and Uzbekistan in Tokyo.\n\n"
        "The summit is scheduled for mid-December 2025.\n\n"
        "The summit will also discuss energy, officials said."
    )
    (event,) = [e for e in events(text) if e.type == "CONSULT"]
    assert event.status == "planned" and event.when is not None and event.when.start == date(2025, 12, 11)


def test_a_present_tense_meeting_on_its_day_is_ongoing() -> None:
    event = one(
        "Le chancelier allemand reçoit ce vendredi à Berlin les dirigeants du Kazakhstan et de l'Ouzbékistan "
        "pour un sommet.",
        on=date(2023, 9, 29),
    )
    assert event.status == "ongoing"


def test_reported_would_is_the_future_not_a_hypothesis() -> None:
    event = one("Xi told his guests that China would provide Kazakhstan with 26 billion yuan in grants.")
    assert (event.type, event.status) == ("AID", "planned")


def test_a_passive_agent_is_the_source() -> None:
    event = one("Kazakhstan was accused by Russia of hosting foreign troops.")
    assert (event.type, event.source, event.target) == ("ACCUSE", ["RUS"], ["KAZ"])


def test_extractors_are_pluggable() -> None:
    assert "rules" in extractors.names()
    with pytest.raises(ValueError, match="unknown event extractor"):
        extractors.backend("no-such-backend")
