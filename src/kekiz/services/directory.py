"""The stored service directory of the prevention chain (issue #5).

File jobs (check, convert, coverage of a file) need no store; the stored directory is
imported with :meth:`DirectoryService.import_services` (HSDS JSON, CSV/XLSX or point files;
validated completely, duplicates of stored offers reported, one transaction) and exported
with :meth:`DirectoryService.export_services`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kekiz.domain.accounts import ReadScope
from kekiz.domain.directory import Directory, ServiceDataset, Transition, slug
from kekiz.domain.errors import ImportFailed, MethodError, ValidationReport
from kekiz.domain.model import Dataset, LifePhase
from kekiz.i18n import fmt_number
from kekiz.ingest.boundaries import match_key, sha256_of
from kekiz.ingest.directory import (
    KITA,
    DirectoryImport,
    DirectoryOptions,
    OfferDefaults,
    read_directory,
)
from kekiz.ingest.hsds import read_hsds
from kekiz.prevention.directory import find_duplicates
from kekiz.prevention.geo import points_in_units
from kekiz.prevention.hsds import write_hsds
from kekiz.services.base import actor
from kekiz.services.chain_data import ChainData, write_frame
from kekiz.services.chain_results import ServiceImport
from kekiz.settings import Settings
from kekiz.storage.protocol import Store

__all__ = ["SYNTHETIC_PREFIX", "DirectoryService", "read_directory_file"]

#: What the name of a synthetic (invented) offer starts with, everywhere it is shown.
SYNTHETIC_PREFIX = "[synthetisch]"

_HSDS_SUFFIXES = (".json",)
_GEO_SUFFIXES = (".geojson", ".gpkg", ".shp", ".zip")
SYNTHETIC_DE = "SYNTHETISCH"
P, A03, A36, A610, A1016, A1625 = (p.value for p in (
    LifePhase.PREGNANCY, LifePhase.AGE_0_3, LifePhase.AGE_3_6, LifePhase.AGE_6_10,
    LifePhase.AGE_10_16, LifePhase.AGE_16_25))
SCHOOL = OfferDefaults(life_phases=(A610, A1016), sector="education", topics=("Schule",),
                       transitions=(Transition.PRIMARY_SECONDARY.value,))
#: (name words, life phases, transitions, ages, school type) by the school's name.
_SCHOOL_TYPES: tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...],
                           tuple[float, float], str], ...] = (
    (("grundschule", "ggs", "kgs", "egs", "gemeinschaftsgrundschule", "primarschule"),
     (A610,), (Transition.KITA_PRIMARY.value, Transition.PRIMARY_SECONDARY.value),
     (6.0, 10.0), "Grundschule"),
    (("berufskolleg", "berufsschule", "berufsbildend", "fachschule"), (A1625,),
     (Transition.SCHOOL_WORK.value,), (16.0, 25.0), "Berufskolleg"),
    (("gymnasium", "gesamtschule", "realschule", "hauptschule", "sekundarschule",
      "gesamtsch", "kolleg", "lyzeum"), (A1016, A1625),
     (Transition.PRIMARY_SECONDARY.value, Transition.SCHOOL_WORK.value), (10.0, 19.0),
     "weiterführende Schule"),
    (("foerderschule", "foerderzentrum", "foerderschulen"), (A610, A1016),
     (Transition.PRIMARY_SECONDARY.value, Transition.SCHOOL_WORK.value), (6.0, 18.0),
     "Förderschule"),
)


class DirectoryService:
    """The stored service directory: import, export, duplicates."""

    def __init__(self, store: Store, settings: Settings, data: ChainData) -> None:
        self.store = store
        self.settings = settings
        self.data = data

    # -- the stored directory: import and export ---------------------------------------
    def import_services(self, path: Path, *, fmt: str | None = None, kind: str | None = None,
                        synthetic: bool = False, dataset: str | None = None,
                        source: str = "", licence: str = "", level: str | None = None,
                        keep_duplicates: bool = False, max_distance_m: float = 50.0,
                        origin: str | None = None) -> ServiceImport:
        """Validate a directory file completely, then store it in one transaction.

        ``fmt``: ``hsds`` (HSDS 3.0 JSON), ``csv`` (CSV/XLSX, one row per offer) or
        ``points`` (GeoJSON/GeoPackage/Shapefile or a table with coordinates); detected
        from the file when not given.  ``kind`` (``kita``, ``schule``) fills what a point
        list does not say.  Locations get the unit of ``level`` (default: the finest level
        with units) they lie in.  Offers that duplicate an offer of *another* stored
        dataset (same normalised name within ``max_distance_m``) are reported and left out
        unless ``keep_duplicates``.  A dataset of the same name is replaced (new revision).
        ``origin`` is recorded as the dataset's file instead of ``path``.
        """
        fmt = _format_of(path, fmt)
        directory, notes = _read_services(path, fmt, kind, source or path.name)
        n_synth = sum(1 for s in directory.services.values() if s.synthetic)
        if synthetic:
            _mark_synthetic(directory)
            n_synth = len(directory.services)
        name = dataset or f"Angebote: {path.name}"
        if n_synth and SYNTHETIC_DE not in name.upper():
            label = SYNTHETIC_DE if n_synth == len(directory.services) \
                else f"TEILWEISE {SYNTHETIC_DE}"
            name = f"{label}: {name} (erfundene Demo-Daten)"
        if not directory.services:
            report = ValidationReport(path.name)
            report.add("Die Datei enthält keine Angebote", expected="mindestens ein Angebot",
                       fix="die Datei prüfen", message_en="the file holds no services")
            report.raise_if_failed()
        if level is None and not self.store.count_units():
            notes.append("Im Store sind noch keine Gebiete: die Orte bleiben ohne Gebiet")
        else:
            level = level or self.data.default_level()
        assigned, outside, more = self._assign(directory, level)
        notes += more
        dups, internal = self._duplicates(directory, name, max_distance_m)
        if len(internal):
            notes.append(f"{len(internal)} Angebotspaare der Datei sind vermutlich doppelt "
                         "(gleicher Name, höchstens "
                         f"{fmt_number(max_distance_m, 0)} m entfernt); beide bleiben")
        if len(dups) and not keep_duplicates:
            _drop_offers(directory, set(dups["offer_b"]))
            if not directory.services:  # nothing new: refuse rather than store nothing
                report = ValidationReport(path.name)
                sources = ", ".join(sorted({str(v) for v in dups["source_a"].dropna()}))
                report.add(
                    f"Alle {len(dups)} Angebote der Datei stehen schon im Store "
                    f"(Quelle: {sources or 'ein anderer Datensatz'}); es bliebe ein leerer "
                    "Datensatz",
                    expected="mindestens ein Angebot, das noch nicht gespeichert ist",
                    fix=("denselben Datensatznamen wie beim ersten Import nehmen (ersetzt "
                         "ihn als neue Revision) oder --keep-duplicates angeben"),
                    message_en=(f"all {len(dups)} offers of the file are already stored "
                                f"({sources or 'another dataset'}); the dataset would be "
                                "empty"))
                report.raise_if_failed()
            assigned = sum(1 for loc in directory.locations.values() if loc.unit_id)
            outside = sum(1 for loc in directory.locations.values() if not loc.unit_id
                          and loc.latitude is not None and loc.longitude is not None)
        ds = Dataset(name=name, kind="services", file=origin or str(path),
                     sha256=sha256_of(path),
                     licence=licence, source=source, user=actor(self.settings),
                     rows=len(directory.services),
                     details={"format": fmt, "kind": kind, "level": level,
                              "synthetic": n_synth > 0, "synthetic_services": n_synth,
                              "duplicates": len(dups), "kept_duplicates": keep_duplicates,
                              "shape": directory.meta.get("shape", {}).get("type")})
        with self.store.transaction() as tx:
            tx.add_dataset(ds)
            assert ds.id is not None
            replaced = tx.replace_directory(directory, ds.id)
        return ServiceImport(ds, len(directory.services), len(directory.locations),
                             len(directory.organizations), assigned, outside, level,
                             n_synth > 0, replaced, dups, internal, keep_duplicates, notes)

    def service_datasets(self) -> list[ServiceDataset]:
        return self.store.service_datasets()

    def stored_directory(self) -> Directory:
        return self.store.load_directory()

    def export_services(self, out: Path, *, include_unpublished: bool = False,
                        shape: str = "services") -> int:
        """The stored offers as HSDS 3.0 JSON (``.json``) or a table (``.csv``/``.xlsx``);
        the public export holds only published services and no private dataset (#20).
        Returns the services written."""
        store = self.store if include_unpublished else self.store.scoped(ReadScope())
        d = store.load_directory()
        if not include_unpublished:
            for sid in [s.id for s in d.services.values() if not s.published]:
                d.remove_service(sid)
        suffix = out.suffix.lower()
        if suffix == ".json":
            if shape not in ("services", "organizations", "tabular"):
                raise MethodError(f"Unbekannte HSDS-Form '{shape}'. Möglich: services, "
                                  "organizations, tabular.",
                                  message_en=f"Unknown HSDS shape '{shape}'. Possible: "
                                  "services, organizations, tabular.")
            write_hsds(d, out, shape)
            try:
                read_hsds(out)  # the written file must read back as valid HSDS
            except ImportFailed as exc:
                raise MethodError(f"Der HSDS-Export {out} liest sich nicht zurück: "
                                  f"{exc.message}", message_en=f"The HSDS export {out} "
                                  "does not read back.") from exc
            return len(d.services)
        if suffix in (".csv", ".xlsx"):
            frame = d.offers()
            for col in ("life_phases", "transitions", "topics", "target_groups", "terms",
                        "languages"):
                frame[col] = frame[col].map(lambda v: ", ".join(str(x) for x in v))
            write_frame(frame, out, self.data.lang())
            return len(d.services)
        raise MethodError(f"Unbekanntes Format '{out.suffix}'. Möglich: .json (HSDS 3.0), "
                          ".csv, .xlsx.", message_en=f"Unknown format '{out.suffix}'. "
                          "Possible: .json (HSDS 3.0), .csv, .xlsx.")

    def _duplicates(self, directory: Directory, name: str, max_distance_m: float
                          ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(pairs of a stored offer of another dataset and an incoming one, pairs within
        the incoming file); ``offer_b`` is the incoming offer."""
        others = [d.dataset_id for d in self.store.service_datasets()
                  if d.name != name]
        incoming = directory.offers()
        internal = find_duplicates(incoming, max_distance_m)
        if not others:
            return internal.iloc[0:0], internal
        stored = self.store.load_directory(others).offers()
        tagged = incoming.assign(offer_id="neu:" + incoming["offer_id"].astype(str))
        dups = find_duplicates(pd.concat([stored, tagged], ignore_index=True),
                               max_distance_m)
        dups = dups[~dups["offer_a"].str.startswith("neu:") &
                    dups["offer_b"].str.startswith("neu:")]
        dups = dups.assign(offer_b=dups["offer_b"].str.removeprefix("neu:"))
        return dups.reset_index(drop=True), internal

    def _assign(self, d: Directory, level: str | None
                      ) -> tuple[int, int, list[str]]:
        """Resolve given unit keys, then put located places into the level's units."""
        notes: list[str] = []
        index: dict[str, dict[str, str]] = {}
        for lv in self.store.levels():
            for scheme, keys in self.store.key_index(lv.id).items():
                for k, v in keys.items():
                    index.setdefault(scheme, {}).setdefault(k, v)
        names = {} if level is None else {
            slug(str(n)): str(i)
            for i, n in self.store.units_frame(level)[["id", "name"]].itertuples(index=False)}
        unknown: list[str] = []
        for loc in d.locations.values():
            if loc.unit_id:
                hit = match_key(loc.unit_id, index) or names.get(slug(loc.unit_id))
                if hit is None:
                    unknown.append(loc.unit_id)
                loc.unit_id = hit
        if unknown:
            shown = ", ".join(sorted(set(unknown))[:5])
            notes.append(f"{len(unknown)} Gebietsangaben sind im Store unbekannt ({shown}); "
                         "diese Orte werden über ihre Koordinaten zugeordnet")
        todo = [loc for loc in d.locations.values() if not loc.unit_id and
                loc.latitude is not None and loc.longitude is not None]
        outside = 0
        if todo and level is not None:
            outside = self._locate(todo, level)
        if outside:
            notes.append(f"{outside} Orte liegen in keinem Gebiet der Ebene '{level}' (z. B. "
                         "im Umland); sie bleiben gespeichert, zählen aber in keinem Gebiet")
        assigned = sum(1 for loc in d.locations.values() if loc.unit_id)
        return assigned, outside, notes

    def _locate(self, todo: list[Any], level: str) -> int:
        found = points_in_units(np.array([loc.longitude for loc in todo], dtype=float),
                                np.array([loc.latitude for loc in todo], dtype=float),
                                self.data.shapes(level), "id")
        outside = 0
        for loc, unit in zip(todo, found, strict=True):
            loc.unit_id = unit
            outside += unit is None
        return outside


# == helpers ===============================================================================

def _looks_geojson(path: Path) -> bool:
    if not path.is_file():
        return False
    head = path.read_text(encoding="utf-8", errors="replace")[:2000]
    return '"FeatureCollection"' in head or '"Feature"' in head


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt is not None:
        if fmt not in ("hsds", "csv", "points"):
            raise MethodError(f"Unbekanntes Format '{fmt}'. Möglich: hsds, csv, points.",
                              message_en=f"Unknown format '{fmt}'. Possible: hsds, csv, "
                              "points.")
        return fmt
    suffix = path.suffix.lower()
    if suffix in _HSDS_SUFFIXES and not _looks_geojson(path):
        return "hsds"
    return "points" if suffix in _GEO_SUFFIXES or suffix == ".json" else "csv"


def _geo_fields(path: Path) -> list[str]:
    import pyogrio

    try:
        return [str(f) for f in pyogrio.read_info(path)["fields"]]
    except Exception:  # unreadable files are reported by the reader itself
        return []


def _read_services(path: Path, fmt: str, kind: str | None, source: str
                   ) -> tuple[Directory, list[str]]:
    """Read and check a directory file (raises ImportFailed naming every problem)."""
    if kind is not None and kind not in ("kita", "schule"):
        raise MethodError(f"Unbekannte Art '{kind}'. Möglich: kita, schule.",
                          message_en=f"Unknown kind '{kind}'. Possible: kita, schule.")
    if fmt == "hsds":
        if kind is not None:
            raise MethodError("--kind gilt nur für Tabellen und Punktdateien, nicht für HSDS.",
                              message_en="--kind applies to tables and point files only.")
        return read_hsds(path), []
    defaults = {"kita": KITA, "schule": SCHOOL}.get(kind or "", OfferDefaults())
    columns: dict[str, str] = {}
    if path.suffix.lower() in (*_GEO_SUFFIXES, ".json") and "osm_id" in _geo_fields(path):
        columns["id"] = "osm_id"
        label = {"kita": "Kita", "schule": "Schule"}.get(kind or "", "Angebot")
        defaults = OfferDefaults(**{**defaults.__dict__,
                                    "name": f"{label} ohne Namen (OSM {{osm_id}})"})
    opts = DirectoryOptions(source=source, defaults=defaults, columns=columns,
                            require_coordinates=fmt == "points" or kind is not None)
    result = read_directory(path, opts)
    if kind == "schule":
        _classify_schools(result.directory)
    return result.directory, list(result.notes)


def _classify_schools(d: Directory) -> None:
    """Life phases, transitions and ages of schools from the school type in the name."""
    for svc in d.services.values():
        words = set(slug(svc.name).split("-"))
        text = slug(svc.name)
        for keys, phases, trans, (lo, hi), label in _SCHOOL_TYPES:
            if any(k in words or (len(k) > 4 and k in text) for k in keys):
                svc.life_phases, svc.transitions = list(phases), list(trans)
                svc.age_min, svc.age_max = lo, hi
                svc.topics = ["Schule", label]
                break
        else:
            svc.topics = ["Schule", "Schulform unbekannt"]


def _mark_synthetic(d: Directory) -> None:
    for svc in d.services.values():
        svc.synthetic = True
        if not svc.name.startswith(SYNTHETIC_PREFIX):
            svc.name = f"{SYNTHETIC_PREFIX} {svc.name}"
    for org in d.organizations.values():
        if not org.name.startswith(SYNTHETIC_PREFIX):
            org.name = f"{SYNTHETIC_PREFIX} {org.name}"


def _drop_offers(d: Directory, offer_ids: set[str]) -> None:
    """Remove the services of these offers and the places only they used."""
    sals = [x for x in d.service_at_locations.values() if x.id in offer_ids]
    services = {x.service_id for x in sals} | (offer_ids & set(d.services))
    places = {x.location_id for x in sals}
    for sid in services:
        d.remove_service(sid)
    used = {x.location_id for x in d.service_at_locations.values()}
    for lid in places - used:
        d.locations.pop(lid, None)
        d.links.pop(("location", lid), None)
    orgs = {x.organization_id for x in d.services.values()} | \
        {x.organization_id for x in d.locations.values()}
    for oid in set(d.organizations) - orgs:
        d.organizations.pop(oid)
        d.links.pop(("organization", oid), None)


# == demo ==================================================================================


def read_directory_file(path: Path, *, kita: bool = False, source: str = "",
                        lat: str | None = None, lon: str | None = None) -> DirectoryImport:
    """Read and check a directory file: HSDS JSON, CSV/XLSX or a point file."""
    if path.suffix.lower() in _HSDS_SUFFIXES and not _looks_geojson(path):
        return DirectoryImport(read_hsds(path), 0)
    opts = DirectoryOptions(source=source or path.name, defaults=KITA if kita else
                            DirectoryOptions().defaults, lat=lat, lon=lon,
                            require_coordinates=kita)
    return read_directory(path, opts)
