"""Coordinates for the prevention chain: projection and point-in-unit.

Coordinates are stored in WGS84 (EPSG:4326); distances are straight lines in a metric
CRS, EPSG:25832 (ETRS89 / UTM 32N) by default.  Finding and converting the coordinates
of a file is reading (:mod:`kekiz.ingest.coordinates`).
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from pyproj import Transformer

__all__ = ["METRIC_CRS", "points_in_units", "to_metric"]

METRIC_CRS = 25832


@lru_cache(maxsize=16)
def _transformer(source: int | str, target: int | str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


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
