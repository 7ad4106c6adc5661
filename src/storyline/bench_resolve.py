"""How event resolution's cost grows with the corpus: a synthetic news corpus fed through the chronicle.

``synthetic_readings(n)`` makes a deterministic corpus of about ``n`` event mentions that looks like news about
recurring diplomatic formats: real events (a meeting, an agreement, aid, cooperation) of a format or of two
countries, each reported by one to eight documents at the status the report's date gives (planned before,
held after), some with only a month or no time at all, about four event mentions per document, and a few
near-copies of earlier documents for the MinHash de-duplication to find.

``run_resolution_bench(sizes)`` stores each size of that corpus in a fresh database with
:meth:`storyline.store.chronicle.Chronicle.add` and reports the time per mention, the candidate events each
mention was compared with, and how the time per mention grows with the corpus. Speed is measured here, never
asserted in tests.

    python -m storyline.bench_resolve --sizes 1000 10000 --db postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import calendar
import hashlib
import json
import random
import resource
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from storyline.records import EventMention, Interval, Place, Published, Reading, Span

FORMATS = 30
COUNTRIES = 60
CITIES_PER_COUNTRY = 2
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2025, 12, 31)
TYPES = ("CONSULT", "AGREE", "AID", "COOPERATE")
MEAN_REPORTS = 4.5  # reports per real event: uniform over 1..8
NEAR_COPY_SHARE = 0.03

_CONSONANTS = "BCDFGHJKLMNPRSTVZ"
_VOWELS = "AEIOU"
_TOPICS = (
    "energy",
    "transport corridors",
    "water management",
    "digital trade",
    "critical minerals",
    "border security",
    "climate finance",
    "education",
    "public health",
    "agriculture",
    "logistics",
    "tourism",
    "investment",
    "customs procedures",
    "regional stability",
    "nuclear safety",
    "cultural exchange",
    "migration",
    "food security",
    "connectivity",
)
_FILLERS = (
    "Officials said the talks would cover {a} and {b}, and that further meetings were likely.",
    "Analysts in {city} noted that {a} had become a priority for the region after years of delay.",
    "The ministry of {country} said in a statement that cooperation on {a} was progressing.",
    "Diplomats described the atmosphere as constructive, with {a} and {b} high on the agenda.",
    "Observers expect new commitments on {a}, although details on {b} remain scarce.",
    "According to a spokesperson, delegations also discussed {a} on the sidelines.",
    "Local media in {city} reported heavy security around the venue and traffic restrictions.",
    "Business groups welcomed the emphasis on {a} and called for progress on {b}.",
)
_SWAPS = {
    "talks": "discussions",
    "said": "stated",
    "priority": "focus",
    "constructive": "positive",
    "expect": "anticipate",
    "also": "additionally",
    "reported": "noted",
    "welcomed": "praised",
    "likely": "probable",
    "region": "area",
}
_NOUN = {
    "CONSULT": "summit",
    "AGREE": "agreement",
    "AID": "aid package",
    "COOPERATE": "cooperation programme",
}


@dataclass(frozen=True)
class _World:
    countries: list[str]
    names: dict[str, str]
    cities: dict[str, list[tuple[str, int]]]  # country -> [(city name, geonameid)]
    formats: dict[str, list[str]]  # format id -> member countries
    format_names: dict[str, str]


@dataclass
class _Event:
    number: int
    type: str
    format: str | None
    participants: list[str]
    start: date
    end: date
    city: tuple[str, int]
    country: str
    quota: int


@dataclass
class _Doc:
    published: date
    events: list[_Event] = field(default_factory=list)
    copy_of: int | None = None  # index of the document this one nearly repeats


def _world(rng: random.Random) -> _World:
    codes: set[str] = set()
    while len(codes) < COUNTRIES:
        codes.add(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) + rng.choice(_CONSONANTS))
    countries = sorted(codes)
    names = {c: c.capitalize() + rng.choice(("ia", "istan", "land", "ora", "ania")) for c in countries}
    cities: dict[str, list[tuple[str, int]]] = {}
    for k, c in enumerate(countries):
        cities[c] = [
            (
                names[c][:3] + rng.choice(("grad", "abad", "ville", "port", "kent", "ton")),
                9_000_000 + 10 * k + j,
            )
            for j in range(CITIES_PER_COUNTRY)
        ]
    formats: dict[str, list[str]] = {}
    format_names: dict[str, str] = {}
    for k in range(FORMATS):
        fid = f"format-{k:02d}"
        formats[fid] = sorted(rng.sample(countries, rng.randint(3, 6)))
        format_names[fid] = f"{rng.choice(('Forum', 'Dialogue', 'Council', 'Partnership'))} {k + 1}"
    return _World(countries, names, cities, formats, format_names)


def _plan(mentions: int, rng: random.Random, world: _World) -> tuple[list[_Doc], int]:
    """Documents in publication order, each with the real events it reports; and the planted event count."""
    count = max(1, round(mentions / MEAN_REPORTS))
    days = (LAST_DAY - FIRST_DAY).days
    events: list[_Event] = []
    for number in range(count):
        start = FIRST_DAY + timedelta(days=rng.randrange(days))
        end = start + timedelta(days=1) if rng.random() < 0.3 else start
        if rng.random() < 0.6:
            chosen = rng.choice(sorted(world.formats))
            fmt: str | None = chosen
            participants = world.formats[chosen]
        else:
            fmt, participants = None, sorted(rng.sample(world.countries, 2))
        host = rng.choice(participants)
        events.append(
            _Event(
                number=number,
                type=rng.choice(TYPES),
                format=fmt,
                participants=participants,
                start=start,
                end=end,
                city=rng.choice(world.cities[host]),
                country=host,
                quota=rng.randint(1, 8),
            )
        )
    # every report of every event, by the date it is published (around the event), grouped into articles
    reports = []
    for event in events:
        for _ in range(event.quota):
            reports.append((event.start + timedelta(days=rng.randint(-90, 45)), event.number, event))
    reports.sort(key=lambda r: (r[0], r[1]))
    docs: list[_Doc] = []
    planted: set[int] = set()
    used = 0
    pending: deque[tuple[date, int, _Event]] = deque()  # reports pushed to the next article
    position = 0
    while used < mentions:
        wanted = min(rng.choice((2, 3, 4, 4, 5, 6)), mentions - used)
        chunk: list[_Event] = []
        dates: list[date] = []
        held: list[tuple[date, int, _Event]] = []
        while len(chunk) < wanted:
            if pending:
                report = pending.popleft()
            elif position < len(reports):
                report, position = reports[position], position + 1
            else:
                break
            if any(e.number == report[1] for e in chunk):
                held.append(report)  # an article names an event once
            else:
                chunk.append(report[2])
                dates.append(report[0])
        pending.extendleft(reversed(held))
        if not chunk:
            break
        published = sorted(dates)[len(dates) // 2]
        docs.append(_Doc(published=published, events=chunk))
        planted.update(e.number for e in chunk)
        used += len(chunk)
        if used < mentions and rng.random() < NEAR_COPY_SHARE:
            source = rng.randrange(max(0, len(docs) - 20), len(docs))
            original = docs[source]
            take = original.events[: mentions - used]
            docs.append(_Doc(published=original.published + timedelta(days=1), events=take, copy_of=source))
            used += len(take)
    order = sorted(range(len(docs)), key=lambda k: (docs[k].published, k))
    moved_to = {old: new for new, old in enumerate(order)}
    ordered = []
    for k in order:
        doc = docs[k]
        if doc.copy_of is not None:
            doc.copy_of = moved_to[doc.copy_of]
        ordered.append(doc)
    return ordered, len(planted)


def _when_words(start: date, end: date, granularity: str) -> str:
    month = calendar.month_name[start.month]
    if granularity == "month":
        return f"{month} {start.year}"
    if start == end:
        return f"{start.day} {month} {start.year}"
    if start.month == end.month:
        return f"{start.day}–{end.day} {month} {start.year}"
    return f"{start.day} {month} – {end.day} {calendar.month_name[end.month]} {end.year}"


def _who(event: _Event, world: _World) -> str:
    if event.format:
        return f"the {world.format_names[event.format]}"
    a, b = event.participants
    return f"{world.names[a]} and {world.names[b]}"


def _sentence(
    event: _Event, status: str, when: str | None, place: bool, world: _World, rng: random.Random
) -> str:
    who = _who(event, world)
    who = who[0].upper() + who[1:]
    noun = _NOUN[event.type]
    article = "an" if noun[0] in "aeiou" else "a"
    where = f" in {event.city[0]}" if place else ""
    at = f" on {when}" if when and when[0].isdigit() else (f" in {when}" if when else "")
    topic = rng.choice(_TOPICS)
    if status == "planned":
        be = "is" if event.format else "are"
        lead = rng.choice((f"{be} expected to hold", "will hold", f"{be} preparing", "plan to hold"))
        if event.format and lead == "plan to hold":
            lead = "plans to hold"
        return f"{who} {lead} {article} {noun} on {topic}{where}{at}."
    lead = rng.choice(("held", "concluded", "completed", "wrapped up"))
    tail = "" if when else rng.choice((" last month", " recently", " earlier this year"))
    return f"{who} {lead} {article} {noun} on {topic}{where}{at}{tail}."


def _mention(event: _Event, published: date, world: _World, rng: random.Random) -> tuple[str, dict[str, Any]]:
    """A sentence about one event as a document of that date reports it, and the mention's fields."""
    status = "planned" if published < event.start else "occurred"
    roll = rng.random()
    if status == "planned":
        precision = "day" if roll < 0.5 else ("month" if roll < 0.8 else "none")
    else:
        precision = "day" if roll < 0.75 else ("month" if roll < 0.85 else "none")
    interval: Interval | None = None
    when: str | None = None
    if precision == "month":
        first = event.start.replace(day=1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        when = _when_words(first, last, "month")
        interval = Interval(start=first, end=last, granularity="month", text=when)
    elif precision == "day":
        granularity = "day" if event.start == event.end else "range"
        when = _when_words(event.start, event.end, granularity)
        interval = Interval(start=event.start, end=event.end, granularity=granularity, text=when)  # type: ignore[arg-type]
    place = rng.random() < 0.9
    sentence = _sentence(event, status, when, place, world, rng)
    fields: dict[str, Any] = {
        "type": event.type,
        "status": status,
        "participants": list(event.participants),
        "format": event.format,
        "where": Place(name=event.city[0], geonameid=event.city[1], country=event.country) if place else None,
        "when": interval,
        "confidence": 0.8,
    }
    return sentence, fields


def _filler(doc_events: Sequence[_Event], world: _World, rng: random.Random) -> str:
    event = rng.choice(doc_events)
    a, b = rng.sample(_TOPICS, 2)
    template = rng.choice(_FILLERS)
    return template.format(a=a, b=b, city=event.city[0], country=world.names[event.country])


def _assemble(doc_id: str, published: date, pieces: list[tuple[str, dict[str, Any] | None]]) -> Reading:
    """A reading from its sentences in order; a sentence with fields is the evidence of an event mention."""
    parts: list[str] = []
    offset = 0
    events: list[EventMention] = []
    for sentence, fields in pieces:
        if parts:
            parts.append(" ")
            offset += 1
        if fields is not None:
            evidence = Span(start=offset, end=offset + len(sentence), text=sentence)
            events.append(EventMention(**fields, evidence=evidence))
        parts.append(sentence)
        offset += len(sentence)
    body = "".join(parts)
    return Reading(
        id=doc_id,
        title=pieces[0][0][:80],
        language="en",
        published=Published(date=published, source="input"),
        text=body,
        entities=[],
        events=events,
        figures=[],
        checks=[],
        times=[],
    )


def _near_copy(
    pieces: list[tuple[str, dict[str, Any] | None]], rng: random.Random
) -> list[tuple[str, dict[str, Any] | None]]:
    """The same article lightly edited: a few words of its background sentences changed."""
    out = []
    changes = 0
    for sentence, fields in pieces:
        if fields is None and changes < 2:
            words = sentence.split(" ")
            for k, word in enumerate(words):
                if word in _SWAPS and changes < 2:
                    words[k] = _SWAPS[word]
                    changes += 1
            sentence = " ".join(words)
        out.append((sentence, fields))
    if changes == 0:
        out.append(("Additional reporting by wire services.", None))
    return out


def synthetic_readings(mentions: int, seed: int = 0) -> Iterator[Reading]:
    """About ``mentions`` event mentions (exactly that many unless the planted events run out), in
    documents in publication order; the same seed gives the same corpus."""
    rng = random.Random(seed)
    world = _world(rng)
    docs, _ = _plan(mentions, rng, world)
    made: list[list[tuple[str, dict[str, Any] | None]]] = []
    for k, doc in enumerate(docs):
        if doc.copy_of is not None and doc.copy_of < k:
            original = made[doc.copy_of]
            keep = len(doc.events)
            kept: list[tuple[str, dict[str, Any] | None]] = []
            for sentence, fields in original:
                if fields is not None:
                    if keep == 0:
                        continue
                    keep -= 1
                kept.append((sentence, fields))
            pieces = _near_copy(kept, rng)
        else:
            pieces = []
            for event in doc.events:
                sentence, fields = _mention(event, doc.published, world, rng)
                pieces.append((sentence, fields))
                pieces.append((_filler(doc.events, world, rng), None))
            if len(pieces) < 6:
                pieces.append((_filler(doc.events, world, rng), None))
                pieces.append((_filler(doc.events, world, rng), None))
        made.append(pieces)
        yield _assemble(f"synthetic-{seed}-{k:06d}", doc.published, pieces)


def planted_events(mentions: int, seed: int = 0) -> int:
    """How many real events the corpus of :func:`synthetic_readings` reports."""
    rng = random.Random(seed)
    world = _world(rng)
    return _plan(mentions, rng, world)[1]


# -- the benchmark ----------------------------------------------------------------------------------------


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@contextmanager
def _counting_scores() -> Iterator[list[int]]:
    """Count calls of the resolver's ``score`` (one per candidate event compared) while inside."""
    from storyline.resolve import events as resolver

    counter = [0]
    original: Callable[..., Any] = resolver.score

    def counted(*args: Any, **kwargs: Any) -> Any:
        counter[0] += 1
        return original(*args, **kwargs)

    resolver.score = counted
    try:
        yield counter
    finally:
        resolver.score = original


@contextmanager
def fresh_database(url: str | None, size: int | str, workdir: Path) -> Iterator[str]:
    """A new, empty database for one size: a SQLite file, or a PostgreSQL database dropped afterwards."""
    if url is None or "://" not in url:
        base = Path(url).parent if url else workdir
        path = base / f"storyline-bench-{size}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        try:
            yield str(path)
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    from storyline.store import normalise_url

    admin_url = make_url(normalise_url(url))
    name = f"storyline_bench_{size}"
    admin: Engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield admin_url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def digest_of(reading_id: str) -> str:
    """The input digest a synthetic document is stored with."""
    return hashlib.sha256(reading_id.encode("utf-8")).hexdigest()


def bench_one(size: int, url: str | None, workdir: Path, seed: int = 0) -> dict[str, Any]:
    """Store a corpus of ``size`` mentions in a fresh database; its timing and what resolution made."""
    from sqlalchemy import func, select

    from storyline.store import connect
    from storyline.store import tables as t
    from storyline.store.chronicle import Chronicle

    with fresh_database(url, size, workdir) as location:
        engine = connect(location)
        try:
            chronicle = Chronicle(engine)
            documents = mentions = 0
            seconds = cpu = 0.0
            marks: list[tuple[int, float]] = []  # (mentions, seconds) after each document
            with _counting_scores() as compared:
                for reading in synthetic_readings(size, seed):
                    digest = digest_of(reading.id)
                    started, started_cpu = time.perf_counter(), time.process_time()
                    chronicle.add(reading, digest)
                    seconds += time.perf_counter() - started
                    cpu += time.process_time() - started_cpu
                    documents += 1
                    mentions += len(reading.events)
                    marks.append((mentions, seconds))
                candidates = compared[0]
            with engine.connect() as conn:
                events = conn.execute(select(func.count()).select_from(t.Event)).scalar_one()
                near = conn.execute(
                    select(func.count()).select_from(t.Document).where(t.Document.duplicate_kind == "near")
                ).scalar_one()
        finally:
            engine.dispose()
    # the time per mention of the corpus' last tenth, against its first tenth: growth within one run
    tenth = max(1, mentions // 10)
    head_mentions, head_seconds = next(((m, s) for m, s in marks if m >= tenth), (mentions, seconds))
    tail_from, tail_seconds = max(((m, s) for m, s in marks if m <= mentions - tenth), default=(0, 0.0))
    head_us = head_seconds / max(1, head_mentions) * 1e6
    tail_us = (seconds - tail_seconds) / max(1, mentions - tail_from) * 1e6
    return {
        "database": "postgresql" if url and "://" in url else "sqlite",
        "mentions": mentions,
        "documents": documents,
        "near_copies_found": near,
        "planted_events": planted_events(size, seed),
        "events": events,
        "seconds": round(seconds, 2),
        "mentions_per_second": round(mentions / seconds, 1) if seconds else None,
        "us_per_mention": round(seconds / max(1, mentions) * 1e6, 1),
        "cpu_us_per_mention": round(cpu / max(1, mentions) * 1e6, 1),  # this process only, not a server
        "us_per_mention_first_tenth": round(head_us, 1),
        "us_per_mention_last_tenth": round(tail_us, 1),
        "candidates_per_mention": round(candidates / max(1, mentions), 2),
        "peak_mb": _peak_mb(),
    }


def run_resolution_bench(
    sizes: Sequence[int] = (1000, 10000, 100000),
    url: str | None = None,
    workdir: Path | None = None,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """One row per size (see :func:`bench_one`), each from a fresh database, with the growth of the time per
    mention against the smallest size and a verdict on it."""
    own = workdir is None
    base = Path(tempfile.mkdtemp(prefix="storyline-bench-")) if workdir is None else workdir
    base.mkdir(parents=True, exist_ok=True)
    try:
        rows = [bench_one(size, url, base, seed) for size in sorted(sizes)]
    finally:
        if own:
            shutil.rmtree(base, ignore_errors=True)
    # Wall time suffers from whatever else the machine runs; this process' CPU time much less, and with
    # SQLite it holds the database work too. With PostgreSQL the server's work is in wall time only.
    smallest = rows[0]["us_per_mention"] if rows else 0.0
    smallest_cpu = rows[0]["cpu_us_per_mention"] if rows else 0.0
    for row in rows:
        growth = row["us_per_mention"] / smallest if smallest else None
        cpu_growth = row["cpu_us_per_mention"] / smallest_cpu if smallest_cpu else None
        row["growth"] = round(growth, 2) if growth is not None else None
        row["cpu_growth"] = round(cpu_growth, 2) if cpu_growth is not None else None
        within = row["us_per_mention_last_tenth"] / max(1e-9, row["us_per_mention_first_tenth"])
        row["growth_within_run"] = round(within, 2)
        judged = cpu_growth if row["database"] == "sqlite" else growth
        if judged is None or row is rows[0]:
            row["verdict"] = "baseline"
        elif judged <= 1.5:
            row["verdict"] = "near-linear: the time per mention stays near the smallest size's"
        elif judged <= 3:
            row["verdict"] = "mildly super-linear: the time per mention grows with the corpus"
        else:
            row["verdict"] = "super-linear: the time per mention grows with the corpus"
        row["verdict_by"] = "cpu_growth" if row["database"] == "sqlite" else "growth"
    return rows


_COLUMNS = (
    ("mentions", "mentions"),
    ("documents", "docs"),
    ("planted_events", "planted"),
    ("events", "events"),
    ("seconds", "seconds"),
    ("us_per_mention", "µs/mention"),
    ("cpu_us_per_mention", "cpu µs/m"),
    ("us_per_mention_last_tenth", "µs/m last 10%"),
    ("candidates_per_mention", "cand/mention"),
    ("growth", "growth"),
    ("cpu_growth", "cpu growth"),
    ("peak_mb", "peak MB"),
)


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    header = [title for _, title in _COLUMNS]
    body = [[str(row.get(key, "")) for key, _ in _COLUMNS] for row in rows]
    widths = [max(len(h), *(len(r[k]) for r in body)) for k, h in enumerate(header)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in body]
    lines += [f"{row['mentions']}: {row['verdict']}" for row in rows]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--db", default=None, help="a postgresql:// URL, else a fresh SQLite file per size")
    parser.add_argument("--workdir", type=Path, default=None, help="where the SQLite files go")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    rows = run_resolution_bench(args.sizes, url=args.db, workdir=args.workdir, seed=args.seed)
    print(json.dumps(rows, indent=2) if args.json else format_table(rows))


if __name__ == "__main__":
    main()
