"""Roll-ups of fine units into coarse units: by key prefix, mapping table or containment.

``kekiz rollup --from planungsraum --to bezirksregion --by prefix:6`` sums counts and
recomputes ratios (from summed numerators and denominators, see
:mod:`kekiz.analysis.rollup`) of every indicator with an aggregation rule that has values
on the fine level, and stores them on the coarse level as one derived dataset (a new
revision replaces the earlier one; imported values of the coarse units are kept).  The
same mapping lets an indicator table on fine units that are not stored as units import
straight into the coarse level (:meth:`RollupService.map_table`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from kekiz.analysis.rollup import rollup_values
from kekiz.domain.errors import KekizError, ValidationReport
from kekiz.domain.model import Aggregation, Dataset, Indicator
from kekiz.ingest.boundaries import match_key
from kekiz.ingest.mapping import read_mapping
from kekiz.services.base import actor
from kekiz.settings import Settings
from kekiz.storage.protocol import Store

__all__ = ["RollupResult", "RollupService"]


@dataclass
class RollupResult:
    """The stored roll-up: values per indicator and coarse values left out."""

    dataset: Dataset | None
    written: dict[str, int] = field(default_factory=dict)
    incomplete: dict[str, int] = field(default_factory=dict)
    mapped: int = 0


class RollupService:
    """Mappings of fine to coarse units, and the values rolled up along them."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    # -- mappings ----------------------------------------------------------------------------
    def mapping(self, from_level: str, to_level: str, by: str) -> pd.DataFrame:
        """fine, coarse, weight for ``by`` = ``prefix:N``, ``contains`` or ``mapping:FILE``."""
        self.store.level(from_level)
        self.store.level(to_level)
        kind, _, arg = by.partition(":")
        if kind == "prefix" and arg.isdigit() and int(arg) > 0:
            return self._by_prefix(from_level, to_level, int(arg))
        if kind == "contains" and not arg:
            return self._by_containment(from_level, to_level)
        if kind == "mapping" and arg:
            frame = self.read_mapping(Path(arg), to_level, fine_level=from_level)
            return frame.drop(columns=["row"])
        raise KekizError(f"Unbekannte Zuordnung '{by}'. Möglich: prefix:N (die ersten N "
                         "Zeichen des Schlüssels), contains (räumlich), mapping:DATEI.",
                         message_en=f"Unknown mapping '{by}'. Possible: prefix:N (the first "
                         "N characters of the key), contains (spatial), mapping:FILE.")

    def _by_prefix(self, from_level: str, to_level: str, n: int) -> pd.DataFrame:
        coarse = self.store.key_index(to_level)
        rows, lost = [], []
        for unit in self.store.units(level=from_level):
            local = unit.keys.get("local", unit.id)
            hit = match_key(local[:n], coarse)
            if hit is None:
                lost.append(f"{unit.id} ({local[:n]})")
            else:
                rows.append((unit.id, hit, 1.0))
        _refuse_lost(lost, from_level, to_level, f"prefix:{n}")
        return pd.DataFrame(rows, columns=["fine", "coarse", "weight"])

    def _by_containment(self, from_level: str, to_level: str) -> pd.DataFrame:
        fine, coarse = (self.store.geometries(lv) for lv in (from_level, to_level))
        missing = list(fine.loc[fine["geometry"].isna(), "id"])
        if missing or coarse["geometry"].isna().all():
            raise KekizError(
                f"Räumliche Zuordnung braucht Geometrien auf beiden Ebenen; ohne Geometrie: "
                f"{', '.join(missing[:10]) or to_level}. Abhilfe: Grenzen importieren oder "
                "--by prefix:N bzw. mapping:DATEI verwenden.",
                message_en="A spatial mapping needs geometries on both levels. Fix: import "
                "the boundaries or use --by prefix:N or mapping:FILE.")
        coarse = coarse[coarse["geometry"].notna()]
        points = gpd.GeoDataFrame(
            {"fine": fine["id"].to_numpy()}, crs=4326, geometry=shapely.point_on_surface(
                shapely.from_wkb(fine["geometry"].to_numpy())))
        areas = gpd.GeoDataFrame({"coarse": coarse["id"].to_numpy()}, crs=4326,
                                 geometry=shapely.from_wkb(coarse["geometry"].to_numpy()))
        joined = points.sjoin(areas, how="left", predicate="within")
        joined = joined.drop_duplicates("fine")
        lost = list(joined.loc[joined["coarse"].isna(), "fine"])
        _refuse_lost(lost, from_level, to_level, "contains")
        return pd.DataFrame({"fine": joined["fine"].to_numpy(),
                             "coarse": joined["coarse"].to_numpy(), "weight": 1.0})

    def read_mapping(self, path: Path, to_level: str,
                     fine_level: str | None = None) -> pd.DataFrame:
        """A mapping table with its coarse (and, given ``fine_level``, fine) keys resolved
        to unit ids; unknown keys refuse the whole table."""
        report = ValidationReport(path.name)
        frame = read_mapping(path, report)
        report.raise_if_failed()
        for col, level in (("coarse", to_level), ("fine", fine_level)):
            if level is None:
                continue
            index = self.store.key_index(level)
            ids = []
            for key, row in zip(frame[col], frame["row"], strict=True):
                hit = match_key(str(key), index)
                if hit is None:
                    report.add(f"Kein Gebiet der Ebene '{level}' mit diesem Schlüssel",
                               row=int(row), column=col, value=key,
                               expected=f"einen Schlüssel der Ebene {level}",
                               fix=f"den Schlüssel korrigieren ('kekiz units --level {level}' "
                               "listet sie)", message_en=f"no unit of level '{level}' with "
                               "this key")
                ids.append(hit)
            frame[col] = ids
        report.raise_if_failed()
        return frame

    # -- values ------------------------------------------------------------------------------
    def rollup(self, from_level: str, to_level: str, by: str, *,
               indicators: list[str] | None = None, partial: bool = False) -> RollupResult:
        """Roll every suitable indicator up from ``from_level`` into ``to_level``."""
        mapping = self.mapping(from_level, to_level, by)
        inds = [i for i in self.store.indicators() if i.aggregation is not Aggregation.NONE
                and (indicators is None or i.id in indicators)]
        result = RollupResult(None, mapped=len(mapping))
        frames = []
        for ind in inds:
            obs = self.store.observations(indicator_id=ind.id, level=from_level)
            rolled = rollup_values(obs, mapping, ind, partial=partial)
            if rolled.incomplete:
                result.incomplete[ind.id] = rolled.incomplete
            if not rolled.values.empty:
                frames.append(_stored(rolled.values, ind, by, from_level))
        if not frames:
            return result
        ds = Dataset(name=f"Roll-up {from_level} > {to_level}", kind="derived",
                     user=actor(self.settings),
                     details={"method": "rollup", "by": by, "from_level": from_level,
                              "level": to_level, "partial": partial, "period": None,
                              "inputs": [{"indicator": i.id, "source": i.source,
                                          "licence": i.licence} for i in inds],
                              "indicators": sorted({f["indicator_id"].iat[0]
                                                    for f in frames})})
        with self.store.transaction() as tx:
            tx.add_dataset(ds)
            assert ds.id is not None
            tx.delete_observations_of(tx.previous_revisions(ds.name, ds.id))
            for frame in frames:
                ind_id = str(frame["indicator_id"].iat[0])
                kept = tx.imported_keys(ind_id, list(frame["unit_id"].unique()))
                frame = frame[~frame.set_index(["unit_id", "period"]).index.isin(kept)]
                tx.upsert_observations(frame.assign(dataset_id=ds.id))
                result.written[ind_id] = len(frame)
            tx.set_dataset_rows(ds.id, sum(result.written.values()))
        result.dataset = ds
        return result

    def map_table(self, observations: pd.DataFrame, mapping: pd.DataFrame,
                  indicators: list[Indicator], known: dict[str, Indicator], source: str,
                  *, partial: bool = False) -> tuple[pd.DataFrame, list[str]]:
        """Observations on fine keys rolled up into coarse units (for an import)."""
        rules = {**known, **{i.id: i for i in indicators}}
        frames, notes = [], []
        for ind_id, obs in observations.groupby("indicator_id"):
            ind = rules[str(ind_id)]
            if ind.aggregation is Aggregation.NONE:
                raise KekizError(
                    f"{source}: der Indikator '{ind.id}' hat keine Aggregationsregel und kann "
                    "nicht über die Zuordnung zusammengefasst werden. Abhilfe: --aggregation "
                    "sum (Anzahlen) oder ratio (mit Zähler und Nenner) angeben.",
                    message_en=f"{source}: indicator '{ind.id}' has no aggregation rule and "
                    "cannot be combined along the mapping. Fix: give --aggregation sum "
                    "(counts) or ratio (with numerator and denominator).")
            rolled = rollup_values(obs, mapping, ind, partial=partial)
            if rolled.incomplete:
                notes.append(f"{ind.id}: {rolled.incomplete} grobe Gebiete ohne Wert, weil "
                             "feine Gebiete fehlen (mit --partial aus den vorhandenen)")
            frames.append(_stored(rolled.values, ind, f"mapping:{source}", "map"))
        if not frames:
            return observations.iloc[0:0], notes
        return pd.concat(frames, ignore_index=True), notes


def _stored(values: pd.DataFrame, ind: Indicator, by: str, from_level: str) -> pd.DataFrame:
    params = [json.dumps({"by": by, "from_level": from_level, "children": int(c),
                          "missing": int(m)}) for c, m in zip(values["children"],
                                                              values["missing"], strict=True)]
    return values.drop(columns=["children", "missing"]).assign(
        indicator_id=ind.id, method="rollup", params=params)


def _refuse_lost(lost: list[str], from_level: str, to_level: str, by: str) -> None:
    if lost:
        shown = ", ".join(lost[:10]) + (" ..." if len(lost) > 10 else "")
        raise KekizError(
            f"{len(lost)} Gebiete der Ebene '{from_level}' finden mit {by} kein Gebiet der "
            f"Ebene '{to_level}': {shown}. Abhilfe: die grobe Ebene vollständig importieren "
            "oder eine Zuordnungstabelle (--by mapping:DATEI) verwenden; nichts gespeichert.",
            message_en=f"{len(lost)} units of level '{from_level}' find no unit of level "
            f"'{to_level}' with {by}: {shown}. Fix: import the coarse level completely or "
            "use a mapping table (--by mapping:FILE); nothing was stored.")
