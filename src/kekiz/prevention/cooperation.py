"""The cooperation network of the prevention chain: partners, ties and their analysis.

Pure computation with networkx, no I/O.  A :class:`Network` is one survey wave: the
partners (actors) and the ties they reported.  Survey rows are *reports*: the respondent
names a partner (PARTNER tool style), rates its trust and value on the 1-4 scales and
says how the two work together.  For the structural metrics two actors are tied when at
least one of them reported the tie (an undirected *pair*); referral flows use the
direction of each report.

Rules used (stated here because the output shows their results):

* **density** of a network of *n* actors with *m* pairs: ``m / (n (n - 1) / 2)``;
  within a sector the same on its actors, between sectors A and B ``m_AB / (n_A n_B)``;
* **betweenness**: normalised betweenness centrality of the undirected network
  (networkx, exact);
* **brokers**: actors that are cut points (their removal splits a component) or that
  connect partners of different sectors who are not tied to each other (cross-sector
  brokerage > 0); listed by betweenness;
* **transition coverage** per district: for each step between consecutive life phases
  (e.g. Kita -> Grundschule) the actors of the district serving the earlier and the
  later phase, the pairs tied across the step within the district, and the share of
  earlier-phase actors with at least one such tie.  Actors serving "alle Lebensphasen"
  and actors without a district (city-wide) do not count;
* **trust / value**: mean of all ratings (1-4) in the wave, also as a percentage of the
  scale maximum 4 (the PARTNER tool's network score).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pandas as pd

from kekiz.domain.cooperation import SCALE_MAX, Direction, Network, Partner, TieType
from kekiz.domain.directory import Transition, sector_label
from kekiz.domain.model import LifePhase

__all__ = [
    "PHASE_STEPS",
    "NetworkMetrics",
    "PhaseStep",
    "WaveComparison",
    "compare_waves",
    "density_by_sector",
    "directed_graph",
    "metrics",
    "pairs",
    "transition_coverage",
    "undirected_graph",
]

# -- graphs -------------------------------------------------------------------------------
def pairs(net: Network) -> dict[tuple[str, str], dict[str, Any]]:
    """The undirected pairs of a wave with their merged reports.

    Per pair: ``types`` (union), ``intensity`` (highest reported), ``trust`` and
    ``value`` (mean of the ratings given), ``reports`` (1 or 2) and ``reciprocated``.
    """
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for tie in net.ties:
        p = out.setdefault(tie.pair, {"types": set(), "intensity": None, "trust": [],
                                      "value": [], "reporters": set()})
        p["types"].update(tie.types)
        if tie.intensity is not None:
            p["intensity"] = max(p["intensity"] or 0, tie.intensity)
        if tie.trust is not None:
            p["trust"].append(tie.trust)
        if tie.value is not None:
            p["value"].append(tie.value)
        p["reporters"].add(tie.source)
    for p in out.values():
        p["trust"] = _mean(p["trust"])
        p["value"] = _mean(p["value"])
        p["reports"] = len(p["reporters"])
        p["reciprocated"] = len(p["reporters"]) == 2
        p["types"] = tuple(sorted(p["types"], key=lambda t: t.rank))
    return out


def undirected_graph(net: Network) -> nx.Graph:
    """All partners as nodes (isolates included), one edge per pair."""
    g = nx.Graph()
    for pid in sorted(net.partners):
        p = net.partners[pid]
        g.add_node(pid, sector=p.sector, unit_id=p.unit_id, name=p.name)
    for (a, b), attrs in sorted(pairs(net).items()):
        g.add_edge(a, b, **attrs)
    return g


def directed_graph(net: Network) -> nx.DiGraph:
    """Edges in the reported direction (mutual reports give both directions)."""
    g = nx.DiGraph()
    g.add_nodes_from(sorted(net.partners))
    for tie in net.ties:
        if tie.direction in (Direction.OUT, Direction.MUTUAL):
            g.add_edge(tie.source, tie.target)
        if tie.direction in (Direction.IN, Direction.MUTUAL):
            g.add_edge(tie.target, tie.source)
    return g


def _mean(values: Iterable[float]) -> float | None:
    vals = [float(v) for v in values]
    return sum(vals) / len(vals) if vals else None


def _density(m: int, possible: int) -> float:
    return m / possible if possible else math.nan


# -- metrics ------------------------------------------------------------------------------
def density_by_sector(net: Network, g: nx.Graph | None = None) -> pd.DataFrame:
    """Density within each sector and between each pair of sectors.

    Columns: ``sector_a``, ``sector_b`` (equal for within), ``actors_a``, ``actors_b``,
    ``ties``, ``possible``, ``density``.  Rows only where a tie is possible.
    """
    g = undirected_graph(net) if g is None else g
    members: dict[str, list[str]] = {}
    for pid, p in net.partners.items():
        members.setdefault(p.sector, []).append(pid)
    counts: dict[tuple[str, str], int] = {}
    for a, b in g.edges():
        key = tuple(sorted((net.partners[a].sector, net.partners[b].sector)))
        counts[(key[0], key[1])] = counts.get((key[0], key[1]), 0) + 1
    rows = []
    sectors = sorted(members)
    for i, sa in enumerate(sectors):
        for sb in sectors[i:]:
            na, nb = len(members[sa]), len(members[sb])
            possible = na * (na - 1) // 2 if sa == sb else na * nb
            if possible == 0:
                continue
            m = counts.get((sa, sb), 0)
            rows.append({"sector_a": sa, "sector_b": sb, "actors_a": na, "actors_b": nb,
                         "ties": m, "possible": possible, "density": m / possible})
    return pd.DataFrame(rows, columns=["sector_a", "sector_b", "actors_a", "actors_b", "ties",
                                       "possible", "density"])


def _brokerage(g: nx.Graph, sector: Mapping[str, str]) -> dict[str, int]:
    """Unconnected pairs of neighbours from different sectors that an actor joins."""
    out: dict[str, int] = {}
    for v in g.nodes():
        n = 0
        for u, w in itertools.combinations(sorted(g.neighbors(v)), 2):
            if sector[u] != sector[w] and not g.has_edge(u, w):
                n += 1
        out[v] = n
    return out


def _actor_table(net: Network, g: nx.Graph) -> pd.DataFrame:
    dg = directed_graph(net)
    betweenness = nx.betweenness_centrality(g, normalized=True)
    sector = {pid: p.sector for pid, p in net.partners.items()}
    brokerage = _brokerage(g, sector)
    cut = set(nx.articulation_points(g))
    component = {}
    for n, comp in enumerate(_components(g), start=1):
        for v in comp:
            component[v] = n
    rows = []
    for pid in sorted(net.partners):
        p = net.partners[pid]
        rows.append({
            "id": pid, "name": p.name, "sector": p.sector, "unit_id": p.unit_id,
            "life_phases": ",".join(p.life_phases), "respondent": p.respondent,
            "degree": int(g.degree(pid)), "in_degree": int(dg.in_degree(pid)),
            "out_degree": int(dg.out_degree(pid)), "betweenness": float(betweenness[pid]),
            "brokerage": brokerage[pid], "cutpoint": pid in cut,
            "broker": pid in cut or brokerage[pid] > 0, "component": component[pid]})
    return pd.DataFrame(rows)


def _components(g: nx.Graph) -> list[list[str]]:
    comps = [sorted(c) for c in nx.connected_components(g)]
    return sorted(comps, key=lambda c: (-len(c), c[0]))


@dataclass
class PhaseStep:
    """A step between two consecutive life phases."""

    key: str
    phase_from: str
    phase_to: str
    label_de: str
    label_en: str


PHASE_STEPS: tuple[PhaseStep, ...] = (
    PhaseStep("birth", LifePhase.PREGNANCY.value, LifePhase.AGE_0_3.value,
              "Schwangerschaft → frühe Kindheit", "pregnancy → early childhood"),
    *(PhaseStep(t.value, a.value, b.value, t.label_de, t.label_en) for t, a, b in (
        (Transition.FAMILY_KITA, LifePhase.AGE_0_3, LifePhase.AGE_3_6),
        (Transition.KITA_PRIMARY, LifePhase.AGE_3_6, LifePhase.AGE_6_10),
        (Transition.PRIMARY_SECONDARY, LifePhase.AGE_6_10, LifePhase.AGE_10_16),
        (Transition.SCHOOL_WORK, LifePhase.AGE_10_16, LifePhase.AGE_16_25))),
)


def transition_coverage(net: Network, district_of: Mapping[str, str] | None = None,
                        g: nx.Graph | None = None) -> pd.DataFrame:
    """Ties across each step of the life phases, per district (see the module rules).

    ``district_of`` maps an actor's ``unit_id`` to its district (e.g. Stadtteil ->
    Stadtbezirk); without it the actor's own unit is its district.  Units missing from
    the mapping are city-wide and do not count.  Columns: ``district``, ``step``,
    ``actors_from``, ``actors_to``, ``ties``, ``linked_from`` (earlier-phase actors with
    a tie across the step), ``share_linked`` (``linked_from / actors_from``), ``covered``
    (at least one tie).
    """
    g = undirected_graph(net) if g is None else g
    districts: dict[str, list[Partner]] = {}
    for p in net.partners.values():
        if p.unit_id is None:
            continue
        d = p.unit_id if district_of is None else district_of.get(p.unit_id)
        if d is not None:
            districts.setdefault(d, []).append(p)
    rows = []
    for d in sorted(districts):
        for step in PHASE_STEPS:
            a = {p.id for p in districts[d] if step.phase_from in p.life_phases}
            b = {p.id for p in districts[d] if step.phase_to in p.life_phases}
            if not a and not b:
                continue
            tied = {tuple(sorted((u, v))) for u in a for v in b
                    if u != v and g.has_edge(u, v)}
            linked = {u for u in a if any(u != v and g.has_edge(u, v) for v in b)}
            rows.append({"district": d, "step": step.key, "actors_from": len(a),
                         "actors_to": len(b), "ties": len(tied), "linked_from": len(linked),
                         "share_linked": len(linked) / len(a) if a else math.nan,
                         "covered": bool(tied)})
    return pd.DataFrame(rows, columns=["district", "step", "actors_from", "actors_to", "ties",
                                       "linked_from", "share_linked", "covered"])


@dataclass
class NetworkMetrics:
    """The metrics of one wave (see the module rules).  ``to_dict()`` is JSON-ready."""

    wave: int
    actors: int
    respondents: int
    ties: int
    reports: int
    density: float
    reciprocity: float
    trust_mean: float | None
    value_mean: float | None
    components: list[list[str]]
    isolates: list[str]
    by_type: dict[str, int]
    sectors: pd.DataFrame
    actor_table: pd.DataFrame
    transitions: pd.DataFrame
    label: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def trust_pct(self) -> float | None:
        return None if self.trust_mean is None else self.trust_mean / SCALE_MAX * 100

    @property
    def value_pct(self) -> float | None:
        return None if self.value_mean is None else self.value_mean / SCALE_MAX * 100

    def brokers(self, limit: int | None = 10) -> pd.DataFrame:
        table = self.actor_table[self.actor_table["broker"]]
        table = table.sort_values(["betweenness", "id"], ascending=[False, True])
        return table if limit is None else table.head(limit)

    def to_dict(self, lang: str = "de") -> dict[str, Any]:
        brokers = self.brokers(None)
        return {
            "wave": self.wave, "label": self.label, "actors": self.actors,
            "respondents": self.respondents, "ties": self.ties, "reports": self.reports,
            "density": self.density, "reciprocity": _nan_none(self.reciprocity),
            "trust_mean": self.trust_mean, "trust_pct": self.trust_pct,
            "value_mean": self.value_mean, "value_pct": self.value_pct,
            "components": len(self.components),
            "largest_component": len(self.components[0]) if self.components else 0,
            "isolates": self.isolates, "by_type": self.by_type,
            "sectors": [{**r, "label_a": sector_label(r["sector_a"], lang),
                         "label_b": sector_label(r["sector_b"], lang)}
                        for r in self.sectors.to_dict("records")],
            "brokers": _records(brokers[["id", "name", "sector", "degree", "betweenness",
                                         "brokerage", "cutpoint"]]),
            "actors_table": _records(self.actor_table),
            "transitions": _records(self.transitions),
            "notes": self.notes,
        }


def _nan_none(v: float) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in frame.to_dict("records"):
        out.append({str(k): (_nan_none(v) if isinstance(v, float) else
                             (v.item() if hasattr(v, "item") else v)) for k, v in rec.items()})
    return out


def metrics(net: Network, district_of: Mapping[str, str] | None = None) -> NetworkMetrics:
    """Structural metrics, trust and value, and transition coverage of one wave."""
    g = undirected_graph(net)
    n, m = g.number_of_nodes(), g.number_of_edges()
    ps = pairs(net)
    both = [p for (a, b), p in ps.items()
            if net.partners[a].respondent and net.partners[b].respondent]
    reciprocity = (sum(p["reciprocated"] for p in both) / len(both)) if both else math.nan
    by_type = {t.value: sum(1 for p in ps.values() if t in p["types"]) for t in TieType}
    notes = []
    if n < 2:
        notes.append("Weniger als zwei Akteure: keine Dichte berechenbar.")
    return NetworkMetrics(
        wave=net.wave, label=net.label, actors=n,
        respondents=sum(p.respondent for p in net.partners.values()), ties=m,
        reports=len(net.ties), density=_density(m, n * (n - 1) // 2),
        reciprocity=reciprocity,
        trust_mean=_mean(t.trust for t in net.ties if t.trust is not None),
        value_mean=_mean(t.value for t in net.ties if t.value is not None),
        components=_components(g), isolates=sorted(nx.isolates(g)), by_type=by_type,
        sectors=density_by_sector(net, g), actor_table=_actor_table(net, g),
        transitions=transition_coverage(net, district_of, g), notes=notes)


# -- comparison of waves ------------------------------------------------------------------
@dataclass
class WaveComparison:
    """What changed from wave ``a`` to wave ``b``.

    ``lost_with_actor``: lost pairs where one actor is no longer in wave ``b`` (left the
    network or was not surveyed), the rest were given up by actors present in both.
    ``trust_change_kept`` / ``value_change_kept``: mean change of the pair ratings on
    the pairs present in both waves (pairs rated in both).
    """

    wave_a: int
    wave_b: int
    new_ties: list[tuple[str, str]]
    lost_ties: list[tuple[str, str]]
    kept_ties: list[tuple[str, str]]
    lost_with_actor: int
    actors_new: list[str]
    actors_left: list[str]
    density_a: float
    density_b: float
    trust_a: float | None
    trust_b: float | None
    value_a: float | None
    value_b: float | None
    trust_change_kept: float | None
    value_change_kept: float | None
    components_a: int
    components_b: int
    isolates_a: int
    isolates_b: int
    sectors: pd.DataFrame
    transitions: pd.DataFrame
    label_a: str = ""
    label_b: str = ""

    @property
    def density_change(self) -> float:
        return self.density_b - self.density_a

    @property
    def trust_change(self) -> float | None:
        if self.trust_a is None or self.trust_b is None:
            return None
        return self.trust_b - self.trust_a

    @property
    def value_change(self) -> float | None:
        if self.value_a is None or self.value_b is None:
            return None
        return self.value_b - self.value_a

    def to_dict(self) -> dict[str, Any]:
        return {
            "wave_a": self.wave_a, "wave_b": self.wave_b, "label_a": self.label_a,
            "label_b": self.label_b, "new_ties": len(self.new_ties),
            "lost_ties": len(self.lost_ties),
            "kept_ties": len(self.kept_ties), "lost_with_actor": self.lost_with_actor,
            "actors_new": self.actors_new, "actors_left": self.actors_left,
            "density_a": self.density_a, "density_b": self.density_b,
            "density_change": self.density_change, "trust_a": self.trust_a,
            "trust_b": self.trust_b, "trust_change": self.trust_change,
            "trust_change_kept": self.trust_change_kept, "value_a": self.value_a,
            "value_b": self.value_b, "value_change": self.value_change,
            "value_change_kept": self.value_change_kept,
            "components_a": self.components_a, "components_b": self.components_b,
            "isolates_a": self.isolates_a, "isolates_b": self.isolates_b,
            "new_tie_list": [list(p) for p in self.new_ties],
            "lost_tie_list": [list(p) for p in self.lost_ties],
            "sectors": _records(self.sectors), "transitions": _records(self.transitions),
        }


def compare_waves(a: Network, b: Network, district_of: Mapping[str, str] | None = None
                  ) -> WaveComparison:
    """New, lost and kept ties, and the change of density, trust and value."""
    ma, mb = metrics(a, district_of), metrics(b, district_of)
    pa, pb = pairs(a), pairs(b)
    new = sorted(set(pb) - set(pa))
    lost = sorted(set(pa) - set(pb))
    kept = sorted(set(pa) & set(pb))
    lost_with_actor = sum(1 for u, v in lost if u not in b.partners or v not in b.partners)

    def kept_change(attr: str) -> float | None:
        diffs = [pb[k][attr] - pa[k][attr] for k in kept
                 if pa[k][attr] is not None and pb[k][attr] is not None]
        return _mean(diffs)

    sec = ma.sectors.merge(mb.sectors, on=["sector_a", "sector_b"], how="outer",
                           suffixes=("_a", "_b"))
    sec["density_change"] = sec["density_b"] - sec["density_a"]
    sec = sec[["sector_a", "sector_b", "ties_a", "ties_b", "density_a", "density_b",
               "density_change"]]
    keys = ["district", "step"]
    tra = ma.transitions.merge(mb.transitions, on=keys, how="outer", suffixes=("_a", "_b"))
    tra = tra[[*keys, "ties_a", "ties_b", "share_linked_a", "share_linked_b", "covered_a",
               "covered_b"]]
    return WaveComparison(
        wave_a=a.wave, wave_b=b.wave, new_ties=new, lost_ties=lost, kept_ties=kept,
        lost_with_actor=lost_with_actor,
        actors_new=sorted(set(b.partners) - set(a.partners)),
        actors_left=sorted(set(a.partners) - set(b.partners)),
        density_a=ma.density, density_b=mb.density, trust_a=ma.trust_mean,
        trust_b=mb.trust_mean, value_a=ma.value_mean, value_b=mb.value_mean,
        trust_change_kept=kept_change("trust"), value_change_kept=kept_change("value"),
        components_a=len(ma.components), components_b=len(mb.components),
        isolates_a=len(ma.isolates), isolates_b=len(mb.isolates), sectors=sec,
        transitions=tra, label_a=a.label, label_b=b.label)
