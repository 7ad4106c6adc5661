"""The HTML pages: a FastAPI router that renders the chronicle server-side with Jinja2 templates.

The app that includes this router keeps the database engine in ``app.state.engine``. Templates autoescape
everything; article text is never marked safe (highlights are separate pieces, see :mod:`.pages`), and only
the SVG charts of :mod:`.svg`, built with escaping, are inserted as markup. No page has inline scripts or
style attributes: the pages work under ``script-src 'self'; style-src 'self'``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import Engine

from storyline.records import Interval
from storyline.serve import pages, svg

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

router = APIRouter()

_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def when_text(interval: Interval | None) -> str:
    """19–20 December 2025, August 2024, 2006, 28 August 2004, or start – end."""
    if interval is None:
        return "date unknown"
    s, e, g = interval.start, interval.end, interval.granularity
    if s == e:
        return f"{s.day} {s:%B %Y}"
    if g == "year" and s.year == e.year:
        return str(s.year)
    if g == "month" and (s.year, s.month) == (e.year, e.month):
        return f"{s:%B %Y}"
    if (s.year, s.month) == (e.year, e.month):
        return f"{s.day}–{e.day} {s:%B %Y}"
    if s.year == e.year:
        return f"{s.day} {s:%B} – {e.day} {e:%B %Y}"
    return f"{s.day} {s:%B %Y} – {e.day} {e:%B %Y}"


def day_text(value: date | str | None) -> str:
    if value is None:
        return "undated"
    if isinstance(value, str):
        return value
    return f"{value.day} {value:%B %Y}"


_env.filters["q"] = lambda value: quote(str(value), safe="")
_env.filters["when"] = when_text
_env.filters["day"] = day_text
_env.filters["status_label"] = lambda s: pages.STATUS_LABELS.get(str(s), str(s))
_env.filters["human"] = svg.human
_env.tests["web_url"] = lambda value: str(value).lower().startswith(("http://", "https://"))
_env.globals["STATUSES"] = pages.STATUSES
_env.globals["STATUS_LABELS"] = pages.STATUS_LABELS


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = _env.get_template(name).render(request_path=request.url.path, **context)
    return HTMLResponse(html, status_code=status_code)


def not_found(request: Request, what: str, ident: str) -> HTMLResponse:
    return render(request, "404.html", status_code=404, title="Not found", what=what, ident=ident)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> HTMLResponse:
    engine = _engine(request)
    return render(
        request, "home.html", title="Stories", stories=pages.story_rows(engine), totals=pages.totals(engine)
    )


def _marks(events: list[Any]) -> list[svg.Mark]:
    return [
        svg.Mark(
            id=e.id,
            start=e.when.start,
            end=e.when.end,
            status=e.status,
            label=f"{e.summary} — {when_text(e.when)} — {pages.STATUS_LABELS.get(e.status, e.status)}",
            href=svg.href("/events/", e.id),
        )
        for e in events
        if e.when is not None
    ]


@router.get("/stories/{story_id:path}", response_class=HTMLResponse, include_in_schema=False)
def story(request: Request, story_id: str) -> HTMLResponse:
    page = pages.story_page(_engine(request), story_id)
    if page is None:
        return not_found(request, "story", story_id)
    events = page.story.events
    chart = svg.timeline(_marks(events), title=f"Timeline of {page.story.title}", ident="story-timeline")
    present = [s for s in pages.STATUSES if any(e.status == s for e in events)]
    return render(
        request,
        "story.html",
        title=page.story.title,
        page=page,
        chart=chart,
        legend=svg.legend(present, pages.STATUS_LABELS),
    )


@router.get("/events/{event_id}", response_class=HTMLResponse, include_in_schema=False)
def event(request: Request, event_id: str) -> HTMLResponse:
    page = pages.event_page(_engine(request), event_id)
    if page is None:
        return not_found(request, "event", event_id)
    return render(request, "event.html", title=page.event.summary, page=page)


@router.get("/documents/{doc_id:path}", response_class=HTMLResponse, include_in_schema=False)
def document(request: Request, doc_id: str) -> HTMLResponse:
    page = pages.document_page(_engine(request), doc_id)
    if page is None:
        return not_found(request, "document", doc_id)
    return render(request, "document.html", title=page.info.title or page.info.id, page=page)


@router.get("/actors/{actor_id:path}", response_class=HTMLResponse, include_in_schema=False)
def actor(request: Request, actor_id: str) -> HTMLResponse:
    page = pages.actor_page(_engine(request), actor_id)
    if page is None:
        return not_found(request, "actor", actor_id)
    chart = svg.timeline(
        _marks(page.events), title=f"Events of {page.name} over time", ident="actor-timeline"
    )
    present = [s for s in pages.STATUSES if any(e.status == s for e in page.events)]
    return render(
        request,
        "actor.html",
        title=page.name,
        page=page,
        chart=chart,
        legend=svg.legend(present, pages.STATUS_LABELS),
    )


@router.get("/figures", response_class=HTMLResponse, include_in_schema=False)
def figures(
    request: Request, kind: str = "trade_volume", parties: str = "", currency: str = "USD"
) -> HTMLResponse:
    page = pages.figures_page(_engine(request), kind, parties, currency)
    series: dict[str, list[svg.Point]] = {}
    for p in page.points:
        if p.converted is None:
            continue
        name = " + ".join(page.names.get(x, x) for x in p.parties) or "unspecified parties"
        label = f"{name}, {p.period}: {svg.human(p.converted)} {page.currency} ({p.title or p.document})"
        series.setdefault(name, []).append(
            svg.Point(
                p.at,
                p.converted,
                label,
                svg.href("/documents/", p.document) + f"#evidence-{p.evidence_start}",
            )
        )
    chart = svg.line_chart(
        list(series.items()),
        title=f"{page.kind.replace('_', ' ')} over time, in {page.currency}",
        unit=page.currency,
        ident="figures-chart",
    )
    return render(
        request,
        "figures.html",
        title="Figures",
        page=page,
        chart=chart,
        series=list(series),
    )


@router.get("/network", response_class=HTMLResponse, include_in_schema=False)
def network(request: Request, since: str = "", until: str = "") -> HTMLResponse:
    start, end = pages.parse_date(since), pages.parse_date(until, end=True)
    page = pages.network_page(_engine(request), start, end)
    chart = svg.network(
        page.nodes, [(a, b, n) for a, b, n, _ in page.edges], title="Who meets whom", ident="network-chart"
    )
    names = {n: name for n, name, _ in page.nodes}
    return render(
        request,
        "network.html",
        title="Network",
        page=page,
        chart=chart,
        names=names,
        since=since,
        until=until,
        bad_dates=bool(since and start is None) or bool(until and end is None),
    )


@router.get("/map", response_class=HTMLResponse, include_in_schema=False)
def world(request: Request, extent: str = "fit") -> HTMLResponse:
    places, unplaced = pages.map_page(_engine(request))
    dots = [
        svg.Dot(
            key=p.key,
            name=p.name,
            lat=p.lat,
            lon=p.lon,
            count=len(p.events),
            label=f"{p.name}: {len(p.events)} event{'s' if len(p.events) != 1 else ''}",
            href=f"#place-{p.key}",
        )
        for p in places
    ]
    chart = svg.world_map(
        dots,
        pages.land_cells(),
        title="Where the events take place",
        ident="world-map",
        fit=extent != "world",
    )
    return render(
        request, "map.html", title="Map", places=places, unplaced=unplaced, chart=chart, extent=extent
    )


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search(request: Request, q: str = "") -> HTMLResponse:
    hits = pages.search_page(_engine(request), q)
    return render(request, "search.html", title=f"Search: {q}" if q else "Search", q=q, hits=hits)


def query_string(**params: str) -> str:
    return urlencode({k: v for k, v in params.items() if v})


_env.globals["query_string"] = query_string
