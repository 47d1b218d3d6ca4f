"""Individual records -> district indicators under disclosure control (issue #4).

:class:`RecordService` offers:

``import_records``
    streams a record file (CSV, XLSX, Parquet) through the declared schema, assigns
    every record to a unit (coordinates, district code or street directory), counts
    numerators and denominators per unit, period and indicator, protects every table
    (:mod:`kekiz.records.disclosure`) and stores the protected indicators on every level
    of the hierarchy in one transaction.  Individual records are never stored; the
    dataset records the file's hash, the record counts and the unmatched rate.
``generate_records``
    writes a synthetic school-entrance file for the areas in the store
    (:mod:`kekiz.records.synthetic`).
``audit_published``
    re-runs the attacker's LP audit on every published record table exactly as stored.

"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from kekiz.domain.errors import ConfigurationError, ImportFailed, ValidationReport
from kekiz.domain.missing import DEFAULT_MISSING, MissingMarkers
from kekiz.domain.model import Aggregation, Dataset, Indicator, Polarity
from kekiz.ingest.boundaries import sha256_of
from kekiz.ingest.records import read_records
from kekiz.ingest.streets import StreetDirectory, read_street_directory
from kekiz.records.aggregate import Hierarchy
from kekiz.records.assign import CodeIndex, PolygonIndex, polygons_in_crs
from kekiz.records.bmi import read_lms_reference
from kekiz.records.disclosure import (
    PrivacyRules,
    Violation,
    audit_against_truth,
    audit_published,
    observations_of,
    protect_counts,
)
from kekiz.records.scan import ScanResult, scan_records
from kekiz.records.schema import RecordSchema, load_schema
from kekiz.records.synthetic import PREFIX, Area, GeneratorInfo, generate_records, write_records
from kekiz.services.base import Progress, actor, no_progress
from kekiz.settings import Settings
from kekiz.storage.protocol import Store

__all__ = ["GeneratedRecords", "RecordAudit", "RecordImport", "RecordService", "parse_years"]

KIND = "records"
METHOD = "records"
SYNTHETIC_SUFFIX = "_synth"




def parse_years(text: str | Sequence[int] | None) -> list[int] | None:
    """``"2010-2012"``, ``"2010,2012"`` or a list -> sorted years; ``None`` stays."""
    if text is None:
        return None
    if not isinstance(text, str):
        return sorted(int(y) for y in text)
    years: set[int] = set()
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        try:
            if "-" in part:
                a, b = part.split("-", 1)
                lo, hi = int(a), int(b)
                if hi < lo or hi - lo > 100:
                    raise ValueError(part)
                years.update(range(lo, hi + 1))
            else:
                years.add(int(part))
        except ValueError:
            raise ConfigurationError(
                f"--years '{text}' ist ungültig. Erwartet: ein Jahr, eine Spanne oder eine "
                "Liste, z. B. 2010-2012 oder 2010,2012.",
                message_en=f"--years '{text}' is invalid. Expected a year, a range or a "
                "list, e.g. 2010-2012 or 2010,2012.", status=422) from None
    return sorted(years)


@dataclass
class RecordImport:
    """What an import of records did."""

    dataset: Dataset
    observations: int
    tables: int
    suppressed: int
    stats: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    replaced: int = 0
    synthetic: bool = False
    indicators: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)


@dataclass
class GeneratedRecords:
    path: Path
    records: int
    info: GeneratorInfo
    notes: list[str] = field(default_factory=list)


@dataclass
class RecordAudit:
    """The audit of every published record table."""

    tables: int
    violations: list[Violation]
    datasets: list[dict[str, Any]]
    with_records: bool = False

    @property
    def passed(self) -> bool:
        return not self.violations

    def to_dict(self) -> dict[str, Any]:
        return {"tables": self.tables, "passed": self.passed,
                "with_records": self.with_records, "datasets": self.datasets,
                "violations": [v.__dict__ for v in self.violations]}


@dataclass
class _Units:
    level: str
    frame: pd.DataFrame
    leaves: list[str]
    positions: dict[str, int]


class RecordService:
    """Individual records in, protected district indicators out; synthetic records; audit."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    # -- import ---------------------------------------------------------------------
    def import_records(self, path: Path, *, schema: RecordSchema | Path | None = None,
                       level: str = "stadtteil", years: str | Sequence[int] | None = None,
                       dataset: str | None = None, streets: Path | None = None,
                       licence: str = "", source: str = "", method: str = "heuristic",
                       extra_details: dict[str, Any] | None = None,
                       missing: MissingMarkers | None = DEFAULT_MISSING,
                       progress: Progress = no_progress) -> RecordImport:
        """Import individual records as protected indicators (see the module docs)."""
        sch = schema if isinstance(schema, RecordSchema) else load_schema(schema)
        if method not in ("heuristic", "optimal", "auto"):
            raise ConfigurationError(
                f"Unbekanntes Verfahren '{method}' für die Sekundärsperrung. Erlaubt: "
                "heuristic, optimal, auto.", message_en=f"unknown method '{method}' for the "
                "secondary suppression. Allowed: heuristic, optimal, auto.", status=422)
        year_list = parse_years(years)
        units = self._units(level)
        progress("Vorbereiten", 0, 1)
        scan = self._scan(path, sch, units, year_list, streets, progress, missing=missing)
        synthetic = _synthetic(path, scan)
        used = [units.leaves[k] for k in scan.counts.used_leaves()]
        hierarchy = Hierarchy.from_units(units.frame, level, used)
        # the stricter of the schema's and the installation's minimum frequency applies
        min_frequency = max(sch.min_frequency, int(getattr(self.settings, "min_frequency", 3)))
        rules = PrivacyRules(min_frequency, sch.min_denominator, sch.reliable_denominator,
                             method=method, relations=sch.relations)
        protected, summary = protect_counts(
            scan.counts, hierarchy, units.positions, rules,
            progress=lambda d, t: progress("Geheimhaltung", d, t))
        ids = {f: _indicator_id(sch, f, synthetic) for f in scan.counts.indicators}
        name = dataset or _dataset_name(sch, path, level, scan.counts.periods, synthetic)
        extra = {"synthetic": synthetic}
        obs = observations_of(protected, ids, rules, extra_params=extra, method=METHOD)
        indicators = [_indicator(sch, src.finding.id, ids[src.finding.id], synthetic,
                                 rules, source, licence) for src in scan.plan.findings]
        stats = scan.stats.to_dict()
        stats["duplicates"] = scan.duplicates
        stats["unmatched_by_reason"] = scan.issues.by_key("unmatched")
        stats["invalid_by_reason"] = scan.issues.by_key("invalid")
        details = {
            "level": level, "root": hierarchy.root, "levels": list(hierarchy.columns),
            "periods": list(scan.counts.periods), "period_kind": sch.period,
            "indicators": [ids[f] for f in scan.counts.indicators],
            "format": scan.format, "schema": {"name": sch.name, "source": sch.source,
                                              "fingerprint": sch.fingerprint()},
            "records": stats, "privacy": {**rules.to_dict(), **summary.to_dict()},
            "synthetic": synthetic, **(extra_details or {}),
        }
        ds = Dataset(name=name, kind=KIND, file=str(path), sha256=scan.sha256,
                     licence=licence, source=source, user=actor(self.settings), rows=len(obs),
                     details=details)
        replaced = 0
        with self.store.transaction() as tx:
            tx.add_dataset(ds)
            assert ds.id is not None
            replaced = tx.delete_observations_of(tx.previous_revisions(ds.name, ds.id))
            replaced += tx.delete_observations(list(ids.values()), scan.counts.periods)
            tx.upsert_indicators(indicators)
            total = len(obs)
            tx.upsert_observations(obs.assign(dataset_id=ds.id),
                                   progress=lambda n: progress("Speichern", n, total))
        notes = list(scan.notes)
        if synthetic:
            notes.insert(0, "SYNTHETISCHE Daten: keine echten Kinder; Indikatoren mit Endung "
                         f"'{SYNTHETIC_SUFFIX}'")
        return RecordImport(ds, len(obs), summary.tables, int((obs["status"] == "suppressed")
                                                              .sum()), stats, notes, replaced,
                            synthetic, [ids[f] for f in scan.counts.indicators],
                            list(scan.counts.periods))

    def _units(self, level: str) -> _Units:
        store = self.store
        store.level(level)
        frame = store.units_frame()
        leaves = sorted(frame.loc[frame["level"] == level, "id"].astype(str))
        if not leaves:
            raise ConfigurationError(
                f"Keine Gebiete der Ebene '{level}' im Store. Abhilfe: zuerst die Grenzen "
                "importieren (kekiz import boundaries) oder die Demo bauen (kekiz demo).",
                message_en=f"No units of level '{level}' in the store. Fix: import the "
                "boundaries first or build the demo.", status=422)
        return _Units(level, frame, leaves, {u: k for k, u in enumerate(leaves)})

    def _scan(self, path: Path, sch: RecordSchema, units: _Units,
              years: list[int] | None, streets: Path | None, progress: Progress,
              enforce: bool = True,
              missing: MissingMarkers | None = DEFAULT_MISSING) -> ScanResult:
        store = self.store
        codes = CodeIndex(units.leaves, store.key_index(units.level))
        try:
            CRS.from_user_input(sch.crs)
        except CRSError:
            raise ConfigurationError(
                f"{sch.source}: Koordinatensystem '{sch.crs}' unbekannt. Erwartet: ein "
                "EPSG-Code wie EPSG:25832. Abhilfe: [coordinates] crs im Schema korrigieren.",
                message_en=f"{sch.source}: unknown coordinate system '{sch.crs}'. Expected an "
                "EPSG code like EPSG:25832. Fix: correct [coordinates] crs in the schema.",
                status=422) from None
        polygons = None
        if "coordinates" in sch.assignment:
            geo = store.geometries(units.level)
            geo = geo[geo["geometry"].notna()]
            if len(geo):
                polys = polygons_in_crs(shapely.from_wkb(geo["geometry"].to_numpy()),
                                        "EPSG:4326", sch.crs)
                polygons = PolygonIndex(list(polys),
                                        values=[units.positions[u] for u in geo["id"]])
        directory: StreetDirectory | None = None
        if streets is not None:
            report = ValidationReport(streets.name)

            def unit_of(key: str) -> int:
                return int(codes.lookup([key])[0][0])

            directory = read_street_directory(streets, report, unit_of)
            report.raise_if_failed()
        bmi = read_lms_reference(sch.bmi_reference) if sch.bmi_reference else None
        return scan_records(read_records(path), sch, n_leaves=len(units.leaves),
                            polygons=polygons, codes=codes, streets=directory, years=years, bmi=bmi,
                            target_crs=sch.crs, progress=progress, enforce=enforce, missing=missing)

    # -- synthetic records ---------------------------------------------------------------
    def generate_records(self, out: Path, *, years: str | Sequence[int] = "2010-2012",
                         seed: int = 42, records: int | None = None,
                         level: str = "stadtteil", small_areas: int = 3,
                         crs: str = "EPSG:25832", with_code: bool = True) -> GeneratedRecords:
        """Write a synthetic school-entrance file for the units of ``level``."""
        year_list = parse_years(years) or []
        if not year_list:
            raise ConfigurationError("--years fehlt.", message_en="--years is missing.",
                                     status=422)
        if records is not None and records < 1:
            raise ConfigurationError("--records muss mindestens 1 sein.",
                                     message_en="--records must be at least 1.", status=422)
        areas, notes = self._areas(level, year_list, crs)
        info = GeneratorInfo(seed, year_list)
        path, n = write_records(generate_records(areas, year_list, seed=seed, records=records,
                                                 small_areas=small_areas, crs=crs,
                                                 with_code=with_code, info=info), out)
        return GeneratedRecords(path, n, info, notes)

    def _areas(self, level: str, years: list[int], crs: str
                       ) -> tuple[list[Area], list[str]]:
        store = self.store
        units = self._units(level)
        geo = store.geometries(level)
        geo = geo[geo["geometry"].notna()]
        if geo.empty:
            raise ConfigurationError(
                f"Die Gebiete der Ebene '{level}' haben keine Geometrien.",
                message_en=f"The units of level '{level}' have no geometries.", status=422)
        notes: list[str] = []
        cohort = _cohorts(store, level, years, notes)
        proxy = _child_share(store, level, years, notes)
        keys = store.key_index(level).get("local", {})
        local = {u: k for k, u in keys.items()}
        polys = polygons_in_crs(shapely.from_wkb(geo["geometry"].to_numpy()), "EPSG:4326", crs)
        areas = []
        for unit, name, poly in zip(geo["id"], geo["name"], polys, strict=True):
            areas.append(Area(str(unit), local.get(unit, str(unit).rsplit("-", 1)[-1]),
                              str(name), poly, cohort.get(unit, {}),
                              float(proxy.get(unit, np.nan))))
        if all(not a.cohort for a in areas):
            raise ConfigurationError(
                f"Keine Bevölkerungszahlen (einwohner_6_10 oder einwohner_3_6) für die "
                f"Ebene '{level}' im Store. Abhilfe: zuerst 'kekiz demo' ausführen oder die "
                "Bevölkerung nach Alter importieren.",
                message_en=f"No population by age (einwohner_6_10 or einwohner_3_6) for "
                f"level '{level}' in the store. Fix: run 'kekiz demo' first.", status=422)
        del units
        missing = [a for a in areas if np.isnan(a.proxy)]
        if missing:
            fill = float(np.nanmean([a.proxy for a in areas])) if len(missing) < len(areas) \
                else 0.0
            areas = [a if not np.isnan(a.proxy) else Area(a.unit_id, a.code, a.name,
                                                          a.polygon, a.cohort, fill)
                     for a in areas]
            notes.append(f"{len(missing)} Gebiete ohne Kinderanteil: Mittelwert verwendet")
        return areas, notes

    # -- audit ------------------------------------------------------------------------
    def audit_published(self, *, indicator_ids: Sequence[str] | None = None,
                        records: Path | None = None,
                        schema: RecordSchema | Path | None = None,
                        streets: Path | None = None) -> RecordAudit:
        """Audit every published record table (per indicator and period over the
        hierarchy) on exactly what is stored; with ``records`` (an imported file, found by
        its SHA-256) also the tables of that import against the true counts.
        ``violations`` must be empty."""
        store = self.store
        datasets = [d for d in store.datasets() if d.kind == KIND]
        digest = sha256_of(records) if records is not None else None
        if digest is not None and not any(d.sha256 == digest for d in datasets):
            raise ConfigurationError(
                f"{records.name if records else ''}: zu dieser Datei gibt es keinen "
                "importierten Datensatz (Prüfsumme SHA-256 unbekannt). Abhilfe: genau die "
                "importierte Datei angeben.",
                message_en=f"{records.name if records else ''}: no imported dataset belongs "
                "to this file (unknown SHA-256). Fix: give exactly the imported file.",
                status=422)
        latest: dict[str, Dataset] = {}
        for d in datasets:
            if d.name not in latest or d.revision > latest[d.name].revision:
                latest[d.name] = d
        units = store.units_frame()
        violations: list[Violation] = []
        n_tables = 0
        summaries = []
        for ds in sorted(latest.values(), key=lambda d: d.id or 0):
            ids = [i for i in ds.details.get("indicators", [])
                   if indicator_ids is None or i in indicator_ids]
            if not ids:
                continue
            obs = store.observations(indicator_id=ids)
            obs = obs[obs["dataset_id"] == ds.id]
            if obs.empty:
                continue
            level = str(ds.details["level"])
            hierarchy = Hierarchy.from_units(units, level, root=str(ds.details["root"]))
            rules = PrivacyRules.from_dict(ds.details.get("privacy", {}))
            found, n = audit_published(obs, hierarchy, rules)
            if records is not None and ds.sha256 == digest:
                truth, _ = self._truth_audit(ds, obs, hierarchy, rules, records, schema,
                                             streets)
                found += truth
            violations += found
            n_tables += n
            summaries.append({"dataset": ds.name, "revision": ds.revision, "tables": n,
                              "violations": len(found)})
        return RecordAudit(n_tables, violations, summaries, digest is not None)

    def _truth_audit(self, ds: Dataset, obs: pd.DataFrame, hierarchy: Hierarchy,
                             rules: PrivacyRules, records: Path,
                             schema: RecordSchema | Path | None, streets: Path | None
                             ) -> tuple[list[Violation], int]:
        sch = schema if isinstance(schema, RecordSchema) else load_schema(schema)
        units = self._units(str(ds.details["level"]))
        periods = [int(str(p)[:4]) for p in ds.details.get("periods", [])]
        scan = self._scan(records, sch, units, periods or None, streets,
                                  no_progress, enforce=False)
        synthetic = bool(ds.details.get("synthetic"))
        ids = {f: _indicator_id(sch, f, synthetic) for f in scan.counts.indicators}
        return audit_against_truth(obs, scan.counts, hierarchy, units.positions, ids, rules)


# ----------------------------------------------------------------------- helpers
def _synthetic(path: Path, scan: ScanResult) -> bool:
    flags = scan.stats.synthetic
    if flags["true"] and flags["false"]:
        report = ValidationReport(path.name)
        report.add("Spalte 'synthetisch' ist gemischt: echte und synthetische Datensätze in "
                   "einer Datei", column=scan.plan.fields.get("synthetic"),
                   value=f"{flags['true']} wahr / {flags['false']} falsch",
                   expected="in einer Datei nur echte oder nur synthetische Datensätze",
                   fix="echte und synthetische Daten getrennt importieren",
                   message_en="column 'synthetisch' is mixed: real and synthetic records")
        raise ImportFailed(report)
    return bool(flags["true"]) or path.name.startswith(PREFIX)


def _indicator_id(schema: RecordSchema, finding: str, synthetic: bool) -> str:
    return f"{schema.indicator_prefix}{finding}{SYNTHETIC_SUFFIX if synthetic else ''}"


def _dataset_name(schema: RecordSchema, path: Path, level: str, periods: Sequence[str],
                  synthetic: bool) -> str:
    span = f"{periods[0]}–{periods[-1]}" if len(periods) > 1 else (periods[0] if periods
                                                                    else "")
    head = "SYNTHETISCH: " if synthetic else ""
    stem = path.stem.removeprefix(PREFIX)
    return f"{head}{schema.name} {stem} {span} ({level})"[:200]


def _indicator(schema: RecordSchema, finding_id: str, ind_id: str, synthetic: bool,
               rules: PrivacyRules, source: str, licence: str) -> Indicator:
    f = schema.finding(finding_id)
    syn_de = (". SYNTHETISCHE DATEN: erzeugt von kekiz zur Demonstration, keine echten "
              "Kinder; die Werte sagen nichts über die Gebiete aus.") if synthetic else ""
    syn_en = (". SYNTHETIC DATA generated by kekiz for demonstration, no real children; the "
              "values say nothing about the areas.") if synthetic else ""
    rule = (f"Fallzahl>={rules.min_frequency}, Nenner>={rules.min_denominator}, "
            "sekundär, LP")[:50]
    return Indicator(
        ind_id, (f.name_de + (" (SYNTHETISCH)" if synthetic else ""))[:200],
        (f.name_en + (" (SYNTHETIC)" if synthetic else ""))[:200],
        f.definition_de + syn_de, f.definition_en + syn_en, unit="%",
        numerator=f"{f.numerator_de} / {f.numerator_en}",
        denominator=f"{f.denominator_de} / {f.denominator_en}",
        polarity=Polarity(f.polarity), sector=f.sector, life_phase="3-6",
        # computed on every level by the records import under disclosure control; the
        # generic upward aggregation must not derive further (unprotected) cells
        aggregation=Aggregation.NONE, scale=100.0,
        source=(source or ("synthetisch (kekiz)" if synthetic else schema.name)),
        licence=licence, update_interval="jährlich", disclosure_rule=rule, decimals=1)


def _cohorts(store: Store, level: str, years: Sequence[int],
             notes: list[str]) -> dict[str, dict[int, float]]:
    """Expected examined children per unit and year: einwohner_6_10 / 4 (one year of
    age), else einwohner_3_6 / 3; years without data use the nearest year."""
    for ind, divisor in (("einwohner_6_10", 4.0), ("einwohner_3_6", 3.0)):
        obs = store.observations(indicator_id=ind, level=level)
        obs = obs[obs["value"].notna()]
        if obs.empty:
            continue
        have = sorted({int(str(p)[:4]) for p in obs["period"]})
        out: dict[str, dict[int, float]] = {}
        for year in years:
            near = min(have, key=lambda y: (abs(y - year), -y))
            if near != year:
                notes.append(f"{year}: Bevölkerung von {near} verwendet ({ind})")
            part = obs[obs["period"].str[:4] == str(near)]
            for unit, value in zip(part["unit_id"], part["value"], strict=True):
                out.setdefault(str(unit), {})[year] = float(value) / divisor
        return out
    return {}


def _child_share(store: Store, level: str, years: Sequence[int],
                 notes: list[str]) -> dict[str, float]:
    """Share of under-18s in the population per unit (mean over the years available)."""
    groups = ("einwohner_u3", "einwohner_3_6", "einwohner_6_10", "einwohner_10_15",
              "einwohner_15_18")
    total = store.observations(indicator_id="einwohner", level=level)
    kids = store.observations(indicator_id=list(groups), level=level)
    if total.empty or kids.empty:
        notes.append("Kein Kinderanteil im Store: alle Gebiete gleich (Proxy 0)")
        return {}
    kid = kids.groupby(["unit_id", "period"])["value"].sum()
    pop = total.set_index(["unit_id", "period"])["value"]
    share = (kid / pop.reindex(kid.index)).dropna()
    frame = share.reset_index()
    frame.columns = ["unit_id", "period", "share"]
    wanted = frame[frame["period"].str[:4].astype(int).isin(years)]
    use = wanted if not wanted.empty else frame
    return {str(k): float(v) for k, v in use.groupby("unit_id")["share"].mean().items()}
