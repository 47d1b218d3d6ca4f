"""Composite indices and district typologies from stored indicators (issue #3, items 3
and 5).

Both use cases read stored observations of one level and period, compute through
:mod:`kekiz.analysis` (:func:`~kekiz.analysis.indices.compute_index`,
:func:`~kekiz.analysis.typology.typology`) and write the results as a derived dataset in
one transaction, with method, parameters, seed and package versions in the dataset's
details and in every observation's ``params``; a rerun replaces the earlier revision.

``composite_index`` stores ``<name>`` (the index; a high value means more disadvantage)
and ``<name>_klasse`` (quintiles after R type 9, 1 = lowest values).  Indicators are
oriented by their polarity (``Indicator.polarity``: -1 higher is worse, +1 higher is
better).  Units under ``min_population`` inhabitants (``einwohner`` of the same period or
the nearest one), units named in ``exclude`` and units with missing values get no index;
they are stored with status ``missing`` and the reason.

``typology`` stores ``<name>_typ`` (type 1..k per unit); the German (and English) profile
of every type is in the dataset's details and in every value's ``params``.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from kekiz.analysis.indices import (
    DYNAMICS_CLASSES,
    INDEX_METHODS,
    STATUS_CLASSES,
    IndicatorSpec,
    compute_index,
)
from kekiz.analysis.typology import TYPOLOGY_METHODS
from kekiz.analysis.typology import typology as make_typology
from kekiz.domain.errors import MethodError
from kekiz.domain.jsonable import clean, dumps
from kekiz.domain.model import Aggregation, Indicator, Polarity
from kekiz.services.derived import (
    USABLE,
    Derived,
    DerivedResults,
    classify_values,
    join_sources,
    package_versions,
)
from kekiz.settings import Settings
from kekiz.storage.protocol import Store

__all__ = ["COMPOSITE_METHODS", "DYNAMICS_CLASSES", "STATUS_CLASSES", "CompositeRun",
           "IndexService", "TypologyRun"]

#: Composite methods offered by :meth:`IndexService.composite_index`.
COMPOSITE_METHODS = ("weighted_z", "minmax", "rank", "pca", "mss")
_METHOD_DE = {"weighted_z": "gewichteter z-Wert-Index", "minmax": "Min-Max-Index",
              "rank": "Rang-Index", "pca": "Hauptkomponenten-Index (GISD-Verfahren)",
              "mss": "Statusindex nach dem Berliner MSS"}
_METHOD_EN = {"weighted_z": "weighted z-score composite", "minmax": "min-max composite",
              "rank": "rank composite", "pca": "principal component composite (GISD method)",
              "mss": "status index after Berlin's MSS"}
_ID = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_K_CLASSES = 5


@dataclass
class CompositeRun(Derived):
    """A stored composite index: :class:`Derived` plus the excluded units and reasons."""

    excluded: list[dict[str, str]] = field(default_factory=list)


@dataclass
class TypologyRun(Derived):
    """A stored typology: :class:`Derived` plus sizes and profiles of the types."""

    sizes: dict[int, int] = field(default_factory=dict)
    profiles: dict[int, str] = field(default_factory=dict)
    profiles_en: dict[int, str] = field(default_factory=dict)
    excluded: list[dict[str, str]] = field(default_factory=list)


def _err(de: str, en: str) -> MethodError:
    return MethodError(de, message_en=en)


def _promote(d: Derived, cls: type[Any], **extra: Any) -> Any:
    return cls(**{f.name: getattr(d, f.name) for f in fields(Derived)}, **extra)


class IndexService:
    """Composite indices and typologies of stored indicators."""

    def __init__(self, store: Store, settings: Settings, derived: DerivedResults) -> None:
        self.store = store
        self.settings = settings
        self._derived = derived

    # -- public use cases ---------------------------------------------------------------
    def composite_index(self, level: str, indicators: Sequence[str], period: str, *,
                        name: str = "sozialindex", method: str = "weighted_z",
                        weights: Mapping[str, float] | Sequence[float] | None = None,
                        polarity: Mapping[str, int] | None = None,
                        min_population: float | None = 300,
                        population: str = "einwohner",
                        exclude: Sequence[str] | Mapping[str, str] = ()) -> CompositeRun:
        """Composite index of ``indicators`` (one period), stored as ``<name>`` and
        ``<name>_klasse`` (type-9 quintiles).

        ``method``: ``weighted_z`` (default), ``minmax``, ``rank``, ``pca`` or ``mss``.
        ``weights``: per indicator (mapping or list in the order of ``indicators``; not
        for ``mss``).  ``polarity`` overrides the stored polarity (-1 higher is worse, +1
        better); an indicator without direction needs it.  ``min_population`` is checked
        against ``population`` of the same period or the nearest one; without such values
        no unit is excluded for its size (noted in the summary).
        """
        out = self._index(level, list(indicators), period, name=name, method=method,
                             weights=weights, polarity=polarity,
                             min_population=min_population, population=population,
                             exclude=exclude)
        self._derived.write([out])
        return out

    def typology(self, level: str, indicators: Sequence[str], period: str, *, k: int = 4,
                 method: str = "kmeans", seed: int = 42, name: str = "sozialraum",
                 threshold: float = 0.5) -> TypologyRun:
        """Types of areas with a similar profile (k-means or Ward on z-scores), stored as
        ``<name>_typ``; returns the size and the German profile of every type."""
        out = self._typology(level, list(indicators), period, k=k, method=method,
                                seed=seed, name=name, threshold=threshold)
        self._derived.write([out])
        return out

    # -- reading -------------------------------------------------------------------------
    def _frame(self, level: str, indicators: list[str],
                  period: str) -> tuple[pd.DataFrame, list[Indicator]]:
        """One row per unit with a value of any of ``indicators`` in ``period``; values
        that are missing or not usable are NaN."""
        if not indicators:
            raise _err("Keine Indikatoren angegeben. Erwartet: mindestens einen, z. B. "
                       "--indicators kinderarmut,kaufkraft.",
                       "No indicators given. Expected at least one, e.g. --indicators "
                       "kinderarmut,kaufkraft.")
        if len(set(indicators)) != len(indicators):
            raise _err(f"Ein Indikator ist mehrfach angegeben: {indicators}.",
                       f"An indicator is listed twice: {indicators}.")
        self.store.level(level)
        inds = [self.store.indicator(i) for i in indicators]
        obs = self.store.observations(indicator_id=indicators, level=level, period=period)
        if obs.empty:
            raise _err(f"Keine Werte für {', '.join(indicators)} auf der Ebene {level} im "
                       f"Zeitraum {period}.",
                       f"No values of {', '.join(indicators)} on level {level} in period "
                       f"{period}.")
        missing = [i for i in indicators if i not in set(obs["indicator_id"])]
        if missing:
            have = ", ".join(sorted(self.store.observations(
                indicator_id=missing[0], level=level)["period"].unique())[-5:])
            raise _err(f"Keine Werte für '{missing[0]}' ({level}) im Zeitraum {period}."
                       + (f" Vorhanden u. a.: {have}." if have else ""),
                       f"No values of '{missing[0]}' ({level}) in period {period}."
                       + (f" Available e.g.: {have}." if have else ""))
        obs = obs.assign(value=obs["value"].where(obs["status"].isin(USABLE)))
        wide = obs.pivot_table(index="unit_id", columns="indicator_id", values="value",
                               aggfunc="first", dropna=False).reindex(columns=indicators)
        wide = wide.reindex(sorted(set(obs["unit_id"]))).astype(float)
        wide.columns.name = None
        return wide.rename_axis("id").reset_index(), inds

    def _population(self, level: str, period: str, ids: list[str],
                       population: str) -> tuple[pd.Series | None, str | None]:
        """Inhabitants per unit of the same period or the nearest one (by year)."""
        obs = self.store.observations(indicator_id=population, level=level)
        obs = obs[obs["status"].isin(USABLE) & obs["value"].notna()]
        if obs.empty:
            return None, None
        periods = sorted(set(obs["period"]))
        if period not in periods:
            year = pd.to_numeric(pd.Series([period[:4]]), errors="coerce").iloc[0]
            years = pd.to_numeric(pd.Series([p[:4] for p in periods]), errors="coerce")
            if pd.isna(year) or years.isna().all():
                return None, None
            dist = (years - year).abs()
            # nearest year; on a tie the later period
            gaps = dist.fillna(np.inf).tolist()
            best = min(range(len(periods)), key=lambda n: (gaps[n], -n))
            period = periods[best]
        sel = obs[obs["period"] == period]
        series = pd.Series(sel["value"].to_numpy(float), index=sel["unit_id"].to_numpy())
        return series.reindex(ids), period

    # -- composite index -----------------------------------------------------------------
    def _index(self, level: str, indicators: list[str], period: str, *, name: str,
               method: str, weights: Mapping[str, float] | Sequence[float] | None,
               polarity: Mapping[str, int] | None, min_population: float | None,
               population: str, exclude: Sequence[str] | Mapping[str, str]) -> CompositeRun:
        _check_method(method, weights)
        _check_name(name, indicators)
        frame, inds = self._frame(level, indicators, period)
        w = _weights(weights, indicators)
        signs = _polarities(inds, polarity)
        specs = [IndicatorSpec(i.id, "higher_is_worse" if signs[i.id] < 0 else
                               "higher_is_better", weight=w[i.id]) for i in inds]
        ids = frame["id"].tolist()
        notes: list[str] = []
        notes_en: list[str] = []
        use_pop = min_population is not None and min_population > 0
        pop_period = self._add_population(frame, level, period, ids, population, notes,
                                          notes_en) if use_pop else None
        use_pop = use_pop and pop_period is not None
        excl = _exclusions(exclude)
        common: dict[str, Any] = dict(id_col="id", exclude_ids=excl,
                                      population_col="_einwohner" if use_pop else None,
                                      min_population=min_population if use_pop else None)
        if method == "mss":
            result = compute_index("mss", frame, status=specs, **common)
        else:
            result = compute_index(method, frame, indicators=specs, **common)
        t = result.table
        index = t["index"].astype(float)
        included = t["included"].astype(bool)
        decimals = 2 if method in ("weighted_z", "mss") else 3
        values = index[included.to_numpy()]
        cls = classify_values(values, "quantile9", _K_CLASSES, None, decimals)
        classes = cls.classes.astype(int).reindex(t.index)
        labels = dict(zip(cls.class_ids, cls.labels, strict=True))
        labels_en = dict(zip(cls.class_ids, cls.labels_en, strict=True))
        rank = values.rank(ascending=False, method="min").reindex(t.index)
        table = _index_table(result, classes, rank, (labels, labels_en),
                             self._derived.names(level), frame, indicators, use_pop,
                             mss=method == "mss")
        params: dict[str, Any] = {
            "method": method, "name": name, "level": level, "period": period,
            "indicators": indicators, "weights": w if method != "mss" else None,
            "polarity": {i: signs[i] for i in indicators},
            "orientation": "höherer Wert = mehr Benachteiligung",
            "min_population": min_population if use_pop else None,
            "population": population if use_pop else None, "population_period": pop_period,
            "exclude": {str(k): v for k, v in excl.items()},
            "classes": {"method": "quantile9", "k": len(cls.class_ids),
                        "k_requested": _K_CLASSES, "breaks": list(cls.breaks),
                        "closed": cls.closed,
                        "legend": {str(c): labels[c] for c in cls.class_ids}},
            "index_params": result.params}
        versions = package_versions()
        obs = self._index_observations(name, table, period, params, versions)
        out_inds = _index_indicators(name, method, inds, signs, decimals)
        excluded = [{"id": str(e.id), "reason": e.reason, "reason_en": e.reason_en}
                    for e in result.excluded]
        summary = {"name": name, "method": method, "method_de": _METHOD_DE[method],
                   "method_en": _METHOD_EN[method], "level": level, "period": period,
                   "indicators": indicators, "weights": params["weights"],
                   "polarity": params["polarity"], "units": int(included.sum()),
                   "excluded": excluded, "decimals": decimals,
                   "min_population": params["min_population"],
                   "population_period": pop_period, "notes": notes, "notes_en": notes_en,
                   "description": result.description,
                   "description_en": result.description_en,
                   "legend": [{"class": c, "label": labels[c], "label_en": labels_en[c],
                               "count": n} for c, _, n in cls.legend()]}
        data = frame.set_index("id")
        d = self._derived.make("index", name, level, period, table, summary,
                              f"Index: {name} ({level}, {period})", out_inds, obs, params,
                              inds, data)
        run: CompositeRun = _promote(d, CompositeRun, excluded=excluded)
        return run

    def _add_population(self, frame: pd.DataFrame, level: str, period: str, ids: list[str],
                        population: str, notes: list[str], notes_en: list[str]) -> str | None:
        """Inhabitants as column ``_einwohner`` of ``frame``; their period (None: none)."""
        pop, pop_period = self._population(level, period, ids, population)
        if pop is None:
            notes.append(f"Keine Einwohnerzahlen ('{population}') auf der Ebene {level}: "
                         "Mindesteinwohnerzahl nicht angewendet.")
            notes_en.append(f"No inhabitants ('{population}') on level {level}: minimum "
                            "population not applied.")
            return None
        frame["_einwohner"] = pop.to_numpy(float)
        if pop_period != period:
            notes.append(f"Einwohnerzahlen aus {pop_period} (nächster Zeitraum zu {period}).")
            notes_en.append(f"Inhabitants from {pop_period} (nearest period to {period}).")
        return pop_period

    @staticmethod
    def _index_observations(name: str, table: pd.DataFrame, period: str,
                               params: dict[str, Any], versions: dict[str, str]) -> pd.DataFrame:
        method = str(params["method"])
        base = {k: params[k] for k in ("method", "indicators", "weights", "polarity",
                                       "min_population", "population_period", "period")}
        base["versions"] = versions
        rows = []
        for r in table.to_dict("records"):
            extra: dict[str, Any] = ({"rank": r["rank"]} if r["included"] else
                                     {"reason": r["reason"], "reason_en": r["reason_en"]})
            if "mss_class" in r and r["included"]:
                extra["mss_status_class"] = r["mss_class"]
            rows.append(dumps({**base, **extra}))
        idx = pd.DataFrame({"indicator_id": name, "unit_id": table["unit_id"],
                            "period": period, "value": table["index"].astype(float),
                            "status": np.where(table["included"], "ok", "missing"),
                            "method": f"index/{method}", "params": rows})
        keep = table["included"].to_numpy(bool)
        cls_params = dumps({**base, "classes": params["classes"]})
        klasse = pd.DataFrame({"indicator_id": f"{name}_klasse",
                               "unit_id": table["unit_id"][keep],
                               "period": period,
                               "value": table["class"][keep].astype(float),
                               "status": "ok", "method": "classify/quantile9",
                               "params": cls_params})
        return pd.concat([idx, klasse], ignore_index=True)

    # -- typology ------------------------------------------------------------------------
    def _typology(self, level: str, indicators: list[str], period: str, *, k: int,
                     method: str, seed: int, name: str, threshold: float) -> TypologyRun:
        if method not in TYPOLOGY_METHODS:
            raise _err(f"Unbekanntes Typisierungsverfahren '{method}'. Erwartet: "
                       f"{', '.join(sorted(TYPOLOGY_METHODS))}.",
                       f"Unknown typology method '{method}'. Expected: "
                       f"{', '.join(sorted(TYPOLOGY_METHODS))}.")
        _check_name(name, indicators)
        frame, inds = self._frame(level, indicators, period)
        labels = {i.id: i.name_de for i in inds}
        labels_en = {i.id: i.name_en for i in inds}
        res = make_typology(frame, indicators, k, method=method, seed=seed, id_col="id",
                            labels=labels, labels_en=labels_en, threshold=threshold)
        names = self._derived.names(level)
        types = res.types
        table = pd.DataFrame({"unit_id": types.index.astype(str),
                              "name": [names.get(str(i), str(i)) for i in types.index],
                              "type": types.to_numpy()})
        for col in indicators:
            table[col] = frame[col].to_numpy(float)
        reasons = {str(e.id): (e.reason, e.reason_en) for e in res.excluded}
        table["reason"] = [reasons.get(u, ("", ""))[0] for u in table["unit_id"]]
        table["reason_en"] = [reasons.get(u, ("", ""))[1] for u in table["unit_id"]]
        table = table.sort_values(["type", "unit_id"], na_position="last",
                                  kind="stable").reset_index(drop=True)
        sizes = {int(str(t)): int(n) for t, n in res.sizes.items()}
        profiles = {int(t): str(p) for t, p in res.profiles.items()}
        profiles_en = {int(t): str(p) for t, p in res.profiles_en.items()}
        types_info = [{"type": t, "size": sizes[t], "profile": profiles[t],
                       "profile_en": profiles_en[t],
                       "means": dict(zip(indicators, res.centers.loc[t, indicators]
                                         .to_numpy(float).tolist(), strict=True)),
                       "z": dict(zip(indicators, res.z_centers.loc[t, indicators]
                                     .to_numpy(float).tolist(), strict=True))}
                      for t in sorted(sizes)]
        params: dict[str, Any] = {
            "method": method, "k": k, "seed": seed, "name": name, "level": level,
            "period": period, "indicators": indicators, "standardise": "z (ddof 0)",
            "inertia": res.inertia, **{key: res.params[key] for key in
                                       ("order_by", "threshold", "n_init")},
            "profiles": {str(t): p for t, p in profiles.items()}}
        versions = package_versions()
        keep = table["type"].notna().to_numpy(bool)
        base = {key: params[key] for key in ("method", "k", "seed", "n_init", "period",
                                             "indicators")}
        rows = [dumps({**base, "versions": versions, "type": int(t),
                       "profile": profiles[int(t)]}) for t in table["type"][keep]]
        ind_id = f"{name}_typ"
        obs = pd.DataFrame({"indicator_id": ind_id, "unit_id": table["unit_id"][keep],
                            "period": period, "value": table["type"][keep].astype(float),
                            "status": "ok", "method": f"typology/{method}", "params": rows})
        how = "k-Means (mehrere Starts, fester Startwert)" if method == "kmeans" else \
            "hierarchische Clusteranalyse nach Ward"
        how_en = "k-means (several starts, fixed seed)" if method == "kmeans" else \
            "hierarchical clustering (Ward)"
        indicator = Indicator(
            ind_id, f"Gebietstyp ({name})", f"Area type ({name})",
            f"Typ 1 bis {k} einer Typisierung der Gebiete nach "
            f"{', '.join(labels.values())} ({how} auf z-Werten); Typen aufsteigend nach dem "
            "Mittel des ersten Indikators nummeriert. Die Profile stehen in den Parametern "
            "jedes Werts und im Datensatz.",
            f"Type 1 to {k} of a typology of the areas by {', '.join(labels_en.values())} "
            f"({how_en} on z-scores); types numbered by ascending mean of the first "
            "indicator. The profiles are in every value's parameters and in the dataset.",
            unit="Typ", polarity=Polarity.NEUTRAL, sector=inds[0].sector,
            life_phase=inds[0].life_phase, aggregation=Aggregation.NONE,
            source="kekiz, abgeleitet aus " + ", ".join(indicators),
            licence=join_sources({i.licence for i in inds}), decimals=0)
        excluded = [{"id": str(e.id), "reason": e.reason, "reason_en": e.reason_en}
                    for e in res.excluded]
        summary = {"name": name, "indicator": ind_id, "method": method, "k": k, "seed": seed,
                   "level": level, "period": period, "indicators": indicators,
                   "units": int(keep.sum()), "types": types_info, "excluded": excluded,
                   "inertia": res.inertia}
        d = self._derived.make("typology", ind_id, level, period, table, clean(summary),
                              f"Typisierung: {name} ({level}, {period})", [indicator], obs,
                              params, inds, frame.set_index("id"))
        run: TypologyRun = _promote(d, TypologyRun, sizes=sizes, profiles=profiles,
                                    profiles_en=profiles_en, excluded=excluded)
        return run


# -- module helpers ------------------------------------------------------------------------
def _check_name(name: str, indicators: list[str]) -> None:
    if not _ID.match(name):
        raise _err(f"Name '{name}' ist als Indikator-ID nicht möglich. Erwartet: Kleinbuchstaben, "
                   "Ziffern und _, beginnend mit einem Buchstaben (z. B. sozialindex).",
                   f"Name '{name}' is not a possible indicator id. Expected lower-case letters, "
                   "digits and _, starting with a letter (e.g. sozialindex).")
    if name in indicators:
        raise _err(f"Name '{name}' ist einer der Eingangsindikatoren. Abhilfe: einen neuen "
                   "Namen wählen, z. B. sozialindex.",
                   f"Name '{name}' is one of the input indicators. Fix: choose a new name, "
                   "e.g. sozialindex.")


def _weights(weights: Mapping[str, float] | Sequence[float] | None,
             indicators: list[str]) -> dict[str, float]:
    if weights is None:
        return {i: 1.0 for i in indicators}
    if isinstance(weights, Mapping):
        unknown = sorted(set(weights) - set(indicators))
        if unknown:
            raise _err(f"Gewichte für {unknown}, die nicht unter den Indikatoren sind "
                       f"({', '.join(indicators)}).",
                       f"Weights for {unknown}, which are not among the indicators "
                       f"({', '.join(indicators)}).")
        return {i: float(weights.get(i, 1.0)) for i in indicators}
    values = [float(v) for v in weights]
    if len(values) != len(indicators):
        raise _err(f"{len(values)} Gewichte für {len(indicators)} Indikatoren. Erwartet: ein "
                   "Gewicht je Indikator, in derselben Reihenfolge.",
                   f"{len(values)} weights for {len(indicators)} indicators. Expected one "
                   "weight per indicator, in the same order.")
    return dict(zip(indicators, values, strict=True))


def _polarities(inds: list[Indicator], given: Mapping[str, int] | None) -> dict[str, int]:
    given = dict(given or {})
    unknown = sorted(set(given) - {i.id for i in inds})
    if unknown:
        raise _err(f"Polarität für {unknown}, die nicht unter den Indikatoren sind.",
                   f"Polarity for {unknown}, which are not among the indicators.")
    out: dict[str, int] = {}
    for ind in inds:
        sign = int(given.get(ind.id, int(ind.polarity)))
        if sign not in (-1, 1):
            raise _err(f"'{ind.id}' ({ind.name_de}) hat keine Richtung (Polarität {sign}). "
                       "Erwartet: -1 (höher ist schlechter) oder +1 (höher ist besser). "
                       f"Abhilfe: --polarity {ind.id}=-1 oder {ind.id}=1 angeben.",
                       f"'{ind.id}' ({ind.name_en}) has no direction (polarity {sign}). "
                       "Expected -1 (higher is worse) or +1 (higher is better). Fix: give "
                       f"--polarity {ind.id}=-1 or {ind.id}=1.")
        out[ind.id] = sign
    return out


def _index_indicators(name: str, method: str, inds: list[Indicator], signs: dict[str, int],
                      decimals: int) -> list[Indicator]:
    parts = ", ".join(f"{i.name_de} (höher ist "
                      f"{'schlechter' if signs[i.id] < 0 else 'besser'})" for i in inds)
    parts_en = ", ".join(i.name_en for i in inds)
    unit = "z-Wert" if method in ("weighted_z", "mss") else "Index (0–1)"
    common: dict[str, Any] = dict(sector=inds[0].sector, life_phase=inds[0].life_phase,
                                  aggregation=Aggregation.NONE,
                                  source="kekiz, abgeleitet aus "
                                  + ", ".join(i.id for i in inds),
                                  licence=join_sources({i.licence for i in inds}))
    return [
        Indicator(name, f"Index {name} ({_METHOD_DE[method]})",
                  f"Index {name} ({_METHOD_EN[method]})",
                  f"Zusammengesetzter Index ({_METHOD_DE[method]}) aus {parts}; jeder "
                  "Indikator ist nach seiner Polarität ausgerichtet, ein höherer Wert bedeutet "
                  "mehr Benachteiligung. Gewichte, Ausschlüsse und Versionen stehen in den "
                  "Parametern jedes Werts.",
                  f"Composite index ({_METHOD_EN[method]}) of {parts_en}; every indicator is "
                  "oriented by its polarity, a higher value means more disadvantage. Weights, "
                  "exclusions and versions are in every value's parameters.",
                  unit=unit, polarity=Polarity.HIGHER_IS_WORSE, decimals=decimals, **common),
        Indicator(f"{name}_klasse", f"Index {name}: Klasse", f"Index {name}: class",
                  f"Quintil des Index '{name}' nach R-Typ 9 (wie der GISD): 1 = niedrigste "
                  "Werte (geringste Benachteiligung), 5 = höchste Werte. Grenzen und Legende "
                  "stehen in den Parametern jedes Werts.",
                  f"Quintile of the index '{name}' after R type 9 (as the GISD): 1 = lowest "
                  "values (least disadvantage), 5 = highest values. Breaks and legend are in "
                  "every value's parameters.",
                  unit="Klasse", polarity=Polarity.HIGHER_IS_WORSE, decimals=0, **common)]


def _check_method(method: str, weights: object) -> None:
    if method not in COMPOSITE_METHODS or method not in INDEX_METHODS:
        raise _err(f"Unbekanntes Indexverfahren '{method}'. Erwartet: "
                   f"{', '.join(COMPOSITE_METHODS)}.",
                   f"Unknown index method '{method}'. Expected: "
                   f"{', '.join(COMPOSITE_METHODS)}.")
    if method == "mss" and weights is not None:
        raise _err("Das MSS-Verfahren kennt keine Gewichte (Summe der z-Werte). Abhilfe: "
                   "--weights weglassen oder weighted_z wählen.",
                   "The MSS method has no weights (sum of z-scores). Fix: leave out "
                   "--weights or choose weighted_z.")


def _exclusions(exclude: Sequence[str] | Mapping[str, str]) -> dict[Hashable, str]:
    """Units to leave out of an index, with the reason where one is given."""
    if isinstance(exclude, Mapping):
        return {str(k): str(v) for k, v in exclude.items()}
    return {str(e): "" for e in exclude}


def _index_table(result: Any, classes: pd.Series, rank: pd.Series,
                 labels: tuple[dict[Any, str], dict[Any, str]], names: dict[str, str],
                 frame: pd.DataFrame, indicators: list[str], use_pop: bool, *,
                 mss: bool) -> pd.DataFrame:
    """One row per unit: index, class with label, rank, inclusion and reason, inputs."""
    t = result.table
    reasons = {str(e.id): (e.reason, e.reason_en) for e in result.excluded}
    table = pd.DataFrame({"unit_id": t.index.astype(str), "name": [
        names.get(str(i), str(i)) for i in t.index],
        "index": t["index"].astype(float).to_numpy(),
        "class": pd.array([None if pd.isna(c) else int(c) for c in classes], dtype="Int64"),
        "rank": pd.array([None if pd.isna(r) else int(r) for r in rank], dtype="Int64"),
        "included": t["included"].astype(bool).to_numpy()})
    table["label"] = [labels[0].get(int(c), "") if pd.notna(c) else "" for c in table["class"]]
    table["label_en"] = [labels[1].get(int(c), "") if pd.notna(c) else ""
                         for c in table["class"]]
    table["reason"] = [reasons.get(u, ("", ""))[0] for u in table["unit_id"]]
    table["reason_en"] = [reasons.get(u, ("", ""))[1] for u in table["unit_id"]]
    if use_pop:
        table["population"] = frame["_einwohner"].to_numpy(float)
    for col in indicators:
        table[col] = frame[col].to_numpy(float)
    if mss:
        table["mss_class"] = t["status_class"].to_numpy()
    return table.sort_values(["index", "unit_id"], ascending=[False, True],
                             na_position="last", kind="stable").reset_index(drop=True)
