"""A clearly labelled SYNTHETIC street directory for the Köln demo (issue #19).

The bundled data hold no street names of Köln (the OSM extract has amenity points with
names only, the Stadt Köln boundaries have no streets), so this module invents a small
street directory: common German street names, each placed (seeded, always the same) in
one or two Köln Stadtteile, with house-number sections and a position per section along
a straight line inside the Stadtteil.  The streets are **not real**: the dataset is named
``SYNTHETISCH: ...`` and flagged synthetic, and the finder and the place search say so.
"""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from kekiz.demo.offers import default_boundaries

__all__ = ["STREET_NAMES", "write_synthetic_streets"]

#: Street names invented for the demo (the most common street names in Germany).
STREET_NAMES = ("Hauptstraße", "Schulstraße", "Gartenstraße", "Bahnhofstraße",
                "Dorfstraße", "Bergstraße", "Birkenweg", "Lindenstraße", "Kirchstraße",
                "Waldstraße", "Ringstraße", "Schillerstraße", "Goethestraße", "Wiesenweg",
                "Amselweg", "Feldstraße", "Friedhofstraße", "Jahnstraße", "Mühlenweg",
                "Rosenstraße")
_HEADER = ["strasse", "hausnummer_von", "hausnummer_bis", "seite", "plz", "gebiet", "lat",
           "lon"]


def _inside(poly: shapely.Geometry, rng: np.random.Generator) -> shapely.Point:
    x0, y0, x1, y1 = poly.bounds
    for _ in range(1000):
        pt = shapely.Point(rng.uniform(x0, x1), rng.uniform(y0, y1))
        if poly.contains(pt):
            return pt
    return poly.representative_point()


def _sections(name: str, poly: shapely.Geometry, key: str, numbers: tuple[int, int],
              rng: np.random.Generator) -> list[list[str]]:
    """Sections of 40 house numbers along a line between two points inside ``poly``."""
    a, b = _inside(poly, rng), _inside(poly, rng)
    first, last = numbers
    starts = list(range(first, last + 1, 40))
    rows = []
    for k, start in enumerate(starts):
        f = (k + 0.5) / len(starts)
        x, y = a.x + f * (b.x - a.x), a.y + f * (b.y - a.y)
        rows.append([name, str(start), str(min(start + 39, last)), "alle", "",
                     key, f"{y:.6f}", f"{x:.6f}"])
    return rows


def write_synthetic_streets(path: Path, boundaries: Path | None = None, *, seed: int = 2012,
                            id_field: str = "STT_NR") -> int:
    """Write the synthetic directory (``;``-separated, see
    :mod:`kekiz.ingest.streets`) to ``path``; the number of sections."""
    shapes = gpd.read_file(boundaries or default_boundaries(), engine="pyogrio")
    shapes = (shapes if shapes.crs is not None else shapes.set_crs(4326)).to_crs(4326)
    rng = np.random.default_rng(seed)
    rows: list[list[str]] = []
    for n, name in enumerate(STREET_NAMES):
        picks = rng.choice(len(shapes), size=2, replace=False)
        # every third street runs through two Stadtteile (house numbers decide);
        # the others, Hauptstraße among them, lie in one
        split = n % 3 == 2
        parts = [(int(picks[0]), (1, 80 if split else 120))]
        if split:
            parts.append((int(picks[1]), (81, 160)))
        for i, numbers in parts:
            rows += _sections(name, shapes.geometry.iloc[i], str(shapes[id_field].iloc[i]),
                              numbers, rng)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\n")
        writer.writerow(_HEADER)
        writer.writerows(rows)
    return len(rows)
