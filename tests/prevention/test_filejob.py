"""File-based coverage (the file job of FileService) and the 'kekiz chain' commands
(issue #5)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from kekiz.domain.errors import ImportFailed
from kekiz.prevention.coverage import UNIT_COVERAGE_COLUMNS
from kekiz.services.files import FileService
from kekiz.settings import load_settings


def coverage_file(offers: Path, units: Path, unit_id: str, population: Path,
                  population_id: str, population_column: str, **options: str) -> pd.DataFrame:
    """The coverage of a file job as the command computes it: the files read by
    kekiz.ingest.points, counted by kekiz.prevention.coverage.coverage_by_unit."""
    return FileService(load_settings(environ={})).chain_coverage(
        offers, units, unit_id=unit_id, population=population, population_id=population_id,
        population_column=population_column, **options)


def _square(x0: float, y0: float) -> list[list[list[float]]]:
    return [[[x0, y0], [x0 + 0.01, y0], [x0 + 0.01, y0 + 0.01], [x0, y0 + 0.01], [x0, y0]]]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    units = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": i + 1, "name": f"Gebiet {i + 1}"},
         "geometry": {"type": "Polygon", "coordinates": _square(6.90 + 0.01 * i, 50.90)}}
        for i in range(3)]}
    paths = {"units": tmp_path / "gebiete.geojson", "offers": tmp_path / "angebote.csv",
             "population": tmp_path / "kinder.csv", "points": tmp_path / "kitas.geojson"}
    paths["units"].write_text(json.dumps(units), encoding="utf-8")
    # three offers inside areas 1 and 2, one far outside
    paths["offers"].write_text("Name;Breite;Länge;Plätze\nA;50,905;6,905;10\n"
                               "B;50,906;6,906;5\nC;50,905;6,915;7\nD;50,95;6,95;3\n",
                               encoding="utf-8")
    paths["population"].write_text("raum;kinder\n1;30\n2;0\n4;12\n", encoding="utf-8")
    points = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"plaetze": cap},
         "geometry": {"type": "Point", "coordinates": [lon, 50.905]}}
        for lon, cap in ((6.905, 12), (6.925, 8))]}
    paths["points"].write_text(json.dumps(points), encoding="utf-8")
    return paths


def test_coverage_file_hand_computed(files: dict[str, Path]) -> None:
    out = coverage_file(files["offers"], files["units"], "id", files["population"], "raum",
                        "kinder", capacity="Plätze")
    assert list(out.columns) == UNIT_COVERAGE_COLUMNS
    rows = out.set_index("unit_id")
    # area 1: A (10) + B (5) = 15 places for 30 children = 0.5 per child
    assert rows.loc["1", "offers"] == 2 and rows.loc["1", "capacity"] == 15
    assert rows.loc["1", "population"] == 30 and rows.loc["1", "capacity_per_child"] == 0.5
    # area 2: C (7 places), population 0: no ratio
    assert rows.loc["2", "offers"] == 1 and rows.loc["2", "capacity"] == 7
    assert math.isnan(rows.loc["2", "capacity_per_child"])
    # area 3: nothing, no population row
    assert rows.loc["3", "offers"] == 0 and math.isnan(rows.loc["3", "population"])
    notes = out.attrs["notes"]
    assert "1 Angebot(e) liegen in keinem Gebiet und werden nicht gezählt" in notes
    assert "1 Gebiet(e) ohne Bevölkerungszahl: 3" in notes
    assert "1 Schlüssel der Bevölkerungsdatei ohne Gebiet: 4" in notes


def test_without_capacity_every_offer_counts_one(files: dict[str, Path]) -> None:
    out = coverage_file(files["offers"], files["units"], "id", files["population"], "raum",
                        "kinder", lat="Breite", lon="Länge").set_index("unit_id")
    assert out.loc["1", "capacity"] == 2 and out.loc["1", "capacity_per_child"] == 2 / 30


def test_geojson_points(files: dict[str, Path]) -> None:
    out = coverage_file(files["points"], files["units"], "id", files["population"], "raum",
                        "kinder", capacity="plaetze").set_index("unit_id")
    assert out["capacity"].tolist() == [12, 0, 8]
    assert out.loc["1", "capacity_per_child"] == pytest.approx(12 / 30)


def test_coverage_file_problems(files: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "ohne.csv"
    bad.write_text("Name;Ort\nA;Köln\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="Keine Koordinatenspalten gefunden"):
        coverage_file(bad, files["units"], "id", files["population"], "raum", "kinder")
    with pytest.raises(ImportFailed, match="Spalte 'AGS': Feld nicht gefunden"):
        coverage_file(files["offers"], files["units"], "AGS", files["population"], "raum",
                      "kinder")
    swapped = tmp_path / "vertauscht.csv"
    swapped.write_text("lat;lon;plaetze\n6,905;50,905;viele\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as info:
        coverage_file(swapped, files["units"], "id", files["population"], "raum", "kinder",
                      capacity="plaetze")
    text = info.value.message
    assert "Zeile 2, Spalte 'lat': '6.905, 50.905' Koordinaten liegen außerhalb " \
        "Deutschlands" in text and "tauschen" in text
    assert "Spalte 'plaetze': 'viele' keine Platzzahl" in text


def _invoke(args: list[str]) -> Result:
    """A ``kekiz chain`` file command in-process (no store is opened for file jobs)."""
    from kekiz.cli.chain_cmd import chain_app
    from kekiz.cli.context import CliState

    return CliRunner().invoke(chain_app, args, obj=CliState(lang="de"))


def test_chain_coverage_command(files: dict[str, Path], tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "abdeckung.csv"
    result = _invoke([
        "coverage", "--offers", str(files["offers"]), "--capacity", "Plätze", "--units",
        str(files["units"]), "--unit-id", "id", "--population", str(files["population"]),
        "--population-id", "raum", "--population-column", "kinder", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 Angebote mit 22 Plätzen in 3 Gebieten" in result.output
    assert "liegen in keinem Gebiet" in result.output
    frame = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig",
                        dtype={"unit_id": str})
    assert list(frame.columns) == UNIT_COVERAGE_COLUMNS
    assert frame["capacity_per_child"].iloc[0] == 0.5


def test_chain_check_hsds_and_find_commands(good_csv: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    done = _invoke(["check", str(good_csv)])
    assert done.exit_code == 0 and "in Ordnung – 4 Angebote, 3 Träger" in done.output
    out = tmp_path / "angebote.json"
    done = _invoke(["hsds", str(good_csv), "-o", str(out), "--published"])
    assert done.exit_code == 0, done.output
    assert json.loads(out.read_text(encoding="utf-8"))["total_items"] == 3
    done = _invoke(["find", str(out), "--age", "2", "--near",
                                     "50.961,6.952", "--radius", "1000"])
    assert done.exit_code == 0, done.output
    assert done.output.startswith("1. Familienzentrum Nippes – Stadt Köln.")
