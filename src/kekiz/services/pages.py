"""The read model of the web pages and APIs (issue #8): what pages and APIs show.

:class:`PageService` reads through the publication gate (a
:class:`~kekiz.privacy.publish.PublishedReads` view of the store for one audience): every
observation arrives in its published form, with the reason of every status that is not
``ok``.  Statistics that summarise many values (class breaks, medians, ranks) are computed
from publishable values only (status ``ok``, ``estimated`` or ``unreliable``), so they
cannot reveal a withheld value either.

Results that are expensive and change only with a write (the catalogue of levels and
indicators, the state-network overview, shapes, latest values per level) are cached per
*data version* of the store, which every write transaction increments.
"""

from __future__ import annotations

import math
import tempfile
import threading
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from kekiz.analysis.classify import DEFAULT_K, DEFAULT_METHOD
from kekiz.domain.cooperation import Network
from kekiz.domain.directory import Directory
from kekiz.domain.errors import KekizError, MethodError, NotFound
from kekiz.domain.goals import Leitbild
from kekiz.domain.model import Dataset, Indicator, Level, Unit
from kekiz.goals.scorecard import Scorecard
from kekiz.network.reach import ReachResult
from kekiz.prevention.cooperation import NetworkMetrics, WaveComparison
from kekiz.prevention.finder import FinderHit
from kekiz.privacy.publish import REASONS, Audience, PublishedReads, publish
from kekiz.reporting import export as exporter
from kekiz.services.base import attributions_of
from kekiz.services.chain import ChainService
from kekiz.services.chain_results import ChainResult, CoverageResult, GapsResult
from kekiz.services.cooperation import CooperationService
from kekiz.services.data import DataService
from kekiz.services.derived import indicator_classes
from kekiz.services.directory import DirectoryService
from kekiz.services.finder import FinderService, StreetStart
from kekiz.services.goals import GoalService
from kekiz.services.network import DEFAULT_PROGRAMME, NetworkOverview, NetworkService
from kekiz.services.page_models import AtlasData, Comparison, FeaturePage, Profile
from kekiz.services.stored import StoredResults, scope_of
from kekiz.settings import Settings

__all__ = ["CLASS_METHODS", "STANDARD_CLASSES", "USABLE", "AtlasData", "Comparison", "FeaturePage",
           "NetworkOverview", "PageService", "Profile"]

#: Statuses whose values may be published and enter summaries (breaks, medians, ranks).
USABLE = ("ok", "estimated", "unreliable")
#: The atlas's default: the classes of ``kekiz monitor classes`` (see
#: :func:`~kekiz.services.derived.indicator_classes`).
STANDARD_CLASSES = "standard"
#: Classification methods offered on the atlas: name -> (German, English label).
CLASS_METHODS: dict[str, tuple[str, str]] = {
    STANDARD_CLASSES: ("Standard wie im Monitoring (gespeicherte Klassen, sonst Quantile "
                       "nach R-Typ 9)", "Standard as in the monitoring (stored classes, "
                       "else type-9 quantiles)"),
    "quantile9": ("Quantile nach R-Typ 9 (wie der GISD)", "Type-9 quantiles (as the GISD)"),
    "quantiles": ("Quantile (gleich viele Gebiete je Klasse)",
                  "Quantiles (equal number of areas per class)"),
    "fisher_jenks": ("Natürliche Brüche (Fisher-Jenks)", "Natural breaks (Fisher-Jenks)"),
    "equal_interval": ("Gleiche Abstände", "Equal intervals"),
    "std_mean": ("Mittelwert ± Standardabweichung", "Mean ± standard deviation"),
}
OBS_COLUMNS = ["indicator_id", "unit_id", "period", "value", "numerator", "denominator",
               "status", "lower", "upper", "reason_de", "reason_en"]
DOWNLOAD_TYPES = {"csv": "text/csv; charset=utf-8",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  "geojson": "application/geo+json",
                  "gpkg": "application/geopackage+sqlite3"}


class PageService:
    """The read model of the pages and APIs for one audience (see the module docstring).

    ``network`` is the state-network service over the store without withheld values;
    ``data`` gives the export writers.
    """

    def __init__(self, reads: PublishedReads, settings: Settings, *, network: NetworkService,
                 data: DataService, chain: ChainService, goals: GoalService,
                 cooperation: CooperationService, finder: FinderService,
                 directory: DirectoryService) -> None:
        self.store = reads
        self.settings = settings
        self._network = network
        self._data = data
        self._chain = chain
        self._goals = goals
        self._cooperation = cooperation
        self._finder = finder
        self._directory = directory
        self._cache: dict[tuple[Any, ...], tuple[int, Any]] = {}
        self._lock = threading.Lock()
        self._stored = StoredResults(reads, scope_of(reads))

    @property
    def audience(self) -> Audience:
        return self.store.audience

    def publish(self, table: pd.DataFrame, *, derived: Sequence[str] = ()) -> pd.DataFrame:
        """``table`` in its published form for this audience (see the publication gate);
        ``derived`` columns are withheld with a withheld value."""
        return publish(table, self.audience, derived=derived)

    # -- cache ---------------------------------------------------------------------------
    def data_version(self) -> int:
        """The store's data version: changes with every write."""
        return self.store.data_version()

    def cache_key(self, *parts: Any) -> tuple[Any, ...]:
        """A key for caches outside this object: the store, its data version, ``parts``."""
        return (self.store.safe_url(), self.data_version(), *parts)

    def cached(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        """``make()``, kept until the next write to the store."""
        return self._cached(key, make)

    def _cached(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        """From this process's memory, else from the store's derived results of this data
        version and audience (:mod:`kekiz.services.stored`), else ``make()`` (kept in
        both).  The day is part of the stored key: some results count from today."""
        version = self.data_version()
        hit = self._cache.get(key)
        if hit is not None and hit[0] == version:
            return hit[1]
        value = self._stored.get(f"pages:{key[0]}", (*key[1:], date.today().isoformat()),
                                 make, version)
        with self._lock:
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[key] = (version, value)
        return value

    # -- catalogue -----------------------------------------------------------------------
    def web_catalogue(self) -> dict[str, Any]:
        """Levels that hold units and indicators with their periods per level.

        ``{"levels": [{"level": Level, "units": n}], "indicators": [{"indicator":
        Indicator, "periods": {level: [period, ...]}}]}``
        """
        return dict(self._cached(("catalogue",), self._make_catalogue))

    def _make_catalogue(self) -> dict[str, Any]:
        store = self.store
        counts = store.count_units()
        levels: list[dict[str, Any]] = [{"level": lv, "units": counts[lv.id]}
                                        for lv in store.levels() if counts.get(lv.id)]
        periods: dict[str, dict[str, list[str]]] = {}
        for entry in levels:
            lv = entry["level"].id
            obs = store.observations(level=lv)
            for (ind, per), _ in obs.groupby(["indicator_id", "period"]):
                periods.setdefault(str(ind), {}).setdefault(lv, []).append(str(per))
        indicators = [{"indicator": i, "periods": {lv: sorted(p) for lv, p in
                                                  periods.get(i.id, {}).items()}}
                      for i in sorted(store.indicators(), key=lambda i: i.name_de.lower())]
        return {"levels": levels, "indicators": indicators}

    def _periods_of(self, indicator_id: str, level: str) -> list[str]:
        for entry in self.web_catalogue()["indicators"]:
            if entry["indicator"].id == indicator_id:
                return list(entry["periods"].get(level, []))
        self.store.indicator(indicator_id)  # raises NotFound with the fix
        return []

    def level_shapes(self, level: str) -> pd.DataFrame:
        """id, name, parent_id and shapely geometry (EPSG:4326) of a level's units
        (cached per data version; do not modify the frame)."""
        frame: pd.DataFrame = self._cached(
            ("shapes", level), lambda: _with_shapes(self.store.geometries(level)))
        return frame

    def _level_medians(self, level: str) -> pd.DataFrame:
        """indicator_id, period, median, n of publishable values of every indicator and
        period on a level (cached per data version)."""
        def make() -> pd.DataFrame:
            obs = self.store.observations(level=level)
            obs = obs[obs["status"].isin(USABLE) & obs["value"].notna()]
            grouped = obs.groupby(["indicator_id", "period"])["value"].agg(["median", "count"])
            return grouped.reset_index().rename(columns={"count": "n"})

        frame: pd.DataFrame = self._cached(("medians", level), make)
        return frame

    def _filled_level(self, level: str) -> Level:
        lv = self.store.level(level)
        if not self.store.count_units().get(level):
            raise NotFound(f"Auf der Ebene '{level}' gibt es keine Gebiete.",
                           message_en=f"There are no areas on level '{level}'.")
        return lv

    # -- atlas ---------------------------------------------------------------------------
    def atlas(self, level: str, indicator_id: str, period: str | None = None, *,
              method: str = STANDARD_CLASSES, k: int = 5) -> AtlasData:
        """Units of a level with geometry, one indicator in one period, and classes
        (kept per data version; do not modify the result)."""
        data: AtlasData = self._cached(("atlas", level, indicator_id, period, method, k),
                                       lambda: self._make_atlas(level, indicator_id, period,
                                                                method, k))
        return data

    def _make_atlas(self, level: str, indicator_id: str, period: str | None, method: str,
                    k: int) -> AtlasData:
        lv = self._filled_level(level)
        ind = self.store.indicator(indicator_id)
        if method not in CLASS_METHODS:
            raise MethodError(f"Unbekannte Klassifizierung '{method}'. Möglich: "
                              f"{', '.join(CLASS_METHODS)}.",
                              message_en=f"Unknown classification '{method}'. Possible: "
                              f"{', '.join(CLASS_METHODS)}.")
        if not 2 <= k <= 9:
            raise MethodError(f"Anzahl der Klassen {k}: erwartet 2 bis 9.",
                              message_en=f"Number of classes {k}: expected 2 to 9.")
        periods = self._periods_of(indicator_id, level)
        if not periods:
            raise NotFound(f"Für '{ind.name_de}' gibt es auf der Ebene '{lv.name_de}' keine "
                           "Werte.", message_en=f"No values of '{ind.name_en}' on level "
                           f"'{lv.name_en}'.")
        period = period or periods[-1]
        if period not in periods:
            raise NotFound(f"Zeitraum '{period}' gibt es für '{ind.name_de}' auf dieser Ebene "
                           f"nicht. Vorhanden: {', '.join(periods)}.",
                           message_en=f"No period '{period}' of '{ind.name_en}' on this "
                           f"level. Available: {', '.join(periods)}.")
        units = self.level_shapes(level)
        obs = (self.store.observations(indicator_id=indicator_id, level=level,
                                                    period=period))
        frame = units.merge(obs, left_on="id", right_on="unit_id", how="left")
        frame = _fill_missing(frame.drop(columns=["unit_id"]), indicator_id, period)
        usable = frame["status"].isin(USABLE) & frame["value"].notna()
        values = frame["value"].where(usable)
        legend: list[dict[str, Any]] = []
        notes_de: list[str] = []
        notes_en: list[str] = []
        frame["klass"] = pd.Series(pd.NA, index=frame.index, dtype="Int64")
        if usable.any():
            # standard: the stored classes of this map, else type-9 quintiles; another k
            # asks for type-9 quantiles with k classes
            chosen = (None if k == DEFAULT_K else DEFAULT_METHOD) \
                if method == STANDARD_CLASSES else method
            clf = indicator_classes(self.store, values[usable], ind, level, period, chosen, k)
            frame.loc[usable, "klass"] = clf.classes
            legend = [{"class": int(c), "label_de": de, "label_en": en, "count": int(n)}
                      for c, de, en, n in zip(clf.class_ids, clf.labels, clf.labels_en,
                                              clf.counts, strict=True)]
            notes_de, notes_en = list(clf.notes), list(clf.notes_en)
        return AtlasData(lv, ind, period, periods, method, k, frame, legend, notes_de,
                         notes_en)

    # -- unit profile ----------------------------------------------------------------------
    def unit_profile(self, unit_id: str) -> Profile:
        """A unit against its parent, its city and the median of its level."""
        store = self.store
        unit = store.unit(unit_id)
        levels = {lv.id: lv for lv in store.levels()}
        ancestors: list[Unit] = []
        seen = {unit.id}
        parent_id = unit.parent_id
        while parent_id and parent_id not in seen:
            seen.add(parent_id)
            try:
                parent = store.unit(parent_id)
            except NotFound:
                break
            ancestors.append(parent)
            parent_id = parent.parent_id
        children = store.units(parent_id=unit.id)
        siblings = store.units(level=unit.level, parent_id=unit.parent_id) \
            if unit.parent_id else []
        peers = [u for u in siblings if u.id != unit.id]
        obs = (store.observations(unit_ids=[unit.id, *[a.id for a in ancestors]]))
        own = obs[obs["unit_id"] == unit.id]
        known = {i.id: i for i in store.indicators()}
        indicators = sorted((known[i] for i in own["indicator_id"].unique() if i in known),
                            key=lambda i: (i.sector, i.name_de.lower()))
        latest = own.groupby("indicator_id")["period"].max()
        medians = self._medians(unit.level, latest)
        context = self.level_shapes(unit.level)
        if len(siblings) >= 3:
            context = context[context["id"].isin([u.id for u in siblings])]
        return Profile(unit, levels[unit.level], ancestors, children, peers,
                       self._memberships(unit, ancestors), indicators,
                       obs[OBS_COLUMNS].reset_index(drop=True), medians,
                       context.reset_index(drop=True), levels)

    def _medians(self, level: str, latest: pd.Series) -> pd.DataFrame:
        cols = ["indicator_id", "period", "median", "n"]
        if latest.empty:
            return pd.DataFrame(columns=cols)
        wanted = pd.MultiIndex.from_arrays([latest.index, latest.to_numpy()])
        all_medians = self._level_medians(level)
        keys = pd.MultiIndex.from_frame(all_medians[["indicator_id", "period"]])
        return all_medians[keys.isin(wanted)][cols].reset_index(drop=True)

    def _memberships(self, unit: Unit, ancestors: list[Unit]) -> list[dict[str, Any]]:
        names = {u.id: u.name for u in [unit, *ancestors]}
        out = []
        for m in self.store.members():
            if m.unit_id in names:
                out.append({"programme": m.programme, "joined": m.joined, "left": m.left,
                            "via_id": m.unit_id, "via_name": names[m.unit_id],
                            "direct": m.unit_id == unit.id})
        return out

    # -- comparison --------------------------------------------------------------------------
    def comparison(self, indicator_id: str, unit_ids: Sequence[str],
                   period: str | None = None) -> Comparison:
        """Time series of ``unit_ids`` and the ranking of the first unit's level."""
        store = self.store
        ind = store.indicator(indicator_id)
        if not unit_ids:
            raise MethodError("Bitte mindestens ein Gebiet wählen.",
                              message_en="Please choose at least one area.")
        if len(unit_ids) > 12:
            raise MethodError(f"{len(unit_ids)} Gebiete gewählt: höchstens 12.",
                              message_en=f"{len(unit_ids)} areas chosen: at most 12.")
        units = [store.unit(u) for u in dict.fromkeys(unit_ids)]
        level = store.level(units[0].level)
        periods = self._periods_of(indicator_id, level.id)
        if period is not None and period not in periods:
            raise NotFound(f"Zeitraum '{period}' gibt es für '{ind.name_de}' nicht. "
                           f"Vorhanden: {', '.join(periods) or '–'}.",
                           message_en=f"No period '{period}' of '{ind.name_en}'. "
                           f"Available: {', '.join(periods) or '–'}.")
        period = period or (periods[-1] if periods else "")
        names = {u.id: u.name for u in units}
        series = (store.observations(indicator_id=indicator_id,
                                                  unit_ids=list(names)))
        series = series.assign(name=series["unit_id"].map(names))[[*OBS_COLUMNS, "name"]]
        ranking = self._ranking(ind, level.id, period)
        usable = ranking[ranking["status"].isin(USABLE) & ranking["value"].notna()]
        median = float(usable["value"].median()) if not usable.empty else None
        return Comparison(ind, level, period, periods, units, series.reset_index(drop=True),
                          ranking, median)

    def _ranking(self, ind: Indicator, level: str, period: str) -> pd.DataFrame:
        units = self.store.units_frame(level)[["id", "name", "parent_id"]]
        obs = (self.store.observations(indicator_id=ind.id, level=level,
                                                    period=period or None))
        if not period:
            obs = obs.iloc[0:0]
        frame = _fill_missing(units.merge(obs, left_on="id", right_on="unit_id", how="left")
                              .drop(columns=["unit_id"]), ind.id, period)
        usable = frame["status"].isin(USABLE) & frame["value"].notna()
        rank = frame["value"].where(usable).rank(ascending=False, method="min")
        frame["rank"] = rank.astype("Int64")
        frame = frame.sort_values(["rank", "name"], na_position="last")
        return frame.rename(columns={"id": "unit_id"}).reset_index(drop=True)

    # -- state network -----------------------------------------------------------------------
    def network_overview(self, programme: str | None = None,
                         year: int | None = None) -> NetworkOverview:
        """Members, reach per year, funding and a map of one programme (cached)."""
        result: NetworkOverview = self._cached(
            ("network", programme, year), lambda: self._network.overview(programme, year))
        return result

    def network_programmes(self) -> tuple[list[str], str]:
        return self._network.programmes()

    def network_members(self, programme: str | None = None,
                        year: int | None = None) -> pd.DataFrame:
        return self._network.members(programme, year)

    # -- sources -------------------------------------------------------------------------------
    def sources(self) -> dict[str, Any]:
        """Sources and licences: the bundled demo files and every dataset in the store."""
        datasets = pd.DataFrame([_dataset_row(d) for d in self.store.datasets()],
                                columns=["id", "name", "kind", "revision", "licence",
                                         "source", "rows", "imported_at", "file", "user",
                                         "sha256"])
        indicators = pd.DataFrame(
            [{"id": i.id, "name_de": i.name_de, "name_en": i.name_en, "source": i.source,
              "licence": i.licence, "unit": i.unit, "definition_de": i.definition_de,
              "definition_en": i.definition_en} for i in self.store.indicators()])
        return {"attributions": attributions_of(self.store.datasets()), "datasets": datasets,
                "indicators": indicators}

    # -- API reads -------------------------------------------------------------------------------
    def units_of(self, level: str | None = None, parent_id: str | None = None) -> list[Unit]:
        """Units (without geometry) of a level and/or below a parent, ordered by id."""
        if level is not None:
            self.store.level(level)
        return self.store.units(level=level, parent_id=parent_id)

    def observations_page(self, *, indicator_id: str | None = None,
                          unit_id: str | None = None, level: str | None = None,
                          period: str | None = None, limit: int = 100,
                          offset: int = 0) -> tuple[int, pd.DataFrame]:
        """Observations with unit names, filtered, one page: (number matched, page)."""
        store = self.store
        if indicator_id is not None:
            store.indicator(indicator_id)
        if level is not None:
            store.level(level)
        if unit_id is not None:
            store.unit(unit_id)
        obs = (store.observations(
            indicator_id=indicator_id, unit_ids=[unit_id] if unit_id else None, level=level,
            period=period))
        total = len(obs)
        page = obs.iloc[offset:offset + limit]
        units = store.units_frame()
        names = dict(zip(units["id"], units["name"], strict=True))
        lvls = dict(zip(units["id"], units["level"], strict=True))
        page = page.assign(name=page["unit_id"].map(names), level=page["unit_id"].map(lvls))
        return total, page[[*OBS_COLUMNS, "name", "level"]].reset_index(drop=True)

    def feature_collections(self) -> list[dict[str, Any]]:
        """One collection per level with units: level, count, bbox, first/last period."""
        return list(self._cached(("collections",), self._make_collections))

    def _make_collections(self) -> list[dict[str, Any]]:
        out = []
        catalogue = self.web_catalogue()
        for entry in catalogue["levels"]:
            lv: Level = entry["level"]
            geoms = self.level_shapes(lv.id)["geometry"].dropna()
            bounds = shapely.total_bounds(geoms.to_numpy()) if len(geoms) else None
            periods = sorted({p for ind in catalogue["indicators"]
                              for p in ind["periods"].get(lv.id, [])})
            out.append({"level": lv, "count": entry["units"],
                        "bbox": None if bounds is None or np.isnan(bounds).any()
                        else [float(b) for b in bounds],
                        "first": periods[0] if periods else None,
                        "last": periods[-1] if periods else None,
                        "indicators": sorted(ind["indicator"].id
                                             for ind in catalogue["indicators"]
                                             if ind["periods"].get(lv.id))})
        return out

    def features(self, level: str, *, bbox: Sequence[float] | None = None, limit: int = 10,
                 offset: int = 0, start: str | None = None, end: str | None = None,
                 unit_id: str | None = None) -> FeaturePage:
        """A page of a level's units (optionally inside ``bbox``), each with its latest
        value of every indicator whose period lies in ``start``..``end`` (inclusive,
        compared as period strings: ``2017`` covers ``2017`` and ``2017-06``)."""
        lv = self._filled_level(level)
        units = self.level_shapes(level)
        if unit_id is not None:
            units = units[units["id"] == unit_id]
            if units.empty:
                raise NotFound(f"Kein Gebiet '{unit_id}' in der Sammlung '{level}'.",
                               message_en=f"No area '{unit_id}' in collection '{level}'.")
        if bbox is not None:
            box = shapely.box(*bbox[:4]) if len(bbox) == 4 else \
                shapely.box(bbox[0], bbox[1], bbox[3], bbox[4])
            hit = shapely.intersects(units["geometry"].to_numpy(), box)
            units = units[np.asarray(hit, dtype=bool)]
        matched = len(units)
        page = units.iloc[offset:offset + limit].reset_index(drop=True)
        ids = list(page["id"])
        indicators: list[str] = next((c["indicators"] for c in self.feature_collections()
                                      if c["level"].id == level), [])
        if not ids:
            return FeaturePage(lv, matched, page, (
                self.store.observations(unit_ids=[])), indicators)
        if start is None and end is None:  # the common request: latest values, cached
            latest_all: pd.DataFrame = self._cached(("latest", level),
                                                    lambda: self._latest_of_level(level))
            latest = latest_all[latest_all["unit_id"].isin(ids)]
            return FeaturePage(lv, matched, page, latest.reset_index(drop=True), indicators)
        obs = self.store.observations(level=level) if len(ids) > 500 else \
            self.store.observations(unit_ids=ids)
        obs = obs[obs["unit_id"].isin(ids)]
        periods = obs["period"].astype(str)
        if start is not None:
            obs = obs[periods.str[:len(start)] >= start]
            periods = obs["period"].astype(str)
        if end is not None:
            obs = obs[periods.str[:len(end)] <= end]
        latest = (obs.sort_values("period").groupby(["unit_id", "indicator_id"]).tail(1))
        return FeaturePage(lv, matched, page, (latest).reset_index(drop=True),
                           indicators)

    def _latest_of_level(self, level: str) -> pd.DataFrame:
        """The latest observation of every unit of ``level`` and indicator, with reasons."""
        obs = self.store.observations(level=level)
        latest = obs.sort_values("period").groupby(["unit_id", "indicator_id"]).tail(1)
        return (latest).reset_index(drop=True)

    # -- downloads -------------------------------------------------------------------------------
    def download(self, fmt: str, *, indicator_id: str | None = None,
                 level: str | None = None, period: str | None = None,
                 lang: str = "de", full_precision: bool = False) -> tuple[bytes, str, str]:
        """The export of :meth:`kekiz.services.data.DataService.export` as bytes: (content,
        file name, media type).

        The table is read through the publication gate, then written with the same writers
        as the export (CSV in German Excel conventions, XLSX, GeoJSON, GeoPackage).
        """
        fmt = fmt.lower()
        if fmt not in DOWNLOAD_TYPES:
            raise KekizError(f"Unbekanntes Format '{fmt}'. Möglich: csv, xlsx, geojson, "
                             "gpkg.", message_en=f"Unknown format '{fmt}'. Possible: csv, "
                             "xlsx, geojson, gpkg.")
        if level is not None:
            self.store.level(level)
        frame = self._data.table(indicator_id, level, period, reads=self.store)
        if not full_precision:  # as shown: rounded to each indicator's decimals
            frame = exporter.round_values(frame, {i.id: int(i.decimals)
                                                  for i in self.store.indicators()})
        stem = "_".join(p for p in ("kekiz", indicator_id, level, period) if p)
        name = f"{stem}.{fmt}"
        with tempfile.TemporaryDirectory(prefix="kekiz-dl-") as tmp:
            out = Path(tmp) / name
            if fmt in ("csv", "xlsx"):
                exporter.write_table(frame, out, fmt, lang=lang)
            else:
                if level is None:
                    raise KekizError("Für GeoJSON/GeoPackage bitte eine Ebene angeben.",
                                     message_en="Please give a level for GeoJSON/GeoPackage.")
                import geopandas as gpd

                geoms = self.store.geometries(level)
                wide = exporter.wide(frame)
                gdf = gpd.GeoDataFrame(
                    geoms[["id", "name", "parent_id"]].merge(
                        wide, left_on="id", right_on="unit_id", how="left")
                    .drop(columns=["unit_id"]),
                    geometry=shapely.from_wkb(geoms["geometry"].to_numpy()), crs=4326)
                exporter.write_geo(gdf, out, fmt)
            return out.read_bytes(), name, DOWNLOAD_TYPES[fmt]


    # -- the other capabilities as the pages show them -----------------------------------------
    def chain_matrix(self, unit: str | None = None, level: str | None = None) -> ChainResult:
        return self._chain.matrix(unit, level)

    def coverage(self, *args: Any, **kwargs: Any) -> CoverageResult:
        return self._chain.coverage(*args, **kwargs)

    def gaps(self, *args: Any, **kwargs: Any) -> GapsResult:
        return self._chain.gaps(*args, **kwargs)

    def stored_directory(self) -> Directory:
        return self._directory.stored_directory()

    def find(self, **filters: Any) -> list[FinderHit]:
        return self._finder.find(**filters)

    def finder_directory(self) -> Directory:
        """The offers the family finder searches: the public ones, for every audience
        (a search never shows private data, issue #20)."""
        return self._finder.store.load_directory()

    def finder_sources(self) -> set[str]:
        """The names of the datasets the family finder reads (the public ones)."""
        return {d.name for d in self._finder.store.datasets()}

    def locate_street(self, text: str) -> StreetStart:
        return self._finder.locate(text)

    def street_pairs(self) -> list[tuple[str, str]]:
        return self._finder.street_pairs()

    def streets_synthetic(self) -> bool | None:
        return self._finder.streets_synthetic()

    def leitbilder(self) -> list[tuple[str, str, str]]:
        return self._goals.leitbilder()

    def leitbild(self, leitbild_id: str | None = None) -> Leitbild:
        return self._goals.leitbild(leitbild_id)

    def goal_scorecard(self, unit_id: str | None = None,
                       leitbild_id: str | None = None) -> Scorecard:
        return self._goals.scorecard(unit_id, leitbild_id)

    def goal_status(self, unit_id: str | None = None, leitbild_id: str | None = None,
                    lang: str | None = None) -> dict[str, Any]:
        return self._goals.status(unit_id, leitbild_id, lang)

    def cooperation_waves(self) -> list[dict[str, Any]]:
        return self._cooperation.waves()

    def cooperation_network(self, wave: int | None = None) -> Network:
        return self._cooperation.network(wave)

    def cooperation_metrics(self, wave: int | None = None) -> NetworkMetrics:
        return self._cooperation.metrics(wave)

    def compare_cooperation(self, wave_a: int, wave_b: int) -> WaveComparison:
        return self._cooperation.compare(wave_a, wave_b)

    def reach(self, year: int, age_max: int = 18,
              programme: str = DEFAULT_PROGRAMME) -> ReachResult:
        return self._network.reach(year, age_max, programme)

    def funding_ledger(self, programme: str = DEFAULT_PROGRAMME,
                       year: int | None = None) -> dict[str, Any]:
        return self._network.funding_ledger(programme, year)

def _with_shapes(frame: pd.DataFrame) -> pd.DataFrame:
    """Replace WKB by shapely geometries (``None`` stays ``None``)."""
    wkb = frame["geometry"].to_numpy()
    shapes = np.array([None] * len(wkb), dtype=object)
    has = np.array([g is not None for g in wkb], dtype=bool)
    if has.any():
        shapes[has] = shapely.from_wkb(wkb[has])
    return frame.assign(geometry=shapes)


def _fill_missing(frame: pd.DataFrame, indicator_id: str, period: str) -> pd.DataFrame:
    """Rows without an observation become status ``missing`` with its reason."""
    none = frame["status"].isna()
    frame = frame.copy()
    frame.loc[none, "status"] = "missing"
    frame.loc[none, "indicator_id"] = indicator_id
    frame.loc[none, "period"] = period
    frame.loc[none, "reason_de"] = REASONS["missing"][0]
    frame.loc[none, "reason_en"] = REASONS["missing"][1]
    for col in ("value", "numerator", "denominator", "lower", "upper"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    return frame


def _dataset_row(d: Dataset) -> dict[str, Any]:
    return {"id": d.id, "name": d.name, "kind": d.kind, "revision": d.revision,
            "licence": d.licence, "source": d.source, "rows": d.rows,
            "imported_at": d.imported_at, "file": d.file, "user": d.user,
            "sha256": d.sha256}


def finite(value: Any) -> float | None:
    """A float for JSON, or ``None`` for missing and non-finite values."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None
