"""``storyline kb import``: extending the knowledge base from a Wikidata dump or a SPARQL result
(fixtures in ``tests/data/kb/``, fictional people and terms)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyline import kb
from storyline.cli import app
from storyline.kb import KBError, load_dir, wikidata

FIXTURES = Path(__file__).with_name("data") / "kb"
DATA = Path(kb.__file__).resolve().parent / "data"


def base_with(tmp_path: Path, *files: Path) -> kb.KnowledgeBase:
    """The package's base with imported files beside it."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    for file in files:
        shutil.copy(file, data / file.name)
    return load_dir(data)


def test_a_wikidata_dump_gives_people_with_terms_and_organisations(tmp_path: Path) -> None:
    result = wikidata.import_file(FIXTURES / "wikidata-dump.json")
    by_id = {e["id"]: e for e in result.entries}
    assert set(by_id) == {"jane-roe", "john-doe", "acme-holdings"}
    roe = by_id["jane-roe"]
    assert roe["kind"] == "person" and roe["wikidata"] == "Q990000001"
    assert roe["names"] == {"en": ["Jane Roe"], "fr": ["Jane Roe"], "ru": ["Джейн Роу"]}  # no German
    # the position is described in the dump: "Foreign Minister of Kazakhstan", country Q232 = KAZ; the end
    # is known to the year only and stays so
    assert roe["terms"] == [{"office": "foreign-minister", "of": "KAZ", "from": "2031-02-01", "to": "2033"}]
    assert by_id["john-doe"]["terms"] == [{"office": "head-of-state", "of": "USA", "from": "2033-01-20"}]
    acme = by_id["acme-holdings"]
    assert (
        acme["kind"] == "organization" and "country" not in acme and acme["short"] == {"fr": ["Groupe Acme"]}
    )
    assert any("Q990000099" in reason for reason in result.skipped)  # a position the base cannot place
    assert any("Q232" in reason and "KAZ" in reason for reason in result.skipped)  # already known


def test_a_sparql_result_gives_the_same_format() -> None:
    result = wikidata.import_file(FIXTURES / "sparql-result.json")
    by_id = {e["id"]: e for e in result.entries}
    miles = by_id["richard-miles"]
    assert miles["names"] == {"en": ["Richard Miles"], "fr": ["Richard Miles"], "ru": ["Ричард Майлз"]}
    assert miles["short"] == {"en": ["Dick Miles"]}
    assert miles["terms"] == [
        {"office": "head-of-government", "of": "GBR", "from": "2035-07-05", "to": "2037-03-01"}
    ]
    assert by_id["steppe-logistics"]["kind"] == "organization"


def test_imported_files_extend_the_base(tmp_path: Path) -> None:
    written = [
        wikidata.write_entries(wikidata.import_file(FIXTURES / name), FIXTURES / name, tmp_path / "out")
        for name in ("wikidata-dump.json", "sparql-result.json")
    ]
    assert [p.name for p in written] == ["imported-wikidata-dump.json", "imported-sparql-result.json"]
    assert json.loads(written[0].read_text(encoding="utf-8"))["_sources"]
    base = base_with(tmp_path, *written)
    assert base.get("jane-roe") is not None and base.get("jane-roe").kind == "person"  # type: ignore[union-attr]
    assert base.acts_for("jane-roe", date(2032, 6, 1)) == "KAZ"
    assert base.acts_for("jane-roe", date(2033, 6, 1)) is None  # the year it ended: unsure
    # the shipped base's current foreign minister has no end date: two holders, so a title names nobody
    assert base.holder("foreign-minister", "KAZ", date(2032, 6, 1)) is None
    assert base.acts_for("john-doe", date(2034, 1, 1)) == "USA"
    russian = {a.text for a in base.aliases if a.entity_id == "jane-roe" and a.lang == "ru"}
    assert {"Джейн Роу", "Роу"} <= russian
    assert kb.load().get("jane-roe") is None  # the package's base is untouched


def test_a_malformed_import_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "imported-bad.json"
    entry = {
        "id": "x-y",
        "kind": "person",
        "name": "X Y",
        "terms": [{"office": "king", "of": "KAZ", "from": "2030"}],
    }
    bad.write_text(json.dumps({"_sources": ["test"], "entries": [entry]}), encoding="utf-8")
    with pytest.raises(KBError, match="unknown office"):
        base_with(tmp_path, bad)


def test_the_command(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(app, ["kb", "import", str(FIXTURES / "wikidata-dump.json"), "--into", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 entries (2 people, 2 terms)" in result.output
    assert (out / "imported-wikidata-dump.json").exists()
    not_json = tmp_path / "x.json"
    not_json.write_text("{}", encoding="utf-8")
    result = runner.invoke(app, ["kb", "import", str(not_json), "--into", str(out)])
    assert result.exit_code == 2


def test_storyline_kb_path_extends_the_loaded_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = "wikidata-dump.json"
    wikidata.write_entries(wikidata.import_file(FIXTURES / name), FIXTURES / name, tmp_path)
    monkeypatch.setenv(kb.KB_PATH_VARIABLE, str(tmp_path))
    kb.load.cache_clear()
    try:
        assert kb.load().acts_for("jane-roe", date(2032, 1, 1)) == "KAZ"
    finally:
        monkeypatch.delenv(kb.KB_PATH_VARIABLE)
        kb.load.cache_clear()
    assert kb.load().get("jane-roe") is None
