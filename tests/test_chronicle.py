"""The chronicle without language models: resolution's pure functions, and the store on SQLite and PostgreSQL
fed with readings made by hand (the end-to-end runs over the example corpus are in test_chronicle_run.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storyline.records import Entity, EventMention, Figure, Interval, Mention, Place, Published, Reading, Span
from storyline.resolve import duplicates
from storyline.resolve.contradictions import event_disagreements
from storyline.resolve.events import Facts, index_keys, probe_keys, score, summarize
from storyline.resolve.status import current_status, history
from storyline.store import connect, integrity_problems, queries
from storyline.store import tables as t
from storyline.store.chronicle import Chronicle

C5 = frozenset({"KAZ", "KGZ", "TJK", "TKM", "UZB"})
SUMMIT = C5 | {"JPN"}
TOKYO, ASTANA = 1850147, 1526273


def facts(
    doc: str,
    status: str,
    start: date | None,
    end: date | None,
    *,
    reported: date,
    city: int | None = TOKYO,
    fmt: str | None = "central-asia-plus-japan",
    participants: frozenset[str] = SUMMIT,
    type_: str = "CONSULT",
    idx: int = 0,
) -> Facts:
    return Facts(
        key=(doc, idx),
        origin=doc,
        reported=reported,
        type=type_,
        status=status,
        participants=participants,
        format=fmt,
        city=str(city) if city else None,
        country="JPN" if city == TOKYO else "KAZ" if city == ASTANA else None,
        start=start,
        end=end,
        granularity="day" if start == end else "range",
        place={TOKYO: "Tokyo", ASTANA: "Astana"}.get(city or 0),
    )


PLANNED_MID_DECEMBER = facts(
    "a", "planned", date(2025, 12, 11), date(2025, 12, 20), reported=date(2025, 10, 28)
)
HELD_19_20 = facts("b", "occurred", date(2025, 12, 19), date(2025, 12, 20), reported=date(2025, 12, 20))
HELD_20 = facts("c", "occurred", date(2025, 12, 20), date(2025, 12, 20), reported=date(2025, 12, 20))
ASTANA_CANCELLED = facts(
    "d", "cancelled", date(2024, 8, 1), date(2024, 8, 31), reported=date(2024, 8, 10), city=ASTANA
)


def test_a_planned_mid_december_and_a_held_19_20_december_summit_are_one_event() -> None:
    event = summarize([HELD_19_20])
    assert score(PLANNED_MID_DECEMBER, event) is not None
    assert set(probe_keys(PLANNED_MID_DECEMBER)) & set(index_keys(HELD_19_20))


def test_the_cancelled_astana_summit_and_the_tokyo_summit_are_two_events() -> None:
    assert score(ASTANA_CANCELLED, summarize([HELD_19_20, PLANNED_MID_DECEMBER])) is None
    assert score(HELD_19_20, summarize([ASTANA_CANCELLED])) is None


def test_types_formats_and_participants_keep_events_apart() -> None:
    event = summarize([HELD_19_20])
    declaration = facts(
        "e", "occurred", date(2025, 12, 20), date(2025, 12, 20), reported=date(2025, 12, 21), type_="AGREE"
    )
    other_format = facts(
        "f", "occurred", date(2025, 12, 20), date(2025, 12, 20), reported=date(2025, 12, 21), fmt="c5-plus-1"
    )
    strangers = facts(
        "g",
        "occurred",
        date(2025, 12, 20),
        date(2025, 12, 20),
        reported=date(2025, 12, 21),
        fmt=None,
        participants=frozenset({"FRA", "DEU"}),
    )
    assert score(declaration, event) is None
    assert score(other_format, event) is None
    assert score(strangers, event) is None
    # a bilateral view of the summit (no format named, two of its participants) joins it
    bilateral = facts(
        "h",
        "occurred",
        date(2025, 12, 19),
        date(2025, 12, 19),
        reported=date(2025, 12, 20),
        fmt=None,
        participants=frozenset({"JPN", "UZB"}),
    )
    assert score(bilateral, event) is not None


def test_an_undated_planned_mention_is_placed_by_its_report() -> None:
    undated = facts("i", "planned", None, None, reported=date(2025, 11, 1))
    assert score(undated, summarize([HELD_19_20])) is not None  # a summit planned after the report: this one
    old = facts("j", "planned", None, None, reported=date(2019, 1, 1))
    assert score(old, summarize([HELD_19_20])) is None  # planned in 2019 for within three years: not this one
    assert set(probe_keys(undated)) & set(index_keys(HELD_19_20))


def test_undated_reports_close_in_time_of_the_same_actors_are_one_event() -> None:
    pair = frozenset({"JPN", "UZB"})
    first = facts(
        "p", "planned", None, None, reported=date(2025, 12, 5), fmt=None, participants=pair, type_="AID"
    )
    second = facts(
        "q", "planned", None, None, reported=date(2025, 12, 20), fmt=None, participants=pair, type_="AID"
    )
    assert score(second, summarize([first])) is not None
    later = facts(
        "r", "planned", None, None, reported=date(2026, 6, 1), fmt=None, participants=pair, type_="AID"
    )
    assert score(later, summarize([first])) is None  # half a year apart, nothing says it is the same aid
    wider = facts(
        "s",
        "planned",
        None,
        None,
        reported=date(2025, 12, 20),
        fmt=None,
        participants=pair | {"KAZ"},
        type_="AID",
    )
    assert score(wider, summarize([first])) is None


def test_status_history_orders_reports_and_weighs_them() -> None:
    planned = facts(
        "k", "planned", date(2024, 8, 9), date(2024, 8, 10), reported=date(2024, 8, 9), city=ASTANA
    )
    cancelled = facts(
        "k", "cancelled", date(2024, 8, 1), date(2024, 8, 31), reported=date(2024, 8, 9), city=ASTANA, idx=1
    )
    also = facts(
        "l", "cancelled", date(2024, 8, 1), date(2024, 8, 31), reported=date(2024, 8, 10), city=ASTANA
    )
    wrong = facts(
        "m", "occurred", date(2024, 8, 1), date(2024, 8, 31), reported=date(2025, 9, 30), city=ASTANA
    )
    reports = history([wrong, also, cancelled, planned])
    assert [(r.facts.status, r.change) for r in reports] == [
        ("planned", "announced with dates"),  # the same document's planned comes before its cancelled
        ("cancelled", "cancelled"),
        ("cancelled", None),
        ("occurred", None),
    ]
    assert [r.credible for r in reports] == [True, True, True, False]
    assert reports[-1].note and "2 independent sources" in reports[-1].note
    assert current_status(reports) == "cancelled"
    (disagreement,) = [d for d in event_disagreements(reports) if d.field == "status"]
    assert [c.value for c in disagreement.claims] == ["cancelled", "occurred"]


def test_a_planned_report_after_the_event_took_place_is_stale() -> None:
    late = facts("n", "planned", date(2025, 12, 19), date(2025, 12, 20), reported=date(2025, 12, 22))
    reports = history([PLANNED_MID_DECEMBER, HELD_19_20, late])
    assert [r.change for r in reports] == ["announced", "took place", None]
    assert not reports[-1].credible and "stale" in (reports[-1].note or "")
    assert current_status(reports) == "occurred"


def test_dates_set_then_held() -> None:
    dates = facts("o", "planned", date(2025, 12, 19), date(2025, 12, 20), reported=date(2025, 12, 5))
    reports = history([HELD_19_20, dates, PLANNED_MID_DECEMBER])
    assert [r.change for r in reports] == ["announced", "dates set", "took place"]


def test_sources_that_disagree_on_the_date_make_a_contradiction_naming_them() -> None:
    reports = history([HELD_19_20, HELD_20])
    (date_claims,) = [d for d in event_disagreements(reports) if d.field == "date"]
    assert [(c.value, c.documents) for c in date_claims.claims] == [
        ("2025-12-19/2025-12-20", ("b",)),
        ("2025-12-20", ("c",)),
    ]
    # the event takes the time that contains the other: 19-20 December
    assert (summarize([HELD_20, HELD_19_20]).start, summarize([HELD_20, HELD_19_20]).end) == (
        date(2025, 12, 19),
        date(2025, 12, 20),
    )
    # one document (or its copies) never contradicts itself
    copy = Facts(**{**HELD_20.__dict__, "origin": "b", "key": ("b-copy", 0)})
    assert not [d for d in event_disagreements(history([HELD_19_20, copy])) if d.field == "date"]


def test_minhash_finds_reprints_and_not_other_articles() -> None:
    text = " ".join(
        f"The leaders of Japan and Central Asia met in Tokyo on day {k} to discuss trade." for k in range(30)
    )
    edited = text.replace("discuss trade", "discuss energy", 2) + " Reporting by a wire service."
    other = " ".join(f"Parliament debated the budget for region {k} late into the night." for k in range(30))
    a, b, c = duplicates.signature(text), duplicates.signature(edited), duplicates.signature(other)
    assert a is not None and b is not None and c is not None
    assert duplicates.similarity(a, b) >= duplicates.THRESHOLD
    assert duplicates.similarity(a, c) < 0.2
    assert set(duplicates.bands(a)) & set(duplicates.bands(b))
    assert duplicates.signature("too short to compare") is None


# -- the store, on both databases ----------------------------------------------------------------------------

BODY = (
    "TOKYO — The leaders of Japan and the five Central Asian republics met in Tokyo on 19 and 20 December "
    "for the first summit of the Central Asia plus Japan dialogue. "
)


def reading(
    doc: str,
    published: date,
    events: list[tuple[str, str, date | None, date | None]],
    *,
    text: str | None = None,
    figures: list[tuple[str, float, str]] = (),  # type: ignore[assignment]
) -> Reading:
    """A reading made by hand: each event (type, status, start, end) is a summit of the format in Tokyo."""
    body = text if text is not None else BODY + " ".join(f"Paragraph {k} of {doc}." for k in range(40))
    evidence = Span(start=0, end=40, text=body[:40])
    return Reading(
        id=doc,
        language="en",
        published=Published(date=published, source="input"),
        text=body,
        title=f"Title of {doc}",
        entities=[],
        times=[],
        checks=[],
        figures=[
            Figure(
                kind=kind,
                value=value,
                unit=unit,
                period=Interval(start=date(2024, 1, 1), end=date(2024, 12, 31), granularity="year"),
                between=["JPN", "UZB"],
                evidence=evidence,
            )
            for kind, value, unit in figures
        ],
        events=[
            EventMention(
                type=kind,  # type: ignore[arg-type]
                status=status,  # type: ignore[arg-type]
                participants=sorted(SUMMIT),
                format="central-asia-plus-japan",
                where=Place(name="Tokyo", geonameid=TOKYO, country="JPN"),
                when=Interval(start=start, end=end, granularity="range") if start and end else None,
                evidence=evidence,
            )
            for kind, status, start, end in events
        ],
    )


def count(engine, table) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(table)).scalar_one())


def test_the_store_resolves_reports_across_documents(db_url: str) -> None:
    engine = connect(db_url)
    chronicle = Chronicle(engine)
    chronicle.add(
        reading(
            "fr-announce",
            date(2025, 10, 28),
            [("CONSULT", "planned", date(2025, 12, 11), date(2025, 12, 20))],
        ),
        "h1",
    )
    chronicle.add(
        reading(
            "en-held",
            date(2025, 12, 20),
            [
                ("CONSULT", "occurred", date(2025, 12, 19), date(2025, 12, 20)),
                ("AGREE", "occurred", date(2025, 12, 20), date(2025, 12, 20)),
            ],
            figures=[("trade_volume", 326.8e6, "USD")],
        ),
        "h2",
    )
    chronicle.add(
        reading(
            "ru-held",
            date(2025, 12, 20),
            [("CONSULT", "occurred", date(2025, 12, 20), date(2025, 12, 20))],
            figures=[("trade_volume", 290e6, "USD")],
        ),
        "h3",
    )
    assert integrity_problems(engine) == []
    (story,) = queries.stories(engine)
    assert story.id == "central-asia-plus-japan" and story.documents == ["fr-announce", "en-held", "ru-held"]
    meeting, declaration = story.events
    assert (meeting.type, meeting.status, meeting.sources) == ("CONSULT", "occurred", 3)
    assert [(r.document, r.status, r.change) for r in meeting.history] == [
        ("fr-announce", "planned", "announced"),
        ("en-held", "occurred", "took place"),
        ("ru-held", "occurred", None),
    ]
    assert meeting.when is not None and (meeting.when.start, meeting.when.end) == (
        date(2025, 12, 19),
        date(2025, 12, 20),
    )
    assert [c.field for c in meeting.contradictions] == ["date"]
    assert declaration.type == "AGREE" and declaration.sources == 1
    # the two documents disagree on the year's trade between Japan and Uzbekistan
    (figure,) = [c for c in story.contradictions if c.subject.startswith("figure:")]
    assert figure.field == "value" and {d for c in figure.claims for d in c.documents} == {
        "en-held",
        "ru-held",
    }
    # filters and full text
    assert [e.type for e in queries.events(engine, queries.EventFilter(type="agree"))] == ["AGREE"]
    assert len(queries.events(engine, queries.EventFilter(actor="UZB"))) == 2
    assert queries.events(engine, queries.EventFilter(actor="FRA")) == []
    assert queries.events(engine, queries.EventFilter(since=date(2026, 1, 1))) == []
    assert len(queries.events(engine, queries.EventFilter(until=date(2025, 12, 19), status="occurred"))) == 1
    hits = queries.search(engine, "Paragraph ru-held")
    assert hits and hits[0].document == "ru-held"
    assert queries.search(engine, "nowhere-to-be-found") == []
    engine.dispose()


def test_storing_is_idempotent_and_copies_count_once(db_url: str) -> None:
    engine = connect(db_url)
    chronicle = Chronicle(engine)
    original = reading(
        "wire", date(2025, 12, 20), [("CONSULT", "occurred", date(2025, 12, 19), date(2025, 12, 20))]
    )
    chronicle.add(original, "h-wire")
    assert chronicle.add(original, "h-wire").skipped  # the same input again: nothing happens
    assert chronicle.known("wire", "h-wire") and not chronicle.known("wire", "other")
    # the same text under another id (another outlet's page): an exact copy
    same = chronicle.add(original.model_copy(update={"id": "reprint"}), "h-reprint")
    assert (same.duplicate_of, same.duplicate_kind) == ("wire", "exact")
    # a lightly edited reprint: a near duplicate
    edited = original.model_copy(
        update={"id": "edited", "text": original.text.replace("Paragraph 3 ", "Section 3 ", 1) + " Updated."}
    )
    near = chronicle.add(edited, "h-edited")
    assert (near.duplicate_of, near.duplicate_kind) == ("wire", "near")
    (event,) = queries.events(engine)
    assert (event.mentions, event.sources) == (3, 1)  # three reports, one independent source
    assert [r.copy_of for r in event.history] == [None, "wire", "wire"]
    # byte-identical input under another id is linked without reading
    assert chronicle.copy_source("mirror", "h-wire") == "wire"
    chronicle.add_copy("mirror", "h-wire", "wire")
    assert integrity_problems(engine) == []
    before = {
        name: count(engine, table)
        for name, table in (("docs", t.Document), ("events", t.Event), ("keys", t.EventKey))
    }
    chronicle.add(original, "h-wire")
    assert before == {
        name: count(engine, table)
        for name, table in (("docs", t.Document), ("events", t.Event), ("keys", t.EventKey))
    }
    engine.dispose()


def test_a_changed_document_replaces_its_old_reading(db_url: str) -> None:
    engine = connect(db_url)
    chronicle = Chronicle(engine)
    chronicle.add(
        reading("a", date(2025, 10, 28), [("CONSULT", "planned", date(2025, 12, 11), date(2025, 12, 20))]),
        "v1",
    )
    chronicle.add(
        reading(
            "b",
            date(2025, 12, 20),
            [("CONSULT", "occurred", date(2025, 12, 19), date(2025, 12, 20))],
            text=BODY + " Other words " * 30,
        ),
        "v1",
    )
    # "a" is corrected: it now speaks of a cancelled 2024 summit only
    changed = reading(
        "a",
        date(2025, 10, 28),
        [("CONSULT", "cancelled", date(2024, 8, 1), date(2024, 8, 31))],
        text=BODY + " A correction " * 30,
    )
    assert chronicle.add(changed, "v2").replaced
    events = queries.events(engine)
    assert sorted((e.status, e.mentions) for e in events) == [("cancelled", 1), ("occurred", 1)]
    assert integrity_problems(engine) == []
    (story,) = queries.stories(engine)
    assert (story.first, story.last) == (date(2024, 8, 1), date(2025, 12, 20))
    # the last report of the 2024 summit is corrected away: its event goes, and its story's dates follow
    chronicle.add(reading("a", date(2025, 10, 28), [], text=BODY + " Nothing to report " * 30), "v3")
    (story,) = queries.stories(engine)
    assert (story.first, story.last, len(story.events)) == (date(2025, 12, 19), date(2025, 12, 20), 1)
    assert integrity_problems(engine) == []
    engine.dispose()


def test_failures_are_recorded_once_with_their_reason(db_url: str) -> None:
    from storyline.records import ErrorInfo, ReadError

    engine = connect(db_url)
    chronicle = Chronicle(engine)
    failure = ReadError(
        id="broken.html", path="x/broken.html", error=ErrorInfo(kind="encoding", message="cannot decode")
    )
    chronicle.add_failure(failure, "h")
    chronicle.add_failure(failure, "h")
    assert queries.failures(engine) == [("broken.html", "encoding", "cannot decode")]
    assert chronicle.known("broken.html", "h")
    engine.dispose()


def test_migrations_and_tables_agree(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = connect(str(tmp_path / "m.sqlite3"))
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), t.Base.metadata)
    assert [d for d in diff if "documents_fts" not in str(d)] == []
    engine.dispose()


def _naming(doc: str, published: date, formats: dict[str, int], fmt: str | None) -> Reading:
    """A document naming formats (format id → times named), with one summit of ``fmt`` (None: no event)."""
    base = reading(doc, published, [("CONSULT", "occurred", published, published)] if fmt else [])
    span = Mention(start=0, end=5, text=base.text[:5])
    entities = [
        Entity(id=key, kind="format", name=key, mentions=[span] * times) for key, times in formats.items()
    ]
    events = [e.model_copy(update={"format": fmt}) for e in base.events]
    return base.model_copy(update={"entities": entities, "events": events})


def test_a_documents_story_does_not_depend_on_the_order_documents_arrive_in(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A document with no event of its own belongs to the format it names most that has a story: when that
    format's story appears after it, it moves there (as if it had come last)."""
    docs = {
        "g": _naming("g", date(2025, 3, 1), {"format-g": 1}, "format-g"),
        "both": _naming("both", date(2025, 4, 1), {"format-f": 2, "format-g": 1}, None),
        "f": _naming("f", date(2025, 5, 1), {"format-f": 1}, "format-f"),
    }
    for order in (("g", "f", "both"), ("g", "both", "f")):
        engine = connect(str(tmp_path / f"{'-'.join(order)}.sqlite3"))
        chronicle = Chronicle(engine)
        for key in order:
            chronicle.add(docs[key], f"digest-{key}")
        stories = {s.id: sorted(s.documents) for s in queries.stories(engine)}
        assert stories == {"format-f": ["both", "f"], "format-g": ["g"]}, order
        assert integrity_problems(engine) == []
        engine.dispose()
