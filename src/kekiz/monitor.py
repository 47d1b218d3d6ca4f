"""The use-case facade: every CLI command and web handler is a few lines calling this.

``Monitor`` holds the settings and the store and offers the municipality's jobs in
domain terms: import boundaries and indicator tables, aggregate upward, look at units
and values, export.  It is the only place where the rooms meet.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from kekiz.analysis.aggregate import aggregate_up
from kekiz.domain.errors import KekizError, ValidationReport
from kekiz.domain.model import Aggregation, Dataset, Indicator
from kekiz.facade.admin import AdminJobs
from kekiz.facade.files import FileJobs
from kekiz.facade.goals import GoalJobs
from kekiz.facade.monitoring import MonitoringJobs
from kekiz.facade.monitoring_extra import MonitoringExtraJobs
from kekiz.facade.network import NetworkJobs
from kekiz.facade.prevention import PreventionJobs
from kekiz.facade.records import RecordJobs
from kekiz.facade.reports import ReportJobs
from kekiz.facade.web import WebJobs
from kekiz.ingest.boundaries import (
    BoundaryOptions,
    ParentCandidates,
    read_boundaries,
    sha256_of,
)
from kekiz.ingest.indicators import IndicatorOptions, parse_indicators
from kekiz.ingest.members import MemberOptions, parse_members
from kekiz.ingest.tables import read_table
from kekiz.reporting import export as exporter
from kekiz.settings import Settings, load_settings
from kekiz.storage import Store, open_store

__all__ = ["ImportResult", "Monitor", "Progress"]

Progress = Callable[[str, int, int], None]


def _no_progress(_task: str, _done: int, _total: int) -> None:
    return None


@dataclass
class ImportResult:
    dataset: Dataset
    count: int
    notes: list[str] = field(default_factory=list)
    replaced: int = 0


class Monitor(FileJobs, NetworkJobs, PreventionJobs, WebJobs, MonitoringJobs,
              MonitoringExtraJobs, GoalJobs, RecordJobs, AdminJobs, ReportJobs):
    def __init__(self, settings: Settings | None = None, store: Store | None = None) -> None:
        self.settings = settings or load_settings()
        self._store = store

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.settings.store)
        return self._store

    @property
    def lang(self) -> str:
        return str(self.settings.lang)

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()

    # -- setup --------------------------------------------------------------------------
    def init(self, upgrade: bool = False) -> str:
        if upgrade:
            store = open_store(self.settings.store, create=True, check=False) \
                if self._store is None else self._store
            self._store = store
            store.upgrade()
        return self.store.schema_version() or ""

    def _user(self) -> str:
        if self.settings.user:
            return str(self.settings.user)
        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return ""

    # -- imports ------------------------------------------------------------------------
    def import_boundaries(self, path: Path, opts: BoundaryOptions, *, dataset: str | None = None,
                          licence: str = "", source: str = "",
                          progress: Progress = _no_progress) -> ImportResult:
        """Validate a boundary file completely, then write it in one transaction."""
        store = self.store
        store.level(opts.level)
        report = ValidationReport(path.name)
        parents = self._parent_candidates(opts)
        progress("Prüfen", 0, 1)
        units = read_boundaries(path, opts, report, parents)
        report.raise_if_failed()
        progress("Prüfen", 1, 1)
        ds = Dataset(name=dataset or f"{path.stem} ({opts.level})", kind="boundaries",
                     file=str(path), sha256=sha256_of(path), licence=licence, source=source,
                     user=self._user(), rows=len(units),
                     details={"level": opts.level, "id_field": opts.id_field,
                              "repaired": len(report.notes)})
        with store.transaction() as tx:
            tx.add_dataset(ds)
            for u in units:
                u.dataset_id = ds.id
            progress("Speichern", 0, len(units))
            tx.upsert_units(units)
            progress("Speichern", len(units), len(units))
        return ImportResult(ds, len(units), report.notes)

    def _parent_candidates(self, opts: BoundaryOptions) -> ParentCandidates | None:
        level = opts.parent_level
        if level is None and opts.parent_field:
            rank = self.store.level(opts.level).rank
            above = [lv for lv in self.store.levels() if lv.rank < rank]
            counts = self.store.count_units()
            filled = [lv for lv in above if counts.get(lv.id)]
            level = filled[-1].id if filled else None
        if level is None:
            return None
        self.store.level(level)
        geoms = None
        if opts.parent_field is None:
            frame = self.store.geometries(level)
            frame = frame[frame["geometry"].notna()]
            geoms = gpd.GeoDataFrame(
                frame[["id"]], geometry=shapely.from_wkb(frame["geometry"].to_numpy()),
                crs=4326)
        return ParentCandidates(level=level, keys=self.store.key_index(level), geometries=geoms)

    def import_indicators(self, path: Path, opts: IndicatorOptions, *,
                          dataset: str | None = None, licence: str = "", source: str = "",
                          encoding: str = "auto", separator: str = "auto",
                          sheet: str | None = None, metadata: dict[str, Any] | None = None,
                          progress: Progress = _no_progress) -> ImportResult:
        """Validate an indicator table completely, then write it in one transaction.

        Re-importing a dataset of the same name creates a new revision that replaces
        the values of the earlier one (no duplicates).
        """
        store = self.store
        levels = [lv.strip() for lv in opts.level.split(",") if lv.strip()]
        index: dict[str, dict[str, str]] = {}
        for level in reversed(levels):  # the first level named wins on a shared key
            store.level(level)
            for scheme, keys in store.key_index(level).items():
                index.setdefault(scheme, {}).update(keys)
        report = ValidationReport(path.name)
        table = read_table(path, report, encoding=encoding, separator=separator, sheet=sheet,
                           header_hint=[opts.key_column] if opts.key_column else None)
        report.raise_if_failed()
        assert table is not None
        known = {i.id: i for i in store.indicators()}
        progress("Prüfen", 0, len(table.rows))
        opts.metadata = {**(metadata or {}), **opts.metadata}
        parsed = parse_indicators(table, opts, report, index, known)
        report.raise_if_failed()
        assert parsed is not None
        progress("Prüfen", len(table.rows), len(table.rows))
        indicators = [_with_provenance(i, licence, source) for i in parsed.indicators]
        ds = Dataset(name=dataset or f"{path.stem} ({opts.level})", kind="indicators",
                     file=str(path), sha256=sha256_of(path), licence=licence, source=source,
                     user=self._user(), rows=len(parsed.observations),
                     details={"level": opts.level, "layout": parsed.layout,
                              "encoding": table.encoding, "separator": table.separator,
                              "indicators": [i.id for i in indicators]})
        frame = parsed.observations
        with store.transaction() as tx:
            tx.add_dataset(ds)
            assert ds.id is not None
            replaced = tx.delete_observations_of(tx.previous_revisions(ds.name, ds.id))
            tx.upsert_indicators(indicators)
            frame = frame.assign(dataset_id=ds.id)
            total = len(frame)
            tx.upsert_observations(frame, progress=lambda n: progress("Speichern", n, total))
        return ImportResult(ds, len(frame), table.notes + report.notes, replaced)

    def import_members(self, path: Path, programme: str, *, dataset: str | None = None,
                       source: str = "", sheet: str | None = None,
                       joined: date | None = None) -> ImportResult:
        """Replace a programme's member list with the validated file."""
        store = self.store
        index: dict[str, dict[str, str]] = {}
        for level in ("gemeinde", "kreis"):
            for scheme, keys in store.key_index(level).items():
                index.setdefault(scheme, {}).update(keys)
        report = ValidationReport(path.name)
        table = read_table(path, report, sheet=sheet)
        report.raise_if_failed()
        assert table is not None
        members = parse_members(table, MemberOptions(programme, joined), report, index)
        report.raise_if_failed()
        ds = Dataset(name=dataset or f"Mitglieder {programme}", kind="members",
                     file=str(path), sha256=sha256_of(path), source=source,
                     user=self._user(), rows=len(members), details={"programme": programme})
        with store.transaction() as tx:
            tx.add_dataset(ds)
            for m in members:
                m.dataset_id = ds.id
            tx.replace_members(programme, members)
        return ImportResult(ds, len(members), table.notes)

    # -- aggregation ------------------------------------------------------------------------
    def aggregate(self, indicator_ids: list[str] | None = None,
                  progress: Progress = _no_progress) -> dict[str, int]:
        """Aggregate counts and ratios upward along the hierarchy, level by level.

        Imported values of a parent are kept (the official figure wins); only missing
        parent values are filled.  Returns indicator id -> number of values written.
        """
        store = self.store
        units = store.units_frame()
        levels = sorted(store.levels(), key=lambda lv: -lv.rank)
        rank = {lv.id: lv.rank for lv in levels}
        inds = [i for i in store.indicators()
                if i.aggregation is not Aggregation.NONE
                and (indicator_ids is None or i.id in indicator_ids)]
        written: dict[str, int] = {}
        ds = Dataset(name="Aggregation entlang der Gebietshierarchie", kind="derived",
                     user=self._user(), details={"method": "aggregate_up"})
        with store.transaction() as tx:
            tx.add_dataset(ds)
            for n, ind in enumerate(inds):
                progress("Aggregieren", n, len(inds))
                for level in levels:
                    children = units[units["level"] == level.id].dropna(subset=["parent_id"])
                    if children.empty:
                        continue
                    parent_map = pd.Series(children["parent_id"].to_numpy(),
                                           index=children["id"].to_numpy())
                    parent_levels = units.set_index("id").loc[
                        parent_map.unique(), "level"].map(rank)
                    if (parent_levels >= level.rank).any():
                        continue
                    obs = tx.level_observations(ind.id, level.id)
                    up = aggregate_up(obs, parent_map, ind)
                    if up.empty:
                        continue
                    existing = tx.imported_keys(ind.id, list(up["unit_id"].unique()))
                    keep = ~up.set_index(["unit_id", "period"]).index.isin(existing)
                    up = up[keep]
                    if up.empty:
                        continue
                    up = up.assign(indicator_id=ind.id, dataset_id=ds.id,
                                   method="aggregate_up",
                                   params=json.dumps({"from_level": level.id}))
                    tx.upsert_observations(up.drop(columns=["children"]))
                    written[ind.id] = written.get(ind.id, 0) + len(up)
            assert ds.id is not None
            tx.set_dataset_rows(ds.id, sum(written.values()))
        progress("Aggregieren", len(inds), len(inds))
        return written

    # -- reading ---------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        store = self.store
        periods = store.periods()
        return {
            "store": store.safe_url(),
            "units": store.count_units(),
            "indicators": {i.id: periods.get(i.id, []) for i in store.indicators()},
            "observations": store.count_observations(),
            "datasets": len(store.datasets()),
        }

    def values(self, unit_id: str, indicator_id: str | None = None,
               period: str | None = None) -> pd.DataFrame:
        """A unit's values with indicator names, newest period last."""
        store = self.store
        store.unit(unit_id)
        obs = store.observations(unit_ids=[unit_id], indicator_id=indicator_id, period=period)
        names = {i.id: (i.name_de if self.lang == "de" else i.name_en, i.unit, i.decimals)
                 for i in store.indicators()}
        obs["indicator"] = obs["indicator_id"].map(lambda i: names.get(i, (i, "", 1))[0])
        obs["unit"] = obs["indicator_id"].map(lambda i: names.get(i, (i, "", 1))[1])
        obs["decimals"] = obs["indicator_id"].map(lambda i: names.get(i, (i, "", 1))[2])
        return obs

    def table(self, indicator_id: str | None = None, level: str | None = None,
              period: str | None = None) -> pd.DataFrame:
        """Observations joined with unit names: the frame behind every export."""
        store = self.store
        if indicator_id is not None:
            store.indicator(indicator_id)
        obs = store.observations(indicator_id=indicator_id, level=level, period=period)
        units = store.units_frame(level)
        merged = obs.merge(units[["id", "name", "level"]], left_on="unit_id", right_on="id",
                           how="left").drop(columns=["id"])
        cols = ["unit_id", "name", "level", "indicator_id", "period", "value", "numerator",
                "denominator", "status", "lower", "upper"]
        return merged[cols]

    def export(self, out: Path, *, fmt: str | None = None, indicator_id: str | None = None,
               level: str | None = None, period: str | None = None) -> int:
        """Write values (CSV/XLSX) or units with values (GeoJSON/GeoPackage)."""
        fmt = (fmt or out.suffix.lstrip(".")).lower()
        frame = self.table(indicator_id, level, period)
        if fmt in ("csv", "xlsx"):
            exporter.write_table(frame, out, fmt, lang=self.lang)
            return len(frame)
        if fmt in ("geojson", "gpkg"):
            if level is None:
                raise KekizError("Für GeoJSON/GeoPackage bitte --level angeben.",
                                 message_en="Please give --level for GeoJSON/GeoPackage.")
            geoms = self.store.geometries(level)
            wide = exporter.wide(frame)
            gdf = gpd.GeoDataFrame(
                geoms[["id", "name", "parent_id"]].merge(wide, left_on="id",
                                                         right_on="unit_id", how="left")
                .drop(columns=["unit_id"]),
                geometry=shapely.from_wkb(geoms["geometry"].to_numpy()), crs=4326)
            exporter.write_geo(gdf, out, fmt)
            return len(gdf)
        raise KekizError(f"Unbekanntes Format '{fmt}'. Möglich: csv, xlsx, geojson, gpkg.",
                         message_en=f"Unknown format '{fmt}'. Possible: csv, xlsx, geojson, "
                         "gpkg.")

    # -- demo --------------------------------------------------------------------------------
    def build_demo(self, progress: Progress = _no_progress) -> dict[str, Any]:
        from kekiz.demo import build_demo

        return build_demo(self, progress)


def _with_provenance(ind: Indicator, licence: str, source: str) -> Indicator:
    """The import's licence and source for an indicator that states none (a copy)."""
    from dataclasses import replace

    return replace(ind, licence=ind.licence or licence, source=ind.source or source)
