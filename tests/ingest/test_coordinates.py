"""Coordinates in files: columns by name, the reference system from the values (#5, #16)."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Transformer

from kekiz.ingest.coordinates import detect_coordinate_columns, guess_crs, to_wgs84


def test_coordinate_columns_by_name() -> None:
    assert detect_coordinate_columns(["Name", "Breite", "Länge"]) == ("Breite", "Länge")
    assert detect_coordinate_columns(["Rechtswert", "Hochwert"]) == ("Hochwert", "Rechtswert")
    assert detect_coordinate_columns(["LAT", "Lng"]) == ("LAT", "Lng")
    assert detect_coordinate_columns(["Name", "Ort"]) is None


@pytest.mark.parametrize(("x", "y", "code", "plain_x"), [
    (6.95, 50.94, 4326, 6.95),  # degrees
    (356_000.0, 5_645_000.0, 25832, 356_000.0),  # UTM 32N
    (32_356_000.0, 5_645_000.0, 25832, 356_000.0),  # UTM 32N with the zone prefix 32
    (2_580_000.0, 5_640_000.0, 31466, 2_580_000.0),  # Gauß-Krüger zone 2 (Rechtswert 2...)
    (1_000.0, 1_000.0, 0, 1_000.0),  # nothing fits
])
def test_reference_system_from_the_values(x: float, y: float, code: int,
                                          plain_x: float) -> None:
    got, plain = guess_crs(np.array([x]), np.array([y]))
    assert got == code and plain[0] == plain_x


def test_utm_to_wgs84_round_trip() -> None:
    x, y = Transformer.from_crs(4326, 25832, always_xy=True).transform(6.9583, 50.9413)
    lon, lat = to_wgs84([x], [y], 25832)  # Kölner Dom
    assert (lon[0], lat[0]) == pytest.approx((6.9583, 50.9413), abs=1e-9)
