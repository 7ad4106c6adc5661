"""Atom feeds (RFC 4287) of a digest: one entry per item the e-mail shows — each event, each figure, each
disagreement between sources — so that a feed reader and the newsletter say the same things.

An event's entry keeps its id across digests and takes the date of its latest report as its ``updated``:
when a summit announced last month is held this week, readers see the same entry come back, updated.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from xml.etree import ElementTree as ET

from markupsafe import escape

from storyline.digest.i18n import Texts, texts
from storyline.digest.render import (
    FIELDS,
    change_label,
    document_link,
    event_headline,
    status_label,
    story_title,
)
from storyline.kb import KnowledgeBase
from storyline.records import Digest, DigestEvent, Quote

ATOM = "http://www.w3.org/2005/Atom"
GENERATOR = "storyline"


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    updated: datetime
    link: str | None
    html: str  # the entry's content, an HTML fragment
    category: str  # event, figure or contradiction


def _moment(day: date | None, fallback: datetime) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC) if day is not None else fallback


def _quotes_html(quotes: Iterable[Quote], digest: Digest, base_url: str | None, tr: Texts) -> str:
    items = []
    for q in quotes:
        doc = digest.documents.get(q.document)
        link = document_link(q.document, doc, base_url, q.evidence.start)
        outlet = (doc.outlet if doc and doc.outlet else None) or q.document
        when = tr.short_day(doc.published) if doc and doc.published else ""
        source = f'<a href="{escape(link)}">{escape(outlet)}</a>' if link else str(escape(outlet))
        items.append(f"<li>«{escape(q.sentence)}» — {source}{', ' + str(escape(when)) if when else ''}</li>")
    return f"<ul>{''.join(items)}</ul>" if items else ""


def _event_entry(
    event: DigestEvent, story: str, digest: Digest, kb: KnowledgeBase, base_url: str | None, tr: Texts
) -> Entry:
    headline = event_headline(event, kb, digest.language)
    latest = max(
        [c.reported for c in event.changes if c.reported]
        + [digest.documents[q.document].published for q in event.quotes if q.document in digest.documents]
        or [None],
        key=lambda d: d or date.min,
    )
    lines = [f"<p><strong>{escape(status_label(event.status, tr))}</strong> — {escape(story)}</p>"]
    for change in event.changes:
        mark = " ★" if change.new else ""
        when = tr.short_day(change.reported) if change.reported else ""
        lines.append(f"<h4>{escape(change_label(change.change, tr))} ({escape(when)}){mark}</h4>")
        lines.append(_quotes_html(change.quotes, digest, base_url, tr))
    if not event.changes:
        lines.append(_quotes_html(event.quotes, digest, base_url, tr))
    return Entry(
        id=f"urn:storyline:event:{event.id}",
        title=f"{headline} — {status_label(event.status, tr)}",
        updated=_moment(latest, digest.generated),
        link=f"{base_url.rstrip('/')}/events/{event.id}" if base_url else None,
        html="".join(lines),
        category="event",
    )


def entries(digest: Digest, kb: KnowledgeBase, base_url: str | None = None) -> list[Entry]:
    """The digest's items as feed entries, newest first."""
    tr = texts(digest.language)
    out: list[Entry] = []
    for story in digest.stories:
        title = story_title(story, kb, digest.language)
        out += [_event_entry(e, title, digest, kb, base_url, tr) for e in story.events]
        for item in story.figures:
            f = item.figure
            doc = digest.documents.get(item.quote.document)
            key = f"{f.kind}|{f.value}|{f.unit}|{','.join(f.between)}|{f.period.start if f.period else ''}"
            converted = ", ".join(
                tr.amount(c.value, unit) for unit, c in sorted(f.converted.items()) if unit != f.unit
            )
            out.append(
                Entry(
                    id=f"urn:storyline:figure:{hashlib.sha256(key.encode()).hexdigest()[:20]}",
                    title=f"{title}: {tr.amount(f.value, f.unit)}" + (f" ({converted})" if converted else ""),
                    updated=_moment(doc.published if doc else None, digest.generated),
                    link=document_link(item.quote.document, doc, base_url, item.quote.evidence.start),
                    html=_quotes_html([item.quote], digest, base_url, tr),
                    category="figure",
                )
            )
        for c in story.contradictions:
            disagree = tr.gettext("Sources disagree: %(field)s")
            word = FIELDS.get(c.field)
            field = tr.gettext(word) if word else c.field
            documents = sorted({d for claim in c.claims for d in claim.documents})
            days = [digest.documents[d].published for d in documents if d in digest.documents]
            key = f"{c.subject}|{c.field}|{'|'.join(documents)}"
            claims = "".join(
                f"<li>{escape(claim.value)}: {escape(', '.join(claim.documents))}</li>" for claim in c.claims
            )
            out.append(
                Entry(
                    id=f"urn:storyline:contradiction:{hashlib.sha256(key.encode()).hexdigest()[:20]}",
                    title=f"{title}: {disagree % {'field': field}}",
                    updated=_moment(max((d for d in days if d), default=None), digest.generated),
                    link=f"{base_url.rstrip('/')}/events/{c.event}" if base_url and c.event else None,
                    html=f"<p>{escape(c.message)}</p><ul>{claims}</ul>",
                    category="contradiction",
                )
            )
    out.sort(key=lambda e: (e.updated, e.id), reverse=True)
    return out


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def feed(
    *,
    feed_id: str,
    title: str,
    self_url: str,
    alternate: str | None,
    language: str,
    items: list[Entry],
    generated: datetime,
) -> bytes:
    """An Atom document: the feed's metadata and its entries."""
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": language})

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    add(root, "id", feed_id)
    add(root, "title", title)
    add(root, "updated", _stamp(max((e.updated for e in items), default=generated)))
    add(root, "generator", GENERATOR)
    author = add(root, "author")
    add(author, "name", GENERATOR)
    add(root, "link", rel="self", href=self_url, type="application/atom+xml")
    if alternate:
        add(root, "link", rel="alternate", href=alternate, type="text/html")
    for item in items:
        entry = add(root, "entry")
        add(entry, "id", item.id)
        add(entry, "title", item.title)
        add(entry, "updated", _stamp(item.updated))
        add(entry, "category", term=item.category)
        if item.link:
            add(entry, "link", rel="alternate", href=item.link)
        add(entry, "content", item.html, type="html")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
        root, encoding="utf-8", xml_declaration=False
    )
