"""Event mentions from readings, in time order: what the demo shows until cross-document resolution lands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from storyline.records import EventMention, Reading


@dataclass
class Row:
    when: date | None
    when_text: str
    event: EventMention
    document: str
    published: date | None


def load_readings(path: Path) -> list[Reading]:
    with path.open(encoding="utf-8") as handle:
        return [Reading.model_validate_json(line) for line in handle if line.strip()]


def timeline(readings: list[Reading]) -> list[Row]:
    rows = []
    for reading in readings:
        published = reading.published.date if reading.published else None
        for event in reading.events:
            when = event.when.start if event.when else None
            if event.when is None:
                text = "—"
            elif event.when.start == event.when.end:
                text = event.when.start.isoformat()
            else:
                text = f"{event.when.start.isoformat()} … {event.when.end.isoformat()}"
            rows.append(Row(when, text, event, reading.id, published))
    return sorted(rows, key=lambda r: (r.when or date.max, r.published or date.max, r.document))
