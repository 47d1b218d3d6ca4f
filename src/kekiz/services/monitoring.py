"""Socio-spatial monitoring use cases (issue #3).

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

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kekiz.analysis.rates import proportions, rates
from kekiz.analysis.smoothing import binomial_eb, global_eb, local_eb
from kekiz.analysis.spatial import DEFAULT_SEED, local_moran, moran, spatial_weights
from kekiz.domain.catalogue import lookup
from kekiz.domain.errors import MethodError
from kekiz.domain.jsonable import dumps
from kekiz.domain.model import Aggregation, Indicator, Polarity
from kekiz.i18n import fmt_number
from kekiz.services.derived import (
    AGE_GROUPS,
    LISA_CODE,
    LISA_CODES,
    USABLE,
    Derived,
    DerivedResults,
    classify_values,
    derived_indicator,
    join_sources,
    package_versions,
)
from kekiz.services.trends import TrendsAndPriorities
from kekiz.settings import Settings
from kekiz.storage.protocol import Store

__all__ = ["DEFAULT_RATES", "LISA_CODES", "MonitoringRun", "MonitoringService", "RatePlan"]



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
    RatePlan("anteil_kinder_u18", AGE_GROUPS, "einwohner",
             name_de="Anteil der Kinder und Jugendlichen unter 18 Jahren an der Bevölkerung",
             name_en="Share of children and young people under 18 in the population"),
)


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



class MonitoringService:
    """Rates with intervals, classes, hot spots, trends and priority lists of a level."""

    def __init__(self, store: Store, settings: Settings, derived: DerivedResults,
                 trends: TrendsAndPriorities) -> None:
        self.store = store
        self.settings = settings
        self._derived = derived
        self.trends = trends

    # -- public use cases ---------------------------------------------------------------
    def derive_rate(self, indicator_id: str | None, numerator_id: str | Sequence[str] | None,
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

        ``indicator_id``: the id of the rate (default: made from kind, numerators and
        denominator); an id that exists with another definition or other names is refused.
        ``name_de``/``name_en`` name a new rate (default: "Anteil <Zähler> an <Nenner>").
        """
        indicator_id = self._rate_id(indicator_id, numerator_id, denominator_id, kind,
                                     name_de, name_en)
        out = self._rate(indicator_id, numerator_id, denominator_id, level, kind=kind,
                             multiplier=multiplier, method=method, confidence=confidence,
                             min_denominator=min_denominator,
                             max_relative_width=max_relative_width, min_numerator=min_numerator,
                             smooth=smooth, name_de=name_de, name_en=name_en, polarity=polarity)
        self._derived.write(out)
        return out

    def classify(self, indicator_id: str, level: str, period: str | None = None,
                 method: str = "quantile9", k: int = 5, *,
                 breaks: Sequence[float] | None = None) -> Derived:
        """Map classes of an indicator (``quantile9``: type-9 quantiles as the GISD;
        or a mapclassify method) stored as ``<indicator>_klasse``."""
        out = self.compute_classes(indicator_id, level, period, method, k, breaks)
        self._derived.write([out])
        return out

    def lisa(self, indicator_id: str, level: str, period: str | None = None, *,
             permutations: int = 999, seed: int = DEFAULT_SEED, fdr: bool = False,
             alpha: float = 0.05, weights: str = "queen",
             threshold: float | None = None) -> Derived:
        """Local Moran clusters (seeded permutations, optional FDR) as ``<indicator>_lisa``."""
        out = self.compute_lisa(indicator_id, level, period, permutations=permutations, seed=seed,
                             fdr=fdr, alpha=alpha, weights=weights, threshold=threshold)
        self._derived.write([out])
        return out

    def trend(self, indicator_id: str, level: str, since: int | None = None,
              until: int | None = None) -> Derived:
        """Change since ``since``, linear trend with 95% interval and dynamics class;
        series broken by boundary changes are marked (lineage of the units)."""
        out = self.trends.compute_trend(indicator_id, level, since, until)
        self._derived.write([out])
        return out

    def priority(self, level: str, score: str = "gisd_score", period: str | None = None,
                 since: int | None = None, *, method: str = "quantile9", k: int = 5,
                 permutations: int = 999, seed: int = DEFAULT_SEED, fdr: bool = False,
                 alpha: float = 0.05, weights: str = "queen",
                 min_score: float = 4.0, children: str | None = None) -> Derived:
        """Priority districts: status from the classes of ``score``, dynamics from its
        change since ``since``, LISA hot spots and the children living there; ranked with
        reasons in plain German (and English)."""
        cls = self.compute_classes(score, level, period, method, k, None)
        lis = self.compute_lisa(score, level, cls.period, permutations=permutations, seed=seed,
                             fdr=fdr, alpha=alpha, weights=weights, threshold=None)
        tr = self.trends.compute_trend(score, level, since, int(cls.period[:4]))
        out = self.trends.compute_priority(score, level, cls, lis, tr, min_score, children)
        self._derived.write([out])
        return out

    def run_monitoring(self, level: str, *, score: str | None = None,
                       period: str | None = None, since: int | None = None,
                       plans: Sequence[RatePlan] = DEFAULT_RATES, permutations: int = 999,
                       seed: int = DEFAULT_SEED, fdr: bool = False,
                       min_score: float = 4.0, children: str | None = None) -> MonitoringRun:
        """The whole monitoring of one level, written in one transaction: the ratios of
        ``plans`` whose counts are stored, then classes, LISA clusters, trend and
        priority list of ``score`` (when it has values on this level).

        Without ``score``: the GISD where it has values, else the one composite index of
        the level (``kekiz index``); with several candidates or none, and nothing else to
        compute, an error lists the candidates for ``--score``.  ``children``: the
        indicator of the children counted in priority areas (default ``einwohner_u18`` or
        the age groups)."""
        run = MonitoringRun(level)
        self.store.level(level)
        n_units = len(self.store.units_frame(level))
        known = set(self.store.periods())
        for plan in plans:
            if not set(plan.numerator) | {plan.denominator} <= known:
                continue
            covered = self._derived.coverage([*plan.numerator, plan.denominator], level)
            if covered * 2 < n_units or covered == 0:
                if covered:
                    run.notes.append(f"{plan.indicator}: Zählwerte nur für {covered} von "
                                     f"{n_units} Gebieten, nicht berechnet.")
                    run.notes_en.append(f"{plan.indicator}: counts for only {covered} of "
                                        f"{n_units} areas, not derived.")
                continue
            run.results += self._rate(plan.indicator, list(plan.numerator), plan.denominator,
                                          level, kind=plan.kind, multiplier=plan.multiplier,
                                          name_de=plan.name_de or None,
                                          name_en=plan.name_en or None)
        chosen, candidates = self._score_of(level, score)
        if chosen is None:
            self._no_score(run, level, score, candidates)
        else:
            score = chosen
            cls = self.compute_classes(score, level, period, "quantile9", 5, None)
            lis = self.compute_lisa(score, level, cls.period, permutations=permutations,
                                    seed=seed, fdr=fdr, alpha=0.05, weights="queen",
                                    threshold=None)
            tr = self.trends.compute_trend(score, level, since, int(cls.period[:4]))
            run.results += [cls, lis, tr]
            if self.store.indicator(score).polarity != Polarity.NEUTRAL:
                run.results.append(self.trends.compute_priority(score, level, cls, lis, tr,
                                                                 min_score, children))
        self._derived.write(run.results)
        return run

    def _score_of(self, level: str, score: str | None) -> tuple[str | None, list[str]]:
        """The score of a monitoring run and the candidates of the level: indicators with
        values for at least 4 units and a direction, composite indices first."""
        obs = self.store.observations(level=level)
        obs = obs[obs["status"].isin(USABLE) & obs["value"].notna()]
        cover = obs.groupby(["indicator_id", "period"])["unit_id"].nunique() \
            .groupby(level="indicator_id").max()
        known = {i.id: i for i in self.store.indicators()}
        derived = ("_klasse", "_lisa", "_trend", "_veraenderung", "_dynamik",
                   "_prioritaet", "_eb")
        composite = set(obs.loc[obs["method"].fillna("").str.startswith("index/"),
                                "indicator_id"])
        cands = sorted((i for i, n in cover.items() if n >= 4 and i in known and
                        known[i].polarity != Polarity.NEUTRAL and not i.endswith(derived)),
                       key=lambda i: (i not in composite, i))
        if score is not None:
            return (score if cover.get(score, 0) >= 4 else None), cands
        if cover.get("gisd_score", 0) >= 4:
            return "gisd_score", cands
        found = [c for c in cands if c in composite]
        return (found[0] if len(found) == 1 else None), cands

    def _no_score(self, run: MonitoringRun, level: str, score: str | None,
                  candidates: list[str]) -> None:
        """Why classes, LISA, trend and priorities are skipped; an error when the run
        would compute nothing at all."""
        name = score or "gisd_score"
        listed = ", ".join(candidates[:15]) or "–"
        de = (f"{name}: keine Werte auf der Ebene {level}" if score or not candidates
              else f"Kein GISD (gisd_score) und kein eindeutiger Index auf der Ebene {level}")
        en = (f"{name}: no values on level {level}" if score or not candidates
              else f"No GISD (gisd_score) and no single composite index on level {level}")
        if not run.results:
            raise MethodError(
                f"{de}; das Monitoring hätte kein Ergebnis. Abhilfe: --score mit einem "
                f"Indikator dieser Ebene angeben. Kandidaten: {listed}.",
                message_en=f"{en}; the monitoring would have no result. Fix: give --score "
                f"with an indicator of this level. Candidates: {listed}.")
        run.notes.append(f"{de}; Klassen, LISA, Trend und Prioritäten entfallen "
                         f"(--score angeben; Kandidaten: {listed}).")
        run.notes_en.append(f"{en}; classes, LISA, trend and priorities skipped (give "
                            f"--score; candidates: {listed}).")

    # -- computing ---------------------------------------------------------------------
    def _rate(self, indicator_id: str, numerator_id: str | Sequence[str] | None,
              denominator_id: str | None, level: str, *, kind: str = "share",
              multiplier: float | None = None, method: str | None = None,
              confidence: float = 0.95, min_denominator: float | None = 30,
              max_relative_width: float | None = None, min_numerator: float | None = None,
              smooth: str | None = None, name_de: str | None = None,
              name_en: str | None = None, polarity: int | None = None) -> list[Derived]:
        spec = self._rate_spec(indicator_id, numerator_id, denominator_id, level, kind,
                               multiplier, method)
        data, inputs = self._counts(spec.nums, spec.den, level)
        if data.empty:
            raise MethodError(f"Keine Zeiträume mit Zähler ({'+'.join(spec.nums)}) und "
                              f"Nenner ({spec.den}) auf der Ebene {level}.",
                              message_en=f"No periods with numerator ({'+'.join(spec.nums)}) "
                              f"and denominator ({spec.den}) on level {level}.")
        common = {"method": f"{kind}/{spec.method}", "kind": kind,
                  "numerator": "+".join(spec.nums), "denominator": spec.den,
                  "confidence": confidence, "multiplier": spec.scale,
                  "min_denominator": min_denominator, "max_relative_width": max_relative_width,
                  "min_numerator": min_numerator, "versions": package_versions()}
        obs, reasons = _rate_observations(indicator_id, data, spec, common)
        indicator = self._rate_indicator(indicator_id, spec.base, spec.nums, spec.den, kind,
                                         spec.scale, spec.known, name_de, name_en, polarity,
                                         inputs)
        table = obs[["unit_id", "period", "value", "lower", "upper", "status", "numerator",
                     "denominator"]].copy()
        table.insert(1, "name", table["unit_id"].map(self._derived.names(level)))
        table["reason"], table["reason_en"] = reasons
        periods = sorted(table["period"].unique())
        summary = {"indicator": indicator_id, "name_de": indicator.name_de,
                   "name_en": indicator.name_en, "unit": indicator.unit,
                   "decimals": indicator.decimals, "level": level, "kind": kind,
                   "method": spec.method, "confidence": confidence,
                   "multiplier": spec.scale, "periods": periods, "values": len(table),
                   "status": {k: int(v) for k, v in table["status"].value_counts().items()},
                   "flagged": table[table["status"] != "ok"].head(50).to_dict("records")}
        params = {k: v for k, v in common.items() if k != "versions"}
        new = [indicator] if indicator.id not in spec.known else []
        out = [self._derived.make("rates", indicator_id, level, str(periods[-1]), table,
                                  summary, f"Abgeleitet: {indicator_id} ({level})", new, obs,
                                  params, inputs)]
        if smooth:
            out.append(self._smooth(out[0], smooth, spec.scale, level, inputs, spec.known))
        return out

    def _rate_id(self, indicator_id: str | None, numerator_id: str | Sequence[str] | None,
                 denominator_id: str | None, kind: str, name_de: str | None,
                 name_en: str | None) -> str:
        """The id of a rate asked for by a user: the given one if it is new or the same
        rate; else a clear error.  Without an id: ``anteil_<zähler>_an_<nenner>``."""
        nums = _ids(numerator_id)
        if not indicator_id:
            if not nums or not denominator_id:
                raise MethodError(
                    "Für eine neue Quote fehlen --id oder Zähler und Nenner. Abhilfe: --id "
                    "und --name-de angeben, oder --numerator und --denominator.",
                    message_en="A new rate needs --id or a numerator and denominator. Fix: "
                    "give --id and --name-de, or --numerator and --denominator.")
            head = "anteil" if kind == "share" else "rate"
            more = f"_und_{len(nums) - 1}" if len(nums) > 1 else ""
            return f"{head}_{nums[0]}{more}_an_{denominator_id}"
        have = {i.id: i for i in self.store.indicators()}.get(indicator_id) or \
            lookup(indicator_id)
        if have is None:
            return indicator_id
        same = (have.aggregation == Aggregation.RATIO and bool(have.numerator) and
                (not nums or sorted(_ids(have.numerator)) == sorted(nums)) and
                (not denominator_id or have.denominator == denominator_id) and
                name_de in (None, have.name_de) and name_en in (None, have.name_en))
        if not same:
            what = (f"'{have.name_de}', ({have.numerator or '–'}) / {have.denominator or '–'}")
            what_en = (f"'{have.name_en}', ({have.numerator or '–'}) / "
                       f"{have.denominator or '–'}")
            raise MethodError(
                f"Den Indikator '{indicator_id}' gibt es schon ({what}). Abhilfe: eine andere "
                "--id wählen (oder ohne --name-de/--name-en dieselbe Quote neu berechnen).",
                message_en=f"Indicator '{indicator_id}' exists already ({what_en}). Fix: "
                "choose another --id (or recompute the same rate without "
                "--name-de/--name-en).")
        return indicator_id

    def _rate_spec(self, indicator_id: str, numerator_id: str | Sequence[str] | None,
                   denominator_id: str | None, level: str, kind: str,
                   multiplier: float | None, method: str | None) -> _RateSpec:
        """What a rate is made of: its counts, scale and interval method, checked."""
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
        chosen = method or ("wilson" if kind == "share" else "phe")
        return _RateSpec(known, base, nums, den, kind, scale, chosen)

    def _counts(self, nums: list[str], den: str,
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

    def _rate_indicator(self, indicator_id: str, base: Indicator | None, nums: list[str],
                            den: str, kind: str, scale: float, known: dict[str, Indicator],
                            name_de: str | None, name_en: str | None, polarity: int | None,
                            inputs: list[Indicator]) -> Indicator:
        if indicator_id in known:
            return known[indicator_id]
        if base is not None:
            return base
        per = {100.0: "je 100", 1000.0: "je 1.000", 100000.0: "je 100.000"}.get(
            scale, f"je {fmt_number(scale, 0)}")
        unit = "%" if scale == 100.0 and kind == "share" else per
        default_de, default_en = _rate_names(inputs[:-1], inputs[-1], per,
                                             unit == "%")
        return Indicator(
            indicator_id, name_de or default_de, name_en or name_de or default_en,
            f"({'+'.join(nums)}) / {den} × {fmt_number(scale, 0)}",
            f"({'+'.join(nums)}) / {den} × {scale:,.0f}", unit=unit,
            numerator="+".join(nums), denominator=den,
            polarity=Polarity(polarity or 0), sector=inputs[0].sector,
            life_phase=inputs[0].life_phase, aggregation=Aggregation.RATIO, scale=scale,
            source=join_sources({i.source for i in inputs}),
            licence=join_sources({i.licence for i in inputs}))

    def _smooth(self, rate: Derived, smooth: str, scale: float, level: str,
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
                geo = self._derived.geo(level, list(ev.index))
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
        indicator = derived_indicator(
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
                            "params": dumps(common)})
        table = smoothed.assign(name=smoothed["unit_id"].map(self._derived.names(level)))
        return self._derived.make("smoothing", ind_id, level, rate.period, table,
                                 {"method": smooth, "values": len(out)},
                                 f"Geglättet: {rate.indicator_id} ({level}, {smooth})",
                                 [indicator], out, {"method": smooth, "of": rate.indicator_id},
                                 inputs)

    def compute_classes(self, indicator_id: str, level: str, period: str | None, method: str,
                     k: int, breaks: Sequence[float] | None) -> Derived:
        ind = self.store.indicator(indicator_id)
        values, period = self._derived.values(indicator_id, level, period)
        cls = classify_values(values, method, k, breaks, ind.decimals)
        ids = list(cls.class_ids)
        table = pd.DataFrame({"unit_id": values.index, "name": values.index.map(
            self._derived.names(level)), "value": values.to_numpy(),
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
        indicator = derived_indicator(
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
                            "params": dumps(common)})
        summary = {"indicator": indicator_id, "name_de": ind.name_de, "name_en": ind.name_en,
                   "level": level, "period": period, "method": method, "legend": legend,
                   "notes": list(cls.notes), "notes_en": list(cls.notes_en)}
        return self._derived.make("classes", ind_id, level, period, table, summary,
                                 f"Klassen: {indicator_id} ({level}, {period})", [indicator], obs,
                                 params, [ind], values)

    def compute_lisa(self, indicator_id: str, level: str, period: str | None, *, permutations: int,
                  seed: int, fdr: bool, alpha: float, weights: str,
                  threshold: float | None) -> Derived:
        ind = self.store.indicator(indicator_id)
        values, period = self._derived.values(indicator_id, level, period)
        geo = self._derived.geo(level, list(values.index))
        no_geometry = sorted(set(values.index) - set(geo["id"]))
        sw = spatial_weights(geo, weights, id_column="id", threshold=threshold,
                             metric_crs=str(self.settings.metric_crs))
        values = values.reindex(sw.ids)
        local = local_moran(values, sw, permutations=permutations, seed=seed, alpha=alpha,
                            fdr=fdr)
        glob = moran(values, sw, permutations=0)
        lt = local.table
        code = np.where(lt["island"], 9, lt["cluster"].map(LISA_CODE).fillna(0)).astype(int)
        table = pd.DataFrame({"unit_id": lt.index.astype(str), "value": lt["value"].to_numpy(),
                              "code": code, "I": lt["I"].to_numpy(),
                              "p_sim": lt["p_sim"].to_numpy(), "p_fdr": lt["p_fdr"].to_numpy(),
                              "quadrant": lt["quadrant"].to_numpy(object)})
        table.insert(1, "name", table["unit_id"].map(self._derived.names(level)))
        table["cluster"] = [LISA_CODES[c][1] for c in code]
        table["cluster_en"] = [LISA_CODES[c][2] for c in code]
        params = {"method": "local_moran", "of": indicator_id, "period": period,
                  "permutations": permutations, "seed": seed, "fdr": fdr, "alpha": alpha,
                  "weights": weights, "transform": sw.transform, "threshold": threshold,
                  "conditional": True, "islands": [str(i) for i in sw.islands],
                  "codes": {str(c): v[1] for c, v in LISA_CODES.items()}}
        versions = package_versions()
        rows = [dumps({**params, "versions": versions, "quadrant": q, "I": i, "p_sim": p,
                       "p_fdr": f})
                for q, i, p, f in zip(table["quadrant"], table["I"], table["p_sim"],
                                      table["p_fdr"], strict=True)]
        ind_id = f"{indicator_id}_lisa"
        indicator = derived_indicator(
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
        return self._derived.make("lisa", ind_id, level, period, table, summary,
                                 f"LISA: {indicator_id} ({level}, {period})", [indicator], obs,
                                 params, [ind], values)


def _rate_names(nums: list[Indicator], den: Indicator, per: str,
                percent: bool) -> tuple[str, str]:
    """Default German and English names of a rate: "Anteil <Zähler> an <Nenner>", with
    several numerators the first and their number (not a chain of all names)."""
    def what(lang: str) -> str:
        first = nums[0].name_de if lang == "de" else nums[0].name_en
        if len(nums) == 1:
            return first
        return (f"{first} und {len(nums) - 1} weitere" if lang == "de"
                else f"{first} and {len(nums) - 1} more")

    per_en = per.replace("je", "per").replace(".", ",")
    if percent:
        return (f"Anteil {what('de')} an {den.name_de}",
                f"Share of {what('en')} in {den.name_en}")
    return f"{what('de')} {per} {den.name_de}", f"{what('en')} {per_en} {den.name_en}"


def _ids(value: str | Sequence[str] | None) -> list[str]:
    if not value:
        return []
    parts = value.split("+") if isinstance(value, str) else list(value)
    return [p.strip() for p in parts if p.strip()]


@dataclass(frozen=True)
class _RateSpec:
    known: dict[str, Indicator]
    base: Indicator | None
    nums: list[str]
    den: str
    kind: str
    scale: float
    method: str


def _rate_observations(indicator_id: str, data: pd.DataFrame, spec: _RateSpec,
                       common: dict[str, Any]) -> tuple[pd.DataFrame, tuple[Any, Any]]:
    """The rate of every (unit, period) with interval and status; negative counts and
    numerators above the denominator of a share are missing with the reason (de, en)."""
    num, dnm = data["numerator"].to_numpy(float), data["denominator"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        negative = (num < 0) | (dnm < 0)
        too_big = (spec.kind == "share") & (dnm > 0) & (num > dnm)
    zero = ~negative & (dnm == 0)
    clean_num = np.where(negative | too_big, np.nan, np.where(zero, 0.0, num))
    clean_den = np.where(negative, np.nan, dnm)
    args: dict[str, Any] = dict(method=spec.method, confidence=common["confidence"],
                                multiplier=spec.scale,
                                min_denominator=common["min_denominator"],
                                max_relative_width=common["max_relative_width"],
                                min_numerator=common["min_numerator"])
    fn = proportions if spec.kind == "share" else rates
    de = fn(clean_num, clean_den, lang="de", **args)
    en = fn(clean_num, clean_den, lang="en", **args)
    reason = np.array(de["reason"].tolist(), dtype=object)
    reason_en = np.array(en["reason"].tolist(), dtype=object)
    reason[too_big] = "Zähler größer als Nenner (Daten prüfen)"
    reason_en[too_big] = "numerator larger than denominator (check the data)"
    reason[negative] = "negativer Zähler oder Nenner (Daten prüfen)"
    reason_en[negative] = "negative numerator or denominator (check the data)"
    rows = [dumps({**common, "interval": m or spec.method,
                   **({"reason": r, "reason_en": e} if r else {})})
            for m, r, e in zip(de["method"], reason, reason_en, strict=True)]
    obs = pd.DataFrame({
        "indicator_id": indicator_id, "unit_id": data["unit_id"].to_numpy(),
        "period": data["period"].to_numpy(), "value": de["value"].to_numpy(float),
        "numerator": num, "denominator": dnm, "status": de["status"].to_numpy(object),
        "lower": de["lower"].to_numpy(float), "upper": de["upper"].to_numpy(float),
        "method": f"{spec.kind}/{spec.method}", "params": rows})
    return obs, (reason, reason_en)
