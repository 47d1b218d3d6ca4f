"""Assignment to units: the grid point-in-polygon equals an exact test; codes; CRS guess."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from kekiz.demo import demo_dir
from kekiz.records.assign import CodeIndex, PolygonIndex, guess_crs, polygons_in_crs


@pytest.fixture(scope="module")
def koeln() -> tuple[PolygonIndex, np.ndarray]:
    frame = gpd.read_file(demo_dir() / "boundaries" / "koeln_stadtteile.geojson")
    polys = polygons_in_crs(frame.geometry.values, "EPSG:4326", "EPSG:25832")
    return PolygonIndex(list(polys)), polys


def _exact(polys: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    out = np.full(x.size, -1)
    for k, poly in enumerate(polys):
        hit = shapely.intersects_xy(poly, x, y) & (out < 0)
        out[hit] = k
    return out


def test_grid_lookup_equals_exact_test_on_koeln(koeln: tuple[PolygonIndex, np.ndarray]) -> None:
    index, polys = koeln
    rng = np.random.default_rng(7)
    b = index.bounds
    x = rng.uniform(b[0] - 1000, b[2] + 1000, 200_000)
    y = rng.uniform(b[1] - 1000, b[3] + 1000, 200_000)
    got = index.lookup(x, y)
    assert np.array_equal(got, _exact(polys, x, y))
    assert 0.3 < (got >= 0).mean() < 0.8
    assert index.stats.border_cells < 0.05 * index.stats.cells


def test_points_on_vertices_and_edges(koeln: tuple[PolygonIndex, np.ndarray]) -> None:
    index, polys = koeln
    xy = shapely.get_coordinates(shapely.boundary(polys[:10]))[::7]
    got = index.lookup(xy[:, 0], xy[:, 1])
    assert np.array_equal(got, _exact(polys, xy[:, 0], xy[:, 1]))
    assert (got >= 0).all()  # a boundary point belongs to the lowest-numbered polygon


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(-2, 12), st.floats(-2, 12)), min_size=1, max_size=200))
def test_holes_and_multipolygons(points: list[tuple[float, float]]) -> None:
    ring = shapely.Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(3, 3), (6, 3), (6, 6),
                                                                  (3, 6)]])
    hole_fill = shapely.Polygon([(3, 3), (6, 3), (6, 6), (3, 6)])
    multi = shapely.MultiPolygon([shapely.box(10, 0, 11, 1), shapely.box(10, 5, 11, 6)])
    polys = np.array([ring, hole_fill, multi], dtype=object)
    index = PolygonIndex(list(polys), max_cells=400)
    x = np.array([p[0] for p in points])
    y = np.array([p[1] for p in points])
    assert np.array_equal(index.lookup(x, y), _exact(polys, x, y))


def test_values_map_and_missing_coordinates() -> None:
    polys = [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)]
    index = PolygonIndex(polys, values=[17, 4])
    got = index.lookup(np.array([0.5, 1.5, np.nan, 5.0]), np.array([0.5, 0.5, 0.5, 0.5]))
    assert got.tolist() == [17, 4, -1, -1]


def test_code_index_accepts_local_keys_and_ids() -> None:
    ids = ["05315000-101", "05315000-102", "05315000-211"]
    codes = CodeIndex(ids, {"local": {"101": ids[0], "102": ids[1], "211": ids[2]}})
    got, unknown = codes.lookup(["101", "05315000-102", " 211 ", "211.0", "999", None, ""])
    assert got.tolist() == [0, 1, 2, 2, -1, -1, -1]
    assert unknown == ["999"]


def test_wrong_crs_is_recognised(koeln: tuple[PolygonIndex, np.ndarray]) -> None:
    index, polys = koeln
    centres = shapely.get_coordinates(shapely.centroid(polys))
    wgs = polygons_in_crs(shapely.points(centres), "EPSG:25832", "EPSG:4326")
    lon = shapely.get_x(wgs)
    lat = shapely.get_y(wgs)
    assert guess_crs(lon, lat, index, "EPSG:25832", "EPSG:25832")[:2] == (
        "EPSG:4326", "WGS84, Längen- und Breitengrad (Grad)")
    code, _, swapped = guess_crs(lat, lon, index, "EPSG:25832", "EPSG:25832")  # type: ignore[misc]
    assert code == "EPSG:4326" and swapped
    zoned = guess_crs(centres[:, 0] + 32_000_000, centres[:, 1], index, "EPSG:25832",
                      "EPSG:25832")
    assert zoned is not None and zoned[0] == "EPSG:4647"
    assert guess_crs(np.array([1.0, 2.0]), np.array([3.0, 4.0]), index, "EPSG:25832",
                     "EPSG:25832") is None
