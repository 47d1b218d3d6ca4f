"""Write the example files of the guides (docs/examples/) from the bundled real Köln data.

Run once from the repository root: ``.venv/bin/python docs/tools/make_examples.py``.
The files are committed; the guides' runnable snippets (tests/docs/test_snippets.py) use
them.  Sources: Stadt Köln, Offene Daten Köln (CC BY): Stadtbezirke, Stadtteile,
Bevölkerung 2011/2012 (see src/kekiz/demo/data/PROVENANCE.md).

The files for the other guides come from the bundled demo data as well (OSM Kitas, GISD,
the KeKiZ member list, the synthetic cooperation survey) and, for the Berlin MSS example,
from ``../shared/data/berlin_mss_2013_2019`` (Senatsverwaltung Berlin, CC BY 4.0).
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "src" / "kekiz" / "demo" / "data"
OUT = REPO / "docs" / "examples"
TOLERANCE = 0.0004  # degrees, about 30-45 m: small files, same topology for the guides


def boundaries() -> None:
    gem = gpd.read_file(DEMO / "boundaries" / "nrw_gemeinden_vg5000_2021.geojson")
    koeln = gem[gem["AGS"] == "05315000"][["AGS", "GEN", "geometry"]]
    (OUT / "gemeinde.geojson").write_text(koeln.to_json(drop_id=True, to_wgs84=True),
                                          encoding="utf-8")
    bez = gpd.read_file(DEMO / "boundaries" / "koeln_stadtbezirke.geojson")
    bez["geometry"] = bez.geometry.simplify(TOLERANCE, preserve_topology=True)
    bez = bez.set_crs("EPSG:4326", allow_override=True)
    gpkg = OUT / "stadtbezirke.gpkg"
    gpkg.unlink(missing_ok=True)
    bez.to_file(gpkg, layer="stadtbezirke", driver="GPKG")
    with tempfile.TemporaryDirectory() as tmp:
        shp = Path(tmp) / "stadtbezirke.shp"
        bez.to_crs("EPSG:25832").to_file(shp, driver="ESRI Shapefile", encoding="utf-8")
        with zipfile.ZipFile(OUT / "stadtbezirke_shp.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            for part in sorted(Path(tmp).iterdir()):
                zf.write(part, part.name)
    teile = gpd.read_file(DEMO / "boundaries" / "koeln_stadtteile.geojson")
    teile["geometry"] = teile.geometry.simplify(TOLERANCE, preserve_topology=True)
    teile = teile.set_crs("EPSG:4326", allow_override=True)
    (OUT / "stadtteile.geojson").write_text(
        teile.to_json(drop_id=True, to_wgs84=True), encoding="utf-8")


def population() -> None:
    raw = pd.read_csv(DEMO / "koeln" / "bevoelkerung_koeln_2005_2012.csv", dtype=str)
    raw["zahl"] = raw["zahl"].astype(float).astype(int)
    raw = raw[raw["raum_id"].str.len() == 3]
    rows = raw[raw["raum_id"].astype(int) >= 100]  # Stadtteile have three-digit keys >= 101
    wide = rows.pivot_table(index=["jahr", "raum_id", "raum"], columns="zeile",
                            values="zahl", aggfunc="sum").reset_index()
    wide["u6"] = wide["00 - < 03"] + wide["03 - < 06"]
    table = pd.DataFrame({
        "Stadtteil-Nr.": wide["raum_id"], "Stadtteil": wide["raum"], "Jahr": wide["jahr"],
        "Einwohner": wide["Einwohner"], "Kinder unter 3": wide["00 - < 03"],
        "Kinder 3 bis unter 6": wide["03 - < 06"], "Kinder unter 6": wide["u6"],
        "Anteil unter 6 (%)": (100 * wide["u6"] / wide["Einwohner"]).round(1)})
    y2012 = table[table["Jahr"] == "2012"].drop(columns="Jahr")
    # German Excel export: Windows-1252, semicolon, decimal comma, a title line above the
    # header and a blank line.
    text = y2012.to_csv(sep=";", index=False, decimal=",", lineterminator="\r\n")
    title = "Bevölkerung in Kölner Stadtteilen am 31.12.2012 (Quelle: Stadt Köln, CC BY)"
    (OUT / "kinder_2012.csv").write_bytes(
        (title + "\r\n\r\n" + text).encode("cp1252"))
    long = table.melt(id_vars=["Stadtteil-Nr.", "Jahr"],
                      value_vars=["Einwohner", "Kinder unter 3"],
                      var_name="merkmal", value_name="anzahl")
    long = long.rename(columns={"Stadtteil-Nr.": "raum_id", "Jahr": "jahr"})
    long.sort_values(["jahr", "raum_id", "merkmal"]).to_csv(
        OUT / "bevoelkerung_lang.csv", index=False, encoding="utf-8")
    y2011 = table[table["Jahr"] == "2011"].drop(columns=["Jahr", "Anteil unter 6 (%)"])
    with pd.ExcelWriter(OUT / "kinder_2011.xlsx") as xl:
        y2011.to_excel(xl, sheet_name="Stadtteile 2011", index=False)


def chain() -> None:
    """Kitas from OpenStreetMap (ODbL) and children aged 3-6 per Stadtteil 2012."""
    shutil.copy(DEMO / "koeln" / "osm_kitas.geojson", OUT / "kitas.geojson")
    raw = pd.read_csv(DEMO / "koeln" / "bevoelkerung_koeln_2005_2012.csv", dtype=str)
    rows = raw[(raw["jahr"] == "2012") & (raw["raum_id"].str.len() == 3)
               & (raw["raum_id"].astype(int) >= 100) & (raw["zeile"] == "03 - < 06")]
    table = pd.DataFrame({"raum_id": rows["raum_id"], "raum": rows["raum"],
                          "ew_3_6": rows["zahl"].astype(float).astype(int)})
    table.sort_values("raum_id").to_csv(OUT / "ew.csv", index=False, encoding="utf-8")


def cooperation() -> None:
    """The two synthetic survey waves of the demo, as CSV and as an XLSX sheet."""
    src = DEMO / "cooperation"
    shutil.copy(src / "SYNTHETISCH_koeln_kooperation_welle1.csv",
                OUT / "SYNTHETISCH_befragung_2023.csv")
    wave2 = pd.read_csv(src / "SYNTHETISCH_koeln_kooperation_welle2.csv", sep=";", dtype=str,
                        keep_default_na=False)
    with pd.ExcelWriter(OUT / "SYNTHETISCH_befragung_2025.xlsx") as xl:
        wave2.to_excel(xl, sheet_name="Antworten", index=False)


def network() -> None:
    """KeKiZ members (with the year they joined) and the funding by the published rule."""
    net = DEMO / "network"
    shutil.copy(net / "kekiz_municipalities.csv", OUT / "kommunen.csv")
    shutil.copy(net / "kekiz_foerderung_nach_regel.csv", OUT / "foerderung.csv")


def panel() -> None:
    """GISD score per Kreis and year with the year its Kreis or kreisfreie Stadt joined
    KeKiZ (0 = never; member Gemeinden inside a Kreis do not count)."""
    gisd = pd.read_csv(DEMO / "gisd" / "GISD_Nordrhein-Westfalen_Kreis.csv",
                       dtype={"kreis_id": str})
    members = pd.read_csv(DEMO / "network" / "kekiz_municipalities.csv", dtype=str)
    members = members[members["level"].isin(["Kreis", "kreisfreie Stadt"])]
    joined = dict(zip(members["ags"], members["joined_year"].astype(int), strict=True))
    gisd = gisd[gisd["year"] >= 2005]
    table = pd.DataFrame({"kreis": gisd["kreis_id"], "name": gisd["kreis_name"],
                          "jahr": gisd["year"], "gisd_score": gisd["gisd_score"],
                          "beitritt": gisd["kreis_id"].map(joined).fillna(0).astype(int)})
    table.to_csv(OUT / "panel.csv", index=False, encoding="utf-8")


def mss() -> None:
    """Berlin MSS 2017 shares and changes per Planungsraum (published, CC BY 4.0)."""
    name = "berlin-lor-monitoring-social-urban-development-2017-00"
    src = REPO.parent / "shared" / "data" / "berlin_mss_2013_2019" / name
    raw = pd.read_csv(src / f"{name}-planning-areas.csv", dtype={"id": str})
    raw = raw.loc[:, ~raw.columns.duplicated()]
    table = pd.DataFrame({"id": raw["id"], "name": raw["name"], "ew": raw["inhabitants"]})
    for prefix in ("s", "d"):
        for i in range(1, 5):
            col = next(c for c in raw.columns if c.startswith(f"{prefix}{i}_"))
            table[f"{prefix}{i}"] = raw[col]
    table.to_csv(OUT / "plr.csv", index=False, encoding="utf-8")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    boundaries()
    population()
    chain()
    cooperation()
    network()
    panel()
    mss()
    shutil.copy(DEMO / "goals" / "leitbild_koeln.yaml", OUT / "leitbild.yaml")
    for p in sorted(OUT.iterdir()):
        print(f"{p.relative_to(REPO)}: {p.stat().st_size:,} Bytes")


if __name__ == "__main__":
    main()
