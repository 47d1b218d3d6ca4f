"""Socio-spatial monitoring use cases of the facade (issue #3).

Each use case reads stored observations, runs a method of :mod:`kekiz.analysis` and writes
the derived values back as observations of a derived dataset (kind ``derived``) in one
transaction.  The dataset's details and every observation's ``method`` and ``params``
(JSON) record the method, its parameters, the random seed and the package versions, so a
value can be traced and recomputed: the same inputs and seed give the same values, and a
second run replaces the earlier revision of the dataset.

Categorical results are stored as numbers of derived indicators whose definition holds
the code list: ``<indicator>_klasse`` (class 1..k), ``<indicator>_lisa`` (see
:data:`LISA_CODES`), ``<indicator>_dynamik`` (MSS dynamics class 1..3) next to
``<indicator>_trend`` (slope per year with its confidence interval),
``<indicator>_veraenderung`` (change since the start year) and
``<indicator>_prioritaet`` (points of the priority rule; rank and reasons in ``params``).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kekiz.analysis.classify import CLASSIFIERS, Classification, classify, format_number
from kekiz.analysis.indices import (
    DYNAMICS_CLASSES,
    STATUS_CLASSES,
    compute_index,
    mss_dynamics_class,
    quantile_type9,
)
from kekiz.analysis.priority import PriorityRule, priority_list
from kekiz.analysis.rates import proportions, rates
from kekiz.analysis.smoothing import binomial_eb, global_eb, local_eb
from kekiz.analysis.spatial import DEFAULT_SEED, local_moran, moran, spatial_weights
from kekiz.analysis.trends import LineageEvent, changes, slopes
from kekiz.domain.catalogue import lookup
from kekiz.domain.errors import KekizError, MethodError
from kekiz.domain.model import Aggregation, Dataset, Indicator, Polarity
from kekiz.ingest.frames import read_frame
from kekiz.network.reach import estimate_children
from kekiz.reporting.export import neutralise

if TYPE_CHECKING:
    from kekiz.settings import Settings
    from kekiz.storage import Store

__all__ = ["DEFAULT_RATES", "LISA_CODES", "Derived", "MSSFileResult", "MonitoringJobs",
           "MonitoringRun", "RatePlan", "package_versions"]

VERSIONED = ("kekiz", "numpy", "pandas", "scipy", "esda", "libpysal", "mapclassify")
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
_LISA_CODE = {"HH": 1, "LL": 2, "HL": 3, "LH": 4}
_AGE_GROUPS = ("einwohner_u3", "einwohner_3_6", "einwohner_6_10", "einwohner_10_15",
               "einwohner_15_18")


@dataclass(frozen=True)
class RatePlan:
    """A ratio indicator that ``run_monitoring`` derives where its counts are stored."""

    indicator: str
    numerator: tuple[str, ...]
    denominator: str
    kind: str = "share"
    multiplier: float = 100.0
    name_de: str = ""
    name_en: str = ""


#: The ratios of the demo data: unemployment (INKAR, Gemeinden and Kreise) and the
#: shares of children (Köln, Stadtteile).
DEFAULT_RATES: tuple[RatePlan, ...] = (
    RatePlan("arbeitslosenanteil", ("arbeitslose",), "erwerbsfaehige"),
    RatePlan("anteil_kinder_u6", ("einwohner_u3", "einwohner_3_6"), "einwohner",
             name_de="Anteil der Kinder unter 6 Jahren an der Bevölkerung",
             name_en="Share of children under 6 in the population"),
    RatePlan("anteil_kinder_u18", _AGE_GROUPS, "einwohner",
             name_de="Anteil der Kinder und Jugendlichen unter 18 Jahren an der Bevölkerung",
             name_en="Share of children and young people under 18 in the population"),
)


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

    def to_dict(self) -> dict[str, Any]:
        ds = self.dataset
        return _clean({
            "kind": self.kind, "indicator": self.indicator_id, "level": self.level,
            "period": self.period, "summary": self.summary,
            "dataset": None if ds is None else {"id": ds.id, "name": ds.name,
                                                "revision": ds.revision, "rows": ds.rows},
            "rows": self.table.to_dict("records")})


@dataclass
class MonitoringRun:
    """All derived tables of :meth:`MonitoringJobs.run_monitoring` for one level."""

    level: str
    results: list[Derived] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)

    def of(self, kind: str) -> list[Derived]:
        return [r for r in self.results if r.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "notes": self.notes, "notes_en": self.notes_en,
                "results": [r.to_dict() for r in self.results]}


@dataclass
class MSSFileResult:
    """The result of :meth:`MonitoringJobs.mss_file`."""

    table: pd.DataFrame
    excluded: list[dict[str, str]]
    status_counts: dict[int, int]
    dynamics_counts: dict[int, int]
    description: str
    description_en: str
    out: Path | None

    def to_dict(self) -> dict[str, Any]:
        return _clean({"areas": len(self.table), "excluded": self.excluded,
                       "status_classes": {str(k): v for k, v in self.status_counts.items()},
                       "dynamics_classes": {str(k): v for k, v in self.dynamics_counts.items()},
                       "method_de": self.description, "method_en": self.description_en,
                       "output": None if self.out is None else str(self.out)})


class MonitoringJobs:
    """Mixed into :class:`kekiz.monitor.Monitor`."""

    if TYPE_CHECKING:
        settings: Settings

        @property
        def store(self) -> Store: ...

        @property
        def lang(self) -> str: ...

        def _user(self) -> str: ...

    # -- public use cases ---------------------------------------------------------------
    def derive_rate(self, indicator_id: str, numerator_id: str | Sequence[str] | None,
                    denominator_id: str | None, level: str, *, kind: str = "share",
                    multiplier: float | None = None, method: str | None = None,
                    confidence: float = 0.95, min_denominator: float | None = 30,
                    max_relative_width: float | None = None,
                    min_numerator: float | None = None, smooth: str | None = None,
                    name_de: str | None = None, name_en: str | None = None,
                    polarity: int | None = None) -> list[Derived]:
        """Derive a share or rate with confidence intervals and a reliability flag.

        ``numerator_id`` may name several count indicators (a list or ``"a+b"``) that are
        summed; without numerator and denominator the indicator's own definition (store
        or catalogue) names them.  Values whose denominator is 0 or missing, or whose
        numerator exceeds the denominator of a share, are stored with status ``missing``
        and the reason in ``params``.  ``smooth`` (``binomial_eb``, ``global_eb``,
        ``local_eb``) also stores empirical-Bayes values as ``<indicator>_eb``.
        """
        out = self._mon_rate(indicator_id, numerator_id, denominator_id, level, kind=kind,
                             multiplier=multiplier, method=method, confidence=confidence,
                             min_denominator=min_denominator,
                             max_relative_width=max_relative_width, min_numerator=min_numerator,
                             smooth=smooth, name_de=name_de, name_en=name_en, polarity=polarity)
        self._mon_write(out)
        return out

    def classify(self, indicator_id: str, level: str, period: str | None = None,
                 method: str = "quantile9", k: int = 5, *,
                 breaks: Sequence[float] | None = None) -> Derived:
        """Map classes of an indicator (``quantile9``: type-9 quantiles as the GISD;
        or a mapclassify method) stored as ``<indicator>_klasse``."""
        out = self._mon_classes(indicator_id, level, period, method, k, breaks)
        self._mon_write([out])
        return out

    def lisa(self, indicator_id: str, level: str, period: str | None = None, *,
             permutations: int = 999, seed: int = DEFAULT_SEED, fdr: bool = False,
             alpha: float = 0.05, weights: str = "queen",
             threshold: float | None = None) -> Derived:
        """Local Moran clusters (seeded permutations, optional FDR) as ``<indicator>_lisa``."""
        out = self._mon_lisa(indicator_id, level, period, permutations=permutations, seed=seed,
                             fdr=fdr, alpha=alpha, weights=weights, threshold=threshold)
        self._mon_write([out])
        return out

    def trend(self, indicator_id: str, level: str, since: int | None = None,
              until: int | None = None) -> Derived:
        """Change since ``since``, linear trend with 95% interval and dynamics class;
        series broken by boundary changes are marked (lineage of the units)."""
        out = self._mon_trend(indicator_id, level, since, until)
        self._mon_write([out])
        return out

    def priority(self, level: str, score: str = "gisd_score", period: str | None = None,
                 since: int | None = None, *, method: str = "quantile9", k: int = 5,
                 permutations: int = 999, seed: int = DEFAULT_SEED, fdr: bool = False,
                 alpha: float = 0.05, weights: str = "queen",
                 min_score: float = 4.0) -> Derived:
        """Priority districts: status from the classes of ``score``, dynamics from its
        change since ``since``, LISA hot spots and the children living there; ranked with
        reasons in plain German (and English)."""
        cls = self._mon_classes(score, level, period, method, k, None)
        lis = self._mon_lisa(score, level, cls.period, permutations=permutations, seed=seed,
                             fdr=fdr, alpha=alpha, weights=weights, threshold=None)
        tr = self._mon_trend(score, level, since, int(cls.period[:4]))
        out = self._mon_priority(score, level, cls, lis, tr, min_score)
        self._mon_write([out])
        return out

    def run_monitoring(self, level: str, *, score: str = "gisd_score",
                       period: str | None = None, since: int | None = None,
                       plans: Sequence[RatePlan] = DEFAULT_RATES, permutations: int = 999,
                       seed: int = DEFAULT_SEED, fdr: bool = False,
                       min_score: float = 4.0) -> MonitoringRun:
        """The whole monitoring of one level, written in one transaction: the ratios of
        ``plans`` whose counts are stored, then classes, LISA clusters, trend and
        priority list of ``score`` (when it has values on this level)."""
        run = MonitoringRun(level)
        self.store.level(level)
        n_units = len(self.store.units_frame(level))
        known = set(self.store.periods())
        for plan in plans:
            if not set(plan.numerator) | {plan.denominator} <= known:
                continue
            covered = self._mon_coverage([*plan.numerator, plan.denominator], level)
            if covered * 2 < n_units or covered == 0:
                if covered:
                    run.notes.append(f"{plan.indicator}: Zählwerte nur für {covered} von "
                                     f"{n_units} Gebieten, nicht berechnet.")
                    run.notes_en.append(f"{plan.indicator}: counts for only {covered} of "
                                        f"{n_units} areas, not derived.")
                continue
            run.results += self._mon_rate(plan.indicator, list(plan.numerator), plan.denominator,
                                          level, kind=plan.kind, multiplier=plan.multiplier,
                                          name_de=plan.name_de or None,
                                          name_en=plan.name_en or None)
        if self._mon_coverage([score], level) >= 4:
            cls = self._mon_classes(score, level, period, "quantile9", 5, None)
            lis = self._mon_lisa(score, level, cls.period, permutations=permutations, seed=seed,
                                 fdr=fdr, alpha=0.05, weights="queen", threshold=None)
            tr = self._mon_trend(score, level, since, int(cls.period[:4]))
            run.results += [cls, lis, tr]
            if self.store.indicator(score).polarity != Polarity.NEUTRAL:
                run.results.append(self._mon_priority(score, level, cls, lis, tr, min_score))
        else:
            run.notes.append(f"{score}: keine Werte auf der Ebene {level}; Klassen, LISA, "
                             "Trend und Prioritäten entfallen.")
            run.notes_en.append(f"{score}: no values on level {level}; classes, LISA, trend "
                                "and priorities skipped.")
        self._mon_write(run.results)
        return run

    def mss_file(self, path: Path, *, id_col: str, status: Sequence[str],
                 dynamics: Sequence[str] = (), population: str | None = None,
                 min_population: float | None = None, exclude: Sequence[str] = (),
                 out: Path | None = None, sheet: str | None = None) -> MSSFileResult:
        """Berlin MSS status and dynamics index from a file of shares, without a store.

        Writes ``id, status_index, status_class, dynamics_index, dynamics_class`` and the
        z-score of every share (``z_<column>``) to ``out`` (CSV in German Excel format or
        XLSX).  Empty share cells exclude the area (named with its reason); text in a
        share column rejects the file (file, row, column).
        """
        status, dynamics = list(status), list(dynamics)
        numeric = [*status, *dynamics, *([population] if population else [])]
        frame = read_frame(path, required=[id_col], numeric=numeric, allow_missing=numeric,
                           sheet=sheet)
        frame[id_col] = frame[id_col].astype(str)
        if population and min_population is None:
            min_population = float(self.settings.min_population)
        result = compute_index("mss", frame, status=status, dynamics=dynamics or None,
                               id_col=id_col, population_col=population,
                               min_population=min_population if population else None,
                               exclude_ids=[str(e) for e in exclude])
        t = result.table
        table = pd.DataFrame({"id": t.index.astype(str),
                              "status_index": t["status_index"].to_numpy(dtype=float),
                              "status_class": t["status_class"].astype("Int64").array})
        table["dynamics_index"] = (t["dynamics_index"].to_numpy(dtype=float)
                                   if dynamics else np.nan)
        table["dynamics_class"] = (t["dynamics_class"].astype("Int64").array
                                   if dynamics else pd.array([pd.NA] * len(t), dtype="Int64"))
        comps = result.components.reindex(t.index)
        for col in [*status, *dynamics]:
            table[f"z_{col}"] = comps[col].to_numpy(dtype=float)
        if out is not None:
            fmt = out.suffix.lower().lstrip(".")
            if fmt not in ("csv", "xlsx"):
                raise KekizError(f"Ausgabeformat '{out.suffix}' nicht möglich. Erwartet: .csv "
                                 "oder .xlsx.", message_en=f"Output format '{out.suffix}' not "
                                 "possible. Expected .csv or .xlsx.")
            _write_table(table, out, fmt, self.lang)
        counts = t["status_class"].value_counts()
        dcounts = t["dynamics_class"].value_counts() if dynamics else pd.Series(dtype=int)
        return MSSFileResult(
            table, [{"id": str(e.id), "reason": e.reason, "reason_en": e.reason_en}
                    for e in result.excluded],
            {c: int(counts.get(c, 0)) for c in STATUS_CLASSES},
            {c: int(dcounts.get(c, 0)) for c in DYNAMICS_CLASSES} if dynamics else {},
            result.description, result.description_en, out)

    # -- computing ---------------------------------------------------------------------
    def _mon_rate(self, indicator_id: str, numerator_id: str | Sequence[str] | None,
                  denominator_id: str | None, level: str, *, kind: str = "share",
                  multiplier: float | None = None, method: str | None = None,
                  confidence: float = 0.95, min_denominator: float | None = 30,
                  max_relative_width: float | None = None, min_numerator: float | None = None,
                  smooth: str | None = None, name_de: str | None = None,
                  name_en: str | None = None, polarity: int | None = None) -> list[Derived]:
        store = self.store
        store.level(level)
        if kind not in ("share", "rate"):
            raise MethodError(f"Art '{kind}' unbekannt. Erwartet: share (Anteil) oder rate "
                              "(Rate).", message_en=f"Unknown kind '{kind}'. Expected share "
                              "or rate.")
        known = {i.id: i for i in store.indicators()}
        base = known.get(indicator_id) or lookup(indicator_id)
        nums = _ids(numerator_id) or _ids(base.numerator if base else "")
        den = denominator_id or (base.denominator if base else "")
        if not nums or not den:
            raise MethodError(
                f"Für '{indicator_id}' fehlen Zähler und Nenner. Abhilfe: --numerator und "
                "--denominator angeben.",
                message_en=f"Numerator and denominator of '{indicator_id}' are unknown. Fix: "
                "give --numerator and --denominator.")
        for ref in [*nums, den]:
            store.indicator(ref)
        scale = float(multiplier if multiplier is not None else
                      (base.scale if base and base.scale != 1.0 else
                       (100.0 if kind == "share" else 1000.0)))
        method = method or ("wilson" if kind == "share" else "phe")
        data, inputs = self._mon_counts(nums, den, level)
        if data.empty:
            raise MethodError(f"Keine Zeiträume mit Zähler ({'+'.join(nums)}) und Nenner "
                              f"({den}) auf der Ebene {level}.",
                              message_en=f"No periods with numerator ({'+'.join(nums)}) and "
                              f"denominator ({den}) on level {level}.")
        num, dnm = data["numerator"].to_numpy(float), data["denominator"].to_numpy(float)
        with np.errstate(invalid="ignore"):
            negative = (num < 0) | (dnm < 0)
            too_big = (kind == "share") & (dnm > 0) & (num > dnm)
        zero = ~negative & (dnm == 0)
        clean_num = np.where(negative | too_big, np.nan, np.where(zero, 0.0, num))
        clean_den = np.where(negative, np.nan, dnm)
        args: dict[str, Any] = dict(method=method, confidence=confidence, multiplier=scale,
                                    min_denominator=min_denominator,
                                    max_relative_width=max_relative_width,
                                    min_numerator=min_numerator)
        fn = proportions if kind == "share" else rates
        de = fn(clean_num, clean_den, lang="de", **args)
        en = fn(clean_num, clean_den, lang="en", **args)
        reason = np.array(de["reason"].tolist(), dtype=object)
        reason_en = np.array(en["reason"].tolist(), dtype=object)
        reason[too_big] = "Zähler größer als Nenner (Daten prüfen)"
        reason_en[too_big] = "numerator larger than denominator (check the data)"
        reason[negative] = "negativer Zähler oder Nenner (Daten prüfen)"
        reason_en[negative] = "negative numerator or denominator (check the data)"
        common = {"method": f"{kind}/{method}", "kind": kind, "numerator": "+".join(nums),
                  "denominator": den, "confidence": confidence, "multiplier": scale,
                  "min_denominator": min_denominator, "max_relative_width": max_relative_width,
                  "min_numerator": min_numerator, "versions": package_versions()}
        rows = [_json({**common, "interval": m or method, **({"reason": r, "reason_en": e}
                                                              if r else {})})
                for m, r, e in zip(de["method"], reason, reason_en, strict=True)]
        obs = pd.DataFrame({
            "indicator_id": indicator_id, "unit_id": data["unit_id"].to_numpy(),
            "period": data["period"].to_numpy(), "value": de["value"].to_numpy(float),
            "numerator": num, "denominator": dnm, "status": de["status"].to_numpy(object),
            "lower": de["lower"].to_numpy(float), "upper": de["upper"].to_numpy(float),
            "method": f"{kind}/{method}", "params": rows})
        indicator = self._mon_rate_indicator(indicator_id, base, nums, den, kind, scale, known,
                                             name_de, name_en, polarity, inputs)
        names = self._mon_names(level)
        table = obs[["unit_id", "period", "value", "lower", "upper", "status", "numerator",
                     "denominator"]].copy()
        table.insert(1, "name", table["unit_id"].map(names))
        table["reason"], table["reason_en"] = reason, reason_en
        status_counts = table["status"].value_counts()
        flagged = table[table["status"] != "ok"]
        periods = sorted(table["period"].unique())
        summary = {"indicator": indicator_id, "name_de": indicator.name_de,
                   "name_en": indicator.name_en, "unit": indicator.unit,
                   "decimals": indicator.decimals, "level": level, "kind": kind,
                   "method": method, "confidence": confidence, "multiplier": scale,
                   "periods": periods, "values": len(table),
                   "status": {k: int(v) for k, v in status_counts.items()},
                   "flagged": flagged.head(50).to_dict("records")}
        params = {k: v for k, v in common.items() if k != "versions"}
        out = [self._mon_derived("rates", indicator_id, level, str(periods[-1]), table, summary,
                                 f"Abgeleitet: {indicator_id} ({level})", [indicator]
                                 if indicator.id not in known else [], obs, params, inputs)]
        if smooth:
            out.append(self._mon_smooth(out[0], smooth, scale, level, inputs, known))
        return out

    def _mon_counts(self, nums: list[str], den: str,
                    level: str) -> tuple[pd.DataFrame, list[Indicator]]:
        """Numerator (sum of ``nums``) and denominator per (unit, period): every pair
        where all inputs are stored, plus pairs with a gap in a period where all inputs
        exist for other units (they become 'missing' with the reason)."""
        store = self.store
        wanted = list(dict.fromkeys([*nums, den]))
        obs = store.observations(indicator_id=wanted, level=level)
        obs = obs.assign(value=obs["value"].where(obs["status"].isin(USABLE)),
                         row=True)
        keyed = obs.set_index(["unit_id", "period", "indicator_id"])
        wide = keyed["value"].unstack("indicator_id").reindex(columns=wanted)
        exists = keyed["row"].unstack("indicator_id", fill_value=False).reindex(
            columns=wanted, fill_value=False).astype(bool)
        complete_periods = {p for p, g in obs.groupby("period")
                            if g["indicator_id"].nunique() == len(wanted)}
        keep = exists.all(axis=1).to_numpy() | np.isin(
            wide.index.get_level_values("period"), sorted(complete_periods))
        wide = wide[keep]
        parts = wide[nums]
        numerator = parts.sum(axis=1).where(parts.notna().all(axis=1))
        data = pd.DataFrame({"numerator": numerator, "denominator": wide[den]}).reset_index()
        data = data.sort_values(["unit_id", "period"], kind="stable").reset_index(drop=True)
        inputs = [store.indicator(i) for i in wanted]
        return data, inputs

    def _mon_rate_indicator(self, indicator_id: str, base: Indicator | None, nums: list[str],
                            den: str, kind: str, scale: float, known: dict[str, Indicator],
                            name_de: str | None, name_en: str | None, polarity: int | None,
                            inputs: list[Indicator]) -> Indicator:
        if indicator_id in known:
            return known[indicator_id]
        if base is not None:
            return base
        num_names = " + ".join(i.name_de for i in inputs[:-1])
        num_names_en = " + ".join(i.name_en for i in inputs[:-1])
        per = {100.0: "je 100", 1000.0: "je 1.000", 100000.0: "je 100.000"}.get(
            scale, f"je {format_number(scale, 0)}")
        per_en = per.replace("je", "per").replace(".", ",")
        unit = "%" if scale == 100.0 and kind == "share" else per
        return Indicator(
            indicator_id, name_de or f"{num_names} {per} {inputs[-1].name_de}",
            name_en or f"{num_names_en} {per_en} {inputs[-1].name_en}",
            f"({'+'.join(nums)}) / {den} × {format_number(scale, 0)}",
            f"({'+'.join(nums)}) / {den} × {scale:,.0f}", unit=unit,
            numerator="+".join(nums), denominator=den,
            polarity=Polarity(polarity or 0), sector=inputs[0].sector,
            life_phase=inputs[0].life_phase, aggregation=Aggregation.RATIO, scale=scale,
            source=_join({i.source for i in inputs}), licence=_join({i.licence for i in inputs}))

    def _mon_smooth(self, rate: Derived, smooth: str, scale: float, level: str,
                    inputs: list[Indicator], known: dict[str, Indicator]) -> Derived:
        methods: dict[str, Any] = {"binomial_eb": binomial_eb, "global_eb": global_eb,
                                   "local_eb": local_eb}
        if smooth not in methods:
            raise MethodError(f"Glättung '{smooth}' unbekannt. Erwartet: {', '.join(methods)}.",
                              message_en=f"Unknown smoothing '{smooth}'. Expected: "
                              f"{', '.join(methods)}.")
        obs = rate.observations
        usable = obs[(obs["denominator"] > 0) & obs["numerator"].notna()]
        frames = []
        for period, grp in usable.groupby("period", sort=True):
            ev = pd.Series(grp["numerator"].to_numpy(float), index=grp["unit_id"].to_numpy())
            pop = pd.Series(grp["denominator"].to_numpy(float), index=ev.index)
            if len(ev) < 2:
                continue
            if smooth == "local_eb":
                geo = self._mon_geo(level, list(ev.index))
                ev, pop = ev.reindex(geo["id"]), pop.reindex(geo["id"])
                sw = spatial_weights(geo, "queen", id_column="id", transform="b")
                res: Any = local_eb(ev.reindex(sw.ids), pop.reindex(sw.ids), sw)
            else:
                res = methods[smooth](ev, pop)
            frames.append(pd.DataFrame({"unit_id": res.smoothed.index, "period": period,
                                        "value": res.smoothed.to_numpy() * scale,
                                        "raw": res.raw.to_numpy() * scale}))
        smoothed = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["unit_id", "period", "value", "raw"])
        base = known.get(rate.indicator_id) or rate.indicators[0]
        ind_id = f"{rate.indicator_id}_eb"
        indicator = _derived_indicator(
            base, ind_id, f"{base.name_de} (Empirical-Bayes-geglättet)",
            f"{base.name_en} (empirical Bayes smoothed)",
            f"{base.name_de}, je Zeitraum mit dem Verfahren {smooth} zum Mittel der Ebene hin "
            "geglättet (kleine Nenner werden stärker geglättet).",
            f"{base.name_en}, smoothed per period towards the level mean with {smooth} "
            "(small denominators are smoothed more).", unit=base.unit, decimals=base.decimals,
            polarity=int(base.polarity))
        common = {"method": smooth, "of": rate.indicator_id, "multiplier": scale,
                  "versions": package_versions()}
        out = pd.DataFrame({"indicator_id": ind_id, "unit_id": smoothed["unit_id"],
                            "period": smoothed["period"], "value": smoothed["value"],
                            "status": "estimated", "method": smooth,
                            "params": _json(common)})
        table = smoothed.assign(name=smoothed["unit_id"].map(self._mon_names(level)))
        return self._mon_derived("smoothing", ind_id, level, rate.period, table,
                                 {"method": smooth, "values": len(out)},
                                 f"Geglättet: {rate.indicator_id} ({level}, {smooth})",
                                 [indicator], out, {"method": smooth, "of": rate.indicator_id},
                                 inputs)

    def _mon_classes(self, indicator_id: str, level: str, period: str | None, method: str,
                     k: int, breaks: Sequence[float] | None) -> Derived:
        ind = self.store.indicator(indicator_id)
        values, period = self._mon_values(indicator_id, level, period)
        cls = _classify(values, method, k, breaks, ind.decimals)
        ids = list(cls.class_ids)
        table = pd.DataFrame({"unit_id": values.index, "name": values.index.map(
            self._mon_names(level)), "value": values.to_numpy(),
            "class": cls.classes.astype(int).to_numpy()})
        labels = dict(zip(ids, cls.labels, strict=True))
        labels_en = dict(zip(ids, cls.labels_en, strict=True))
        table["label"] = table["class"].map(lambda c: labels.get(int(c), ""))
        table["label_en"] = table["class"].map(lambda c: labels_en.get(int(c), ""))
        legend = [{"class": c, "label": labels[c], "label_en": labels_en[c], "count": n}
                  for c, _, n in cls.legend()]
        params = {"method": method, "k": len(ids), "k_requested": k,
                  "breaks": list(cls.breaks), "closed": cls.closed, "of": indicator_id,
                  "period": period, "legend": {str(c): labels[c] for c in ids}}
        common = {**params, "versions": package_versions()}
        ind_id = f"{indicator_id}_klasse"
        how = ("Quantilklassen nach R-Typ 9 (wie der GISD)" if method == "quantile9"
               else f"Klassenbildung {method}")
        how_en = ("type-9 quantile classes (as the GISD)" if method == "quantile9"
                  else f"classification {method}")
        indicator = _derived_indicator(
            ind, ind_id, f"{ind.name_de}: Klasse", f"{ind.name_en}: class",
            f"Klasse von '{ind.name_de}' je Ebene und Zeitraum, {how}: 1 = niedrigste Werte, "
            "die höchste Klasse (bei Quintilen 5) = höchste Werte. Die Grenzen und die "
            "Legende stehen in den Parametern jedes Werts und im Datensatz.",
            f"Class of '{ind.name_en}' per level and period, {how_en}: 1 = lowest values, the "
            "highest class (5 for quintiles) = highest values. Breaks and legend are in every "
            "value's parameters and in the dataset.", unit="Klasse", decimals=0,
            polarity=int(ind.polarity))
        obs = pd.DataFrame({"indicator_id": ind_id, "unit_id": table["unit_id"],
                            "period": period, "value": table["class"].astype(float),
                            "status": "ok", "method": f"classify/{method}",
                            "params": _json(common)})
        summary = {"indicator": indicator_id, "name_de": ind.name_de, "name_en": ind.name_en,
                   "level": level, "period": period, "method": method, "legend": legend,
                   "notes": list(cls.notes), "notes_en": list(cls.notes_en)}
        return self._mon_derived("classes", ind_id, level, period, table, summary,
                                 f"Klassen: {indicator_id} ({level}, {period})", [indicator], obs,
                                 params, [ind], values)

    def _mon_lisa(self, indicator_id: str, level: str, period: str | None, *, permutations: int,
                  seed: int, fdr: bool, alpha: float, weights: str,
                  threshold: float | None) -> Derived:
        ind = self.store.indicator(indicator_id)
        values, period = self._mon_values(indicator_id, level, period)
        geo = self._mon_geo(level, list(values.index))
        no_geometry = sorted(set(values.index) - set(geo["id"]))
        sw = spatial_weights(geo, weights, id_column="id", threshold=threshold,
                             metric_crs=str(self.settings.metric_crs))
        values = values.reindex(sw.ids)
        local = local_moran(values, sw, permutations=permutations, seed=seed, alpha=alpha,
                            fdr=fdr)
        glob = moran(values, sw, permutations=0)
        lt = local.table
        code = np.where(lt["island"], 9, lt["cluster"].map(_LISA_CODE).fillna(0)).astype(int)
        table = pd.DataFrame({"unit_id": lt.index.astype(str), "value": lt["value"].to_numpy(),
                              "code": code, "I": lt["I"].to_numpy(),
                              "p_sim": lt["p_sim"].to_numpy(), "p_fdr": lt["p_fdr"].to_numpy(),
                              "quadrant": lt["quadrant"].to_numpy(object)})
        table.insert(1, "name", table["unit_id"].map(self._mon_names(level)))
        table["cluster"] = [LISA_CODES[c][1] for c in code]
        table["cluster_en"] = [LISA_CODES[c][2] for c in code]
        params = {"method": "local_moran", "of": indicator_id, "period": period,
                  "permutations": permutations, "seed": seed, "fdr": fdr, "alpha": alpha,
                  "weights": weights, "transform": sw.transform, "threshold": threshold,
                  "conditional": True, "islands": [str(i) for i in sw.islands],
                  "codes": {str(c): v[1] for c, v in LISA_CODES.items()}}
        versions = package_versions()
        rows = [_json({**params, "versions": versions, "quadrant": q, "I": i, "p_sim": p,
                       "p_fdr": f})
                for q, i, p, f in zip(table["quadrant"], table["I"], table["p_sim"],
                                      table["p_fdr"], strict=True)]
        ind_id = f"{indicator_id}_lisa"
        indicator = _derived_indicator(
            ind, ind_id, f"{ind.name_de}: LISA-Cluster", f"{ind.name_en}: LISA cluster",
            "Lokales Moran's I (LISA) mit bedingten Permutationen: " + ", ".join(
                f"{c} = {v[1]}" for c, v in LISA_CODES.items()) + ".",
            "Local Moran's I (LISA) with conditional permutations: " + ", ".join(
                f"{c} = {v[2]}" for c, v in LISA_CODES.items()) + ".",
            unit="Code", decimals=0, polarity=0)
        obs = pd.DataFrame({"indicator_id": ind_id, "unit_id": table["unit_id"],
                            "period": period, "value": code.astype(float), "status": "ok",
                            "method": "local_moran", "params": rows})
        counts = {LISA_CODES[c][0]: int((code == c).sum()) for c in LISA_CODES}
        summary = {"indicator": indicator_id, "name_de": ind.name_de, "name_en": ind.name_en,
                   "level": level, "period": period, "moran_I": glob.I,
                   "moran_p": glob.p_randomisation, "moran_z": glob.z_randomisation,
                   "counts": counts, "islands": [str(i) for i in sw.islands],
                   "no_geometry": no_geometry,
                   "permutations": permutations, "seed": seed, "fdr": fdr, "alpha": alpha,
                   "weights": sw.describe("de"), "weights_en": sw.describe("en")}
        return self._mon_derived("lisa", ind_id, level, period, table, summary,
                                 f"LISA: {indicator_id} ({level}, {period})", [indicator], obs,
                                 params, [ind], values)

    def _mon_trend(self, indicator_id: str, level: str, since: int | None,
                   until: int | None) -> Derived:
        ind = self.store.indicator(indicator_id)
        obs = self.store.observations(indicator_id=indicator_id, level=level)
        obs = obs[obs["status"].isin(USABLE) & obs["value"].notna()]
        if obs.empty:
            raise MethodError(f"Keine Werte für '{indicator_id}' auf der Ebene {level}.",
                              message_en=f"No values of '{indicator_id}' on level {level}.")
        years = pd.to_numeric(obs["period"].str[:4], errors="coerce")
        if years.isna().any() or (obs["period"].str.len() != 4).any():
            raise MethodError(f"Die Zeiträume von '{indicator_id}' sind keine Jahre; ein Trend "
                              "braucht Jahreswerte (z. B. 2021).",
                              message_en=f"The periods of '{indicator_id}' are not years; a "
                              "trend needs yearly values (e.g. 2021).")
        frame = pd.DataFrame({"unit": obs["unit_id"].to_numpy(),
                              "period": years.astype(int).to_numpy(),
                              "value": obs["value"].to_numpy(float)})
        since = int(since if since is not None else frame["period"].min())
        until = int(until if until is not None else frame["period"].max())
        if since >= until:
            raise MethodError(f"Trend von {since} bis {until}: erwartet ein Startjahr vor dem "
                              "Endjahr.", message_en=f"Trend from {since} to {until}: expected "
                              "a start year before the end year.")
        frame = frame[(frame["period"] >= since) & (frame["period"] <= until)]
        lineage = self._mon_lineage(level)
        fit = slopes(frame, lineage=lineage).set_index("unit")
        ends = frame[frame["period"].isin([since, until])]
        ch = changes(ends, 1, lineage=lineage) if not ends.empty else pd.DataFrame()
        ch = ch[ch["period"] == until].set_index("unit") if not ch.empty else ch
        units = sorted(set(fit.index))
        table = pd.DataFrame({"unit_id": units})
        table["name"] = table["unit_id"].map(self._mon_names(level))
        table["value_since"] = frame[frame["period"] == since].set_index("unit")[
            "value"].reindex(units).to_numpy()
        table["value_until"] = frame[frame["period"] == until].set_index("unit")[
            "value"].reindex(units).to_numpy()
        comparable = (ch["comparable"].astype(bool).reindex(units, fill_value=False)
                      .to_numpy(bool) if len(ch) else np.zeros(len(units), bool))
        table["change"] = np.where(comparable, table["value_until"] - table["value_since"],
                                   np.nan)
        for col in ("n", "slope", "ci_low", "ci_high", "p_value", "broken"):
            table[col] = fit[col].reindex(units).to_numpy()
        sign = {Polarity.HIGHER_IS_WORSE: 1, Polarity.HIGHER_IS_BETTER: -1}.get(
            Polarity(int(ind.polarity)), 0)
        table["dynamics_class"] = pd.array([pd.NA] * len(table), dtype="Int64")
        valid = table["change"].notna()
        if sign and int(valid.sum()) >= 2 and table.loc[valid, "change"].std(ddof=0) > 0:
            change = table.loc[valid, "change"] * sign
            z = (change - change.mean()) / change.std(ddof=0)
            table.loc[valid, "dynamics_class"] = mss_dynamics_class(z).to_numpy()
        dyn = table["dynamics_class"]
        table["dynamics"] = [None if pd.isna(d) else DYNAMICS_CLASSES[int(d)][0] for d in dyn]
        table["dynamics_en"] = [None if pd.isna(d) else DYNAMICS_CLASSES[int(d)][1] for d in dyn]
        reasons = [_trend_reason(a, b, c, since, until) for a, b, c in
                   zip(table["value_since"], table["value_until"], table["change"], strict=True)]
        params = {"method": "trend", "of": indicator_id, "since": since, "until": until,
                  "confidence": 0.95, "segment": "last", "dynamics": "z(change) > 1 negativ, "
                  "< -1 positiv" + (" (höher ist schlechter)" if sign > 0 else
                                     " (höher ist besser)" if sign < 0 else "")}
        obs_out = self._mon_trend_observations(ind, table, reasons, params, str(until), sign)
        inds = [
            _derived_indicator(ind, f"{indicator_id}_trend", f"{ind.name_de}: Trend je Jahr",
                               f"{ind.name_en}: trend per year",
                               "Steigung der linearen Regression der Jahreswerte seit dem "
                               "Startjahr (nach einer Gebietsänderung nur seit dieser), mit "
                               "95-%-Konfidenzintervall.",
                               "Slope of the linear regression of the yearly values since the "
                               "start year (after a boundary change only since then), with a "
                               "95% confidence interval.", unit=f"{ind.unit} je Jahr",
                               decimals=ind.decimals + 1, polarity=int(ind.polarity)),
            _derived_indicator(ind, f"{indicator_id}_veraenderung",
                               f"{ind.name_de}: Veränderung seit dem Startjahr",
                               f"{ind.name_en}: change since the start year",
                               "Wert im Endjahr minus Wert im Startjahr (Startjahr in den "
                               "Parametern); leer, wenn eine Gebietsänderung dazwischen liegt.",
                               "Value in the end year minus value in the start year (start "
                               "year in the parameters); empty across a boundary change.",
                               unit=ind.unit, decimals=ind.decimals,
                               polarity=int(ind.polarity))]
        if sign:
            inds.append(_derived_indicator(
                ind, f"{indicator_id}_dynamik", f"{ind.name_de}: Dynamikklasse",
                f"{ind.name_en}: dynamics class",
                "Veränderung seit dem Startjahr, z-standardisiert wie im Berliner MSS: "
                "1 = positiv (z < -1), 2 = stabil, 3 = negativ (z > 1).",
                "Change since the start year, z-standardised as in Berlin's MSS: 1 = positive "
                "(z < -1), 2 = stable, 3 = negative (z > 1).", unit="Klasse", decimals=0,
                polarity=0))
        counts = dyn.value_counts()
        summary = {"indicator": indicator_id, "name_de": ind.name_de, "name_en": ind.name_en,
                   "unit": ind.unit, "decimals": ind.decimals, "level": level,
                   "since": since, "until": until, "units": len(table),
                   "mean_change": _float(table["change"].mean()),
                   "increased": int((table["change"] > 0).sum()),
                   "decreased": int((table["change"] < 0).sum()),
                   "broken": int(table["broken"].astype(bool).sum()),
                   "dynamics": {DYNAMICS_CLASSES[c][0]: int(counts.get(c, 0))
                                for c in DYNAMICS_CLASSES} if sign else {},
                   "dynamics_en": {DYNAMICS_CLASSES[c][1]: int(counts.get(c, 0))
                                   for c in DYNAMICS_CLASSES} if sign else {}}
        name = f"Trend: {indicator_id} ({level}, {since}–{until})"
        return self._mon_derived("trend", f"{indicator_id}_trend", level, str(until), table,
                                 summary, name, inds, obs_out, params, [ind],
                                 frame.set_index(["unit", "period"])["value"])

    def _mon_trend_observations(self, ind: Indicator, table: pd.DataFrame,
                                reasons: list[tuple[str, str]],
                                params: dict[str, Any], until: str, sign: int) -> pd.DataFrame:
        versions = package_versions()
        ids = table["unit_id"]
        n = table["n"].fillna(0).to_numpy(int)
        trend_status = np.where(n >= 3, "ok", np.where(n == 2, "unreliable", "missing"))
        trend_params = [_json({**params, "versions": versions, "n": int(k), "p_value": p,
                               "broken": bool(b)})
                        for k, p, b in zip(n, table["p_value"], table["broken"], strict=True)]
        frames = [pd.DataFrame({
            "indicator_id": f"{ind.id}_trend", "unit_id": ids, "period": until,
            "value": np.where(n >= 2, table["slope"], np.nan), "status": trend_status,
            "lower": table["ci_low"], "upper": table["ci_high"], "method": "trend/ols",
            "params": trend_params})]
        change_params = [_json({**params, "versions": versions,
                                **({"reason": de, "reason_en": en} if de else {})})
                         for de, en in reasons]
        frames.append(pd.DataFrame({
            "indicator_id": f"{ind.id}_veraenderung", "unit_id": ids, "period": until,
            "value": table["change"], "numerator": None, "denominator": None,
            "status": np.where(table["change"].notna(), "ok", "missing"),
            "method": "trend/change", "params": change_params}))
        if sign:
            dyn = table["dynamics_class"]
            keep = dyn.notna().to_numpy()
            frames.append(pd.DataFrame({
                "indicator_id": f"{ind.id}_dynamik", "unit_id": ids[keep], "period": until,
                "value": dyn[keep].astype(float), "status": "ok", "method": "trend/dynamics",
                "params": _json({**params, "versions": versions})}))
        return pd.concat(frames, ignore_index=True)

    def _mon_priority(self, score: str, level: str, cls: Derived, lis: Derived, tr: Derived,
                      min_score: float) -> Derived:
        ind = self.store.indicator(score)
        if ind.polarity == Polarity.NEUTRAL:
            raise MethodError(f"'{score}' hat keine Richtung (Polarität 0); eine Rangfolge "
                              "braucht einen Indikator, bei dem höher besser oder schlechter "
                              "ist.", message_en=f"'{score}' has no direction (polarity 0); a "
                              "ranking needs an indicator where higher is better or worse.")
        worse = ind.polarity == Polarity.HIGHER_IS_WORSE
        ct = cls.table.set_index("unit_id")
        k = int(ct["class"].max())
        ranks = ct["class"].astype(int) if worse else k + 1 - ct["class"].astype(int)
        status = dict(zip(ct.index, np.select([ranks == k, ranks == k - 1, ranks == 1],
                                              [4, 3, 1], 2).tolist(), strict=True))
        dyn = tr.table.set_index("unit_id")["dynamics_class"].reindex(ct.index)
        hot = "HH" if worse else "LL"
        codes = lis.table.set_index("unit_id")["code"].reindex(ct.index)
        children, child_de, child_en = self._mon_children(level, list(ct.index))
        frame = pd.DataFrame({
            "id": ct.index, "status_class": [status[u] for u in ct.index],
            "dynamics_class": pd.Series([None if pd.isna(d) else int(d) for d in dyn],
                                        dtype=object).to_numpy(),
            "hotspot": (codes == _LISA_CODE[hot]).to_numpy(bool),
            "children": children.reindex(ct.index).to_numpy(dtype=float)})
        rule = PriorityRule(min_score=min_score)
        res = priority_list(frame, rule=rule,
                            children_col="children" if len(children) else None)
        t = res.table.rename(columns={"id": "unit_id"})
        t.insert(2, "name", t["unit_id"].map(self._mon_names(level)))
        dec = ind.decimals
        basis, basis_en = {}, {}
        for uid, value, c, lab, lab_en in zip(ct.index, ct["value"], ct["class"], ct["label"],
                                              ct["label_en"], strict=True):
            basis[uid] = (f"{ind.name_de} {cls.period}: {format_number(float(value), dec)}, "
                          f"Klasse {int(c)} von {k} ({lab})")
            basis_en[uid] = (f"{ind.name_en} {cls.period}: "
                             f"{format_number(float(value), dec, 'en')}, class {int(c)} of {k} "
                             f"({lab_en})")
        t["reasons"] = [f"{basis[u]}; {r}" for u, r in zip(t["unit_id"], t["reasons"],
                                                             strict=True)]
        t["reasons_en"] = [f"{basis_en[u]}; {r}" for u, r in zip(t["unit_id"], t["reasons_en"],
                                                                  strict=True)]
        rule_de = (f"{res.rule_text} Status aus den Klassen von {ind.name_de} {cls.period}: "
                   "ungünstigste Klasse = sehr niedrig, zweitungünstigste = niedrig. Dynamik aus "
                   f"der Veränderung {tr.summary['since']}–{tr.summary['until']}. Hot Spot = "
                   f"LISA {hot}. Kinder: {child_de or 'nicht bekannt'}.")
        rule_en = (f"{res.rule_text_en} Status from the classes of {ind.name_en} {cls.period}: "
                   "least favourable class = very low, second = low. Dynamics from the change "
                   f"{tr.summary['since']}–{tr.summary['until']}. Hot spot = LISA {hot}. "
                   f"Children: {child_en or 'unknown'}.")
        params = {"method": "priority", "of": score, "period": cls.period,
                  "since": tr.summary["since"], "min_score": min_score,
                  "rule": rule_de, "rule_en": rule_en,
                  "classes": cls.details.get("params"), "lisa": lis.details.get("params")}
        versions = package_versions()
        rows = [_json({"method": "priority", "of": score, "min_score": min_score,
                       "versions": versions, "rank": int(r), "priority": bool(p),
                       "reasons": a, "reasons_en": b})
                for r, p, a, b in zip(t["rank"], t["priority"], t["reasons"], t["reasons_en"],
                                      strict=True)]
        ind_id = f"{score}_prioritaet"
        indicator = _derived_indicator(
            ind, ind_id, f"{ind.name_de}: Prioritätspunkte", f"{ind.name_en}: priority points",
            "Punkte der Prioritätsregel (Status, Dynamik, Hot Spot, betroffene Kinder); Rang "
            "und Begründung stehen in den Parametern jedes Werts.",
            "Points of the priority rule (status, dynamics, hot spot, affected children); rank "
            "and reasons are in every value's parameters.", unit="Punkte", decimals=1,
            polarity=-1)
        obs = pd.DataFrame({"indicator_id": ind_id, "unit_id": t["unit_id"],
                            "period": cls.period, "value": t["score"].astype(float),
                            "status": "ok", "method": "priority", "params": rows})
        summary = {"score": score, "name_de": ind.name_de, "name_en": ind.name_en,
                   "level": level, "period": cls.period, "rule": rule_de, "rule_en": rule_en,
                   "priority": int(t["priority"].sum()), "units": len(t),
                   "children": child_de, "children_en": child_en}
        inputs = [ind, *cls.indicators, *lis.indicators]
        return self._mon_derived("priority", ind_id, level, cls.period, t, summary,
                                 f"Priorität: {score} ({level}, {cls.period})", [indicator], obs,
                                 params, inputs, frame.set_index("id"))

    # -- reading helpers ---------------------------------------------------------------
    def _mon_names(self, level: str) -> dict[str, str]:
        units = self.store.units_frame(level)
        return dict(zip(units["id"], units["name"], strict=True))

    def _mon_coverage(self, indicator_ids: list[str], level: str) -> int:
        """Largest number of units that have every one of the indicators in one period."""
        obs = self.store.observations(indicator_id=indicator_ids, level=level)
        if obs.empty:
            return 0
        per_unit = obs.groupby(["period", "unit_id"])["indicator_id"].nunique()
        full = per_unit[per_unit == len(set(indicator_ids))]
        return int(full.groupby(level="period").size().max()) if len(full) else 0

    def _mon_values(self, indicator_id: str, level: str,
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

    def _mon_geo(self, level: str, ids: list[str]) -> gpd.GeoDataFrame:
        """The units of ``ids`` that have a geometry, sorted by id, in EPSG:4326."""
        geoms = self.store.geometries(level)
        geoms = geoms[geoms["id"].isin(ids) & geoms["geometry"].notna()].sort_values("id")
        return gpd.GeoDataFrame({"id": geoms["id"].to_numpy()},
                                geometry=shapely.from_wkb(geoms["geometry"].to_numpy()),
                                crs=4326)

    def _mon_lineage(self, level: str) -> list[LineageEvent]:
        return [LineageEvent(u.id, tuple(u.arisen_from),
                             u.valid_from.year if u.valid_from else 0)
                for u in self.store.units(level) if u.arisen_from]

    def _mon_children(self, level: str,
                      ids: Sequence[str]) -> tuple[pd.Series, str, str]:
        """Children under 18 per unit of ``ids``: counted where the store has them for at
        least half of the units, else estimated from inhabitants and age shares (INKAR),
        else unknown (empty series)."""
        for series, de, en in self._mon_children_sources(level):
            if series.reindex(list(ids)).notna().sum() * 2 >= len(ids):
                return series, de, en
        return pd.Series(dtype=float), "", ""

    def _mon_children_sources(self, level: str) -> Iterator[tuple[pd.Series, str, str]]:
        store = _UnsuppressedReads(self.store)  # a withheld count never feeds a result
        direct = store.observations(indicator_id="einwohner_u18", level=level)
        if not direct.empty:
            period = str(direct["period"].max())
            sel = direct[direct["period"] == period]
            yield (pd.Series(sel["value"].to_numpy(float), index=sel["unit_id"].to_numpy()),
                   f"Kinder unter 18 Jahren {period}", f"children under 18, {period}")
        groups = store.observations(indicator_id=list(_AGE_GROUPS), level=level)
        wide = groups.pivot_table(index=["period", "unit_id"], columns="indicator_id",
                                  values="value", aggfunc="first").dropna()
        if len(wide.columns) == len(_AGE_GROUPS) and not wide.empty:
            period = str(wide.index.get_level_values("period").max())
            block = wide[wide.index.get_level_values("period") == period]
            yield (block.droplevel("period").sum(axis="columns").astype(float),
                   f"Kinder unter 18 Jahren {period} (Summe der Altersgruppen)",
                   f"children under 18, {period} (sum of age groups)")
        if level not in ("kreis", "gemeinde"):
            return

        def latest(ind: str, lv: str) -> pd.Series:
            frame = store.observations(indicator_id=ind, level=lv)
            frame = frame[frame["period"] == frame["period"].max()]
            return pd.Series(frame["value"].to_numpy(float), index=frame["unit_id"].to_numpy())

        try:
            gem_units = store.units_frame("gemeinde").set_index("id")["parent_id"]
            kreis, gem = estimate_children(
                latest("einwohner", "kreis"), latest("anteil_unter_6", "kreis"),
                latest("anteil_6_18", "kreis"), latest("einwohner", "gemeinde"),
                latest("anteil_unter_6", "gemeinde"), gem_units, 18)
        except (KekizError, KeyError, ValueError):
            return
        yield (kreis if level == "kreis" else gem,
               "Kinder unter 18 Jahren, geschätzt aus Einwohnern (VG250-EW) und Altersanteilen "
               "(INKAR)", "children under 18, estimated from inhabitants (VG250-EW) and age "
               "shares (INKAR)")

    # -- writing -------------------------------------------------------------------------
    def _mon_derived(self, kind: str, indicator_id: str, level: str, period: str,
                     table: pd.DataFrame, summary: dict[str, Any], name: str,
                     indicators: list[Indicator], observations: pd.DataFrame,
                     params: dict[str, Any], inputs: list[Indicator],
                     input_values: pd.Series | pd.DataFrame | None = None) -> Derived:
        obs = observations.reindex(columns=OBS_COLUMNS)
        digest = hashlib.sha256()
        digest.update(_json(params).encode())
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
        return Derived(kind, indicator_id, level, period, table.reset_index(drop=True),
                       _clean(summary), name, indicators, obs, details, digest.hexdigest(),
                       licence=_join({i.licence for i in inputs}),
                       source=_join({i.source for i in inputs}))

    def _mon_write(self, items: Sequence[Derived]) -> None:
        if not items:
            return
        user = self._user()
        with self.store.transaction() as tx:
            for d in items:
                ds = Dataset(name=d.name, kind="derived", sha256=d.sha256, licence=d.licence,
                             source=d.source, user=user, rows=len(d.observations),
                             details=d.details)
                tx.add_dataset(ds)
                assert ds.id is not None
                d.replaced = tx.delete_observations_of(tx.previous_revisions(ds.name, ds.id))
                tx.upsert_indicators(d.indicators)
                tx.upsert_observations(d.observations.assign(dataset_id=ds.id))
                d.dataset = ds


# -- module helpers ------------------------------------------------------------------------
def _ids(value: str | Sequence[str] | None) -> list[str]:
    if not value:
        return []
    parts = value.split("+") if isinstance(value, str) else list(value)
    return [p.strip() for p in parts if p.strip()]


def _join(values: set[str]) -> str:
    return "; ".join(sorted(v for v in values if v))


def _float(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def _clean(obj: Any) -> Any:
    """JSON-ready: NaN/NA -> None, numpy scalars -> Python, tuples -> lists."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if obj is None or obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, float) and (math.isnan(obj) or math.isinf(obj)):
        return None
    return obj


def _json(obj: Any) -> str:
    return json.dumps(_clean(obj), sort_keys=True, ensure_ascii=False)


def _write_table(table: pd.DataFrame, out: Path, fmt: str, lang: str) -> None:
    """CSV as German Excel reads it (``;``, decimal comma, UTF-8 with BOM; English: ``,``
    and ``.``) or XLSX; written to a temporary file first, then moved into place."""
    data = table.assign(id=table["id"].map(neutralise))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.tmp{out.suffix}")
    try:
        if fmt == "xlsx":
            data.to_excel(tmp, index=False, engine="openpyxl", sheet_name="MSS")
        elif lang == "en":
            data.to_csv(tmp, index=False, encoding="utf-8")
        else:
            data.to_csv(tmp, sep=";", decimal=",", index=False, encoding="utf-8-sig")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)


def _derived_indicator(base: Indicator, ind_id: str, name_de: str, name_en: str,
                       definition_de: str, definition_en: str, *, unit: str, decimals: int,
                       polarity: int) -> Indicator:
    return Indicator(ind_id, name_de, name_en, definition_de, definition_en, unit=unit,
                     polarity=Polarity(polarity), sector=base.sector,
                     life_phase=base.life_phase, aggregation=Aggregation.NONE,
                     source=f"kekiz, abgeleitet aus {base.id}" + (
                         f" ({base.source})" if base.source else ""),
                     licence=base.licence, decimals=decimals)


def _classify(values: pd.Series, method: str, k: int, breaks: Sequence[float] | None,
              decimals: int) -> Classification:
    if method == "quantile9":
        if k < 2:
            raise MethodError(f"Anzahl der Klassen {k}: erwartet mindestens 2.",
                              message_en=f"Number of classes {k}: expected at least 2.")
        cuts = np.unique(quantile_type9(values.to_numpy(float), np.arange(1, k) / k))
        cuts = cuts[(cuts >= values.min()) & (cuts < values.max())]
        return classify(values, "manual", breaks=cuts.tolist(), closed="right",
                        decimals=decimals, open_ends=False)
    if method not in CLASSIFIERS:
        known = ", ".join(["quantile9", *sorted(CLASSIFIERS)])
        raise MethodError(f"Unbekanntes Klassifizierungsverfahren '{method}'. Erwartet: {known}.",
                          message_en=f"Unknown classification method '{method}'. Expected: "
                          f"{known}.")
    return classify(values, method, k, breaks=breaks, decimals=decimals)


def _trend_reason(first: float, last: float, change: float, since: int,
                  until: int) -> tuple[str, str]:
    if not pd.isna(change):
        return "", ""
    if pd.isna(first):
        return f"kein Wert {since}", f"no value in {since}"
    if pd.isna(last):
        return f"kein Wert {until}", f"no value in {until}"
    return (f"Gebietsänderung zwischen {since} und {until}: nicht vergleichbar",
            f"boundary change between {since} and {until}: not comparable")


class _UnsuppressedReads:
    """Store reads without suppressed observations (status ``suppressed``), so that a
    withheld value cannot enter a derived figure or its explanation."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def observations(self, **kwargs: Any) -> pd.DataFrame:
        frame = self._store.observations(**kwargs)
        if "status" in frame.columns:
            frame = frame[frame["status"] != "suppressed"]
        return frame

    def units_frame(self, level: str | None = None) -> pd.DataFrame:
        return self._store.units_frame(level)
