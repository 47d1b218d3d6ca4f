"""Server-rendered SVG: choropleth maps and small charts, without JavaScript.

Maps take geometries in EPSG:4326 and draw them in a simple local projection (an
equirectangular projection with the scale of the map's central latitude), which is
close enough for the extent of a Land or a city.  Every area is an ``<a>`` element, so it
is reachable with the keyboard, with a ``<title>`` as tooltip and accessible name.
Areas without a published value are hatched: one pattern for withheld values, another
for missing ones.  Styles use SVG presentation attributes and CSS classes only, so the
pages work under a Content-Security-Policy without ``unsafe-inline``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from markupsafe import Markup, escape

__all__ = [
    "HATCH_MISSING",
    "HATCH_SUPPRESSED",
    "Area",
    "bar_chart",
    "choropleth",
    "line_chart",
    "local_projection",
    "palette",
    "polygon_rings",
    "sparkline",
    "swatch",
]

HATCH_SUPPRESSED = "kz-hatch-suppressed"
HATCH_MISSING = "kz-hatch-missing"

#: Sequential ColorBrewer schemes (9 classes), light to dark.
_SCHEMES = {
    "worse": ["#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c",
              "#bd0026", "#800026"],  # YlOrRd: higher is worse
    "better": ["#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8",
               "#253494", "#081d58"],  # YlGnBu: higher is better
    "neutral": ["#fcfbfd", "#efedf5", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3",
                "#54278f", "#3f007d"],  # Purples
}
#: Distinguishable line colours (Okabe-Ito) and dash patterns for colour-blind readers.
LINE_COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000",
                "#f0e442"]
LINE_DASHES = ["", "6 3", "2 3", "8 3 2 3", "", "6 3", "2 3", "8 3 2 3"]


def palette(k: int, polarity: int) -> list[str]:
    """``k`` colours light to dark; red for 'higher is worse', blue for 'better'."""
    scheme = _SCHEMES["worse" if polarity < 0 else "better" if polarity > 0 else "neutral"]
    if k <= 0:
        return []
    idx = np.round(np.linspace(1 if k <= 7 else 0, 8, k)).astype(int) if k > 1 \
        else np.array([5])
    return [scheme[i] for i in idx]


@dataclass
class Area:
    """One area of a map: ``fill`` is a colour, or ``"suppressed"`` / ``"missing"``."""

    id: str
    geometry: object
    fill: str
    title: str
    href: str | None = None
    css: str = ""


def _defs() -> str:
    return (
        "<defs>"
        f'<pattern id="{HATCH_SUPPRESSED}" patternUnits="userSpaceOnUse" width="6" '
        'height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#444444" stroke-width="2.2"/></pattern>'
        f'<pattern id="{HATCH_MISSING}" patternUnits="userSpaceOnUse" width="8" height="8">'
        '<rect width="8" height="8" fill="#f4f4f4"/><path d="M0,0 L8,8 M8,0 L0,8" '
        'stroke="#9a9a9a" stroke-width="0.8"/></pattern>'
        "</defs>")


def _fill(fill: str) -> str:
    if fill == "suppressed":
        return f"url(#{HATCH_SUPPRESSED})"
    if fill == "missing":
        return f"url(#{HATCH_MISSING})"
    return fill


def swatch(fill: str, label: str = "") -> Markup:
    """A small legend square in the fill of a map area."""
    return Markup(
        '<svg class="swatch" width="22" height="14" viewBox="0 0 22 14" aria-hidden="true" '
        f'focusable="false"><rect x="0.5" y="0.5" width="21" height="13" '
        f'fill="{escape(_fill(fill))}" stroke="#555555" stroke-width="1"/></svg>')


def polygon_rings(geom: object) -> list[np.ndarray]:
    """The exterior and interior rings of the polygons of ``geom`` as coordinate arrays
    (shared by the maps of the pages and of the reports)."""
    rings: list[np.ndarray] = []
    for part in shapely.get_parts(np.asarray([geom], dtype=object)):
        if shapely.get_type_id(part) != 3:  # polygons only
            continue
        rings.append(shapely.get_coordinates(shapely.get_exterior_ring(part)))
        n = int(shapely.get_num_interior_rings(part))
        rings.extend(shapely.get_coordinates(shapely.get_interior_ring(part, i))
                     for i in range(n))
    return rings


def _path(rings: list[np.ndarray]) -> str:
    out = []
    for ring in rings:
        if len(ring) < 3:
            continue
        pts = np.round(ring, 1)
        body = " ".join(f"{x:g},{y:g}" for x, y in pts[:-1])
        out.append(f"M{body}Z")
    return "".join(out)


def local_projection(geoms: np.ndarray, width: float
                     ) -> tuple[Callable[[np.ndarray], np.ndarray], float]:
    """An equirectangular projection of ``geoms`` (EPSG:4326) scaled by the cosine of
    their central latitude into a drawing ``width`` wide (y downwards): the coordinate
    transform and the drawing's height.  Close enough for a city or a Land; shared by the
    maps of the pages and of the reports."""
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    k = math.cos(math.radians((miny + maxy) / 2))
    scale = width / max((maxx - minx) * k, 1e-9)
    height = max((maxy - miny) * scale, 1.0)

    def project(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(((coords[:, 0] - minx) * k * scale,
                                (maxy - coords[:, 1]) * scale))

    return project, height


_CACHE: dict[tuple[object, ...], tuple[float, list[str]]] = {}
_CACHE_LOCK = threading.Lock()


def _project(geoms: np.ndarray, width: float) -> tuple[float, list[str]]:
    """Height of the drawing and one SVG path per geometry (empty where none)."""
    valid = np.array([g is not None and not shapely.is_empty(g) for g in geoms], dtype=bool)
    if not valid.any():
        return 0.0, [""] * len(geoms)
    project, height = local_projection(geoms[valid], width)
    shapes = shapely.simplify(shapely.transform(geoms[valid], project), 0.35,
                              preserve_topology=True)
    paths = [""] * len(geoms)
    for i, shape in zip(np.flatnonzero(valid), shapes, strict=True):
        paths[int(i)] = _path(polygon_rings(shape))
    return height, paths


def choropleth(areas: Sequence[Area], *, label: str, width: float = 800.0,
               cache_key: object = None) -> Markup:
    """An SVG map of ``areas`` (EPSG:4326) in a local equirectangular projection.

    With ``cache_key`` (e.g. the data version and level) the projected paths are kept
    for the next map of the same areas.
    """
    geoms = np.array([a.geometry for a in areas], dtype=object)
    key = None if cache_key is None else (cache_key, width, tuple(a.id for a in areas))
    hit = _CACHE.get(key) if key is not None else None
    if hit is None:
        hit = _project(geoms, width)
        if key is not None:
            with _CACHE_LOCK:
                if len(_CACHE) > 64:
                    _CACHE.clear()
                _CACHE[key] = hit
    height, paths = hit
    if not any(paths):
        return Markup(f'<p class="map-empty">{escape(label)}: –</p>')
    parts = [f'<svg class="map" viewBox="-2 -2 {width + 4:.0f} {height + 4:.0f}" '
             f'role="group" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
             _defs()]
    for area, d in zip(areas, paths, strict=True):
        if not d:
            continue
        css = f"area {area.css}".strip()
        path = (f'<path d="{d}" fill="{escape(_fill(area.fill))}" fill-rule="evenodd" '
                f'stroke="#ffffff" stroke-width="0.6"/>')
        title = f"<title>{escape(area.title)}</title>"
        if area.href:
            parts.append(f'<a href="{escape(area.href)}" class="{escape(css)}" '
                         f'data-id="{escape(area.id)}">{title}{path}</a>')
        else:
            parts.append(f'<g class="{escape(css)}" data-id="{escape(area.id)}">{title}'
                         f"{path}</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


# -- charts ---------------------------------------------------------------------------------
@dataclass
class Series:
    """One line: ``points`` are (label on the x axis, value or ``None`` for a gap)."""

    name: str
    points: list[tuple[str, float | None]]


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi == lo:
        return [lo]
    raw = (hi - lo) / max(n - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks: list[float] = []
    v = start
    while v <= hi + step * 0.5 and len(ticks) < 12:
        ticks.append(round(v, 10))
        v += step
    return ticks


def sparkline(points: list[tuple[str, float | None]], *, label: str, width: int = 140,
              height: int = 34) -> Markup:
    """A small trend line; gaps where a value is withheld or missing."""
    vals = [v for _, v in points if v is not None]
    if len(points) < 2 or not vals:
        return Markup("")
    lo, hi = min(vals), max(vals)
    span = hi - lo or 1.0
    n = len(points)

    def xy(i: int, v: float) -> tuple[float, float]:
        return (2 + i * (width - 4) / (n - 1), height - 3 - (v - lo) / span * (height - 6))

    segments: list[list[tuple[float, float]]] = [[]]
    for i, (_, v) in enumerate(points):
        if v is None:
            segments.append([])
        else:
            segments[-1].append(xy(i, v))
    lines = "".join(
        '<polyline fill="none" stroke="#0b5394" stroke-width="1.6" points="'
        + " ".join(f"{x:.1f},{y:.1f}" for x, y in seg) + '"/>'
        for seg in segments if len(seg) > 1)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.8" fill="#0b5394"/>'
                   for seg in segments if len(seg) == 1 for x, y in seg)
    last = next(((i, v) for i, (_, v) in reversed(list(enumerate(points))) if v is not None))
    lx, ly = xy(*last)
    return Markup(
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title>{lines}{dots}"
        f'<circle cx="{lx:.1f}" cy="{ly:.1f}" r="2.6" fill="#c0392b"/></svg>')


def line_chart(series: Sequence[Series], *, label: str, fmt: object,
               width: int = 760, height: int = 320) -> Markup:
    """Several lines over shared x labels, with axes, ticks and a legend.

    ``fmt`` formats a tick or point value (e.g. German numbers).
    """
    xs = sorted({x for s in series for x, _ in s.points})
    vals = [v for s in series for _, v in s.points if v is not None]
    if not xs or not vals:
        return Markup("")
    left, right, top, bottom = 70, 16, 14, 40
    pw, ph = width - left - right, height - top - bottom
    lo, hi = min(vals), max(vals)
    ticks = _nice_ticks(lo, hi)
    lo, hi = min([lo, *ticks]), max([hi, *ticks])
    span = hi - lo or 1.0
    pos = {x: left + (i * pw / (len(xs) - 1) if len(xs) > 1 else pw / 2)
           for i, x in enumerate(xs)}

    def y_of(v: float) -> float:
        return top + ph - (v - lo) / span * ph

    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
           f"<title>{escape(label)}</title>"]
    for t in ticks:
        y = y_of(t)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" '
                   'stroke="#dddddd" stroke-width="1"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
                   f'class="tick">{escape(fmt(t))}</text>')  # type: ignore[operator]
    every = max(1, math.ceil(len(xs) / 12))
    for i, x in enumerate(xs):
        last = i == len(xs) - 1
        if last or (i % every == 0 and len(xs) - 1 - i >= every):
            out.append(f'<text x="{pos[x]:.1f}" y="{top + ph + 18}" text-anchor="middle" '
                       f'class="tick">{escape(x)}</text>')
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + ph}" stroke="#666666"/>'
               f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" '
               'stroke="#666666"/>')
    for n, s in enumerate(series):
        colour = LINE_COLOURS[n % len(LINE_COLOURS)]
        dash = LINE_DASHES[n % len(LINE_DASHES)]
        segs: list[list[tuple[float, float, str, float]]] = [[]]
        for x, v in sorted(s.points):
            if v is None:
                segs.append([])
            else:
                segs[-1].append((pos[x], y_of(v), x, v))
        out.append(f'<g class="series" data-name="{escape(s.name)}">')
        for seg in segs:
            if len(seg) > 1:
                pts = " ".join(f"{px:.1f},{py:.1f}" for px, py, _, _ in seg)
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"'
                           f'{dash_attr} points="{pts}"/>')
            for px, py, x, v in seg:
                out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}" '
                           f'data-x="{escape(x)}" data-v="{v:.10g}">'
                           f"<title>{escape(s.name)}, {escape(x)}: "
                           f"{escape(fmt(v))}</title></circle>")  # type: ignore[operator]
        out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))


def bar_chart(items: Sequence[tuple[str, float]], *, label: str, fmt: object,
              width: int = 760, height: int = 220, maximum: float | None = None) -> Markup:
    """Vertical bars with their value written above."""
    if not items:
        return Markup("")
    left, bottom, top = 10, 26, 22
    ph = height - bottom - top
    top_value = maximum if maximum else max(v for _, v in items) or 1.0
    bw = (width - 2 * left) / len(items)
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
           f"<title>{escape(label)}</title>"]
    for i, (name, v) in enumerate(items):
        h = max(v / top_value * ph, 0.0)
        x = left + i * bw + bw * 0.15
        y = top + ph - h
        text = escape(fmt(v))  # type: ignore[operator]
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw * 0.7:.1f}" height="{h:.1f}" '
                   f'fill="#0b5394" data-x="{escape(name)}" data-v="{v:.10g}">'
                   f'<title>{escape(name)}: {text}</title></rect>'
                   f'<text x="{x + bw * 0.35:.1f}" y="{y - 5:.1f}" text-anchor="middle" '
                   f'class="tick">{text}</text>'
                   f'<text x="{x + bw * 0.35:.1f}" y="{height - 8}" text-anchor="middle" '
                   f'class="tick">{escape(name)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
