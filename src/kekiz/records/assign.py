"""Assigning records to units: by coordinates (fast point-in-polygon) or by district code.

:class:`PolygonIndex` answers "which polygon contains this point?" for millions of points.
It lays a regular grid over the polygons once (about a million cells) and classifies
every cell exactly:

* a cell whose closed box meets no polygon boundary lies wholly inside one polygon or
  wholly outside all of them; 4-connected runs of such cells form components, and one
  exact test of one centre per component labels the whole component;
* a cell that a boundary passes through is a *border* cell (found by densifying the
  boundaries to half a cell, widening by one cell and testing the candidate boxes
  exactly against the boundaries).

A point is then looked up with two array operations; only points in border cells (a few
per cent) get an exact shapely test (STRtree bulk query).  Points on a shared boundary go
to the polygon with the lower index.  The result equals an exact point-in-polygon test.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import CRS, Transformer
from scipy import ndimage

__all__ = ["CRS_CANDIDATES", "CodeIndex", "PolygonIndex", "guess_crs", "polygons_in_crs"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

_OUTSIDE = -1
_BORDER = -2

#: Coordinate systems a German municipal file is likely to use, tried when the declared
#: one does not fit the points (name shown in the message).
CRS_CANDIDATES: tuple[tuple[str, str], ...] = (
    ("EPSG:25832", "ETRS89 / UTM Zone 32N (Meter)"),
    ("EPSG:4647", "ETRS89 / UTM Zone 32N mit Zonenkennung 32 vor dem Rechtswert"),
    ("EPSG:4326", "WGS84, Längen- und Breitengrad (Grad)"),
    ("EPSG:25833", "ETRS89 / UTM Zone 33N (Meter)"),
    ("EPSG:31466", "DHDN / Gauß-Krüger Zone 2"),
    ("EPSG:31467", "DHDN / Gauß-Krüger Zone 3"),
    ("EPSG:3857", "Web-Mercator (Meter)"),
)


def polygons_in_crs(geometries: Sequence[shapely.Geometry], source: str,
                    target: str) -> NDArray[np.object_]:
    """Reproject polygons (few, cheap) instead of points (many)."""
    geoms = np.asarray(geometries, dtype=object)
    if CRS.from_user_input(source) == CRS.from_user_input(target):
        return geoms
    tr = Transformer.from_crs(source, target, always_xy=True)
    return np.asarray(shapely.transform(geoms, lambda xy: np.column_stack(
        tr.transform(xy[:, 0], xy[:, 1]))), dtype=object)


@dataclass(frozen=True)
class GridStats:
    """How the grid was built (for the benchmark and the docs)."""

    cells: int
    border_cells: int
    components: int
    cell_size: float


class PolygonIndex:
    """Point-in-polygon lookup over a fixed set of polygons (see the module docs)."""

    def __init__(self, polygons: Sequence[shapely.Geometry], *,
                 values: Sequence[int] | None = None, max_cells: int = 1 << 18) -> None:
        """``values[k]`` is returned for a point in polygon ``k`` (default: ``k``)."""
        self.polygons = np.asarray(polygons, dtype=object)
        self.values = None if values is None else np.asarray(values, dtype=np.int32)
        if self.polygons.size == 0:
            raise ValueError("no polygons")
        shapely.prepare(self.polygons)
        self.poly_bounds = shapely.bounds(self.polygons)
        bounds = shapely.total_bounds(self.polygons)
        width = max(bounds[2] - bounds[0], 1e-12)
        height = max(bounds[3] - bounds[1], 1e-12)
        self.cell = float(np.sqrt(width * height / max_cells))
        self.x0 = float(bounds[0]) - self.cell
        self.y0 = float(bounds[1]) - self.cell
        self.nx = int(np.ceil(width / self.cell)) + 3
        self.ny = int(np.ceil(height / self.cell)) + 3
        self.bounds = tuple(float(b) for b in bounds)
        border = self._border_cells()
        grid = np.full((self.ny, self.nx), _OUTSIDE, dtype=np.int32)
        grid[border] = _BORDER
        labels, n = ndimage.label(~border)
        comps = 0
        if n:
            # one centre per component, tested exactly
            flat = labels.ravel()
            order = np.argsort(flat, kind="stable")
            first = np.searchsorted(flat[order], np.arange(1, n + 1))
            reps = order[first]
            iy, ix = np.divmod(reps, self.nx)
            cx = self.x0 + (ix + 0.5) * self.cell
            cy = self.y0 + (iy + 0.5) * self.cell
            owner = self._exact(cx, cy)
            lut = np.concatenate([[_BORDER], owner]).astype(np.int32)
            inner = ~border
            grid[inner] = lut[labels[inner]]
            comps = int(n)
        self.grid = grid
        self.stats = GridStats(int(grid.size), int(border.sum()), comps, self.cell)

    def _border_cells(self) -> NDArray[np.bool_]:
        rings = shapely.boundary(self.polygons)
        dense = shapely.segmentize(rings, self.cell / 2.0)
        xy = shapely.get_coordinates(dense)
        cand = np.zeros((self.ny, self.nx), dtype=bool)
        ix = np.floor((xy[:, 0] - self.x0) / self.cell).astype(np.int64)
        iy = np.floor((xy[:, 1] - self.y0) / self.cell).astype(np.int64)
        cand[iy, ix] = True
        # every cell a boundary touches is next to a sample point (samples <= cell/2 apart)
        grown = cand.copy()
        grown[1:, :] |= cand[:-1, :]
        grown[:-1, :] |= cand[1:, :]
        step = grown.copy()
        step[:, 1:] |= grown[:, :-1]
        step[:, :-1] |= grown[:, 1:]
        iy, ix = np.nonzero(step)
        boxes = shapely.box(self.x0 + ix * self.cell, self.y0 + iy * self.cell,
                            self.x0 + (ix + 1) * self.cell, self.y0 + (iy + 1) * self.cell)
        ring_tree = shapely.STRtree(rings)
        hit = np.unique(ring_tree.query(boxes, predicate="intersects")[0])
        border = np.zeros((self.ny, self.nx), dtype=bool)
        border[iy[hit], ix[hit]] = True
        return border

    def _exact(self, x: FloatArray, y: FloatArray) -> NDArray[np.int32]:
        """Index of the polygon containing each point (lowest index on a shared edge).

        Each polygon is prepared once and tested against the points in its bounding box
        (``intersects_xy``: the boundary counts as inside).
        """
        out = np.full(len(x), _OUTSIDE, dtype=np.int32)
        if len(x) == 0:
            return out
        for k in range(self.polygons.size):
            minx, miny, maxx, maxy = self.poly_bounds[k]
            cand = np.flatnonzero((out == _OUTSIDE) & (x >= minx) & (x <= maxx)
                                  & (y >= miny) & (y <= maxy))
            if cand.size == 0:
                continue
            hit = shapely.intersects_xy(self.polygons[k], x[cand], y[cand])
            out[cand[hit]] = k
        return out

    def lookup(self, x: FloatArray, y: FloatArray) -> NDArray[np.int32]:
        """Polygon index per point, -1 outside all polygons or where x/y is NaN."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        fx = (x - self.x0) * (1.0 / self.cell)
        fy = (y - self.y0) * (1.0 / self.cell)
        inside = (fx >= 0) & (fx < self.nx) & (fy >= 0) & (fy < self.ny)
        out = np.full(x.shape, _OUTSIDE, dtype=np.int32)
        if inside.all():
            out = self.grid[fy.astype(np.int64), fx.astype(np.int64)]
        else:
            rows = np.flatnonzero(inside)
            out[rows] = self.grid[fy[rows].astype(np.int64), fx[rows].astype(np.int64)]
        border = np.flatnonzero(out == _BORDER)
        if border.size:
            out[border] = self._exact(x[border], y[border])
        if self.values is not None:
            out = np.where(out >= 0, self.values[np.maximum(out, 0)], out).astype(np.int32)
        return out

    def in_bounds(self, x: FloatArray, y: FloatArray) -> NDArray[np.bool_]:
        """Points inside the bounding box of all polygons."""
        b = self.bounds
        return (x >= b[0]) & (x <= b[2]) & (y >= b[1]) & (y <= b[3])


def guess_crs(x: FloatArray, y: FloatArray, index: PolygonIndex, declared: str,
              target: str) -> tuple[str, str, bool] | None:
    """A coordinate system (code, description, axes swapped) under which most of the given
    points fall into the area, when the declared one does not fit; ``None`` if none does.

    ``index`` holds the polygons in ``target``; the points are in an unknown system.
    """
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok][:2000], y[ok][:2000]
    if x.size == 0:
        return None
    declared_crs = CRS.from_user_input(declared)
    for swapped in (False, True):
        px, py = (y, x) if swapped else (x, y)
        for code, label in CRS_CANDIDATES:
            if CRS.from_user_input(code) == declared_crs and not swapped:
                continue
            tr = Transformer.from_crs(code, target, always_xy=True)
            with np.errstate(all="ignore"):
                tx, ty = tr.transform(px, py)
            tx, ty = np.asarray(tx, dtype=np.float64), np.asarray(ty, dtype=np.float64)
            fits = np.isfinite(tx) & np.isfinite(ty) & index.in_bounds(tx, ty)
            if fits.mean() >= 0.9:
                return code, label, swapped
    return None


_NUMERIC_SUFFIX = re.compile(r"^(\d+)\.0+$")


def normalise_code(value: str) -> str:
    """A district code as text: trimmed, spaces removed, Excel's '.0' dropped."""
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    match = _NUMERIC_SUFFIX.match(text)
    return match.group(1) if match else text


class CodeIndex:
    """District code -> unit position, accepting unit ids and local keys (``101`` or
    ``05315000-101``; leading zeros optional for numeric codes)."""

    def __init__(self, unit_ids: Sequence[str], keys: Mapping[str, Mapping[str, str]]) -> None:
        self.position = {u: k for k, u in enumerate(unit_ids)}
        self.codes: dict[str, int] = {}
        for scheme_keys in keys.values():
            for key, unit in scheme_keys.items():
                if unit in self.position:
                    self.codes.setdefault(normalise_code(key), self.position[unit])
        for unit, k in self.position.items():
            self.codes.setdefault(unit, k)
            if "-" in unit:
                self.codes.setdefault(unit.rsplit("-", 1)[1], k)

    def lookup(self, codes: Sequence[str | None]) -> tuple[NDArray[np.int32], list[str]]:
        """Positions per code (-1 unknown or empty) and the unknown codes (uniques)."""
        values = np.asarray(codes, dtype=object)
        uniq, inverse = np.unique(np.where(pd_isna(values), "", values).astype(str),
                                  return_inverse=True)
        mapped = np.array([self._one(u) for u in uniq], dtype=np.int32)
        unknown = [u for u, m in zip(uniq, mapped, strict=True) if m < 0 and u != ""]
        return mapped[inverse], unknown

    def _one(self, code: str) -> int:
        if not code:
            return -1
        key = normalise_code(code)
        if key in self.codes:
            return self.codes[key]
        if key.isdigit():
            stripped = key.lstrip("0") or "0"
            for cand in (stripped, *(key.zfill(w) for w in (2, 3, 4, 5, 8, 9, 12))):
                if cand in self.codes:
                    return self.codes[cand]
        return -1

    def known(self) -> list[str]:
        return sorted(self.codes)


def pd_isna(values: NDArray[np.object_]) -> NDArray[np.bool_]:
    """``None``/NaN per element of an object array."""
    return np.fromiter(((v is None) or (isinstance(v, float) and v != v) for v in values),
                       dtype=bool, count=len(values))
