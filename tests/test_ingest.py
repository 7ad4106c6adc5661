"""Ingest: bytes to clean text, bad input to recorded errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.ingest.clean import clean_text, markdown_to_text
from storyline.ingest.decode import DecodeError, decode
from storyline.ingest.document import IngestError, to_document
from storyline.ingest.html import extract
from storyline.ingest.sources import RawInput, iter_inputs
from storyline.records import ReadError

FR = "Le Japon accueillera à Tokyo un sommet réunissant les présidents d’Asie centrale; les échanges sont modestes."
RU = "Президент Казахстана прибыл в Токио на саммит. Стороны обсудили торговлю и инвестиции в регионе."


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        (FR.replace("’", "'"), "latin-1", "cp1252"),
        (FR, "cp1252", "cp1252"),
        (RU, "cp1251", "cp1251"),
        (RU, "koi8_r", "koi8-r"),
        (RU, "utf-8", "utf-8"),
    ],
)
def test_decode_finds_the_encoding(text: str, encoding: str, expected: str) -> None:
    decoded, found = decode(text.encode(encoding))
    assert decoded == text
    assert found == expected


def test_decode_strips_a_utf8_bom() -> None:
    decoded, found = decode(b"\xef\xbb\xbf" + FR.encode())
    assert decoded == FR and found == "utf-8-sig"


def test_binary_is_refused() -> None:
    with pytest.raises(DecodeError) as caught:
        decode(bytes(range(256)) * 10)
    assert caught.value.kind == "binary"


def test_clean_text_drops_repeated_title_credit_and_footer() -> None:
    text = (
        "Un titre d'article\nUn titre d'article\n\nPremier paragraphe du texte.\n\n"
        "Un titre d'article\n\n© Agence Photo\n\nDernier paragraphe.\n\nPar Jeanne Martin\nLe 05/11/2025\n\n"
        "Newsletter\n\nPour rester informé de tout\n"
    )
    cleaned = clean_text(text)
    assert cleaned.title == "Un titre d'article"
    assert cleaned.text.count("Un titre d'article") == 1
    assert (
        "©" not in cleaned.text and "Newsletter" not in cleaned.text and "rester informé" not in cleaned.text
    )
    assert cleaned.text.endswith("Par Jeanne Martin\nLe 05/11/2025")


def test_markdown_becomes_plain_text() -> None:
    assert (
        markdown_to_text("# Titre\n\nUn **mot** et un [lien](http://x.example).")
        == "Titre\n\nUn mot et un lien."
    )


def test_html_extraction_drops_navigation_and_footer() -> None:
    page = (
        "<html><head><title>Site</title><meta property='article:published_time' content='2024-08-09T08:00:00Z'>"
        "</head><body><nav><a href='/'>Accueil</a><a href='/monde'>Monde</a></nav><article><h1>Un sommet annulé</h1>"
        "<p>Le premier ministre a renoncé à son voyage à Astana après une alerte sismique au Japon, a-t-on appris "
        "vendredi de source officielle.</p><p>Le sommet devait réunir les dirigeants des cinq pays d'Asie "
        "centrale.</p></article><div class='newsletter'>Abonnez-vous à notre lettre</div>"
        "<footer>Tous droits réservés</footer></body></html>"
    )
    extracted = extract(page)
    assert extracted is not None
    assert "Astana" in extracted.text and "Accueil" not in extracted.text and "droits" not in extracted.text
    assert extracted.date == "2024-08-09"


def test_document_errors_have_kinds() -> None:
    with pytest.raises(IngestError) as caught:
        to_document(RawInput(id="e", kind="text", data=b"   \n"))
    assert caught.value.kind == "empty"
    with pytest.raises(IngestError) as caught:
        to_document(RawInput(id="h", kind="html", data=b"<html><body><div></div></body></html>"))
    assert caught.value.kind in ("no_text", "empty")


def test_inputs_record_what_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Un texte.", encoding="utf-8")
    (tmp_path / "big.txt").write_bytes(b"x" * 2048)
    jsonl = tmp_path / "docs.jsonl"
    jsonl.write_text(
        "\n".join(
            [
                json.dumps({"id": "j1", "text": "Un texte", "published": "2025-01-02"}),
                "{not json",
                json.dumps({"id": "j3"}),
                json.dumps({"id": "j4", "text": "x", "published": "02/01/2025"}),
                json.dumps({"url": "https://example.org/a", "html": "<p>x</p>"}),
            ]
        ),
        encoding="utf-8",
    )
    items = list(
        iter_inputs(
            [str(tmp_path / "a.txt"), str(tmp_path / "big.txt"), str(tmp_path / "missing.txt")],
            [str(jsonl)],
            max_bytes=1024,
        )
    )
    kinds = [i.error.kind if isinstance(i, ReadError) else i.kind for i in items]
    assert kinds == ["text", "too_large", "unreadable", "text", "bad_json", "no_text", "bad_date", "html"]
    last = items[-1]
    assert isinstance(last, RawInput) and last.id and last.url == "https://example.org/a"


def test_ids_are_stable_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.fr.txt").write_text("Texte.", encoding="utf-8")
    (tmp_path / "a.en.html").write_text("<p>Text.</p>", encoding="utf-8")
    ids = [i.id for i in iter_inputs([str(tmp_path)]) if isinstance(i, RawInput)]
    assert ids == ["a.en.html", "sub/b.fr.txt"]


def test_truncated_html_is_read_as_far_as_it_goes() -> None:
    page = (
        "<html><head><title>Sommet</title></head><body><article><h1>Un sommet à Tokyo</h1>"
        "<p>Le Japon accueillera en décembre les dirigeants des cinq pays d'Asie centrale pour un premier sommet "
        "historique, selon le ministère des Affaires étrangères.</p><p>Les préparatifs se poursui"
    )
    document = to_document(RawInput(id="t", kind="html", data=page.encode()))
    assert "cinq pays d'Asie centrale" in document.text
    with pytest.raises(IngestError) as caught:
        to_document(RawInput(id="t", kind="html", data=b"<html><head><title>x</title></head><bo"))
    assert caught.value.kind in ("no_text", "empty")
