"""Reading: one document in, the facts it states out. A pure function of the document.

The pipeline is a list of named steps; each is a small function of its own module that adds to the shared
:class:`~storyline.read.context.Context`. The language's resources and models are loaded once per process.
"""

from __future__ import annotations

from collections.abc import Callable

from storyline import languages
from storyline.read import events as _rules  # noqa: F401 - registers the "rules" event extractor
from storyline.read.anniversaries import find_anniversaries
from storyline.read.context import Context
from storyline.read.entities import entity_records, find_entities
from storyline.read.extractors import find_events
from storyline.read.figures import find_figures
from storyline.read.language import detect
from storyline.read.nlp import parser_for
from storyline.read.published import resolve_published
from storyline.read.times import find_times
from storyline.records import Check, Document, Reading


def parse(ctx: Context) -> None:
    """Sentences, tokens, lemmas, dependencies."""
    ctx.parse = parser_for(ctx.language)(ctx.text)


def times(ctx: Context) -> None:
    """Every time expression, relative ones anchored on the publication date."""
    ctx.times = find_times(ctx.text, ctx.language, ctx.published.date if ctx.published else None)


Step = Callable[[Context], None]
STEPS: list[tuple[str, Step]] = [
    ("parse", parse),
    ("published", resolve_published),
    ("entities", find_entities),
    ("times", times),
    ("anniversaries", find_anniversaries),
    ("figures", find_figures),
    ("events", find_events),
]


def read_document(doc: Document) -> Reading:
    """The reading of one document."""
    code = doc.language if doc.language and languages.get(doc.language) else detect(doc.text)
    language = languages.get(code)
    if language is None:
        return Reading(
            id=doc.id,
            url=doc.url,
            title=doc.title,
            site=doc.site,
            authors=doc.authors,
            language=code,
            published=doc.published,
            text=doc.text,
            entities=[],
            events=[],
            figures=[],
            times=[],
            provenance=doc.provenance,
            checks=[
                *doc.checks,
                Check(
                    kind="language_not_read",
                    severity="info",
                    message=f"The document is in a language storyline does not read ({code}).",
                ),
            ],
        )
    ctx = Context(doc=doc, language=language, text=doc.text)
    for _, step in STEPS:
        step(ctx)
    checks = [*doc.checks, *ctx.checks]
    if ctx.published is None:
        checks.append(
            Check(
                kind="published_date_missing",
                severity="warning",
                message="No publication date was found; relative dates could not be resolved.",
            )
        )
    return Reading(
        id=doc.id,
        url=doc.url,
        title=doc.title,
        site=doc.site,
        authors=[strip_author_prefix(ctx, a) for a in doc.authors] or authors_from_byline(ctx),
        language=language.code,
        published=ctx.published,
        text=doc.text,
        entities=entity_records(ctx),
        events=ctx.events,
        figures=ctx.figures,
        checks=checks,
        provenance=doc.provenance,
        times=ctx.times,
    )


def _author_prefixes(ctx: Context) -> list[str]:
    from storyline.read.patterns import fold

    return sorted(
        (fold(p) for p in ctx.language.resource("text").get("author_prefixes", [])), key=len, reverse=True
    )


def strip_author_prefix(ctx: Context, name: str) -> str:
    """ "Автор Тимур Асанов" -> "Тимур Асанов"."""
    from storyline.read.patterns import fold

    folded = fold(name)
    for prefix in _author_prefixes(ctx):
        if folded.startswith(prefix + " ") or (prefix.endswith(":") and folded.startswith(prefix)):
            return name[len(prefix) :].strip(" :")
    return name


def authors_from_byline(ctx: Context) -> list[str]:
    """ "Par Rodion Zolkin", "By Jane Roe": a short line near the end or the start that begins with the
    language's author prefix."""
    from storyline.read.patterns import fold

    prefixes = _author_prefixes(ctx)
    lines = [line.strip() for line in ctx.text.split("\n") if line.strip()]
    for line in lines[-6:] + lines[:4]:
        folded = fold(line)
        for prefix in prefixes:
            if folded.startswith(prefix + " ") and len(line) <= 60:
                name = line[len(prefix) :].strip(" :")
                words = name.split()
                if 1 < len(words) <= 4 and all(w[:1].isupper() for w in words):
                    return [name]
    return []
