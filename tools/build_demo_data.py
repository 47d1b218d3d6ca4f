#!/usr/bin/env python
"""Build the demo data shipped inside the kekiz package (``src/kekiz/demo/data/``).

The demo must run on a fresh clone, without the shared data folder. This script copies
what the demo needs from ``<shared>/data`` (default: ``../shared`` next to the repository)
into the package and writes ``PROVENANCE.md`` (German, then English), ``attribution.json``
and ``LICENSES/``.

Rules:
* Values are byte-exact: table cells are read and written as text, never re-formatted.
  Files that only need to be filtered by rows keep their original lines byte for byte.
* Only geometries change: reprojected to WGS84 (EPSG:4326), the Köln polygons are
  cleaned and simplified as a coverage (shared borders stay shared), coordinates are
  written with six decimals (about 0.1 m).
* Deterministic: rows and features are sorted, JSON is written by hand with fixed
  formatting, so a rerun gives the same bytes (with the same GEOS version).

Usage::

    .venv/bin/python tools/build_demo_data.py [--shared PATH]

``src/kekiz/demo/data/manifest.toml`` is not touched (it is written by hand).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import shutil
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
import shapely.geometry

REPO_ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = REPO_ROOT / "src" / "kekiz" / "demo" / "data"
DEFAULT_SHARED = REPO_ROOT.parent / "shared"

# Everything in OUT_DIR that this script owns (deleted and rebuilt on every run).
OWNED_DIRS = ("boundaries", "population", "gisd", "inkar", "network", "koeln", "LICENSES")
OWNED_FILES = ("PROVENANCE.md", "attribution.json")

COORD_DECIMALS = 6
METRIC_CRS = "EPSG:25832"  # ETRS89 / UTM 32N, metres
KOELN_TOLERANCE_M = 10.0  # coverage_simplify tolerance (Visvalingam-Whyatt, ~sqrt(area))
KOELN_GAP_WIDTH_M = 2.0  # slivers narrower than this between Köln polygons are closed
SIZE_BUDGET = 6 * 1024 * 1024

NRW = "05"

# --------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------

DL_DE_BY_2_0 = "https://www.govdata.de/dl-de/by-2-0"
CC_BY_4_0 = "https://creativecommons.org/licenses/by/4.0/"
ODBL_1_0 = "https://opendatacommons.org/licenses/odbl/1-0/"
KOELN_COMMIT = "08b0255c8ea12c8efc5e8d03b473a3d8bdcaeb93"
RKI_COMMIT = "29ee5a6a6ace757dc46aeaef906af6b4d30c1bb8"


@dataclass(frozen=True)
class Source:
    key: str
    folder: str  # folder under <shared>/data with the PROVENANCE.txt naming the commit
    repo: str | None
    commit: str | None
    producer_de: str
    producer_en: str
    licence: str
    licence_url: str | None
    attribution: str
    attribution_url: str | None


SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source(
            key="bkg_vg5000",
            folder="bkg_vg5000_2021",
            repo="https://github.com/Praesklepios/geoGermany",
            commit="7af434f1917117f1101e6f2237b3c50422cc46bc",
            producer_de="Bundesamt für Kartographie und Geodäsie (BKG), VG5000 Ebenen, "
            "Stand 01.01.2021",
            producer_en="Federal Agency for Cartography and Geodesy (BKG), VG5000 layers, "
            "as of 1 Jan 2021",
            licence="Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)",
            licence_url=DL_DE_BY_2_0,
            attribution="© GeoBasis-DE / BKG 2021 (Daten verändert)",
            attribution_url="https://www.bkg.bund.de",
        ),
        Source(
            key="bkg_vg250",
            folder="gisd_rki",
            repo="https://github.com/robert-koch-institut/"
            "German_Index_of_Socioeconomic_Deprivation_GISD",
            commit=RKI_COMMIT,
            producer_de="Bundesamt für Kartographie und Geodäsie (BKG), VG250-EW "
            "(Verwaltungsgebiete mit Einwohnerzahlen), Stand 31.12.2022; enthalten in den "
            "Kontextmaterialien des GISD-Repositoriums des Robert Koch-Instituts",
            producer_en="Federal Agency for Cartography and Geodesy (BKG), VG250-EW "
            "(administrative areas with population), as of 31 Dec 2022; included in the "
            "context materials of the Robert Koch Institute's GISD repository",
            licence="Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)",
            licence_url=DL_DE_BY_2_0,
            attribution="© GeoBasis-DE / BKG 2024 (Daten verändert)",
            attribution_url="https://www.bkg.bund.de",
        ),
        Source(
            key="rki_gisd",
            folder="gisd_rki",
            repo="https://github.com/robert-koch-institut/"
            "German_Index_of_Socioeconomic_Deprivation_GISD",
            commit=RKI_COMMIT,
            producer_de="Robert Koch-Institut (RKI), German Index of Socioeconomic "
            "Deprivation (GISD), Update 2025-01-31; Michalski N, Soliman LO, Reis M, "
            "Tetzlaff F, Nowossadeck E, Hoebel J (2025), Zenodo, "
            "doi:10.5281/zenodo.14781119",
            producer_en="Robert Koch Institute (RKI), German Index of Socioeconomic "
            "Deprivation (GISD), update 2025-01-31; Michalski N, Soliman LO, Reis M, "
            "Tetzlaff F, Nowossadeck E, Hoebel J (2025), Zenodo, "
            "doi:10.5281/zenodo.14781119",
            licence="Creative Commons Namensnennung 4.0 International (CC BY 4.0)",
            licence_url=CC_BY_4_0,
            attribution="Robert Koch-Institut, GISD, CC BY 4.0",
            attribution_url="https://doi.org/10.5281/zenodo.14781119",
        ),
        Source(
            key="bbsr_inkar_gisd",
            folder="gisd_rki",
            repo="https://github.com/robert-koch-institut/"
            "German_Index_of_Socioeconomic_Deprivation_GISD",
            commit=RKI_COMMIT,
            producer_de="Bundesinstitut für Bau-, Stadt- und Raumforschung (BBSR), INKAR "
            "(Laufende Raumbeobachtung, laut RKI-Readme Ausgabe 03/2024); INKAR-Rohexporte "
            "aus den Kontextmaterialien des GISD-Repositoriums",
            producer_en="Federal Institute for Research on Building, Urban Affairs and "
            "Spatial Development (BBSR), INKAR (edition 03/2024 according to the RKI "
            "readme); raw INKAR exports from the GISD repository's context materials",
            licence="Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)",
            licence_url=DL_DE_BY_2_0,
            attribution="© BBSR Bonn (INKAR), dl-de/by-2-0",
            attribution_url="https://www.inkar.de",
        ),
        Source(
            key="bbsr_inkar_gstahn",
            folder="inkar_2023_gstahn",
            repo="https://github.com/GStahn/ranking_german_counties",
            commit="d4be2635f31f42ea74f97dc79dde9ab7c308938d",
            producer_de="Bundesinstitut für Bau-, Stadt- und Raumforschung (BBSR), INKAR "
            "(neuestes Jahr je Indikator zum Abrufzeitpunkt, ca. 2022/23), abgerufen vom "
            "Autor des Repositoriums über das R-Paket 'bonn' (INKAR-API)",
            producer_en="Federal Institute for Research on Building, Urban Affairs and "
            "Spatial Development (BBSR), INKAR (latest year per indicator at download "
            "time, about 2022/23), downloaded by the repository author with the R package "
            "'bonn' (INKAR API)",
            licence="Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)",
            licence_url=DL_DE_BY_2_0,
            attribution="© BBSR Bonn (INKAR), dl-de/by-2-0",
            attribution_url="https://www.inkar.de",
        ),
        Source(
            key="koeln",
            folder="koeln_stadtteile_koelnapi",
            repo="https://github.com/KoelnAPI/data",
            commit=KOELN_COMMIT,
            producer_de="Stadt Köln (Stadtverwaltung Köln, offenedaten-koeln.de)",
            producer_en="City of Cologne (Stadtverwaltung Köln, offenedaten-koeln.de)",
            licence="CC BY (Creative Commons Namensnennung; Version in der Quelle nicht "
            "angegeben / version not stated in the source)",
            licence_url=f"https://github.com/KoelnAPI/data/blob/{KOELN_COMMIT}"
            "/data/geo-base/README.md",
            attribution="Stadt Köln, CC BY",
            attribution_url="https://www.offenedaten-koeln.de",
        ),
        Source(
            key="osm",
            folder="koeln_stadtteile_koelnapi",
            repo="https://github.com/KoelnAPI/data",
            commit=KOELN_COMMIT,
            producer_de="OpenStreetMap-Mitwirkende (Auszug der Knoten mit amenity-Tag im "
            "Rechteck um Köln, ca. 2017, durch KoelnAPI)",
            producer_en="OpenStreetMap contributors (extract of nodes with an amenity tag "
            "in a bounding box around Cologne, about 2017, by KoelnAPI)",
            licence="Open Data Commons Open Database License 1.0 (ODbL)",
            licence_url=ODBL_1_0,
            attribution="© OpenStreetMap-Mitwirkende, ODbL",
            attribution_url="https://www.openstreetmap.org/copyright",
        ),
        Source(
            key="kekiz_network",
            folder="",
            repo=None,
            commit=None,
            producer_de="Zusammenstellung des kekiz-Projekts aus öffentlichen Quellen "
            "(Bertelsmann Stiftung, RP Online, kinderstark.nrw; je Zeile in source_url)",
            producer_en="Compiled by the kekiz project from public sources (Bertelsmann "
            "Stiftung, RP Online, kinderstark.nrw; per row in source_url)",
            licence="Fakten aus den zitierten Quellen; Zusammenstellung kekiz "
            "(AGPL-3.0-or-later wie das Projekt) / facts from the cited sources",
            licence_url=None,
            attribution="Zusammenstellung: kekiz; Quellen: Bertelsmann Stiftung, RP Online, "
            "kinderstark.nrw (siehe source_url)",
            attribution_url=None,
        ),
    )
}


# --------------------------------------------------------------------------------------
# Bookkeeping
# --------------------------------------------------------------------------------------


@dataclass
class Output:
    rel: str  # path relative to OUT_DIR
    sources: list[str]
    origin: str  # where in the source repository / shared folder the data come from
    columns: list[str]
    changes_de: list[str]
    changes_en: list[str]
    rows: int | None = None


@dataclass
class Build:
    shared: Path  # <shared>/data
    out: Path
    outputs: list[Output] = field(default_factory=list)
    notes_de: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)

    def src(self, *parts: str) -> Path:
        p = self.shared.joinpath(*parts)
        if not p.exists():
            raise SystemExit(f"missing input file: {p}")
        return p

    def dst(self, rel: str) -> Path:
        p = self.out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def note(self, de: str, en: str) -> None:
        self.notes_de.append(de)
        self.notes_en.append(en)
        print(f"  note: {en}")

    def add(self, out: Output) -> None:
        self.outputs.append(out)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------------------
# Writers (fixed formatting)
# --------------------------------------------------------------------------------------


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    n = 0
    for row in rows:
        w.writerow(row)
        n += 1
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return n


def read_csv_text(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        grid = list(csv.reader(fh))
    return grid[0], grid[1:]


def copy_bytes(src: Path, dst: Path) -> None:
    shutil.copyfile(src, dst)
    if sha256(src) != sha256(dst):
        raise SystemExit(f"copy of {src} differs")


def filter_lines(src: Path, dst: Path, keep: Callable[[list[str]], bool]) -> int:
    """Keep the header and the data lines for which ``keep(parsed_row)`` is true, byte-exact."""
    lines = src.read_bytes().splitlines(keepends=True)
    kept = [lines[0]]
    for line in lines[1:]:
        row = next(csv.reader([line.decode("utf-8")]))
        if keep(row):
            kept.append(line)
    dst.write_bytes(b"".join(kept))
    return len(kept) - 1


def _fmt(v: float) -> str:
    s = f"{v:.{COORD_DECIMALS}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s


def _ring(coords: Any) -> str:
    return "[" + ",".join(f"[{_fmt(x)},{_fmt(y)}]" for x, y in coords) + "]"


def _poly(p: shapely.Polygon) -> str:
    return "[" + ",".join(_ring(r.coords) for r in (p.exterior, *p.interiors)) + "]"


def geometry_json(geom: shapely.Geometry) -> str:
    if isinstance(geom, shapely.Polygon):
        return '{"type":"Polygon","coordinates":' + _poly(geom) + "}"
    if isinstance(geom, shapely.MultiPolygon):
        parts = ",".join(_poly(p) for p in geom.geoms)
        return '{"type":"MultiPolygon","coordinates":[' + parts + "]}"
    if isinstance(geom, shapely.Point):
        return '{"type":"Point","coordinates":[' + f"{_fmt(geom.x)},{_fmt(geom.y)}" + "]}"
    raise ValueError(f"unsupported geometry {geom.geom_type}")


def write_geojson(path: Path, features: Sequence[tuple[dict[str, Any], str]]) -> int:
    """Write a FeatureCollection (RFC 7946, WGS84), one feature per line."""
    lines = ['{"type":"FeatureCollection","features":[']
    for i, (props, geom) in enumerate(features):
        p = json.dumps(props, ensure_ascii=False, separators=(",", ":"))
        sep = "," if i < len(features) - 1 else ""
        lines.append('{"type":"Feature","properties":' + p + ',"geometry":' + geom + "}" + sep)
    lines.append("]}")
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return len(features)


def finish_polygons(geoms: np.ndarray, label: str) -> np.ndarray:
    """Orient (RFC 7946), round to COORD_DECIMALS, and check the result is still valid."""
    g = shapely.orient_polygons(geoms, exterior_cw=False)
    g = shapely.transform(g, lambda c: np.round(c, COORD_DECIMALS))
    g = shapely.remove_repeated_points(g)
    bad = ~shapely.is_valid(g)
    if bad.any():
        raise SystemExit(f"{label}: {bad.sum()} geometries invalid after rounding")
    if shapely.is_empty(g).any():
        raise SystemExit(f"{label}: empty geometry after rounding")
    return g


def check_written_geojson(path: Path, n: int) -> gpd.GeoDataFrame:
    back = gpd.read_file(path)
    if len(back) != n or not back.is_valid.all() or back.crs is None or back.crs.to_epsg() != 4326:
        raise SystemExit(f"{path}: re-read check failed")
    return back


# --------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------


def build_vg5000(b: Build) -> dict[str, set[str]]:
    print("boundaries: BKG VG5000 2021 (NRW)")
    keys: dict[str, set[str]] = {}
    specs = [
        ("nrw_kreise_vg5000_2021_wgs84.geojson", "boundaries/nrw_kreise_vg5000_2021.geojson",
         53, 5, ["AGS", "ARS", "GEN", "BEZ"], "VG5000_KRS"),
        ("nrw_gemeinden_vg5000_2021_wgs84.geojson",
         "boundaries/nrw_gemeinden_vg5000_2021.geojson",
         396, 8, ["AGS", "ARS", "GEN", "BEZ", "KRS"], "VG5000_GEM"),
    ]
    for src_name, rel, n_expected, ags_len, cols, layer in specs:
        gdf = gpd.read_file(b.src("bkg_vg5000_2021", "derived", src_name))
        if gdf.crs is None or gdf.crs.to_epsg() != 4326 or len(gdf) != n_expected:
            raise SystemExit(f"{src_name}: unexpected CRS or row count")
        if not gdf["AGS"].str.fullmatch(rf"05\d{{{ags_len - 2}}}").all():
            raise SystemExit(f"{src_name}: AGS not {ags_len}-digit NRW keys")
        if gdf["AGS"].duplicated().any():
            raise SystemExit(f"{src_name}: duplicate AGS")
        if "KRS" in cols:
            gdf["KRS"] = gdf["AGS"].str[:5]
            missing = set(gdf["KRS"]) - keys["kreise"]
            if missing:
                raise SystemExit(f"Gemeinden with unknown Kreis: {sorted(missing)}")
        if "ARS" in cols and ags_len == 8 and not gdf["ARS"].str.fullmatch(r"\d{12}").all():
            raise SystemExit("Gemeinde ARS not 12-digit")
        gdf = gdf.sort_values("AGS", kind="stable").reset_index(drop=True)
        n_coords_in = int(shapely.get_num_coordinates(gdf.geometry.values).sum())
        geoms = finish_polygons(gdf.geometry.values, rel)
        feats = [
            ({c: str(getattr(row, c)) for c in cols}, geometry_json(g))
            for row, g in zip(gdf.itertuples(index=False), geoms, strict=True)
        ]
        path = b.dst(rel)
        n = write_geojson(path, feats)
        check_written_geojson(path, n)
        keys["kreise" if ags_len == 5 else "gemeinden"] = set(gdf["AGS"])
        n_coords_out = int(shapely.get_num_coordinates(geoms).sum())
        print(f"  {rel}: {n} features, {n_coords_in} -> {n_coords_out} vertices")
        extra = ["Spalte KRS = AGS[:5] ergänzt (Kreisschlüssel)." if "KRS" in cols else ""]
        extra_en = ["Column KRS = AGS[:5] added (Kreis key)." if "KRS" in cols else ""]
        b.add(Output(
            rel=rel, sources=["bkg_vg5000"], rows=n, columns=cols,
            origin=f"geogermany/bkgdata/vg5000_01-01.gk3.shape.ebenen/vg5000_ebenen_0101/"
            f"{layer}.shp (EPSG:31467); in ../shared/data/bkg_vg5000_2021/derived/{src_name} "
            "nach WGS84 umprojiziert und auf NRW (AGS 05…) gefiltert",
            changes_de=[
                "Auf NRW gefiltert (AGS beginnt mit 05), nach EPSG:4326 (WGS84) umprojiziert "
                "(in ../shared).",
                "Spalten reduziert auf " + ", ".join(c for c in cols if c != "KRS")
                + " (NUTS entfernt); Werte unverändert.",
                *[e for e in extra if e],
                f"Geometrie nicht vereinfacht (VG5000 ist bereits 1:5 Mio. generalisiert); "
                f"Koordinaten auf {COORD_DECIMALS} Nachkommastellen gerundet, Ringe gegen den "
                "Uhrzeigersinn orientiert (RFC 7946); Gültigkeit geprüft.",
                "Zeilen nach AGS sortiert.",
            ],
            changes_en=[
                "Filtered to NRW (AGS starting 05), reprojected to EPSG:4326 (WGS84) "
                "(in ../shared).",
                "Columns reduced to " + ", ".join(c for c in cols if c != "KRS")
                + " (NUTS dropped); values unchanged.",
                *[e for e in extra_en if e],
                f"Geometry not simplified (VG5000 is already generalised to 1:5 million); "
                f"coordinates rounded to {COORD_DECIMALS} decimals, rings oriented "
                "counter-clockwise (RFC 7946); validity checked.",
                "Rows sorted by AGS.",
            ],
        ))
    return keys


def _polygonal(g: shapely.Geometry) -> shapely.Geometry:
    """Polygonal part of a make_valid result."""
    polygonal = shapely.Polygon | shapely.MultiPolygon
    if isinstance(g, polygonal):
        return g
    return shapely.union_all([p for p in shapely.get_parts(g) if isinstance(p, polygonal)])


def koeln_coverage(gdf: gpd.GeoDataFrame, key: str, name: str) -> dict[str, Any]:
    """Clean and coverage-simplify ``gdf`` (in METRIC_CRS). Returns geometries and stats."""
    orig = gdf.geometry.values
    invalid = [f"{k} {n}" for k, n, ok in zip(gdf[key], gdf[name], shapely.is_valid(orig),
                                              strict=True) if not ok]
    reasons = [shapely.is_valid_reason(g) for g in orig[~shapely.is_valid(orig)]]
    valid = np.array([_polygonal(g) for g in shapely.make_valid(orig)], dtype=object)
    n_bad_edges = int((~shapely.is_empty(shapely.coverage_invalid_edges(valid))).sum())
    cleaned = shapely.coverage_clean(valid, gap_width=KOELN_GAP_WIDTH_M, snapping_distance=-1)
    if not shapely.coverage_is_valid(cleaned) or shapely.is_empty(cleaned).any():
        raise SystemExit(f"{key}: coverage_clean did not give a valid coverage")
    union = shapely.union_all(cleaned)
    holes = sum(len(p.interiors) for p in shapely.get_parts(union))
    simplified = shapely.coverage_simplify(cleaned, KOELN_TOLERANCE_M)
    if (
        not shapely.coverage_is_valid(simplified)
        or not shapely.is_valid(simplified).all()
        or shapely.is_empty(simplified).any()
        or len(simplified) != len(orig)
    ):
        raise SystemExit(f"{key}: coverage_simplify result invalid")
    area_change = np.abs(shapely.area(simplified) / shapely.area(valid) - 1)
    sym = shapely.area(shapely.symmetric_difference(simplified, valid))
    return {
        "valid": valid,
        "cleaned": cleaned,
        "simplified": simplified,
        "invalid": list(zip(invalid, reasons, strict=True)),
        "bad_edges": n_bad_edges,
        "holes_after_clean": holes,
        "max_area_change": float(area_change.max()),
        "max_symdiff_m2": float(sym.max()),
        "coords_in": int(shapely.get_num_coordinates(orig).sum()),
        "coords_out": int(shapely.get_num_coordinates(simplified).sum()),
    }


def build_koeln_boundaries(b: Build) -> shapely.Geometry:
    print("boundaries: Köln Stadtbezirke / Stadtteile")
    stb = gpd.read_file(b.src("koeln_stadtteile_koelnapi", "shp", "Stadtbezirk.shp"))
    stt = gpd.read_file(b.src("koeln_stadtteile_koelnapi", "shp", "Stadtteil.shp"))
    if len(stb) != 9 or len(stt) != 86:
        raise SystemExit("Köln: expected 9 Stadtbezirke and 86 Stadtteile")
    if stt["STT_NR"].duplicated().any() or stb["STB_NR"].duplicated().any():
        raise SystemExit("Köln: duplicate keys")
    stb = stb.to_crs(METRIC_CRS).sort_values("STB_NR", kind="stable").reset_index(drop=True)
    stt = stt.to_crs(METRIC_CRS).sort_values("STT_NR", kind="stable").reset_index(drop=True)
    minx, miny, maxx, maxy = stt.total_bounds
    if not (330_000 < minx < maxx < 380_000 and 5_620_000 < miny < maxy < 5_670_000):
        raise SystemExit(f"Köln: unexpected bounds after reprojection {stt.total_bounds}")

    res_b = koeln_coverage(stb, "STB_NR", "STB_NAME")
    res_t = koeln_coverage(stt, "STT_NR", "STT_NAME")

    # Parent Stadtbezirk: first digit of STT_NR, verified by containment of the
    # representative point (original geometries and final simplified geometries).
    stt["STB_NR"] = stt["STT_NR"].str[0]
    stb_nrs = stb["STB_NR"].to_numpy()

    def containing(points: np.ndarray, polys: np.ndarray) -> list[str]:
        tree = shapely.STRtree(polys)
        found = []
        for pt in points:
            idx = tree.query(pt, predicate="within")
            found.append(",".join(sorted(stb_nrs[i] for i in idx)) or "-")
        return found

    spatial_orig = containing(shapely.point_on_surface(res_t["valid"]), res_b["valid"])
    spatial_simpl = containing(
        shapely.point_on_surface(res_t["simplified"]), res_b["simplified"]
    )
    mism = [
        (nr, name, d, so, ss)
        for nr, name, d, so, ss in zip(
            stt["STT_NR"], stt["STT_NAME"], stt["STB_NR"], spatial_orig, spatial_simpl,
            strict=True,
        )
        if not (d == so == ss)
    ]
    # share of each Stadtteil's area inside the Stadtbezirk it is assigned to
    shares = []
    for g, d in zip(res_t["valid"], stt["STB_NR"], strict=True):
        parent = res_b["valid"][list(stb_nrs).index(d)]
        shares.append(shapely.area(shapely.intersection(g, parent)) / shapely.area(g))
    min_share = float(min(shares))
    # nesting of the two simplified layers: Stadtbezirk vs union of its Stadtteile
    hd = []
    for nr, g in zip(stb_nrs, res_b["simplified"], strict=True):
        parts = res_t["simplified"][(stt["STB_NR"] == nr).to_numpy()]
        hd.append(shapely.hausdorff_distance(g, shapely.coverage_union_all(parts)))
    max_hd = float(max(hd))
    print(f"  parent check: {len(mism)} mismatches; min area share in parent {min_share:.5f}; "
          f"max Hausdorff Stadtbezirk vs union of its Stadtteile {max_hd:.1f} m")
    if mism:
        b.note(
            "Stadtteile, deren Stadtbezirk aus der ersten Ziffer von STT_NR nicht mit der "
            "räumlichen Lage übereinstimmt: " + "; ".join(f"{m[0]} {m[1]}" for m in mism),
            "Stadtteile whose Stadtbezirk from the first digit of STT_NR disagrees with "
            "containment: " + "; ".join(f"{m[0]} {m[1]} (digit {m[2]}, spatial {m[3]}/{m[4]})"
                                        for m in mism),
        )
    else:
        b.note(
            "Köln: Die aus der ersten Ziffer von STT_NR abgeleitete Stadtbezirksnummer "
            "stimmt für alle 86 Stadtteile mit dem Stadtbezirk überein, der den "
            "repräsentativen Punkt enthält (Original- und vereinfachte Geometrien); "
            f"mindestens {min_share:.2%} der Fläche jedes Stadtteils liegt in seinem Bezirk.",
            "Köln: the Stadtbezirk number derived from the first digit of STT_NR agrees for "
            "all 86 Stadtteile with the Stadtbezirk containing the representative point "
            "(original and simplified geometries); at least "
            f"{min_share:.2%} of each Stadtteil's area lies in its Stadtbezirk.",
        )
    for res, label_de, label_en in ((res_b, "Stadtbezirke", "Stadtbezirke"),
                                    (res_t, "Stadtteile", "Stadtteile")):
        inv = "; ".join(f"{k} ({r})" for k, r in res["invalid"])
        inv_de = f"ungültige Quellgeometrie {inv}, mit make_valid repariert" if inv else (
            "alle Quellgeometrien gültig")
        inv_en = f"invalid source geometry {inv}, repaired with make_valid" if inv else (
            "all source geometries valid")
        b.note(
            f"Köln {label_de}: {inv_de}; "
            f"{res['bad_edges']} Polygone mit nicht deckungsgleichen gemeinsamen Kanten "
            "(Überlappungen/Lücken im Zentimeter- bis Meterbereich) – mit coverage_clean "
            f"bereinigt (Lücken < {KOELN_GAP_WIDTH_M:g} m geschlossen); danach "
            f"{res['holes_after_clean']} Löcher in der Stadtfläche.",
            f"Köln {label_en}: {inv_en}; "
            f"{res['bad_edges']} polygons whose shared edges do not match (overlaps/gaps of "
            "centimetres to metres) – cleaned with coverage_clean (gaps narrower than "
            f"{KOELN_GAP_WIDTH_M:g} m closed); afterwards {res['holes_after_clean']} holes "
            "in the city area.",
        )
    b.note(
        "Köln: Stadtbezirke und Stadtteile stammen aus getrennten Quelldateien und werden "
        "getrennt vereinfacht; die Grenze eines Stadtbezirks weicht von der Vereinigung "
        f"seiner Stadtteile um höchstens {max_hd:.1f} m ab (Hausdorff-Abstand).",
        "Köln: Stadtbezirke and Stadtteile come from separate source files and are "
        "simplified separately; a Stadtbezirk's border differs from the union of its "
        f"Stadtteile by at most {max_hd:.1f} m (Hausdorff distance).",
    )

    specs = [
        ("boundaries/koeln_stadtbezirke.geojson", stb, res_b, ["STB_NR", "STB_NAME"],
         "data/geo-base/stadtbezirke/_source/Stadtbezirk/Stadtbezirk.shp"),
        ("boundaries/koeln_stadtteile.geojson", stt, res_t, ["STT_NR", "STT_NAME", "STB_NR"],
         "data/geo-base/stadtteile/_source/Stadtteil/Stadtteil.shp"),
    ]
    for rel, gdf, res, cols, origin in specs:
        wgs = gpd.GeoSeries(res["simplified"], crs=METRIC_CRS).to_crs(4326).values
        geoms = finish_polygons(wgs, rel)
        if not shapely.coverage_is_valid(geoms):
            raise SystemExit(f"{rel}: not a valid coverage after reprojection/rounding")
        feats = [
            ({c: str(v) for c, v in zip(cols, vals, strict=True)}, geometry_json(g))
            for vals, g in zip(gdf[cols].itertuples(index=False), geoms, strict=True)
        ]
        path = b.dst(rel)
        n = write_geojson(path, feats)
        check_written_geojson(path, n)
        print(f"  {rel}: {n} features, {res['coords_in']} -> {res['coords_out']} vertices, "
              f"max area change {res['max_area_change']:.4%}")
        derived_de = (["Spalte STB_NR (Stadtbezirk) = erste Ziffer von STT_NR, räumlich "
                       "geprüft (siehe Auffälligkeiten)."] if "STB_NR" in cols[2:] else [])
        derived_en = (["Column STB_NR (Stadtbezirk) = first digit of STT_NR, verified "
                       "spatially (see notes)."] if "STB_NR" in cols[2:] else [])
        b.add(Output(
            rel=rel, sources=["koeln"], rows=n, columns=cols, origin=origin,
            changes_de=[
                "Spalten SHAPE_AREA und SHAPE_LEN entfernt (beziehen sich auf die "
                "unvereinfachte Geometrie); übrige Werte unverändert.",
                *derived_de,
                "Geometrie: Quell-KBS (UTM 32N mit False Easting 2 500 000) nach EPSG:25832; "
                "make_valid; shapely.coverage_clean (Lücken < "
                f"{KOELN_GAP_WIDTH_M:g} m geschlossen, automatisches Snapping); "
                f"shapely.coverage_simplify mit Toleranz {KOELN_TOLERANCE_M:g} m (gemeinsame "
                "Grenzen bleiben gemeinsam); nach EPSG:4326 (WGS84) umprojiziert; "
                f"Koordinaten auf {COORD_DECIMALS} Nachkommastellen; "
                f"Stützpunkte {res['coords_in']} → {res['coords_out']}, größte "
                f"Flächenänderung eines Polygons {res['max_area_change']:.3%}; "
                "Gültigkeit und Coverage-Eigenschaft geprüft, kein Polygon verloren.",
                "Zeilen nach Schlüssel sortiert.",
            ],
            changes_en=[
                "Columns SHAPE_AREA and SHAPE_LEN dropped (they describe the unsimplified "
                "geometry); other values unchanged.",
                *derived_en,
                "Geometry: source CRS (UTM 32N with false easting 2,500,000) to EPSG:25832; "
                "make_valid; shapely.coverage_clean (gaps narrower than "
                f"{KOELN_GAP_WIDTH_M:g} m closed, automatic snapping); "
                f"shapely.coverage_simplify with tolerance {KOELN_TOLERANCE_M:g} m (shared "
                "borders stay shared); reprojected to EPSG:4326 (WGS84); coordinates "
                f"rounded to {COORD_DECIMALS} decimals; vertices {res['coords_in']} → "
                f"{res['coords_out']}, largest area change of one polygon "
                f"{res['max_area_change']:.3%}; validity and coverage checked, no polygon "
                "lost.",
                "Rows sorted by key.",
            ],
        ))
    return shapely.union_all(res_t["cleaned"])  # city area in METRIC_CRS


def build_vg250(b: Build, vg5000: dict[str, set[str]]) -> None:
    print("population: BKG VG250-EW 31.12.2022 (NRW)")
    specs = [
        ("VG250_GEM.dbf", "population/vg250_ew_2022_nrw_gemeinden.csv", 8, "gemeinden"),
        ("VG250_KRS.dbf", "population/vg250_ew_2022_nrw_kreise.csv", 5, "kreise"),
    ]
    ewz_by: dict[str, pd.DataFrame] = {}
    for dbf, rel, ags_len, level in specs:
        df = pyogrio.read_dataframe(b.src("gisd_rki", "vg250_attributes", dbf),
                                    read_geometry=False)
        n_all = len(df)
        gf = df["GF"].value_counts().sort_index().to_dict()
        dup_all = int(df["AGS"].duplicated().sum())
        dup_gf4 = int(df.loc[df["GF"] == 4, "AGS"].duplicated().sum())
        ewz_non_land = int(df.loc[df["GF"] != 4, "EWZ"].abs().sum())
        nrw = df[df["AGS"].str.startswith(NRW)]
        nrw_gf = nrw["GF"].value_counts().sort_index().to_dict()
        sel = nrw[nrw["GF"] == 4].sort_values("AGS", kind="stable")
        if sel["AGS"].duplicated().any() or not sel["AGS"].str.fullmatch(
            rf"\d{{{ags_len}}}"
        ).all():
            raise SystemExit(f"{dbf}: duplicate or malformed AGS among NRW GF=4 rows")
        if set(sel["AGS"]) != vg5000[level]:
            diff = set(sel["AGS"]) ^ vg5000[level]
            b.note(f"VG250 {dbf}: AGS weichen von VG5000 2021 ab: {sorted(diff)}",
                   f"VG250 {dbf}: AGS differ from VG5000 2021: {sorted(diff)}")
        ewz_by[level] = sel[["AGS", "EWZ"]]
        path = b.dst(rel)
        n = write_csv(path, ["AGS", "GEN", "EWZ"],
                      ([a, g, str(int(e))] for a, g, e in
                       zip(sel["AGS"], sel["GEN"], sel["EWZ"], strict=True)))
        gf_txt = ", ".join(f"GF={k}: {v}" for k, v in gf.items())
        print(f"  {rel}: {n} rows (source {n_all} rows, {gf_txt}; NRW GF {nrw_gf})")
        b.note(
            f"VG250 {dbf}: {n_all} Zeilen bundesweit ({gf_txt}); {dup_all} Zeilen wiederholen "
            "einen schon vorhandenen AGS – das sind GF=2-Zeilen (Gewässerflächen an Nord- "
            f"und Ostsee und Bodensee, EWZ-Summe {ewz_non_land}); unter den GF=4-Zeilen (Land) "
            f"{dup_gf4} Dubletten. In NRW nur GF=4-Zeilen ({nrw_gf}), keine Dubletten.",
            f"VG250 {dbf}: {n_all} rows nationwide ({gf_txt}); {dup_all} rows repeat an AGS "
            "already present – these are GF=2 rows (water areas on the North Sea, Baltic and "
            f"Lake Constance, EWZ sum {ewz_non_land}); {dup_gf4} duplicates among GF=4 (land) "
            f"rows. NRW has only GF=4 rows ({nrw_gf}), no duplicates.",
        )
        b.add(Output(
            rel=rel, sources=["bkg_vg250"], rows=n, columns=["AGS", "GEN", "EWZ"],
            origin="Kontextmaterialien/Rohdaten/SHP/vg250-ew_12-31.gk3.shape.ebenen/…/"
            + dbf,
            changes_de=[
                "Nur NRW (AGS beginnt mit 05) und nur Zeilen mit GF=4 (Landflächen mit "
                "Einwohnerzahl; GF=2 wären Gewässerflächen mit EWZ=0 – in NRW gibt es keine).",
                "Spalten auf AGS, GEN, EWZ (Einwohnerzahl am 31.12.2022) reduziert; Werte "
                "unverändert; Zeilen nach AGS sortiert.",
            ],
            changes_en=[
                "NRW only (AGS starting 05) and only rows with GF=4 (land areas carrying the "
                "population; GF=2 would be water areas with EWZ=0 – none in NRW).",
                "Columns reduced to AGS, GEN, EWZ (inhabitants on 31 Dec 2022); values "
                "unchanged; rows sorted by AGS.",
            ],
        ))
    g = ewz_by["gemeinden"]
    sums = g.groupby(g["AGS"].str[:5])["EWZ"].sum()
    k = ewz_by["kreise"].set_index("AGS")["EWZ"]
    diff = (sums - k).abs()
    if diff.max() != 0:
        b.note("VG250: Summe der Gemeinde-EWZ weicht je Kreis ab: "
               + str(diff[diff > 0].to_dict()),
               "VG250: Gemeinde EWZ do not sum to the Kreis EWZ: "
               + str(diff[diff > 0].to_dict()))
    else:
        b.note(f"VG250: Die Gemeinde-EWZ summieren sich je Kreis exakt zur Kreis-EWZ; NRW "
               f"gesamt {int(k.sum()):,} Einwohner.".replace(",", "."),
               f"VG250: Gemeinde EWZ sum exactly to the Kreis EWZ; NRW total "
               f"{int(k.sum()):,} inhabitants.")


def build_gisd(b: Build, vg5000_ars9: set[str], vg5000_kreise: set[str]) -> None:
    print("gisd: RKI GISD NRW (byte copies)")
    for name, key_col, keys in (
        ("GISD_Nordrhein-Westfalen_Gemeindeverband.csv", "gvb_id", vg5000_ars9),
        ("GISD_Nordrhein-Westfalen_Kreis.csv", "kreis_id", vg5000_kreise),
    ):
        src = b.src("gisd_rki", "Bundesland", name)
        rel = f"gisd/{name}"
        copy_bytes(src, b.dst(rel))
        header, rows = read_csv_text(src)
        ids = {r[header.index(key_col)] for r in rows}
        years = sorted({r[header.index("year")] for r in rows})
        print(f"  {rel}: {len(rows)} rows, {len(ids)} units, {years[0]}-{years[-1]}, "
              f"{len(ids & keys)}/{len(ids)} keys match VG5000")
        if ids != keys:
            b.note(f"GISD {name}: {len(ids ^ keys)} Schlüssel passen nicht zu VG5000",
                   f"GISD {name}: {len(ids ^ keys)} keys do not match VG5000")
        b.add(Output(
            rel=rel, sources=["rki_gisd"], rows=len(rows), columns=header,
            origin=f"GISD_Release_aktuell/Bundesland/{name}",
            changes_de=["Unveränderte Bytekopie. gvb_id = die ersten 9 Stellen des 12-stelligen "
                        "ARS (Gemeindeverband) – in NRW eine Gemeinde je gvb_id."
                        if key_col == "gvb_id"
                        else "Unveränderte Bytekopie. kreis_id = 5-stelliger AGS."],
            changes_en=["Unchanged byte copy. gvb_id = first 9 characters of the 12-digit ARS "
                        "(Gemeindeverband) – in NRW one Gemeinde per gvb_id."
                        if key_col == "gvb_id"
                        else "Unchanged byte copy. kreis_id = 5-digit AGS."],
        ))


INKAR_LONG_GEM = ("Arbeitslose", "Erwerbsfähige Bevölkerung (15 bis unter 65 Jahre)")
INKAR_LONG_KRS = ("Schulabgänger ohne Abschluss", *INKAR_LONG_GEM)
INKAR_LONG_FILES = {
    ("Arbeitslose", "Gemeinden"): "A_Arbeitslosigkeit.xls",
    ("Erwerbsfähige Bevölkerung (15 bis unter 65 Jahre)", "Gemeinden"):
        "A_ErwerbsfaehigeBevoelkerung.xls",
    ("Schulabgänger ohne Abschluss", "Kreise"): "B_SchulabgaengerohneAbschluss.xls",
    ("Arbeitslose", "Kreise"): "Indikatoren_Kreisebene/A_ArbeitslosigkeitKreis.xls",
    ("Erwerbsfähige Bevölkerung (15 bis unter 65 Jahre)", "Kreise"):
        "Indikatoren_Kreisebene/A_ErwerbsfaehigeBevoelkerungKreis.xls",
}


def build_inkar_long(b: Build, vg5000: dict[str, set[str]]) -> None:
    print("inkar: raw INKAR time series from the GISD repository (long format)")
    src = b.src("gisd_rki", "derived", "inkar_raw_long_nrw.csv")
    header, rows = read_csv_text(src)
    expected = ["source_file", "indicator", "aggregat", "kennziffer", "raumeinheit", "year",
                "value"]
    if header != expected:
        raise SystemExit(f"{src}: unexpected header {header}")
    out_cols = ["indicator", "kennziffer", "raumeinheit", "year", "value"]
    ix = [header.index(c) for c in out_cols]
    i_ind, i_agg, i_src = header.index("indicator"), header.index("aggregat"), 0
    for rel, aggregat, indicators, level, klen in (
        ("inkar/inkar_nrw_gemeinden_long.csv", "Gemeinden", INKAR_LONG_GEM, "gemeinden", 8),
        ("inkar/inkar_nrw_kreise_long.csv", "Kreise", INKAR_LONG_KRS, "kreise", 5),
    ):
        sel = [r for r in rows if r[i_agg] == aggregat and r[i_ind] in indicators]
        for r in sel:
            if INKAR_LONG_FILES[(r[i_ind], aggregat)].split("/")[-1] != r[i_src]:
                raise SystemExit(f"unexpected source file {r[i_src]} for {r[i_ind]}")
        out = sorted(([r[i] for i in ix] for r in sel),
                     key=lambda r: (r[0], r[1], int(r[3])))
        if len({(r[0], r[1], r[3]) for r in out}) != len(out):
            raise SystemExit(f"{rel}: duplicate (indicator, kennziffer, year)")
        if not all(len(r[1]) == klen and r[1].startswith(NRW) for r in out):
            raise SystemExit(f"{rel}: kennziffer not {klen}-digit NRW keys")
        n = write_csv(b.dst(rel), out_cols, out)
        # describe coverage and gaps
        desc_de, desc_en = [], []
        for ind in indicators:
            rr = [r for r in out if r[0] == ind]
            units = {r[1] for r in rr}
            years = sorted({int(r[3]) for r in rr})
            empty = [(r[1], r[2], r[3]) for r in rr if r[4] == ""]
            zero = [(r[1], r[2], r[3]) for r in rr if r[4] != "" and float(r[4]) == 0]
            missing_units = vg5000[level] - units
            print(f"  {rel}: {ind}: {len(rr)} rows, {len(units)} units, "
                  f"{years[0]}-{years[-1]}, empty {len(empty)}, zero {len(zero)}")
            desc_de.append(f"„{ind}“: {len(rr)} Zeilen, {len(units)} Einheiten, "
                           f"{years[0]}–{years[-1]}")
            desc_en.append(f"'{ind}': {len(rr)} rows, {len(units)} units, "
                           f"{years[0]}–{years[-1]}")
            if missing_units:
                b.note(f"INKAR {aggregat} „{ind}“: keine Werte für {sorted(missing_units)}",
                       f"INKAR {aggregat} '{ind}': no values for {sorted(missing_units)}")
            if empty:
                txt = "; ".join(f"{k} {nm} {y}" for k, nm, y in empty)
                b.note(f"INKAR {aggregat} „{ind}“: leerer Wert (Lücke in der Quelle) für "
                       f"{txt}.",
                       f"INKAR {aggregat} '{ind}': empty value (gap in the source) for {txt}.")
            if zero:
                txt = "; ".join(f"{k} {nm} {y}" for k, nm, y in zero)
                b.note(
                    f"INKAR {aggregat} „{ind}“: Wert 0 (unplausibel, vermutlich eine als 0 "
                    f"exportierte Lücke; unverändert übernommen) für {txt}. Die Kreissummen "
                    "dieses Jahres sind dadurch zu klein – Importeure sollten 0 hier als "
                    "fehlend behandeln.",
                    f"INKAR {aggregat} '{ind}': value 0 (implausible, probably a gap exported "
                    f"as 0; kept unchanged) for {txt}. Kreis sums for that year are too small "
                    "because of it – importers should treat 0 here as missing.",
                )
        files = sorted({INKAR_LONG_FILES[(i, aggregat)] for i in indicators})
        b.add(Output(
            rel=rel, sources=["rki_gisd", "bbsr_inkar_gisd"], rows=n, columns=out_cols,
            origin="Kontextmaterialien/Rohdaten/INKAR_1998_2021/" + ", ".join(files)
            + " (in ../shared/data/gisd_rki/derived/inkar_raw_long_nrw.csv ins Langformat "
            "gebracht / reshaped to long format)",
            changes_de=[
                f"Nur Aggregat „{aggregat}“ und die Indikatoren: " + "; ".join(desc_de) + ".",
                "Spalten source_file und aggregat entfernt; kennziffer als Text mit "
                "führender 0; Werte (value) zeichengenau wie in der Langfassung "
                "(z. B. „33397.0“, leere Zelle = fehlender Wert).",
                "Zeilen nach indicator, kennziffer, year sortiert.",
            ],
            changes_en=[
                f"Only aggregat '{aggregat}' and the indicators: " + "; ".join(desc_en) + ".",
                "Columns source_file and aggregat dropped; kennziffer as text with leading "
                "zero; values character-exact as in the long file (e.g. '33397.0', empty "
                "cell = missing value).",
                "Rows sorted by indicator, kennziffer, year.",
            ],
        ))


INKAR23_GEM_COLS = ["Child_Poverty", "Daycare", "Age_below_6", "Age_65", "Emp_Rate",
                    "Purchasing_Power"]
INKAR23_KRS_COLS = ["Child_Poverty", "Daycare", "Age_below_6", "Age_6_18", "Age_65",
                    "Emp_Rate", "Purchasing_Power"]
INKAR23_EN = {
    "Child_Poverty": "non-employable SGB II beneficiaries under 15 per 100 inhabitants under "
    "15 ('child poverty')",
    "Daycare": "number of day-care centres (Kindertagesstätten; main sites only)",
    "Age_below_6": "share of inhabitants under 6 in % of all inhabitants",
    "Age_6_18": "share of inhabitants aged 6 to under 18 in % of all inhabitants",
    "Age_65": "share of inhabitants aged 65 and over in % of all inhabitants",
    "Emp_Rate": "employees subject to social insurance at place of residence per 100 "
    "inhabitants of working age (15 to under 65), in %",
    "Purchasing_Power": "purchasing power per inhabitant in euro (Nexiga market data)",
}


def _meta(path: Path) -> dict[str, dict[str, str]]:
    df = pd.read_excel(path, dtype=str).fillna("")
    out: dict[str, dict[str, str]] = {}
    for r in df.to_dict("records"):
        out.setdefault(r["var"], r)
    return out


def build_inkar_2023(b: Build, vg5000: dict[str, set[str]]) -> dict[str, list[str]]:
    print("inkar: INKAR snapshot ~2022/23 (GStahn collection)")
    meta = {
        "gemeinden": _meta(b.src("inkar_2023_gstahn", "meta", "Meta_gem.xlsx")),
        "kreise": _meta(b.src("inkar_2023_gstahn", "meta", "Meta_kre.xlsx")),
    }
    # Gemeinden
    gh, grows = read_csv_text(b.src("inkar_2023_gstahn", "merged_gem_final_nrw.csv"))
    ah, arows = read_csv_text(b.src("inkar_2023_gstahn", "merged_gem_final_all_germany.csv"))
    if gh != ah or grows != [r for r in arows if r[ah.index("AGS")].startswith(NRW)]:
        raise SystemExit("merged_gem_final_nrw.csv is not the NRW part of the all-Germany file")
    khd, krows = read_csv_text(b.src("inkar_2023_gstahn", "merged_kre_final_400kreise.csv"))
    i_idk = khd.index("ID_K")
    krows_nrw = [[r[i_idk].zfill(5), *r] for r in krows if r[i_idk].zfill(5).startswith(NRW)]
    khd2 = ["AGS", *khd]
    definitions: dict[str, list[str]] = {}
    result: dict[str, dict[str, dict[str, str]]] = {}
    for rel, hdr, rows, cols, level, klen, origin in (
        ("inkar/inkar_2023_nrw_gemeinden.csv", gh, grows, INKAR23_GEM_COLS, "gemeinden", 8,
         "Data/Manipulated/merged_gem_final.rds (in ../shared mit pyreadr nach CSV "
         "konvertiert, AGS 8-stellig aufgefüllt / converted to CSV with pyreadr, AGS "
         "zero-padded)"),
        ("inkar/inkar_2023_nrw_kreise.csv", khd2, krows_nrw, INKAR23_KRS_COLS, "kreise", 5,
         "Data/Manipulated/merged_kre_final.csv"),
    ):
        out_cols = ["AGS", "Name", *cols]
        ix = [hdr.index(c) for c in out_cols]
        out = sorted(([r[i] for i in ix] for r in rows), key=lambda r: r[0])
        keys = [r[0] for r in out]
        if len(set(keys)) != len(keys) or not all(len(k) == klen for k in keys):
            raise SystemExit(f"{rel}: duplicate or malformed AGS")
        if set(keys) != vg5000[level]:
            b.note(f"INKAR 2023 {level}: AGS weichen von VG5000 ab: "
                   f"{sorted(set(keys) ^ vg5000[level])}",
                   f"INKAR 2023 {level}: AGS differ from VG5000: "
                   f"{sorted(set(keys) ^ vg5000[level])}")
        gaps = {c: sum(1 for r in out if r[out_cols.index(c)] in ("", "NA", "NaN"))
                for c in cols}
        if any(gaps.values()):
            b.note(f"INKAR 2023 {level}: fehlende Werte {gaps}",
                   f"INKAR 2023 {level}: missing values {gaps}")
        n = write_csv(b.dst(rel), out_cols, out)
        result[level] = {r[0]: dict(zip(out_cols, r, strict=True)) for r in out}
        print(f"  {rel}: {n} rows, gaps {sum(gaps.values())}")
        defs_de, defs_en = [], []
        for c in cols:
            m = meta[level][c]
            d = (f"`{c}` = INKAR-ID {m['ID']}: „{m['Name']}“ (Algorithmus: "
                 f"{m['Algorithmus'] or '–'}; Quelle: {m['Quelle']})")
            defs_de.append(d)
            defs_en.append(f"`{c}` = INKAR ID {m['ID']}: {INKAR23_EN[c]} – "
                           f"„{m['Name']}“ (source: {m['Quelle']})")
            definitions[f"{level}:{c}"] = [m["ID"], m["Name"]]
        if level == "kreise" and meta["kreise"]["Age_6_18"]["ID"] != "4104":
            raise SystemExit("Meta_kre: Age_6_18 is not INKAR 4104 (6 to under 18)")
        b.add(Output(
            rel=rel, sources=["bbsr_inkar_gstahn"], rows=n, columns=out_cols, origin=origin,
            changes_de=[
                "Nur NRW (AGS beginnt mit 05); Spalten auf " + ", ".join(out_cols)
                + " reduziert" + (" (Kreisschlüssel ID_K auf 5 Stellen mit führender 0 "
                                  "aufgefüllt und AGS genannt)" if level == "kreise" else "")
                + "; Werte zeichengenau (die Float32-Artefakte der Quelle wie "
                "„17.1100006103516“ bleiben erhalten); Zeilen nach AGS sortiert.",
                "Das Bezugsjahr je Indikator ist in der Quelle nicht enthalten (neuestes "
                "INKAR-Jahr zum Abrufzeitpunkt, ca. 2022/23).",
                "Definitionen laut meta/" + ("Meta_gem.xlsx" if level == "gemeinden"
                                             else "Meta_kre.xlsx") + ":",
                *[f"  - {d}" for d in defs_de],
            ],
            changes_en=[
                "NRW only (AGS starting 05); columns reduced to " + ", ".join(out_cols)
                + (" (Kreis key ID_K zero-padded to 5 digits and named AGS)"
                   if level == "kreise" else "")
                + "; values character-exact (the source's float32 artefacts such as "
                "'17.1100006103516' are kept); rows sorted by AGS.",
                "The reference year per indicator is not in the source (latest INKAR year at "
                "download time, about 2022/23).",
                "Definitions from meta/" + ("Meta_gem.xlsx" if level == "gemeinden"
                                            else "Meta_kre.xlsx") + ":",
                *[f"  - {d}" for d in defs_en],
            ],
        ))
    # Kreisfreie Städte appear on both levels: compare
    diffs: dict[str, int] = {}
    n_kfs = 0
    for ags, krow in result["kreise"].items():
        grow = result["gemeinden"].get(ags + "000")
        if grow is None:
            continue
        n_kfs += 1
        for c in INKAR23_GEM_COLS:
            if float(krow[c]) != float(grow[c]):
                diffs[c] = diffs.get(c, 0) + 1
    b.note(
        f"INKAR 2023: Für die {n_kfs} kreisfreien Städte (Kreis = Gemeinde) weichen die "
        f"Kreis- und Gemeindewerte teilweise ab: {diffs or 'keine'} (vermutlich verschiedene "
        "Bezugsjahre/Abrufe je Ebene). Der Gemeinde-Wert von Age_6_18 ist laut Meta_gem.xlsx "
        "der Anteil 18 bis unter 25 Jahre und wird deshalb nicht mitgeliefert; die "
        "Kreis-Spalte Population ist laut Meta_kre.xlsx die Katasterfläche in km² (nicht "
        "mitgeliefert).",
        f"INKAR 2023: for the {n_kfs} kreisfreie Städte (Kreis = Gemeinde) Kreis and Gemeinde "
        f"values partly differ: {diffs or 'none'} (probably different reference years/"
        "downloads per level). The Gemeinde column Age_6_18 is, according to Meta_gem.xlsx, "
        "the share aged 18 to under 25 and is therefore not shipped; the Kreis column "
        "Population is, according to Meta_kre.xlsx, the cadastral area in km² (not shipped).",
    )
    return definitions


def build_network(b: Build, vg5000: dict[str, set[str]]) -> None:
    print("network: KeKiZ / kinderstark member lists (byte copies)")
    for name in ("kekiz_municipalities.csv", "kinderstark_2020_programmkommunen.csv"):
        src = b.src(name)
        rel = f"network/{name}"
        copy_bytes(src, b.dst(rel))
        header, rows = read_csv_text(src)
        ags = [r[header.index("ags")] for r in rows]
        unknown = [a for a in ags if a not in vg5000["kreise"] | vg5000["gemeinden"]]
        print(f"  {rel}: {len(rows)} rows, unknown AGS {unknown}")
        if unknown:
            b.note(f"{name}: AGS nicht in VG5000: {unknown}",
                   f"{name}: AGS not in VG5000: {unknown}")
        b.add(Output(
            rel=rel, sources=["kekiz_network"], rows=len(rows), columns=header,
            origin=f"../shared/data/{name} (Quellen: KEKIZ_PROVENANCE.txt / sources: "
            "KEKIZ_PROVENANCE.txt)",
            changes_de=["Unveränderte Bytekopie."],
            changes_en=["Unchanged byte copy."],
        ))


def build_koeln_population(b: Build) -> None:
    print("koeln: population 2005-2012 (tables 005, 020)")
    src = b.src("koeln_stadtteile_koelnapi", "bevoelkerung_koeln_2005_2012.csv")
    header, rows = read_csv_text(src)
    if header[:2] != ["id", "tab_id"]:
        raise SystemExit(f"{src}: unexpected header {header}")
    rel = "koeln/bevoelkerung_koeln_2005_2012.csv"
    tables = {"005", "020"}
    n = filter_lines(src, b.dst(rel), lambda r: r[1] in tables)
    sel = [r for r in rows if r[1] in tables]
    if n != len(sel):
        raise SystemExit(f"{rel}: line filter and CSV parse disagree ({n} vs {len(sel)})")
    # consistency: age bands sum to the total, Stadtteile sum to the city
    h = header
    tot = {(r[h.index("jahr")], r[h.index("raum_id")]): float(r[h.index("zahl")])
           for r in sel if r[1] == "005"}
    age: dict[tuple[str, str], float] = {}
    for r in sel:
        if r[1] == "020":
            k = (r[h.index("jahr")], r[h.index("raum_id")])
            age[k] = age.get(k, 0.0) + float(r[h.index("zahl")])
    max_diff = max(abs(age[k] - tot[k]) for k in tot)
    years = sorted({k[0] for k in tot})
    city_ok = all(
        tot[(y, "000")] == sum(v for (yy, rid), v in tot.items()
                               if yy == y and not rid.startswith("00"))
        for y in years
    )
    units = sorted({k[1] for k in tot})
    print(f"  {rel}: {n} rows, {len(units)} areas, years {years[0]}-{years[-1]}, "
          f"age-band sum vs total max diff {max_diff}, Stadtteile sum to city: {city_ok}")
    b.note(
        f"Köln Bevölkerung: Altersgruppen (Tabelle 020) summieren sich zur Einwohnerzahl "
        f"(Tabelle 005) (max. Abweichung {max_diff:g}); Stadtteile summieren sich zur Stadt: "
        f"{'ja' if city_ok else 'nein'}. Es gibt keine SGB-II-/Kinderarmutsdaten auf "
        "Stadtteilebene in der Quelle.",
        f"Köln population: age bands (table 020) sum to the population (table 005) (max. "
        f"difference {max_diff:g}); Stadtteile sum to the city: {'yes' if city_ok else 'no'}. "
        "The source has no SGB II / child poverty data per Stadtteil.",
    )
    b.add(Output(
        rel=rel, sources=["koeln"], rows=n, columns=header,
        origin="data/structure/bevoelkerung/bevoelkerung.csv",
        changes_de=[
            "Nur die Zeilen der Tabellen 005 (Einwohner) und 020 (Einwohner nach Alter: "
            "00–<03, 03–<06, 06–<10, 10–<15, 15–<18, 18–<25, … 75 und älter); Zeilen "
            "byte-genau in Quellreihenfolge, alle Spalten.",
            "raum_id: 000 = Stadt, 001–009 = Stadtbezirke (STB_NR mit führenden Nullen), "
            "101–909 = Stadtteile (= STT_NR); Jahre 2005–2012.",
        ],
        changes_en=[
            "Only the rows of tables 005 (inhabitants) and 020 (inhabitants by age: 00–<03, "
            "03–<06, 06–<10, 10–<15, 15–<18, 18–<25, … 75 and over); lines byte-exact in "
            "source order, all columns.",
            "raum_id: 000 = city, 001–009 = Stadtbezirke (STB_NR zero-padded), 101–909 = "
            "Stadtteile (= STT_NR); years 2005–2012.",
        ],
    ))


def build_osm(b: Build, city_metric: shapely.Geometry) -> None:
    print("koeln: OSM kindergartens and schools")
    import pyproj

    to_metric = pyproj.Transformer.from_crs(4326, METRIC_CRS, always_xy=True)
    shapely.prepare(city_metric)
    for src_name, rel, amenity, label_de in (
        ("amenity_kindergarten.geojson", "koeln/osm_kitas.geojson", "kindergarten", "Kitas"),
        ("amenity_school.geojson", "koeln/osm_schulen.geojson", "school", "Schulen"),
    ):
        src = b.src("koeln_stadtteile_koelnapi", "osm", src_name)
        data = json.loads(src.read_text(encoding="utf-8"), parse_float=Decimal)
        feats = data["features"]
        tag_keys = sorted({k for f in feats for k in f.get("properties", {})})
        converted = 0
        rows = []
        for f in feats:
            geom = f["geometry"]
            if geom["type"] == "Point":
                xs, ys = (str(v) for v in geom["coordinates"][:2])
            else:  # polygons etc.: representative point, written with 7 decimals
                shp = shapely.geometry.shape(json.loads(json.dumps(geom, default=float)))
                shp = shp.point_on_surface()
                xs, ys = f"{shp.x:.7f}", f"{shp.y:.7f}"
                converted += 1
            name = f.get("properties", {}).get("tags/name") or None
            rows.append((int(f["id"]), str(f["id"]), name, xs, ys))
        rows.sort()
        if len({r[0] for r in rows}) != len(rows):
            raise SystemExit(f"{src_name}: duplicate OSM ids")
        xy = np.array([[float(r[3]), float(r[4])] for r in rows])
        mx, my = to_metric.transform(xy[:, 0], xy[:, 1])
        inside = shapely.covers(city_metric, shapely.points(mx, my))
        kept = [r for r, ok in zip(rows, inside, strict=True) if ok]
        out = [
            ({"osm_id": oid, "osm_type": "node", "amenity": amenity, "name": name},
             '{"type":"Point","coordinates":[' + f"{xs},{ys}" + "]}")
            for _, oid, name, xs, ys in kept
        ]
        path = b.dst(rel)
        n = write_geojson(path, out)
        check_written_geojson(path, n)
        unnamed = sum(1 for r in kept if r[2] is None)
        dup_loc = len(kept) - len({(r[3], r[4]) for r in kept})
        print(f"  {rel}: {n} of {len(rows)} points inside Köln; {unnamed} without name; "
              f"{dup_loc} duplicate locations; polygons converted {converted}; "
              f"source properties {tag_keys}")
        b.note(
            f"OSM {label_de}: nur {n} von {len(rows)} Punkten liegen im Stadtgebiet Köln (die "
            "Quelle ist ein Rechteck um Köln und enthält Nachbarorte); außerhalb liegende "
            f"Punkte wurden entfernt. {unnamed} ohne Namen, {dup_loc} doppelte Lage. Die "
            f"Quelle enthält nur die Eigenschaften {tag_keys} – keine operator- oder "
            "Adress-Tags. Stand ca. 2017, nicht vollständig.",
            f"OSM {amenity}: only {n} of {len(rows)} points lie inside the city of Köln (the "
            "source is a bounding box around Köln and includes neighbouring towns); points "
            f"outside were dropped. {unnamed} without name, {dup_loc} duplicate locations. "
            f"The source only has the properties {tag_keys} – no operator or address tags. "
            "About 2017, not complete.",
        )
        b.add(Output(
            rel=rel, sources=["osm"], rows=n,
            columns=["osm_id", "osm_type", "amenity", "name"],
            origin=f"osm/{src_name} (amenity={amenity}, OSM-Knoten / OSM nodes)",
            changes_de=[
                "Nur Punkte innerhalb des Kölner Stadtgebiets (Vereinigung der bereinigten, "
                "unvereinfachten Stadtteile).",
                "Eigenschaften: osm_id (Feature-id der Quelle = OSM-Knoten-ID), osm_type "
                f"(„node“), amenity („{amenity}“), name (aus tags/name; leerer Name → null).",
                f"Koordinaten unverändert (Zeichenfolge der Quelle); {converted} Flächen in "
                "Punkte umgewandelt; nach osm_id sortiert.",
                "Abgeleitete Datenbank im Sinne der ODbL: steht ebenfalls unter der ODbL.",
            ],
            changes_en=[
                "Only points inside the city of Köln (union of the cleaned, unsimplified "
                "Stadtteile).",
                "Properties: osm_id (source feature id = OSM node id), osm_type ('node'), "
                f"amenity ('{amenity}'), name (from tags/name; empty name → null).",
                f"Coordinates unchanged (source digits); {converted} areas converted to "
                "points; sorted by osm_id.",
                "Derivative database in the sense of the ODbL: also licensed under the ODbL.",
            ],
        ))


# --------------------------------------------------------------------------------------
# Licences, provenance, attribution
# --------------------------------------------------------------------------------------


def build_licenses(b: Build) -> list[tuple[str, str]]:
    print("LICENSES")
    written: list[tuple[str, str]] = []

    copy_bytes(b.src("gisd_rki", "LICENSE"), b.dst("LICENSES/CC-BY-4.0.txt"))
    written.append(("LICENSES/CC-BY-4.0.txt",
                    "Volltext CC BY 4.0 (aus dem GISD-Repositorium) / full text of CC BY 4.0 "
                    "(from the GISD repository)"))

    qv = b.src("bkg_vg5000_2021", "doc", "quellenvermerk_datenlizenz_deutschland.txt")
    qv_text = qv.read_bytes().decode("cp1252").replace("\r\n", "\n")
    qv_text = "\n".join(line.rstrip() for line in qv_text.split("\n")).strip() + "\n"
    dl = (
        "Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)\n"
        "Data licence Germany – attribution – version 2.0\n"
        f"Lizenztext / licence text: {DL_DE_BY_2_0}\n"
        "(Der vollständige Lizenztext liegt in der Quelle als PDF vor, "
        "geoGermany doc/datenlizenz_deutschland_v2_0.pdf, 208 kB; er wird hier nicht "
        "mitgeliefert. / The full licence text is available as a PDF in the source and is "
        "not bundled here.)\n\n"
        "Verwendet für / used for:\n"
        "  - BKG VG5000 (boundaries/nrw_*_vg5000_2021.geojson): "
        f"{SOURCES['bkg_vg5000'].attribution}\n"
        "  - BKG VG250-EW (population/vg250_ew_2022_nrw_*.csv): "
        f"{SOURCES['bkg_vg250'].attribution}\n"
        "  - BBSR INKAR (inkar/*.csv): © BBSR Bonn (INKAR), dl-de/by-2-0\n\n"
        "Quellenvermerk-Regeln des BKG (doc/quellenvermerk_datenlizenz_deutschland.txt aus "
        "geoGermany, von Windows-1252 nach UTF-8 umkodiert, sonst unverändert) / BKG "
        "attribution rules (re-encoded from Windows-1252 to UTF-8, otherwise unchanged):\n"
        "----------------------------------------------------------------------------\n"
        + qv_text
        + "----------------------------------------------------------------------------\n"
    )
    b.dst("LICENSES/dl-de-by-2-0.txt").write_bytes(dl.encode("utf-8"))
    written.append(("LICENSES/dl-de-by-2-0.txt",
                    "dl-de/by-2-0: Name, URL und Quellenvermerk-Regeln des BKG / name, URL and "
                    "BKG attribution rules"))

    def licence_passage(md: Path) -> str:
        text = md.read_text(encoding="utf-8")
        start = text.index("## Source / Attribution / License")
        end = text.index("\n## ", start + 5)
        return text[start:end].strip() + "\n"

    geo = licence_passage(b.src("koeln_stadtteile_koelnapi", "README_geo-base.md"))
    struct = licence_passage(b.src("koeln_stadtteile_koelnapi", "README_structure.md"))
    koeln = (
        "Stadt Köln – Lizenzangaben / licence statements\n"
        f"Quelle / source: https://github.com/KoelnAPI/data (commit {KOELN_COMMIT})\n"
        "Die Version der CC-BY-Lizenz ist in der Quelle nicht angegeben. / The CC BY version "
        "is not stated in the source.\n"
        "Quellenvermerk / attribution: Stadt Köln, CC BY\n\n"
        "data/geo-base/README.md (Stadtbezirke, Stadtteile):\n\n" + geo
        + "\ndata/structure/README.md (Bevölkerung / population):\n\n" + struct
    )
    b.dst("LICENSES/Stadt-Koeln-CC-BY.txt").write_bytes(koeln.encode("utf-8"))
    written.append(("LICENSES/Stadt-Koeln-CC-BY.txt",
                    "Lizenzpassagen der KoelnAPI-READMEs / licence passages of the KoelnAPI "
                    "READMEs"))

    osm_readme = b.src("koeln_stadtteile_koelnapi", "osm", "README.md").read_text(
        encoding="utf-8").strip() + "\n"
    osm = (
        "OpenStreetMap – Open Data Commons Open Database License (ODbL) 1.0\n"
        f"Lizenztext / licence text: {ODBL_1_0}\n"
        "Urheberrecht und Namensnennung / copyright and attribution: "
        "https://www.openstreetmap.org/copyright\n"
        "Quellenvermerk / attribution: © OpenStreetMap-Mitwirkende, ODbL "
        "(© OpenStreetMap contributors)\n\n"
        "koeln/osm_kitas.geojson und koeln/osm_schulen.geojson sind aus OpenStreetMap "
        "abgeleitete Datenbanken; sie stehen unter der ODbL 1.0 und müssen bei Weitergabe "
        "ebenfalls unter der ODbL angeboten werden (Share-Alike). Karten und Berichte, die "
        "sie zeigen, müssen die Namensnennung tragen. / Both files are derivative databases "
        "of OpenStreetMap, licensed under the ODbL 1.0; redistribution must keep the ODbL "
        "(share-alike). Maps and reports showing them must carry the attribution.\n\n"
        "osm/README.md der Quelle / of the source (KoelnAPI/data):\n\n" + osm_readme
    )
    b.dst("LICENSES/ODbL-OpenStreetMap.txt").write_bytes(osm.encode("utf-8"))
    written.append(("LICENSES/ODbL-OpenStreetMap.txt",
                    "ODbL-Hinweis und README der OSM-Auszüge / ODbL note and README of the "
                    "OSM extracts"))
    for rel, _ in written:
        print(f"  {rel}")
    return written


def _human(n: int) -> str:
    return f"{n / 1024:.1f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.2f} MiB"


def write_attribution(b: Build) -> None:
    entries = []
    for o in b.outputs:
        for key in o.sources:
            s = SOURCES[key]
            entries.append({
                "file": o.rel,
                "source": s.producer_de
                + (f" – {s.repo} @ {s.commit}" if s.repo else ""),
                "licence": s.licence,
                "licence_url": s.licence_url,
                "attribution": s.attribution,
                "attribution_url": s.attribution_url,
            })
    text = json.dumps(entries, ensure_ascii=False, indent=2) + "\n"
    b.dst("attribution.json").write_bytes(text.encode("utf-8"))


def write_provenance(b: Build, licences: list[tuple[str, str]]) -> None:
    L: list[str] = []
    L.append("# Demodaten von kekiz – Herkunft, Lizenzen, Änderungen")
    L.append("")
    L.append("*Erzeugt von `tools/build_demo_data.py` – nicht von Hand bearbeiten. "
             "English version below.*")
    L.append("")

    def table(lang: str) -> None:
        if lang == "de":
            L.append("| Datei | Zeilen | Größe | Quellenvermerk |")
        else:
            L.append("| File | Rows | Size | Attribution |")
        L.append("|---|---:|---:|---|")
        for o in b.outputs:
            size = (b.out / o.rel).stat().st_size
            attr = "; ".join(SOURCES[k].attribution for k in o.sources)
            L.append(f"| `{o.rel}` | {o.rows if o.rows is not None else '–'} | "
                     f"{_human(size)} | {attr} |")
        L.append("")

    def sources(lang: str) -> None:
        used = []
        for o in b.outputs:
            for k in o.sources:
                if k not in used:
                    used.append(k)
        for k in used:
            s = SOURCES[k]
            prod = s.producer_de if lang == "de" else s.producer_en
            L.append(f"- **{k}** – {prod}")
            if s.repo:
                L.append(f"  - {'Repositorium' if lang == 'de' else 'Repository'}: "
                         f"{s.repo}, Commit `{s.commit}`")
            L.append(f"  - {'Lizenz' if lang == 'de' else 'Licence'}: {s.licence}"
                     + (f" ({s.licence_url})" if s.licence_url else ""))
            L.append(f"  - {'Quellenvermerk' if lang == 'de' else 'Attribution'}: "
                     f"„{s.attribution}“"
                     + (f" ({'verlinkt mit' if lang == 'de' else 'linked to'} "
                        f"{s.attribution_url})" if s.attribution_url else ""))
        L.append("")

    def files(lang: str) -> None:
        for o in b.outputs:
            p = b.out / o.rel
            L.append(f"#### `{o.rel}`")
            L.append("")
            if lang == "de":
                L.append(f"- Quelle: {', '.join(o.sources)}; Pfad in der Quelle: {o.origin}")
                L.append(f"- Zeilen/Features: {o.rows}; Größe: {p.stat().st_size} Bytes; "
                         f"SHA-256: `{sha256(p)}`")
                L.append(f"- Spalten: {', '.join(f'`{c}`' for c in o.columns)}")
                L.append("- Änderungen:")
                L.extend(f"  - {c}" if not c.startswith("  ") else f"  {c}"
                         for c in o.changes_de)
            else:
                L.append(f"- Source: {', '.join(o.sources)}; path in the source: {o.origin}")
                L.append(f"- Rows/features: {o.rows}; size: {p.stat().st_size} bytes; "
                         f"SHA-256: `{sha256(p)}`")
                L.append(f"- Columns: {', '.join(f'`{c}`' for c in o.columns)}")
                L.append("- Changes:")
                L.extend(f"  - {c}" if not c.startswith("  ") else f"  {c}"
                         for c in o.changes_en)
            L.append("")

    # ---- Deutsch
    L.append("## Deutsch")
    L.append("")
    L.append(
        "Alle Dateien sind echte, öffentlich verfügbare Daten deutscher Behörden und "
        "Forschungseinrichtungen (bzw. OpenStreetMap). Sie stammen aus `../shared/data` "
        "(Bytekopien öffentlicher Repositorien, siehe deren PROVENANCE.txt) und wurden nur "
        "gefiltert; Werte sind zeichengenau übernommen, nur Geometrien wurden umprojiziert "
        "bzw. vereinfacht. **Die Quellenvermerke müssen überall angezeigt werden, wo die "
        "Daten gezeigt werden** (Demo, Berichte, Webseiten); maschinenlesbar in "
        "`attribution.json`, Lizenztexte in `LICENSES/`. Koordinaten: WGS84 (EPSG:4326), "
        f"{COORD_DECIMALS} Nachkommastellen. CSV: UTF-8, Komma, LF."
    )
    L.append("")
    L.append("### Übersicht")
    L.append("")
    table("de")
    L.append("### Quellen")
    L.append("")
    sources("de")
    L.append("### Dateien")
    L.append("")
    files("de")
    L.append("### Lizenztexte (`LICENSES/`)")
    L.append("")
    L.extend(f"- `{rel}` – {desc}" for rel, desc in licences)
    L.append("")
    L.append("### Auffälligkeiten in den Daten")
    L.append("")
    L.extend(f"- {n}" for n in b.notes_de)
    L.append(
        "- Der Quellenvermerk für VG250-EW nennt das Jahr 2024: Laut BKG ist das „Jahr des "
        "letzten Datenbezugs“ anzugeben; die DBF-Dateien tragen das Datum 2024-04-10, das "
        "RKI-Repositorium nennt kein Bezugsdatum."
    )
    L.append(
        "- Die INKAR-Sammlung von GStahn (ranking_german_counties) hat selbst keine Lizenz; "
        "die Werte sind INKAR-Indikatoren des BBSR (dl-de/by-2-0) und werden nur mit den "
        "benötigten Spalten und mit Quellenvermerk des BBSR weitergegeben. Für den "
        "Produktivbetrieb sollten sie direkt von inkar.de bezogen werden."
    )
    L.append("")
    # ---- English
    L.append("## English")
    L.append("")
    L.append(
        "All files are real public data of German public bodies and research institutes (or "
        "OpenStreetMap). They come from `../shared/data` (byte copies of public repositories, "
        "see their PROVENANCE.txt) and were only filtered; values are kept character-exact, "
        "only geometries were reprojected or simplified. **The attributions must be shown "
        "wherever the data are shown** (demo, reports, web pages); machine-readable in "
        "`attribution.json`, licence texts in `LICENSES/`. Coordinates: WGS84 (EPSG:4326), "
        f"{COORD_DECIMALS} decimals. CSV: UTF-8, comma, LF."
    )
    L.append("")
    L.append("### Overview")
    L.append("")
    table("en")
    L.append("### Sources")
    L.append("")
    sources("en")
    L.append("### Files")
    L.append("")
    files("en")
    L.append("### Licence texts (`LICENSES/`)")
    L.append("")
    L.extend(f"- `{rel}` – {desc}" for rel, desc in licences)
    L.append("")
    L.append("### Surprises in the data")
    L.append("")
    L.extend(f"- {n}" for n in b.notes_en)
    L.append(
        "- The VG250-EW attribution names the year 2024: BKG asks for the 'year of the last "
        "data retrieval'; the DBF files are dated 2024-04-10 and the RKI repository gives no "
        "retrieval date."
    )
    L.append(
        "- The GStahn INKAR collection (ranking_german_counties) has no licence of its own; "
        "the values are BBSR INKAR indicators (dl-de/by-2-0) and are passed on only with the "
        "columns needed and with the BBSR attribution. For production, download them from "
        "inkar.de directly."
    )
    L.append("")
    b.dst("PROVENANCE.md").write_bytes("\n".join(L).encode("utf-8"))


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


def check_commits(shared_data: Path) -> None:
    for s in SOURCES.values():
        if not s.commit:
            continue
        prov = (shared_data / s.folder / "PROVENANCE.txt").read_text(encoding="utf-8")
        if s.commit not in prov:
            raise SystemExit(f"commit {s.commit} not found in {s.folder}/PROVENANCE.txt")


def clean_output(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for d in OWNED_DIRS:
        if (out / d).exists():
            shutil.rmtree(out / d)
    for f in OWNED_FILES:
        (out / f).unlink(missing_ok=True)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                    help=f"shared folder containing data/ (default: {DEFAULT_SHARED})")
    args = ap.parse_args(argv)
    shared_data = args.shared.resolve() / "data"
    if not (shared_data / "README.md").exists():
        ap.error(f"{shared_data} does not look like the shared data folder")
    print(f"shared data: {shared_data}\noutput:      {OUT_DIR}")
    print(f"shapely {shapely.__version__}, GEOS {shapely.geos_version_string}")
    check_commits(shared_data)
    clean_output(OUT_DIR)
    b = Build(shared=shared_data, out=OUT_DIR)

    vg5000 = build_vg5000(b)
    vg5000_full = gpd.read_file(
        b.src("bkg_vg5000_2021", "derived", "nrw_gemeinden_vg5000_2021_wgs84.geojson"),
        columns=["ARS"], read_geometry=False,
    )
    ars9 = set(vg5000_full["ARS"].str[:9])
    city = build_koeln_boundaries(b)
    build_vg250(b, vg5000)
    build_gisd(b, ars9, vg5000["kreise"])
    build_inkar_long(b, vg5000)
    build_inkar_2023(b, vg5000)
    build_network(b, vg5000)
    build_koeln_population(b)
    build_osm(b, city)
    licences = build_licenses(b)
    write_attribution(b)
    write_provenance(b, licences)

    # summary
    print("\nSummary")
    total = 0
    rows_by_rel = {o.rel: o.rows for o in b.outputs}
    files = sorted(p for p in OUT_DIR.rglob("*") if p.is_file() and p.name != "manifest.toml")
    width = max(len(str(p.relative_to(OUT_DIR))) for p in files)
    for p in files:
        rel = p.relative_to(OUT_DIR).as_posix()
        size = p.stat().st_size
        total += size
        rows = rows_by_rel.get(rel)
        print(f"  {rel:<{width}}  {rows if rows is not None else '':>7}  {_human(size):>10}  "
              f"{sha256(p)[:12]}")
    print(f"  total {len(files)} files, {_human(total)} (budget {_human(SIZE_BUDGET)})")
    if total > SIZE_BUDGET:
        print("  WARNING: over the size budget", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
