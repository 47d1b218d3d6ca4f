"""The stored data as a whole: summary, a unit's values, tables, exports, aggregation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from kekiz.analysis.aggregate import aggregate_up
from kekiz.domain.accounts import ReadScope
from kekiz.domain.errors import KekizError
from kekiz.domain.model import Aggregation, Dataset
from kekiz.reporting import export as exporter
from kekiz.services.base import Progress, actor, language, no_progress
from kekiz.settings import Settings
from kekiz.storage.protocol import Store

__all__ = ["NO_PRIVATE", "DataService"]

#: The read scope of an export without private data (issue #20).
NO_PRIVATE = ReadScope()


class DataService:
    """Reads and exports of the stored values, and their aggregation upward."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def aggregate(self, indicator_ids: list[str] | None = None,
                  progress: Progress = no_progress) -> dict[str, int]:
        """Aggregate counts and ratios upward along the hierarchy, level by level.

        Imported values of a parent are kept (the official figure wins); only missing
        parent values are filled.  Returns indicator id -> number of values written.
        """
        store = self.store
        units = store.units_frame()
        levels = sorted(store.levels(), key=lambda lv: -lv.rank)
        # values of a private dataset never enter the sum of a public indicator (#20)
        private_ds = {d.id for d in store.datasets() if d.private_to}
        rank = {lv.id: lv.rank for lv in levels}
        inds = [i for i in store.indicators()
                if i.aggregation is not Aggregation.NONE
                and (indicator_ids is None or i.id in indicator_ids)]
        written: dict[str, int] = {}
        ds = Dataset(name="Aggregation entlang der Gebietshierarchie", kind="derived",
                     user=actor(self.settings), details={"method": "aggregate_up"})
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
                    if ind.private_to is None:
                        obs = obs[~obs["dataset_id"].isin(private_ds)]
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

    def set_private(self, kind: str, key: str, private_to: str | None,
                    private_state: bool = False, *, actor_name: str | None = None
                    ) -> tuple[str | None, bool]:
        """Mark an indicator (``kind`` ``indicator``, by id) or a dataset (``dataset``,
        by name) private to a municipality's unit, or public (``private_to`` None); the
        change is written to the audit log.  Returns the mark before (issue #20)."""
        if private_to is not None:
            self.store.unit(private_to)
        after = (private_to, bool(private_state and private_to))
        with self.store.transaction() as tx:
            before = tx.set_private(kind, key, *after)
            tx.auth.add_audit(actor_name or actor(self.settings), f"{kind}.private",
                              f"{kind}:{key}",
                              {"private_to": before[0], "private_state": before[1]},
                              {"private_to": after[0], "private_state": after[1]})
        return before

    def private_rows(self) -> list[tuple[str, str, str, bool]]:
        """(kind, key, owner, state may read) of every private indicator and dataset."""
        rows = [("indicator", i.id, str(i.private_to), i.private_state)
                for i in self.store.indicators() if i.private_to]
        seen: set[str] = set()
        for d in self.store.datasets():
            if d.private_to and d.name not in seen:
                seen.add(d.name)
                rows.append(("dataset", d.name, str(d.private_to), d.private_state))
        return rows

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
        lang = language(self.settings)
        names = {i.id: (i.name_de if lang == "de" else i.name_en, i.unit, i.decimals)
                 for i in store.indicators()}
        obs["indicator"] = obs["indicator_id"].map(lambda i: names.get(i, (i, "", 1))[0])
        obs["unit"] = obs["indicator_id"].map(lambda i: names.get(i, (i, "", 1))[1])
        obs["decimals"] = obs["indicator_id"].map(lambda i: names.get(i, (i, "", 1))[2])
        return obs

    def table(self, indicator_id: str | None = None, level: str | None = None,
              period: str | None = None, *, reads: Any = None) -> pd.DataFrame:
        """Observations joined with unit names: the frame behind every export.

        ``reads`` is the store view to read through (default: the store itself); the
        pages pass their publication gate, so a download holds the published values."""
        store = self.store if reads is None else reads
        if indicator_id is not None:
            store.indicator(indicator_id)
        obs = store.observations(indicator_id=indicator_id, level=level, period=period)
        units = store.units_frame(level)
        merged = obs.merge(units[["id", "name", "level"]], left_on="unit_id", right_on="id",
                           how="left").drop(columns=["id"])
        cols = ["unit_id", "name", "level", "indicator_id", "period", "value", "numerator",
                "denominator", "status", "lower", "upper"]
        return merged[cols]

    def decimals(self) -> dict[str, int]:
        """The decimals of every indicator (as the pages show its values)."""
        return {i.id: int(i.decimals) for i in self.store.indicators()}

    def export(self, out: Path, *, fmt: str | None = None, indicator_id: str | None = None,
               level: str | None = None, period: str | None = None,
               full_precision: bool = False, scope: ReadScope | None = NO_PRIVATE) -> int:
        """Write values (CSV/XLSX) or units with values (GeoJSON/GeoPackage), rounded to
        the decimals of each indicator unless ``full_precision``.

        ``scope`` is what the export holds of private data (issue #20): by default none
        (:data:`NO_PRIVATE`); ``None`` exports everything."""
        fmt = (fmt or out.suffix.lstrip(".")).lower()
        reads = self.store if scope is None else self.store.scoped(scope)
        frame = self.table(indicator_id, level, period, reads=reads)
        if not full_precision:
            frame = exporter.round_values(frame, self.decimals())
        if fmt in ("csv", "xlsx"):
            lang = language(self.settings)
            names = {lv.id: lv.name(lang) for lv in self.store.levels()}
            frame = frame.assign(level=frame["level"].map(lambda x: names.get(x, x)))
            exporter.write_table(frame, out, fmt, lang=lang)
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
