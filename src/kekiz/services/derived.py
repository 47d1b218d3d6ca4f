"""Derived results of the monitoring: what a method computed and how it is stored.

Every monitoring use case writes its results as observations of a derived dataset (kind
``derived``) in one transaction. The dataset's details and every observation's ``method``
and ``params`` (JSON) record the method, its parameters, the random seed and the package
versions, so a value can be traced and recomputed: the same inputs and seed give the same
values, and a second run replaces the earlier revision of the dataset.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib import metadata
from typing import Any, Protocol

import geopandas as gpd
import pandas as pd
import shapely

from kekiz.analysis.classify import Classification, map_classes, stored_or_default_classes
from kekiz.domain.errors import MethodError
from kekiz.domain.jsonable import clean, clean_dict, dumps
from kekiz.domain.model import Aggregation, Dataset, Indicator, Polarity, private_mark
from kekiz.services.base import actor
from kekiz.settings import Settings
from kekiz.storage.protocol import Store

__all__ = [
    "AGE_GROUPS",
    "LISA_CODE",
    "LISA_CODES",
    "OBS_COLUMNS",
    "USABLE",
    "Derived",
    "DerivedResults",
    "classify_values",
    "derived_indicator",
    "indicator_classes",
    "join_sources",
    "package_versions",
    "stored_breaks",
]

VERSIONED = ("kekiz", "numpy", "pandas", "scipy", "esda", "libpysal", "mapclassify")
#: Statuses whose values may be published and enter derived figures.
USABLE = ("ok", "estimated", "unreliable")
OBS_COLUMNS = ["indicator_id", "unit_id", "period", "value", "numerator", "denominator",
               "status", "lower", "upper", "method", "params"]
#: LISA cluster codes stored in ``<indicator>_lisa``: code -> (key, German, English).
LISA_CODES: dict[int, tuple[str, str, str]] = {
    0: ("ns", "nicht signifikant", "not significant"),
    1: ("HH", "Hoch-Hoch (Hotspot)", "High-High (hot spot)"),
    2: ("LL", "Niedrig-Niedrig (Coldspot)", "Low-Low (cold spot)"),
    3: ("HL", "Hoch-Niedrig (Ausreißer)", "High-Low (outlier)"),
    4: ("LH", "Niedrig-Hoch (Ausreißer)", "Low-High (outlier)"),
    9: ("island", "ohne Nachbarn (Insel, nicht getestet)", "no neighbours (island, not tested)"),
}
LISA_CODE = {"HH": 1, "LL": 2, "HL": 3, "LH": 4}
AGE_GROUPS = ("einwohner_u3", "einwohner_3_6", "einwohner_6_10", "einwohner_10_15",
              "einwohner_15_18")


def package_versions() -> dict[str, str]:
    """Versions of kekiz and the numerical packages that made a derived value."""
    out: dict[str, str] = {}
    for name in VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "unbekannt"
    return out


@dataclass
class Derived:
    """One derived table: what the use case computed, and what it wrote.

    ``table`` has one row per unit (rates: per unit and period) with unit names, for
    display; ``summary`` is JSON-ready; ``observations`` are the rows written to the
    store under a dataset named ``name`` (``dataset`` after writing; ``replaced`` counts
    the values of earlier revisions that were removed).
    """

    kind: str
    indicator_id: str
    level: str
    period: str
    table: pd.DataFrame
    summary: dict[str, Any]
    name: str
    indicators: list[Indicator]
    observations: pd.DataFrame
    details: dict[str, Any]
    sha256: str
    licence: str = ""
    source: str = ""
    dataset: Dataset | None = None
    replaced: int = 0
    #: the private mark inherited from the inputs (issue #20)
    private_to: str | None = None
    private_state: bool = False

    def to_dict(self) -> dict[str, Any]:
        ds = self.dataset
        return clean_dict({
            "kind": self.kind, "indicator": self.indicator_id, "level": self.level,
            "period": self.period, "summary": self.summary,
            "dataset": None if ds is None else {"id": ds.id, "name": ds.name,
                                                "revision": ds.revision, "rows": ds.rows},
            "rows": self.table.to_dict("records")})



class DerivedResults:
    """Reads what the monitoring methods need and writes what they derived."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def names(self, level: str) -> dict[str, str]:
        units = self.store.units_frame(level)
        return dict(zip(units["id"], units["name"], strict=True))

    def coverage(self, indicator_ids: list[str], level: str) -> int:
        """Largest number of units that have every one of the indicators in one period."""
        obs = self.store.observations(indicator_id=indicator_ids, level=level)
        if obs.empty:
            return 0
        per_unit = obs.groupby(["period", "unit_id"])["indicator_id"].nunique()
        full = per_unit[per_unit == len(set(indicator_ids))]
        return int(full.groupby(level="period").size().max()) if len(full) else 0

    def values(self, indicator_id: str, level: str,
                    period: str | None) -> tuple[pd.Series, str]:
        self.store.level(level)
        obs = self.store.observations(indicator_id=indicator_id, level=level)
        obs = obs[obs["status"].isin(USABLE) & obs["value"].notna()]
        if obs.empty:
            raise MethodError(f"Keine Werte für '{indicator_id}' auf der Ebene {level}.",
                              message_en=f"No values of '{indicator_id}' on level {level}.")
        if period is None:
            cover = obs.groupby("period")["unit_id"].nunique()
            period = max(str(p) for p, n in cover.items() if n >= 0.9 * cover.max())
        sel = obs[obs["period"] == period]
        if sel.empty:
            have = ", ".join(sorted(obs["period"].unique())[-5:])
            raise MethodError(f"Keine Werte für '{indicator_id}' ({level}) im Zeitraum "
                              f"{period}. Vorhanden u. a.: {have}.",
                              message_en=f"No values of '{indicator_id}' ({level}) in period "
                              f"{period}. Available e.g.: {have}.")
        values = pd.Series(sel["value"].to_numpy(float), index=sel["unit_id"].to_numpy())
        return values.sort_index(), period

    def geo(self, level: str, ids: list[str]) -> gpd.GeoDataFrame:
        """The units of ``ids`` that have a geometry, sorted by id, in EPSG:4326."""
        geoms = self.store.geometries(level)
        geoms = geoms[geoms["id"].isin(ids) & geoms["geometry"].notna()].sort_values("id")
        return gpd.GeoDataFrame({"id": geoms["id"].to_numpy()},
                                geometry=shapely.from_wkb(geoms["geometry"].to_numpy()),
                                crs=4326)


    def make(self, kind: str, indicator_id: str, level: str, period: str,
                     table: pd.DataFrame, summary: dict[str, Any], name: str,
                     indicators: list[Indicator], observations: pd.DataFrame,
                     params: dict[str, Any], inputs: list[Indicator],
                     input_values: pd.Series | pd.DataFrame | None = None) -> Derived:
        obs = observations.reindex(columns=OBS_COLUMNS)
        digest = hashlib.sha256()
        digest.update(dumps(params).encode())
        if input_values is not None:
            digest.update(pd.util.hash_pandas_object(input_values).to_numpy().tobytes())
        else:
            digest.update(pd.util.hash_pandas_object(obs[["unit_id", "period", "numerator",
                                                          "denominator"]]).to_numpy().tobytes())
        details = {"method": params.get("method"), "level": level, "period": period,
                   "params": params, "versions": package_versions(),
                   "inputs": [{"indicator": i.id, "source": i.source, "licence": i.licence}
                              for i in inputs],
                   "indicators": sorted(set(obs["indicator_id"]))}
        owner, state = self.mark_of(inputs, obs)
        if owner is not None:  # derived values inherit the mark of their inputs
            indicators = [replace(i, private_to=owner, private_state=state)
                          for i in indicators]
        return Derived(kind, indicator_id, level, period, table.reset_index(drop=True),
                       clean(summary), name, indicators, obs, details, digest.hexdigest(),
                       licence=join_sources({i.licence for i in inputs}),
                       source=join_sources({i.source for i in inputs}),
                       private_to=owner, private_state=state)

    def mark_of(self, inputs: Sequence[Indicator],
                observations: pd.DataFrame) -> tuple[str | None, bool]:
        """The private mark of values computed from ``inputs``: the inputs' own marks
        (as stored), those of the stored indicators the values are written to, and those
        of the datasets the input values came from (issue #20)."""
        stored = {i.id: i for i in self.store.indicators()}
        ids = {i.id for i in inputs} | set(observations["indicator_id"].dropna())
        sources: list[Indicator | Dataset] = [stored.get(i.id, i) for i in inputs]
        sources += [stored[i] for i in ids if i in stored]
        used = {str(i) for i in ids}
        for ds in self.store.datasets():
            if ds.private_to and used & set(map(str, ds.details.get("indicators", []))):
                sources.append(ds)
        return private_mark(sources)

    def write(self, items: Sequence[Derived]) -> None:
        if not items:
            return
        user = actor(self.settings)
        with self.store.transaction() as tx:
            for d in items:
                ds = Dataset(name=d.name, kind="derived", sha256=d.sha256, licence=d.licence,
                             source=d.source, user=user, rows=len(d.observations),
                             details=d.details, private_to=d.private_to,
                             private_state=d.private_state)
                tx.add_dataset(ds)
                assert ds.id is not None
                d.replaced = tx.delete_observations_of(tx.previous_revisions(ds.name, ds.id))
                tx.upsert_indicators(d.indicators)
                tx.upsert_observations(d.observations.assign(dataset_id=ds.id))
                d.dataset = ds



# -- module helpers ----------------------------------------------------------------------
def join_sources(values: set[str]) -> str:
    """Distinct non-empty sources or licences, sorted, joined by '; '."""
    return "; ".join(sorted(v for v in values if v))



def derived_indicator(base: Indicator, ind_id: str, name_de: str, name_en: str,
                       definition_de: str, definition_en: str, *, unit: str, decimals: int,
                       polarity: int) -> Indicator:
    return Indicator(ind_id, name_de, name_en, definition_de, definition_en, unit=unit,
                     polarity=Polarity(polarity), sector=base.sector,
                     life_phase=base.life_phase, aggregation=Aggregation.NONE,
                     source=f"kekiz, abgeleitet aus {base.id}" + (
                         f" ({base.source})" if base.source else ""),
                     licence=base.licence, decimals=decimals)


class DatasetReads(Protocol):
    """Whatever lists datasets and reads observations: the store or a publication view."""

    def datasets(self) -> list[Dataset]: ...

    def observations(self, *, indicator_id: str | Sequence[str] | None = None,
                     unit_ids: Sequence[str] | None = None, level: str | None = None,
                     period: str | Sequence[str] | None = None) -> pd.DataFrame: ...


def indicator_classes(store: DatasetReads, values: pd.Series, ind: Indicator, level: str,
                      period: str, method: str | None = None,
                      k: int | None = None) -> Classification:
    """The map classes of an indicator on a level in a period, the same for ``kekiz
    monitor classes``, the atlas and the report maps: without ``method`` the breaks stored
    by the last classification of exactly this indicator, level and period (``kekiz
    monitor classes``, ``monitor run``, ``index``), else the default scheme
    (:data:`~kekiz.analysis.classify.DEFAULT_METHOD`, five classes); with ``method`` that
    method."""
    stored = stored_breaks(store, ind.id, level, period) if method is None else None
    return stored_or_default_classes(values, stored, method=method, k=k,
                                     decimals=int(ind.decimals))


def stored_breaks(store: DatasetReads, indicator_id: str, level: str,
                  period: str) -> dict[str, Any] | None:
    """Method, inner breaks and closure of the last stored classification of an indicator
    on a level in a period (``kekiz monitor classes``, ``monitor run``, ``index``): the
    details of its derived dataset are the one place where the breaks of a map are kept.
    ``None`` when there is none, or when the values were imported after it (stale)."""
    obs = store.observations(indicator_id=indicator_id, level=level, period=period)
    ids = pd.to_numeric(obs["dataset_id"], errors="coerce").dropna() \
        if "dataset_id" in obs.columns else pd.Series(dtype=float)
    newest = int(ids.max()) if len(ids) else 0
    for ds in sorted(store.datasets(), key=lambda d: -(d.id or 0)):
        if (ds.id or 0) < newest:
            return None
        details = ds.details or {}
        if ds.kind != "derived" or details.get("level") != level or \
                str(details.get("period")) != period:
            continue
        params = details.get("params") or {}
        if isinstance(params.get("classes"), dict) and params.get("name") == indicator_id:
            params = params["classes"]
        elif params.get("of") != indicator_id or "breaks" not in params or \
                "closed" not in params:
            continue
        return {"method": str(params.get("method", "manual")),
                "breaks": [float(b) for b in params["breaks"]],
                "closed": str(params.get("closed", "left"))}
    return None


def classify_values(values: pd.Series, method: str, k: int, breaks: Sequence[float] | None,
                    decimals: int) -> Classification:
    """The map classes of :func:`kekiz.analysis.classify.map_classes` (one function for
    ``kekiz monitor classes``, the atlas and the report maps)."""
    return map_classes(values, method, k, breaks=breaks, decimals=decimals)
