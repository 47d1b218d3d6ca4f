"""Trends, dynamics classes and priority lists of the monitoring (issue #3).

``<indicator>_trend`` (slope per year with its confidence interval),
``<indicator>_veraenderung`` (change since the start year), ``<indicator>_dynamik`` (MSS
dynamics class 1..3) and ``<indicator>_prioritaet`` (points of the priority rule; rank and
reasons in ``params``) are computed here; :class:`~kekiz.services.monitoring.MonitoringService`
writes them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from kekiz.analysis.indices import DYNAMICS_CLASSES, mss_dynamics_class
from kekiz.analysis.priority import PriorityRule, priority_list
from kekiz.analysis.trends import LineageEvent, trend_table
from kekiz.domain.errors import KekizError, MethodError
from kekiz.domain.jsonable import dumps
from kekiz.domain.model import Indicator, Polarity
from kekiz.i18n import fmt_number
from kekiz.network.reach import estimate_children
from kekiz.services.derived import (
    AGE_GROUPS,
    LISA_CODE,
    USABLE,
    Derived,
    DerivedResults,
    derived_indicator,
    package_versions,
)
from kekiz.storage.protocol import Store

__all__ = ["TrendsAndPriorities"]


class TrendsAndPriorities:
    """Change, trend and dynamics of an indicator, and the priority list built on them.

    ``withheld_free`` is a read view of the store without withheld (suppressed) values:
    the children counted in priority areas are read through it, so a suppressed count
    never enters a published figure.
    """

    def __init__(self, store: Store, withheld_free: Store, derived: DerivedResults) -> None:
        self.store = store
        self._withheld_free = withheld_free
        self._derived = derived

    def compute_trend(self, indicator_id: str, level: str, since: int | None,
                   until: int | None) -> Derived:
        ind = self.store.indicator(indicator_id)
        obs = self.store.observations(indicator_id=indicator_id, level=level)
        obs = obs[obs["status"].isin(USABLE) & obs["value"].notna()]
        if obs.empty:
            raise MethodError(f"Keine Werte für '{indicator_id}' auf der Ebene {level}.",
                              message_en=f"No values of '{indicator_id}' on level {level}.")
        lineage = self._lineage(level)
        frame = pd.DataFrame({"unit": obs["unit_id"].to_numpy(),
                              "period": obs["period"].to_numpy(),
                              "value": obs["value"].to_numpy(float)})
        fit, since, until = trend_table(frame, since=since, until=until, lineage=lineage)
        table = fit.rename(columns={"unit": "unit_id"})
        table.insert(1, "name", table["unit_id"].map(self._derived.names(level)))
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
        reasons = list(zip(table["reason_de"].fillna(""), table["reason_en"].fillna(""),
                           strict=True))
        params = {"method": "trend", "of": indicator_id, "since": since, "until": until,
                  "confidence": 0.95, "segment": "last", "dynamics": "z(change) > 1 negativ, "
                  "< -1 positiv" + (" (höher ist schlechter)" if sign > 0 else
                                     " (höher ist besser)" if sign < 0 else "")}
        obs_out = self._trend_observations(ind, table, reasons, params, str(until), sign)
        inds = [
            derived_indicator(ind, f"{indicator_id}_trend", f"{ind.name_de}: Trend je Jahr",
                               f"{ind.name_en}: trend per year",
                               "Steigung der linearen Regression der Jahreswerte seit dem "
                               "Startjahr (nach einer Gebietsänderung nur seit dieser), mit "
                               "95-%-Konfidenzintervall.",
                               "Slope of the linear regression of the yearly values since the "
                               "start year (after a boundary change only since then), with a "
                               "95% confidence interval.", unit=f"{ind.unit} je Jahr",
                               decimals=ind.decimals + 1, polarity=int(ind.polarity)),
            derived_indicator(ind, f"{indicator_id}_veraenderung",
                               f"{ind.name_de}: Veränderung seit dem Startjahr",
                               f"{ind.name_en}: change since the start year",
                               "Wert im Endjahr minus Wert im Startjahr (Startjahr in den "
                               "Parametern); leer, wenn eine Gebietsänderung dazwischen liegt.",
                               "Value in the end year minus value in the start year (start "
                               "year in the parameters); empty across a boundary change.",
                               unit=ind.unit, decimals=ind.decimals,
                               polarity=int(ind.polarity))]
        if sign:
            inds.append(derived_indicator(
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
        return self._derived.make("trend", f"{indicator_id}_trend", level, str(until), table,
                                 summary, name, inds, obs_out, params, [ind],
                                 frame.set_index(["unit", "period"])["value"])

    def _trend_observations(self, ind: Indicator, table: pd.DataFrame,
                                reasons: list[tuple[str, str]],
                                params: dict[str, Any], until: str, sign: int) -> pd.DataFrame:
        versions = package_versions()
        ids = table["unit_id"]
        n = table["n"].fillna(0).to_numpy(int)
        trend_status = np.where(n >= 3, "ok", np.where(n == 2, "unreliable", "missing"))
        trend_params = [dumps({**params, "versions": versions, "n": int(k), "p_value": p,
                               "broken": bool(b)})
                        for k, p, b in zip(n, table["p_value"], table["broken"], strict=True)]
        frames = [pd.DataFrame({
            "indicator_id": f"{ind.id}_trend", "unit_id": ids, "period": until,
            "value": np.where(n >= 2, table["slope"], np.nan), "status": trend_status,
            "lower": table["ci_low"], "upper": table["ci_high"], "method": "trend/ols",
            "params": trend_params})]
        change_params = [dumps({**params, "versions": versions,
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
                "params": dumps({**params, "versions": versions})}))
        return pd.concat(frames, ignore_index=True)

    def compute_priority(self, score: str, level: str, cls: Derived, lis: Derived, tr: Derived,
                      min_score: float, children: str | None = None) -> Derived:
        """The priority list; ``children``: indicator of the children per area."""
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
        kids, child_de, child_en = self._children(level, list(ct.index), children)
        frame = pd.DataFrame({
            "id": ct.index, "status_class": [status[u] for u in ct.index],
            "dynamics_class": pd.Series([None if pd.isna(d) else int(d) for d in dyn],
                                        dtype=object).to_numpy(),
            "hotspot": (codes == LISA_CODE[hot]).to_numpy(bool),
            "children": kids.reindex(ct.index).to_numpy(dtype=float)})
        rule = PriorityRule(min_score=min_score)
        res = priority_list(frame, rule=rule,
                            children_col="children" if len(kids) else None)
        t = res.table.rename(columns={"id": "unit_id"})
        t.insert(2, "name", t["unit_id"].map(self._derived.names(level)))
        dec = ind.decimals
        basis, basis_en = {}, {}
        for uid, value, c, lab, lab_en in zip(ct.index, ct["value"], ct["class"], ct["label"],
                                              ct["label_en"], strict=True):
            basis[uid] = (f"{ind.name_de} {cls.period}: {fmt_number(float(value), dec)}, "
                          f"Klasse {int(c)} von {k} ({lab})")
            basis_en[uid] = (f"{ind.name_en} {cls.period}: "
                             f"{fmt_number(float(value), dec, 'en')}, class {int(c)} of {k} "
                             f"({lab_en})")
        t["reasons"] = [f"{basis[u]}; {r}" for u, r in zip(t["unit_id"], t["reasons"],
                                                             strict=True)]
        t["reasons_en"] = [f"{basis_en[u]}; {r}" for u, r in zip(t["unit_id"], t["reasons_en"],
                                                                  strict=True)]
        rule_de = (f"{res.rule_text} Status aus den Klassen von {ind.name_de} {cls.period}: "
                   "ungünstigste Klasse = sehr niedrig, zweitungünstigste = niedrig. Dynamik aus "
                   f"der Veränderung {tr.summary['since']}–{tr.summary['until']}. Hot Spot = "
                   f"LISA {hot}. Kinder: {child_de or _NO_CHILDREN_DE}.")
        rule_en = (f"{res.rule_text_en} Status from the classes of {ind.name_en} {cls.period}: "
                   "least favourable class = very low, second = low. Dynamics from the change "
                   f"{tr.summary['since']}–{tr.summary['until']}. Hot spot = LISA {hot}. "
                   f"Children: {child_en or _NO_CHILDREN_EN}.")
        params = {"method": "priority", "of": score, "period": cls.period,
                  "since": tr.summary["since"], "min_score": min_score,
                  "rule": rule_de, "rule_en": rule_en,
                  "classes": cls.details.get("params"), "lisa": lis.details.get("params")}
        versions = package_versions()
        rows = [dumps({"method": "priority", "of": score, "min_score": min_score,
                       "versions": versions, "rank": int(r), "priority": bool(p),
                       "reasons": a, "reasons_en": b})
                for r, p, a, b in zip(t["rank"], t["priority"], t["reasons"], t["reasons_en"],
                                      strict=True)]
        ind_id = f"{score}_prioritaet"
        indicator = derived_indicator(
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
        return self._derived.make("priority", ind_id, level, cls.period, t, summary,
                                 f"Priorität: {score} ({level}, {cls.period})", [indicator], obs,
                                 params, inputs, frame.set_index("id"))


    def _lineage(self, level: str) -> list[LineageEvent]:
        return [LineageEvent(u.id, tuple(u.arisen_from),
                             u.valid_from.year if u.valid_from else 0)
                for u in self.store.units(level) if u.arisen_from]

    def _children(self, level: str, ids: Sequence[str],
                  indicator: str | None = None) -> tuple[pd.Series, str, str]:
        """Children under 18 per unit of ``ids``: the given ``indicator``; else counted
        where the store has them for at least half of the units, else estimated from
        inhabitants and age shares (INKAR), else unknown (empty series)."""
        if indicator is not None:
            ind = self.store.indicator(indicator)
            obs = self._withheld_free.observations(indicator_id=indicator, level=level)
            obs = obs[obs["value"].notna()]
            if obs.empty:
                raise MethodError(
                    f"Kinderzahl '{indicator}' hat keine Werte auf der Ebene {level}. "
                    "Abhilfe: einen Zählindikator dieser Ebene angeben.",
                    message_en=f"Children count '{indicator}' has no values on level "
                    f"{level}. Fix: give a count indicator of this level.")
            period = str(obs["period"].max())
            sel = obs[obs["period"] == period]
            return (pd.Series(sel["value"].to_numpy(float), index=sel["unit_id"].to_numpy()),
                    f"{ind.name_de} {period} ({indicator})",
                    f"{ind.name_en} {period} ({indicator})")
        for series, de, en in self._children_sources(level):
            if series.reindex(list(ids)).notna().sum() * 2 >= len(ids):
                return series, de, en
        return pd.Series(dtype=float), "", ""

    def _children_sources(self, level: str) -> Iterator[tuple[pd.Series, str, str]]:
        store = self._withheld_free  # a withheld count never feeds a result
        direct = store.observations(indicator_id="einwohner_u18", level=level)
        if not direct.empty:
            period = str(direct["period"].max())
            sel = direct[direct["period"] == period]
            yield (pd.Series(sel["value"].to_numpy(float), index=sel["unit_id"].to_numpy()),
                   f"Kinder unter 18 Jahren {period}", f"children under 18, {period}")
        groups = store.observations(indicator_id=list(AGE_GROUPS), level=level)
        wide = groups.pivot_table(index=["period", "unit_id"], columns="indicator_id",
                                  values="value", aggfunc="first").dropna()
        if len(wide.columns) == len(AGE_GROUPS) and not wide.empty:
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

_NO_CHILDREN_DE = ("nicht bekannt (gebraucht: einwohner_u18 oder die Altersgruppen "
                   f"{', '.join(AGE_GROUPS)} auf dieser Ebene, oder --children <Indikator>)")
_NO_CHILDREN_EN = ("unknown (needed: einwohner_u18 or the age groups "
                   f"{', '.join(AGE_GROUPS)} on this level, or --children <indicator>)")


def _float(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


