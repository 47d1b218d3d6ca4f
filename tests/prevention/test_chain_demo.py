"""Acceptance of issue #5 on the Köln demo store, through the CLI.

The real OSM Kita points and the children aged 3 to under 6 per Stadtteil give Kitas per
1,000 children and 2SFCA accessibility per Stadtteil; need against supply as a quadrant
list; three suggested sites for new family centres; a chain matrix from the real Kita and
school points plus a clearly labelled synthetic set of other offers.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from click.testing import Result
from typer.testing import CliRunner

from kekiz.demo import demo_dir
from kekiz.domain.errors import ImportFailed, MethodError
from kekiz.storage import open_store
from tests.prevention.conftest import Validate

SYNTHETIC = "SYNTHETISCH: Angebote der Präventionskette Köln (erfundene Demo-Daten)"
MUELHEIM, EHRENFELD, WIDDERSDORF = "05315000-901", "05315000-401", "05315000-309"


@pytest.fixture(scope="module")
def demo(demo_module_url: str) -> str:
    """The demo store; the chain offers are added unless ``kekiz demo`` did it already."""
    url = demo_module_url
    store = open_store(url)
    try:
        if not store.service_datasets():
            from kekiz.app import Kekiz
            from kekiz.demo.chain import build_chain_demo
            from kekiz.settings import load_settings

            build_chain_demo(Kekiz(load_settings({"store": url}), store))
    finally:
        store.dispose()
    return url


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    from kekiz.cli import context

    # the width as set, not as read: undoing "width" would fix the width read now (80)
    # for every later test of the process
    monkeypatch.setattr(context.out, "_width", 250)


def _run(url: str, *args: str) -> Result:
    from kekiz.cli import main as cli

    return CliRunner().invoke(cli.app, ["--store", url, *args])


def _json(url: str, *args: str) -> Any:
    result = _run(url, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _children_2012() -> pd.DataFrame:
    raw = pd.read_csv(demo_dir() / "koeln" / "bevoelkerung_koeln_2005_2012.csv",
                      dtype={"raum_id": str})
    raw = raw[raw["jahr"] == 2012]
    return raw.pivot_table(index="raum_id", columns="zeile", values="zahl")


def test_demo_offers_are_stored_and_labelled(demo: str) -> None:
    rows = {r["name"]: r for r in _json(demo, "chain", "datasets")}
    assert {n: (r["services"], r["synthetic"]) for n, r in rows.items()} == {
        "OSM Kitas Köln (ca. 2017)": (132, 0), "OSM Schulen Köln (ca. 2017)": (132, 0),
        SYNTHETIC: (169, 169)}
    kitas = rows["OSM Kitas Köln (ca. 2017)"]
    assert "OpenStreetMap" in kitas["source"] and kitas["licence"] == "ODbL 1.0"
    assert kitas["details"]["kind"] == "kita" and kitas["details"]["format"] == "points"
    store = open_store(demo)
    try:
        d = store.load_directory()
        datasets = {ds.name: ds for ds in store.datasets()}
    finally:
        store.dispose()
    assert datasets[SYNTHETIC].kind == "services" and datasets[SYNTHETIC].sha256
    fake = [s for s in d.services.values() if s.synthetic]
    assert len(fake) == 169
    assert all(s.name.startswith("[synthetisch] ") and "keine echten" in s.source
               for s in fake)
    real = [s for s in d.services.values() if not s.synthetic]
    assert not any(s.name.startswith("[synthetisch]") for s in real)
    # nameless OSM nodes keep their node id, schools get their type from the name
    assert any(s.name.startswith("Kita ohne Namen (OSM ") for s in real)
    grund = [s for s in real if "Grundschule" in s.topics]
    assert grund and all(s.life_phases == ["6-10"] for s in grund)


def test_kitas_per_1000_children_hand_checked(demo: str) -> None:
    data = _json(demo, "chain", "coverage", "--level", "stadtteil", "--life-phase", "3-6",
                 "--kind", "kita")
    meta, units = data["meta"], {u["unit_id"]: u for u in data["units"]}
    assert meta["population_indicator"] == "einwohner_3_6" and meta["period"] == "2012"
    assert meta["method"] == "2SFCA" and meta["demand"] == "grid"
    assert meta["radius_m"] == 1500 and meta["offers"] == 132 and len(units) == 86
    assert meta["supply_label_de"] == ("Erreichbarkeit (2SFCA, Kitas je 1.000 Kinder im "
                                       "Umkreis von 1,5 km)")
    assert "Platzzahlen fehlen" in data["notes"][0]
    # Mülheim: 21 OSM Kita nodes in the Stadtteil polygon, 1,213 children 3 to under 6
    # (31.12.2012): 21 / 1,213 * 1,000 = 17.312 Kitas per 1,000 children
    m = units[MUELHEIM]
    assert (m["name"], m["offers"], m["children"]) == ("Mülheim", 21, 1213)
    assert m["offers_per_1000"] == pytest.approx(17.3124485, abs=1e-6)
    # Ehrenfeld: 7 Kitas, 737 children: 7 / 737 * 1,000 = 9.498
    e = units[EHRENFELD]
    assert (e["name"], e["offers"], e["children"]) == ("Ehrenfeld", 7, 737)
    assert e["offers_per_1000"] == pytest.approx(9.4979647, abs=1e-6)
    assert m["places_per_child"] is None and e["places_per_child"] is None
    # the same counts for every Stadtteil, straight from the bundled files
    base = demo_dir()
    kitas = gpd.read_file(base / "koeln" / "osm_kitas.geojson")
    shapes = gpd.read_file(base / "boundaries" / "koeln_stadtteile.geojson")
    counts = gpd.sjoin(kitas, shapes[["STT_NR", "geometry"]], predicate="within") \
        .groupby("STT_NR").size()
    kids = _children_2012()["03 - < 06"]
    for uid, u in units.items():
        code = uid.split("-")[1]
        assert u["offers"] == counts.get(code, 0), uid
        assert u["children"] == kids[code], uid
    # 2SFCA hands out every Kita exactly once: sum of children x accessibility = 132
    total = sum(u["children"] * u["accessibility"] for u in units.values()) / 1000
    assert total == pytest.approx(132, abs=1e-6)
    assert units["05315000-713"]["accessibility"] == 0  # Libur: no Kita within 1.5 km


def test_coverage_prints_a_german_table(demo: str, wide: None) -> None:
    done = _run(demo, "chain", "coverage", "--limit", "5")
    assert done.exit_code == 0, done.output
    assert ("Abdeckung (kita, Lebensphase 3-6), Ebene stadtteil: 132 Angebote für 27.866 "
            "Kinder (einwohner_3_6, 2012) = 4,74 je 1.000 Kinder") in done.output
    assert "Die 5 Gebiete mit der geringsten Erreichbarkeit" in done.output
    assert "Raster von 250 m" in done.output


def test_what_if_on_the_demo(demo: str, wide: None, tmp_path: Path) -> None:
    shapes = gpd.read_file(demo_dir() / "boundaries" / "koeln_stadtteile.geojson")
    libur = shapes.loc[shapes["STT_NR"].astype(str) == "713", "geometry"].iloc[0]
    inner = libur.representative_point()
    add = f"Kita Libur (Szenario);{inner.y:.6f};{inner.x:.6f};;3-6"
    data = _json(demo, "chain", "what-if", "--add", add, "--remove", "Mülheimer Rasselbande")
    units = {u["unit_id"]: u for u in data["units"]}
    meta = data["meta"]
    assert (meta["offers_before"], meta["offers_after"]) == (132, 132)
    # Mülheim loses the Kita, Libur (no Kita within 1.5 km before) gains one
    assert (units[MUELHEIM]["offers_before"], units[MUELHEIM]["offers_after"]) == (21, 20)
    lib = units["05315000-713"]
    assert (lib["offers_before"], lib["offers_after"]) == (0, 1)
    assert lib["accessibility_before"] == 0 and lib["accessibility_after"] > 0
    assert meta["children_without_after"] < meta["children_without_before"]
    # 2SFCA hands out every Kita once, before and after: 132 Kitas either way
    for when in ("before", "after"):
        total = sum(u["children"] * u[f"accessibility_{when}"] for u in units.values())
        assert total / 1000 == pytest.approx(132, abs=1e-6), when
    # "before" is the coverage of the stored offers
    cov = {u["unit_id"]: u for u in _json(demo, "chain", "coverage")["units"]}
    assert all(units[k]["accessibility_before"] == pytest.approx(cov[k]["accessibility"])
               for k in cov)
    out = tmp_path / "szenario.csv"
    done = _run(demo, "chain", "what-if", "--add", add, "--remove", "Mülheimer Rasselbande",
                "-o", str(out))
    assert done.exit_code == 0, done.output
    assert "Was wäre, wenn (kita, Lebensphase 3-6, Ebene stadtteil)" in done.output
    assert "Änderungen: entfernt: Mülheimer Rasselbande; neu: Kita Libur (Szenario)" \
        in done.output
    assert "Libur" in done.output and "Angebote: 132 vorher, 132 nachher." in done.output
    table = pd.read_csv(out, sep=";", decimal=",", dtype={"unit_id": str})
    assert len(table) == 86 and table["offers_change"].abs().sum() == 2
    bad = _run(demo, "chain", "what-if", "--remove", "Keine solche Kita")
    assert isinstance(bad.exception, MethodError)
    assert "'Keine solche Kita' ist nicht unter den 132 Angeboten" in bad.exception.message


def test_need_against_supply_quadrant_list(demo: str, wide: None) -> None:
    data = _json(demo, "chain", "gaps")
    need = data["need"]
    assert need["name_de"] == "Anteil der Kinder unter 6 Jahren an der Bevölkerung"
    assert need["period"] == "2012"
    assert need["how_de"].startswith(("berechnet aus den gespeicherten Zählwerten",
                                      "gespeicherter Indikator"))
    units = {u["unit_id"]: u for u in data["units"]}
    assert len(units) == 86
    assert {u["quadrant"] for u in units.values()} <= {"gap", "served", "low", "surplus"}
    kids = _children_2012().loc["309"]
    share = (kids["00 - < 03"] + kids["03 - < 06"]) / kids["Einwohner"] * 100
    assert units[WIDDERSDORF]["need"] == pytest.approx(share, rel=1e-9)
    gaps = [u for u in data["units"] if u["quadrant"] == "gap"]
    assert gaps and [u["rank"] for u in gaps] == sorted(u["rank"] for u in gaps)
    assert gaps[0]["rank"] == 1
    assert all(u["need"] > data["need_threshold"] and
               u["supply"] <= data["supply_threshold"] for u in gaps)
    assert gaps[0]["reason_de"].startswith("Bedarf hoch: Anteil der Kinder unter 6 Jahren")
    assert "Angebot gering: Erreichbarkeit (2SFCA" in gaps[0]["reason_de"]
    done = _run(demo, "chain", "gaps")
    assert done.exit_code == 0, done.output
    assert "Bedarfsmaß: Anteil der Kinder unter 6 Jahren an der Bevölkerung (2012)" \
        in done.output
    assert "Lücken: hoher Bedarf, geringes Angebot (größte zuerst)" in done.output
    assert "Hoher Bedarf, geringes Angebot" in done.output


def test_three_sites_for_family_centres_are_optimal(demo: str, wide: None) -> None:
    data = _json(demo, "chain", "sites", "-k", "3", "--kind", "Familienzentrum")
    meta, sites = data["meta"], data["sites"]
    assert len(sites) == 3 and len({s["unit_id"] for s in sites}) == 3
    assert meta["optimal"] and meta["method"] == "p-median (MIP, HiGHS)"
    assert meta["existing"] >= 20 and meta["existing_synthetic"] == 20
    assert meta["mean_distance_after_m"] < meta["mean_distance_before_m"]
    assert any("SYNTHETISCH" in n for n in data["notes"])
    assert all(s["reason_de"].startswith(f"{s['name']}: ") for s in sites)
    # brute force over all 102,340 triples of Stadtteil points gives the same optimum
    from kekiz.app import Kekiz
    from kekiz.prevention.geo import to_metric
    from kekiz.prevention.siting import need_weights
    from kekiz.services.chain_data import kind_mask as _kind_mask
    from kekiz.settings import load_settings

    m = Kekiz(load_settings({"store": demo}))
    try:
        offers, shapes = m.chain.data.offers("stadtteil")
        kids, _ = m.chain.data.counts(("einwohner_u3", "einwohner_3_6"), "stadtteil", None)
        need, _info = m.chain.data.need("stadtteil", None, "2012")
    finally:
        m.close()
    fz = offers[_kind_mask(offers, "Familienzentrum") & offers["unit_id"].notna() &
                offers["lat"].notna()]
    pts = shapes.geometry.representative_point()
    xy = to_metric(pts.x, pts.y)
    w = need_weights(shapes["id"].map(kids).fillna(0).to_numpy(float),
                     shapes["id"].map(need).to_numpy(float))
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    old = to_metric(fz["lon"], fz["lat"])
    base = np.hypot(*(xy[:, None, :] - old[None, :, :]).transpose(2, 0, 1)).min(axis=1)
    best = np.inf
    triples = np.array(list(itertools.combinations(range(len(xy)), 3)))
    for chunk in np.array_split(triples, 20):
        near = np.minimum(base[None, :], d[:, chunk].min(axis=2).T)
        best = min(best, float((near * w).sum(axis=1).min()))
    assert meta["objective"] == pytest.approx(best, rel=1e-9)
    done = _run(demo, "chain", "sites")
    assert done.exit_code == 0, done.output
    assert "3 Standortvorschläge: Familienzentrum" in done.output
    assert "Kinder unter 6 Jahren" in done.output


def test_chain_matrix_real_and_synthetic(demo: str, wide: None) -> None:
    data = _json(demo, "chain", "matrix")
    assert data["unit_id"] == "__gesamt__" and data["offers"] == 433
    assert data["synthetic_offers"] == 169

    def cell(rows: list[dict[str, Any]], phase: str, sector: str) -> int:
        return next(int(r["offers"]) for r in rows
                    if r["life_phase"] == phase and r["sector"] == sector)

    all_, fake = data["phases"], data["synthetic_phases"]
    # every real OSM Kita counts for 3 to under 6 in child and youth welfare
    assert cell(all_, "3-6", "youth_welfare") - cell(fake, "3-6", "youth_welfare") == 132
    assert cell(all_, "6-10", "education") - cell(fake, "6-10", "education") > 50
    assert cell(fake, "pregnancy", "health") > 0 and cell(fake, "16-25", "employment") > 0
    assert "Kein Angebot in der Kommune für Schwangerschaft und Geburt im Bereich Bildung." \
        in data["gaps_de"]
    nippes = _json(demo, "chain", "matrix", "--unit", "Nippes")
    assert nippes["unit_id"] == "05315000-501" and nippes["level"] == "stadtteil"
    done = _run(demo, "chain", "matrix")
    assert done.exit_code == 0, done.output
    assert "433 Angebote, davon 169 SYNTHETISCH" in done.output
    assert "synth.)" in done.output and "Kinder- und Jugendhilfe" in done.output


def test_family_finder_on_stored_offers(demo: str) -> None:
    hits = _json(demo, "chain", "find", "--age", "4", "--near", "Nippes", "--radius", "1500")
    assert hits and all(h["distance_m"] <= 1500 for h in hits)
    assert [h["distance_m"] for h in hits] == sorted(h["distance_m"] for h in hits)
    kitas = _json(demo, "chain", "find", "--district", "Ehrenfeld", "--topic",
                  "Kindertagesbetreuung", "--limit", "50")
    assert len(kitas) == 7
    done = _run(demo, "chain", "find", "--age", "2", "--near", "50.94,6.96", "--limit", "2")
    assert done.exit_code == 0 and done.output.startswith("1. ")


def test_public_export_validates_against_hsds(demo: str, tmp_path: Path,
                                              hsds_validate: Validate) -> None:
    out = tmp_path / "koeln.hsds.json"
    done = _run(demo, "chain", "export", "-o", str(out))
    assert done.exit_code == 0, done.output
    assert "433 veröffentlichte Angebote" in done.output
    page = json.loads(out.read_text(encoding="utf-8"))
    assert page["total_items"] == 433
    errors = [e for doc in page["contents"] for e in hsds_validate("compiled/service", doc)]
    assert errors == []
    fake = [doc for doc in page["contents"] if doc["name"].startswith("[synthetisch]")]
    assert len(fake) == 169
    codes = {a["taxonomy_term"]["code"] for a in fake[0]["attributes"]}
    assert "kekiz:synthetic" in codes


def test_bad_import_keeps_the_demo_store_unchanged(demo: str, tmp_path: Path) -> None:
    store = open_store(demo)
    try:
        before = store.snapshot()
        bad = tmp_path / "kitas.csv"
        bad.write_text("Angebot;lat;lon\nKita B;;\nKita A;6,95;50,94\n", encoding="utf-8")
        done = _run(demo, "chain", "import", str(bad), "--kind", "kita")
        assert isinstance(done.exception, ImportFailed)
        text = done.exception.message
        assert "Koordinaten liegen außerhalb Deutschlands" in text and "vertauscht" in text
        assert "Zeile 2" in text and "Koordinaten fehlen" in text
        assert store.snapshot() == before
    finally:
        store.dispose()
