"""Print-ready inline SVG for reports: choropleth maps, rankings and sparklines.

Maps take shapely geometries in EPSG:4326 and draw them in a local equirectangular
projection (scaled by the cosine of the central latitude), which is close enough for a
city or a Land.  The projected paths of a level are computed once
(:func:`project`) and reused for every map of the report, so 80 maps cost little more
than one; :func:`project_cached` keeps them across reports under a key the caller gives
(the store, its data version and the areas), so the maps of a batch of reports are drawn
from one projection per level and data version.  Locator maps of profile pages
(:func:`locator_svg`) draw the outline of all areas as one path and the located area on
top, instead of every area again on every page.

Areas without a published value are hatched: diagonal lines for values withheld by
disclosure control, a light cross-hatch for missing values.  Every SVG has its own id
prefix, so several maps in one HTML document never share pattern ids.

Charts (trends, funnel plots, rankings, sparklines) are drawn by the chart functions
of :mod:`kekiz.reporting.svg`, the same the pages use (:mod:`kekiz.reporting.report_charts`
keeps them per data).
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from markupsafe import Markup, escape

from kekiz.reporting.svg import local_projection, palette, polygon_rings

__all__ = ["MISSING", "SUPPRESSED", "Projected", "class_colours", "clear_projections",
           "hatch_swatch", "locator_svg", "map_svg", "project", "project_cached", "swatch"]

SUPPRESSED = "suppressed"
MISSING = "missing"
_IDS = itertools.count(1)


def _uid() -> str:
    return f"kzr{next(_IDS)}"


def class_colours(k: int, polarity: int) -> list[str]:
    """``k`` colours light to dark: red for 'higher is worse', blue for 'better' - the
    atlas's palette (:func:`kekiz.reporting.svg.palette`), so a class has one colour on
    the pages and in the reports."""
    return palette(k, polarity)


@dataclass
class Projected:
    """SVG paths of areas in one projection; ``paths[i]`` is empty without geometry."""

    ids: list[str]
    paths: list[str]
    width: float
    height: float
    #: all areas merged into one path (only with ``project(..., outline=True)``)
    outline: str = ""


def _path(shape: object, decimals: int) -> str:
    parts = []
    for ring in polygon_rings(shape):
        if len(ring) >= 3:
            pts = np.round(ring[:-1], decimals)
            parts.append("M" + " ".join(f"{x:g},{y:g}" for x, y in pts) + "Z")
    return "".join(parts)


def _outline(shapes: np.ndarray, tolerance: float, decimals: int) -> str:
    """One path around all ``shapes`` (drawing units): slivers between neighbours
    closed by a buffer of one tolerance, then simplified like the areas."""
    merged = shapely.union_all(shapely.buffer(shapes, tolerance))
    merged = shapely.buffer(merged, -tolerance)
    return _path(shapely.simplify(merged, tolerance, preserve_topology=True), decimals)


def project(ids: Sequence[str], geoms: Sequence[object], width: float = 640.0, *,
            tolerance: float = 0.3, decimals: int = 1, outline: bool = False) -> Projected:
    """Project ``geoms`` (EPSG:4326) into a ``width`` wide drawing, simplified to
    ``tolerance`` drawing units, coordinates rounded to ``decimals``; ``outline`` also
    draws the outline of all areas as one path (:func:`locator_svg`)."""
    arr = np.array(list(geoms), dtype=object)
    valid = np.array([g is not None and not shapely.is_empty(g) for g in arr], dtype=bool)
    if not valid.any():
        return Projected(list(ids), [""] * len(arr), width, 0.0)
    transform, height = local_projection(arr[valid], width)

    drawn = shapely.transform(arr[valid], transform)
    shapes = shapely.simplify(drawn, tolerance, preserve_topology=True)
    paths = [""] * len(arr)
    for i, shape in zip(np.flatnonzero(valid), shapes, strict=True):
        paths[int(i)] = _path(shape, decimals)
    return Projected(list(ids), paths, width, height,
                     _outline(drawn, tolerance, decimals) if outline else "")


_PROJECTIONS: OrderedDict[Hashable, Projected] = OrderedDict()
_PROJECTIONS_LOCK = threading.Lock()
_PROJECTIONS_MAX = 32


def project_cached(key: Hashable | None, ids: Sequence[str], geoms: Sequence[object],
                   width: float = 640.0, *, tolerance: float = 0.3, decimals: int = 1,
                   outline: bool = False) -> Projected:
    """:func:`project`, kept under ``key`` (with the drawing parameters) for the next
    report: ``key`` must change whenever the areas or their geometries may have changed
    (the reports service uses the store, its data version, the level and the area ids);
    ``None`` projects without keeping.  The last 32 projections are kept."""
    if key is None:
        return project(ids, geoms, width, tolerance=tolerance, decimals=decimals,
                       outline=outline)
    full = (key, width, tolerance, decimals, outline)
    with _PROJECTIONS_LOCK:
        found = _PROJECTIONS.get(full)
        if found is not None:
            _PROJECTIONS.move_to_end(full)
            return found
    made = project(ids, geoms, width, tolerance=tolerance, decimals=decimals, outline=outline)
    with _PROJECTIONS_LOCK:
        _PROJECTIONS[full] = made
        while len(_PROJECTIONS) > _PROJECTIONS_MAX:
            _PROJECTIONS.popitem(last=False)
    return made


def clear_projections() -> None:
    """Forget the kept projections (tests, or a process that changes stores)."""
    with _PROJECTIONS_LOCK:
        _PROJECTIONS.clear()


def _patterns(uid: str) -> str:
    return (f'<defs><pattern id="{uid}-s" patternUnits="userSpaceOnUse" width="6" height="6" '
            'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
            '<line x1="0" y1="0" x2="0" y2="6" stroke="#444444" stroke-width="2.2"/>'
            f'</pattern><pattern id="{uid}-m" patternUnits="userSpaceOnUse" width="8" '
            'height="8"><rect width="8" height="8" fill="#f2f2f2"/><path d="M0,0 L8,8 M8,0 '
            'L0,8" stroke="#9a9a9a" stroke-width="0.8"/></pattern></defs>')


def _fill(uid: str, fill: str) -> str:
    if fill == SUPPRESSED:
        return f"url(#{uid}-s)"
    if fill == MISSING:
        return f"url(#{uid}-m)"
    return fill


def map_svg(proj: Projected, fills: Sequence[str], titles: Sequence[str] | None, *,
            label: str,
            highlight: Sequence[str] = (), highlight_colour: str = "#000000",
            labels: dict[str, str] | None = None) -> Markup:
    """A choropleth of ``proj``: ``fills`` per area (a colour, ``SUPPRESSED`` or
    ``MISSING``), ``titles`` as tooltips; ``highlight`` ids get a thick outline and
    ``labels`` (id -> text) are written at the area's centre of its bounding box;
    ``titles=None`` leaves the tooltips out (small locator maps)."""
    if not any(proj.paths):
        return Markup("")
    uid = _uid()
    w, h = proj.width, proj.height
    out = [f'<svg class="map" viewBox="-3 -3 {w + 6:.0f} {h + 6:.0f}" role="img" '
           f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
           f"<title>{escape(label)}</title>", _patterns(uid)]
    marked = set(highlight)
    top = []
    tips = titles if titles is not None else [""] * len(proj.ids)
    for aid, path, fill, title in zip(proj.ids, proj.paths, fills, tips, strict=True):
        if not path:
            continue
        tip = f"<title>{escape(title)}</title>" if title else ""
        elem = (f'<path d="{path}" fill="{escape(_fill(uid, fill))}" fill-rule="evenodd" '
                f'stroke="#ffffff" stroke-width="0.7" data-id="{escape(aid)}">{tip}</path>')
        out.append(elem)
        if aid in marked:
            top.append(f'<path d="{path}" fill="none" stroke="{escape(highlight_colour)}" '
                       'stroke-width="2.6"/>')
    out.extend(top)
    for aid, text in (labels or {}).items():
        if aid in proj.ids:
            path = proj.paths[proj.ids.index(aid)]
            nums = np.array([float(v) for v in path.replace("M", " ").replace("Z", " ")
                             .replace(",", " ").split()]).reshape(-1, 2)
            cx, cy = (nums.min(axis=0) + nums.max(axis=0)) / 2
            out.append(f'<text x="{cx:.1f}" y="{cy:.1f}" text-anchor="middle" '
                       f'class="map-label">{escape(text)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def locator_svg(proj: Projected, area: str, *, label: str, colour: str,
                outline_colour: str = "#000000") -> Markup:
    """A small map locating ``area``: the outline of all areas of ``proj`` (projected
    with ``outline=True``) in light grey and ``area`` filled in ``colour`` on top."""
    path = proj.paths[proj.ids.index(area)] if area in proj.ids else ""
    if not proj.outline and not path:
        return Markup("")
    w, h = proj.width, proj.height
    out = [f'<svg class="map locator" viewBox="-3 -3 {w + 6:.0f} {h + 6:.0f}" role="img" '
           f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
           f"<title>{escape(label)}</title>"]
    if proj.outline:
        out.append(f'<path d="{proj.outline}" fill="#e6e6e6" fill-rule="evenodd" '
                   'stroke="#9a9a9a" stroke-width="0.7"/>')
    if path:
        out.append(f'<path d="{path}" fill="{escape(colour)}" fill-rule="evenodd" '
                   f'stroke="{escape(outline_colour)}" stroke-width="2.6" '
                   f'data-id="{escape(area)}"/>')
    out.append("</svg>")
    return Markup("".join(out))


def swatch(fill: str) -> Markup:
    """A legend square in a colour, or hatched for ``SUPPRESSED`` / ``MISSING``."""
    uid = _uid()
    defs = _patterns(uid) if fill in (SUPPRESSED, MISSING) else ""
    return Markup(f'<svg class="swatch" width="22" height="14" viewBox="0 0 22 14" '
                  f'aria-hidden="true" xmlns="http://www.w3.org/2000/svg">{defs}'
                  f'<rect x="0.5" y="0.5" width="21" height="13" '
                  f'fill="{escape(_fill(uid, fill))}" stroke="#555555" stroke-width="1"/></svg>')


def hatch_swatch(kind: str) -> Markup:
    return swatch(SUPPRESSED if kind == SUPPRESSED else MISSING)
