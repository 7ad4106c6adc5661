"""The relevance pre-filter (``storyline.ingest.relevance``): recall on the example articles, watch lists
that narrow, word boundaries, Russian declension, case-sensitive acronyms, undecodable bytes, pickling, and
the flow's ``irrelevant`` count on SQLite and PostgreSQL. Nothing here loads a language model: the filter
runs before reading, and a run whose inputs are all irrelevant reads nothing."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from storyline import flow
from storyline.flow import run
from storyline.ingest.relevance import (
    RelevanceFilter,
    declined_forms,
    default_entities,
    language_rules,
)
from storyline.ingest.sources import RawInput, error
from storyline.kb import KnowledgeBase, load
from storyline.records import ReadError, WatchList
from storyline.store import connect, queries

from conftest import EXAMPLES, ROOT

ARTICLES = sorted((EXAMPLES / "articles").iterdir())
TIMEBANK = sorted((ROOT / "benchmarks" / "fr-timebank" / "Data").glob("*.tml"))
JAPAN_ARTICLES = [
    "2004-08-29-dialogue-lance.ru.txt",
    "2006-06-06-reunion-tokyo.fr.txt",
    "2015-10-28-abe-tour.ru.txt",
    "2024-08-09-kishida-cancels-astana.en.html",
    "2024-08-10-sommet-astana-annule.fr.txt",
    "2025-09-30-energy-dialogue.ru.txt",
    "2025-10-28-sommet-tokyo-annonce.fr.html",
    "2025-12-05-uzbek-japan-trade.en.txt",
    "2025-12-19-sommet-tokyo-ouvert.fr.html",
    "2025-12-20-sammit-tokio.ru.html",
    "2025-12-20-tokyo-summit-held.en.txt",
]
NOT_ABOUT_JAPAN = [
    "2025-04-04-eu-central-asia-summit.en.txt",
    "2025-04-05-sammit-es-samarkand.ru.txt",
    "2023-05-19-xian-summit-held.en.txt",
]
IRRELEVANT = [
    "Le conseil municipal a voté le budget de la piscine hier soir.",
    "The central bank left its rates unchanged on Thursday.",
    "Футбольный клуб объявил о подписании нового контракта.",
]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load()


@pytest.fixture(scope="module")
def default(kb: KnowledgeBase) -> RelevanceFilter:
    return RelevanceFilter.from_kb(kb)


def raw_file(path: Path) -> RawInput:
    return RawInput(id=path.name, kind="html" if path.suffix == ".html" else "text", data=path.read_bytes())


def article(name: str) -> RawInput:
    return raw_file(EXAMPLES / "articles" / name)


def texts(items: Iterable[str]) -> list[RawInput]:
    return [RawInput(id=f"doc-{i}", kind="text", data=text.encode("utf-8")) for i, text in enumerate(items)]


# --- recall and what is let through ----------------------------------------------------------------------


def test_keeps_every_example_article(kb: KnowledgeBase) -> None:
    relevance = RelevanceFilter.from_kb(kb)
    assert len(ARTICLES) == 31
    rejected = [p.name for p in ARTICLES if not relevance.admits(raw_file(p))]
    assert rejected == []
    stats = relevance.stats
    assert (stats.seen, stats.admitted, stats.skipped) == (31, 31, 0)
    assert stats.bytes == sum(p.stat().st_size for p in ARTICLES)


def test_lets_little_general_news_through(default: RelevanceFilter) -> None:
    """The French TimeBank is general news of 1999-2003 that never names Central Asia."""
    assert len(TIMEBANK) > 100
    admitted = [p.name for p in TIMEBANK if default.relevant(raw_file(p))]
    assert len(admitted) <= len(TIMEBANK) * 0.05, admitted


def test_default_terms_are_the_engine_subject(kb: KnowledgeBase) -> None:
    chosen = default_entities(kb)
    for wanted in ("KAZ", "UZB", "central-asia", "c5-plus-1", "astana", "samarkand", "kassym-jomart-tokayev"):
        assert wanted in chosen
    for unwanted in ("RUS", "USA", "JPN", "un", "eu", "europe", "moscow", "vladimir-putin", "donald-trump"):
        assert unwanted not in chosen


def test_rejects_texts_that_name_nothing_followed(default: RelevanceFilter) -> None:
    assert [default.relevant(raw) for raw in texts(IRRELEVANT)] == [False, False, False]


# --- watch lists -----------------------------------------------------------------------------------------


def test_a_watch_on_japan_narrows(kb: KnowledgeBase) -> None:
    japan = RelevanceFilter.from_kb(kb, WatchList(name="japan", actors=["JPN"]))
    assert japan.size < RelevanceFilter.from_kb(kb).size
    assert [name for name in JAPAN_ARTICLES if not japan.admits(article(name))] == []
    assert [name for name in NOT_ABOUT_JAPAN if japan.admits(article(name))] == []
    assert "Kishida" in japan.match(article("2024-08-09-kishida-cancels-astana.en.html"))


def test_a_watch_names_actors_by_name_and_formats_bring_members(kb: KnowledgeBase) -> None:
    by_name = RelevanceFilter.from_kb(kb, WatchList(name="j", actors=["Japon"]))
    assert by_name.relevant("Le Japon investit.")
    dialogue = RelevanceFilter.from_kb(kb, WatchList(name="d", formats=["central-asia-plus-japan"]))
    assert dialogue.relevant("Le dialogue Asie centrale + Japon reprend.")
    assert dialogue.relevant("Tokyo et Tachkent ont signé.")  # members: Japan and the five
    assert not dialogue.relevant("Pékin et Moscou ont signé.")
    region = RelevanceFilter.from_kb(kb, WatchList(name="r", regions=["south-caucasus"]))
    assert region.relevant("Визит в Азербайджан") and region.relevant("Грузии и Армении")
    assert not region.relevant("Визит в Казахстан")


def test_a_watch_keyword_matches_in_any_language_and_declines_in_russian(kb: KnowledgeBase) -> None:
    relevance = RelevanceFilter.from_kb(kb, WatchList(name="gas", keywords=["газопровод", "pipeline"]))
    assert relevance.match("Строительство газопровода начнётся") == ["газопровода"]
    assert relevance.match("The Pipeline was opened") == ["pipeline"]
    assert not relevance.relevant("Le Kazakhstan a signé.")


def test_a_watch_without_subjects_is_the_default(kb: KnowledgeBase) -> None:
    relevance = RelevanceFilter.from_kb(kb, WatchList(name="all", types=["CONSULT"]))
    assert relevance.terms == RelevanceFilter.from_kb(kb).terms


def test_an_unknown_format_is_an_error(kb: KnowledgeBase) -> None:
    with pytest.raises(ValueError, match="no format"):
        RelevanceFilter.from_kb(kb, WatchList(name="typo", formats=["central-asia-plus-japn"]))


# --- matching --------------------------------------------------------------------------------------------


def test_word_boundaries(default: RelevanceFilter) -> None:
    assert default.match("Talks in Osh, then Bishkek.") == ["Osh", "Bishkek"]
    assert default.match("The Oshawa plant and the Toshiba deal") == []
    assert default.match("Kazakhstanization") == []
    assert default.match("Kazakhstan's exports") == ["Kazakhstan"]
    assert default.match("les exportations de l’Ouzbékistan") == ["Ouzbékistan"]  # typographic apostrophe
    assert default.match("<p>Astana</p>") == ["Astana"]  # markup is a boundary
    assert default.match("Central\nAsia") == ["Central Asia"]  # a hard-wrapped line


def test_russian_inflected_forms(default: RelevanceFilter) -> None:
    assert default.match("Переговоры в Казахстане") == ["Казахстане"]
    assert default.match("делегация Казахстана") == ["Казахстана"]
    assert default.match("соглашение с Узбекистаном") == ["Узбекистаном"]
    assert default.match("саммит стран Центральной Азии") == ["Центральной Азии"]
    assert default.match("встреча с Токаевым") == ["Токаевым"]
    assert default.match("Кыргызстанский") == ["кыргызстанский"]  # a demonym, all its forms listed
    assert default.match("Астанаев и Бишкекова") == []  # a name inside a longer word
    assert default.match("Объединённые") == []


def test_declension_rules_are_the_language_data() -> None:
    ru = language_rules("ru")
    assert "Центральной Азии" in declined_forms("Центральная Азия", ru)
    assert "Республики Казахстан" in declined_forms("Республика Казахстан", ru)
    assert "Шанхайской организации сотрудничества" in declined_forms(
        "Шанхайская организация сотрудничества", ru
    )
    assert declined_forms("Душанбе", ru) == ("Душанбе",)
    assert declined_forms("Kazakhstan", language_rules("en")) == ("Kazakhstan",)


def test_case_sensitive_acronyms_and_names(kb: KnowledgeBase) -> None:
    sco = RelevanceFilter.from_kb(kb, WatchList(name="sco", actors=["sco"]))
    assert sco.match("the SCO summit") == ["SCO"]
    assert sco.match("a sco of") == [] and sco.match("Sco") == []
    assert sco.relevant("THE SHANGHAI COOPERATION ORGANISATION")  # a name, not an acronym: any case
    turkey = RelevanceFilter.from_kb(kb, WatchList(name="tur", actors=["TUR"]))
    assert turkey.relevant("Turkey and Uzbekistan") and not turkey.relevant("a turkey dinner")
    custom = RelevanceFilter({"en": {"C5": True, "central asia": False}})
    assert custom.match("c5 C5 Central ASIA") == ["C5", "central asia"]


def test_min_hits_counts_occurrences(kb: KnowledgeBase) -> None:
    two = RelevanceFilter.from_kb(kb, min_hits=2)
    assert not two.relevant("A visit to Kazakhstan.")
    assert two.relevant("Kazakhstan and Kazakhstan again.")
    assert two.relevant("Astana, Kazakhstan.")
    with pytest.raises(ValueError):
        RelevanceFilter.from_kb(kb, min_hits=0)


def test_bytes_with_a_bad_encoding(default: RelevanceFilter) -> None:
    assert default.admits(RawInput(id="a", kind="text", data=b"\x80\x81 Kazakhstan \xc3"))
    cp1251 = "Переговоры в Казахстане".encode("cp1251")
    assert default.admits(RawInput(id="b", kind="text", data=cp1251))
    assert default.match(cp1251) == ["Казахстане"]
    assert not default.admits(RawInput(id="c", kind="text", data=bytes(range(128, 256))))
    utf16 = "Visite en Ouzbékistan".encode("utf-16")
    assert default.relevant(RawInput(id="d", kind="text", data=utf16))


def test_empty_inputs(default: RelevanceFilter) -> None:
    relevance = pickle.loads(pickle.dumps(default))
    relevance.stats.seen = relevance.stats.admitted = relevance.stats.skipped = relevance.stats.bytes = 0
    assert relevance.match("") == []
    assert not relevance.admits(RawInput(id="a", kind="text", data=b""))
    assert not relevance.admits(RawInput(id="b", kind="text", text=""))
    assert not relevance.admits(RawInput(id="c", kind="text"))
    assert relevance.stats.as_dict() == {"seen": 3, "admitted": 0, "skipped": 3, "bytes": 0}
    assert not RelevanceFilter({}).relevant("Kazakhstan")


def test_title_and_text_inputs(default: RelevanceFilter) -> None:
    assert default.admits(RawInput(id="t", kind="text", text="Nothing here.", title="Visit to Tashkent"))
    assert default.admits(RawInput(id="u", kind="html", text="<p>Sommet à Douchanbé</p>"))


def test_pickles_as_its_terms_and_rebuilds(default: RelevanceFilter) -> None:
    copy = pickle.loads(pickle.dumps(default))
    assert copy.size == default.size and copy.terms == default.terms
    for path in ARTICLES[:5]:
        assert copy.match(raw_file(path)) == default.match(raw_file(path))
    assert copy.keep(article(JAPAN_ARTICLES[0])) and copy(article(JAPAN_ARTICLES[1]))


# --- the flow --------------------------------------------------------------------------------------------


def test_a_run_of_irrelevant_inputs_reads_nothing(db_url: str, default: RelevanceFilter) -> None:
    engine = connect(db_url)
    try:
        inputs: list[RawInput | ReadError] = [*texts(IRRELEVANT), error("unreadable", "gone", path="x.txt")]
        outcomes: list[tuple[str, str]] = []
        report = run(inputs, engine, keep=default.keep, on_document=lambda key, o: outcomes.append((key, o)))
        assert report.irrelevant == 3 and report.failed == 1 and report.read == 0
        assert report.as_dict()["irrelevant"] == 3
        assert [o for _, o in outcomes] == ["irrelevant", "irrelevant", "irrelevant", "failed"]
        assert [key for key, _, _ in queries.failures(engine)] == ["x.txt"]  # irrelevant is no failure
        again = run(texts(IRRELEVANT), engine, keep=default)
        assert again.irrelevant == 3 and again.unchanged == 0
    finally:
        engine.dispose()


def test_only_admitted_inputs_reach_the_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, default: RelevanceFilter
) -> None:
    reached: list[str] = []

    def fake_read_all(items: Iterable[RawInput | ReadError], workers: int = 1) -> Iterator[ReadError]:
        for item in items:
            assert isinstance(item, RawInput)
            reached.append(item.id)
        yield from ()

    monkeypatch.setattr(flow, "read_all", fake_read_all)
    engine = connect(str(tmp_path / "chronicle.sqlite3"))
    try:
        inputs = [*texts(IRRELEVANT), article("2025-04-04-eu-central-asia-summit.en.txt")]
        report = run(inputs, engine, keep=default)
    finally:
        engine.dispose()
    assert reached == ["2025-04-04-eu-central-asia-summit.en.txt"]
    assert report.irrelevant == 3


def test_cli_run_relevant(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    for i, text in enumerate(IRRELEVANT):
        (folder / f"{i}.txt").write_text(text, encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "storyline.cli",
            "run",
            str(folder),
            "--relevant",
            "--db",
            str(tmp_path / "c.db"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "3 irrelevant document(s) not read" in done.stderr


def test_cli_run_with_a_watch_list(tmp_path: Path) -> None:
    """`storyline run --watch NAME` filters with the watch list's terms: a list on Korea reads nothing of
    an article on the EU–Central Asia summit; an unknown list is a usage error."""
    env = {**os.environ, "COLUMNS": "200", "STORYLINE_CONFIG": str(tmp_path / "none.toml")}
    db = ["--db", str(tmp_path / "c.db")]

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "storyline.cli", *args],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=ROOT,
            env=env,
        )

    assert cli("watch", "add", "korea", "--actor", "KOR", *db).returncode == 0
    article = str(ROOT / "examples" / "articles" / "2025-04-04-eu-central-asia-summit.en.txt")
    done = cli("run", article, "--watch", "korea", *db)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "1 irrelevant document(s) not read" in done.stderr
    missing = cli("run", article, "--watch", "nobody", *db)
    assert missing.returncode == 2 and "no watch list named 'nobody'" in missing.stderr
