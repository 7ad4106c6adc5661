"""`storyline read` end to end, as a user runs it: real files, real models, a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import CONTRACT, EXAMPLES, ROOT

OWN_SCHEMA = json.loads((ROOT / "schema" / "reading.schema.json").read_text(encoding="utf-8"))
FRENCH = (
    "Le président kazakh reçu à Paris\n\n"
    "Le président du Kazakhstan a été reçu à l'Élysée le 29 novembre 2023 pour des entretiens avec la France. "
    "Les deux pays ont signé des accords sur l'énergie et les matières premières.\n"
)


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "storyline.cli", *args],
        input=stdin,
        capture_output=True,
        timeout=600,
        check=False,
    )


def validate(reading: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(OWN_SCHEMA).validate(reading)
    if CONTRACT.exists():
        jsonschema.Draft202012Validator(json.loads(CONTRACT.read_text(encoding="utf-8"))).validate(reading)
    text = reading["text"]
    spans = [m for e in reading["entities"] for m in e["mentions"]]
    spans += [e["evidence"] for e in reading["events"]] + [f["evidence"] for f in reading["figures"]]
    spans += [s for c in reading["checks"] for s in c.get("evidence", [])] + reading["times"]
    for span in spans:
        assert text[span["start"] : span["end"]] == span["text"]


def html_page(body: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n") if p.strip())
    return (
        "<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>Article</title></head><body>"
        "<nav><ul><li><a href='/'>Accueil</a></li><li><a href='/asie'>Asie centrale</a></li>"
        "<li><a href='/eco'>Économie</a></li></ul></nav>"
        f"<main><article>{paragraphs}</article></main>"
        "<aside class='newsletter'>Inscrivez-vous à notre lettre d'information hebdomadaire</aside>"
        "<footer><p>Mentions légales — Contact — Tous droits réservés au site d'exemple</p></footer></body></html>"
    )


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mixed")
    (folder / "kazakh-visit.fr.txt").write_bytes(FRENCH.encode("latin-1", errors="replace"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "page.html").write_text(html_page(FRENCH), encoding="utf-8")
    return folder


def test_read_a_mixed_folder(mixed_folder: Path, tmp_path: Path) -> None:
    out, errors = tmp_path / "readings.jsonl", tmp_path / "errors.jsonl"
    result = run("read", str(mixed_folder), "--output", str(out), "--errors", str(errors), "--workers", "2")
    assert result.returncode == 0, result.stderr.decode()
    readings = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    failures = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in readings] == ["kazakh-visit.fr.txt", "page.html"]
    assert sorted(f["error"]["kind"] for f in failures) == ["binary", "empty"]
    assert "2 failed" in result.stderr.decode()
    for reading in readings:
        validate(reading)
        assert reading["language"] == "fr"
    latin = readings[0]
    assert "Élysée" in latin["text"], "Latin-1 decoded right"
    assert any(c["kind"] == "encoding" for c in latin["checks"])
    page = readings[1]
    assert (
        "Accueil" not in page["text"]
        and "Inscrivez-vous" not in page["text"]
        and "Mentions" not in page["text"]
    )
    countries = {e["id"] for e in page["entities"] if e["kind"] == "country"}
    assert {"KAZ", "FRA"} <= countries


def test_seed_folder_acceptance(seed_text: str, tmp_path: Path) -> None:
    """The skeleton issue's check: the seed as text, the seed in an HTML page, a Latin-1 French text, an empty
    file and a binary file."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "seed.txt").write_text(seed_text, encoding="utf-8")
    body = seed_text.split("\n", 2)[2].rsplit("Newsletter", 1)[0]
    (folder / "seed.html").write_text(html_page(body), encoding="utf-8")
    (folder / "latin.txt").write_bytes(FRENCH.encode("latin-1", errors="replace"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blob.txt").write_bytes(bytes(range(256)) * 40)
    out, errors = tmp_path / "r.jsonl", tmp_path / "e.jsonl"
    result = run("read", str(folder), "-o", str(out), "-e", str(errors))
    assert result.returncode == 0, result.stderr.decode()
    readings = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert sorted(readings) == ["latin.txt", "seed.html", "seed.txt"]
    assert len(errors.read_text(encoding="utf-8").splitlines()) == 2
    for reading in readings.values():
        validate(reading)


def test_seed_publication_date_is_reasoned(seed_text: str, tmp_path: Path) -> None:
    (tmp_path / "seed.txt").write_text(seed_text, encoding="utf-8")
    result = run("read", str(tmp_path / "seed.txt"), "--workers", "1")
    assert result.returncode == 0, result.stderr.decode()
    reading = json.loads(result.stdout)
    assert reading["published"]["date"] == "2025-12-03"
    assert reading["published"]["raw"] == "12/03/2025"
    assert 0.5 < reading["published"]["confidence"] < 1
    check = next(c for c in reading["checks"] if c["kind"] == "published_date_ambiguous")
    assert "septembre 2025" in check["message"] and "2025-12-03" in check["message"]
    assert {s["text"] for s in check["evidence"]} >= {"12/03/2025", "septembre 2025"}
    assert reading["authors"] == ["Rodion Zolkin"]
    assert reading["text"].count("Le Japon prépare son premier sommet historique") == 1
    assert "Pixabay" not in reading["text"] and "Newsletter" not in reading["text"]


def test_jsonl_input_and_stdin(tmp_path: Path) -> None:
    records = tmp_path / "docs.jsonl"
    records.write_text(
        json.dumps({"id": "a", "text": FRENCH, "published": "2023-11-30", "language": "fr"})
        + "\n{broken\n"
        + json.dumps({"id": "b"})
        + "\n",
        encoding="utf-8",
    )
    result = run("read", "--input", str(records))
    assert result.returncode == 0
    (reading,) = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert reading["id"] == "a" and reading["published"] == {
        "date": "2023-11-30",
        "raw": None,
        "source": "input",
        "confidence": 1.0,
    }
    assert "2 failed" in result.stderr.decode()
    piped = run("read", "-", stdin=FRENCH.encode())
    assert piped.returncode == 0 and json.loads(piped.stdout)["language"] == "fr"


def test_exit_codes(tmp_path: Path) -> None:
    assert run("read").returncode == 2
    (tmp_path / "empty.txt").write_bytes(b"")
    assert run("read", str(tmp_path / "empty.txt")).returncode == 1
    assert run("read", str(tmp_path / "missing.txt")).returncode == 1


def test_a_language_we_do_not_read_is_a_reading_without_events(tmp_path: Path) -> None:
    german = "Japan richtet im Dezember in Tokio den ersten Gipfel mit den fünf Staaten Zentralasiens aus."
    (tmp_path / "de.txt").write_text(german, encoding="utf-8")
    result = run("read", str(tmp_path / "de.txt"))
    reading = json.loads(result.stdout)
    assert reading["language"] == "de" and reading["events"] == []
    assert any(c["kind"] == "language_not_read" for c in reading["checks"])


def test_parallel_output_equals_serial_output(tmp_path: Path) -> None:
    articles = sorted((EXAMPLES / "articles").iterdir())
    for code in ("fr", "en", "ru"):  # three of each language: enough to interleave the workers
        for path in [a for a in articles if f".{code}." in a.name][:3]:
            (tmp_path / path.name).write_bytes(path.read_bytes())
    serial = run("read", str(tmp_path), "--workers", "1")
    parallel = run("read", str(tmp_path), "--workers", "2")
    assert serial.returncode == parallel.returncode == 0
    assert serial.stdout == parallel.stdout
    readings = [json.loads(line) for line in serial.stdout.decode().splitlines()]
    assert {r["language"] for r in readings} == {"fr", "en", "ru"}
    for reading in readings:
        validate(reading)


def test_kb_stats_and_rates_show() -> None:
    stats = run("kb", "stats")
    assert stats.returncode == 0
    assert "country 249" in stats.stdout.decode() and "person" in stats.stdout.decode()
    shown = run("rates", "show", "USD", "EUR", "--on", "2025-12-03")
    assert shown.returncode == 0 and "0.857" in shown.stdout.decode()
    unknown = run("rates", "show", "XYZ", "EUR", "--on", "2025-12-03")
    assert unknown.returncode == 1
