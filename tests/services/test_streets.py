"""The stored street directory (issue #19): ``kekiz import streets`` on SQLite and
PostgreSQL, and the finder's starting point from a street address (hand-computed on two
square Stadtteile)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import shapely

from kekiz.app import Kekiz
from kekiz.domain.errors import ImportFailed
from kekiz.domain.model import Unit
from kekiz.domain.streets import StreetEntry
from kekiz.services.finder import split_address
from kekiz.settings import load_settings

U1, U2 = "05315000-505", "05315000-801"
SQUARE1, SQUARE2 = shapely.box(6.94, 50.95, 6.96, 50.97), shapely.box(6.99, 50.93, 7.01, 50.95)
STREETS = ("strasse;hausnummer_von;hausnummer_bis;seite;plz;gebiet;lat;lon\n"
           "Hauptstraße;1;49;alle;;505;50,9600;6,9500\n"
           "Hauptstraße;50;99;alle;;801;;\n"
           "Schulweg;;;;;05315000-801;;\n"
           "Am Markt;1;20;gerade;50667;505;50.9610;6.9510\n"
           "Am Markt;1;20;gerade;50667;505;50.9630;6.9530\n")


def _app(url: str) -> Kekiz:
    app = Kekiz(load_settings({"store": url}, environ={}))
    app.init()
    with app.store.transaction() as tx:
        tx.upsert_units([
            Unit(id="05315000", name="Köln", level="gemeinde"),
            Unit(id=U1, name="Nord (Test)", level="stadtteil", parent_id="05315000",
                 geometry=shapely.to_wkb(SQUARE1)),
            Unit(id=U2, name="Süd (Test)", level="stadtteil", parent_id="05315000",
                 geometry=shapely.to_wkb(SQUARE2))])
    return app


@pytest.fixture
def app(store_url: str, tmp_path: Path) -> Iterator[Kekiz]:
    made = _app(store_url)
    path = tmp_path / "strassen.csv"
    path.write_text(STREETS, encoding="utf-8")
    made.imports.streets(path, synthetic=True, dataset="Testverzeichnis")
    yield made
    made.close()


def test_the_import_stores_every_section_with_its_unit_and_position(app: Kekiz) -> None:
    entries = app.store.streets()
    assert entries[:3] == [
        StreetEntry("Hauptstraße", 1, 49, "alle", "", U1, 50.96, 6.95, 2),
        StreetEntry("Hauptstraße", 50, 99, "alle", "", U2, None, None, 3),
        StreetEntry("Schulweg", 1, 10**6, "alle", "", U2, None, None, 4)]
    assert [e.side for e in entries[3:]] == ["gerade", "gerade"]
    [ds] = [d for d in app.store.datasets() if d.kind == "streets"]
    assert ds.name == "SYNTHETISCH: Testverzeichnis" and ds.rows == 5
    assert ds.details == {"level": "stadtteil", "synthetic": True, "streets": 3,
                          "positions": 3}
    assert app.finder.streets_synthetic() is True


def test_a_new_import_replaces_the_directory_and_a_bad_one_changes_nothing(
        app: Kekiz, tmp_path: Path) -> None:
    version = app.store.data_version()
    path = tmp_path / "neu.csv"
    path.write_text("strasse;gebiet\nRingstraße;505\n", encoding="utf-8")
    app.imports.streets(path)
    assert app.store.data_version() == version + 1
    assert app.store.streets() == [StreetEntry("Ringstraße", 1, 10**6, "alle", "", U1,
                                               None, None, 2)]
    assert app.finder.streets_synthetic() is False
    bad = tmp_path / "kaputt.csv"
    bad.write_text("strasse;gebiet;lat;lon\nRingstraße;505;50,95;6,95\n"
                   "Bergstraße;999;;\nWaldweg;801;95,1;6,95\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as err:
        app.imports.streets(bad)
    text = str(err.value)
    assert "Zeile 3" in text and "Gebiet unbekannt" in text and "999" in text
    assert "Zeile 4" in text and "'lat'" in text and "95,1" in text
    assert app.store.streets()[0].street == "Ringstraße" and len(app.store.streets()) == 1
    assert app.store.data_version() == version + 1


def test_a_street_address_gives_the_position_of_its_section(app: Kekiz) -> None:
    start = app.finder.locate("Hauptstraße 12")
    assert (start.lat, start.lon, start.unit_id, start.unit_name) == \
        (50.96, 6.95, U1, "Nord (Test)")
    assert start.exact and start.synthetic and start.found
    # two sections hold even numbers 1-20 of Am Markt in the same unit: their middle
    start = app.finder.locate("Am Markt 4, 50667 Köln")
    assert (start.lat, start.lon) == pytest.approx((50.962, 6.952))
    assert app.finder.locate("Am Markt 3").reason == "house_number_outside"
    assert app.finder.locate("Am Markt 4, 50999").reason == "postcode_mismatch"


def test_without_a_position_the_inner_point_of_the_unit(app: Kekiz) -> None:
    inner = SQUARE2.representative_point()
    for text in ("Hauptstraße 60", "schulweg", "Schulweg 7"):
        start = app.finder.locate(text)
        assert (start.lat, start.lon) == pytest.approx((inner.y, inner.x)), text
        assert start.unit_id == U2 and not start.exact


def test_what_cannot_be_found_says_why(app: Kekiz) -> None:
    assert app.finder.locate("Hauptstraße").reason == "missing_house_number"
    assert app.finder.locate("Hauptstraße 120").reason == "house_number_outside"
    miss = app.finder.locate("Hauptstrase 5")
    assert (miss.reason, miss.suggestion, miss.found) == ("unknown_street", "Hauptstraße",
                                                          False)


def test_without_a_directory(store_url: str) -> None:
    made = _app(store_url)
    try:
        assert made.finder.streets_synthetic() is None
        assert made.finder.locate("Hauptstraße 1").reason == "no_directory"
    finally:
        made.close()


@pytest.mark.parametrize(("text", "parts"), [
    ("Hauptstraße 12a, 50667 Köln", ("Hauptstraße", "12a", "50667")),
    ("Hauptstraße 12 50667 Köln", ("Hauptstraße", "12", "50667")),
    ("Hauptstraße", ("Hauptstraße", "", "")),
    ("Aachener Str. 1-3", ("Aachener Str.", "1-3", "")),
    ("Straße des 17. Juni 5", ("Straße des 17. Juni", "5", "")),
])
def test_split_address(text: str, parts: tuple[str, str, str]) -> None:
    assert split_address(text) == parts
