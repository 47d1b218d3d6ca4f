"""The state network of municipalities: members' reach, funding per child, comparison of
members with non-members, benchmarking and the staggered difference-in-differences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from kekiz.analysis.did import estimate_did
from kekiz.analysis.rates import proportions
from kekiz.domain.catalogue import lookup
from kekiz.domain.errors import KekizError, MethodError, NotFound
from kekiz.network.compare import cohorts, funnel, group_trends, rank_with_intervals
from kekiz.network.peers import kreis_type, size_class
from kekiz.network.reach import ChildCounts, ReachResult, compute_reach, estimate_children
from kekiz.reporting.event_study import write_event_study
from kekiz.reporting.funnel import write_funnel
from kekiz.storage.protocol import Store

__all__ = ["DEFAULT_PROGRAMME", "NetworkOverview", "NetworkService"]

DEFAULT_PROGRAMME = "Kein Kind zurücklassen!"


@dataclass
class NetworkOverview:
    """The state network of one programme: members, reach per year, funding, map."""

    programme: str
    programmes: list[str]
    year: int
    years: list[int]
    members: pd.DataFrame
    reach: ReachResult
    reach_by_year: pd.DataFrame
    funding: dict[str, Any] | None
    funding_error: KekizError | None
    map: pd.DataFrame



class NetworkService:
    """The state network of municipalities: reach, funding, comparison, evaluation."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def reach(self, year: int, age_max: int = 18,
              programme: str = DEFAULT_PROGRAMME) -> ReachResult:
        members = self.store.members(programme)
        if not members:
            raise MethodError(f"Keine Mitglieder für das Programm '{programme}' im Store. "
                              "Abhilfe: 'kekiz import members'.",
                              message_en=f"No members of programme '{programme}' in the store."
                              " Fix: 'kekiz import members'.")
        units = pd.concat([self.store.units_frame("kreis"), self.store.units_frame("gemeinde")])
        return compute_reach(members, units, self._children(age_max, year), year, age_max)

    def programmes(self) -> tuple[list[str], str]:
        """The programmes with stored members and the default one (the state network
        "Kein Kind zurücklassen!" where present)."""
        programmes = sorted({m.programme for m in self.store.members()})
        if not programmes:
            raise NotFound("Es sind keine Mitglieder eines Landesnetzwerks gespeichert. "
                           "Abhilfe: 'kekiz import members'.",
                           message_en="No members of a state network are stored. Fix: "
                           "'kekiz import members'.")
        default = "Kein Kind zurücklassen!"
        return programmes, default if default in programmes else programmes[0]

    def overview(self, programme: str | None = None,
                 year: int | None = None) -> NetworkOverview:
        """Members, reach per year, funding and a map of the members of one programme
        (default: the state network "Kein Kind zurücklassen!" where present)."""
        store = self.store
        programmes, default = self.programmes()
        programme = programme or default
        if programme not in programmes:
            raise NotFound(f"Unbekanntes Programm '{programme}'. Bekannt: "
                           f"{', '.join(programmes)}.",
                           message_en=f"Unknown programme '{programme}'. Known: "
                           f"{', '.join(programmes)}.")
        everyone = store.members(programme)
        members = [m for m in everyone if m.programme == programme]
        funding: dict[str, Any] | None = None
        funding_error: KekizError | None = None
        try:
            funding = self.funding_ledger(programme)
        except KekizError as exc:
            funding_error = exc
        first = min(m.joined.year for m in members)
        last = max([m.joined.year for m in members]
                   + [int(y) for y in (funding or {}).get("by_year", {})])
        years = list(range(first, last + 1))
        year = year if year is not None else last
        if year not in years:
            raise NotFound(f"Jahr {year}: erwartet {first} bis {last}.",
                           message_en=f"Year {year}: expected {first} to {last}.")
        rows = []
        for y in years:
            r = self.reach(y, 18, programme)
            rows.append({"year": y, "share": r.share, "members": len(r.members),
                         "children_in_members": r.children_in_members,
                         "children_total": r.children_total})
        reach = self.reach(year, 18, programme)
        member_frame = self.members(programme, year)
        active = set(member_frame.loc[member_frame["active"], "unit_id"])
        geo = store.geometries("gemeinde")
        shapes = pd.Series([shapely.from_wkb(g) if g is not None else None
                            for g in geo["geometry"]], index=geo.index, dtype=object)
        gem = geo[["id", "name", "parent_id"]].assign(geometry=shapes)
        status = np.where(gem["id"].isin(active), 2,
                          np.where(gem["parent_id"].isin(active), 1, 0))
        gem = gem.assign(status=status)
        return NetworkOverview(programme, programmes, year, years, member_frame, reach,
                               pd.DataFrame(rows), funding, funding_error, gem)

    def members(self, programme: str | None = None,
                        year: int | None = None) -> pd.DataFrame:
        """Members (of one programme or all): unit_id, name, programme, joined, left, level
        and whether active in ``year`` (default: this year)."""
        members = self.store.members(programme)
        if programme is not None and not members:
            known = sorted({m.programme for m in self.store.members()})
            raise NotFound(f"Unbekanntes Programm '{programme}'. Bekannt: "
                           f"{', '.join(known) or '–'}.",
                           message_en=f"Unknown programme '{programme}'. Known: "
                           f"{', '.join(known) or '–'}.")
        year = year if year is not None else date.today().year
        units = self.store.units_frame()
        levels = dict(zip(units["id"], units["level"], strict=True))
        return pd.DataFrame(
            [{"unit_id": m.unit_id, "name": m.name, "programme": m.programme,
              "joined": m.joined, "left": m.left, "level": levels.get(m.unit_id),
              "active": m.joined.year <= year and (m.left is None or m.left.year >= year)}
             for m in members],
            columns=["unit_id", "name", "programme", "joined", "left", "level", "active"])

    def funding_ledger(self, programme: str = DEFAULT_PROGRAMME,
                       year: int | None = None) -> dict[str, Any]:
        """Funding per year and source, and per child reached (children from reach)."""
        ledger = self.store.funding(programme)
        if ledger.empty:
            raise MethodError(f"Keine Förderdaten für '{programme}'. Abhilfe: "
                              "'kekiz import funding'.",
                              message_en=f"No funding data for '{programme}'. Fix: "
                              "'kekiz import funding'.")
        if year is not None:
            ledger = ledger[ledger["year"] == year]
        by_year = ledger.groupby("year")["amount"].sum()
        by_source = ledger.groupby(["year", "source"])["amount"].sum().reset_index()
        per_child = {}
        for y, total in zip(by_year.index.astype(int), by_year.to_numpy(), strict=True):
            reach = self.reach(int(y), 18, programme)
            per_child[int(y)] = {"amount": float(total),
                                 "children_in_members": reach.children_in_members,
                                 "eur_per_child": float(total) / reach.children_in_members,
                                 "members": len(reach.members)}
        by_member = (ledger.groupby(["unit_id"])["amount"].sum().sort_values(ascending=False)
                     .reset_index())
        return {"programme": programme, "by_year": per_child,
                "by_source": by_source.to_dict("records"),
                "by_member": by_member.to_dict("records"),
                "notes": sorted(set(ledger["note"]) - {""})}

    def indicator_values(self, indicator_id: str, level: str) -> pd.DataFrame:
        """unit_id, period, value of an indicator; a ratio indicator that is not stored is
        computed from its stored numerator and denominator (zero denominators -> missing)."""
        obs = self.store.observations(indicator_id=indicator_id, level=level)
        if not obs.empty:
            return obs[obs["status"] == "ok"][["unit_id", "period", "value"]]
        ind = lookup(indicator_id)
        if ind is None or not (ind.numerator and ind.denominator):
            self.store.indicator(indicator_id)  # raises NotFound with the known list
            raise MethodError(f"Keine Werte für '{indicator_id}' auf Ebene '{level}'.",
                              message_en=f"No values of '{indicator_id}' on level '{level}'.")
        num = self.store.observations(indicator_id=ind.numerator, level=level)
        den = self.store.observations(indicator_id=ind.denominator, level=level)
        both = num.merge(den, on=["unit_id", "period"], suffixes=("_n", "_d"))
        both = both[both["value_d"] > 0]
        return pd.DataFrame({"unit_id": both["unit_id"], "period": both["period"],
                             "value": both["value_n"] / both["value_d"] * ind.scale})

    def cohorts(self, level: str, programme: str = DEFAULT_PROGRAMME) -> pd.Series:
        units = pd.concat([self.store.units_frame("kreis"), self.store.units_frame("gemeinde")])
        return cohorts(self.store.members(programme), units, level)

    def compare_members(self, indicator_id: str, level: str = "gemeinde",
                        programme: str = DEFAULT_PROGRAMME) -> pd.DataFrame:
        """Mean of an indicator per year: members (by join cohort) against non-members."""
        values = self.indicator_values(indicator_id, level)
        coh = self.cohorts(level, programme)
        labels = coh.map(lambda y: "nie Mitglied" if y == 0 else f"Mitglied seit {y}")
        return group_trends(values, labels)

    def peer_groups(self, level: str, lang: str = "de") -> pd.Series:
        """Peer group per unit: size class (Gemeinden) or kreisfreie Stadt / Kreis."""
        if level == "kreis":
            gem = self.store.units_frame("gemeinde")
            return kreis_type(self.store.units_frame("kreis")["id"],
                              gem.set_index("id")["parent_id"], lang)
        pop = self.store.observations(indicator_id="einwohner", level=level)
        if pop.empty:
            raise MethodError(f"Keine Einwohnerzahlen auf Ebene '{level}' für Größenklassen.",
                              message_en=f"No inhabitants on level '{level}' for size classes.")
        latest = pop[pop["period"] == _best_period(pop, 9999)]
        return size_class(latest.set_index("unit_id")["value"], lang)

    def benchmark(self, indicator_id: str, unit_id: str, level: str = "gemeinde",
                  period: str | None = None, programme: str = DEFAULT_PROGRAMME,
                  lang: str = "de") -> dict[str, Any]:
        """A unit against its peers (same size class, not members), all members and all
        non-members over time; its rank with interval; funnel limits where the indicator
        has counts."""
        unit = self.store.unit(unit_id)
        values = self.indicator_values(indicator_id, level)
        peers = self.peer_groups(level, lang)
        coh = self.cohorts(level, programme)
        group = peers.get(unit_id)
        own = "Gebiet" if lang == "de" else "unit"
        labels: dict[str, str] = {}
        for uid in values["unit_id"].unique():
            if coh.get(uid, 0):
                labels[uid] = "Mitglieder" if lang == "de" else "members"
            elif peers.get(uid) == group:
                labels[uid] = ("Vergleichsgruppe: " if lang == "de" else "peers: ") + str(group)
            else:
                labels[uid] = "übrige Nicht-Mitglieder" if lang == "de" else "other non-members"
        trends = group_trends(values, pd.Series(labels))
        mine = values[values["unit_id"] == unit_id].assign(group=own)
        mine = mine.rename(columns={"value": "mean"}).drop(columns=["unit_id"])
        periods = sorted(values["period"].unique())
        period = period or periods[-1]
        counts = self.ratio_counts(indicator_id, level, period)
        ranking: pd.DataFrame
        funnel_frame = None
        if counts is not None:
            ind = lookup(indicator_id)
            scale = ind.scale if ind else 100.0
            rates = proportions(counts["numerator"], counts["denominator"], multiplier=scale)
            ranking = rank_with_intervals(pd.DataFrame({
                "unit_id": counts["unit_id"].to_numpy(), "value": rates["value"].to_numpy(),
                "lower": rates["lower"].to_numpy(), "upper": rates["upper"].to_numpy()}))
            funnel_frame = funnel(counts, multiplier=scale)
        else:
            now = values[values["period"] == period]
            ranking = rank_with_intervals(now.assign(lower=now["value"], upper=now["value"]))
        row = ranking[ranking["unit_id"] == unit_id]
        result: dict[str, Any] = {
            "unit_id": unit_id, "name": unit.name, "indicator": indicator_id,
            "level": level, "period": period, "peer_group": group,
            "trends": pd.concat([trends, mine], ignore_index=True).to_dict("records"),
            "rank": None if row.empty else row.iloc[0][["rank", "rank_best", "rank_worst",
                                                         "value", "lower", "upper"]].to_dict(),
            "units_ranked": len(ranking),
        }
        if funnel_frame is not None:
            f = funnel_frame[funnel_frame["unit_id"] == unit_id]
            result["funnel"] = None if f.empty else f.iloc[0].drop(["unit_id"]).to_dict()
            result["funnel_outside"] = int((funnel_frame["outside"] != 0).sum())
            result["_funnel_frame"] = funnel_frame
        return result

    def ratio_counts(self, indicator_id: str, level: str, period: str) -> pd.DataFrame | None:
        """unit_id, numerator, denominator of a ratio indicator in a period, or None."""
        obs = self.store.observations(indicator_id=indicator_id, level=level, period=period)
        if not obs.empty and obs["numerator"].notna().any():
            ok = obs.dropna(subset=["numerator", "denominator"])
            return ok[ok["denominator"] > 0][["unit_id", "numerator", "denominator"]]
        ind = lookup(indicator_id)
        if ind is None or not (ind.numerator and ind.denominator):
            return None
        num = self.store.observations(indicator_id=ind.numerator, level=level, period=period)
        den = self.store.observations(indicator_id=ind.denominator, level=level, period=period)
        both = num.merge(den, on="unit_id", suffixes=("_n", "_d"))
        both = both[(both["value_d"] > 0) & both["value_n"].notna()]
        both = both[both["value_n"] <= both["value_d"]]
        return pd.DataFrame({"unit_id": both["unit_id"], "numerator": both["value_n"],
                             "denominator": both["value_d"]}).reset_index(drop=True)

    def funnel_chart(self, result: dict[str, Any], path: Path, lang: str = "de") -> None:
        write_funnel(result["_funnel_frame"], path, highlight=result["unit_id"], lang=lang,
                     title=f"{result['indicator']} {result['period']}")

    def network_did(self, indicator_id: str, level: str = "gemeinde",
                    programme: str = DEFAULT_PROGRAMME, start: int | None = None,
                    end: int | None = None, control: str = "never") -> dict[str, Any]:
        """Staggered DiD of an indicator on the join years: an illustration, not a causal
        finding (joining was not random; see the caveats)."""
        values = self.indicator_values(indicator_id, level)
        values = values.assign(year=values["period"].str[:4].astype(int))
        if start is not None:
            values = values[values["year"] >= start]
        if end is not None:
            values = values[values["year"] <= end]
        coh = self.cohorts(level, programme)
        panel = values.assign(cohort=values["unit_id"].map(coh).fillna(0))
        result = estimate_did(panel, outcome="value", unit="unit_id", time="year",
                              group="cohort", control=control).to_dict()
        result["illustration_de"] = (
            "Illustration, kein kausaler Befund: Die Kommunen sind dem Netzwerk freiwillig "
            "beigetreten; Unterschiede können auch andere Ursachen haben.")
        result["illustration_en"] = ("Illustration, not a causal finding: municipalities "
                                     "joined the network voluntarily; differences may have "
                                     "other causes.")
        result["indicator"] = indicator_id
        result["level"] = level
        return result

    def event_study_chart(self, result: dict[str, Any], path: Path, lang: str = "de") -> None:
        ind = lookup(str(result.get("indicator", ""))) or None
        name = (ind.name_en if lang == "en" else ind.name_de) if ind else None
        title = ("Illustration (not a causal finding): event study of the join years"
                 if lang == "en" else
                 "Illustration (kein kausaler Befund): Ereignisstudie der Beitrittsjahre")
        write_event_study(result, path, lang=lang, title=title, outcome_label=name)

    def _children(self, age_max: int, year: int) -> ChildCounts:
        store = self.store
        direct = store.observations(indicator_id=f"einwohner_u{age_max}", level="kreis")
        if not direct.empty:
            period = _best_period(direct, year)
            k = direct[direct["period"] == period].set_index("unit_id")["value"]
            g = store.observations(indicator_id=f"einwohner_u{age_max}", level="gemeinde",
                                   period=period).set_index("unit_id")["value"]
            ind = store.indicator(f"einwohner_u{age_max}")
            return ChildCounts(k, g, f"{ind.name_de} ({ind.source or 'Store'}), {period}",
                               f"{ind.name_en} ({ind.source or 'store'}), {period}", period,
                               estimated=False)
        pops = store.observations(indicator_id="einwohner", level="kreis")
        if pops.empty:
            raise MethodError("Keine Einwohnerzahlen der Kreise im Store.",
                              message_en="No inhabitants of the Kreise in the store.")
        period = _best_period(pops, year)

        def series(ind: str, level: str, per: str | None) -> pd.Series:
            frame = store.observations(indicator_id=ind, level=level, period=per)
            if frame.empty:
                raise MethodError(f"Für die Schätzung fehlt der Indikator '{ind}' ({level}).",
                                  message_en=f"Indicator '{ind}' ({level}) is missing for "
                                  "the estimate.")
            last = sorted(frame["period"].unique())[-1]
            latest: pd.Series = frame[frame["period"] == last].set_index("unit_id")["value"]
            return latest

        gem_units = store.units_frame("gemeinde").set_index("id")["parent_id"]
        kreis, gem = estimate_children(
            series("einwohner", "kreis", period), series("anteil_unter_6", "kreis", None),
            series("anteil_6_18", "kreis", None), series("einwohner", "gemeinde", period),
            series("anteil_unter_6", "gemeinde", None), gem_units, age_max)
        src_de = (f"Geschätzt: Einwohner {period} (VG250-EW, © GeoBasis-DE / BKG) × "
                  "Altersanteile (INKAR 2022/23, © BBSR Bonn)")
        src_en = (f"Estimated: inhabitants {period} (VG250-EW, © GeoBasis-DE / BKG) × age "
                  "shares (INKAR 2022/23, © BBSR Bonn)")
        return ChildCounts(kreis, gem, src_de, src_en, period, estimated=True)


def _best_period(frame: pd.DataFrame, year: int) -> str:
    """The period nearest to ``year`` among those with the most units covered."""
    coverage = frame.groupby("period")["unit_id"].nunique()
    full = [str(p) for p, n in coverage.items() if n == coverage.max()]
    return _nearest(full, year)


def _nearest(periods: list[Any], year: int) -> str:
    years = {int(str(p)[:4]): str(p) for p in periods}
    before = [y for y in years if y <= year]
    return years[max(before)] if before else years[min(years)]
