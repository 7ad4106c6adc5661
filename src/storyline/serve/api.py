"""The JSON API under ``/api``: stories, events, entities, documents, figures, checks, contradictions and
search, read from the chronicle; following a source and running an update, for the holder of the token.

Every list is a page ``{"items", "total", "limit", "offset", "next"}``; ``next`` is the URL of the following
page, or null on the last one. Ids are the store's. Errors are problem details (:mod:`.problems`).
"""

from __future__ import annotations

import hmac
import logging
import threading
from collections import OrderedDict
from datetime import UTC, date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from storyline.records import Contradiction, EntityKind, Event, EventType, Severity, Status, Story
from storyline.store import browse, queries
from storyline.store.browse import (
    CheckItem,
    DocumentDetail,
    DocumentRef,
    EntityRow,
    FigureItem,
    Partner,
    StoryRow,
    YearCount,
)
from storyline.store.queries import EventFilter

from .problems import Problem, ProblemError

log = logging.getLogger("storyline.serve")

T = TypeVar("T")
Field_ = Literal["date", "place", "status", "participants", "value"]
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000


class PageOut(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int = Field(description="how many items the whole list holds")
    limit: int
    offset: int
    next: str | None = Field(description="the URL of the next page; null on the last page")


class EntityDetail(BaseModel):
    entity: EntityRow
    events: PageOut[Event] = Field(description="the events it takes part in, in time order")
    by_year: list[YearCount] = Field(description="how many of its events fall in each year")
    partners: list[Partner] = Field(description="who takes part in its events, most shared events first")


class SearchHit(BaseModel):
    document: str
    title: str | None = None
    published: date | None = None
    snippet: str = Field(description="the matching words within [brackets]")


class SearchResults(BaseModel):
    query: str
    items: list[SearchHit]
    limit: int


class Health(BaseModel):
    status: Literal["ok"]
    database: str
    counts: dict[str, int]


class NewSource(BaseModel):
    url: str = Field(description="an http(s) URL: a feed, an OPML list, a sitemap or a page", max_length=2000)
    name: str | None = Field(default=None, max_length=300)
    every_minutes: int = Field(default=60, ge=1, le=10_080)


class SourceOut(BaseModel):
    url: str
    kind: str
    name: str | None
    every_minutes: int
    new: bool = Field(description="false when the source was followed already (its settings are updated)")


class UpdateState(BaseModel):
    running: bool
    started: datetime | None = None
    finished: datetime | None = None
    sources: list[str] = []
    report: dict[str, int] | None = None
    error: str | None = None


# -- dependencies ---------------------------------------------------------------------------------------


def engine_of(request: Request) -> Engine:
    """The application's database engine."""
    engine: Engine = request.app.state.engine
    return engine


EngineDep = Annotated[Engine, Depends(engine_of)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"items per page, at most {MAX_LIMIT}")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="items to skip")]
Since = Annotated[date | None, Query(description="on or after this day (YYYY-MM-DD)")]
Until = Annotated[date | None, Query(description="on or before this day (YYYY-MM-DD)")]
Text = Annotated[str | None, Query(max_length=200)]


def no_nul(request: Request) -> None:
    """Refuse NUL characters in the path and query: no database stores them in text."""
    if "\x00" in request.url.path or "%00" in request.url.query or "\x00" in request.url.query:
        raise ProblemError(400, "NUL characters are not allowed in requests", kind="invalid-request")


def require_writer(request: Request) -> None:
    """Let a write through only with the operator's token: 403 when writes are off, 401 when the token is
    missing or wrong."""
    token: str | None = request.app.state.token
    if request.app.state.read_only or not token:
        raise ProblemError(
            403,
            "Writes are disabled on this server. To enable them, start it with a token: "
            "`storyline serve --token SECRET` (or set STORYLINE_API_TOKEN), then send "
            "`Authorization: Bearer SECRET`.",
            kind="writes-disabled",
        )
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise ProblemError(
            401,
            "A valid `Authorization: Bearer <token>` header is required to write.",
            kind="unauthorized",
            headers={"WWW-Authenticate": 'Bearer realm="storyline"'},
        )


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "Bad request"},
    422: {"model": Problem, "description": "Invalid parameters"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem, "description": "Not found"}, **ERRORS}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Missing or wrong token"},
    403: {"model": Problem, "description": "Writes are disabled"},
    **ERRORS,
}

router = APIRouter(prefix="/api", dependencies=[Depends(no_nul)], responses=ERRORS)


def page(request: Request, items: list[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    """A page with the URL of the next one."""
    following = None
    if offset + limit < total:
        params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("offset", "limit")]
        params += [("limit", str(limit)), ("offset", str(offset + limit))]
        following = f"{request.url.path}?{urlencode(params)}"
    return {"items": items, "total": total, "limit": limit, "offset": offset, "next": following}


def page_response(request: Request, items: list[Any], total: int, limit: int, offset: int) -> Response:
    """A page as JSON; its items are records or dataclasses the store made, and are not validated again."""
    return json_response(PageOut[Any](**page(request, items, total, limit, offset)))


def json_response(model: BaseModel) -> Response:
    """``model`` as JSON, serialised once: FastAPI would dump, validate and serialise it again against the
    endpoint's response model, which describes it in the OpenAPI document all the same."""
    return Response(model.model_dump_json(), media_type="application/json")


def _not_found(what: str, key: str) -> ProblemError:
    return ProblemError(404, f"No {what} has the id {key!r}.", kind="not-found")


def _check_range(since: date | None, until: date | None) -> None:
    if since and until and since > until:
        raise ProblemError(422, "`since` is after `until`", kind="invalid-request")


# -- stories and events ---------------------------------------------------------------------------------


@router.get("/stories", response_model=PageOut[StoryRow], tags=["stories"])
def list_stories(request: Request, engine: EngineDep, limit: Limit = 50, offset: Offset = 0) -> Any:
    """Stories, the most recently active first (without their timelines)."""
    found = browse.stories(engine, limit=limit, offset=offset)
    return page_response(request, found.items, found.total, limit, offset)


class StoryCache:
    """Stories as JSON, by id and version: a story's version (the sequence number of the last document that
    changed it) moves whenever anything in its timeline changes, so a cached copy is never stale."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, engine: Engine, story_id: str) -> tuple[bytes, int] | None:
        version = queries.story_version(engine, story_id)
        if version is None:
            return None
        key = (story_id, version)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key], version
        found = queries.story(engine, story_id)
        if found is None:
            return None
        body = found.model_dump_json().encode("utf-8")
        with self._lock:
            self._items[key] = body
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return body, version


_stories = StoryCache()


@router.get("/stories/{story_id}", response_model=Story, responses=NOT_FOUND, tags=["stories"])
def get_story(story_id: Annotated[str, Path(max_length=300)], request: Request, engine: EngineDep) -> Any:
    """A story with its timeline: events in time order with their status history and contradictions. The
    response carries an ETag; a request with a matching If-None-Match gets 304."""
    found = _stories.get(engine, story_id)
    if found is None:
        raise _not_found("story", story_id)
    body, version = found
    etag = f'"{story_id}@{version}"'
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, media_type="application/json", headers={"ETag": etag})


@router.get("/events", response_model=PageOut[Event], tags=["events"])
def list_events(
    request: Request,
    engine: EngineDep,
    actor: Annotated[
        str | None, Query(max_length=300, description="an entity id among the participants")
    ] = None,
    type: Annotated[EventType | None, Query(description="the CAMEO-like event type")] = None,
    status: Annotated[Status | None, Query(description="the event's current status")] = None,
    format: Annotated[
        str | None, Query(max_length=100, description="a recurring format, e.g. c5-plus-1")
    ] = None,
    story: Annotated[str | None, Query(max_length=300)] = None,
    since: Since = None,
    until: Until = None,
    q: Annotated[
        str | None, Query(max_length=200, description="words in the evidence or the documents")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    """Events in time order, filtered; without their history (ask for one event to have it)."""
    _check_range(since, until)
    where = EventFilter(
        actor=actor,
        type=type,
        status=status,
        format=format,
        story=story,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    found = browse.events(engine, where, q=q)
    return page_response(request, found.items, found.total, limit, offset)


@router.get("/events/{event_id}", response_model=Event, responses=NOT_FOUND, tags=["events"])
def get_event(event_id: Annotated[str, Path(max_length=40)], engine: EngineDep) -> Any:
    """An event with its status history (every report, in order) and its contradictions."""
    found = queries.event(engine, event_id)
    if found is None:
        raise _not_found("event", event_id)
    return json_response(found)


# -- entities and documents -----------------------------------------------------------------------------


@router.get("/entities", response_model=PageOut[EntityRow], tags=["entities"])
def list_entities(
    request: Request,
    engine: EngineDep,
    kind: EntityKind | None = None,
    q: Annotated[str | None, Query(max_length=200, description="the start of the name or id")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    """Entities with how many documents name them and how many events they take part in."""
    found = browse.entities(engine, kind=kind, prefix=q, limit=limit, offset=offset)
    return page_response(request, found.items, found.total, limit, offset)


@router.get("/entities/{entity_id}", response_model=EntityDetail, responses=NOT_FOUND, tags=["entities"])
def get_entity(
    request: Request,
    entity_id: Annotated[str, Path(max_length=300)],
    engine: EngineDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Offset = 0,
) -> Any:
    """An entity, its events over time and its partners (who shares its events, and how often)."""
    found = browse.entity(engine, entity_id, limit=limit, offset=offset)
    if found is None:
        raise _not_found("entity", entity_id)
    return {
        "entity": found.entity,
        "events": page(request, found.events.items, found.events.total, limit, offset),
        "by_year": found.by_year,
        "partners": found.partners,
    }


@router.get("/documents", response_model=PageOut[DocumentRef], tags=["documents"])
def list_documents(
    request: Request,
    engine: EngineDep,
    language: Annotated[str | None, Query(max_length=8, description="ISO 639-1 code")] = None,
    story: Annotated[str | None, Query(max_length=300)] = None,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    """Documents, the latest published first."""
    _check_range(since, until)
    found = browse.documents(
        engine, language=language, story=story, since=since, until=until, limit=limit, offset=offset
    )
    return page_response(request, found.items, found.total, limit, offset)


@router.get(
    "/documents/{document_id}", response_model=DocumentDetail, responses=NOT_FOUND, tags=["documents"]
)
def get_document(document_id: Annotated[str, Path(max_length=1000)], engine: EngineDep) -> Any:
    """A document as it was read: text, entities, events (with the event each was resolved into), figures,
    checks, provenance; and the original it copies, if any."""
    found = browse.document(engine, document_id)
    if found is None:
        raise _not_found("document", document_id)
    return json_response(found)


# -- figures, checks, contradictions, search ------------------------------------------------------------


@router.get("/figures", response_model=PageOut[FigureItem], tags=["figures"])
def list_figures(
    request: Request,
    engine: EngineDep,
    kind: Annotated[str | None, Query(max_length=40, description="trade_volume, exports, aid, ...")] = None,
    between: Annotated[
        str | None, Query(max_length=300, description="an entity id among the parties")
    ] = None,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    """Figures with their conversions and the document that states them."""
    _check_range(since, until)
    found = browse.figures(
        engine, kind=kind, between=between, since=since, until=until, limit=limit, offset=offset
    )
    return page_response(request, found.items, found.total, limit, offset)


@router.get("/checks", response_model=PageOut[CheckItem], tags=["checks"])
def list_checks(
    request: Request,
    engine: EngineDep,
    kind: Annotated[str | None, Query(max_length=60)] = None,
    severity: Severity | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    """What reading noticed in the documents, the most severe first."""
    found = browse.checks(engine, kind=kind, severity=severity, limit=limit, offset=offset)
    return page_response(request, found.items, found.total, limit, offset)


@router.get("/contradictions", response_model=PageOut[Contradiction], tags=["contradictions"])
def list_contradictions(
    request: Request,
    engine: EngineDep,
    story: Annotated[str | None, Query(max_length=300)] = None,
    field: Field_ | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    """Where independent sources disagree: on an event's date, place, status or participants, or a figure."""
    found = browse.contradictions(engine, story=story, field=field, limit=limit, offset=offset)
    return page_response(request, found.items, found.total, limit, offset)


@router.get("/search", response_model=SearchResults, tags=["search"])
def search(
    engine: EngineDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description='words; "quoted phrases"')],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Any:
    """Documents whose title or text hold the words, the best match first, with a snippet."""
    hits = queries.search(engine, q, limit)
    return {"query": q, "limit": limit, "items": [h.__dict__ for h in hits]}


@router.get("/health", response_model=Health, tags=["service"])
def health(engine: EngineDep) -> Any:
    """Whether the database answers, and how much it holds."""
    return {"status": "ok", "database": engine.dialect.name, "counts": queries.counts(engine)}


# -- writes ---------------------------------------------------------------------------------------------

writes = APIRouter(
    prefix="/api", dependencies=[Depends(no_nul), Depends(require_writer)], responses=WRITE_ERRORS
)


@writes.post("/sources", response_model=SourceOut, status_code=201, tags=["service"])
def follow_source(source: NewSource, engine: EngineDep) -> Any:
    """Follow a feed, OPML list, sitemap or page (or change its name and schedule)."""
    from storyline.ingest.web import detect_kind
    from storyline.store.sources import add_source

    if not source.url.lower().startswith(("http://", "https://")):
        raise ProblemError(422, "Only http and https URLs can be followed.", kind="invalid-request")
    kind = detect_kind(source.url)
    new = add_source(engine, source.url, kind, name=source.name, every_minutes=source.every_minutes)
    return SourceOut(url=source.url, kind=kind, name=source.name, every_minutes=source.every_minutes, new=new)


class Updater:
    """One update round at a time, in a background thread."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.lock = threading.Lock()
        self.state = UpdateState(running=False)

    def start(self) -> bool:
        """Start a round; False when one is running already."""
        with self.lock:
            if self.state.running:
                return False
            self.state = UpdateState(running=True, started=datetime.now(UTC))
        threading.Thread(target=self._run, name="storyline-update", daemon=True).start()
        return True

    def _run(self) -> None:
        from storyline.flow import update

        try:
            report = update(self.engine, force=True)
            outcome = {"sources": report.sources, "report": report.run.as_dict()}
        except Exception as exc:  # reported through GET /api/update, and logged
            log.exception("update failed")
            outcome = {"error": f"{type(exc).__name__}: {exc}"}
        with self.lock:
            self.state = self.state.model_copy(
                update={"running": False, "finished": datetime.now(UTC), **outcome}
            )


def updater_of(request: Request) -> Updater:
    updater: Updater = request.app.state.updater
    return updater


@writes.post("/update", response_model=UpdateState, status_code=202, tags=["service"])
def start_update(updater: Annotated[Updater, Depends(updater_of)]) -> Any:
    """Fetch what is new in every followed source and read it, in the background; 409 while a round runs."""
    if not updater.start():
        raise ProblemError(409, "An update is running already; see GET /api/update.", kind="update-running")
    return updater.state


@router.get("/update", response_model=UpdateState, tags=["service"])
def update_state(updater: Annotated[Updater, Depends(updater_of)]) -> Any:
    """The current or last update round started through the API."""
    return updater.state


__all__ = ["MAX_LIMIT", "Updater", "engine_of", "router", "writes"]
