"""Generate the input corpus of ``tests/ingest``: ``bad/`` (rejected) and ``good/`` (accepted).

Run from the repository root::

    .venv/bin/python tests/data/make_bad_corpus.py

The output is deterministic (fixed dates inside ZIP, XLSX, DBF and GeoPackage files) and
committed, so the tests never depend on this script running.  Every file is tiny.

The units are three real NRW Kreise with six Gemeinden (official AGS/ARS keys) whose
geometries are simple, fictitious rectangles.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import sqlite3
import zipfile
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import openpyxl
import shapely

HERE = Path(__file__).resolve().parent
BAD = HERE / "bad"
GOOD = HERE / "good"
FIXED = (2021, 1, 1, 0, 0, 0)

# ---------------------------------------------------------------------------- base units
KREISE = [
    # AGS, name, (minx, miny, maxx, maxy)
    ("05111", "Düsseldorf", (6.70, 51.10, 6.95, 51.35)),
    ("05315", "Köln", (6.80, 50.80, 7.10, 51.05)),
    ("05334", "Städteregion Aachen", (6.00, 50.55, 6.40, 50.90)),
]
GEMEINDEN = [
    # AGS, name, Kreis, box
    ("05111000", "Düsseldorf", "05111", (6.70, 51.10, 6.95, 51.35)),
    ("05315000", "Köln", "05315", (6.80, 50.80, 7.10, 51.05)),
    ("05334002", "Aachen", "05334", (6.00, 50.55, 6.20, 50.725)),
    ("05334004", "Alsdorf", "05334", (6.20, 50.725, 6.40, 50.90)),
    ("05334008", "Baesweiler", "05334", (6.00, 50.725, 6.20, 50.90)),
    ("05334012", "Eschweiler", "05334", (6.20, 50.55, 6.40, 50.725)),
]
STADTBEZIRKE = [
    ("1", "Innenstadt", (6.90, 50.90, 7.00, 51.00)),
    ("2", "Rodenkirchen", (6.90, 50.80, 7.00, 50.90)),
    ("3", "Lindenthal", (6.80, 50.85, 6.90, 51.00)),
]
# Einwohner 31.12.2021 (rounded, illustrative), the base import of every test store
EINWOHNER_2021 = {
    "05111000": 619294, "05315000": 1079301, "05334002": 248878,
    "05334004": 47218, "05334008": 27108, "05334012": 56217,
}


def ars(ags: str) -> str:
    """12-digit ARS of a Gemeinde (Gemeindeverband = the Gemeinde's own number here)."""
    return ags[:5] + ags[5:8].zfill(4) + ags[5:8]


def _ring(box: tuple[float, float, float, float]) -> list[list[float]]:
    x0, y0, x1, y1 = box
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def feature(props: dict[str, object], geometry: dict[str, object] | None) -> dict[str, object]:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def polygon(box: tuple[float, float, float, float]) -> dict[str, object]:
    return {"type": "Polygon", "coordinates": [_ring(box)]}


def write_geojson(path: Path, features: list[dict[str, object]]) -> None:
    data = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def kreis_features() -> list[dict[str, object]]:
    return [feature({"AGS": a, "ARS": a, "GEN": n}, polygon(b)) for a, n, b in KREISE]


def gemeinde_features() -> list[dict[str, object]]:
    return [feature({"AGS": a, "ARS": ars(a), "GEN": n, "KRS": k}, polygon(b))
            for a, n, k, b in GEMEINDEN]


def gemeinden_frame(crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {"AGS": [g[0] for g in GEMEINDEN], "GEN": [g[1] for g in GEMEINDEN],
         "KRS": [g[2] for g in GEMEINDEN]},
        geometry=[shapely.box(*g[3]) for g in GEMEINDEN], crs="EPSG:4326")
    return frame.to_crs(crs) if crs != "EPSG:4326" else frame


# ------------------------------------------------------------------- deterministic writers
def write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    path.write_bytes(text.encode(encoding))


def normalise_zip(path: Path) -> None:
    """Rewrite a ZIP (or XLSX) with fixed entry dates and fixed document properties."""
    with zipfile.ZipFile(path) as zf:
        entries = [(info, zf.read(info.filename)) for info in zf.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2021-01-01T00:00:00Z",
                              data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            out.writestr(fixed, data)
    path.write_bytes(buf.getvalue())


def write_xlsx(path: Path, rows: list[list[object]], sheet: str = "Daten") -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    wb.properties.creator = "kekiz tests"
    wb.properties.created = datetime(2021, 1, 1)
    wb.properties.modified = datetime(2021, 1, 1)
    wb.save(path)
    normalise_zip(path)


def fix_dbf_date(path: Path) -> None:
    """Bytes 1-3 of a DBF header hold the date of the last update: pin them."""
    data = bytearray(path.read_bytes())
    data[1:4] = bytes([121, 1, 1])
    path.write_bytes(bytes(data))


def write_shapefile(folder: Path, stem: str, frame: gpd.GeoDataFrame,
                    drop: tuple[str, ...] = ()) -> list[Path]:
    """Write ``stem.shp`` (+ .shx/.dbf/.prj/.cpg) into ``folder`` and remove ``drop`` parts."""
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_file(folder / f"{stem}.shp", engine="pyogrio")
    fix_dbf_date(folder / f"{stem}.dbf")
    for ext in drop:
        (folder / f"{stem}{ext}").unlink()
    return sorted(folder.glob(f"{stem}.*"))


def zip_files(path: Path, files: list[Path]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in files:
            info = zipfile.ZipInfo(f.name, date_time=FIXED)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, f.read_bytes())


def write_gpkg(path: Path, frame: gpd.GeoDataFrame, layer: str) -> None:
    if path.exists():
        path.unlink()
    frame.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
    con = sqlite3.connect(path)
    try:
        con.execute("UPDATE gpkg_contents SET last_change = '2021-01-01T00:00:00.000Z'")
        con.commit()
        con.execute("PRAGMA page_size = 512")
        con.execute("VACUUM")
    finally:
        con.close()


# ------------------------------------------------------------------------ the good corpus
def make_good() -> None:
    GOOD.mkdir(exist_ok=True)
    write_geojson(GOOD / "base_kreise.geojson", kreis_features())
    write_geojson(GOOD / "base_gemeinden.geojson", gemeinde_features())
    lines = ["ags;jahr;einwohner"] + [f"{k};2021;{v}" for k, v in EINWOHNER_2021.items()]
    write_text(GOOD / "base_einwohner.csv", "\n".join(lines) + "\n")

    # Windows-1252, ';', decimal comma and thousands points, umlauts in names and header
    write_text(GOOD / "cp1252_semikolon_dezimalkomma.csv",
               "AGS;Name;Jahr;Einwohner;Arbeitslosenanteil;Kaufkraft\r\n"
               "05111000;Düsseldorf;2022;620.523;7,9;27.512,5\r\n"
               "05315000;Köln;2022;1.084.831;8,4;25.130\r\n"
               "05334002;Aachen;2022;249.070;7,2;22.480,75\r\n", encoding="cp1252")

    # Excel export: title rows above the header, AGS as numbers (leading zero lost)
    write_xlsx(GOOD / "excel_titelzeilen.xlsx", [
        ["Bevölkerung und Kinder unter 3 Jahren nach Gemeinden"],
        ["Stand: 31.12.2020; Quelle: fiktive Testdaten"],
        [],
        ["AGS", "Name", "Jahr", "Einwohner", "00 - < 03"],
        [5111000, "Düsseldorf", 2020, 620523, 18834],
        [5315000, "Köln", 2020, 1083498, 32406],
        [5334002, "Aachen", 2020, 248960, 6511],
    ])

    # issue #18: the long layout of statistics offices (numerator and denominator, no
    # value) and periods other than years, in the forms the offices write them
    write_text(GOOD / "lang_zaehler_nenner.csv",
               "AGS;Jahr;Indikator;Zaehler;Nenner\n"
               "05111000;2021;arbeitslosenanteil;30000;400000\n"
               "05315000;2021;arbeitslosenanteil;56000;700000\n"
               "05334002;2021;arbeitslosenanteil;-9999;160000\n")
    write_text(GOOD / "halbjahre.csv",
               "ags;zeitraum;einwohner\n05111000;1. Halbjahr 2022;620000\n"
               "05111000;2. Halbjahr 2022;621000\n05315000;30.06.2022;1085000\n"
               "05315000;Q4 2022;1086000\n")

    # AGS without leading zeros, in a CSV (as after a round trip through Excel)
    write_text(GOOD / "ags_ohne_fuehrende_null.csv",
               "ags;jahr;einwohner\n5111000;2019;619294\n5315000;2019;1087863\n"
               "5334004;2019;47149\n")
    write_text(GOOD / "kreise_ohne_fuehrende_null.csv",
               "kennziffer;jahr;kitas\n5111;2021;420\n5315;2021;690\n5334;2021;345\n")

    # 12-digit ARS and 9-digit Gemeindeverband keys
    write_text(GOOD / "ars_12_stellen.csv",
               "ars;jahr;einwohner\n" + "".join(
                   f"{ars(a)};2018;{v}\n" for a, v in (("05334002", 247380),
                                                        ("05334008", 27227))))
    write_text(GOOD / "schluessel_9_stellen.csv",
               "schluessel;jahr;einwohner\n053340012;2018;56000\n053150000;2018;1085664\n")

    # long layout with numerator and denominator for a share (%)
    write_text(GOOD / "lang.csv",
               "ags;jahr;indikator;wert;zaehler;nenner\n"
               "05111000;2021;arbeitslosenanteil;7,5;30000;400000\n"
               "05315000;2021;arbeitslosenanteil;8,0;56000;700000\n"
               "05111000;2020;arbeitslosenanteil;7,9;31600;400000\n")

    # one column per year, with --indicator
    write_text(GOOD / "breit_jahre.csv",
               "ags;name;2019;2020;2021\n"
               "05334002;Aachen;1.201;1.187;1.230\n"
               "05334004;Alsdorf;402;.;377\n"
               "05334008;Baesweiler;-;215;/\n")

    # plain XLSX, floats as shares
    write_xlsx(GOOD / "einfach.xlsx", [
        ["AGS", "Jahr", "Kinderarmut"],
        ["05111000", 2021, 17.5],
        ["05315000", 2021, 19.25],
        ["05334012", 2021, 12.0],
    ], sheet="Tabelle1")

    # UTF-16 with BOM (as Excel's 'Unicode text') and tab separators
    write_text(GOOD / "utf16_tab.csv",
               "ags\tjahr\tkinderarmut\r\n05111000\t2019\t17,9\r\n05315000\t2019\t20,1\r\n",
               encoding="utf-16")
    # '|' as separator
    write_text(GOOD / "pipe.csv", "ags|jahr|einwohner\n05334002|2017|246000\n")
    # GISD scores with three decimals: '0,412' is a decimal comma, not a thousands comma
    write_text(GOOD / "gisd_drei_nachkommastellen.csv",
               "ags;jahr;gisd_score\n05111000;2019;0,412\n05315000;2019;0,398\n")
    # a name column called 'Gemeinde' (as in IT.NRW exports) is a label, not values
    write_text(GOOD / "namensspalte_gemeinde.csv",
               "AGS;Gemeinde;Jahr;Einwohner\n05111000;Düsseldorf;2016;612178\n"
               "05315000;Köln;2016;1075935\n")
    # two versions of one dataset: the second replaces the first (one row fewer)
    write_text(GOOD / "einwohner_v1.csv",
               "ags;jahr;einwohner\n05334004;2015;46900\n05334008;2015;27000\n"
               "05334012;2015;55800\n")
    write_text(GOOD / "einwohner_v2.csv",
               "ags;jahr;einwohner\n05334004;2015;46912\n05334008;2015;27013\n")
    # Stadtbezirke of Köln (local numbers), assigned to their Gemeinde by location
    write_geojson(GOOD / "koeln_stadtbezirke.geojson", [
        feature({"NR": nr, "NAME": name}, polygon(box)) for nr, name, box in STADTBEZIRKE])
    # a complete zipped Shapefile in ETRS89 / UTM 32N (EPSG:25832)
    tmp = GOOD / "_tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    zip_files(GOOD / "gemeinden_utm_shp.zip",
              write_shapefile(tmp, "gemeinden", gemeinden_frame("EPSG:25832")))
    shutil.rmtree(tmp)


# ------------------------------------------------------------------------- the bad corpus
def make_bad() -> None:
    BAD.mkdir(exist_ok=True)
    csv_files = {
        # empty and structurally broken tables
        "leer.csv": "",
        "nur_kopfzeile.csv": "ags;jahr;einwohner\n",
        "nur_leerzeilen.csv": "\n  \n\n",
        "leerzeichen_getrennt.csv": "ags jahr einwohner\n05111000 2021 620000\n",
        "spalte_ohne_namen.csv": "ags;;einwohner\n05111000;2021;620000\n",
        "spaltenname_doppelt.csv": "ags;einwohner;einwohner\n05111000;620000;620001\n",
        "zu_viele_felder.csv": "ags;jahr;einwohner\n05111000;2021;620000\n"
                               "05315000;2021;1084831;99\n",
        "ohne_schluesselspalte.csv": "gemeinde;jahr;einwohner\nDüsseldorf;2021;620000\n",
        "breit_ohne_indikator.csv": "ags;2019;2020\n05111000;619294;620523\n",
        "lang_ohne_wert.csv": "ags;jahr;indikator\n05111000;2021;einwohner\n",
        "ohne_zeitraum.csv": "ags;einwohner\n05111000;620000\n",
        # cells
        "dezimalkomma_in_anzahl.csv": "ags;jahr;einwohner\n05111000;2021;620000\n"
                                      "05315000;2021;12,5\n",
        "prozent_in_anzahl.csv": "ags;jahr;einwohner\n05111000;2021;620000\n"
                                 "05315000;2021;12,5%\n",
        "text_in_zahlenspalte.csv": "ags;jahr;einwohner\n05111000;2021;viele\n",
        "negative_anzahl.csv": "ags;jahr;einwohner\n05111000;2021;620000\n"
                               "05315000;2021;-5\n",
        "jahr_als_text.csv": "ags;jahr;einwohner\n05111000;zweitausend;620000\n",
        "unbekannter_schluessel.csv": "ags;jahr;einwohner\n05111000;2021;620000\n"
                                      "05111999;2021;1000\n",
        "doppelte_zeile.csv": "ags;jahr;einwohner\n05111000;2021;620000\n"
                              "05315000;2021;1084831\n05111000;2021;620000\n",
        "zaehler_groesser_nenner.csv": "ags;jahr;arbeitslosenanteil;zaehler;nenner\n"
                                       "05111000;2021;7,5;30000;400000\n"
                                       "05315000;2021;150,0;1500;1000\n",
        "zaehler_groesser_nenner_neu.csv": "ags;jahr;quote;zaehler;nenner\n"
                                           "05111000;2021;7,5;30000;400000\n"
                                           "05315000;2021;150,0;1500;1000\n",
        "anzahl_neuer_indikator.csv": "ags;jahr;kinder\n05111000;2021;120\n"
                                      "05315000;2021;12,5\n",
        "zaehler_keine_anzahl.csv": "ags;jahr;indikator;wert;zaehler;nenner\n"
                                    "05111000;2021;arbeitslosenanteil;7,5;30000,5;400000\n",
        "negativer_anteil.csv": "ags;jahr;arbeitslosenanteil\n05111000;2021;-3,5\n",
        "gemeindeschluessel_auf_kreisebene.csv": "ags;jahr;kitas\n05111000;2021;420\n",
        "filterspalte_fehlt.csv": "ags;jahr;einwohner\n05111000;2021;620000\n",
        "zeitraumspalte_fehlt.csv": "ags;stichtag_jahr;einwohner\n05111000;2021;620000\n",
        "offenes_anfuehrungszeichen.csv": 'ags;jahr;einwohner\n"05111000;2021;620000\n'
                                          "05315000;2021;1084831\n",
        # issue #18: layouts of statistics offices, metadata options, markers, periods
        "lang_zaehler_ohne_nenner.csv": "ags;jahr;indikator;zaehler\n"
                                        "05111000;2021;arbeitslosenanteil;30000\n",
        "lang_ohne_zeitraum.csv": "ags;indikator;wert\n05111000;einwohner;620000\n",
        "lang_zaehler_groesser_nenner.csv": "AGS;Jahr;Indikator;Zaehler;Nenner\n"
                                            "05111000;2021;arbeitslosenanteil;30000;400000\n"
                                            "05315000;2021;arbeitslosenanteil;1500;1000\n",
        "zwei_neue_spalten_ein_name.csv": "ags;jahr;kinder;plaetze\n05111000;2021;90000;420\n",
        "minus_eins_in_anzahl.csv": "ags;jahr;einwohner\n05111000;2021;620000\n"
                                    "05315000;2021;-1\n",
        "halbjahr_ungueltig.csv": "ags;jahr;einwohner\n05111000;2022-H1;620000\n"
                                  "05315000;2022-H3;1084831\n",
        "viele_fehler.csv": "ags;jahr;einwohner\n" + "".join(
            f"05111000;{2000 + n};{n},5\n" for n in range(30)) + "".join(
            f"0599900{n};2021;5\n" for n in range(5)),
    }
    for name, text in csv_files.items():
        write_text(BAD / name, text)
    # encodings: a Windows-1252 file read with an explicit --encoding utf-8 (row 3 has 'ö')
    write_text(BAD / "cp1252_als_utf8.csv",
               "ags;name;jahr;einwohner\n05111000;Duesseldorf;2021;620000\n"
               "05315000;Köln;2021;1084831\n", encoding="cp1252")
    write_text(BAD / "kodierung_unbekannt.csv", "ags;jahr;einwohner\n05111000;2021;620000\n")
    # UTF-16 without a BOM: NUL bytes everywhere
    write_text(BAD / "utf16_ohne_bom.csv", "ags;jahr;einwohner\n05111000;2021;620000\n",
               encoding="utf-16-le")
    # binary junk (the start of a PNG) named .csv
    (BAD / "binaerdaten.csv").write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06")
    # a comma-separated file read with --sep ';' is fine, but ';' read with --sep ',' is not
    write_text(BAD / "falsches_trennzeichen.csv", "ags;jahr;einwohner\n05111000;2021;620000\n")

    # XLSX: renamed to .csv, truncated, corrupted inside, CSV renamed to .xlsx, wrong sheet
    rows: list[list[object]] = [["AGS", "Jahr", "Einwohner"], ["05111000", 2021, 620523],
                                ["05315000", 2021, 1083498], ["05334002", 2021, 248960]]
    write_xlsx(BAD / "xlsx_als_csv.csv", rows)
    write_xlsx(BAD / "abgeschnitten.xlsx", rows)
    data = (BAD / "abgeschnitten.xlsx").read_bytes()
    (BAD / "abgeschnitten.xlsx").write_bytes(data[:len(data) // 2])
    write_xlsx(BAD / "beschaedigtes_blatt.xlsx", rows)
    _corrupt_member(BAD / "beschaedigtes_blatt.xlsx", "xl/worksheets/sheet1.xml")
    write_text(BAD / "csv_als_xlsx.xlsx", "ags;jahr;einwohner\n05111000;2021;620000\n")
    write_xlsx(BAD / "blatt_fehlt.xlsx", rows, sheet="Daten")
    write_xlsx(BAD / "text_in_zahlenspalte.xlsx", [
        ["Einwohner nach Gemeinden"], [], ["AGS", "Jahr", "Einwohner"],
        ["05111000", 2021, 620523], ["05315000", 2021, "k. A."]])
    (BAD / "kein_xls.xls").write_bytes(b"this is not an Excel 97-2003 workbook\n")

    make_bad_boundaries()


def _corrupt_member(path: Path, member: str) -> None:
    """Flip bytes inside one compressed member; the ZIP directory stays intact."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    # local header: 30 bytes + file name + extra field, then the compressed data
    name_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    middle = start + info.compress_size // 2
    for i in range(middle, middle + 8):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def make_bad_boundaries() -> None:
    good = gemeinde_features()
    write_text(BAD / "leer.geojson", "")
    write_geojson(BAD / "ohne_objekte.geojson", [])
    write_text(BAD / "kein_geojson.geojson", "Das ist keine Geodatei.\n")
    write_geojson(BAD / "punkte.geojson", [
        feature({"AGS": "05111", "GEN": "Düsseldorf"},
                {"type": "Point", "coordinates": [6.8, 51.2]}),
        feature({"AGS": "05315", "GEN": "Köln"},
                {"type": "Point", "coordinates": [6.95, 50.94]})])
    # a polygon that collapses to a line (all vertices on one straight line)
    write_geojson(BAD / "polygon_als_linie.geojson", [
        feature({"AGS": "05111", "GEN": "Düsseldorf"}, polygon(KREISE[0][2])),
        feature({"AGS": "05315", "GEN": "Köln"}, {"type": "Polygon", "coordinates": [
            [[6.8, 50.8], [6.9, 50.9], [7.0, 51.0], [6.9, 50.9], [6.8, 50.8]]]})])
    write_geojson(BAD / "geometrie_leer.geojson", [
        feature({"AGS": "05111", "GEN": "Düsseldorf"}, polygon(KREISE[0][2])),
        feature({"AGS": "05315", "GEN": "Köln"}, None)])
    write_geojson(BAD / "alle_geometrien_leer.geojson", [
        feature({"AGS": "05111", "GEN": "Düsseldorf"}, None)])
    dup = kreis_features()
    dup.append(feature({"AGS": "05315", "ARS": "05315", "GEN": "Köln (Teil 2)"},
                       polygon((7.1, 50.8, 7.2, 50.9))))
    write_geojson(BAD / "doppelte_ids.geojson", dup)
    unknown = [dict(f) for f in good[:2]]
    unknown.append(feature({"AGS": "05999004", "ARS": "059990004004", "GEN": "Nirgendwo",
                            "KRS": "05999"}, polygon((6.2, 50.725, 6.4, 50.9))))
    write_geojson(BAD / "unbekannter_elternschluessel.geojson", unknown)
    write_geojson(BAD / "schluessel_fehlt.geojson", [
        feature({"AGS": "05111", "GEN": "Düsseldorf"}, polygon(KREISE[0][2])),
        feature({"AGS": None, "GEN": "Köln"}, polygon(KREISE[1][2]))])
    write_geojson(BAD / "name_fehlt.geojson", [
        feature({"AGS": "05111", "GEN": ""}, polygon(KREISE[0][2]))])
    write_geojson(BAD / "feldname_falsch.geojson", [
        feature({"ags_code": "05111", "GEN": "Düsseldorf"}, polygon(KREISE[0][2]))])
    # UTM coordinates in a GeoJSON without a CRS member (GeoJSON means WGS84)
    utm = gemeinden_frame("EPSG:25832").iloc[:2]
    write_geojson(BAD / "utm_ohne_crs.geojson", [
        feature({"AGS": r.AGS, "GEN": r.GEN, "KRS": r.KRS},
                json.loads(json.dumps(shapely.geometry.mapping(
                    shapely.set_precision(r.geometry, 1.0)))))
        for r in utm.itertuples()])

    # GeoPackages
    write_gpkg(BAD / "gemeinden_25832.gpkg", gemeinden_frame("EPSG:25832").iloc[:2],
               layer="gemeinden")
    points = gpd.GeoDataFrame({"AGS": ["05111000"], "GEN": ["Düsseldorf"], "KRS": ["05111"]},
                              geometry=[shapely.Point(6.8, 51.2)], crs="EPSG:4326")
    write_gpkg(BAD / "punkte.gpkg", points, layer="gemeinden")

    # Shapefiles with a part missing (each in its own folder, as delivered)
    frame = gemeinden_frame("EPSG:25832").iloc[:2]
    tmp = BAD / "_tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    for stem, drop in (("shp_ohne_dbf", (".dbf",)), ("shp_ohne_prj", (".prj",)),
                       ("shp_ohne_shx", (".shx",))):
        folder = BAD / stem
        shutil.rmtree(folder, ignore_errors=True)
        write_shapefile(folder, "gemeinden", frame, drop=drop)
    # zipped shapefiles: without .prj, without .shp, and a truncated archive
    files = write_shapefile(tmp, "gemeinden", frame, drop=(".prj",))
    zip_files(BAD / "zip_ohne_prj.zip", files)
    zip_files(BAD / "zip_ohne_shp.zip", [f for f in files if f.suffix != ".shp"])
    files = write_shapefile(tmp / "full", "gemeinden", frame)
    zip_files(BAD / "zip_abgeschnitten.zip", files)
    data = (BAD / "zip_abgeschnitten.zip").read_bytes()
    (BAD / "zip_abgeschnitten.zip").write_bytes(data[:len(data) // 3])
    shutil.rmtree(tmp)


def main() -> None:
    make_good()
    make_bad()
    print(f"{len(list(BAD.iterdir()))} entries in {BAD}, {len(list(GOOD.iterdir()))} in {GOOD}")


if __name__ == "__main__":
    main()
