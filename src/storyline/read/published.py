"""When a document was published: from the input, else the page's metadata, else the URL, else a byline.

A numeric byline date that reads two ways (12/03/2025) is resolved by the text: a document cannot report as
past something later than its own date, nor announce as future something earlier. The decision and its
evidence go into a ``published_date_ambiguous`` check; ``published.confidence`` says how sure it is.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from storyline.read.context import Context
from storyline.read.patterns import fold
from storyline.read.tense import clause_tense
from storyline.read.times import find_times
from storyline.records import Check, Published, Span, Time

NUMERIC = re.compile(r"(?<![\d/.\-])(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})(?![\d/.\-])")
URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)[/\-_]?(0[1-9]|1[0-2])[/\-_]?(0[1-9]|[12]\d|3[01])(?!\d)")
BYLINE_MAX = 80  # a byline date stands on a short line of its own
EDGE_LINES = 6  # bylines are near the top or the bottom


def _valid(year: int, month: int, day: int) -> date | None:
    if 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]:
        return date(year, month, day)
    return None


def _lines(text: str) -> list[tuple[int, str]]:
    """The text's non-blank lines with their offsets."""
    lines: list[tuple[int, str]] = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            lines.append((offset, line))
        offset += len(line) + 1
    return lines


def _byline_lines(text: str) -> list[tuple[int, str]]:
    lines = _lines(text)
    edge = lines[:EDGE_LINES] + lines[-EDGE_LINES:]
    return [(o, line) for o, line in dict.fromkeys(edge) if len(line.strip()) <= BYLINE_MAX]


def _contradictions(ctx: Context, candidate: date, times: list[Time]) -> list[Time]:
    """Explicit dates the text reports as past although later than ``candidate``, or as future although
    earlier than it."""
    if ctx.parse is None:
        return []
    future_aux = frozenset(fold(w) for w in ctx.grammar().get("future_auxiliaries", []))
    found = []
    for t in times:
        if t.interval is None or t.type != "DATE":
            continue
        token = ctx.parse.token_at(t.start)
        if token is None:
            continue
        tense = clause_tense(ctx.parse, token, future_aux)
        if (tense == "past" and t.interval.start > candidate) or (
            tense == "future" and t.interval.end < candidate
        ):
            found.append(t)
    return found


def _from_url(url: str | None) -> Published | None:
    if not url:
        return None
    m = URL_DATE.search(url)
    day = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    return Published(date=day, raw=m.group(0), source="url", confidence=0.8) if day and m else None


# A dateline opens the text: a place in capitals, maybe a country or an agency, then the date
# ("SAMARKAND, Uzbekistan, 2 November 2015 —", "SEOUL, June 14 (Eastbound News) –", "АСТАНА, 29 августа").
DATELINE = re.compile(r"^\s*[^\W\d_][^\W\d_’' .-]*[A-ZА-ЯЁ\s.'’-]*(?:,[\w .'’()-]{0,40})?[,(]?\s*$")
YEAR_AFTER = r"\s*((?:19|20)\d\d)"


def _dateline(ctx: Context) -> Published | None:
    for offset, line in _lines(ctx.text)[:4]:
        times = find_times(line[:120], ctx.language, None)
        t = times[0] if times else None
        if (
            t is None
            or t.type != "DATE"
            or not DATELINE.match(line[: t.start])
            or not line[: t.start].strip()
        ):
            continue
        if t.interval and t.interval.granularity == "day" and t.value[:1].isdigit():
            return Published(date=t.interval.start, raw=t.text, source="text", confidence=0.85)
        if t.value.startswith("XXXX-") and len(t.value) == 10:
            return _year_from_footer(ctx, t, Span(start=offset + t.start, end=offset + t.end, text=t.text))
    return None


def _year_from_footer(ctx: Context, t: Time, span: Span) -> Published | None:
    """A dateline without a year ("June 14") takes the year of the page's copyright notice, and says so."""
    markers = ctx.language.resource("text").get("copyright_markers", ["©"])
    notice = re.compile("(?:" + "|".join(re.escape(m) for m in markers) + ")" + YEAR_AFTER, re.I)
    years = [int(m.group(1)) for line in ctx.doc.boilerplate for m in notice.finditer(line)]
    if not years:
        return None
    month, day = int(t.value[5:7]), int(t.value[8:10])
    found = _valid(years[0], month, day)
    if found is None:
        return None
    ctx.checks.append(
        Check(
            kind="published_date_ambiguous",
            severity="info",
            message=f"The dateline {t.text!r} gives no year; {years[0]} is taken from the page's copyright notice.",
            evidence=[span],
        )
    )
    return Published(date=found, raw=t.text, source="inferred", confidence=0.6)


def _textual_byline(ctx: Context) -> Published | None:
    """A written date on a byline line ("Published 3 December 2025", "3 декабря 2025")."""
    prefixes = tuple(fold(p) for p in ctx.language.resource("text").get("date_prefixes", []))
    for _, line in _byline_lines(ctx.text):
        for t in find_times(line, ctx.language, None):
            if t.type == "DATE" and t.interval and t.interval.granularity == "day" and t.value[:1].isdigit():
                before = fold(line[: t.start]).strip(" :,-")
                if not before or before.startswith(prefixes) or len(line.strip()) - len(t.text) < 25:
                    return Published(date=t.interval.start, raw=t.text, source="text", confidence=0.9)
    return None


def resolve_published(ctx: Context) -> None:
    """Step: set ``ctx.published``."""
    if ctx.doc.published is not None:
        ctx.published = ctx.doc.published
        return
    ctx.published = _from_url(ctx.doc.url) or _numeric_byline(ctx) or _dateline(ctx) or _textual_byline(ctx)


def _numeric_byline(ctx: Context) -> Published | None:
    order = ctx.language.resource("text").get("numeric_date_order", "DMY")
    for offset, line in _byline_lines(ctx.text):
        m = NUMERIC.search(line)
        if not m:
            continue
        a, b, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        readings = {"DMY": _valid(year, b, a), "MDY": _valid(year, a, b)}
        usual = readings.get(order)
        other_order = "MDY" if order == "DMY" else "DMY"
        other = readings.get(other_order)
        raw = m.group(0)
        span = Span(start=offset + m.start(), end=offset + m.end(), text=raw)
        if usual is None and other is None:
            continue
        if usual is None or other is None or usual == other:
            day = usual or other
            assert day is not None
            return Published(date=day, raw=raw, source="text", confidence=0.9)
        return _decide(ctx, raw, span, (order, usual), (other_order, other))
    return None


def _decide(
    ctx: Context, raw: str, span: Span, usual: tuple[str, date], other: tuple[str, date]
) -> Published:
    times = [t for t in find_times(ctx.text, ctx.language, None) if not (span.start <= t.start < span.end)]
    against_usual = _contradictions(ctx, usual[1], times)
    against_other = _contradictions(ctx, other[1], times)
    names = {"DMY": "day-first", "MDY": "month-first"}
    if len(against_usual) != len(against_other):
        # the reading the text contradicts less wins
        usual_wins = len(against_other) > len(against_usual)
        chosen, rejected = (usual, other) if usual_wins else (other, usual)
        evidence = against_other if usual_wins else against_usual
        confidence = 0.85 if usual_wins else 0.8
        words = ", ".join(repr(t.text) for t in evidence[:3])
        why = (
            f"Read {names[rejected[0]]} it would be {rejected[1].isoformat()}, but the text reports {words} in a "
            f"tense that does not fit that date, so it is read {names[chosen[0]]}: {chosen[1].isoformat()}"
            + (" (the usual order in this language)." if usual_wins else ".")
        )
    else:
        chosen, evidence, confidence = usual, [], 0.5
        why = (
            f"Nothing in the text decides between {usual[1].isoformat()} ({names[usual[0]]}) and "
            f"{other[1].isoformat()} ({names[other[0]]}); it is read {names[usual[0]]}, the usual order in this "
            "language."
        )
    message = f"The byline date {raw} reads two ways. {why}"
    spans = [span] + [Span(start=t.start, end=t.end, text=t.text) for t in evidence]
    ctx.checks.append(
        Check(
            kind="published_date_ambiguous",
            severity="warning" if confidence < 0.6 else "info",
            message=message,
            evidence=spans,
        )
    )
    return Published(date=chosen[1], raw=raw, source="text", confidence=confidence)
