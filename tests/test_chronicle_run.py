"""``storyline run`` end to end over the example corpus, with the real models, on SQLite and PostgreSQL:
the Japan–Central Asia story, idempotency, a run killed with SIGKILL and finished, the query commands and
the exports, and the chronicle's quality floors."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storyline.evaluate.chronicle import load_golds, predictions, score_chronicle
from storyline.store import connect, integrity_problems, queries
from storyline.store import tables as t

from conftest import EXAMPLES, ROOT, copy_chronicle, drop_postgres, dump, fresh_postgres

pytestmark = pytest.mark.slow
STORYLINE = [sys.executable, "-m", "storyline.cli"]
ARTICLES = str(EXAMPLES / "articles")
BASELINE = json.loads((ROOT / "tests" / "quality_baseline.json").read_text(encoding="utf-8"))


def storyline(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*STORYLINE, *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200"},
    )
    if check and done.returncode != 0:
        raise AssertionError(f"storyline {' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return done


@pytest.fixture(scope="module")
def corpus_db(example_chronicle: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    return copy_chronicle(example_chronicle, tmp_path_factory.mktemp("chronicle"))


def test_the_japan_central_asia_story_in_order(corpus_db: str) -> None:
    engine = connect(corpus_db)
    story = queries.story(engine, "central-asia-plus-japan")
    assert story is not None and len(story.documents) >= 10
    held = [e for e in story.events if e.type == "CONSULT" and e.when is not None]
    firsts = [(e.when.start.isoformat()[:7], e.status) for e in held]  # type: ignore[union-attr]
    # the format's first meeting (2004), the August 2024 summit called off, the December 2025 summit held
    assert (
        ("2004-08", "occurred") in firsts
        and ("2024-08", "cancelled") in firsts
        and ("2025-12", "occurred") in firsts
    )
    assert (
        firsts.index(("2004-08", "occurred"))
        < firsts.index(("2024-08", "cancelled"))
        < firsts.index(("2025-12", "occurred"))
    )
    astana = next(e for e in held if e.status == "cancelled")
    changes = [r.change for r in astana.history if r.change]
    assert changes[:2] == ["announced with dates", "cancelled"] or changes[:1] == ["cancelled"]
    assert astana.where is not None and astana.where.name == "Astana"
    tokyo = next(e for e in held if e.when.start.year == 2025 and e.when.start.month == 12)  # type: ignore[union-attr]
    assert tokyo.where is not None and tokyo.where.name == "Tokyo"
    # announced in October ("mid-December"), dates set on 5 December (19 and 20 December), opened on the
    # 19th (the French article of that day), over on the 20th
    assert [r.change for r in tokyo.history if r.change] == [
        "announced",
        "dates set",
        "under way",
        "concluded",
    ]
    assert {r.language for r in tokyo.history} >= {"fr", "ru", "en"}
    # the 19-20 vs 20 December disagreement, with the sources of each value
    (dates,) = [c for c in tokyo.contradictions if c.field == "date"]
    assert {c.value for c in dates.claims} == {"2025-12-19/2025-12-20", "2025-12-20"}
    declaration = [e for e in story.events if e.type == "AGREE" and e.status == "occurred"]
    assert declaration and declaration[0].when is not None and declaration[0].when.start.year == 2025
    assert story.title.startswith("Central Asia plus Japan")
    assert integrity_problems(engine) == []
    engine.dispose()


def test_show_prints_the_timeline_with_sources(corpus_db: str) -> None:
    out = storyline("show", "central-asia-plus-japan", "--db", corpus_db).stdout.split("\n", 1)[
        1
    ]  # past the title
    assert (
        out.index("(format founded)")
        < out.index("CANCELLED")
        < out.index("meeting held in Tokyo, 19–20 December 2025")
    )
    assert "2024-08-10-sommet-astana-annule.fr.txt" in out and "contradiction (date)" in out
    missing = storyline("show", "no-such-story", "--db", corpus_db, check=False)
    assert missing.returncode == 1 and "no story" in missing.stderr


def test_stories_jsonl_holds_ids_documents_histories_and_contradictions(corpus_db: str) -> None:
    lines = storyline("stories", "--db", corpus_db, "--format", "jsonl").stdout.splitlines()
    stories = [json.loads(line) for line in lines]
    assert len(stories) >= 6
    for story in stories:
        assert {"id", "title", "documents", "events", "contradictions"} <= set(story)
        assert all(e["history"] for e in story["events"])
    by_id = {s["id"]: s for s in stories}
    assert "2025-12-20-sammit-tokio.ru.html" in by_id["central-asia-plus-japan"]["documents"]
    assert "2023-05-19-xian-summit-held.en.txt" in by_id["china-central-asia"]["documents"]
    table = storyline("stories", "--db", corpus_db).stdout
    assert "central-asia-plus-japan" in table


def test_events_filters_and_search(corpus_db: str) -> None:
    out = storyline(
        "events", "--db", corpus_db, "--actor", "JPN", "--status", "cancelled", "-f", "jsonl"
    ).stdout
    cancelled = [json.loads(line) for line in out.splitlines()]
    assert cancelled and all(e["status"] == "cancelled" and "JPN" in e["participants"] for e in cancelled)
    out = storyline(
        "events",
        "--db",
        corpus_db,
        "--type",
        "CONSULT",
        "--since",
        "2025-01-01",
        "--until",
        "2025-12-31",
        "-f",
        "jsonl",
    ).stdout
    dated = [json.loads(line) for line in out.splitlines()]
    assert dated and all(
        e["when"]["start"] <= "2025-12-31" and e["when"]["end"] >= "2025-01-01" for e in dated
    )
    bad = storyline("events", "--db", corpus_db, "--since", "yesterday", check=False)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr
    found = storyline("search", "Samarcande", "--db", corpus_db).stdout
    assert "2025-04-01-sommet-samarcande-annonce.fr.html" in found
    assert storyline("search", "Токийской", "--db", corpus_db).stdout.count("sammit-tokio") == 1
    assert storyline("search", "zzzqqq", "--db", corpus_db, check=False).returncode == 1


def test_exports(corpus_db: str, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    rows = list(csv.DictReader(io.StringIO(storyline("export", "csv", "--db", corpus_db).stdout)))
    assert rows and {"id", "type", "status", "participants", "start", "sources"} <= set(rows[0])
    parquet = tmp_path / "events.parquet"
    storyline("export", "parquet", "--db", corpus_db, "-o", str(parquet))
    table = pq.read_table(parquet)
    assert table.num_rows == len(rows) and str(table.schema.field("start").type) == "date32[day]"
    records = json.loads(storyline("export", "plover", "--db", corpus_db).stdout)
    assert records and all({"id", "date", "event", "source", "text"} <= set(r) for r in records)
    planned_meetings = [r for r in records if r["storylineStatus"] == "planned" and r["event"] == "AGREE"]
    assert planned_meetings and all(r.get("mode") == "meet" for r in planned_meetings if r.get("mode"))
    assert not [r for r in records if r["storylineStatus"] in ("cancelled", "hypothetical", "negated")]
    events = storyline("export", "jsonl", "--what", "events", "--db", corpus_db).stdout.splitlines()
    assert len(events) == len(rows)
    assert storyline("export", "xml", "--db", corpus_db, check=False).returncode == 2


def test_running_again_changes_nothing(corpus_db: str) -> None:
    before = dump(corpus_db)
    done = storyline("run", ARTICLES, "--db", corpus_db, "--workers", "2")
    assert "31 unchanged" in done.stderr and "read 0 document" in done.stderr
    assert dump(corpus_db) == before


def _documents(url: str) -> int:
    engine = connect(url)
    try:
        with Session(engine) as session:
            return int(session.execute(select(func.count()).select_from(t.Document)).scalar_one())
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_run_killed_halfway_finishes_with_the_same_result(
    kind: str, corpus_db: str, tmp_path: Path
) -> None:
    url = str(tmp_path / "killed.sqlite3") if kind == "sqlite" else fresh_postgres()
    try:
        connect(url).dispose()  # the schema exists before the run starts, so the count can be polled
        process = subprocess.Popen(
            [*STORYLINE, "run", ARTICLES, "--db", url, "--workers", "2"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 300
        while _documents(url) < 8 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert process.poll() is None, "the run ended before it could be killed"
        os.killpg(process.pid, signal.SIGKILL)  # the run and its worker processes, mid-flight
        process.wait(timeout=30)
        stored = _documents(url)
        assert 8 <= stored < 31
        engine = connect(url)
        assert integrity_problems(engine) == []  # whole after the kill: no half-stored document
        engine.dispose()
        storyline("run", ARTICLES, "--db", url, "--workers", "2")
        engine = connect(url)
        assert integrity_problems(engine) == []
        engine.dispose()
        assert _documents(url) == 31
        assert dump(url) == dump(corpus_db)  # the same chronicle as an uninterrupted run (on SQLite)
    finally:
        if kind == "postgresql":
            drop_postgres(url)


def test_chronicle_quality_floors(corpus_db: str) -> None:
    golds = load_golds([EXAMPLES / "gold"])
    engine = connect(corpus_db)
    scores = score_chronicle(golds, predictions(engine)).as_dict()
    engine.dispose()
    floors: dict[str, Any] = BASELINE["chronicle"]
    assert scores["stories"]["f1"] >= floors["stories_bcubed_f1"], scores
    assert scores["events"]["f1"] >= floors["events_bcubed_f1"], scores
    assert scores["shared events"]["f1"] >= floors["shared_events_bcubed_f1"], scores
