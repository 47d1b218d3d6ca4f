"""Reading the files of a coverage count: offers as points, units as areas, population.

:func:`read_offer_points` takes a point file (GeoJSON, GeoPackage, Shapefile) or a table
with coordinates (found by name: lat/lon, latitude/longitude, y/x, Breite/Länge,
Hochwert/Rechtswert; projected coordinates in UTM 32N or Gauß-Krüger are recognised) and
an optional capacity column; :func:`read_unit_shapes` the areas with their keys,
:func:`read_population` the population by key.  Problems are collected and raised as one
:class:`~kekiz.domain.errors.ImportFailed`.  The count itself is
:func:`kekiz.prevention.coverage.coverage_by_unit`.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from kekiz.domain.directory import in_germany, parse_coordinate
from kekiz.domain.errors import ValidationReport
from kekiz.ingest.cells import column_style, normalise_key, parse_number
from kekiz.ingest.coordinates import detect_coordinate_columns, guess_crs, to_wgs84
from kekiz.ingest.frames import read_frame
from kekiz.ingest.tables import read_table

__all__ = ["read_offer_points", "read_population", "read_unit_shapes"]

_GEO = (".geojson", ".json", ".gpkg", ".shp", ".zip")


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_unit_shapes(path: Path, unit_id: str) -> gpd.GeoDataFrame:
    """The areas of a unit file (WGS84 when it names no CRS), the field ``unit_id`` as
    normalised keys (``7``, ``7.0`` and ``" 7"`` all ``"7"``)."""
    report = ValidationReport(path.name)
    try:
        shapes = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several DataSourceError types
        report.add(f"Die Gebietsdatei kann nicht gelesen werden ({str(exc)[:160]})",
                   expected="GeoJSON, GeoPackage oder Shapefile mit Flächen",
                   fix="Pfad und Format prüfen", message_en="the unit file cannot be read")
        report.raise_if_failed()
    if unit_id not in shapes.columns:
        report.add("Feld nicht gefunden", column=unit_id,
                   expected="ein Feld mit dem Gebietsschlüssel; vorhanden: " +
                   ", ".join(str(c) for c in shapes.columns if c != shapes.geometry.name),
                   fix="--unit-id mit einem vorhandenen Feld angeben",
                   message_en="field not found")
    report.raise_if_failed()
    shapes = shapes if shapes.crs is not None else shapes.set_crs(4326)
    return shapes.assign(**{unit_id: [normalise_key(_text(v)) for v in shapes[unit_id]]})


def read_population(path: Path, id_column: str, value_column: str) -> pd.Series:
    """The population by normalised unit key (a key may occur more than once)."""
    pop = read_frame(path, required=[id_column], numeric=[value_column])
    keys = [normalise_key(str(k)) for k in pop[id_column]]
    return pd.Series(pop[value_column].to_numpy(float), index=keys)


def read_offer_points(path: Path, *, lat: str | None = None, lon: str | None = None,
                      capacity: str | None = None, notes: list[str] | None = None
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lat, lon, capacity) of the offers in a point file or a table with coordinates."""
    report = ValidationReport(path.name)
    if path.suffix.lower() in _GEO:
        result = _geo_points(path, capacity, report)
    else:
        result = _table_points(path, lat, lon, capacity, report, notes)
    report.raise_if_failed()
    assert result is not None
    return result


def _geo_points(path: Path, capacity: str | None, report: ValidationReport
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several DataSourceError types
        report.add(f"Die Geodatei kann nicht gelesen werden ({str(exc)[:160]})",
                   expected="GeoJSON mit Punkten", fix="Pfad und Format prüfen",
                   message_en="the spatial file cannot be read")
        return None
    frame = (frame if frame.crs is not None else frame.set_crs(4326)).to_crs(4326)
    pts = frame.geometry.representative_point()
    cells = [_text(v) if v is not None and not (isinstance(v, float) and np.isnan(v))
             else "" for v in frame[capacity]] if capacity in frame.columns else None
    if capacity is not None and cells is None:
        report.add("Feld nicht gefunden", column=capacity,
                   expected="ein Feld mit der Platzzahl; vorhanden: " +
                   ", ".join(str(c) for c in frame.columns if c != frame.geometry.name),
                   fix="--capacity mit einem vorhandenen Feld angeben",
                   message_en="field not found")
        return None
    cap = _capacities(cells, capacity, report, 1) if cells is not None \
        else np.ones(len(frame))
    return pts.y.to_numpy(float), pts.x.to_numpy(float), cap


def _table_points(path: Path, lat: str | None, lon: str | None, capacity: str | None,
                  report: ValidationReport, notes: list[str] | None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    table = read_table(path, report)
    if table is None:
        return None
    pair = (lat, lon) if lat and lon else detect_coordinate_columns(table.header)
    if pair is None:
        report.add("Keine Koordinatenspalten gefunden", expected="Spalten lat/lon, "
                   "latitude/longitude, y/x oder Breite/Länge; vorhanden: " +
                   ", ".join(table.header), fix="--lat und --lon angeben",
                   message_en="no coordinate columns found")
        return None
    wanted = [*pair, *([capacity] if capacity else [])]
    for col in wanted:
        if col not in table.header:
            report.add("Spalte nicht gefunden", column=col, expected="vorhanden: " +
                       ", ".join(table.header), fix="den Spaltennamen korrigieren",
                       message_en="column not found")
    if not report.ok:
        return None
    values = []
    for col in pair:
        cells = [r[table.column(col)] for r in table.rows]
        vals = np.full(len(cells), np.nan)
        for n, c in enumerate(cells):
            value = parse_coordinate(c)
            if value is None:
                report.add("keine Koordinate" if c.strip() else "Koordinate fehlt",
                           row=table.first_row + n, column=col, value=c or None,
                           expected="eine Zahl, z. B. 50,9375", fix="die Koordinate ergänzen "
                           "oder die Zeile löschen", message_en="coordinate invalid or missing")
            else:
                vals[n] = value
        values.append(vals)
    ys, xs = values
    crs, xs = guess_crs(xs, ys)
    if crs == 0:
        report.add("Koordinatensystem nicht erkannt", column=pair[1],
                   expected="WGS84 (Grad), UTM 32N (EPSG:25832) oder Gauß-Krüger",
                   fix="Koordinaten in WGS84 liefern", message_en="CRS not recognised")
        return None
    if crs != 4326:
        xs, ys = to_wgs84(xs, ys, crs)
        if notes is not None:
            notes.append(f"Koordinaten als EPSG:{crs} erkannt und umgerechnet")
    for n, (y, x) in enumerate(zip(ys, xs, strict=True)):
        if np.isfinite(y) and np.isfinite(x) and not in_germany(y, x):
            report.add("Koordinaten liegen außerhalb Deutschlands", row=table.first_row + n,
                       column=pair[0], value=f"{y:g}, {x:g}",
                       expected="Breite 47,2–55,1 und Länge 5,5–15,5",
                       fix="Breite und Länge tauschen" if in_germany(x, y) else
                       "die Koordinaten prüfen", message_en="coordinates outside Germany")
    cap = np.ones(len(table.rows)) if not capacity else _capacities(
        [r[table.column(capacity)] for r in table.rows], capacity, report, table.first_row)
    return ys, xs, cap


def _capacities(cells: list[str], column: str | None, report: ValidationReport,
                first: int) -> np.ndarray:
    style = column_style(cells)
    out = np.zeros(len(cells))
    for n, c in enumerate(cells):
        parsed = parse_number(c, style)
        if parsed.value is None or parsed.value < 0:
            report.add("keine Platzzahl" if parsed.status == "invalid" or parsed.value
                       else "Platzzahl fehlt", row=first + n, column=column, value=c,
                       expected="eine Zahl ab 0", fix="die Zahl der Plätze eintragen",
                       message_en="capacity invalid or missing")
        else:
            out[n] = parsed.value
    return out
