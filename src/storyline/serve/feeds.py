"""Atom feeds: the digest of everything or of a watch list, and a story's updates.

* ``/feeds/digest.atom`` — what is new in the last ``days`` (7) for everything in the database;
* ``/feeds/watch/{name}.atom`` — the same for one watch list (saved, or from the configuration file);
* ``/feeds/stories/{id}.atom`` — a story's events, each updated when a source reports a change.

``lang`` (fr, en, ru; default the watch list's, else en) chooses the interface language; ``until`` (a day)
makes a past week's feed. The entries are the digest's items (:mod:`storyline.digest.atom`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from storyline.digest.atom import entries, feed
from storyline.digest.compose import compose
from storyline.digest.i18n import available, texts
from storyline.digest.render import story_title
from storyline.kb import KnowledgeBase
from storyline.kb import load as load_kb
from storyline.records import Digest, WatchList
from storyline.store import queries

from .api import NOT_FOUND, EngineDep, no_nul
from .problems import ProblemError

ATOM_TYPE = "application/atom+xml; charset=utf-8"
Lang = Annotated[str | None, Query(max_length=8, description="fr, en or ru")]
UntilDay = Annotated[date | None, Query(description="the period's last day (default: today)")]
EARLIEST = date(1900, 1, 1)  # before any report a chronicle holds
Days = Annotated[int, Query(ge=1, le=366, description="the period's length in days")]

feeds = APIRouter(prefix="/feeds", dependencies=[Depends(no_nul)], responses=NOT_FOUND, tags=["feeds"])


def _kb(request: Request) -> KnowledgeBase:
    kb: KnowledgeBase | None = getattr(request.app.state, "kb", None)
    if kb is None:
        kb = request.app.state.kb = load_kb()
    return kb


def _settings(request: Request) -> dict[str, Any]:
    settings = getattr(request.app.state, "settings", None)
    if settings is None:
        from storyline.config import ConfigError, load

        try:
            settings = load()
        except ConfigError:
            settings = {}
        request.app.state.settings = settings
    return settings


def _language(lang: str | None, watch: WatchList | None) -> str:
    language = lang or (watch.language if watch else None) or "en"
    if language not in available():
        raise ProblemError(
            422,
            f"No catalogue for language {language!r}; known: {', '.join(available())}.",
            kind="invalid-request",
        )
    return language


def _atom(request: Request, digest: Digest, kb: KnowledgeBase, feed_id: str, title: str) -> Response:
    base = str(request.base_url).rstrip("/")
    body = feed(
        feed_id=feed_id,
        title=title,
        self_url=str(request.url),
        alternate=base + "/",
        language=digest.language,
        items=entries(digest, kb, base),
        generated=digest.generated,
    )
    return Response(body, media_type=ATOM_TYPE)


def _window(until: date | None, days: int) -> tuple[date, date]:
    last = until or datetime.now(UTC).date()
    return last - timedelta(days=days - 1), last


@feeds.get("/digest.atom", response_class=Response)
def digest_feed(
    request: Request, engine: EngineDep, lang: Lang = None, until: UntilDay = None, days: Days = 7
) -> Any:
    """What is new in the period, for everything in the database."""
    kb = _kb(request)
    language = _language(lang, None)
    since, last = _window(until, days)
    digest = compose(engine, since=since, until=last, language=language, kb=kb)
    title = texts(language).gettext("storyline — digest, %(period)s") % {
        "period": texts(language).days(since, last, short=True)
    }
    return _atom(request, digest, kb, "urn:storyline:digest", title)


@feeds.get("/watch/{name}.atom", response_class=Response)
def watch_feed(
    request: Request, engine: EngineDep, name: str, lang: Lang = None, until: UntilDay = None, days: Days = 7
) -> Any:
    """What is new in the period for one watch list."""
    from storyline.watch import WatchError, named

    kb = _kb(request)
    try:
        watch = named(engine, _settings(request), name)
    except WatchError as exc:
        raise ProblemError(404, str(exc), kind="not-found") from exc
    language = _language(lang, watch)
    since, last = _window(until, days)
    try:
        digest = compose(engine, since=since, until=last, watch=watch, language=language, kb=kb)
    except WatchError as exc:
        raise ProblemError(422, str(exc), kind="invalid-request") from exc
    tr = texts(language)
    title = tr.gettext("storyline — %(watch)s digest, %(period)s") % {
        "watch": name,
        "period": tr.days(since, last, short=True),
    }
    return _atom(request, digest, kb, f"urn:storyline:watch:{name}", title)


@feeds.get("/stories/{story_id}.atom", response_class=Response)
def story_feed(request: Request, engine: EngineDep, story_id: str, lang: Lang = None) -> Any:
    """A story's events, each with its status changes, the latest first."""
    kb = _kb(request)
    language = _language(lang, None)
    found = queries.story(engine, story_id)
    if found is None:
        raise ProblemError(404, f"No story has the id {story_id!r}.", kind="not-found")
    # every report of the story, whenever it was published (a story's events may be dated in the future)
    last = max(found.last or EARLIEST, datetime.now(UTC).date())
    digest = compose(engine, since=EARLIEST, until=last, language=language, kb=kb, story=story_id)
    story = next((s for s in digest.stories if s.id == story_id), None)
    title = story_title(story, kb, language) if story is not None else found.title
    return _atom(request, digest, kb, f"urn:storyline:story:{story_id}", title)
