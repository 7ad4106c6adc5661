"""A :class:`~storyline.records.Digest` as the reader receives it: an HTML e-mail, Markdown or plain text.

The digest is first turned into a *view* (plain dataclasses holding display strings, built here once for
every format), then laid out by a Jinja2 template of ``templates/``. The view keeps two kinds of words
apart: the interface's (labels, statuses, changes, event types, dates and numbers), which are translated
into the digest's language through :mod:`storyline.digest.i18n`; and the sources' (quoted sentences,
claimed values, outlets' names), which are shown verbatim, whatever the language, with their own ``lang``.

Every item carries its sources: the outlet, its date, a link (the article's own URL, else the document's
page on a ``storyline serve`` at ``base_url``) and the sentence that supports it.

The HTML is an e-mail: inline styles only, a table layout, no script and nothing fetched from elsewhere.
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from storyline.digest.i18n import N_, TEMPLATES, Texts, texts
from storyline.kb import KnowledgeBase
from storyline.records import (
    Check,
    Contradiction,
    Digest,
    DigestChange,
    DigestDocument,
    DigestEvent,
    DigestFigure,
    DigestStory,
    Place,
    Quote,
    Span,
)

__all__ = [
    "CHANGE_WORDS",
    "FORMATS",
    "STATUS_WORDS",
    "TYPE_NOUNS",
    "DigestView",
    "Format",
    "Source",
    "alert_subject",
    "change_label",
    "digest_view",
    "document_link",
    "event_headline",
    "render",
    "render_alert",
    "status_label",
    "story_title",
    "subject",
]

Format = Literal["html", "markdown", "text", "json"]
FORMATS: tuple[str, ...] = ("html", "markdown", "text", "json")

# An event's current status, as a label (the same statuses as the web pages show).
STATUS_WORDS = {
    "planned": N_("planned"),
    "occurred": N_("took place"),
    "ongoing": N_("under way"),
    "postponed": N_("postponed"),
    "cancelled": N_("cancelled"),
    "hypothetical": N_("considered"),
    "negated": N_("did not happen"),
}
# What one report changed in an event's history (storyline.resolve.status names them).
CHANGE_WORDS = {
    "announced": N_("announced"),
    "announced with dates": N_("announced with dates"),
    "dates set": N_("dates set"),
    "rescheduled": N_("rescheduled"),
    "postponed": N_("postponed"),
    "cancelled": N_("cancelled"),
    "under way": N_("got under way"),
    "took place": N_("took place"),
    "held": N_("took place"),
    "concluded": N_("concluded"),
}
# What an event of each PLOVER type is called in a headline.
MODE_NOUNS = {  # how a meeting was held, when the sources say: a more telling noun than the type's
    "summit": N_("summit"),
    "visit": N_("visit"),
    "multilateral": N_("multilateral meeting"),
}
TYPE_NOUNS = {
    "AGREE": N_("agreement"),
    "CONSULT": N_("meeting"),
    "SUPPORT": N_("support"),
    "CONCEDE": N_("concession"),
    "COOPERATE": N_("cooperation"),
    "AID": N_("aid"),
    "RETREAT": N_("withdrawal"),
    "REQUEST": N_("request"),
    "ACCUSE": N_("accusation"),
    "REJECT": N_("rejection"),
    "THREATEN": N_("threat"),
    "PROTEST": N_("protest"),
    "SANCTION": N_("sanctions"),
    "MOBILIZE": N_("mobilisation"),
    "COERCE": N_("coercion"),
    "ASSAULT": N_("attack"),
}
FIGURE_KINDS = {
    "trade_volume": N_("trade"),
    "exports": N_("exports"),
    "imports": N_("imports"),
    "investment": N_("investment"),
    "aid": N_("aid"),
    "loan": N_("loan"),
    "grant": N_("grant"),
    "budget": N_("budget"),
}
FIELDS = {
    "date": N_("date"),
    "place": N_("place"),
    "participants": N_("participants"),
    "status": N_("status"),
    "value": N_("value"),
}
SEVERITIES = {"info": N_("note"), "warning": N_("warning"), "error": N_("error")}
CHECK_KINDS = {
    "published_date_ambiguous": N_("publication date ambiguous"),
    "published_date_missing": N_("publication date missing"),
    "stated_conversion_mismatch": N_("the source's own conversion does not match"),
    "stated_change_mismatch": N_("the stated change does not match the figures"),
    "figures_disagree": N_("figures disagree"),
    "conversion_unavailable": N_("no exchange rate for the conversion"),
    "encoding": N_("text encoding repaired"),
    "language_not_read": N_("language not read"),
    "boilerplate_dropped": N_("site text dropped"),
}
# The most participants a headline names before it counts the others.
MAX_NAMED = 4
_ISO_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:/(\d{4}-\d{2}-\d{2}))?$")


# -- the view: what every format shows, in display strings ----------------------------------------------


@dataclass(frozen=True)
class Source:
    """One document behind an item, and the sentence of it that supports the item (if any)."""

    id: str
    outlet: str
    title: str | None
    day: str | None
    link: str | None
    language: str | None
    sentence: str | None = None
    # the sentence cut around the evidence: before, evidence, after (the evidence is shown in bold)
    parts: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class ChangeView:
    label: str
    status: str
    day: str
    new: bool
    detail: str  # the dates and place the report gave, if any
    sources: list[Source]


@dataclass(frozen=True)
class ClaimView:
    value: str
    sources: list[Source]


@dataclass(frozen=True)
class ContradictionView:
    field: str
    claims: list[ClaimView]


@dataclass(frozen=True)
class EventView:
    id: str
    headline: str
    status: str
    status_label: str
    new: bool
    changes: list[ChangeView]
    sources: list[Source]  # reports of the period not already shown under a change
    contradictions: list[ContradictionView]


@dataclass(frozen=True)
class FigureView:
    label: str
    amount: str
    conversions: list[str]
    source: Source


@dataclass(frozen=True)
class CheckView:
    severity: str
    severity_label: str
    kind: str
    message: str
    source: Source
    evidence: list[str]


@dataclass(frozen=True)
class StoryView:
    id: str
    title: str
    events: list[EventView]
    figures: list[FigureView]
    contradictions: list[ContradictionView]
    checks: list[CheckView]


@dataclass(frozen=True)
class DigestView:
    language: str
    title: str
    subject: str
    period: str
    summary: str
    generated: str
    watch: str | None
    open_quote: str
    close_quote: str
    colon: str
    stories: list[StoryView] = field(default_factory=list)


# -- names and words --------------------------------------------------------------------------------------


def status_label(status: str, tr: Texts) -> str:
    word = STATUS_WORDS.get(status)
    return tr.gettext(word) if word else status


def change_label(change: str, tr: Texts) -> str:
    word = CHANGE_WORDS.get(change)
    return tr.gettext(word) if word else change


def _place_name(place: Place, kb: KnowledgeBase, lang: str) -> str:
    """The place in the reader's language when the knowledge base knows it (by GeoNames id), else as the
    sources named it."""
    if place.geonameid is not None:
        entity = _places_by_geonameid(kb).get(place.geonameid)
        if entity is not None:
            return kb.display_name(entity, lang)
    return place.name


@functools.lru_cache(maxsize=4)
def _places_by_geonameid(kb: KnowledgeBase) -> dict[int, str]:
    found: dict[int, str] = {}
    for entry in kb.entries.values():
        if entry.geonameid is not None:
            found.setdefault(entry.geonameid, entry.id)
    return found


def _who(format_: str | None, participants: Sequence[str], kb: KnowledgeBase, tr: Texts) -> str:
    if format_:
        return kb.display_name(format_, tr.code)
    named = [kb.display_name(p, tr.code) for p in participants]
    if len(named) > MAX_NAMED:
        rest = len(named) - (MAX_NAMED - 1)
        return tr.names([*named[: MAX_NAMED - 1], tr.counted("%(num)d other", "%(num)d others", rest)])
    return tr.names(named)


def event_headline(event: DigestEvent, kb: KnowledgeBase, language: str) -> str:
    """An event in a line, from its structured fields, in ``language``: who (the format, else the
    participants), what (the event type as a noun), where and when —
    "Asie centrale + Japon : sommet, Tokyo, 19–20 décembre 2025"."""
    tr = texts(language)
    return _headline(event, kb, tr)


def _headline(event: DigestEvent, kb: KnowledgeBase, tr: Texts) -> str:
    noun = MODE_NOUNS.get(event.mode or "") or TYPE_NOUNS.get(event.type)
    what = tr.gettext(noun) if noun else event.type.lower()
    who = _who(event.format, event.participants, kb, tr)
    line = f"{who}{tr.colon()}{what}" if who else what[:1].upper() + what[1:]
    details = []
    if event.where is not None:
        details.append(_place_name(event.where, kb, tr.code))
    if event.when is not None:
        details.append(tr.interval(event.when))
    return ", ".join([line, *details])


def story_title(story: DigestStory, kb: KnowledgeBase, language: str) -> str:
    """The story's name in ``language``: its format's name when it has one, else the names of the countries
    its id is made of ("jpn-uzb": "Japon–Ouzbékistan"), else its title as stored."""
    if story.format:
        return kb.display_name(story.format, language)
    codes = story.id.split("-")
    if len(codes) > 1 and all(kb.get(c.upper()) is not None for c in codes):
        return "–".join(kb.display_name(c.upper(), language) for c in codes)
    return story.title


def subject(digest: Digest) -> str:
    """The e-mail subject: "storyline — digest Dec 15 – 21, 2025" in the digest's language."""
    tr = texts(digest.language)
    period = tr.days(digest.since, digest.until, short=True)
    if digest.watch:
        return tr.gettext("storyline — %(watch)s digest, %(period)s") % {
            "watch": digest.watch,
            "period": period,
        }
    return tr.gettext("storyline — digest, %(period)s") % {"period": period}


# -- sources ----------------------------------------------------------------------------------------------


def _web(url: str | None) -> bool:
    if not url:
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def document_link(
    document_id: str, doc: DigestDocument | None, base_url: str | None, evidence: int | None = None
) -> str | None:
    """Where a reader opens a source: the article's own http(s) URL, else its page on ``storyline serve``
    (``{base_url}/documents/{id}``, at the evidence when known), else nothing."""
    if doc is not None and _web(doc.url):
        return doc.url
    if base_url:
        anchor = f"#evidence-{evidence}" if evidence is not None else ""
        return f"{base_url.rstrip('/')}/documents/{quote(document_id, safe='')}{anchor}"
    return None


def _outlet(document_id: str, doc: DigestDocument | None) -> str:
    if doc is not None and doc.outlet:
        return doc.outlet
    if doc is not None and doc.url and _web(doc.url):
        host = urlsplit(str(doc.url)).hostname or ""
        return host.removeprefix("www.") or document_id
    return document_id


def _split(sentence: str, evidence: Span) -> tuple[str, str, str] | None:
    if not evidence.text:
        return None
    at = sentence.find(evidence.text)
    if at < 0:
        return None
    end = at + len(evidence.text)
    return sentence[:at], sentence[at:end], sentence[end:]


class _Sources:
    """Builds :class:`Source` views against the digest's documents, in one language."""

    def __init__(self, documents: Mapping[str, DigestDocument], tr: Texts, base_url: str | None) -> None:
        self.documents = documents
        self.tr = tr
        self.base_url = base_url

    def document(self, document_id: str, evidence: int | None = None) -> Source:
        doc = self.documents.get(document_id)
        return Source(
            id=document_id,
            outlet=_outlet(document_id, doc),
            title=doc.title if doc else None,
            day=self.tr.day(doc.published) if doc and doc.published else None,
            link=document_link(document_id, doc, self.base_url, evidence),
            language=doc.language if doc else None,
        )

    def quote(self, quote: Quote) -> Source:
        base = self.document(quote.document, quote.evidence.start)
        return Source(
            **{**base.__dict__, "sentence": quote.sentence, "parts": _split(quote.sentence, quote.evidence)}
        )

    def quotes(self, quotes: Iterable[Quote]) -> list[Source]:
        return [self.quote(q) for q in quotes]


# -- building the view ------------------------------------------------------------------------------------


def _claim_value(field_name: str, value: str, kb: KnowledgeBase, tr: Texts) -> str:
    """A claimed value, formatted for the reader without changing what it says: ISO days as dates,
    statuses as their labels, actor ids as names; anything else verbatim."""
    if field_name == "date":
        match = _ISO_DAY.match(value)
        if match:
            start = date.fromisoformat(match.group(1))
            end = date.fromisoformat(match.group(2)) if match.group(2) else start
            return tr.days(start, end)
    if field_name == "status":
        return status_label(value, tr)
    if field_name == "participants":
        return tr.names([kb.display_name(p.strip(), tr.code) for p in value.split(",") if p.strip()])
    return value


def _contradiction(c: Contradiction, kb: KnowledgeBase, tr: Texts, sources: _Sources) -> ContradictionView:
    word = FIELDS.get(c.field)
    return ContradictionView(
        field=tr.gettext(word) if word else c.field,
        claims=[
            ClaimView(
                value=_claim_value(c.field, claim.value, kb, tr),
                sources=[sources.document(d) for d in claim.documents],
            )
            for claim in c.claims
        ],
    )


def _change_detail(change: DigestChange, kb: KnowledgeBase, tr: Texts) -> str:
    parts = []
    if change.when is not None and change.change in ("announced with dates", "dates set", "rescheduled"):
        parts.append(tr.interval(change.when))
    if change.where is not None and change.change in ("announced with dates", "dates set", "rescheduled"):
        parts.append(_place_name(change.where, kb, tr.code))
    return ", ".join(parts)


def _quote_key(q: Quote) -> tuple[str, int, int]:
    return q.document, q.evidence.start, q.evidence.end


def _event(
    event: DigestEvent, contradictions: list[Contradiction], kb: KnowledgeBase, tr: Texts, sources: _Sources
) -> EventView:
    shown = {_quote_key(q) for c in event.changes for q in c.quotes}
    return EventView(
        id=event.id,
        headline=_headline(event, kb, tr),
        status=event.status,
        status_label=status_label(event.status, tr),
        new=event.new,
        changes=[
            ChangeView(
                label=change_label(c.change, tr),
                status=c.status,
                day=tr.day(c.reported),
                new=c.new,
                detail=_change_detail(c, kb, tr),
                sources=sources.quotes(c.quotes),
            )
            for c in event.changes
        ],
        sources=sources.quotes(q for q in event.quotes if _quote_key(q) not in shown),
        contradictions=[_contradiction(c, kb, tr, sources) for c in contradictions],
    )


def _figure(item: DigestFigure, kb: KnowledgeBase, tr: Texts, sources: _Sources) -> FigureView:
    figure = item.figure
    word = FIGURE_KINDS.get(figure.kind)
    label = tr.gettext(word) if word else figure.kind.replace("_", " ")
    if figure.between:
        label = tr.gettext("%(what)s, %(between)s") % {
            "what": label,
            "between": "–".join(kb.display_name(p, tr.code) for p in figure.between),
        }
    if figure.period is not None:
        label = tr.gettext("%(what)s (%(period)s)") % {"what": label, "period": tr.interval(figure.period)}
    conversions = [
        tr.gettext("≈ %(amount)s at %(rate)s on %(day)s")
        % {"amount": tr.amount(c.value, unit), "rate": tr.rate(c.rate), "day": tr.day(c.rate_date)}
        for unit, c in sorted(figure.converted.items())
        if unit != figure.unit  # a figure in dollars "converted" to dollars says nothing
    ]
    return FigureView(
        label=label[:1].upper() + label[1:],
        amount=tr.amount(figure.value, figure.unit),
        conversions=conversions,
        source=sources.quote(item.quote),
    )


def _check(check: Check, document: str, tr: Texts, sources: _Sources) -> CheckView:
    word = CHECK_KINDS.get(check.kind)
    severity = SEVERITIES.get(check.severity)
    first = check.evidence[0].start if check.evidence else None
    return CheckView(
        severity=check.severity,
        severity_label=tr.gettext(severity) if severity else check.severity,
        kind=tr.gettext(word) if word else check.kind.replace("_", " "),
        message=check.message,
        source=sources.document(document, first),
        evidence=[span.text for span in check.evidence if span.text.strip()],
    )


def _story(story: DigestStory, kb: KnowledgeBase, tr: Texts, sources: _Sources) -> StoryView:
    ids = {e.id for e in story.events}
    by_event: dict[str, list[Contradiction]] = {}
    for c in story.contradictions:
        if c.event in ids:
            by_event.setdefault(c.event, []).append(c)
    return StoryView(
        id=story.id,
        title=story_title(story, kb, tr.code),
        events=[_event(e, by_event.get(e.id, []), kb, tr, sources) for e in story.events],
        figures=[_figure(f, kb, tr, sources) for f in story.figures],
        contradictions=[
            _contradiction(c, kb, tr, sources) for c in story.contradictions if c.event not in ids
        ],
        checks=[_check(c.check, c.document, tr, sources) for c in story.checks if c.check.severity != "info"],
    )


def _open_quote(tr: Texts) -> str:
    # TRANSLATORS: the mark that opens a quoted sentence (French: « and a no-break space; Russian: «)
    return tr.gettext("“")


def _close_quote(tr: Texts) -> str:
    # TRANSLATORS: the mark that closes a quoted sentence (French: a no-break space and »; Russian: »)
    return tr.gettext("”")


def digest_view(digest: Digest, kb: KnowledgeBase, base_url: str | None = None) -> DigestView:
    """The digest in display strings of its language, ready for any template."""
    tr = texts(digest.language)
    sources = _Sources(digest.documents, tr, base_url)
    stories = [_story(s, kb, tr, sources) for s in digest.stories]
    events = sum(len(s.events) for s in stories)
    changes = sum(c.new for s in stories for e in s.events for c in e.changes)
    summary = ", ".join(
        [
            tr.counted("%(num)d story", "%(num)d stories", len(stories)),
            tr.counted("%(num)d event", "%(num)d events", events),
            tr.counted("%(num)d new status change", "%(num)d new status changes", changes),
        ]
    )
    title = tr.gettext("%(watch)s digest") % {"watch": digest.watch} if digest.watch else tr.gettext("Digest")
    return DigestView(
        language=digest.language,
        title=title,
        subject=subject(digest),
        period=tr.days(digest.since, digest.until),
        summary=summary,
        generated=tr.moment(digest.generated),
        watch=digest.watch,
        open_quote=_open_quote(tr),
        close_quote=_close_quote(tr),
        colon=tr.colon(),
        stories=stories,
    )


# -- templates --------------------------------------------------------------------------------------------

_TEMPLATE_FILES = {"html": "digest.html", "markdown": "digest.md", "text": "digest.txt"}
WIDTH = 78  # the plain text's lines, for an 80-column terminal or mail reader

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#~])")


def _markdown(value: Any) -> str:
    """Text shown literally in Markdown: its markup characters escaped (a quoted ``<b>`` stays text)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(value))


def _markdown_url(url: str) -> str:
    """A URL inside ``(<...>)``: characters that would end it percent-encoded."""
    return url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")


_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")


def _words(value: Any) -> str:
    """The text on one line, its spaces collapsed; no-break spaces are kept (they hold "«\u00a0" and the
    French "\u00a0:" to their words when lines are wrapped)."""
    return _ASCII_SPACE.sub(" ", str(value)).strip()


def _wrap(value: Any, indent: str = "", first: str | None = None, width: int = WIDTH) -> str:
    """Text wrapped at ``width`` with a hanging ``indent`` (``first`` starts the first line); long words
    such as URLs are never broken."""
    return textwrap.fill(
        _words(value),
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


# A line that would start a list item, a heading, a quote or a thematic break if a wrap put it first.
_MARKDOWN_LINE_START = re.compile(r"^(?:[-+*](?:\s|$)|\d{1,9}[.)](?:\s|$)|[#>=]|-{3,}|_{3,})")


def _markdown_wrap(value: Any, indent: str = "", first: str | None = None, width: int = WIDTH) -> str:
    """Markdown wrapped at ``width``: a line is never broken where the next one would begin a block
    (``- ``, ``1.``, ``#``, ``>``): the words stay on the line before, however long it gets."""
    words = textwrap.wrap(
        _words(value),
        width=max(20, width - len(indent)),
        break_long_words=False,
        break_on_hyphens=False,
    )
    lines: list[str] = []
    for word_line in words:
        if lines and _MARKDOWN_LINE_START.match(word_line):
            lines[-1] += " " + word_line
        else:
            lines.append(word_line)
    starts = [indent if first is None else first] + [indent] * (len(lines) - 1)
    return "\n".join(start + line for start, line in zip(starts, lines, strict=True))


STATUS_COLOURS = {  # the web pages' palette, as inline colours
    "planned": "#1f5fa8",
    "occurred": "#1b6e3a",
    "ongoing": "#6b4c00",
    "postponed": "#9a3d00",
    "cancelled": "#b00020",
    "hypothetical": "#5c5c70",
    "negated": "#444444",
}
SEVERITY_COLOURS = {"info": "#5c5c70", "warning": "#9a3d00", "error": "#b00020"}


@functools.cache
def _environment(language: str, markup: bool) -> Environment:
    """A Jinja2 environment with the language's catalogue installed (HTML ones autoescape)."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]) if markup else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    tr = texts(language)
    env.install_gettext_translations(tr.catalogue, newstyle=True)  # type: ignore[attr-defined]
    filters: dict[str, Callable[..., Any]] = {
        "md": _markdown,
        "md_url": _markdown_url,
        "md_wrap": _markdown_wrap,
        "wrap": _wrap,
    }
    env.filters.update(filters)
    env.globals.update(
        STATUS_COLOURS=STATUS_COLOURS, SEVERITY_COLOURS=SEVERITY_COLOURS, WIDTH=WIDTH, hr="-" * WIDTH
    )
    return env


def render(digest: Digest, fmt: str, kb: KnowledgeBase, base_url: str | None = None) -> str:
    """The digest as ``fmt``: ``html`` (an e-mail body), ``markdown``, ``text`` or ``json`` (the record).

    Interface words are in ``digest.language``; names come from ``kb`` in that language; sources link to
    their own URL, else to ``{base_url}/documents/{id}`` when ``base_url`` is given."""
    if fmt == "json":
        return digest.model_dump_json(indent=2)
    if fmt not in _TEMPLATE_FILES:
        raise ValueError(f"unknown digest format {fmt!r}; use one of {', '.join(FORMATS)}")
    view = digest_view(digest, kb, base_url)
    template = _environment(digest.language, fmt == "html").get_template(_TEMPLATE_FILES[fmt])
    out = template.render(view=view)
    if fmt != "html":
        out = re.sub(r"\n{3,}", "\n\n", out).strip() + "\n"
    return out


# -- alerts -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertView:
    language: str
    headline: str
    old: str | None
    new: str
    change: str | None
    sources: list[Source]
    open_quote: str
    close_quote: str
    colon: str


def alert_subject(headline: str, new_status: str, language: str) -> str:
    """An alert's subject: "storyline: <headline> — took place" in ``language``."""
    tr = texts(language)
    return tr.gettext("storyline alert: %(headline)s — %(status)s") % {
        "headline": headline,
        "status": status_label(new_status, tr),
    }


def render_alert(
    headline: str,
    old_status: str | None,
    new_status: str,
    quotes: Sequence[Quote],
    documents: Mapping[str, DigestDocument],
    language: str,
    *,
    change: str | None = None,
    base_url: str | None = None,
) -> str:
    """The plain text of an alert: a followed event went from ``old_status`` (None: it is new) to
    ``new_status``, as the ``quotes`` say (their documents looked up in ``documents`` for outlet and link)."""
    tr = texts(language)
    sources = _Sources(documents, tr, base_url)
    view = AlertView(
        language=language,
        headline=headline,
        old=status_label(old_status, tr) if old_status else None,
        new=status_label(new_status, tr),
        change=change_label(change, tr) if change else None,
        sources=sources.quotes(quotes),
        open_quote=_open_quote(tr),
        close_quote=_close_quote(tr),
        colon=tr.colon(),
    )
    out = _environment(language, False).get_template("alert.txt").render(view=view)
    return re.sub(r"\n{3,}", "\n\n", out).strip() + "\n"
