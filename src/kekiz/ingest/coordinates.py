"""Coordinates in files: which columns hold them and in which reference system.

Column pairs are found by name (lat/lon, latitude/longitude, y/x, Breite/Länge,
Hochwert/Rechtswert ...); the reference system is recognised from the values (WGS84
degrees, UTM 32N with or without the zone prefix, Gauß-Krüger zones 2-5) and converted to
WGS84 (EPSG:4326), in which kekiz stores every coordinate.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from pyproj import Transformer

__all__ = ["detect_coordinate_columns", "guess_crs", "to_wgs84"]

# (latitude-like, longitude-like) column names, in order of preference
_PAIRS: tuple[tuple[str, str], ...] = (
    ("lat", "lon"), ("lat", "lng"), ("lat", "long"), ("latitude", "longitude"),
    ("breite", "laenge"), ("breitengrad", "laengengrad"), ("geo_lat", "geo_lon"),
    ("y", "x"), ("hochwert", "rechtswert"), ("northing", "easting"), ("nord", "ost"),
    ("y_koordinate", "x_koordinate"), ("koord_y", "koord_x"))


def _norm(name: str) -> str:
    t = name.strip().lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    t = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode()
    return t.replace("-", "_").replace(" ", "_")


def detect_coordinate_columns(header: Sequence[str]) -> tuple[str, str] | None:
    """The (latitude, longitude) columns of a table: lat/lon, latitude/longitude, y/x,
    Breite/Länge, Hochwert/Rechtswert ... (case-insensitive)."""
    by_norm = {_norm(h): h for h in header}
    for lat, lon in _PAIRS:
        if lat in by_norm and lon in by_norm:
            return by_norm[lat], by_norm[lon]
    return None


def guess_crs(x: np.ndarray, y: np.ndarray) -> tuple[int, np.ndarray]:
    """EPSG code of coordinates (x = easting/longitude) and x without a zone prefix.

    WGS84 when every value fits degrees; EPSG:25832 for UTM 32N (also with the zone
    prefix 32 in front of the easting, as in many German files); Gauß-Krüger zones 2-5
    (EPSG:31466-31469).  Returns code 0 when nothing fits.
    """
    fx, fy = x[np.isfinite(x)], y[np.isfinite(y)]
    if len(fx) == 0 or len(fy) == 0:
        return 4326, x
    if np.all(np.abs(fx) <= 180) and np.all(np.abs(fy) <= 180):
        return 4326, x
    my = float(np.median(fy))
    if 5.0e6 <= my <= 6.2e6:
        zoned = (x >= 32.15e6) & (x <= 33.0e6)
        plain = np.where(zoned, x - 32.0e6, x)
        mx = float(np.nanmedian(plain))
        if 1.5e5 <= mx <= 1.0e6:
            return 25832, plain
        zone = int(mx // 1e6)
        if 2 <= zone <= 5:
            return 31464 + zone, x
    return 0, x


@lru_cache(maxsize=8)
def _transformer(source: int | str) -> Transformer:
    return Transformer.from_crs(source, 4326, always_xy=True)


def to_wgs84(x: npt.ArrayLike, y: npt.ArrayLike, crs: int | str) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) from coordinates in ``crs``."""
    lon, lat = _transformer(crs).transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon), np.asarray(lat)
