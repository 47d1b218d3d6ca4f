"""Offers of several sources: units, duplicates, one directory (issue #5); reading the
files is tested in tests/ingest/test_directory.py."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pytest

from kekiz.domain.directory import in_germany, parse_life_phase, phases_for_ages
from kekiz.ingest.directory import KITA, DirectoryOptions, read_directory, read_points
from kekiz.prevention.directory import assign_units, combine, find_duplicates, normalise_name

DEMO = Path(__file__).resolve().parents[2] / "src" / "kekiz" / "demo" / "data"


def test_bundled_osm_kitas_import() -> None:
    opts = DirectoryOptions(source="OpenStreetMap (ODbL)", defaults=replace(
        KITA, name="Kita ohne Namen (OSM {osm_id})"))
    directory = read_points(DEMO / "koeln" / "osm_kitas.geojson", opts).directory
    shapes = gpd.read_file(DEMO / "boundaries" / "koeln_stadtteile.geojson")
    assigned = assign_units(directory, shapes, "STT_NR", prefix="05315000-")
    offers = directory.offers()
    assert len(offers) == 132 and 0 < assigned <= 132
    assert offers["unit_id"].dropna().str.match(r"^05315000-\d{3}$").all()
    assert assign_units(directory, shapes, "STT_NR") == 0  # nothing left to assign
    assert offers["lat"].between(50.8, 51.1).all() and offers["lon"].between(6.7, 7.2).all()
    assert offers["name"].str.startswith("Kita ohne Namen (OSM ").sum() > 0


def test_vocabularies() -> None:
    assert parse_life_phase("0 bis unter 3 Jahre").value == "0-3"  # type: ignore[union-attr]
    assert parse_life_phase("Schwangerschaft").value == "pregnancy"  # type: ignore[union-attr]
    assert parse_life_phase("16–25").value == "16-25"  # type: ignore[union-attr]
    assert parse_life_phase("Teenager") is None
    assert phases_for_ages(3.0, 5.99) == ["3-6"]
    assert phases_for_ages(0.0, 3.0) == ["0-3", "3-6"]  # 3.0 is eligible: inclusive max
    assert in_germany(50.94, 6.96) and not in_germany(6.96, 50.94)


def test_normalised_names() -> None:
    assert normalise_name("Städt. Kindergarten Sonnenschein e.V.") == "kita sonnenschein"
    assert normalise_name("KiTa  Sonnenschein") == "kita sonnenschein"
    assert normalise_name("Familienzentrum Nippes") == "familienzentrum nippes"


def _csv(tmp_path: Path, name: str, rows: list[tuple[str, float, float]]) -> Path:
    path = tmp_path / name
    lines = ["name,lat,lon"] + [f"{n},{a},{b}" for n, a, b in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_duplicates_across_sources(tmp_path: Path) -> None:
    osm = read_directory(_csv(tmp_path, "osm.csv", [
        ("Kindergarten Sonnenschein", 50.95, 6.95), ("Kita Regenbogen", 50.96, 6.96)]),
        DirectoryOptions(source="OSM")).directory
    city = read_directory(_csv(tmp_path, "stadt.csv", [
        ("Städt. Kita Sonnenschein", 50.9502, 6.95),  # 22 m north: the same Kita
        ("Kita Regenbogen", 50.965, 6.96),  # 556 m away: another one
        ("Kita Neu", 50.97, 6.97)]), DirectoryOptions(source="Jugendamt")).directory
    both = combine([osm, city], max_distance_m=50)
    merged, dups = both
    assert len(merged.services) == 4
    assert sorted(merged.offers()["name"]) == ["Kindergarten Sonnenschein", "Kita Neu",
                                               "Kita Regenbogen", "Kita Regenbogen"]
    assert len(dups) == 1
    row = dups.iloc[0]
    assert (row["name_a"], row["name_b"]) == ("Kindergarten Sonnenschein",
                                              "Städt. Kita Sonnenschein")
    assert row["distance_m"] == pytest.approx(22.2, abs=0.5)
    assert row["message_de"] == ("'Städt. Kita Sonnenschein' (Jugendamt) ist vermutlich "
                                 "dasselbe Angebot wie 'Kindergarten Sonnenschein' (OSM), "
                                 "22 m entfernt")
    wide = find_duplicates(merged.offers().pipe(lambda f: f), max_distance_m=1000)
    assert list(wide["name_a"]) == ["Kita Regenbogen"]  # the two Regenbogen within 1 km
