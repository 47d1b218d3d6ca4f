"""Prevention-chain use cases of the facade (issue #5).

Mixed into :class:`kekiz.monitor.Monitor`.  File jobs (check, convert, coverage of a
file) need no store; the stored service directory is imported with
:meth:`PreventionJobs.import_services` (HSDS JSON, CSV/XLSX or point files; validated
completely, duplicates of stored offers reported, one transaction) and exported with
:meth:`PreventionJobs.export_services`.  The analyses work on the stored offers and the
stored units and population: chain matrix, coverage with 2SFCA accessibility, need
against supply, sites for new offers (p-median) and the family finder.
:func:`build_chain_demo` adds the Köln offers to the demo store.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial.distance import cdist

from kekiz.analysis.classify import format_number
from kekiz.domain.errors import ImportFailed, MethodError, NotFound, ValidationReport
from kekiz.domain.model import Dataset, LifePhase
from kekiz.ingest.boundaries import match_key, sha256_of
from kekiz.prevention.chain import TOTAL, ChainMatrix, chain_matrix
from kekiz.prevention.coverage import accessibility, eligible_offers, places_per_child
from kekiz.prevention.directory import (
    KITA,
    DirectoryImport,
    DirectoryOptions,
    OfferDefaults,
    find_duplicates,
    read_directory,
)
from kekiz.prevention.filejob import coverage_file
from kekiz.prevention.finder import FinderHit, find_offers
from kekiz.prevention.gaps import GapResult, Measure, need_supply
from kekiz.prevention.geo import METRIC_CRS, points_in_units, to_metric
from kekiz.prevention.hsds import read_hsds, write_hsds
from kekiz.prevention.model import Directory, Transition, parse_life_phase, slug
from kekiz.prevention.siting import choose_sites, need_weights
from kekiz.prevention.synthetic import PREFIX, synthetic_offers
from kekiz.storage import services as svc_store

if TYPE_CHECKING:
    from kekiz.storage import Store

__all__ = ["ChainResult", "CoverageResult", "GapsResult", "PreventionJobs", "ServiceImport",
           "SitesResult", "build_chain_demo", "write_frame"]

_HSDS_SUFFIXES = (".json",)
_GEO_SUFFIXES = (".geojson", ".gpkg", ".shp", ".zip")
SYNTHETIC_DE = "SYNTHETISCH"
#: Default population indicator (children of the phase's ages) of a life phase.
PHASE_POPULATION = {"0-3": "einwohner_u3", "3-6": "einwohner_3_6", "6-10": "einwohner_6_10"}
#: Stored indicator of need used when present (written by ``kekiz monitor``).
NEED_INDICATOR = "anteil_kinder_u6"
_KIND_WORDS = {
    "kita": ("kita", "kindertagesbetreuung", "kindertagesstaette", "kindergarten",
             "kindertageseinrichtung"),
    "schule": ("schule", "grundschule", "weiterfuehrende-schule", "berufskolleg"),
}
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


def write_frame(frame: pd.DataFrame, out: Path, lang: str = "de") -> None:
    """CSV in German Excel conventions (``;``, decimal comma) or English, or XLSX;
    column names stay as they are."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".kekiz-", suffix=out.suffix, dir=out.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        if out.suffix.lower() == ".xlsx":
            frame.to_excel(tmp, index=False, engine="openpyxl")
        elif lang == "de":
            frame.to_csv(tmp, sep=";", decimal=",", index=False, encoding="utf-8-sig")
        else:
            frame.to_csv(tmp, index=False, encoding="utf-8")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def _clean(obj: Any) -> Any:
    """JSON-ready: NaN -> None, numpy scalars -> Python, tuples -> lists."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [_clean(r) for r in frame.to_dict("records")]


# == results ===============================================================================

@dataclass
class ServiceImport:
    """What :meth:`PreventionJobs.import_services` stored and reported."""

    dataset: Dataset
    services: int
    locations: int
    organizations: int
    assigned: int
    outside: int
    level: str | None
    synthetic: bool
    replaced: int = 0
    duplicates: pd.DataFrame = field(default_factory=pd.DataFrame)
    internal_duplicates: pd.DataFrame = field(default_factory=pd.DataFrame)
    kept_duplicates: bool = False
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        cols = ["name_a", "name_b", "source_a", "source_b", "distance_m", "message_de"]
        return _clean({
            "dataset": {"id": self.dataset.id, "name": self.dataset.name,
                        "revision": self.dataset.revision, "kind": self.dataset.kind},
            "services": self.services, "locations": self.locations,
            "organizations": self.organizations, "assigned": self.assigned,
            "outside": self.outside, "level": self.level, "synthetic": self.synthetic,
            "replaced": self.replaced, "kept_duplicates": self.kept_duplicates,
            "duplicates": _records(self.duplicates.reindex(columns=cols)),
            "internal_duplicates": _records(self.internal_duplicates.reindex(columns=cols)),
            "notes": self.notes})


@dataclass
class CoverageResult:
    """Offers, places and 2SFCA accessibility per unit (see ``PreventionJobs.coverage``).

    ``table``: ``unit_id, name, children, offers, offers_per_1000, capacity,
    without_capacity, places_per_child, accessibility``.  ``meta`` names the level,
    period, population indicator, kind, life phase and the 2SFCA parameters and says in
    words what ``accessibility`` measures (``supply_label_de``).
    """

    table: pd.DataFrame
    meta: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    demand: pd.DataFrame | None = None

    def to_dict(self) -> dict[str, Any]:
        return _clean({"meta": self.meta, "notes": self.notes,
                       "units": _records(self.table)})


@dataclass
class GapsResult:
    """Need against supply per unit: the quadrants and the ranked gap list."""

    result: GapResult
    need: dict[str, Any]
    coverage: CoverageResult
    supply: str
    supply_label_de: str
    supply_label_en: str
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return _clean({"need": self.need, "supply": self.supply,
                       "supply_label_de": self.supply_label_de,
                       "supply_label_en": self.supply_label_en,
                       "coverage": self.coverage.meta, "notes": self.notes,
                       **self.result.to_dict()})


@dataclass
class SitesResult:
    """Suggested sites (p-median weighted by children and need)."""

    sites: pd.DataFrame
    meta: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return _clean({"meta": self.meta, "notes": self.notes,
                       "sites": _records(self.sites)})


@dataclass
class ChainResult:
    """The chain matrix of a unit (or the municipality) with its synthetic share."""

    matrix: ChainMatrix
    synthetic: ChainMatrix
    unit_id: str
    name: str
    level: str
    offers: int
    synthetic_offers: int
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def part(m: ChainMatrix, table: str) -> list[dict[str, Any]]:
            frame = m.phases if table == "phases" else m.transitions
            return _records(frame[frame["unit_id"] == self.unit_id])

        return _clean({"unit_id": self.unit_id, "name": self.name, "level": self.level,
                       "offers": self.offers, "synthetic_offers": self.synthetic_offers,
                       "sectors": self.matrix.sectors,
                       "phases": part(self.matrix, "phases"),
                       "transitions": part(self.matrix, "transitions"),
                       "synthetic_phases": part(self.synthetic, "phases"),
                       "gaps_de": self.matrix.gaps_text(self.unit_id, "de"),
                       "gaps_en": self.matrix.gaps_text(self.unit_id, "en"),
                       "notes": self.notes})


# == the facade ============================================================================

class PreventionJobs:
    """Mixed into :class:`kekiz.monitor.Monitor`."""

    if TYPE_CHECKING:

        @property
        def store(self) -> Store: ...

        def _user(self) -> str: ...

    def _prevention_lang(self) -> str:
        return str(getattr(self, "lang", "de"))

    # -- file jobs (no store) ---------------------------------------------------------
    def chain_coverage(self, offers: Path, units: Path, *, unit_id: str, population: Path,
                       population_id: str, population_column: str,
                       out: Path | None = None, lat: str | None = None,
                       lon: str | None = None, capacity: str | None = None) -> pd.DataFrame:
        """Offers, places and places per child for every unit; written to ``out``."""
        frame = coverage_file(offers, units, unit_id, population, population_id,
                              population_column, lat=lat, lon=lon, capacity=capacity)
        if out is not None:
            notes = frame.attrs.get("notes", [])
            write_frame(frame, out, self._prevention_lang())
            frame.attrs["notes"] = notes
        return frame

    def load_directory(self, path: Path, *, kita: bool = False, source: str = "",
                       lat: str | None = None, lon: str | None = None) -> DirectoryImport:
        """Read and check a directory file: HSDS JSON, CSV/XLSX or a point file."""
        if path.suffix.lower() in _HSDS_SUFFIXES and not _looks_geojson(path):
            return DirectoryImport(read_hsds(path), 0)
        opts = DirectoryOptions(source=source or path.name, defaults=KITA if kita else
                                DirectoryOptions().defaults, lat=lat, lon=lon,
                                require_coordinates=kita)
        return read_directory(path, opts)

    def directory_to_hsds(self, path: Path, out: Path, *, kita: bool = False,
                          source: str = "", only_published: bool = False,
                          shape: str = "services") -> int:
        """Convert a directory file to HSDS 3.0 JSON; returns the number of services."""
        d = self.load_directory(path, kita=kita, source=source).directory
        return write_hsds(d, out, shape, only_published=only_published)

    def synthetic_directory(self, out: Path | None = None, seed: int = 2012) -> Directory:
        """The SYNTHETIC Köln offers; written as HSDS JSON to ``out``."""
        d = synthetic_offers(seed=seed)
        if out is not None:
            write_hsds(d, out, "services")
        return d

    def find_in_directory(self, path: Path, **filters: Any) -> list[FinderHit]:
        """The family finder on a directory file."""
        d = self.load_directory(path).directory
        return find_offers(d.offers(), **filters)

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
            level = level or self._chain_level()
        assigned, outside, more = self._chain_assign(directory, level)
        notes += more
        dups, internal = self._chain_duplicates(directory, name, max_distance_m)
        if len(internal):
            notes.append(f"{len(internal)} Angebotspaare der Datei sind vermutlich doppelt "
                         "(gleicher Name, höchstens "
                         f"{format_number(max_distance_m, 0)} m entfernt); beide bleiben")
        if len(dups) and not keep_duplicates:
            _drop_offers(directory, set(dups["offer_b"]))
            assigned = sum(1 for loc in directory.locations.values() if loc.unit_id)
            outside = sum(1 for loc in directory.locations.values() if not loc.unit_id
                          and loc.latitude is not None and loc.longitude is not None)
        ds = Dataset(name=name, kind="services", file=origin or str(path),
                     sha256=sha256_of(path),
                     licence=licence, source=source, user=self._user(),
                     rows=len(directory.services),
                     details={"format": fmt, "kind": kind, "level": level,
                              "synthetic": n_synth > 0, "synthetic_services": n_synth,
                              "duplicates": len(dups), "kept_duplicates": keep_duplicates,
                              "shape": directory.meta.get("shape", {}).get("type")})
        with self.store.transaction() as tx:
            tx.add_dataset(ds)
            assert ds.id is not None
            replaced = svc_store.replace_directory(tx, directory, ds.id)
        return ServiceImport(ds, len(directory.services), len(directory.locations),
                             len(directory.organizations), assigned, outside, level,
                             n_synth > 0, replaced, dups, internal, keep_duplicates, notes)

    def service_datasets(self) -> list[svc_store.ServiceDataset]:
        return svc_store.service_datasets(self.store)

    def stored_directory(self) -> Directory:
        return svc_store.load_directory(self.store)

    def export_services(self, out: Path, *, include_unpublished: bool = False,
                        shape: str = "services") -> int:
        """The stored offers as HSDS 3.0 JSON (``.json``) or a table (``.csv``/``.xlsx``);
        the public export holds only published services.  Returns the services written."""
        d = svc_store.load_directory(self.store)
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
            write_frame(frame, out, self._prevention_lang())
            return len(d.services)
        raise MethodError(f"Unbekanntes Format '{out.suffix}'. Möglich: .json (HSDS 3.0), "
                          ".csv, .xlsx.", message_en=f"Unknown format '{out.suffix}'. "
                          "Possible: .json (HSDS 3.0), .csv, .xlsx.")

    def _chain_duplicates(self, directory: Directory, name: str, max_distance_m: float
                          ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(pairs of a stored offer of another dataset and an incoming one, pairs within
        the incoming file); ``offer_b`` is the incoming offer."""
        others = [d.dataset_id for d in svc_store.service_datasets(self.store)
                  if d.name != name]
        incoming = directory.offers()
        internal = find_duplicates(incoming, max_distance_m)
        if not others:
            return internal.iloc[0:0], internal
        stored = svc_store.load_directory(self.store, others).offers()
        tagged = incoming.assign(offer_id="neu:" + incoming["offer_id"].astype(str))
        dups = find_duplicates(pd.concat([stored, tagged], ignore_index=True),
                               max_distance_m)
        dups = dups[~dups["offer_a"].str.startswith("neu:") &
                    dups["offer_b"].str.startswith("neu:")]
        dups = dups.assign(offer_b=dups["offer_b"].str.removeprefix("neu:"))
        return dups.reset_index(drop=True), internal

    # -- units -------------------------------------------------------------------------
    def _chain_level(self) -> str:
        counts = self.store.count_units()
        for lv in sorted(self.store.levels(), key=lambda x: -x.rank):
            if counts.get(lv.id):
                return lv.id
        raise MethodError("Im Store sind noch keine Gebiete. Abhilfe: 'kekiz import "
                          "boundaries' (oder 'kekiz demo').",
                          message_en="The store holds no units yet. Fix: 'kekiz import "
                          "boundaries' (or 'kekiz demo').")

    def _chain_shapes(self, level: str) -> gpd.GeoDataFrame:
        self.store.level(level)
        frame = self.store.geometries(level)
        frame = frame[frame["geometry"].notna()]
        if frame.empty:
            raise MethodError(f"Auf der Ebene '{level}' gibt es keine Gebiete mit Grenzen. "
                              "Abhilfe: Grenzen importieren oder eine andere Ebene wählen.",
                              message_en=f"Level '{level}' has no units with boundaries.")
        return gpd.GeoDataFrame(frame[["id", "name", "parent_id"]].reset_index(drop=True),
                                geometry=shapely.from_wkb(frame["geometry"].to_numpy()),
                                crs=4326)

    def _chain_assign(self, d: Directory, level: str | None
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
            outside = self._chain_locate(todo, level)
        if outside:
            notes.append(f"{outside} Orte liegen in keinem Gebiet der Ebene '{level}' (z. B. "
                         "im Umland); sie bleiben gespeichert, zählen aber in keinem Gebiet")
        assigned = sum(1 for loc in d.locations.values() if loc.unit_id)
        return assigned, outside, notes

    def _chain_locate(self, todo: list[Any], level: str) -> int:
        found = points_in_units(np.array([loc.longitude for loc in todo], dtype=float),
                                np.array([loc.latitude for loc in todo], dtype=float),
                                self._chain_shapes(level), "id")
        outside = 0
        for loc, unit in zip(todo, found, strict=True):
            loc.unit_id = unit
            outside += unit is None
        return outside

    def _chain_unit(self, text: str) -> tuple[str, str, str]:
        """(id, name, level) of a unit given by id, key or exact name."""
        try:
            u = self.store.unit(text)
            return u.id, u.name, u.level
        except NotFound:
            pass
        rank = {lv.id: lv.rank for lv in self.store.levels()}
        frame = self.store.units_frame()
        hits = frame[frame["name"].map(lambda n: slug(str(n))) == slug(text)]
        if hits.empty:
            for lv in sorted(rank, key=lambda x: -rank[x]):
                found = match_key(text, self.store.key_index(lv))
                if found:
                    u = self.store.unit(found)
                    return u.id, u.name, u.level
            raise NotFound(f"Gebiet '{text}' nicht gefunden. Bitte Schlüssel oder genauen "
                           "Namen angeben ('kekiz units --level stadtteil' listet sie).",
                           message_en=f"Unit '{text}' not found. Please give its key or "
                           "exact name.")
        best = hits.assign(r=hits["level"].map(rank)).sort_values("r").iloc[-1]
        return str(best["id"]), str(best["name"]), str(best["level"])

    def _chain_offers(self, level: str) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
        """Stored offers with ``unit_id`` of ``level`` (NaN outside) and the level's units.
        """
        offers = svc_store.load_directory(self.store).offers()
        if offers.empty:
            raise MethodError("Im Store sind keine Angebote. Abhilfe: 'kekiz chain import "
                              "DATEI' (oder 'kekiz demo').",
                              message_en="The store holds no offers. Fix: 'kekiz chain "
                              "import FILE' (or 'kekiz demo').")
        shapes = self._chain_shapes(level)
        has = offers["lat"].notna() & offers["lon"].notna()
        units = self.store.units_frame().set_index("id")
        ids = set(shapes["id"])

        def lift(uid: Any) -> Any:
            while isinstance(uid, str) and uid in units.index and uid not in ids:
                uid = units.at[uid, "parent_id"]
            return uid if isinstance(uid, str) and uid in ids else None

        out = offers.copy()
        out["unit_id"] = [lift(u) for u in out["unit_id"]]
        if has.any():
            found = points_in_units(out.loc[has, "lon"], out.loc[has, "lat"], shapes, "id")
            out.loc[has, "unit_id"] = found.to_numpy()
        return out, shapes

    # -- population and need -----------------------------------------------------------
    def _chain_counts(self, indicator_ids: tuple[str, ...], level: str, period: str | None
                ) -> tuple[pd.Series, str]:
        """Sum of count indicators per unit in one period (latest common one by default)."""
        frames = [self.store.observations(indicator_id=i, level=level) for i in indicator_ids]
        for ind, f in zip(indicator_ids, frames, strict=True):
            if f.empty:
                self.store.indicator(ind)
                raise MethodError(f"Keine Werte von '{ind}' auf der Ebene '{level}'.",
                                  message_en=f"No values of '{ind}' on level '{level}'.")
        common = set.intersection(*(set(f["period"]) for f in frames))
        if period is None:
            if not common:
                raise MethodError("Die Bevölkerungsangaben haben keinen gemeinsamen Zeitraum.",
                                  message_en="The population counts share no period.")
            period = max(common)
        elif period not in common:
            raise MethodError(f"Zeitraum {period} fehlt; vorhanden: "
                              f"{', '.join(sorted(common))}.",
                              message_en=f"Period {period} missing; present: "
                              f"{', '.join(sorted(common))}.")
        total = None
        for f in frames:
            part = f[f["period"] == period].set_index("unit_id")["value"]
            total = part if total is None else total.add(part)
        assert total is not None
        return total.astype("float64"), period

    def _chain_need(self, level: str, need_indicator: str | None, period: str | None
              ) -> tuple[pd.Series, dict[str, Any]]:
        """The need measure per unit and its description (which indicator, how made)."""
        ind_id = need_indicator or NEED_INDICATOR
        stored = self.store.observations(indicator_id=ind_id, level=level)
        stored = stored[~stored["status"].isin(["missing", "suppressed"]) &
                        stored["value"].notna()]
        if not stored.empty:
            ind = self.store.indicator(ind_id)
            per = period if period in set(stored["period"]) else max(stored["period"])
            values = stored[stored["period"] == per].set_index("unit_id")["value"]
            how = f" = {ind.definition_de}" if ind.definition_de else ""
            how_en = f" = {ind.definition_en}" if ind.definition_en else how
            if ind_id == NEED_INDICATOR:
                how += (" (aus dem Monitoring); ein Sozialindex je Gebiet liegt nicht vor, der "
                        "Kinderanteil steht für den Bedarf an Angeboten für kleine Kinder")
                how_en += (" (from the monitoring); there is no social index per unit, the "
                           "share of children stands for the need of offers for young "
                           "children")
            return values, {"indicator": ind_id, "name_de": ind.name_de,
                            "name_en": ind.name_en, "unit": ind.unit, "period": per,
                            "how_de": f"gespeicherter Indikator '{ind_id}'{how}",
                            "how_en": f"stored indicator '{ind_id}'{how_en}"}
        if need_indicator is not None and need_indicator != NEED_INDICATOR:
            self.store.indicator(need_indicator)
            raise MethodError(f"Keine Werte von '{need_indicator}' auf der Ebene '{level}'.",
                              message_en=f"No values of '{need_indicator}' on level "
                              f"'{level}'.")
        kids, per = self._chain_counts(("einwohner_u3", "einwohner_3_6"), level, period)
        pop, _ = self._chain_counts(("einwohner",), level, per)
        share = (kids / pop.where(pop > 0) * 100.0).dropna()
        return share, {
            "indicator": NEED_INDICATOR, "unit": "%", "period": per,
            "name_de": "Anteil der Kinder unter 6 Jahren an der Bevölkerung",
            "name_en": "Share of children under 6 in the population",
            "how_de": "berechnet aus den gespeicherten Zählwerten (einwohner_u3 + "
                      "einwohner_3_6) / einwohner × 100; ein Sozialindex je Gebiet liegt "
                      "nicht vor, der Kinderanteil steht für den Bedarf an Angeboten für "
                      "kleine Kinder",
            "how_en": "computed from the stored counts (einwohner_u3 + einwohner_3_6) / "
                      "einwohner × 100; there is no social index per unit, the share of "
                      "children stands for the need of offers for young children"}

    # -- analyses on the stored offers -------------------------------------------------
    def chain_matrix(self, unit: str | None = None, level: str | None = None) -> ChainResult:
        """The chain matrix (life phase × sector, transition × sector) of one unit, given
        by key or name, or of the whole municipality (all units of ``level``)."""
        if unit is not None:
            uid, name, level = self._chain_unit(unit)
        else:
            level = level or self._chain_level()
            uid, name = TOTAL, ""
        offers, shapes = self._chain_offers(level)
        inside = offers[offers["unit_id"].notna()]
        notes = []
        if len(inside) < len(offers):
            notes.append(f"{len(offers) - len(inside)} Angebote liegen außerhalb der Gebiete "
                         f"der Ebene '{level}' oder haben keinen Ort; sie zählen nicht")
        names = dict(zip(shapes["id"], shapes["name"], strict=True))
        units = [uid] if uid != TOTAL else []
        m = chain_matrix(inside, units=units, names=names)
        synth = chain_matrix(inside[inside["synthetic"].astype(bool)], units=units,
                             sectors=m.sectors, names=names)
        mine = inside if uid == TOTAL else inside[inside["unit_id"] == uid]
        n_synth = int(mine["synthetic"].astype(bool).sum())
        if n_synth:
            notes.append(f"{n_synth} von {len(mine)} Angeboten sind SYNTHETISCH (erfundene "
                         "Demo-Daten, Name beginnt mit '[synthetisch]')")
        return ChainResult(m, synth, uid, name or "Kommune (alle Gebiete der Ebene "
                           f"'{level}')", level, len(mine), n_synth, notes)

    def coverage(self, level: str | None = None, life_phase: str = "3-6",
                 population_indicator: str | None = None, period: str | None = None, *,
                 kind: str | None = "kita", radius: float = 1500.0, decay: str = "none",
                 demand: str = "grid", cell: float = 250.0,
                 only_published: bool = False) -> CoverageResult:
        """Offers per 1,000 children, places per child and 2SFCA accessibility per unit.

        Offers: active offers for ``life_phase`` (of ``kind``, e.g. ``kita``) inside the
        units of ``level``.  Children: ``population_indicator`` (default by life phase,
        e.g. ``einwohner_3_6``) in ``period`` (default the latest).  Accessibility: 2SFCA
        within ``radius`` metres (straight line); demand points are a ``cell``-metre grid
        inside the units with each unit's children spread evenly over its points
        (``demand='grid'``), or one inner point per unit (``demand='units'``).  Without
        places every offer counts 1 and accessibility is offers per 1,000 children in
        reach; with places it is places per child in reach.
        """
        level = level or self._chain_level()
        phase = parse_life_phase(life_phase)
        if phase is None:
            raise MethodError(f"Unbekannte Lebensphase '{life_phase}'.",
                              message_en=f"Unknown life phase '{life_phase}'.")
        pop_id = population_indicator or PHASE_POPULATION.get(phase.value)
        if pop_id is None:
            raise MethodError(f"Für die Lebensphase '{phase.value}' bitte den "
                              "Bevölkerungsindikator angeben.",
                              message_en=f"Please name the population indicator for life "
                              f"phase '{phase.value}'.")
        children, period = self._chain_counts((pop_id,), level, period)
        offers, shapes = self._chain_offers(level)
        sel = eligible_offers(offers, life_phase=phase.value, only_published=only_published)
        if kind:
            sel = sel[_kind_mask(sel, kind)]
        notes: list[str] = []
        outside = int(sel["unit_id"].isna().sum())
        if outside:
            notes.append(f"{outside} passende Angebote liegen außerhalb der Gebiete und "
                         "zählen nicht")
        sel = sel[sel["unit_id"].notna()]
        if sel.empty:
            raise MethodError(f"Keine passenden Angebote ({kind or 'alle'}, Lebensphase "
                              f"{phase.value}) in den Gebieten der Ebene '{level}'.",
                              message_en=f"No matching offers ({kind or 'all'}, life phase "
                              f"{phase.value}) in the units of level '{level}'.")
        children = children.reindex(shapes["id"])
        table = places_per_child(sel, children.dropna())
        table = shapes[["id", "name"]].rename(columns={"id": "unit_id"}).merge(
            table, on="unit_id", how="left")
        table["offers"] = table["offers"].fillna(0).astype(int)
        known = sel["capacity"].notna()
        use_places = bool(known.any())
        if not use_places:
            table["capacity"] = np.nan
            table["places_per_child"] = np.nan
            notes.append("Platzzahlen fehlen in den Daten: jedes Angebot zählt als 1; "
                         "Plätze je Kind sind unbekannt")
        elif not known.all():
            notes.append(f"{int((~known).sum())} Angebote ohne Platzzahl zählen in der "
                         "Erreichbarkeit mit 0 Plätzen")
        points = _demand_points(shapes, children.fillna(0.0), demand, cell)
        dem, _sup = accessibility(sel, points, radius=radius, decay=decay,
                                  capacity="capacity" if use_places else None)
        factor = 1.0 if use_places else 1000.0
        dem["w_acc"] = dem["accessibility"] * dem["weight"] * factor
        sums = dem.groupby("unit_id")[["w_acc", "weight"]].sum()
        acc = sums["w_acc"] / sums["weight"].where(sums["weight"] > 0)
        table["accessibility"] = table["unit_id"].map(acc)
        what = "Plätze je Kind" if use_places else f"{_kind_label(kind)} je 1.000 Kinder"
        what_en = "places per child" if use_places else \
            f"{_kind_label(kind, 'en')} per 1,000 children"
        km = format_number(radius / 1000.0, 1)
        meta = {
            "level": level, "period": period, "population_indicator": pop_id,
            "life_phase": phase.value, "kind": kind, "offers": len(sel),
            "children": float(children.sum()), "radius_m": radius, "decay": decay,
            "method": "2SFCA" if decay == "none" else "E2SFCA", "demand": demand,
            "cell_m": cell if demand == "grid" else None, "demand_points": len(points),
            "places_known": use_places,
            "supply_label_de": f"Erreichbarkeit (2SFCA, {what} im Umkreis von {km} km)",
            "supply_label_en": f"accessibility (2SFCA, {what_en} within "
                               f"{format_number(radius / 1000.0, 1, 'en')} km)",
            "demand_de": (f"Nachfragepunkte: Raster von {format_number(cell, 0)} m in den "
                          "Gebieten; die Kinder eines Gebiets sind gleichmäßig auf seine "
                          "Rasterpunkte verteilt (feinere Bevölkerungsdaten gibt es nicht)")
            if demand == "grid" else "Nachfragepunkte: ein innerer Punkt je Gebiet, "
                                     "gewichtet mit seinen Kindern",
        }
        total = float(children.sum())
        meta["offers_per_1000_total"] = len(sel) / total * 1000.0 if total else None
        cols = ["unit_id", "name", "children", "offers", "offers_per_1000", "capacity",
                "without_capacity", "places_per_child", "accessibility"]
        return CoverageResult(table.reindex(columns=cols), meta, notes, dem)

    def gaps(self, need_indicator: str | None = None, level: str | None = None, *,
             supply: str = "accessibility", **coverage: Any) -> GapsResult:
        """Need against supply per unit: quadrants and a ranked list with reasons.

        Need: the stored indicator ``need_indicator``; by default the stored
        ``anteil_kinder_u6`` or, when it is not stored, the share of children under 6
        computed from the stored counts.  Supply: the 2SFCA ``accessibility`` or
        ``offers_per_1000`` of :meth:`coverage` (same keyword arguments).
        """
        cov = self.coverage(level, **coverage)
        need, info = self._chain_need(cov.meta["level"], need_indicator, cov.meta["period"])
        if supply not in ("accessibility", "offers_per_1000", "places_per_child"):
            raise MethodError(f"Unbekanntes Angebotsmaß '{supply}'. Möglich: accessibility, "
                              "offers_per_1000, places_per_child.",
                              message_en=f"Unknown supply measure '{supply}'.")
        frame = cov.table.assign(need=cov.table["unit_id"].map(need))
        labels = {"accessibility": (cov.meta["supply_label_de"], cov.meta["supply_label_en"]),
                  "offers_per_1000": (f"{_kind_label(cov.meta['kind'])} je 1.000 Kinder",
                                      f"{_kind_label(cov.meta['kind'], 'en')} per 1,000 "
                                      "children"),
                  "places_per_child": ("Plätze je Kind", "places per child")}[supply]
        result = need_supply(frame, need="need", supply=supply, name="name",
                             need_measure=Measure(info["name_de"], info["name_en"],
                                                  info.get("unit", ""), 1),
                             supply_measure=Measure(labels[0], labels[1], "",
                                                    2 if supply == "places_per_child"
                                                    else 1))
        notes = [f"Bedarf: {info['name_de']} ({info['period']}), {info['how_de']}",
                 f"Angebot: {labels[0]}; Kinder {cov.meta['population_indicator']} "
                 f"{cov.meta['period']}", *cov.notes]
        return GapsResult(result, info, cov, supply, labels[0], labels[1], notes)

    def suggest_sites(self, k: int = 3, kind: str = "Familienzentrum",
                      candidates: str = "unit centroids", level: str | None = None, *,
                      need_indicator: str | None = None, strength: float = 1.0,
                      period: str | None = None, method: str = "auto") -> SitesResult:
        """``k`` new sites for offers of ``kind`` (p-median, exact with HiGHS).

        Demand: children under 6 (``einwohner_u3`` + ``einwohner_3_6``) per unit at the
        unit's inner point, weighted by need (see :meth:`gaps`; the neediest unit counts
        ``1 + strength`` times its children).  Candidates: the inner point of every unit
        (``unit centroids``).  Existing offers of ``kind`` stay open.
        """
        if candidates not in ("unit centroids", "units", "centroids"):
            raise MethodError(f"Unbekannte Kandidaten '{candidates}'. Möglich: 'unit "
                              "centroids' (innerer Punkt jedes Gebiets).",
                              message_en=f"Unknown candidates '{candidates}'. Possible: "
                              "'unit centroids'.")
        level = level or self._chain_level()
        kids, per = self._chain_counts(("einwohner_u3", "einwohner_3_6"), level, period)
        need, info = self._chain_need(level, need_indicator, per)
        offers, shapes = self._chain_offers(level)
        existing = offers[_kind_mask(offers, kind) & offers["unit_id"].notna() &
                          offers["lat"].notna() & offers["lon"].notna() &
                          (offers["status"].fillna("active") == "active")]
        pts = shapes.geometry.representative_point()
        base = pd.DataFrame({"id": shapes["id"], "name": shapes["name"],
                             "lat": pts.y.to_numpy(float), "lon": pts.x.to_numpy(float)})
        base["children"] = base["id"].map(kids).fillna(0.0)
        base["need"] = base["id"].map(need)
        base["weight"] = need_weights(base["children"].to_numpy(float), base["need"].fillna(
            base["need"].min()).to_numpy(float), strength)
        res = choose_sites(base, base[["id", "lat", "lon"]], k, existing=existing,
                           method=method)
        xy_d = to_metric(base["lon"], base["lat"], METRIC_CRS)
        xy_e = to_metric(existing["lon"], existing["lat"], METRIC_CRS)
        chosen = base.set_index("id").loc[res.ids].reset_index()
        xy_c = to_metric(chosen["lon"], chosen["lat"], METRIC_CRS)
        d_old = cdist(xy_d, xy_e).min(axis=1) if len(existing) else np.full(len(base), np.inf)
        d_new = cdist(xy_d, xy_c)
        nearest_new = np.minimum(d_old, d_new.min(axis=1))
        kids_arr = base["children"].to_numpy(float)
        rows = []
        for j, r in enumerate(chosen.to_dict("records")):
            served = (d_new[:, j] < d_old) & (d_new[:, j] <= d_new.min(axis=1))
            i = int(np.flatnonzero(base["id"].to_numpy() == r["id"])[0])
            rows.append({"rank": 0, "unit_id": r["id"], "name": r["name"],
                         "lat": r["lat"], "lon": r["lon"], "children": r["children"],
                         "need": r["need"], "distance_before_m": float(d_old[i]),
                         "children_served": float(kids_arr[served].sum()),
                         "units_served": int(served.sum())})
        sites = pd.DataFrame(rows).sort_values(["children_served", "children"],
                                               ascending=False, kind="mergesort")
        sites["rank"] = np.arange(1, len(sites) + 1)
        sites = sites.reset_index(drop=True)
        sites["reason_de"] = [_site_reason({str(k): v for k, v in r.items()}, info, kind)
                              for r in sites.to_dict("records")]
        before = float((kids_arr * d_old).sum() / kids_arr.sum()) if len(existing) else None
        after = float((kids_arr * nearest_new).sum() / kids_arr.sum())
        n_synth = int(existing["synthetic"].astype(bool).sum())
        notes = [f"Bedarf: {info['name_de']} ({info['period']}), {info['how_de']}",
                 f"Nachfrage: Kinder unter 6 Jahren ({per}) am inneren Punkt jedes Gebiets, "
                 f"gewichtet mit dem Bedarf (Stärke {format_number(strength, 1)})",
                 f"Bestand: {len(existing)} Angebote '{kind}' bleiben geöffnet"]
        if n_synth:
            notes.append(f"{n_synth} der {len(existing)} vorhandenen Angebote '{kind}' sind "
                         "SYNTHETISCH (erfundene Demo-Daten): die Vorschläge zeigen das "
                         "Verfahren, keine echten Lücken")
        meta = {"k": k, "kind": kind, "level": level, "period": per,
                "candidates": "innerer Punkt jedes Gebiets", "existing": len(existing),
                "existing_synthetic": n_synth, "method": res.method, "optimal": res.optimal,
                "objective": res.objective, "need": info,
                "mean_distance_before_m": before, "mean_distance_after_m": after}
        return SitesResult(sites, meta, notes)

    def find(self, *, age: float | None = None, life_phase: str | None = None,
             topic: str | None = None, district: str | None = None,
             near: str | tuple[float, float] | None = None, radius_m: float | None = None,
             language: str | None = None, free_only: bool = False,
             limit: int = 10) -> list[FinderHit]:
        """Familienwegweiser on the stored offers: only published, active offers.

        ``district`` and ``near`` may name a unit (key or name); ``near`` may also be
        ``(lat, lon)`` or ``"lat,lon"``.
        """
        point = _point(near) if near is not None else None
        ids: str | None = None
        if district is not None:
            uid, _name, lv = self._chain_unit(district)
            offers, _ = self._chain_offers(lv)
            ids = uid
        else:
            offers = svc_store.load_directory(self.store).offers()
        if near is not None and point is None:
            uid, _name, lv = self._chain_unit(str(near))
            shapes = self._chain_shapes(lv)
            geom = shapes.loc[shapes["id"] == uid, "geometry"].iloc[0]
            inner = geom.representative_point()
            point = (float(inner.y), float(inner.x))
        return find_offers(offers, age=age, life_phase=life_phase, topic=topic, district=ids,
                           near=point, radius_m=radius_m, language=language,
                           free_only=free_only, limit=limit)


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
        if not svc.name.startswith(PREFIX):
            svc.name = f"{PREFIX} {svc.name}"
    for org in d.organizations.values():
        if not org.name.startswith(PREFIX):
            org.name = f"{PREFIX} {org.name}"


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


def _kind_mask(offers: pd.DataFrame, kind: str) -> pd.Series:
    """Offers of a kind: a topic, term or target group names it, or the name holds it."""
    key = slug(kind)
    words = _KIND_WORDS.get(key, (key,))
    labels = [[*a, *b, *c] for a, b, c in
              zip(offers["topics"], offers["terms"], offers["target_groups"], strict=True)]
    hits = [any(slug(str(x)) in words for x in ls) or any(w in slug(str(n)) for w in words)
            for ls, n in zip(labels, offers["name"], strict=True)]
    return pd.Series(hits, index=offers.index, dtype=bool)


def _kind_label(kind: str | None, lang: str = "de") -> str:
    if not kind:
        return "Angebote" if lang == "de" else "offers"
    labels = {"kita": ("Kitas", "day-care centres"), "schule": ("Schulen", "schools")}
    pair = labels.get(slug(kind))
    return kind if pair is None else pair[0 if lang == "de" else 1]


def _demand_points(shapes: gpd.GeoDataFrame, children: pd.Series, how: str,
                   cell: float) -> pd.DataFrame:
    """Demand points ``unit_id, lat, lon, weight`` (see ``PreventionJobs.coverage``)."""
    inner = shapes.geometry.representative_point()
    units = pd.DataFrame({"unit_id": shapes["id"].to_numpy(), "lat": inner.y.to_numpy(float),
                          "lon": inner.x.to_numpy(float)})
    kids = shapes["id"].map(children).fillna(0.0).to_numpy(float)
    if how == "units":
        return units.assign(weight=kids)
    if how != "grid" or not cell > 0:
        raise MethodError(f"Unbekannte Nachfragepunkte '{how}' (grid oder units).",
                          message_en=f"Unknown demand points '{how}' (grid or units).")
    metric = shapes.to_crs(METRIC_CRS)
    x0, y0, x1, y1 = metric.total_bounds
    xs = np.arange(np.floor(x0 / cell) * cell + cell / 2, x1, cell)
    ys = np.arange(np.floor(y0 / cell) * cell + cell / 2, y1, cell)
    gx, gy = np.meshgrid(xs, ys)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(gx.ravel(), gy.ravel()),
                           crs=METRIC_CRS)
    joined = gpd.sjoin(pts, metric[["id", "geometry"]], predicate="within", how="inner")
    joined = joined[~joined.index.duplicated()]
    wgs = joined.to_crs(4326)
    grid = pd.DataFrame({"unit_id": joined["id"].to_numpy(), "lat": wgs.geometry.y.to_numpy(),
                         "lon": wgs.geometry.x.to_numpy()})
    missing = units[~units["unit_id"].isin(set(grid["unit_id"]))]
    grid = pd.concat([grid, missing], ignore_index=True)
    per_unit = grid.groupby("unit_id")["unit_id"].transform("size").to_numpy(float)
    weight = grid["unit_id"].map(dict(zip(shapes["id"], kids, strict=True))).to_numpy(float)
    return grid.assign(weight=weight / per_unit)


def _point(near: str | tuple[float, float]) -> tuple[float, float] | None:
    if isinstance(near, tuple):
        return float(near[0]), float(near[1])
    a, sep, b = near.partition(",")
    if not sep:
        return None
    try:
        return float(a), float(b)
    except ValueError:
        return None


def _site_reason(r: dict[str, Any], need: dict[str, Any], kind: str) -> str:
    before = r["distance_before_m"]
    dist = (f"das nächste Angebot '{kind}' ist bisher {format_number(before / 1000, 1)} km "
            "entfernt (Luftlinie)") if np.isfinite(before) else \
        f"bisher gibt es kein Angebot '{kind}'"
    unit = need.get("unit", "")
    value = "–" if pd.isna(r["need"]) else f"{format_number(float(r['need']), 1)} {unit}"
    return (f"{r['name']}: {format_number(r['children'], 0)} Kinder unter 6 Jahren, "
            f"{need['name_de']} {value.strip()}; {dist}. Ein neuer Standort am inneren Punkt "
            f"des Gebiets wäre für {format_number(r['children_served'], 0)} Kinder unter 6 "
            f"in {r['units_served']} Gebiet(en) das nächste Angebot.")


# == demo ==================================================================================

def build_chain_demo(monitor: PreventionJobs) -> dict[str, Any]:
    """Add the Köln offers to the demo store: the real OSM Kitas and schools (as points,
    through :meth:`PreventionJobs.import_services`) and the SYNTHETIC other offers of the
    chain (invented, labelled in name, flag and dataset name)."""
    from kekiz.demo import demo_dir

    base = demo_dir() / "koeln"
    osm = ("OpenStreetMap-Mitwirkende (Knoten mit amenity-Tag im Rechteck um Köln, ca. "
           "2017, über KoelnAPI)")
    done = [
        monitor.import_services(base / "osm_kitas.geojson", fmt="points", kind="kita",
                                dataset="OSM Kitas Köln (ca. 2017)", source=osm,
                                licence="ODbL 1.0", level="stadtteil"),
        monitor.import_services(base / "osm_schulen.geojson", fmt="points", kind="schule",
                                dataset="OSM Schulen Köln (ca. 2017)", source=osm,
                                licence="ODbL 1.0", level="stadtteil"),
    ]
    with tempfile.TemporaryDirectory(prefix="kekiz-demo-") as tmp:
        path = Path(tmp) / "SYNTHETISCH_koeln_angebote.hsds.json"
        write_hsds(synthetic_offers(), path, "services")
        done.append(monitor.import_services(
            path, fmt="hsds", synthetic=True, level="stadtteil",
            origin="kekiz.prevention.synthetic.synthetic_offers(seed=2012)",
            dataset=f"{SYNTHETIC_DE}: Angebote der Präventionskette Köln (erfundene "
                    "Demo-Daten)",
            source="kekiz: synthetische Beispielangebote (keine echten Angebote)"))
    extra = [f"{r.dataset.name}: {r.services} Angebote, {r.assigned} Orte in Stadtteilen"
             + (f", {r.outside} außerhalb" if r.outside else "") for r in done]
    return {"imports": [r.to_dict() for r in done], "extra": extra}


