"""A municipality's own levels, and a city's key given by option (issue #18)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import shapely

from kekiz.app import Kekiz
from kekiz.domain.errors import ImportFailed, KekizError, NotFound
from kekiz.ingest.boundaries import BoundaryOptions
from kekiz.services.levels import parse_level_spec
from kekiz.settings import load_settings

BERLIN = ["bezirk=Bezirk|district|Bezirke|districts",
          "prognoseraum=Prognoseraum|forecast area|Prognoseräume|forecast areas",
          "bezirksregion=Bezirksregion|district region",
          "planungsraum=Planungsraum|planning area|Planungsräume|planning areas"]


@pytest.fixture
def m(store_url: str) -> Iterator[Kekiz]:
    app = Kekiz(load_settings({"store": store_url, "user": "tester"}, environ={}))
    try:
        yield app
    finally:
        app.close()


def _city(tmp_path: Path, props: dict[str, object], n: int = 1) -> Path:
    square = [[[13.3, 52.4], [13.5, 52.4], [13.5, 52.6], [13.3, 52.6], [13.3, 52.4]]]
    features = [{"type": "Feature", "properties": {**props, "nr": i},
                 "geometry": {"type": "Polygon",
                              "coordinates": [[[x + i, y] for x, y in square[0]]]}}
                for i in range(n)]
    path = tmp_path / "berlin.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                    encoding="utf-8")
    return path


def test_berlin_declares_its_levels_with_their_names_and_order(m: Kekiz) -> None:
    with pytest.raises(NotFound, match=r"Unbekannte Ebene .prognoseraum.*kekiz levels define"):
        m.store.level("prognoseraum")
    version = m.store.data_version()
    stored = m.levels.define([parse_level_spec(s) for s in BERLIN])
    assert [(lv.id, lv.rank, lv.parent_id) for lv in stored] == [
        ("bezirk", 4, "gemeinde"), ("prognoseraum", 5, "bezirk"),
        ("bezirksregion", 6, "prognoseraum"), ("planungsraum", 7, "bezirksregion")]
    assert m.store.data_version() == version + 1
    assert m.levels.name("prognoseraum", "de") == "Prognoseraum"
    assert m.levels.name("prognoseraum", "en", plural=True) == "forecast areas"
    assert m.levels.name("bezirksregion", "de", plural=True) == "Bezirksregion"  # none given
    assert m.levels.name("bezirksregion", "en", plural=True) == "district regions"
    assert m.levels.name("stadtteil", "de", plural=True) == "Stadtteile"  # built-in kept
    assert m.levels.name("gemeinde", "en") == "municipality"
    entries = m.store.auth.audit_entries(action="levels.define")
    assert len(entries) == 1
    # declaring again updates names, never duplicates
    m.levels.define([parse_level_spec("bezirk=Stadtbezirk Berlin|Berlin district")])
    assert m.levels.name("bezirk") == "Stadtbezirk Berlin"
    assert sum(lv.id == "bezirk" for lv in m.store.levels()) == 1


def test_hamburg_reuses_the_built_in_stadtteil_between_its_own_levels(m: Kekiz) -> None:
    stored = m.levels.define([parse_level_spec(s) for s in (
        "bezirk=Bezirk|borough", "stadtteil", "statistisches_gebiet=Statistisches "
        "Gebiet|statistical area")])
    assert [(lv.id, lv.rank, lv.parent_id) for lv in stored] == [
        ("bezirk", 4, "gemeinde"), ("statistisches_gebiet", 6, "stadtteil")]
    assert m.levels.name("stadtteil") == "Stadtteil"


def test_a_built_in_level_above_its_place_and_bad_ids_are_refused(m: Kekiz) -> None:
    with pytest.raises(KekizError, match="eingebaute Ebene 'kreis'"):
        m.levels.define([parse_level_spec("kreis")])
    with pytest.raises(KekizError, match="Ungültige Ebenen-ID 'Bezirk'"):
        parse_level_spec("Bezirk=Bezirk")
    with pytest.raises(KekizError, match="fehlt der Name"):
        parse_level_spec("bezirk")


def test_a_city_without_ags_in_its_file_gets_its_key(m: Kekiz, tmp_path: Path) -> None:
    path = _city(tmp_path, {"name": "Berlin"})
    result = m.imports.boundaries(path, BoundaryOptions(
        level="gemeinde", id_field="", name_field="name", key_value="11000000"))
    assert result.count == 1
    assert m.store.unit("11000000").name == "Berlin"


def test_a_gemeinde_key_that_is_no_ags_is_refused_with_the_fix(m: Kekiz,
                                                               tmp_path: Path) -> None:
    path = _city(tmp_path, {"name": "Berlin", "id": "0"})
    with pytest.raises(ImportFailed) as info:
        m.imports.boundaries(path, BoundaryOptions(level="gemeinde", id_field="id",
                                                   name_field="name"))
    text = str(info.value)
    assert "berlin.geojson, Zeile 1, Spalte 'id': '0' Kein gültiger Amtlicher " \
           "Gemeindeschlüssel (AGS)" in text
    assert "8-stelligen AGS" in text and "--key-value 11000000" in text
    english = info.value.report.render("en")
    assert "not a valid official municipality key (AGS)" in english
    assert m.store.units() == []


def test_key_value_for_a_file_of_several_areas_needs_a_name(m: Kekiz, tmp_path: Path) -> None:
    path = _city(tmp_path, {"name": "Teil"}, n=2)
    with pytest.raises(ImportFailed, match="--key-value gibt einen Schlüssel, die Datei hat 2"):
        m.imports.boundaries(path, BoundaryOptions(level="gemeinde", id_field="",
                                                   name_field="name", key_value="11000000"))
    result = m.imports.boundaries(path, BoundaryOptions(
        level="gemeinde", id_field="", name_field="name", key_value="11000000",
        name_value="Berlin"))
    assert result.count == 1 and "2 Gebiete der Datei zu einem vereinigt" in result.notes[0]
    unit = m.store.unit("11000000")
    # two squares of 0.2 x 0.2 degrees, one degree apart: the union has both
    assert unit.name == "Berlin"
    assert shapely.from_wkb(unit.geometry).area == pytest.approx(2 * 0.04)


def test_berlin_lor_files_import_on_the_declared_levels(m: Kekiz, shared_dir: Path) -> None:
    lor = shared_dir / "data" / "berlin_lor_until_2020"
    m.levels.define([parse_level_spec(s) for s in BERLIN])
    m.imports.boundaries(lor / "berlin-lor-districts.geojson", BoundaryOptions(
        level="bezirk", id_field="id", name_field="name", id_prefix="11000000-"))
    m.imports.boundaries(lor / "berlin-lor-district-regions-until-2020.geojson",
                         BoundaryOptions(level="bezirksregion", id_field="id",
                                         name_field="name", id_prefix="11000000-",
                                         parent_level="bezirk"))
    counts = m.store.count_units()
    assert (counts["bezirk"], counts["bezirksregion"]) == (12, 138)
    # Tiergarten Süd (010111) lies in Mitte (01), found by containment
    assert m.store.unit("11000000-010111").parent_id == "11000000-01"


def test_a_parent_field_finds_the_declared_parent_level(m: Kekiz, tmp_path: Path) -> None:
    # Köln's built-in levels and Berlin's own levels in one store: a Berlin Planungsraum
    # with --parent-field belongs to a Bezirksregion, never to a Köln Sozialraum of the
    # same rank
    m.levels.define([parse_level_spec(s) for s in BERLIN])
    square = [[[13.3, 52.4], [13.5, 52.4], [13.5, 52.6], [13.3, 52.6], [13.3, 52.4]]]

    def write(name: str, props: list[dict[str, object]]) -> Path:
        path = tmp_path / name
        path.write_text(json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": p,
             "geometry": {"type": "Polygon", "coordinates": square}} for p in props]}),
            encoding="utf-8")
        return path

    m.imports.boundaries(write("stt.geojson", [{"nr": "010111", "name": "Sozialraum"}]),
                         BoundaryOptions(level="sozialraum", id_field="nr", name_field="name"))
    m.imports.boundaries(write("bzr.geojson", [{"nr": "010111", "name": "Tiergarten Süd"}]),
                         BoundaryOptions(level="bezirksregion", id_field="nr",
                                         name_field="name", id_prefix="11000000-"))
    m.imports.boundaries(write("plr.geojson", [{"nr": "01011101", "bzr": "010111",
                                                "name": "Stülerstraße"}]),
                         BoundaryOptions(level="planungsraum", id_field="nr",
                                         name_field="name", id_prefix="11000000-",
                                         parent_field="bzr"))
    assert m.store.unit("11000000-01011101").parent_id == "11000000-010111"
