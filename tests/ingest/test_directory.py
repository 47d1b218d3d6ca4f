"""Directory import from CSV/XLSX and point files (issue #5)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from pyproj import Transformer

from kekiz.domain.errors import ImportFailed
from kekiz.ingest.directory import KITA, DirectoryOptions, read_directory, read_points
from tests.prevention.conftest import CSV_GOOD


@pytest.fixture
def good_csv(tmp_path: Path) -> Path:
    path = tmp_path / "angebote.csv"
    path.write_text(CSV_GOOD, encoding="utf-8")
    return path


def test_csv_with_german_columns_and_numbers(good_csv: Path) -> None:
    result = read_directory(good_csv)
    d = result.directory
    assert result.rows == 4 and len(d.services) == 4
    assert len(d.organizations) == 4 - 1  # Stadt Köln offers twice
    offers = d.offers().set_index("source_id")
    fz = offers.loc["FZ1"]
    assert fz["name"] == "Familienzentrum Nippes" and fz["organization"] == "Stadt Köln"
    assert fz["life_phases"] == ("0-3", "3-6") and fz["transitions"] == ("family-kita",)
    assert fz["sector"] == "youth_welfare" and fz["capacity"] == 40
    assert (fz["age_min"], fz["age_max"]) == (0, 6)
    assert fz["languages"] == ("de", "tr") and fz["cost"] == 0
    assert fz["topics"] == ("Familienbildung", "Beratung")
    assert fz["target_groups"] == ("Familien",)
    assert (fz["lat"], fz["lon"]) == (50.961, 6.952) and fz["unit_id"] == "05315000-505"
    assert fz["address"] == "Neusser Str. 1" and fz["postal_code"] == "50733"
    assert fz["schedule"] == "Mo–Fr 8–16 Uhr" and fz["phone"] == "0221 123"
    assert fz["email"] == "fz@example.de" and bool(fz["published"])
    ek = offers.loc["EK1"]
    assert (ek["age_min"], ek["age_max"]) == (2.5, 12) and ek["cost"] == 25
    # no life phase given: derived from the ages 2.5-12
    assert ek["life_phases"] == ("0-3", "3-6", "6-10", "10-16")
    assert not ek["published"] and np.isnan(ek["lat"]) and pd.isna(ek["location_id"])
    sp = offers.loc["SP1"]
    assert sp["age_min"] == pytest.approx(0.5)  # "6 Monate"
    assert offers.loc["HB1", "life_phases"] == ("pregnancy",)
    assert np.isnan(offers.loc["HB1", "capacity"])


def test_xlsx_import(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Liste der Angebote 2024"])  # a title row above the header
    ws.append(["Angebot", "Bereich", "Alter von", "Alter bis", "Plätze", "Breite", "Länge"])
    ws.append(["Jugendzentrum Mülheim", "Jugendhilfe", 10, 21.5, 60, 50.962, 7.004])
    path = tmp_path / "angebote.xlsx"
    wb.save(path)
    offers = read_directory(path).directory.offers()
    row = offers.iloc[0]
    assert row["name"] == "Jugendzentrum Mülheim" and row["sector"] == "youth_welfare"
    assert (row["age_min"], row["age_max"], row["capacity"]) == (10, 21.5, 60)
    assert (row["lat"], row["lon"]) == (50.962, 7.004)


BAD = """Angebot;Lebensphase;Bereich;Alter von;Alter bis;lat;lon;veröffentlicht
;0-3;Gesundheit;0;3;50,9;6,9;ja
Kurs A;Teenager;Gesundheit;5;3;50,9;6,9;ja
Kurs B;0-3;Raumfahrt;0;3;6,9;50,9;vielleicht
Kurs C;0-3;Gesundheit;0;3;40,1;2,3;ja
Kurs D;0-3;Gesundheit;zwei;3;50,9;;ja
"""


def test_bad_rows_are_all_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(ImportFailed) as info:
        read_directory(path)
    problems = {(p.row, p.column): p for p in info.value.report.problems}
    assert problems[(2, "Angebot")].message == "Name fehlt"
    unknown = problems[(3, "Lebensphase")]
    assert unknown.value == "Teenager" and "0-3, 3-6, 6-10" in unknown.expected
    assert problems[(3, "Alter von")].message == "Mindestalter größer als Höchstalter"
    assert problems[(3, "Alter von")].value == "5 > 3"
    assert problems[(4, "Bereich")].value == "Raumfahrt"
    assert "Gesundheit, Bildung" in problems[(4, "Bereich")].expected
    assert problems[(4, "veröffentlicht")].value == "vielleicht"
    swapped = problems[(4, "lat")]
    assert swapped.message == "Koordinaten liegen außerhalb Deutschlands"
    assert "vertauscht" in swapped.fix
    assert "vertauscht" not in problems[(5, "lat")].fix
    assert problems[(6, "Alter von")].message == "kein gültiges Alter"
    assert problems[(6, "lat")].message == "nur eine der beiden Koordinaten angegeben"
    text = info.value.message
    assert text.startswith("Import von bad.csv abgelehnt (9 Probleme)")
    assert "bad.csv, Zeile 3, Spalte 'Lebensphase': 'Teenager' unbekannter Wert. Erwartet:" \
        in text
    assert "row 2, column 'Angebot': name is missing" in info.value.message_en


def test_missing_name_column(tmp_path: Path) -> None:
    path = tmp_path / "ohne_name.csv"
    path.write_text("Titel2;lat;lon\nX;50,9;6,9\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="Spalte 'name': Spalte nicht gefunden"):
        read_directory(path)


def _geojson(tmp_path: Path, features: list[dict[str, object]]) -> Path:
    path = tmp_path / "kitas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                    encoding="utf-8")
    return path


def test_kita_point_file_with_defaults(tmp_path: Path) -> None:
    square = [[[6.90, 50.90], [6.91, 50.90], [6.91, 50.91], [6.90, 50.91], [6.90, 50.90]]]
    path = _geojson(tmp_path, [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [6.95, 50.94]},
         "properties": {"name": "Kita Sonne", "Plätze": 45, "osm_id": "1"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [6.96, 50.95]},
         "properties": {"name": None, "Plätze": None, "osm_id": "777"}},
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": square},
         "properties": {"name": "Kita Viereck", "Plätze": 20, "osm_id": "3"}}])
    opts = DirectoryOptions(source="OSM", defaults=replace(KITA, name="Kita (OSM {osm_id})"))
    result = read_points(path, opts)
    offers = result.directory.offers().set_index("name")
    assert list(offers.index) == ["Kita Sonne", "Kita (OSM 777)", "Kita Viereck"]
    assert offers.loc["Kita Sonne", "capacity"] == 45
    assert np.isnan(offers.loc["Kita (OSM 777)", "capacity"])
    assert offers.loc["Kita Sonne", "life_phases"] == ("0-3", "3-6")
    assert offers.loc["Kita Sonne", "sector"] == "youth_welfare"
    assert offers.loc["Kita Sonne", "transitions"] == ("family-kita", "kita-primary")
    assert (offers.loc["Kita Sonne", "lat"], offers.loc["Kita Sonne", "lon"]) == (50.94, 6.95)
    assert 50.90 < offers.loc["Kita Viereck", "lat"] < 50.91
    assert any("Flächen" in n for n in result.notes)
    assert set(offers["source"]) == {"OSM"}


def test_projected_coordinates_are_recognised(tmp_path: Path) -> None:
    to_utm = Transformer.from_crs(4326, 25832, always_xy=True)
    x, y = to_utm.transform(6.9583, 50.9413)  # Kölner Dom
    path = tmp_path / "utm.csv"
    path.write_text(f"Angebot;Rechtswert;Hochwert\nDom-Treff;{x:.1f};{y:.1f}\n"
                    f"Mit Zone;32{x:.1f};{y:.1f}\n".replace(".", ","), encoding="utf-8")
    result = read_directory(path)
    offers = result.directory.offers()
    assert offers["lat"].to_numpy() == pytest.approx([50.9413] * 2, abs=1e-5)
    assert offers["lon"].to_numpy() == pytest.approx([6.9583] * 2, abs=1e-5)
    assert any("EPSG:25832" in n for n in result.notes)
