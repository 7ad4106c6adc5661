"""Server-side SVG charts as plain strings: a timeline strip, a line chart, a network and a world map.

Every piece of text that goes into a chart (names, summaries, titles) is escaped here; the result is
:class:`markupsafe.Markup` so the templates insert it as is. Colours come from CSS classes (``st-planned``,
``series-0`` ...) defined in ``static/storyline.css``; each chart has ``role="img"`` with a ``<title>`` and a
``<desc>``, and each mark is a link with a ``<title>`` tooltip.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from markupsafe import Markup, escape


def _e(value: object) -> str:
    return str(escape(str(value)))


def href(prefix: str, ident: str) -> str:
    """A path for an id: ``/events/ev-1``; the id is percent-encoded (and escaped where it is inserted)."""
    return prefix + quote(ident, safe="")


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _open(width: int, height: int, title: str, desc: str, ident: str, css: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart {css}" aria-labelledby="{ident}-title {ident}-desc" '
        f'preserveAspectRatio="xMidYMid meet">',
        f'<title id="{ident}-title">{_e(title)}</title>',
        f'<desc id="{ident}-desc">{_e(desc)}</desc>',
    ]


# -- time axis --------------------------------------------------------------------------------------------


def _year_ticks(first: date, last: date, max_ticks: int = 12) -> list[date]:
    years = last.year - first.year + 1
    step = 1
    for s in (1, 2, 5, 10, 20, 50, 100):
        step = s
        if years / s <= max_ticks:
            break
    start = first.year - first.year % step
    return [date(y, 1, 1) for y in range(start, last.year + 2, step) if first <= date(y, 1, 1) <= last]


def _month_ticks(first: date, last: date) -> list[date]:
    out = []
    y, m = first.year, first.month
    while date(y, m, 1) <= last:
        if date(y, m, 1) >= first:
            out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _ticks(first: date, last: date) -> tuple[list[date], str]:
    if (last - first).days < 400:
        return _month_ticks(first, last), "month"
    return _year_ticks(first, last), "year"


@dataclass(frozen=True)
class Mark:
    """An event on a timeline."""

    id: str
    start: date
    end: date
    status: str
    label: str  # the tooltip: summary, date, status
    href: str


SHAPES = {
    "occurred": "filled circle",
    "planned": "hollow circle",
    "ongoing": "filled square",
    "postponed": "hollow diamond",
    "cancelled": "cross",
    "hypothetical": "dotted circle",
    "negated": "cross",
}


def _shape(status: str, x: float, y: float, r: float = 7) -> str:
    css = f"mark st-{_e(status)}"
    if status in ("cancelled", "negated"):
        d = r * 0.8
        return (
            f'<circle class="hit" cx="{_num(x)}" cy="{_num(y)}" r="{_num(r + 2)}"/>'
            f'<path class="{css} cross" d="M{_num(x - d)} {_num(y - d)}L{_num(x + d)} {_num(y + d)}'
            f'M{_num(x - d)} {_num(y + d)}L{_num(x + d)} {_num(y - d)}"/>'
        )
    if status == "ongoing":
        return f'<rect class="{css}" x="{_num(x - r)}" y="{_num(y - r)}" width="{_num(2 * r)}" height="{_num(2 * r)}"/>'
    if status == "postponed":
        return (
            f'<path class="{css} hollow" d="M{_num(x)} {_num(y - r - 1)}L{_num(x + r + 1)} {_num(y)}'
            f'L{_num(x)} {_num(y + r + 1)}L{_num(x - r - 1)} {_num(y)}Z"/>'
        )
    extra = " hollow" if status in ("planned", "hypothetical") else ""
    extra += " dotted" if status == "hypothetical" else ""
    return f'<circle class="{css}{extra}" cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}"/>'


def timeline(marks: Sequence[Mark], *, title: str, ident: str = "timeline", width: int = 960) -> Markup:
    """Events as marks on a time axis, coloured and shaped by status; each mark links to its event. Marks
    that would overlap are stacked in lanes."""
    dated = sorted(marks, key=lambda m: (m.start, m.end, m.id))
    if not dated:
        parts = _open(width, 60, title, "No dated events.", ident, "timeline")
        parts.append('<text x="16" y="36" class="axis-label">No dated events.</text></svg>')
        return Markup("".join(parts))
    first, last = dated[0].start, max(m.end for m in dated)
    pad = max(15, (last - first).days // 25)
    first, last = date.fromordinal(first.toordinal() - pad), date.fromordinal(last.toordinal() + pad)
    left, right = 24, width - 24
    span = max(1, (last - first).days)

    def x_of(d: date) -> float:
        return left + (right - left) * (d - first).days / span

    lanes: list[float] = []  # the right edge of the last mark in each lane
    placed = []
    for m in dated:
        x0, x1 = x_of(m.start), x_of(m.end)
        xm = (x0 + x1) / 2
        lane = next((k for k, edge in enumerate(lanes) if xm - 9 > edge), len(lanes))
        if lane == len(lanes):
            lanes.append(0.0)
        lanes[lane] = max(xm + 9, x1)
        placed.append((m, x0, x1, xm, lane))
    lane_h = 22
    axis_y = 24 + lane_h * len(lanes)
    height = axis_y + 34
    desc = (
        f"{len(dated)} events from {dated[0].start.isoformat()} to {max(m.end for m in dated).isoformat()}."
    )
    parts = _open(width, height, title, desc, ident, "timeline")
    ticks, unit = _ticks(first, last)
    parts.append('<g class="axis">')
    parts.append(f'<line x1="{left}" y1="{axis_y}" x2="{right}" y2="{axis_y}"/>')
    for tick in ticks:
        x = x_of(tick)
        label = str(tick.year) if unit == "year" else tick.strftime("%b %Y")
        parts.append(f'<line class="grid" x1="{_num(x)}" y1="8" x2="{_num(x)}" y2="{axis_y + 5}"/>')
        parts.append(f'<text class="axis-label" x="{_num(x)}" y="{axis_y + 20}">{_e(label)}</text>')
    parts.append("</g>")
    for m, x0, x1, xm, lane in placed:
        y = 16 + lane_h * lane + lane_h / 2
        parts.append(f'<a href="{_e(m.href)}" class="mark-link"><title>{_e(m.label)}</title>')
        if x1 - x0 > 16:
            parts.append(
                f'<line class="span st-{_e(m.status)}" x1="{_num(x0)}" y1="{_num(y)}" x2="{_num(x1)}" y2="{_num(y)}"/>'
            )
        parts.append(_shape(m.status, xm, y))
        parts.append("</a>")
    parts.append("</svg>")
    return Markup("".join(parts))


def legend(statuses: Sequence[str], labels: dict[str, str], *, ident: str = "legend") -> Markup:
    """A small legend: each status's shape and colour next to its name."""
    width = 150 * len(statuses)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 24" class="legend" '
        f'aria-hidden="true" focusable="false">'
    ]
    for k, status in enumerate(statuses):
        x = 12 + 150 * k
        parts.append(_shape(status, x, 12, 6))
        parts.append(
            f'<text class="axis-label start" x="{x + 12}" y="16">{_e(labels.get(status, status))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


# -- line chart -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    at: date
    value: float
    label: str
    href: str


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def human(value: float) -> str:
    """1.2 billion, 336.3 million, 12 thousand."""
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if abs(value) >= size:
            return f"{value / size:.4g} {word}"
    return f"{value:.4g}"


def line_chart(
    series: Sequence[tuple[str, Sequence[Point]]],
    *,
    title: str,
    unit: str,
    ident: str = "chart",
    width: int = 960,
    height: int = 380,
) -> Markup:
    """Values over time, one line per series; each point a link with its value as tooltip."""
    points = [p for _, s in series for p in s]
    desc = f"{len(points)} values in {unit} over time, in {len(series)} series."
    parts = _open(width, height, title, desc, ident, "linechart")
    if not points:
        parts.append('<text x="16" y="36" class="axis-label start">No values to show.</text></svg>')
        return Markup("".join(parts))
    left, right, top, bottom = 96, width - 24, 34, height - 40
    first, last = min(p.at for p in points), max(p.at for p in points)
    pad = max(30, (last - first).days // 12)
    first, last = date.fromordinal(first.toordinal() - pad), date.fromordinal(last.toordinal() + pad)
    top_value = max(p.value for p in points) or 1.0
    step = _nice_step(top_value * 1.1)
    ymax = step * math.ceil(top_value * 1.1 / step)

    def x_of(d: date) -> float:
        return left + (right - left) * (d - first).days / max(1, (last - first).days)

    def y_of(v: float) -> float:
        return bottom - (bottom - top) * v / ymax

    parts.append('<g class="axis">')
    parts.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}"/>')
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}"/>')
    v = 0.0
    while v <= ymax + step / 2:
        y = y_of(v)
        parts.append(f'<line class="grid" x1="{left}" y1="{_num(y)}" x2="{right}" y2="{_num(y)}"/>')
        parts.append(f'<text class="axis-label end" x="{left - 6}" y="{_num(y + 4)}">{_e(human(v))}</text>')
        v += step
    ticks, kind = _ticks(first, last)
    for tick in ticks:
        x = x_of(tick)
        label = str(tick.year) if kind == "year" else tick.strftime("%b %Y")
        parts.append(f'<text class="axis-label" x="{_num(x)}" y="{bottom + 20}">{_e(label)}</text>')
    parts.append(f'<text class="axis-label start" x="{left - 6}" y="{top - 14}">{_e(unit)}</text>')
    parts.append("</g>")
    for k, (name, pts) in enumerate(series):
        css = f"series-{k % 6}"
        ordered = sorted(pts, key=lambda p: p.at)
        if len(ordered) > 1:
            path = " ".join(f"{_num(x_of(p.at))},{_num(y_of(p.value))}" for p in ordered)
            parts.append(f'<polyline class="line {css}" points="{path}"><title>{_e(name)}</title></polyline>')
        for p in ordered:
            parts.append(
                f'<a href="{_e(p.href)}" class="mark-link"><title>{_e(p.label)}</title>'
                f'<circle class="point {css}" cx="{_num(x_of(p.at))}" cy="{_num(y_of(p.value))}" r="6"/></a>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


# -- network ----------------------------------------------------------------------------------------------


def network(
    nodes: Sequence[tuple[str, str, int]],
    edges: Sequence[tuple[str, str, int]],
    *,
    title: str,
    ident: str = "network",
    size: int = 640,
    margin: int = 220,
) -> Markup:
    """Nodes (id, name, events) on a circle, edges (a, b, events) with widths by their number of events;
    each node links to its actor page."""
    desc = f"{len(nodes)} actors and {len(edges)} pairs that met."
    parts = _open(size + 2 * margin, size, title, desc, ident, "network")
    if not nodes:
        parts.append('<text x="16" y="36" class="axis-label start">No meetings in this range.</text></svg>')
        return Markup("".join(parts))
    cx, cy, radius = size / 2 + margin, size / 2, size / 2 - 50
    where = {}
    for k, (node, _, _) in enumerate(nodes):
        angle = -math.pi / 2 + 2 * math.pi * k / len(nodes)
        where[node] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle), angle)
    heaviest = max((n for _, _, n in edges), default=1)
    label = {n: name for n, name, _ in nodes}
    parts.append('<g class="edges">')
    for a, b, n in edges:
        (xa, ya, _), (xb, yb, _) = where[a], where[b]
        w = 1 + 7 * n / heaviest
        parts.append(
            f'<line class="edge" x1="{_num(xa)}" y1="{_num(ya)}" x2="{_num(xb)}" y2="{_num(yb)}" '
            f'stroke-width="{_num(w)}"><title>{_e(label[a])} – {_e(label[b])}: {n} '
            f"event{'s' if n != 1 else ''}</title></line>"
        )
    parts.append("</g>")
    most = max(n for _, _, n in nodes)
    for node, name, n in nodes:
        x, y, angle = where[node]
        r = 6 + 10 * math.sqrt(n / most)
        lx, ly = x + (r + 6) * math.cos(angle), y + (r + 6) * math.sin(angle)
        anchor = "start" if math.cos(angle) > 0.2 else "end" if math.cos(angle) < -0.2 else "middle"
        dy = 4 if abs(math.sin(angle)) < 0.8 else (14 if math.sin(angle) > 0 else -4)
        parts.append(
            f'<a href="{_e(href("/actors/", node))}" class="mark-link node-link">'
            f"<title>{_e(name)}: {n} meeting{'s' if n != 1 else ''}</title>"
            f'<circle class="node" cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}"/>'
            f'<text class="node-label {anchor}" x="{_num(lx)}" y="{_num(ly + dy)}">{_e(_short(name))}</text></a>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(name: str, most: int = 30) -> str:
    return name if len(name) <= most else name[: most - 1].rstrip() + "…"


# -- world map --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dot:
    key: str
    name: str
    lat: float
    lon: float
    count: int
    label: str
    href: str


def world_map(
    dots: Sequence[Dot],
    cells: Sequence[tuple[float, float]],
    *,
    title: str,
    ident: str = "map",
    cell: float = 2.0,
    fit: bool = True,
) -> Markup:
    """An equirectangular plot (1 degree = 4 units) with a graticule every 10 or 30 degrees, the inhabited
    land as a grid of cells, and a dot per place (area by number of events) linking to it. With ``fit`` the
    view is the dots' bounding box plus a margin, else the whole world."""
    scale = 4.0

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return (lon + 180) * scale, (90 - lat) * scale

    if fit and dots:
        west = max(-180.0, min(d.lon for d in dots) - 25)
        east = min(180.0, max(d.lon for d in dots) + 25)
        north = min(90.0, max(d.lat for d in dots) + 15)
        south = max(-90.0, min(d.lat for d in dots) - 15)
    else:
        west, east, north, south = -180.0, 180.0, 90.0, -90.0
    x0, y0 = xy(north, west)
    x1, y1 = xy(south, east)
    w, h = x1 - x0, y1 - y0
    desc = f"{len(dots)} places with events, from {west:.0f}° to {east:.0f}° of longitude."
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{_num(x0)} {_num(y0)} {_num(w)} {_num(h)}" '
        f'role="img" class="chart worldmap" aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{_e(title)}</title>',
        f'<desc id="{ident}-desc">{_e(desc)}</desc>',
        f'<rect class="sea" x="{_num(x0)}" y="{_num(y0)}" width="{_num(w)}" height="{_num(h)}"/>',
    ]
    land = []
    for lon, lat in cells:
        if west - cell <= lon <= east and south <= lat <= north + cell:
            x, y = xy(lat, lon)
            land.append(
                f"M{_num(x)} {_num(y)}h{_num(cell * scale - 1)}v{_num(cell * scale - 1)}h-{_num(cell * scale - 1)}z"
            )
    parts.append(f'<path class="land" d="{"".join(land)}"/>')
    step = 10 if east - west <= 120 else 30
    parts.append('<g class="graticule">')
    for lon in range(-180, 181, step):
        if west <= lon <= east:
            x, _ = xy(0, lon)
            parts.append(f'<line x1="{_num(x)}" y1="{_num(y0)}" x2="{_num(x)}" y2="{_num(y1)}"/>')
            parts.append(f'<text class="map-label" x="{_num(x + 2)}" y="{_num(y1 - 4)}">{lon}°</text>')
    for lat in range(-90, 91, step):
        if south <= lat <= north:
            _, y = xy(lat, 0)
            parts.append(f'<line x1="{_num(x0)}" y1="{_num(y)}" x2="{_num(x1)}" y2="{_num(y)}"/>')
            parts.append(f'<text class="map-label" x="{_num(x0 + 2)}" y="{_num(y - 2)}">{lat}°</text>')
    parts.append("</g>")
    most = max((d.count for d in dots), default=1)
    for d in sorted(dots, key=lambda d: -d.count):
        x, y = xy(d.lat, d.lon)
        r = 4 + 8 * math.sqrt(d.count / most)
        parts.append(
            f'<a href="{_e(d.href)}" class="mark-link"><title>{_e(d.label)}</title>'
            f'<circle class="dot" cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}"/>'
            f'<text class="dot-label" x="{_num(x + r + 3)}" y="{_num(y + 4)}">{_e(d.name)}</text></a>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
