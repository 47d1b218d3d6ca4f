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
    "FunnelPoint",
    "Series",
    "bar_chart",
    "choropleth",
    "funnel_chart",
    "line_chart",
    "local_projection",
    "palette",
    "polygon_rings",
    "ranking_chart",
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


def _finite(v: float | None) -> bool:
    return v is not None and math.isfinite(v)


def sparkline(points: Sequence[tuple[str, float | None]], *, label: str, width: int = 140,
              height: int = 34, colour: str = "#0b5394", mark_last: bool = True) -> Markup:
    """A small trend line; gaps where a value is withheld or missing (``None``, NaN);
    the last value marked in red unless ``mark_last`` is False."""
    vals = [v for _, v in points if v is not None and math.isfinite(v)]
    if len(points) < 2 or not vals:
        return Markup("")
    lo, hi = min(vals), max(vals)
    span = hi - lo or 1.0
    n = len(points)
    stroke = escape(colour)

    def xy(i: int, v: float) -> tuple[float, float]:
        return (2 + i * (width - 4) / (n - 1), height - 3 - (v - lo) / span * (height - 6))

    segments: list[list[tuple[float, float]]] = [[]]
    for i, (_, v) in enumerate(points):
        if v is None or not math.isfinite(v):
            segments.append([])
        else:
            segments[-1].append(xy(i, v))
    lines = "".join(
        f'<polyline fill="none" stroke="{stroke}" stroke-width="1.6" points="'
        + " ".join(f"{x:.1f},{y:.1f}" for x, y in seg) + '"/>'
        for seg in segments if len(seg) > 1)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.8" fill="{stroke}"/>'
                   for seg in segments if len(seg) == 1 for x, y in seg)
    marker = ""
    if mark_last:
        i, v = next((i, v) for i, (_, v) in reversed(list(enumerate(points))) if _finite(v))
        lx, ly = xy(i, float(v))  # type: ignore[arg-type]
        marker = f'<circle cx="{lx:.1f}" cy="{ly:.1f}" r="2.6" fill="#c0392b"/>'
    return Markup(
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title>{lines}{dots}{marker}</svg>")


#: Width of one character of chart text (11 px sans-serif: the size every chart text
#: carries as a presentation attribute, so that it holds where a page's CSS does not
#: reach, as in WeasyPrint's PDF), to lay out legends and shorten axis titles so that
#: they stay inside the chart.
CHAR_PX = 6.5


def _legend(entries: Sequence[tuple[str, str, str]], left: float, top: float,
            width: float) -> tuple[str, float]:
    """Legend rows of lines from ``left``/``top`` within ``width``: entries are (name,
    colour, dash pattern); the SVG and the height it takes."""
    out: list[str] = []
    x, y = left, top
    for name, colour, dash in entries:
        shown = name if len(name) <= 40 else name[:39] + "…"
        w = 30 + CHAR_PX * len(shown) + 14
        if x > left and x + w > left + width:
            x, y = left, y + 16
        mid = y + 8
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{x:.1f}" x2="{x + 24:.1f}" y1="{mid:.1f}" y2="{mid:.1f}" '
                   f'stroke="{colour}" stroke-width="2"{dash_attr}/>')
        out.append(f'<text x="{x + 30:.1f}" y="{mid + 3.5:.1f}" class="tick" font-size="11">'
                   f"{escape(shown)}</text>")
        x += w
    return "".join(out), (y - top + 16) if entries else 0.0


def _y_title(text: str, top: float, plot_height: float) -> str:
    """An axis title along the y axis (rotated), shortened to the plot's height."""
    if not text:
        return ""
    room = max(int(plot_height / CHAR_PX), 4)
    shown = text if len(text) <= room else text[:room - 1] + "…"
    return (f'<text class="tick axis-title" font-size="11" text-anchor="middle" '
            f'transform="translate(12 {top + plot_height / 2:.1f}) rotate(-90)">'
            f"{escape(shown)}</text>")


def line_chart(series: Sequence[Series], *, label: str, fmt: object,
               width: int = 760, height: int = 320, y_title: str = "",
               colours: Sequence[str] | None = None, legend: bool = False) -> Markup:
    """Several lines over shared x labels, with axes and ticks; with ``y_title`` a title
    along the y axis, with ``legend`` the names of the lines below the chart (the
    chart grows by the legend's rows).

    ``fmt`` formats a tick or point value (e.g. German numbers); ``colours`` replace the
    default line colours in order; a value ``None`` or NaN leaves a gap.
    """
    series = [Series(s.name, [(x, v if _finite(v) else None) for x, v in s.points])
              for s in series]
    xs = sorted({x for s in series for x, _ in s.points})
    vals = [v for s in series for _, v in s.points if v is not None]
    if not xs or not vals:
        return Markup("")
    palette_ = list(colours or LINE_COLOURS)
    left, right, top, bottom = (86 if y_title else 70), 16, 14, 40
    pw, ph = width - left - right, height - top - bottom
    keys, key_height = _legend(
        [(s.name, palette_[n % len(palette_)], LINE_DASHES[n % len(LINE_DASHES)])
         for n, s in enumerate(series)] if legend else [], left, height - 8, pw)
    total = height + key_height
    lo, hi = min(vals), max(vals)
    ticks = _nice_ticks(lo, hi)
    lo, hi = min([lo, *ticks]), max([hi, *ticks])
    span = hi - lo or 1.0
    pos = {x: left + (i * pw / (len(xs) - 1) if len(xs) > 1 else pw / 2)
           for i, x in enumerate(xs)}

    def y_of(v: float) -> float:
        return top + ph - (v - lo) / span * ph

    out = [f'<svg class="chart" viewBox="0 0 {width} {total:.0f}" role="img" '
           f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
           f"<title>{escape(label)}</title>{_y_title(y_title, top, ph)}{keys}"]
    for t in ticks:
        y = y_of(t)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" '
                   'stroke="#dddddd" stroke-width="1"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
                   f'class="tick" font-size="11">{escape(fmt(t))}</text>')  # type: ignore[operator]
    every = max(1, math.ceil(len(xs) / 12))
    for i, x in enumerate(xs):
        last = i == len(xs) - 1
        if last or (i % every == 0 and len(xs) - 1 - i >= every):
            out.append(f'<text x="{pos[x]:.1f}" y="{top + ph + 18}" text-anchor="middle" '
                       f'class="tick" font-size="11">{escape(x)}</text>')
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + ph}" stroke="#666666"/>'
               f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" '
               'stroke="#666666"/>')
    for n, s in enumerate(series):
        colour = palette_[n % len(palette_)]
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
                   f'class="tick" font-size="11">{text}</text>'
                   f'<text x="{x + bw * 0.35:.1f}" y="{height - 8}" text-anchor="middle" '
                   f'class="tick" font-size="11">{escape(name)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def ranking_chart(items: Sequence[tuple[str, float, str]], *, label: str,
                  colour: str = "#1f4e79", highlight_colour: str = "#c0392b",
                  highlight: Sequence[str] = (), width: int = 640) -> Markup:
    """Horizontal bars: ``items`` are (name, value, value text), largest first as given."""
    if not items:
        return Markup("")
    row, left, right = 16, 190, 70
    height = row * len(items) + 8
    vals = [v for _, v, _ in items]
    lo = min(0.0, min(vals))
    hi = max(vals) if max(vals) > lo else lo + 1.0
    span = hi - lo
    pw = width - left - right
    x0 = left + (0 - lo) / span * pw
    marked = set(highlight)
    out = [f'<svg class="chart ranking" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
           f"<title>{escape(label)}</title>"]
    for i, (name, value, text) in enumerate(items):
        y = 4 + i * row
        x1 = left + (value - lo) / span * pw
        fill = highlight_colour if name in marked else colour
        short = name if len(name) <= 30 else name[:29] + "…"
        out.append(f'<text x="{left - 6}" y="{y + 11}" text-anchor="end" class="tick" '
                   f'font-size="11">{escape(short)}</text>'
                   f'<rect x="{min(x0, x1):.1f}" y="{y + 2}" width="{abs(x1 - x0):.1f}" '
                   f'height="{row - 5}" fill="{escape(fill)}"/>'
                   f'<text x="{max(x0, x1) + 4:.1f}" y="{y + 11}" class="tick" font-size="11">'
                   f"{escape(text)}</text>")
    out.append(f'<line x1="{x0:.1f}" x2="{x0:.1f}" y1="2" y2="{height - 2}" '
               'stroke="#666666" stroke-width="0.8"/></svg>')
    return Markup("".join(out))


@dataclass
class FunnelPoint:
    """One area of a funnel plot: its denominator, its value and how far outside the
    limits it lies (0 inside, +-1 beyond 95 %, +-2 beyond 99.8 %)."""

    name: str
    n: float
    value: float
    outside: int


def _log_ticks(lo: float, hi: float) -> list[float]:
    """Ticks of a log axis: the powers of ten in range, with 2 and 5 between them when
    the range spans less than three decades."""
    first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    steps = (1, 2, 5) if last - first < 3 else (1,)
    return [m * 10.0 ** e for e in range(first, last + 1) for m in steps
            if lo <= m * 10.0 ** e <= hi]


def funnel_chart(points: Sequence[FunnelPoint],
                 limits: Sequence[tuple[float, float, float, float, float]], *,
                 target: float, label: str, fmt: Callable[[float], str],
                 x_title: str, y_title: str, names: tuple[str, str, str],
                 n_fmt: Callable[[float], str] | None = None, highlight: str | None = None,
                 width: int = 760, height: int = 400) -> Markup:
    """A funnel plot: values over their denominators (log scale) with the 95 % and
    99.8 % limits around ``target``; ``limits`` are (n, lower 95, upper 95, lower 99.8,
    upper 99.8) in order of n; ``names`` label the 95 % and 99.8 % limits and the target
    in the legend; ``n_fmt`` formats the denominators (default ``fmt``).  Areas beyond a
    limit are red, ``highlight`` is ringed and named."""
    pts = [p for p in points if p.n > 0 and math.isfinite(p.value)]
    if not pts:
        return Markup("")
    left, right, top, bottom = 86, 16, 14, 52
    pw, ph = width - left - right, height - top - bottom
    n_lo, n_hi = min(p.n for p in pts), max(p.n for p in pts)
    if n_hi <= n_lo:
        n_lo, n_hi = n_lo / 2, n_hi * 2
    bands = [v for row in limits for v in row[1:] if math.isfinite(v)]
    vals = [p.value for p in pts] + bands + [target]
    ticks = _nice_ticks(min(vals), max(vals))
    lo, hi = min([*vals, *ticks]), max([*vals, *ticks])
    span = hi - lo or 1.0
    a, b = math.log10(n_lo), math.log10(n_hi)

    def x_of(n: float) -> float:
        return left + (math.log10(min(max(n, n_lo), n_hi)) - a) / (b - a) * pw

    def y_of(v: float) -> float:
        return top + ph - (v - lo) / span * ph

    keys, key_height = _legend([(names[0], "#555555", "6 3"), (names[1], "#555555", "2 3"),
                                (names[2], "#1f4e79", "")], left, height - 8, pw)
    out = [f'<svg class="chart funnel" viewBox="0 0 {width} {height + key_height:.0f}" '
           f'role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
           f"<title>{escape(label)}</title>{_y_title(y_title, top, ph)}{keys}"]
    for t in ticks:
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y_of(t):.1f}" '
                   f'y2="{y_of(t):.1f}" stroke="#eeeeee"/><text x="{left - 6}" '
                   f'y="{y_of(t) + 4:.1f}" text-anchor="end" class="tick" font-size="11">'
                   f"{escape(fmt(t))}</text>")
    for t in _log_ticks(n_lo, n_hi):
        out.append(f'<text x="{x_of(t):.1f}" y="{top + ph + 16}" text-anchor="middle" '
                   f'class="tick" font-size="11">{escape((n_fmt or fmt)(t))}</text>')
    out.append(f'<text x="{left + pw / 2:.1f}" y="{top + ph + 32}" text-anchor="middle" '
               f'class="tick axis-title" font-size="11">{escape(x_title)}</text>'
               f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + ph}" stroke="#666666"/>'
               f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" '
               'stroke="#666666"/>')
    out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y_of(target):.1f}" '
               f'y2="{y_of(target):.1f}" stroke="#1f4e79" stroke-width="1.2"/>')
    for col, dash in ((1, "6 3"), (2, "6 3"), (3, "2 3"), (4, "2 3")):
        line = [(x_of(r[0]), y_of(r[col])) for r in limits
                if n_lo <= r[0] <= n_hi and math.isfinite(r[col])]
        if len(line) > 1:
            out.append('<polyline fill="none" stroke="#555555" stroke-width="1" '
                       f'stroke-dasharray="{dash}" points="'
                       + " ".join(f"{x:.1f},{y:.1f}" for x, y in line) + '"/>')
    for p in pts:
        fill = "#c0392b" if p.outside else "#7f8c8d"
        out.append(f'<circle cx="{x_of(p.n):.1f}" cy="{y_of(p.value):.1f}" r="2.6" '
                   f'fill="{fill}" fill-opacity="0.85"><title>{escape(p.name)}: '
                   f"{escape(fmt(p.value))}</title></circle>")
    marked = next((p for p in pts if p.name == highlight), None)
    if marked is not None:
        cx, cy = x_of(marked.n), y_of(marked.value)
        anchor = "end" if cx > left + pw * 0.7 else "start"
        dx = -8 if anchor == "end" else 8
        out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="6" fill="none" '
                   f'stroke="#000000" stroke-width="1.5"/><text x="{cx + dx:.1f}" '
                   f'y="{max(cy - 6, top + 10):.1f}" text-anchor="{anchor}" class="tick" '
                   f'font-size="11">{escape(marked.name)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
