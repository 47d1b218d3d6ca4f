"""Coordinates for the prevention chain: detection, projection, point-in-unit.

Coordinates are stored in WGS84 (EPSG:4326); distances are straight lines in a metric
CRS, EPSG:25832 (ETRS89 / UTM 32N) by default.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from pyproj import Transformer

__all__ = ["METRIC_CRS", "detect_coordinate_columns", "guess_crs", "parse_coordinate",
           "points_in_units", "to_metric", "to_wgs84"]

METRIC_CRS = 25832

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


def parse_coordinate(cell: str) -> float | None:
    """A coordinate from a cell: decimal comma or point, never a thousands separator
    (``50,9375``, ``50.9375``, ``356.560,5`` and ``356,560.5`` are all read)."""
    text = cell.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if "," in text and "." in text:
        dec = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if dec == "," else ",", "").replace(",", ".")
    else:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


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


@lru_cache(maxsize=16)
def _transformer(source: int | str, target: int | str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def to_wgs84(x: npt.ArrayLike, y: npt.ArrayLike, crs: int | str) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) from coordinates in ``crs``."""
    tr = _transformer(crs, 4326)
    lon, lat = tr.transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon), np.asarray(lat)


def to_metric(lon: npt.ArrayLike, lat: npt.ArrayLike,
              crs: int | str = METRIC_CRS) -> np.ndarray:
    """An ``(n, 2)`` array of metric coordinates (default EPSG:25832) from WGS84."""
    tr = _transformer(4326, crs)
    x, y = tr.transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.column_stack([np.asarray(x, float), np.asarray(y, float)])


def points_in_units(lon: npt.ArrayLike, lat: npt.ArrayLike,
                    units: gpd.GeoDataFrame, id_field: str) -> pd.Series:
    """The unit id each point lies in (``None`` outside every unit; first unit on a border).
    """
    lon_a, lat_a = np.asarray(lon, float), np.asarray(lat, float)
    ok = np.isfinite(lon_a) & np.isfinite(lat_a)
    result = pd.Series([None] * len(lon_a), dtype=object)
    if not ok.any():
        return result
    shapes = units.to_crs(4326) if units.crs is not None else units.set_crs(4326)
    pts = gpd.GeoDataFrame({"i": np.flatnonzero(ok)},
                           geometry=gpd.points_from_xy(lon_a[ok], lat_a[ok]), crs=4326)
    joined = gpd.sjoin(pts, shapes[[id_field, "geometry"]], how="left",
                       predicate="intersects")
    joined = joined.drop_duplicates("i")
    values = joined[id_field].astype(object).where(joined[id_field].notna(), None)
    result.iloc[joined["i"].to_numpy()] = [None if v is None else _key(v) for v in values]
    return result


def _key(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
