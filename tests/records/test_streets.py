"""The street directory: normalisation, house-number ranges and sides, near misses."""

from __future__ import annotations

from pathlib import Path

import pytest

from kekiz.domain.errors import ValidationReport
from kekiz.ingest.streets import normalise_street, parse_house_number, read_street_directory

UNITS = {"101": 0, "102": 1, "301": 2, "702": 3}

DIRECTORY = """strasse;hausnummer_von;hausnummer_bis;seite;plz;gebiet
Aachener Straße;1;99;ungerade;50674;101
Aachener Straße;2;98;gerade;50674;102
Aachener Straße;101;;alle;50931;301
Abteistraße;;;alle;;702
Sankt-Apern-Str.;1;40;alle;;101
"""


@pytest.mark.parametrize(("a", "b"), [
    ("Aachener Straße", "aachener str."),
    ("Aachener Straße", "Aachener Strasse"),
    ("Aachener Straße", "AACHENER-STRASSE"),
    ("Aachener Straße", " aachener  str "),
    ("Abteistraße", "Abteistr."),
    ("Sankt-Apern-Str.", "Sankt Apern Straße"),
    ("Müllerstraße", "Muellerstrasse"),
    ("Zülpicher Str.", "Zuelpicher-Str"),
])
def test_normalisation(a: str, b: str) -> None:
    assert normalise_street(a) == normalise_street(b)


def test_normalisation_keeps_different_streets_apart() -> None:
    assert normalise_street("Straßburger Platz") == "strassburgerplatz"
    assert normalise_street("Aachener Straße") != normalise_street("Aachener Weg")


def test_house_numbers() -> None:
    assert parse_house_number("12a") == 12
    assert parse_house_number(" 12-14") == 12
    assert parse_house_number(7.0) == 7
    assert parse_house_number("") is None and parse_house_number(None) is None


@pytest.fixture
def directory(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "strassen.csv"
    path.write_text(DIRECTORY, encoding="utf-8")
    report = ValidationReport(path.name)
    found = read_street_directory(path, report, lambda k: UNITS.get(k, -1))
    assert report.ok, report.render()
    assert found is not None and len(found) == 5
    return found


def test_match_sides_ranges_and_postcodes(directory) -> None:  # type: ignore[no-untyped-def]
    streets = ["Aachener Str.", "aachener strasse", "Aachener Straße", "Aachener Straße",
               "Abteistr.", "Aachener Str.", "Aachener Str.", "Aachner Str.", "Aachener Str."]
    numbers = ["5", "8a", "250", "99", None, None, "150", "3", "3"]
    postcodes = [None, "50674", None, "50674", None, None, "50674", None, "12345"]
    m = directory.match(streets, numbers, postcodes)
    assert m.unit.tolist() == [0, 1, 2, 0, 3, -1, -1, -1, -1]
    assert m.reason.tolist() == ["", "", "", "", "", "missing_house_number",
                                 "house_number_outside", "unknown_street",
                                 "postcode_mismatch"]
    assert m.suggestion["Aachner Str."] == "Aachener Straße"


def test_bad_directory_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "strassen.csv"
    path.write_text("strasse;hausnummer_von;hausnummer_bis;seite;gebiet\n"
                    "Aachener Straße;1;99;links;101\n"
                    "Aachener Straße;x;9;alle;101\n"
                    "Abteistraße;;;alle;999\n"
                    ";1;2;alle;101\n"
                    "Berliner Straße;1;50;alle;101\n"
                    "Berliner Straße;40;60;gerade;102\n", encoding="utf-8")
    report = ValidationReport(path.name)
    assert read_street_directory(path, report, lambda k: UNITS.get(k, -1)) is None
    text = report.render("de")
    assert "Zeile 2, Spalte 'seite': 'links' Unbekannte Straßenseite" in text
    assert "Zeile 3, Spalte 'hausnummer_von': 'x'" in text
    assert "Zeile 4, Spalte 'gebiet': '999' Gebiet unbekannt" in text
    assert "Zeile 5, Spalte 'strasse'" in text
    assert "Zeile 7" in text and "überschneidet sich mit Zeile 6" in text


def test_directory_without_unit_column(tmp_path: Path) -> None:
    path = tmp_path / "strassen.csv"
    path.write_text("strasse;hausnummer_von\nA;1\n", encoding="utf-8")
    report = ValidationReport(path.name)
    assert read_street_directory(path, report, lambda k: 0) is None
    assert "Spalte mit dem Gebiet nicht gefunden" in report.render()
