"""Exports of the chronicle in the ecosystem's formats: JSONL, CSV, Parquet and PLOVER JSON records.

* **JSONL**: one story per line (the shape of ``storyline stories --format jsonl``), or one event per line.
* **CSV** and **Parquet**: one row per event, flat columns; Parquet keeps dates as dates (pyarrow).
* **PLOVER**: one record per credible report of an event, in PLOVER's own conventions, which differ from
  storyline's: a meeting agreed for the future is an AGREE (storyline: a planned CONSULT), and each report is
  its own record with its document's sentence, date and actors as PLOVER codes them (``source`` and
  ``target`` lists of ``{"actorText", "code"}``). Hypothetical and negated mentions, and reports that a
  meeting was postponed or cancelled, have no PLOVER event and are left out.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from storyline import kb as knowledge
from storyline.records import Event, StatusReport, Story

FORMATS = ("jsonl", "csv", "parquet", "plover")
CSV_COLUMNS = (
    "id",
    "story",
    "type",
    "status",
    "summary",
    "format",
    "participants",
    "place",
    "country",
    "geonameid",
    "start",
    "end",
    "granularity",
    "mentions",
    "sources",
    "first_reported",
    "last_reported",
    "contradictions",
)


def event_row(event: Event) -> dict[str, Any]:
    """One event as a flat row."""
    reported = [r.reported for r in event.history if r.reported]
    return {
        "id": event.id,
        "story": event.story,
        "type": event.type,
        "status": event.status,
        "summary": event.summary,
        "format": event.format,
        "participants": ";".join(event.participants),
        "place": event.where.name if event.where else None,
        "country": event.where.country if event.where else None,
        "geonameid": event.where.geonameid if event.where else None,
        "start": event.when.start if event.when else None,
        "end": event.when.end if event.when else None,
        "granularity": event.when.granularity if event.when else None,
        "mentions": event.mentions,
        "sources": event.sources,
        "first_reported": min(reported) if reported else None,
        "last_reported": max(reported) if reported else None,
        "contradictions": "; ".join(c.message for c in event.contradictions),
    }


def write_jsonl(items: list[Story] | list[Event], out: TextIO) -> int:
    for item in items:
        out.write(item.model_dump_json() + "\n")
    return len(items)


def write_csv(events: list[Event], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for event in events:
        writer.writerow({k: ("" if v is None else v) for k, v in event_row(event).items()})
    return len(events)


def write_parquet(events: list[Event], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [event_row(e) for e in events]
    schema = pa.schema(
        [
            (name, pa.date32() if name in ("start", "end", "first_reported", "last_reported") else typ)
            for name, typ in (
                ("id", pa.string()),
                ("story", pa.string()),
                ("type", pa.string()),
                ("status", pa.string()),
                ("summary", pa.string()),
                ("format", pa.string()),
                ("participants", pa.string()),
                ("place", pa.string()),
                ("country", pa.string()),
                ("geonameid", pa.int64()),
                ("start", None),
                ("end", None),
                ("granularity", pa.string()),
                ("mentions", pa.int64()),
                ("sources", pa.int64()),
                ("first_reported", None),
                ("last_reported", None),
                ("contradictions", pa.string()),
            )
        ]
    )
    table = pa.Table.from_pylist(rows, schema=schema)
    pq.write_table(table, path)
    return len(rows)


def _actor(code: str, kb: knowledge.KnowledgeBase) -> dict[str, str]:
    entry = kb.get(code)
    name = entry.name if entry else code
    if entry is not None and entry.kind == "country":
        return {"actorText": name, "code": code}
    return {"actorText": name, "code": "IGO" if entry is not None and entry.kind == "organization" else code}


def plover_records(events: list[Event]) -> Iterator[dict[str, Any]]:
    """PLOVER JSON records, one per credible report of an event (see the module's note)."""
    kb = knowledge.load()
    for event in events:
        for report in event.history:
            plover = _plover_event(event, report)
            if plover is None:
                continue
            kind, mode = plover
            # a meeting's participants are all on the source side, as PLOVER codes joint actors (SRC/TAR)
            directed = bool(report.source or report.target)
            sources = report.source if directed else event.participants
            targets = report.target if directed else []
            record: dict[str, Any] = {
                "id": f"storyline-{event.id}-{report.document}",
                "date": (report.when.start if report.when else report.reported or date.min).isoformat(),
                "event": kind,
                "source": [_actor(c, kb) for c in sources],
                "target": [_actor(c, kb) for c in targets] or "",
                "eventText": report.evidence.text[:200],
                "text": report.evidence.text,
                "language": report.language or "",
                "publication": report.document,
                "storylineEvent": event.id,
                "storylineStatus": report.status,
            }
            if mode:
                record["mode"] = mode
            if report.where is not None:
                record["eventLoc"] = {"placeName": report.where.name, "country": report.where.country or ""}
            yield record


def _plover_event(event: Event, report: StatusReport) -> tuple[str, str | None] | None:
    """The PLOVER event and mode of one report, or None when PLOVER has no event for it."""
    if not report.credible or report.status in ("hypothetical", "negated", "postponed", "cancelled"):
        return None
    if report.status == "planned":
        # PLOVER codes an agreement to meet (or to act) as AGREE; storyline keeps it as a planned event
        return ("AGREE", "meet" if event.type == "CONSULT" else None)
    return (event.type, None)


def write_plover(events: list[Event], out: TextIO) -> int:
    records = list(plover_records(events))
    json.dump(records, out, ensure_ascii=False, indent=1)
    out.write("\n")
    return len(records)
