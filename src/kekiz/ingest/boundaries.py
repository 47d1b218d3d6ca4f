"""Boundary files (GeoJSON, GeoPackage, Shapefile, zipped Shapefile) -> validated units."""

from __future__ import annotations

import hashlib
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from kekiz.domain.errors import ValidationReport
from kekiz.domain.model import Unit
from kekiz.ingest.cells import key_candidates, normalise_key

__all__ = ["BoundaryOptions", "ParentCandidates", "read_boundaries", "sha256_of"]

_POLYGONAL = {"Polygon", "MultiPolygon"}
_AGS = re.compile(r"\d{8}")


@dataclass
class BoundaryOptions:
    level: str
    id_field: str
    name_field: str
    parent_field: str | None = None
    parent_level: str | None = None
    id_prefix: str = ""
    crs: str | None = None
    layer: str | None = None
    valid_from: date | None = None
    key_fields: dict[str, str] = field(default_factory=dict)
    #: the key of the one area of a file without a key field (``--key-value 11000000``)
    key_value: str | None = None
    #: feature number (1-based) -> key: corrects a wrong key of a published file (noted)
    set_keys: dict[int, str] = field(default_factory=dict)
    #: with ``key_value`` for a file of several areas: the name of their union
    name_value: str | None = None


@dataclass
class ParentCandidates:
    """Units of the parent level: their keys and (for spatial assignment) geometries."""

    level: str
    keys: dict[str, dict[str, str]]
    geometries: gpd.GeoDataFrame | None = None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_boundaries(path: Path, opts: BoundaryOptions, report: ValidationReport,
                    parents: ParentCandidates | None = None) -> list[Unit]:
    """Read and check a boundary file; every problem goes to ``report``."""
    frame = _read_frame(path, opts, report)
    if frame is None:
        return []
    _check_fields(frame, opts, report)
    if not report.ok:
        return []
    frame = _to_wgs84(frame, path, opts, report)
    if frame is None:
        return []
    frame = _one_area(frame, opts, report)
    units: list[Unit] = []
    seen: dict[str, int] = {}
    assign = _spatial_parents(frame, parents, report) if (
        parents is not None and opts.parent_field is None) else None
    for pos, (_, rec) in enumerate(frame.iterrows()):
        row = pos + 1  # feature number, 1-based
        raw_id = _row_key(rec, row, opts, report)
        if raw_id is None:
            continue
        unit_id = opts.id_prefix + raw_id
        if unit_id in seen:
            report.add(f"Schlüssel doppelt (auch in Objekt {seen[unit_id]})", row=row,
                       column=opts.id_field, value=raw_id,
                       expected="einen eindeutigen Schlüssel je Gebiet",
                       fix="doppelte Objekte zusammenführen (dissolve) oder entfernen, oder "
                       "den richtigen Schlüssel eines Objekts mit --set-key OBJEKT=SCHLÜSSEL "
                       "angeben",
                       message_en=f"duplicate key (also in feature {seen[unit_id]})")
            continue
        seen[unit_id] = row
        if opts.level == "gemeinde" and not _AGS.fullmatch(unit_id):
            _not_an_ags(report, row, opts, raw_id)
            continue
        name = str(rec[opts.name_field]).strip() if pd.notna(rec[opts.name_field]) else ""
        if not name:
            report.add("Name fehlt", row=row, column=opts.name_field, value=raw_id,
                       expected="einen Gebietsnamen", fix="den Namen ergänzen",
                       message_en="name is missing")
        geom = _check_geometry(rec.geometry, row, raw_id, report)
        parent_id = None
        if opts.parent_field and parents is not None:
            parent_id = _parent_by_key(rec[opts.parent_field], parents, row, opts, report)
        elif assign is not None:
            parent_id = assign.get(pos)
            if parent_id is None and geom is not None:
                report.add(f"Kein umschließendes Gebiet der Ebene '{parents.level}' gefunden"
                           if parents else "Kein Elterngebiet gefunden",
                           row=row, value=raw_id, expected="ein Gebiet, das innerhalb eines "
                           "Elterngebiets liegt", fix="zuerst die Grenzen der Elternebene "
                           "importieren oder --parent-field angeben",
                           message_en="no enclosing parent unit found")
        keys = {"local": raw_id} if opts.id_prefix else {}
        for scheme, fld in opts.key_fields.items():
            if fld in frame.columns and pd.notna(rec[fld]):
                keys[scheme] = normalise_key(str(rec[fld]))
        if "ars" in keys and len(keys["ars"]) == 12:
            keys.setdefault("gvb", keys["ars"][:9])
        units.append(Unit(id=unit_id, name=name, level=opts.level, parent_id=parent_id,
                          geometry=None if geom is None else shapely.to_wkb(geom),
                          valid_from=opts.valid_from, keys=keys))
    return units


def _check_fields(frame: gpd.GeoDataFrame, opts: BoundaryOptions,
                  report: ValidationReport) -> None:
    """The named fields exist; ``--key-value`` names one area (or a union by name)."""
    id_field = None if opts.key_value else opts.id_field
    for name, what in ((id_field, "--id-field"), (opts.name_field, "--name-field"),
                       (opts.parent_field, "--parent-field")):
        if name and name not in frame.columns:
            report.add("Feld nicht gefunden", column=name,
                       expected="eines der Felder " + ", ".join(map(str, frame.columns[:-1])),
                       fix=f"bei {what} einen vorhandenen Feldnamen angeben",
                       message_en="field not found")
    if opts.key_value and len(frame) > 1 and not opts.name_value:
        report.add(f"--key-value gibt einen Schlüssel, die Datei hat {len(frame)} Gebiete",
                   value=opts.key_value, expected="eine Datei mit einem Gebiet, oder "
                   "--name-value für das aus allen Gebieten vereinigte Gebiet",
                   fix="--name-value angeben (z. B. --name-value Berlin: die Gebiete werden "
                   "zu einem vereinigt) oder --id-field mit dem Schlüsselfeld",
                   message_en=f"--key-value gives one key but the file has {len(frame)} "
                   "areas (fix: give --name-value to merge them into one area, or "
                   "--id-field with the key field)")


def _one_area(frame: gpd.GeoDataFrame, opts: BoundaryOptions,
              report: ValidationReport) -> gpd.GeoDataFrame:
    """With ``--key-value`` and ``--name-value``: the file's areas as one (noted)."""
    if not (opts.key_value and len(frame) > 1):
        return frame
    report.note(f"{len(frame)} Gebiete der Datei zu einem vereinigt: {opts.name_value} "
                f"({opts.key_value})")
    return gpd.GeoDataFrame({opts.name_field: [opts.name_value]}, crs=frame.crs,
                            geometry=[shapely.make_valid(frame.geometry.union_all())])


def _row_key(rec: pd.Series, row: int, opts: BoundaryOptions,
             report: ValidationReport) -> str | None:
    """The feature's key (``--key-value``, corrected by ``--set-key``); None if missing."""
    raw_id = normalise_key(opts.key_value) if opts.key_value else normalise_key(
        str(rec[opts.id_field] if pd.notna(rec[opts.id_field]) else ""))
    if not raw_id:
        report.add("Schlüssel fehlt", row=row, column=opts.id_field,
                   expected="einen eindeutigen Schlüssel je Gebiet",
                   fix="den Schlüssel ergänzen oder ein anderes --id-field wählen",
                   message_en="key is missing")
        return None
    if row in opts.set_keys:
        report.note(f"Objekt {row}: Schlüssel {raw_id} durch {opts.set_keys[row]} ersetzt "
                    "(--set-key)")
        return normalise_key(opts.set_keys[row])
    return raw_id


def _not_an_ags(report: ValidationReport, row: int, opts: BoundaryOptions,
                raw_id: str) -> None:
    column = "--key-value" if opts.key_value else opts.id_field
    report.add("Kein gültiger Amtlicher Gemeindeschlüssel (AGS)", row=row, column=column,
               value=opts.id_prefix + raw_id,
               expected="auf der Ebene gemeinde einen 8-stelligen AGS, z. B. 11000000 für "
               "Berlin, 05315000 für Köln",
               fix="--id-field mit dem AGS-Feld angeben (ohne --id-prefix) oder, wenn die "
               "Datei die eine Stadt ohne AGS enthält, --key-value mit ihrem AGS, z. B. "
               "--key-value 11000000; Stadtteile gehören auf eine eigene Ebene "
               "('kekiz levels define')",
               message_en="not a valid official municipality key (AGS): the level gemeinde "
               "needs an 8-digit AGS such as 11000000 (Berlin); fix: give --id-field with "
               "the AGS field, or --key-value with the city's AGS for a file of one city "
               "without it, e.g. --key-value 11000000")


def _read_frame(path: Path, opts: BoundaryOptions,
                report: ValidationReport) -> gpd.GeoDataFrame | None:
    if not path.exists():
        report.add("Datei nicht gefunden", value=str(path), expected="eine vorhandene Datei",
                   fix="Pfad prüfen", message_en="file not found")
        return None
    if path.stat().st_size == 0:
        report.add("Die Datei ist leer", expected="eine Geodatei mit Gebieten",
                   fix="die Datei neu exportieren", message_en="the file is empty")
        return None
    source = str(path)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
        except zipfile.BadZipFile:
            report.add("Die ZIP-Datei ist beschädigt", expected="ein vollständiges ZIP-Archiv",
                       fix="die Datei neu herunterladen oder neu packen",
                       message_en="the ZIP file is damaged")
            return None
        shps = [n for n in names if n.lower().endswith(".shp")]
        if not shps:
            report.add("Im ZIP-Archiv liegt keine .shp-Datei",
                       expected="ein Shapefile (.shp, .shx, .dbf, .prj) im Archiv",
                       fix="das vollständige Shapefile packen", message_en="no .shp in the ZIP")
            return None
        _check_shapefile_parts([Path(n) for n in names], Path(shps[0]), report)
        source = f"zip://{path}!{shps[0]}"
    elif suffix == ".shp":
        _check_shapefile_parts(list(path.parent.iterdir()), path, report)
    if not report.ok:
        return None
    if opts.layer is not None:
        try:
            layers = [str(x) for x in pyogrio.list_layers(source)[:, 0]]
        except Exception:  # unreadable files are reported by the read below
            layers = []
        if layers and opts.layer not in layers:
            report.add("Ebene (Layer) nicht in der Datei", value=opts.layer,
                       expected="eine von: " + ", ".join(layers),
                       fix="--layer mit einer vorhandenen Ebene angeben",
                       message_en="layer not in the file")
            return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GDAL notes about repaired files are reported below
            frame = gpd.read_file(source, layer=opts.layer, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several DataSourceError types
        report.add(f"Die Geodatei kann nicht gelesen werden ({str(exc)[:200]})",
                   expected="GeoJSON, GeoPackage oder Shapefile (auch als ZIP)",
                   fix="die Datei in QGIS öffnen und als GeoPackage neu speichern",
                   message_en="the spatial file cannot be read")
        return None
    if len(frame) == 0:
        report.add("Die Geodatei enthält keine Objekte", expected="mindestens ein Gebiet",
                   fix="die richtige Datei oder Ebene (--layer) angeben",
                   message_en="the spatial file has no features")
        return None
    return frame


def _check_shapefile_parts(files: list[Path], shp: Path, report: ValidationReport) -> None:
    stem = shp.stem.lower()
    present = {f.suffix.lower() for f in files if f.stem.lower() == stem}
    for part, what in ((".dbf", "den Sachdaten (Attributen)"), (".shx", "dem Index")):
        if part not in present:
            report.add(f"Zum Shapefile fehlt die Datei {shp.stem}{part} mit {what}",
                       value=shp.name, expected=f"{shp.stem}.shp, .shx, .dbf und .prj "
                       "im selben Ordner", fix=f"{shp.stem}{part} dazulegen oder das Shapefile "
                       "als ZIP/GeoPackage liefern", message_en=f"shapefile part {part} missing")


def _to_wgs84(frame: gpd.GeoDataFrame, path: Path, opts: BoundaryOptions,
              report: ValidationReport) -> gpd.GeoDataFrame | None:
    if opts.crs:
        try:
            declared = CRS.from_user_input(opts.crs)
        except CRSError:
            report.add("Unbekanntes Koordinatenreferenzsystem", value=opts.crs,
                       expected="einen EPSG-Code wie EPSG:25832", fix="--crs korrigieren",
                       message_en="unknown coordinate reference system")
            return None
        implied_wgs84 = frame.crs is not None and CRS(frame.crs).equals(CRS(4326)) and \
            not _lonlat_like(frame.total_bounds)
        if frame.crs is not None and CRS(frame.crs) != declared and not implied_wgs84:
            report.add("Die Datei hat ein eigenes Koordinatenreferenzsystem, --crs weicht ab",
                       value=f"{frame.crs.to_string()} / {opts.crs}",
                       expected="--crs nur bei Dateien ohne Koordinatenreferenzsystem",
                       fix="--crs weglassen", message_en="--crs contradicts the file's CRS")
            return None
        frame = frame.set_crs(declared, allow_override=True)
    if frame.crs is None:
        report.add("Die Datei hat kein Koordinatenreferenzsystem (CRS)",
                   value=path.name, expected="eine .prj-Datei oder ein CRS in der Datei",
                   fix="die .prj-Datei dazulegen oder --crs EPSG:25832 (bzw. den richtigen "
                   "Code) angeben", message_en="the file has no coordinate reference system")
        return None
    if frame.geometry.isna().all() or frame.geometry.is_empty.all():
        return frame  # every feature is reported as missing geometry, row by row
    if opts.crs is None and frame.crs is not None and CRS(frame.crs).equals(CRS(4326)) and \
            not _lonlat_like(frame.total_bounds):
        report.add("Die Koordinaten sind keine Längen/Breiten in Grad, obwohl die Datei "
                   "WGS84 (EPSG:4326) angibt (GeoJSON ist immer WGS84)", value=path.name,
                   expected="Koordinaten in Grad (z. B. 6,9 / 50,9)",
                   fix="mit --crs das tatsächliche System angeben (z. B. --crs EPSG:25832) "
                   "oder die Datei in QGIS nach EPSG:4326 umprojizieren",
                   message_en="coordinates are not degrees although the file says WGS84")
        return None
    frame = frame.to_crs(4326)
    bounds = frame.total_bounds
    if not (-180 <= bounds[0] <= 180 and -90 <= bounds[1] <= 90 and bounds[2] <= 180
            and bounds[3] <= 90):
        report.add("Koordinaten liegen nach der Umrechnung außerhalb der Erde; das "
                   "angegebene CRS passt nicht zu den Koordinaten", value=str(frame.crs),
                   expected="das CRS, in dem die Koordinaten vorliegen",
                   fix="das richtige CRS angeben", message_en="coordinates do not fit the CRS")
        return None
    return frame


def _check_geometry(geom: object, row: int, key: str,
                    report: ValidationReport) -> shapely.Geometry | None:
    if not isinstance(geom, shapely.Geometry) or geom.is_empty:
        report.add("Geometrie fehlt oder ist leer", row=row, value=key,
                   expected="eine Fläche (Polygon/MultiPolygon)",
                   fix="die Geometrie nachdigitalisieren oder das Objekt entfernen",
                   message_en="geometry missing or empty")
        return None
    if geom.geom_type not in _POLYGONAL:
        report.add(f"Geometrietyp {geom.geom_type} ist keine Fläche", row=row, value=key,
                   expected="Polygon oder MultiPolygon", fix="Flächen statt Punkte/Linien "
                   "liefern", message_en=f"geometry type {geom.geom_type} is not an area")
        return None
    if geom.is_valid:
        return geom
    reason = shapely.is_valid_reason(geom)
    repaired = shapely.make_valid(geom)
    if repaired.geom_type == "GeometryCollection":
        polys = [g for g in shapely.get_parts(repaired) if g.geom_type in _POLYGONAL]
        repaired = shapely.union_all(polys) if polys else shapely.Polygon()
    if repaired.is_empty or repaired.geom_type not in _POLYGONAL or repaired.area == 0 or \
            abs(repaired.area - geom.area) > 0.5 * max(geom.area, 1e-12):
        report.add(f"Ungültige Geometrie, nicht reparierbar ({reason})", row=row, value=key,
                   expected="eine gültige Fläche", fix="die Geometrie in QGIS mit "
                   "'Geometrien reparieren' prüfen und neu digitalisieren",
                   message_en=f"invalid geometry that cannot be repaired ({reason})")
        return None
    report.note(f"Objekt {row} ({key}): ungültige Geometrie repariert ({reason})")
    return repaired


def _parent_by_key(value: object, parents: ParentCandidates, row: int, opts: BoundaryOptions,
                   report: ValidationReport) -> str | None:
    key = "" if value is None or _isna(value) else normalise_key(str(value))
    if not key:
        report.add("Elternschlüssel fehlt", row=row, column=opts.parent_field,
                   expected=f"den Schlüssel eines Gebiets der Ebene '{parents.level}'",
                   fix="den Elternschlüssel ergänzen", message_en="parent key missing")
        return None
    found = match_key(key, parents.keys, opts.id_prefix)
    if found is None:
        report.add(f"Elterngebiet auf Ebene '{parents.level}' unbekannt", row=row,
                   column=opts.parent_field, value=key,
                   expected=f"einen Schlüssel eines vorhandenen Gebiets der Ebene "
                   f"'{parents.level}'", fix="zuerst die Elternebene importieren oder den "
                   "Schlüssel korrigieren", message_en="parent unit unknown")
    return found


def match_key(key: str, index: dict[str, dict[str, str]], prefix: str = "") -> str | None:
    """Find the unit id for ``key`` in a key index (scheme -> key -> id)."""
    for cand in key_candidates(key):
        for scheme in ("id", "ags", "ars", "gvb", "local"):
            hit = index.get(scheme, {}).get(cand)
            if hit is not None:
                return hit
        if prefix:
            hit = index.get("id", {}).get(prefix + cand)
            if hit is not None:
                return hit
    return None


def _spatial_parents(frame: gpd.GeoDataFrame, parents: ParentCandidates | None,
                     report: ValidationReport) -> dict[int, str]:
    if parents is None or parents.geometries is None or len(parents.geometries) == 0:
        return {}
    points = gpd.GeoDataFrame(
        {"pos": range(len(frame))},
        geometry=shapely.point_on_surface(shapely.make_valid(frame.geometry.values)),
        crs=4326)
    joined = gpd.sjoin(points, parents.geometries[["id", "geometry"]], predicate="within",
                       how="left")
    joined = joined.dropna(subset=["id"]).drop_duplicates("pos")
    del report
    return dict(zip(joined["pos"].astype(int), joined["id"].astype(str), strict=True))


def _isna(value: object) -> bool:
    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def _lonlat_like(bounds: np.ndarray) -> bool:
    """Bounds that can be longitudes and latitudes in degrees."""
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    return -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90
