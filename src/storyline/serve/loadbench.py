"""A load test of the API over a large synthetic chronicle.

:func:`populate` fills a fresh database with stories, events, their mentions and documents — straight into the
tables with bulk inserts, not through reading and resolution — quickly enough for 100,000 events;
:func:`bench` asks a running server for story pages and filtered event lists from several threads and
reports latency percentiles and throughput. ``python -m storyline.serve.loadbench`` does both, on SQLite,
with the server in a subprocess, and prints the numbers as JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import combinations, islice
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Connection, Engine, insert

from storyline.records import EVENT_TYPES
from storyline.store import connect, queries
from storyline.store import tables as t

COUNTRIES = {
    "JPN": "Japan", "KAZ": "Kazakhstan", "KGZ": "Kyrgyzstan", "TJK": "Tajikistan", "TKM": "Turkmenistan",
    "UZB": "Uzbekistan", "CHN": "China", "RUS": "Russia", "USA": "United States", "FRA": "France",
    "DEU": "Germany", "GBR": "United Kingdom", "ITA": "Italy", "CAN": "Canada", "IND": "India",
    "BRA": "Brazil", "ZAF": "South Africa", "TUR": "Turkey", "IRN": "Iran", "KOR": "South Korea",
    "AZE": "Azerbaijan", "ARM": "Armenia", "GEO": "Georgia", "UKR": "Ukraine", "POL": "Poland",
    "ESP": "Spain", "EGY": "Egypt", "SAU": "Saudi Arabia", "ARE": "United Arab Emirates", "PAK": "Pakistan",
    "AFG": "Afghanistan", "MNG": "Mongolia", "IDN": "Indonesia", "VNM": "Vietnam", "AUS": "Australia",
    "MEX": "Mexico", "ARG": "Argentina", "NGA": "Nigeria", "ETH": "Ethiopia", "QAT": "Qatar",
}  # fmt: skip
FORMATS = {
    "central-asia-plus-japan": ["KAZ", "KGZ", "TJK", "TKM", "UZB", "JPN"],
    "c5-plus-1": ["KAZ", "KGZ", "TJK", "TKM", "UZB", "USA"],
    "central-asia-china": ["KAZ", "KGZ", "TJK", "TKM", "UZB", "CHN"],
    "g7": ["USA", "JPN", "DEU", "FRA", "GBR", "ITA", "CAN"],
    "brics": ["BRA", "RUS", "IND", "CHN", "ZAF"],
    "sco": ["CHN", "RUS", "KAZ", "KGZ", "TJK", "UZB", "IND", "PAK", "IRN"],
    "normandy-format": ["RUS", "UKR", "FRA", "DEU"],
    "weimar-triangle": ["FRA", "DEU", "POL"],
    "astana-format": ["RUS", "TUR", "IRN"],
    "quad": ["USA", "JPN", "IND", "AUS"],
}
CITIES = [
    ("Tokyo", 1850147, "JPN"), ("Astana", 1526273, "KAZ"), ("Tashkent", 1512569, "UZB"),
    ("Beijing", 1816670, "CHN"), ("Moscow", 524901, "RUS"), ("Washington", 4140963, "USA"),
    ("Paris", 2988507, "FRA"), ("Berlin", 2950159, "DEU"), ("New Delhi", 1261481, "IND"),
    ("Bishkek", 1528675, "KGZ"), ("Dushanbe", 1221874, "TJK"), ("Ashgabat", 162183, "TKM"),
]  # fmt: skip
STATUSES = ["occurred"] * 6 + ["planned"] * 2 + ["cancelled", "postponed", "ongoing"]
LANGUAGES = ["en", "en", "fr", "ru"]
FIRST_DAY, DAYS = date(2006, 1, 1), 20 * 365
BATCH = 10_000
SERVER = [
    sys.executable, "-m", "uvicorn", "--factory", "storyline.serve.app:app_from_env",
    "--host", "127.0.0.1", "--log-level", "warning", "--no-access-log",
]  # fmt: skip


@dataclass(frozen=True)
class StoryPlan:
    id: str
    title: str
    format: str | None
    actors: list[str]


def _stories(count: int, rng: random.Random) -> list[StoryPlan]:
    """The formats' stories, then stories of two countries until there are ``count``."""
    plans = [StoryPlan(f, f.replace("-", " ").title(), f, sorted(a)) for f, a in FORMATS.items()]
    pairs = list(combinations(sorted(COUNTRIES), 2))
    rng.shuffle(pairs)
    for a, b in pairs[: max(0, count - len(plans))]:
        plans.append(
            StoryPlan(f"{a.lower()}-{b.lower()}", f"{COUNTRIES[a]} and {COUNTRIES[b]}", None, [a, b])
        )
    return plans


def _day(rng: random.Random) -> date:
    return FIRST_DAY + timedelta(days=rng.randrange(DAYS))


def _chunks(rows: Iterable[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _insert(conn: Connection, table: Any, rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    for chunk in _chunks(rows):
        conn.execute(insert(table), chunk)
        count += len(chunk)
    return count


class _Builder:
    """Rows of a synthetic chronicle: each event is reported by about three documents of its story."""

    def __init__(self, events: int, rng: random.Random) -> None:
        self.rng = rng
        self.plans = _stories(max(len(FORMATS) + 1, events // 100), rng)
        self.events: list[dict[str, Any]] = []
        self.mentions: list[dict[str, Any]] = []
        self.documents: list[dict[str, Any]] = []
        self.doc_entities: list[dict[str, Any]] = []
        self.keys: list[dict[str, Any]] = []
        self.figures: list[dict[str, Any]] = []
        self.checks: list[dict[str, Any]] = []
        self.contradictions: list[dict[str, Any]] = []
        self.now = datetime.now(UTC)
        for n in range(events):
            self._event(n)

    def _event(self, n: int) -> None:
        rng = self.rng
        plan = self.plans[rng.randrange(len(self.plans))]
        participants = plan.actors if plan.format else sorted(plan.actors)
        start = _day(rng)
        end = start + timedelta(days=rng.choice([0, 0, 1, 2]))
        status = rng.choice(STATUSES)
        city = rng.choice(CITIES)
        kind = rng.choice(EVENT_TYPES)
        event_id = hashlib.sha1(f"event-{n}".encode()).hexdigest()[:16]
        reports = rng.choice([1, 2, 3, 3, 3, 4, 5])
        first = start - timedelta(days=rng.randrange(0, 40) if status == "planned" else 0)
        self.events.append(
            {
                "id": event_id,
                "type": kind,
                "format": plan.format,
                "status": status,
                "participants": participants,
                "place_name": city[0],
                "place_country": city[2],
                "place_geonameid": city[1],
                "when_start": start,
                "when_end": end,
                "when_granularity": "day" if start == end else "range",
                "span_start": start,
                "span_end": end,
                "first_reported": first,
                "last_reported": end + timedelta(days=reports),
                "mentions": reports,
                "sources": reports,
                "summary": f"{kind.title()}: {', '.join(participants)} in {city[0]}",
                "story_id": plan.id,
            }
        )
        self.keys.append(
            {"key": f"{kind}|{plan.format or '-'.join(participants)}|{start.year}", "event_id": event_id}
        )
        for k in range(reports):
            self._report(event_id, plan, self.events[-1], k)
        if rng.random() < 0.02:
            self.contradictions.append(
                {
                    "subject": f"event:{event_id}",
                    "event_id": event_id,
                    "story_id": plan.id,
                    "field": "date",
                    "claims": [
                        {"value": start.isoformat(), "documents": [self.documents[-1]["id"]]},
                        {"value": end.isoformat(), "documents": [self.documents[-2]["id"]]},
                    ]
                    if reports > 1
                    else [{"value": start.isoformat(), "documents": [self.documents[-1]["id"]]}],
                    "message": "Sources disagree on the date.",
                }
            )

    def _report(self, event_id: str, plan: StoryPlan, event: dict[str, Any], k: int) -> None:
        rng = self.rng
        doc_id = f"https://news{rng.randrange(50)}.example/{event_id}/{k}"
        reported = event["first_reported"] + timedelta(days=k)
        status = (
            "planned" if k == 0 and event["status"] == "occurred" and rng.random() < 0.3 else event["status"]
        )
        names = " and ".join(COUNTRIES[a] for a in plan.actors[:3])
        title = f"{names}: {event['type'].lower()} in {event['place_name']}"
        text = (
            f"{event['place_name'].upper()} — Leaders of {names} met on {event['when_start']:%d %B %Y}. "
            f"Officials said the talks covered trade, energy and security. Report {k + 1} on {event_id}."
        )
        language = rng.choice(LANGUAGES)
        seq = len(self.documents) + 1
        published = {"date": reported.isoformat(), "source": "input", "raw": None, "confidence": 1.0}
        self.documents.append(
            {
                "id": doc_id,
                "input_hash": hashlib.sha256(doc_id.encode()).hexdigest(),
                "text_hash": hashlib.sha256(text.encode()).hexdigest(),
                "title": title,
                "text": text,
                "language": language,
                "published": reported,
                "url": doc_id,
                "site": doc_id.split("/")[2],
                "source": None,
                "reading": {
                    "id": doc_id,
                    "url": doc_id,
                    "title": title,
                    "site": doc_id.split("/")[2],
                    "authors": [],
                    "language": language,
                    "published": published,
                    "entities": [],
                    "events": [],
                    "figures": [],
                    "checks": [],
                    "times": [],
                    "provenance": None,
                },
                "story_id": plan.id,
                "seq": seq,
                "stored_at": self.now,
            }
        )
        self.doc_entities += [{"document_id": doc_id, "entity_id": a, "mentions": 1} for a in plan.actors]
        self.mentions.append(
            {
                "document_id": doc_id,
                "idx": 0,
                "origin": doc_id,
                "reported": reported,
                "type": event["type"],
                "mode": None,
                "status": status,
                "participants": event["participants"],
                "source_actors": [],
                "target_actors": [],
                "format": event["format"],
                "place_name": event["place_name"],
                "place_country": event["place_country"],
                "place_geonameid": event["place_geonameid"],
                "when_start": event["when_start"],
                "when_end": event["when_end"],
                "when_granularity": event["when_granularity"],
                "when_text": None,
                "reason": None,
                "evidence_start": 0,
                "evidence_end": 60,
                "evidence": text[:60],
                "confidence": 0.8,
                "event_id": event_id,
                "credible": True,
                "change": {0: "announced" if status == "planned" else "took place"}.get(k),
                "note": None,
            }
        )
        if rng.random() < 0.05:
            value = round(rng.uniform(1e6, 5e9), -5)
            self.figures.append(
                {
                    "document_id": doc_id,
                    "idx": 0,
                    "kind": rng.choice(["trade_volume", "investment", "aid", "loan"]),
                    "value": value,
                    "unit": "USD",
                    "period_start": date(reported.year, 1, 1),
                    "period_end": date(reported.year, 12, 31),
                    "period_granularity": "year",
                    "between": plan.actors[:2],
                    "usd": value,
                    "eur": value * 0.92,
                    "converted": {
                        "EUR": {"value": value * 0.92, "rate": 0.92, "rate_date": reported.isoformat()}
                    },
                    "stated_conversion": None,
                    "evidence_start": 0,
                    "evidence_end": 60,
                    "evidence": text[:60],
                }
            )
        if rng.random() < 0.02:
            self.checks.append(
                {
                    "document_id": doc_id,
                    "idx": 0,
                    "kind": "published_date_ambiguous",
                    "severity": "warning",
                    "message": "The date could be read two ways.",
                    "evidence": [],
                }
            )

    def stories(self) -> list[dict[str, Any]]:
        spans: dict[str, list[date]] = defaultdict(list)
        counts: dict[str, int] = defaultdict(int)
        for e in self.events:
            spans[e["story_id"]] += [e["when_start"], e["when_end"]]
        for d in self.documents:
            counts[d["story_id"]] += 1
        return [
            {
                "id": p.id,
                "title": p.title,
                "first_date": min(spans[p.id]),
                "last_date": max(spans[p.id]),
                "events": len(spans[p.id]) // 2,
                "documents": counts[p.id],
                "updated_seq": 0,
            }
            for p in self.plans
            if p.id in spans
        ]


def populate(url: str | Engine, events: int = 100_000, *, seed: int = 10) -> dict[str, int]:
    """Fill an empty database with ``events`` synthetic events (and about three times as many mentions and
    documents); returns how many rows of each kind it holds."""
    engine = url if isinstance(url, Engine) else connect(url)
    rng = random.Random(seed)
    built = _Builder(events, rng)
    entity_rows = [{"id": k, "kind": "country", "name": v, "wikidata": None} for k, v in COUNTRIES.items()]
    entity_rows += [
        {"id": f, "kind": "format", "name": f.replace("-", " "), "wikidata": None} for f in FORMATS
    ]
    with engine.begin() as conn:
        _insert(conn, t.Entity, entity_rows)
        _insert(conn, t.Story, built.stories())
        _insert(conn, t.Event, built.events)
        _insert(conn, t.EventKey, built.keys)
        _insert(
            conn,
            t.EventParticipant,
            [
                {"entity_id": p, "event_id": e["id"]}
                for e in built.events
                for p in sorted(set(e["participants"]))
            ],
        )
        _insert(conn, t.Document, built.documents)
        _insert(conn, t.DocumentEntity, built.doc_entities)
        _insert(conn, t.EventMention, built.mentions)
        _insert(conn, t.Figure, built.figures)
        _insert(conn, t.Check, built.checks)
        _insert(conn, t.Contradiction, built.contradictions)
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    found = queries.counts(engine)
    if not isinstance(url, Engine):
        engine.dispose()
    return found


# -- the bench ------------------------------------------------------------------------------------------


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


def _targets(client: httpx.Client, since: str) -> dict[str, list[str]]:
    """The URLs to ask: story pages of the most active stories, and event lists of their actors."""
    stories = client.get("/api/stories", params={"limit": 50}).raise_for_status().json()["items"]
    story_urls = [f"/api/stories/{s['id']}" for s in stories]
    actors: list[str] = []
    for s in stories[:10]:
        events = client.get("/api/events", params={"story": s["id"], "limit": 1}).raise_for_status().json()
        for e in events["items"]:
            actors += [a for a in e["participants"] if a not in actors]
    event_urls = [f"/api/events?actor={a}&status=occurred&since={since}&limit=50" for a in actors[:10]]
    return {"story": story_urls, "events": event_urls}


def bench(
    base_url: str, seconds: float = 20, concurrency: int = 8, *, since: str = "2016-01-01"
) -> dict[str, Any]:
    """Ask the server at ``base_url`` for story pages and filtered event lists from ``concurrency`` threads
    for ``seconds``; latency percentiles (ms) and requests per second for each kind of request."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        targets = _targets(client, since)
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(k: int) -> None:
        mine: dict[str, list[float]] = defaultdict(list)
        failed: dict[str, int] = defaultdict(int)
        with httpx.Client(base_url=base_url, timeout=60) as client:
            n = k
            while time.perf_counter() < deadline:
                name = ("story", "events")[n % 2]
                urls = targets[name]
                url = urls[(n // 2) % len(urls)]
                began = time.perf_counter()
                response = client.get(url)
                mine[name].append((time.perf_counter() - began) * 1000)
                if response.status_code != 200:
                    failed[name] += 1
                n += 1
        with lock:
            for name, values in mine.items():
                latencies[name] += values
            for name, count in failed.items():
                errors[name] += count

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    out: dict[str, Any] = {"seconds": round(elapsed, 1), "concurrency": concurrency}
    for name, values in sorted(latencies.items()):
        values.sort()
        out[name] = {
            "example": targets[name][0],
            "requests": len(values),
            "errors": errors[name],
            "requests_per_second": round(len(values) / elapsed, 1),
            "p50_ms": round(_percentile(values, 0.50), 1),
            "p95_ms": round(_percentile(values, 0.95), 1),
            "p99_ms": round(_percentile(values, 0.99), 1),
        }
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait(base_url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(base_url + "/api/health", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"no server at {base_url}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--db", help="a SQLite file to fill (default: a temporary one); reused if it exists")
    args = parser.parse_args(argv)
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "loadbench.sqlite3"
    result: dict[str, Any] = {"database": str(path), "events": args.events, "workers": args.workers}
    if not path.exists():
        began = time.perf_counter()
        result["counts"] = populate(str(path), args.events)
        result["populate_seconds"] = round(time.perf_counter() - began, 1)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*SERVER, "--port", str(port), "--workers", str(args.workers)],
        env={**os.environ, "STORYLINE_DB": str(path)},
    )
    try:
        _wait(base_url)
        result["bench"] = bench(base_url, args.seconds, args.concurrency)
    finally:
        server.terminate()
        server.wait(30)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
