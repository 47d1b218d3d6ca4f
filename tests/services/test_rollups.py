"""Roll-ups of fine into coarse units: prefix, mapping table, containment, and a table
on fine keys imported straight into a coarse level (issue #18)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from kekiz.analysis.rollup import rollup_values
from kekiz.app import Kekiz
from kekiz.domain.errors import ImportFailed, KekizError
from kekiz.domain.model import Aggregation, Indicator
from kekiz.ingest.boundaries import BoundaryOptions
from kekiz.ingest.indicators import IndicatorOptions
from kekiz.services.levels import parse_level_spec
from kekiz.settings import load_settings

LEVELS = ["bezirk=Bezirk|district|Bezirke|districts",
          "bezirksregion=Bezirksregion|district region|Bezirksregionen|district regions",
          "planungsraum=Planungsraum|planning area|Planungsräume|planning areas"]
MSS = ("berlin_mss_2013_2019/berlin-lor-monitoring-social-urban-development-2019-00/"
       "berlin-lor-monitoring-social-urban-development-2019-00-planning-areas.csv")


def test_counts_sum_and_ratios_are_recomputed_with_weights() -> None:
    obs = pd.DataFrame({"unit_id": ["a", "b", "c"], "period": "2019",
                        "value": [10.0, 15.0, 50.0], "numerator": [10.0, 30.0, 5.0],
                        "denominator": [100.0, 200.0, 10.0], "status": "ok"})
    mapping = pd.DataFrame({"fine": ["a", "b", "c"], "coarse": ["X", "X", "Y"],
                            "weight": [1.0, 0.5, 1.0]})
    ratio = Indicator("q", "Quote", "rate", aggregation=Aggregation.RATIO, scale=100)
    got = rollup_values(obs, mapping, ratio).values.set_index("unit_id")
    # by hand: X = (10 + 0.5 * 30) / (100 + 0.5 * 200) * 100 = 25 / 200 * 100 = 12.5
    assert got.loc["X", "value"] == pytest.approx(12.5)
    assert (got.loc["X", "numerator"], got.loc["X", "denominator"]) == (25.0, 200.0)
    assert got.loc["Y", "value"] == pytest.approx(50.0)  # never the mean of 10 and 15
    count = Indicator("n", "Anzahl", "count", aggregation=Aggregation.SUM)
    sums = rollup_values(obs, mapping, count).values.set_index("unit_id")["value"]
    assert sums.to_dict() == {"X": 10 + 0.5 * 15, "Y": 50.0}
    # a coarse unit with a fine unit lacking its value: left out, or taken with partial
    short = obs[obs["unit_id"] != "b"]
    assert list(rollup_values(short, mapping, count).values["unit_id"]) == ["Y"]
    part = rollup_values(short, mapping, count, partial=True)
    assert part.incomplete == 1
    assert part.values.set_index("unit_id").loc["X", ["value", "missing"]].tolist() == [10, 1]
    none = Indicator("i", "Index", "index", aggregation=Aggregation.NONE)
    assert rollup_values(obs, mapping, none).values.empty


@pytest.fixture
def berlin(store_url: str, shared_dir: Path) -> Iterator[tuple[Kekiz, Path]]:
    data = shared_dir / "data"
    lor = data / "berlin_lor_until_2020"
    app = Kekiz(load_settings({"store": store_url, "user": "tester"}, environ={}))
    app.imports.boundaries(lor / "berlin-lor-districts.geojson", BoundaryOptions(
        level="gemeinde", id_field="", name_field="name", key_value="11000000",
        name_value="Berlin"))
    app.levels.define([parse_level_spec(s) for s in LEVELS], municipality="11000000")
    app.imports.boundaries(lor / "berlin-lor-districts.geojson", BoundaryOptions(
        level="bezirk", id_field="id", name_field="name", id_prefix="11000000-",
        parent_level="gemeinde"))
    app.imports.boundaries(lor / "berlin-lor-district-regions-until-2020.geojson",
                           BoundaryOptions(level="bezirksregion", id_field="id",
                                           name_field="name", id_prefix="11000000-",
                                           parent_level="bezirk"))
    # feature 124 of the published file carries 06010102 a second time; it is the
    # Schloßstraße of Charlottenburg, PLR 04030417 in the MSS table
    app.imports.boundaries(lor / "berlin-lor-planning-areas-until-2020.geojson",
                           BoundaryOptions(level="planungsraum", id_field="id",
                                           name_field="name", id_prefix="11000000-",
                                           parent_level="bezirksregion",
                                           set_keys={124: "04030417"}))
    try:
        yield app, data
    finally:
        app.close()


def _published(data: Path) -> dict[str, float]:
    """PLR id -> inhabitants, read with the csv module (independent of kekiz)."""
    with (data / MSS).open(encoding="utf-8") as fh:
        return {r["id"]: float(r["inhabitants"]) for r in csv.DictReader(fh)}


def test_planungsraeume_roll_up_into_bezirksregionen(berlin: tuple[Kekiz, Path]) -> None:
    app, data = berlin
    app.imports.indicators(data / MSS, IndicatorOptions(
        level="planungsraum", key_column="id", period="2019",
        columns={"inhabitants": "einwohner"}))
    plr = _published(data)
    all_plr = {u.keys["local"] for u in app.store.units(level="planungsraum")}
    by_hand: dict[str, float] = {}
    for key, n in plr.items():
        by_hand[key[:6]] = by_hand.get(key[:6], 0.0) + n
    complete = {k for k in by_hand
                if all(p in plr for p in all_plr if p.startswith(k))}
    result = app.rollups.rollup("planungsraum", "bezirksregion", "prefix:6")
    got = app.store.observations(indicator_id="einwohner", level="bezirksregion")
    values = dict(zip(got["unit_id"].str[9:], got["value"], strict=True))
    assert set(values) == complete and len(complete) == 126
    assert result.incomplete == {"einwohner": 11}
    for key in complete:
        assert values[key] == pytest.approx(by_hand[key])
    # Bezirksregion Regierungsviertel by hand: 2405 + 632 + 1115 + 8279
    assert values["010112"] == 12431
    assert "010111" not in values  # Tiergarten Süd: the park PLR 01011102 has no value
    # containment gives the same assignment as the key prefix
    spatial = app.rollups.mapping("planungsraum", "bezirksregion", "contains")
    prefix = app.rollups.mapping("planungsraum", "bezirksregion", "prefix:6")
    merged = spatial.merge(prefix, on="fine", suffixes=("_geo", "_key"))
    assert len(merged) == 448 and (merged["coarse_geo"] == merged["coarse_key"]).all()


def test_a_table_on_fine_keys_imports_into_the_coarse_level(berlin: tuple[Kekiz, Path],
                                                            tmp_path: Path) -> None:
    app, data = berlin
    plr = _published(data)
    mapping = tmp_path / "plr_zu_bzr.csv"
    mapping.write_text("plr;bzr\n" + "".join(f"{k};{k[:6]}\n" for k in plr), encoding="utf-8")
    result = app.imports.indicators(data / MSS, IndicatorOptions(
        level="bezirksregion", key_column="id", period="2019",
        columns={"inhabitants": "einwohner"}), mapping=mapping)
    got = app.store.observations(indicator_id="einwohner", level="bezirksregion")
    assert result.count == len(got) == 137  # every Bezirksregion with a PLR in the table
    values = dict(zip(got["unit_id"], got["value"], strict=True))
    assert values["11000000-010112"] == 2405 + 632 + 1115 + 8279
    # the mapping names only the PLRs of the table: Tiergarten Süd without its park
    assert values["11000000-010111"] == 3384 + 5038 + plr["01011104"] + plr["01011105"]
    assert app.store.observations(level="planungsraum").empty


def test_mapping_problems_name_file_row_column_value(berlin: tuple[Kekiz, Path],
                                                     tmp_path: Path) -> None:
    app, _data = berlin
    bad = tmp_path / "zuordnung.csv"
    bad.write_text("fein;grob;gewicht\n01011101;010111;1,5\n01011102;999999;1\n",
                   encoding="utf-8")
    with pytest.raises(ImportFailed) as info:
        app.rollups.read_mapping(bad, "bezirksregion")
    text = str(info.value)
    assert "zuordnung.csv, Zeile 2, Spalte 'gewicht': '1,5' Gewicht ungültig" in text
    bad.write_text("fein;grob\n01011101;010111\n01011102;999999\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"zuordnung.csv, Zeile 3, Spalte 'coarse': "
                                           r"'999999' Kein Gebiet der Ebene 'bezirksregion'"):
        app.rollups.read_mapping(bad, "bezirksregion")
    with pytest.raises(KekizError, match="Unbekannte Zuordnung 'prefix'"):
        app.rollups.mapping("planungsraum", "bezirksregion", "prefix")


def test_report_atlas_and_export_speak_of_berlins_levels(berlin: tuple[Kekiz, Path],
                                                         tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from kekiz.reporting.report_config import ReportConfig
    from kekiz.web import create_app

    app, data = berlin
    app.imports.indicators(data / MSS, IndicatorOptions(
        level="planungsraum", key_column="id", period="2019",
        columns={"inhabitants": "einwohner"}))
    app.rollups.rollup("planungsraum", "bezirksregion", "prefix:6", partial=True)
    inp = app.reports.report_input("11000000", ReportConfig(level="bezirksregion"))
    assert (inp.area_level_de, inp.area_level_en) == ("Bezirksregionen", "district regions")
    out = tmp_path / "werte.csv"
    app.data.export(out, indicator_id="einwohner", level="bezirksregion")
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert {r["Ebene"] for r in rows} == {"Bezirksregion"} and len(rows) == 137
    assert inp.subject_name == "Berlin" and len(inp.areas) == 138
    with TestClient(create_app(kekiz=app)) as client:
        page = client.get("/atlas?level=bezirksregion").text
        assert all(f">{name}</option>" in page
                   for name in ("Bezirk", "Bezirksregion", "Planungsraum"))
        assert ">Stadtteil</option>" not in page
        english = client.get("/atlas?level=bezirksregion&lang=en").text
        assert ">district region</option>" in english
