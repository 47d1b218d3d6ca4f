"""Prevention-chain analyses on the stored offers (issue #5): chain matrix, coverage
with 2SFCA accessibility, need against supply, what-if scenarios, sites for new offers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist

from kekiz.domain.directory import parse_life_phase, slug
from kekiz.domain.errors import MethodError
from kekiz.i18n import fmt_number
from kekiz.ingest.street_network import load_network
from kekiz.prevention.chain import TOTAL, chain_matrix
from kekiz.prevention.coverage import (
    accessibility,
    eligible_offers,
    places_per_child,
)
from kekiz.prevention.gaps import QUADRANTS, Measure, need_supply
from kekiz.prevention.geo import METRIC_CRS, points_in_units, to_metric
from kekiz.prevention.network_distance import NetworkDistance
from kekiz.prevention.siting import Change, choose_sites, need_weights, parse_change
from kekiz.prevention.siting import what_if as recompute_scenario
from kekiz.services.chain_data import (
    PHASE_POPULATION,
    ChainData,
    demand_points,
    kind_label,
    kind_mask,
)
from kekiz.services.chain_results import (
    AccessComparison,
    ChainResult,
    CoverageResult,
    GapsResult,
    SitesResult,
    WhatIfResult,
)
from kekiz.settings import Settings
from kekiz.storage.protocol import Store

__all__ = ["COVERAGE_COLUMNS", "QUADRANTS", "WHAT_IF_COLUMNS", "ChainService", "parse_change"]

COVERAGE_COLUMNS = ["unit_id", "name", "children", "offers", "offers_per_1000", "capacity",
                    "without_capacity", "places_per_child", "accessibility"]
WHAT_IF_COLUMNS = ["unit_id", "name", "children",
                   *(f"{c}_{w}" for c in ("offers", "offers_per_1000", "capacity",
                                          "places_per_child", "accessibility")
                     for w in ("before", "after", "change"))]


@dataclass
class _CoverageInput:
    """What a coverage analysis counts: children per unit (in the units' order), the
    units and the matching offers inside them."""

    level: str
    phase: str
    pop_id: str
    period: str
    kind: str | None
    children: pd.Series
    shapes: gpd.GeoDataFrame
    sel: pd.DataFrame
    use_places: bool
    notes: list[str]

    @property
    def factor(self) -> float:
        """Accessibility scale: places per child, or offers per 1,000 children."""
        return 1.0 if self.use_places else 1000.0


class ChainService:
    """Analyses of the stored offers: matrix, coverage, gaps, scenarios, sites."""

    def __init__(self, store: Store, settings: Settings, data: ChainData) -> None:
        self.store = store
        self.settings = settings
        self.data = data

    def matrix(self, unit: str | None = None, level: str | None = None) -> ChainResult:
        """The chain matrix (life phase × sector, transition × sector) of one unit, given
        by key or name, or of the whole municipality (all units of ``level``)."""
        if unit is not None:
            uid, name, level = self.data.unit(unit)
        else:
            level = level or self.data.default_level()
            uid, name = TOTAL, ""
        offers, shapes = self.data.offers(level)
        inside = offers[offers["unit_id"].notna()]
        notes = []
        if len(inside) < len(offers):
            notes.append(f"{len(offers) - len(inside)} Angebote liegen außerhalb der Gebiete "
                         f"der Ebene '{level}' oder haben keinen Ort; sie zählen nicht")
        names = dict(zip(shapes["id"], shapes["name"], strict=True))
        units = [uid] if uid != TOTAL else []
        m = chain_matrix(inside, units=units, names=names)
        synth = chain_matrix(inside[inside["synthetic"].astype(bool)], units=units,
                             sectors=m.sectors, names=names)
        mine = inside if uid == TOTAL else inside[inside["unit_id"] == uid]
        n_synth = int(mine["synthetic"].astype(bool).sum())
        if n_synth:
            notes.append(f"{n_synth} von {len(mine)} Angeboten sind SYNTHETISCH (erfundene "
                         "Demo-Daten, Name beginnt mit '[synthetisch]')")
        return ChainResult(m, synth, uid, name or "Kommune (alle Gebiete der Ebene "
                           f"'{level}')", level, len(mine), n_synth, notes)

    def coverage(self, level: str | None = None, life_phase: str = "3-6",
                 population_indicator: str | None = None, period: str | None = None, *,
                 kind: str | None = "kita", radius: float = 1500.0, decay: str = "none",
                 demand: str = "grid", cell: float = 250.0,
                 only_published: bool = False, network: Path | None = None,
                 mode: str = "walk") -> CoverageResult:
        """Offers per 1,000 children, places per child and 2SFCA accessibility per unit.

        Offers: active offers for ``life_phase`` (of ``kind``, e.g. ``kita``) inside the
        units of ``level``.  Children: ``population_indicator`` (default by life phase,
        e.g. ``einwohner_3_6``) in ``period`` (default the latest).  Accessibility: 2SFCA
        within ``radius`` metres (straight line; with ``network``, an OSM ``.pbf`` or a
        GraphML street network, the shortest path over the ways usable in ``mode``:
        ``walk``, ``bike`` or ``drive``); demand points are a ``cell``-metre grid
        inside the units with each unit's children spread evenly over its points
        (``demand='grid'``), or one inner point per unit (``demand='units'``).  Without
        places every offer counts 1 and accessibility is offers per 1,000 children in
        reach; with places it is places per child in reach.
        """
        inp = self.coverage_input(level, life_phase, population_indicator, period, kind,
                                   only_published)
        sel, notes = inp.sel, list(inp.notes)
        table = _coverage_table(inp, sel)
        points = demand_points(inp.shapes, inp.children.fillna(0.0), demand, cell)
        dist, dist_meta = self._distance(network, mode)
        dem, _sup = accessibility(sel, points, radius=radius, decay=decay,
                                  capacity="capacity" if inp.use_places else None,
                                  distance=dist)
        table["accessibility"] = table["unit_id"].map(_unit_mean(dem, "accessibility",
                                                                 inp.factor))
        meta = _coverage_meta(inp, radius, decay, demand, cell, len(points), dist_meta)
        meta["offers"] = len(sel)
        total = float(inp.children.sum())
        meta["offers_per_1000_total"] = len(sel) / total * 1000.0 if total else None
        notes += _distance_notes(dist, dist_meta)
        return CoverageResult(table.reindex(columns=COVERAGE_COLUMNS), meta, notes, dem)

    def coverage_input(self, level: str | None, life_phase: str,
                        population_indicator: str | None, period: str | None,
                        kind: str | None, only_published: bool) -> _CoverageInput:
        """The level, children, units and matching offers of a coverage analysis."""
        level = level or self.data.default_level()
        phase = parse_life_phase(life_phase)
        if phase is None:
            raise MethodError(f"Unbekannte Lebensphase '{life_phase}'.",
                              message_en=f"Unknown life phase '{life_phase}'.")
        pop_id = population_indicator or PHASE_POPULATION.get(phase.value)
        if pop_id is None:
            raise MethodError(f"Für die Lebensphase '{phase.value}' bitte den "
                              "Bevölkerungsindikator angeben.",
                              message_en=f"Please name the population indicator for life "
                              f"phase '{phase.value}'.")
        children, period = self.data.counts((pop_id,), level, period)
        offers, shapes = self.data.offers(level)
        sel = eligible_offers(offers, life_phase=phase.value, only_published=only_published)
        if kind:
            sel = sel[kind_mask(sel, kind)]
        notes: list[str] = []
        outside = int(sel["unit_id"].isna().sum())
        if outside:
            notes.append(f"{outside} passende Angebote liegen außerhalb der Gebiete und "
                         "zählen nicht")
        sel = sel[sel["unit_id"].notna()]
        if sel.empty:
            raise MethodError(f"Keine passenden Angebote ({kind or 'alle'}, Lebensphase "
                              f"{phase.value}) in den Gebieten der Ebene '{level}'.",
                              message_en=f"No matching offers ({kind or 'all'}, life phase "
                              f"{phase.value}) in the units of level '{level}'.")
        known = sel["capacity"].notna()
        use_places = bool(known.any())
        if not use_places:
            notes.append("Platzzahlen fehlen in den Daten: jedes Angebot zählt als 1; "
                         "Plätze je Kind sind unbekannt")
        elif not known.all():
            notes.append(f"{int((~known).sum())} Angebote ohne Platzzahl zählen in der "
                         "Erreichbarkeit mit 0 Plätzen")
        return _CoverageInput(level, phase.value, pop_id, period, kind,
                              children.reindex(shapes["id"]), shapes, sel, use_places, notes)

    def _distance(self, network: Path | None, mode: str
                        ) -> tuple[NetworkDistance | None, dict[str, Any]]:
        """The network distance of ``network`` (None: straight lines) and its description.
        """
        if network is None:
            return None, {"distance": "straight line", "distance_de": "Luftlinie",
                          "distance_en": "straight line"}
        net = load_network(Path(network), mode)
        dist = NetworkDistance(net)
        return dist, {"distance": "network", "network": str(network), "mode": net.mode,
                      "distance_de": dist.label_de, "distance_en": dist.label_en,
                      "network_nodes": net.nodes, "network_edges": net.edges,
                      "note_de": f"Entfernungen: {dist.label_de} ({Path(network).name}, "
                                 f"{fmt_number(net.nodes, 0)} Knoten, "
                                 f"{fmt_number(net.edges, 0)} Kanten); Nachfragepunkte und "
                                 "Angebote werden an den nächsten Knoten angebunden, die "
                                 "Luftlinie dorthin zählt mit"}

    def what_if(self, changes: Sequence[Change], level: str | None = None,
                life_phase: str = "3-6", population_indicator: str | None = None,
                period: str | None = None, *, kind: str | None = "kita",
                radius: float = 1500.0, decay: str = "none", demand: str = "grid",
                cell: float = 250.0, only_published: bool = False,
                network: Path | None = None, mode: str = "walk") -> WhatIfResult:
        """What-if: add, move or remove offers and recompute coverage per unit.

        The offers and children are those of :meth:`coverage` (same arguments).
        ``changes`` (see :func:`kekiz.prevention.siting.parse_change`): ``remove`` and
        ``move`` name an offer of the analysis by id, by the unique beginning of its
        offer or service id, or by its exact name; ``add`` puts a new offer (counted as
        ``kind``) at a point.  Returns per unit the offers, offers per 1,000 children,
        places per child (when places are known) and the 2SFCA accessibility before,
        after and their difference.
        """
        if not changes:
            raise MethodError("Keine Änderung angegeben. Abhilfe: --add, --move oder "
                              "--remove.", message_en="No change given. Fix: --add, --move "
                              "or --remove.")
        inp = self.coverage_input(level, life_phase, population_indicator, period, kind,
                                   only_published)
        notes = list(inp.notes)
        sel = inp.sel.reset_index(drop=True)
        resolved = [_resolve_change(ch, sel, inp) for ch in changes]
        for ch in resolved:
            if ch.action == "add" and ch.capacity is not None and not inp.use_places:
                notes.append(f"'{ch.name}': die Platzzahl bleibt unberücksichtigt, weil "
                             "die Daten keine Platzzahlen haben (jedes Angebot zählt 1)")
            if ch.action == "add" and ch.capacity is None and inp.use_places:
                notes.append(f"'{ch.name}': ohne Platzzahl zählt das neue Angebot mit 0 "
                             "Plätzen; Abhilfe: Plätze als 4. Feld angeben")
        points = demand_points(inp.shapes, inp.children.fillna(0.0), demand, cell)
        dist, dist_meta = self._distance(network, mode)
        scen = recompute_scenario(sel, points, resolved, radius=radius, decay=decay,
                       capacity="capacity" if inp.use_places else None, distance=dist)
        after = scen.offers.copy()
        moved = after["unit_id"].isna() | after["offer_id"].isin(
            [ch.offer_id for ch in resolved if ch.action == "move"])
        if moved.any():
            found = points_in_units(after.loc[moved, "lon"], after.loc[moved, "lat"],
                                    inp.shapes, "id")
            after.loc[moved, "unit_id"] = found.to_numpy()
        lost = after["unit_id"].isna()
        if lost.any():
            names = ", ".join(str(n) for n in after.loc[lost, "name"])
            notes.append(f"{int(lost.sum())} Angebot(e) liegen nach der Änderung in keinem "
                         f"Gebiet der Ebene '{inp.level}' ({names}); sie zählen in der "
                         "Erreichbarkeit, aber in keinem Gebiet")
        before_t = _coverage_table(inp, sel)
        after_t = _coverage_table(inp, after[after["unit_id"].notna()])
        acc = scen.by_unit.set_index("unit_id")
        table = before_t[["unit_id", "name", "children"]].copy()
        for col in ("offers", "offers_per_1000", "capacity", "places_per_child"):
            table[f"{col}_before"] = before_t[col].to_numpy()
            table[f"{col}_after"] = after_t[col].to_numpy()
            table[f"{col}_change"] = table[f"{col}_after"] - table[f"{col}_before"]
        for when in ("before", "after", "change"):
            table[f"accessibility_{when}"] = table["unit_id"].map(acc[when]) * inp.factor
        table = table.reindex(columns=WHAT_IF_COLUMNS)
        meta = _coverage_meta(inp, radius, decay, demand, cell, len(points), dist_meta)
        w = points["weight"].to_numpy(float)
        total = float(w.sum()) or 1.0
        dem = scen.demand
        for when in ("before", "after"):
            a = dem[f"accessibility_{when}"].to_numpy(float)
            meta[f"mean_accessibility_{when}"] = float((a * w).sum() / total) * inp.factor
            meta[f"children_without_{when}"] = float(w[a == 0].sum())
        meta["offers_before"], meta["offers_after"] = len(sel), len(after)
        meta["changes"] = [{"action": ch.action, "offer_id": ch.offer_id, "name": ch.name,
                            "lat": ch.lat, "lon": ch.lon, "capacity": ch.capacity,
                            "text_de": ch.text("de"), "text_en": ch.text("en")}
                           for ch in resolved]
        notes += _distance_notes(dist, dist_meta)
        summary_de, summary_en = _what_if_summary(meta, table, inp)
        return WhatIfResult(table, meta, summary_de, summary_en, notes)

    def compare_access(self, network: Path, mode: str = "walk", level: str | None = None,
                       life_phase: str = "3-6", **coverage: Any) -> AccessComparison:
        """2SFCA accessibility per unit by straight line and over the street ``network``
        (``mode`` walk, bike or drive), side by side; other keyword arguments as
        :meth:`coverage`."""
        straight = self.coverage(level, life_phase, **coverage)
        net = self.coverage(level, life_phase, network=network, mode=mode, **coverage)
        table = straight.table[["unit_id", "name", "children", "offers"]].copy()
        table["accessibility_straight"] = straight.table["accessibility"].to_numpy()
        table["accessibility_network"] = net.table["accessibility"].to_numpy()
        table["change"] = table["accessibility_network"] - table["accessibility_straight"]
        meta = dict(net.meta)
        meta["supply_label_straight_de"] = straight.meta["supply_label_de"]
        meta["supply_label_straight_en"] = straight.meta["supply_label_en"]
        for key, res in (("straight", straight), ("network", net)):
            dem = res.demand
            assert dem is not None
            w = dem["weight"].to_numpy(float)
            meta[f"children_without_{key}"] = float(w[dem["accessibility"].to_numpy() == 0]
                                                    .sum())
        return AccessComparison(table, meta, net.notes)

    def gaps(self, need_indicator: str | None = None, level: str | None = None, *,
             supply: str = "accessibility", **coverage: Any) -> GapsResult:
        """Need against supply per unit: quadrants and a ranked list with reasons.

        Need: the stored indicator ``need_indicator``; by default the stored
        ``anteil_kinder_u6`` or, when it is not stored, the share of children under 6
        computed from the stored counts.  Supply: the 2SFCA ``accessibility`` or
        ``offers_per_1000`` of :meth:`coverage` (same keyword arguments).
        """
        cov = self.coverage(level, **coverage)
        need, info = self.data.need(cov.meta["level"], need_indicator, cov.meta["period"])
        if supply not in ("accessibility", "offers_per_1000", "places_per_child"):
            raise MethodError(f"Unbekanntes Angebotsmaß '{supply}'. Möglich: accessibility, "
                              "offers_per_1000, places_per_child.",
                              message_en=f"Unknown supply measure '{supply}'.")
        frame = cov.table.assign(need=cov.table["unit_id"].map(need))
        labels = {"accessibility": (cov.meta["supply_label_de"], cov.meta["supply_label_en"]),
                  "offers_per_1000": (f"{kind_label(cov.meta['kind'])} je 1.000 Kinder",
                                      f"{kind_label(cov.meta['kind'], 'en')} per 1,000 "
                                      "children"),
                  "places_per_child": ("Plätze je Kind", "places per child")}[supply]
        result = need_supply(frame, need="need", supply=supply, name="name",
                             need_measure=Measure(info["name_de"], info["name_en"],
                                                  info.get("unit", ""), 1),
                             supply_measure=Measure(labels[0], labels[1], "",
                                                    2 if supply == "places_per_child"
                                                    else 1))
        notes = [f"Bedarf: {info['name_de']} ({info['period']}), {info['how_de']}",
                 f"Angebot: {labels[0]}; Kinder {cov.meta['population_indicator']} "
                 f"{cov.meta['period']}", *cov.notes]
        return GapsResult(result, info, cov, supply, labels[0], labels[1], notes)

    def suggest_sites(self, k: int = 3, kind: str = "Familienzentrum",
                      candidates: str = "unit centroids", level: str | None = None, *,
                      need_indicator: str | None = None, strength: float = 1.0,
                      period: str | None = None, method: str = "auto") -> SitesResult:
        """``k`` new sites for offers of ``kind`` (p-median, exact with HiGHS).

        Demand: children under 6 (``einwohner_u3`` + ``einwohner_3_6``) per unit at the
        unit's inner point, weighted by need (see :meth:`gaps`; the neediest unit counts
        ``1 + strength`` times its children).  Candidates: the inner point of every unit
        (``unit centroids``).  Existing offers of ``kind`` stay open.
        """
        if candidates not in ("unit centroids", "units", "centroids"):
            raise MethodError(f"Unbekannte Kandidaten '{candidates}'. Möglich: 'unit "
                              "centroids' (innerer Punkt jedes Gebiets).",
                              message_en=f"Unknown candidates '{candidates}'. Possible: "
                              "'unit centroids'.")
        level = level or self.data.default_level()
        kids, per = self.data.counts(("einwohner_u3", "einwohner_3_6"), level, period)
        need, info = self.data.need(level, need_indicator, per)
        offers, shapes = self.data.offers(level)
        existing = offers[kind_mask(offers, kind) & offers["unit_id"].notna() &
                          offers["lat"].notna() & offers["lon"].notna() &
                          (offers["status"].fillna("active") == "active")]
        pts = shapes.geometry.representative_point()
        base = pd.DataFrame({"id": shapes["id"], "name": shapes["name"],
                             "lat": pts.y.to_numpy(float), "lon": pts.x.to_numpy(float)})
        base["children"] = base["id"].map(kids).fillna(0.0)
        base["need"] = base["id"].map(need)
        base["weight"] = need_weights(base["children"].to_numpy(float), base["need"].fillna(
            base["need"].min()).to_numpy(float), strength)
        res = choose_sites(base, base[["id", "lat", "lon"]], k, existing=existing,
                           method=method)
        xy_d = to_metric(base["lon"], base["lat"], METRIC_CRS)
        xy_e = to_metric(existing["lon"], existing["lat"], METRIC_CRS)
        chosen = base.set_index("id").loc[res.ids].reset_index()
        xy_c = to_metric(chosen["lon"], chosen["lat"], METRIC_CRS)
        d_old = cdist(xy_d, xy_e).min(axis=1) if len(existing) else np.full(len(base), np.inf)
        d_new = cdist(xy_d, xy_c)
        nearest_new = np.minimum(d_old, d_new.min(axis=1))
        kids_arr = base["children"].to_numpy(float)
        rows = []
        for j, r in enumerate(chosen.to_dict("records")):
            served = (d_new[:, j] < d_old) & (d_new[:, j] <= d_new.min(axis=1))
            i = int(np.flatnonzero(base["id"].to_numpy() == r["id"])[0])
            rows.append({"rank": 0, "unit_id": r["id"], "name": r["name"],
                         "lat": r["lat"], "lon": r["lon"], "children": r["children"],
                         "need": r["need"], "distance_before_m": float(d_old[i]),
                         "children_served": float(kids_arr[served].sum()),
                         "units_served": int(served.sum())})
        sites = pd.DataFrame(rows).sort_values(["children_served", "children"],
                                               ascending=False, kind="mergesort")
        sites["rank"] = np.arange(1, len(sites) + 1)
        sites = sites.reset_index(drop=True)
        sites["reason_de"] = [_site_reason({str(k): v for k, v in r.items()}, info, kind)
                              for r in sites.to_dict("records")]
        before = float((kids_arr * d_old).sum() / kids_arr.sum()) if len(existing) else None
        after = float((kids_arr * nearest_new).sum() / kids_arr.sum())
        n_synth = int(existing["synthetic"].astype(bool).sum())
        notes = [f"Bedarf: {info['name_de']} ({info['period']}), {info['how_de']}",
                 f"Nachfrage: Kinder unter 6 Jahren ({per}) am inneren Punkt jedes Gebiets, "
                 f"gewichtet mit dem Bedarf (Stärke {fmt_number(strength, 1)})",
                 f"Bestand: {len(existing)} Angebote '{kind}' bleiben geöffnet"]
        if n_synth:
            notes.append(f"{n_synth} der {len(existing)} vorhandenen Angebote '{kind}' sind "
                         "SYNTHETISCH (erfundene Demo-Daten): die Vorschläge zeigen das "
                         "Verfahren, keine echten Lücken")
        meta = {"k": k, "kind": kind, "level": level, "period": per,
                "candidates": "innerer Punkt jedes Gebiets", "existing": len(existing),
                "existing_synthetic": n_synth, "method": res.method, "optimal": res.optimal,
                "objective": res.objective, "need": info,
                "mean_distance_before_m": before, "mean_distance_after_m": after}
        return SitesResult(sites, meta, notes)


def _site_reason(r: dict[str, Any], need: dict[str, Any], kind: str) -> str:
    before = r["distance_before_m"]
    dist = (f"das nächste Angebot '{kind}' ist bisher {fmt_number(before / 1000, 1)} km "
            "entfernt (Luftlinie)") if np.isfinite(before) else \
        f"bisher gibt es kein Angebot '{kind}'"
    unit = need.get("unit", "")
    value = "–" if pd.isna(r["need"]) else f"{fmt_number(float(r['need']), 1)} {unit}"
    return (f"{r['name']}: {fmt_number(r['children'], 0)} Kinder unter 6 Jahren, "
            f"{need['name_de']} {value.strip()}; {dist}. Ein neuer Standort am inneren Punkt "
            f"des Gebiets wäre für {fmt_number(r['children_served'], 0)} Kinder unter 6 "
            f"in {r['units_served']} Gebiet(en) das nächste Angebot.")


def _distance_notes(dist: NetworkDistance | None, meta: dict[str, Any]) -> list[str]:
    """What the reader should know about the network distances of a run."""
    if dist is None:
        return []
    notes = [meta["note_de"], *dist.network.notes]
    if dist.far_demand:
        notes.append(f"{fmt_number(dist.far_demand, 0)} Nachfragepunkte liegen weiter als "
                     "der Radius vom Straßennetz entfernt und erreichen kein Angebot; "
                     "deckt das Netz alle Gebiete ab?")
    return notes


def _coverage_table(inp: _CoverageInput, sel: pd.DataFrame) -> pd.DataFrame:
    """Offers, places and children per unit of ``inp`` for the offers ``sel``."""
    per_child = places_per_child(sel, inp.children.dropna())
    table: pd.DataFrame = inp.shapes[["id", "name"]].rename(
        columns={"id": "unit_id"}).merge(per_child, on="unit_id", how="left")
    table["offers"] = table["offers"].fillna(0).astype(int)
    if not inp.use_places:
        table["capacity"] = np.nan
        table["places_per_child"] = np.nan
    return table


def _unit_mean(dem: pd.DataFrame, column: str, factor: float) -> pd.Series:
    """Child-weighted mean of a demand-point column per unit, times ``factor``."""
    frame = pd.DataFrame({"unit_id": dem["unit_id"].to_numpy(),
                          "w_acc": (dem[column] * dem["weight"] * factor).to_numpy(float),
                          "weight": dem["weight"].to_numpy(float)})
    sums = frame.groupby("unit_id")[["w_acc", "weight"]].sum()
    return sums["w_acc"] / sums["weight"].where(sums["weight"] > 0)


def _coverage_meta(inp: _CoverageInput, radius: float, decay: str, demand: str,
                   cell: float, n_points: int, dist: dict[str, Any]) -> dict[str, Any]:
    what = "Plätze je Kind" if inp.use_places else f"{kind_label(inp.kind)} je 1.000 Kinder"
    what_en = "places per child" if inp.use_places else \
        f"{kind_label(inp.kind, 'en')} per 1,000 children"
    km, km_en = fmt_number(radius / 1000.0, 1), fmt_number(radius / 1000.0, 1, "en")
    if dist["distance"] == "network":
        reach_de = f"innerhalb von {km} km {dist['distance_de']}"
        reach_en = f"within {km_en} km {dist['distance_en']}"
    else:
        reach_de, reach_en = f"im Umkreis von {km} km", f"within {km_en} km"
    meta = {
        "level": inp.level, "period": inp.period, "population_indicator": inp.pop_id,
        "life_phase": inp.phase, "kind": inp.kind, "offers": len(inp.sel),
        "children": float(inp.children.sum()), "radius_m": radius, "decay": decay,
        "method": "2SFCA" if decay == "none" else "E2SFCA", "demand": demand,
        "cell_m": cell if demand == "grid" else None, "demand_points": n_points,
        "places_known": inp.use_places,
        "supply_label_de": f"Erreichbarkeit (2SFCA, {what} {reach_de})",
        "supply_label_en": f"accessibility (2SFCA, {what_en} {reach_en})",
        "demand_de": (f"Nachfragepunkte: Raster von {fmt_number(cell, 0)} m in den "
                      "Gebieten; die Kinder eines Gebiets sind gleichmäßig auf seine "
                      "Rasterpunkte verteilt (feinere Bevölkerungsdaten gibt es nicht)")
        if demand == "grid" else "Nachfragepunkte: ein innerer Punkt je Gebiet, "
                                 "gewichtet mit seinen Kindern",
    }
    meta.update({k: v for k, v in dist.items() if k != "note_de"})
    return meta


def _resolve_change(ch: Change, sel: pd.DataFrame, inp: _CoverageInput) -> Change:
    """The change with the offer it names (id, unique id beginning or exact name)."""
    if ch.action == "add":
        if ch.life_phases and inp.phase not in ch.life_phases:
            raise MethodError(
                f"Das neue Angebot '{ch.name}' ist für die Lebensphase(n) "
                f"{', '.join(ch.life_phases)}, die Rechnung gilt der Lebensphase "
                f"{inp.phase}. Abhilfe: --life-phase {ch.life_phases[0]} oder das 5. Feld "
                f"weglassen.", message_en=f"The new offer '{ch.name}' is for life phase(s) "
                f"{', '.join(ch.life_phases)}; the analysis is for {inp.phase}. Fix: "
                f"--life-phase {ch.life_phases[0]} or leave out the 5th field.")
        return ch
    key = str(ch.offer_id or "").strip()
    ids, sids = sel["offer_id"].astype(str), sel["service_id"].astype(str)
    hit = (ids == key) | (sids == key)
    if not hit.any() and len(key) >= 4:
        hit = ids.str.startswith(key) | sids.str.startswith(key)
    if not hit.any():
        hit = sel["name"].map(lambda n: slug(str(n))) == slug(key)
    what = (f"{inp.kind or 'alle Angebote'}, Lebensphase {inp.phase}, Ebene '{inp.level}'")
    if not hit.any():
        raise MethodError(
            f"Angebot '{key}' ist nicht unter den {len(sel)} Angeboten dieser Rechnung "
            f"({what}). Abhilfe: die Kennung (Spalte offer_id in 'kekiz chain export -o "
            "angebote.csv', auch ihr eindeutiger Anfang) oder den genauen Namen angeben.",
            message_en=f"Offer '{key}' is not among the {len(sel)} offers of this "
            f"analysis. Fix: give its id (column offer_id of 'kekiz chain export -o "
            "offers.csv', or its unique beginning) or its exact name.")
    if int(hit.sum()) > 1:
        rows = sel[hit].head(5)
        listed = "; ".join(f"{r['name']} ({r['offer_id']}, Gebiet {r['unit_id']})"
                           for r in rows.to_dict("records"))
        raise MethodError(
            f"'{key}' passt auf {int(hit.sum())} Angebote: {listed}. Abhilfe: die "
            "Kennung angeben.", message_en=f"'{key}' matches {int(hit.sum())} offers: "
            f"{listed}. Fix: give the id.")
    row = sel[hit].iloc[0]
    return replace(ch, offer_id=str(row["offer_id"]), name=str(row["name"]))


def _what_if_summary(meta: dict[str, Any], table: pd.DataFrame, inp: _CoverageInput
                     ) -> tuple[list[str], list[str]]:
    dec = 3 if inp.use_places else 2
    what = "Plätze je Kind" if inp.use_places else f"{kind_label(inp.kind)} je 1.000 Kinder"
    what_en = "places per child" if inp.use_places else \
        f"{kind_label(inp.kind, 'en')} per 1,000 children"
    mb, ma = meta["mean_accessibility_before"], meta["mean_accessibility_after"]
    kids = meta["children"] or 1.0
    zb, za = meta["children_without_before"], meta["children_without_after"]
    de = ["Änderungen: " + "; ".join(c["text_de"] for c in meta["changes"]) + ".",
          f"Angebote: {meta['offers_before']} vorher, {meta['offers_after']} nachher.",
          f"Erreichbarkeit im Mittel ({what}): {fmt_number(mb, dec)} vorher, "
          f"{fmt_number(ma, dec)} nachher ({fmt_number(ma - mb, dec, sign=True)}).",
          f"Kinder ohne erreichbares Angebot: {fmt_number(zb, 0)} "
          f"({fmt_number(zb / kids * 100, 1)} %) vorher, {fmt_number(za, 0)} "
          f"({fmt_number(za / kids * 100, 1)} %) nachher."]
    en = ["Changes: " + "; ".join(c["text_en"] for c in meta["changes"]) + ".",
          f"Offers: {meta['offers_before']} before, {meta['offers_after']} after.",
          f"Mean accessibility ({what_en}): {fmt_number(mb, dec, 'en')} before, "
          f"{fmt_number(ma, dec, 'en')} after "
          f"({fmt_number(ma - mb, dec, 'en', sign=True)}).",
          f"Children without an offer in reach: {fmt_number(zb, 0, 'en')} "
          f"({fmt_number(zb / kids * 100, 1, 'en')}%) before, {fmt_number(za, 0, 'en')} "
          f"({fmt_number(za / kids * 100, 1, 'en')}%) after."]
    change = table["accessibility_change"].fillna(0.0)
    top = table.assign(_d=change.abs())
    top = top[top["_d"] > 1e-12].sort_values("_d", ascending=False, kind="mergesort").head(3)
    if len(top):
        de.append("Größte Änderungen: " + ", ".join(
            f"{r['name']} {fmt_number(r['accessibility_change'], dec, sign=True)}"
            for r in top.to_dict("records")) + ".")
        en.append("Largest changes: " + ", ".join(
            f"{r['name']} {fmt_number(r['accessibility_change'], dec, 'en', sign=True)}"
            for r in top.to_dict("records")) + ".")
    return de, en
