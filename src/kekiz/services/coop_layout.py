"""The drawing of a cooperation network wave: node positions from a networkx layout.

The web page draws the graph as SVG on the server; this module computes where every
actor goes.  The layout is a seeded spring layout (Fruchterman-Reingold) of the
undirected graph, so the same wave gives the same picture; isolates and small
components are placed by the same layout (networkx keeps them apart from the large
component).  Coordinates are scaled to ``0..1`` in both directions.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import networkx as nx

from kekiz.domain.cooperation import Network
from kekiz.prevention.cooperation import undirected_graph

__all__ = ["GraphLayout", "LayoutEdge", "LayoutNode", "cooperation_layout"]

SEED = 2012
_CACHE: dict[tuple[Any, ...], GraphLayout] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class LayoutNode:
    id: str
    name: str
    sector: str
    unit_id: str | None
    degree: int
    x: float
    y: float


@dataclass(frozen=True)
class LayoutEdge:
    a: str
    b: str
    reciprocated: bool
    intensity: int | None


@dataclass(frozen=True)
class GraphLayout:
    wave: int
    nodes: list[LayoutNode]
    edges: list[LayoutEdge]
    sectors: list[str]


def _positions(g: nx.Graph, seed: int) -> dict[Any, tuple[float, float]]:
    """Spring layout of the largest component; the other components (isolates
    included) in a row below it, so they neither vanish nor squeeze the main picture."""
    comps = sorted((sorted(c) for c in nx.connected_components(g)),
                   key=lambda c: (-len(c), c[0]))
    main = g.subgraph(comps[0])
    k = 1.6 / max(main.number_of_nodes(), 1) ** 0.5
    raw = nx.spring_layout(main, seed=seed, k=k, iterations=80)
    pos = {n: (float(p[0]), float(p[1])) for n, p in raw.items()}
    rest = [n for c in comps[1:] for n in c]
    if rest:
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        x0, x1, y0 = min(xs), max(xs), min(ys)
        step = (x1 - x0) / max(len(rest), 1)
        for i, n in enumerate(rest):
            pos[n] = (x0 + (i + 0.5) * step, y0 - 0.15 * ((max(ys) - y0) or 1.0))
    return pos


def cooperation_layout(net: Network, *, seed: int = SEED,
                       cache_key: object = None) -> GraphLayout:
    """Positions (0..1) of every actor of ``net`` and its pairs as edges.

    ``cache_key`` (e.g. the store's data version) keeps the layout for the next call.
    """
    key = None if cache_key is None else (cache_key, net.wave, seed)
    if key is not None and key in _CACHE:
        return _CACHE[key]
    g = undirected_graph(net)
    if g.number_of_nodes() == 0:
        layout = GraphLayout(net.wave, [], [], [])
    else:
        pos = _positions(g, seed)
        xs = [float(p[0]) for p in pos.values()]
        ys = [float(p[1]) for p in pos.values()]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        sx, sy = (x1 - x0) or 1.0, (y1 - y0) or 1.0
        nodes = [LayoutNode(str(n), str(d.get("name") or n), str(d.get("sector") or ""),
                            d.get("unit_id"), int(g.degree(n)),
                            (float(pos[n][0]) - x0) / sx, (float(pos[n][1]) - y0) / sy)
                 for n, d in sorted(g.nodes(data=True))]
        edges = [LayoutEdge(str(a), str(b), bool(d.get("reciprocated")),
                            None if d.get("intensity") is None else int(d["intensity"]))
                 for a, b, d in sorted(g.edges(data=True))]
        sectors = sorted({n.sector for n in nodes})
        layout = GraphLayout(net.wave, nodes, edges, sectors)
    if key is not None:
        with _LOCK:
            if len(_CACHE) > 16:
                _CACHE.clear()
            _CACHE[key] = layout
    return layout
