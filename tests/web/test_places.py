"""The place search of the maps (pure functions): names, ranking, streets."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from shapely.geometry import Point, box

from kekiz.domain.errors import ValidationReport
from kekiz.ingest.streets import read_street_directory
from kekiz.services.views.places import (
    STREET,
    Place,
    directory_streets,
    keys,
    normalise,
    search,
    street_places,
    unit_places,
)


@pytest.mark.parametrize(("text", "key"), [
    ("Köln", "koln"), ("KÖLN", "koln"), ("Koeln", "koeln"),
    ("Neustadt/Süd", "neustadtsud"), ("neustadt sued", "neustadtsued"),
    ("Aachener Straße", "aachenerstr"), ("aachener str.", "aachenerstr"),
    ("Aachener-Strasse", "aachenerstr"), ("Großer Griechenmarkt", "grossergriechenmarkt"),
    ("Mülheim an der Ruhr", "mulheimanderruhr"), ("Neuehrenfeld", "neuehrenfeld"),
    ("  ", ""),
])
def test_normalise_ignores_case_accents_sharp_s_street_words_and_punctuation(
        text: str, key: str) -> None:
    assert normalise(text) == key


@pytest.mark.parametrize(("query", "name"), [
    ("koeln", "Köln"), ("koln", "Köln"), ("KÖLN", "Koeln"), ("Neustadt Sued", "Neustadt/Süd"),
    ("neustadt-sud", "Neustadt/Süd"), ("huerth", "Hürth"), ("Muelheim", "Mülheim"),
    ("Strasse", "Straße"),
])
def test_umlaut_spellings_find_each_other(query: str, name: str) -> None:
    assert set(keys(query)) & set(keys(name))
    assert search([_place(name)], query)


def _place(name: str, kind: str = "stadtteil", rank: int = 5, uid: str | None = None
           ) -> Place:
    return Place(uid or name, name, kind, kind, kind, "", (0, 0, 1, 1), (0.5, 0.5), rank)


def test_search_ranks_exact_then_prefix_then_word_then_anywhere() -> None:
    places = [_place("Neuehrenfeld"), _place("Ehrenfeld", "stadtbezirk", 4),
              _place("Ehrenfeld"), _place("Ehrenfeldgürtel-Nord"),
              _place("Alt Ehrenfeld"), _place("Lindenthal")]
    found = search(places, "ehrenfeld")
    # exact (the borough before the district: coarser level first), prefix, word, inside
    assert [(p.name, p.kind) for p in found] == [
        ("Ehrenfeld", "stadtbezirk"), ("Ehrenfeld", "stadtteil"),
        ("Ehrenfeldgürtel-Nord", "stadtteil"), ("Alt Ehrenfeld", "stadtteil"),
        ("Neuehrenfeld", "stadtteil")]
    # the level the map shows comes first among equally good names
    preferred = search(places, "Ehrenfeld", prefer="stadtteil", limit=2)
    assert [p.kind for p in preferred] == ["stadtteil", "stadtbezirk"]
    assert search(places, "  ") == []
    assert search(places, "xyz") == []
    assert len(search(places, "e", limit=3)) == 3


def test_unit_places_have_box_inner_point_and_parent_name() -> None:
    # an L-shaped area: its box centre (1.5, 1.5) lies outside it, the label point not
    ell = box(0, 0, 3, 1).union(box(0, 0, 1, 3))
    shapes = {
        "stadtbezirk": pd.DataFrame({"id": ["B"], "name": ["Bezirk"], "parent_id": [None],
                                     "geometry": [box(0, 0, 3, 3)]}),
        "stadtteil": pd.DataFrame({"id": ["T1", "T2"], "name": ["Winkel", "Leer"],
                                   "parent_id": ["B", "B"], "geometry": [ell, None]}),
    }
    found = unit_places(shapes, {"stadtteil": ("Stadtteil", "district")},
                        {"stadtbezirk": 4, "stadtteil": 5})
    by_id = {p.id: p for p in found}
    assert set(by_id) == {"B", "T1"}  # no geometry, no place to centre on
    t1 = by_id["T1"]
    assert t1.bbox == (0, 0, 3, 3)
    assert ell.contains(Point(t1.centre))
    assert not ell.contains(Point(1.5, 1.5))
    assert (t1.context, t1.kind, t1.kind_name_de, t1.rank) == ("Bezirk", "stadtteil",
                                                               "Stadtteil", 5)
    assert by_id["B"].kind_name_de == "stadtbezirk"  # unnamed level: its id


def test_streets_of_a_directory_are_found_with_the_box_of_their_units(tmp_path: Path
                                                                      ) -> None:
    path = tmp_path / "strassen.csv"
    path.write_text("strasse;hausnummer_von;hausnummer_bis;seite;plz;gebiet\n"
                    "Aachener Straße;1;99;ungerade;50674;101\n"
                    "Aachener Straße;2;98;gerade;50674;102\n"
                    "Abteistraße;;;alle;;102\n"
                    "Fernweg;;;alle;;999\n", encoding="utf-8")
    keys = ["101", "102", "999"]
    report = ValidationReport(str(path))
    directory = read_street_directory(path, report, lambda k: keys.index(k))
    assert directory is not None, report.render()
    unit_ids = ["05315000-101", "05315000-102", "05999999-999"]
    pairs = directory_streets(directory, unit_ids)
    assert sorted(pairs) == [("Aachener Straße", "05315000-101"),
                             ("Aachener Straße", "05315000-102"),
                             ("Abteistraße", "05315000-102"),
                             ("Fernweg", "05999999-999")]
    units = [Place("05315000-101", "Altstadt/Süd", "stadtteil", "", "", "", (1, 1, 2, 2),
                   (1.5, 1.5), 5),
             Place("05315000-102", "Neustadt/Süd", "stadtteil", "", "", "", (2, 0, 4, 1),
                   (3, 0.5), 5)]
    streets = street_places(pairs, units)
    # Fernweg runs through a unit the reader cannot see: not found
    assert sorted(p.name for p in streets) == ["Aachener Straße", "Abteistraße"]
    aachener = search(streets, "aachener str")[0]
    assert aachener.kind == STREET
    assert aachener.units == ("05315000-101", "05315000-102")
    assert aachener.bbox == (1, 0, 4, 2)  # the union of both units' boxes
    assert aachener.centre == (2.5, 1.0)  # the middle of that box
    assert aachener.context == "Altstadt/Süd, Neustadt/Süd"
    abtei = search(streets, "Abteistrasse")[0]
    assert abtei.centre == (3, 0.5)  # one unit: its inner point
