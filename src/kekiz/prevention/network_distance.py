"""Network distance for accessibility: shortest paths over a local street network.

:class:`NetworkDistance` is a :class:`~kekiz.prevention.coverage.DistanceProvider` for
2SFCA on a :class:`~kekiz.domain.street_network.StreetNetwork` (read by
:func:`kekiz.ingest.street_network.load_network`): demand points and offers are snapped
to the nearest node of the network's largest connected part (:func:`snap`, k-d tree in
EPSG:25832); the distance of a pair is the straight line from the demand point to its
node, plus the shortest path between the nodes, plus the straight line from the offer's
node to the offer.  Shortest paths come from ``scipy.sparse.csgraph.dijkstra`` started at
the smaller of the two node sets (on the reversed graph for one-way streets when starting
at the offers) and cut off at the radius, in spatially compact chunks of sources, each on
the subgraph within reach of the chunk, so that time and memory follow the catchments,
not the size of the network (``bench/bench_network_distance.py``).

Distances stay in metres; the mode's usual speed (4.8, 15 and 30 km/h for ``walk``,
``bike``, ``drive``) only translates the radius into minutes for the text.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from kekiz.domain.errors import MethodError
from kekiz.domain.street_network import MODES, StreetNetwork
from kekiz.i18n import fmt_number
from kekiz.prevention.geo import METRIC_CRS, to_metric

__all__ = ["NetworkDistance", "snap"]

#: sources per Dijkstra call are chosen so that one call's dense result stays this small
_CHUNK_CELLS = 4_000_000


@dataclass(frozen=True)
class _NodeIndex:
    """The nodes of a network in metres and a k-d tree of its largest connected part."""

    xy: np.ndarray
    main: np.ndarray
    tree: cKDTree


#: one index per network, built on first use and dropped with the network
_INDEX: weakref.WeakKeyDictionary[StreetNetwork, _NodeIndex] = weakref.WeakKeyDictionary()


def _index(net: StreetNetwork) -> _NodeIndex:
    found = _INDEX.get(net)
    if found is None:
        xy = to_metric(net.lon, net.lat, METRIC_CRS)
        _n, labels = connected_components(net.graph, directed=net.directed,
                                          connection="weak")
        main = np.flatnonzero(labels == np.argmax(np.bincount(labels)))
        found = _INDEX[net] = _NodeIndex(xy, main, cKDTree(xy[main]))
        dropped = net.nodes - len(main)
        if dropped:
            net.notes.append(f"{fmt_number(dropped, 0)} Knoten liegen in vom übrigen "
                             "Netz getrennten Teilen; an sie wird nicht angebunden")
    return found


def snap(net: StreetNetwork, lon: np.ndarray, lat: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray]:
    """(nearest node of the largest connected part, straight-line metres to it) of each
    point; the first call on a network notes the nodes left out (``net.notes``)."""
    index = _index(net)
    d, k = index.tree.query(to_metric(lon, lat, METRIC_CRS))
    return index.main[np.asarray(k, int)], np.asarray(d, float)


def _local_paths(net: StreetNetwork, graph: sparse.csr_matrix, sources: np.ndarray,
                 targets: np.ndarray, radius: float) -> Iterator[pd.DataFrame]:
    """Shortest paths (at most ``radius``) from ``sources`` to ``targets`` (node ids),
    as frames ``src, tgt, path``.

    Sources are taken in spatially compact chunks (sorted by ``radius``-sized cells);
    each chunk runs Dijkstra on the subgraph of the nodes within ``radius`` of the
    chunk's bounding box: a path no longer than the radius cannot leave it, because an
    edge is never shorter than the straight line between its nodes (plus 1 % margin:
    haversine lengths on the sphere and EPSG:25832 distances differ by up to about 0.4 %
    in Germany).  So the work and the memory per chunk follow the catchment, not the
    whole network.
    """
    xy = _index(net).xy
    cell = np.floor(xy[sources] / max(radius, 1.0)).astype(np.int64)
    order = np.lexsort((xy[sources, 1], cell[:, 1], cell[:, 0]))
    sources = sources[order]
    reach = radius * 1.01 + 1.0
    start, size = 0, 256
    while start < len(sources):
        while True:  # halve the chunk until its local problem is small enough
            src = sources[start:start + size]
            lo = xy[src].min(axis=0) - reach
            hi = xy[src].max(axis=0) + reach
            local = np.flatnonzero(np.all((xy >= lo) & (xy <= hi), axis=1))
            if len(src) * len(local) <= _CHUNK_CELLS or len(src) == 1:
                break
            size = max(1, size // 2)
        position = np.full(net.nodes, -1, np.intp)
        position[local] = np.arange(len(local))
        sub = graph[local][:, local]
        tgt = targets[position[targets] >= 0]
        dist = dijkstra(sub, directed=net.directed, indices=position[src], limit=radius)
        block = dist[:, position[tgt]]
        r, c = np.nonzero(np.isfinite(block))
        yield pd.DataFrame({"src": src[r], "tgt": tgt[c], "path": block[r, c]})
        start += len(src)
        size = min(size * 2, 4096)


class NetworkDistance:
    """Distances over a :class:`StreetNetwork` (a
    :class:`~kekiz.prevention.coverage.DistanceProvider`, see the module text)."""

    def __init__(self, network: StreetNetwork) -> None:
        self.network = network
        speed, de, en = MODES[network.mode]
        self.speed_kmh = speed
        self.label_de = f"{de} im Straßennetz"
        self.label_en = f"{en} on the street network"
        self.far_demand = 0

    def minutes(self, metres: float) -> float:
        """Minutes for ``metres`` at the mode's usual speed."""
        return metres / 1000.0 / self.speed_kmh * 60.0

    def pairs(self, demand_lon: np.ndarray, demand_lat: np.ndarray, supply_lon: np.ndarray,
              supply_lat: np.ndarray, radius: float
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        net = self.network
        dn, dd = snap(net, np.asarray(demand_lon, float), np.asarray(demand_lat, float))
        sn, sd = snap(net, np.asarray(supply_lon, float), np.asarray(supply_lat, float))
        self.far_demand = int((dd > radius).sum())
        if len(dn) and self.far_demand == len(dn):
            raise MethodError(
                f"Keiner der {len(dn)} Nachfragepunkte liegt näher als "
                f"{fmt_number(radius, 0)} m am Straßennetz {Path(net.source).name}. "
                "Abhilfe: ein Straßennetz verwenden, das die Gebiete abdeckt.",
                message_en=f"None of the {len(dn)} demand points lies within "
                f"{fmt_number(radius, 0, 'en')} m of the street network "
                f"{Path(net.source).name}. Fix: use a network that covers the units.")
        near_d = dd <= radius
        near_s = sd <= radius
        ud = np.unique(dn[near_d])
        us = np.unique(sn[near_s])
        empty = (np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0))
        if len(ud) == 0 or len(us) == 0:
            return empty
        # start at the smaller node set; from the offers, walk the reversed graph
        from_demand = len(ud) <= len(us)
        sources, targets = (ud, us) if from_demand else (us, ud)
        graph = net.graph if from_demand or not net.directed else net.graph.T.tocsr()
        nodes = pd.concat(list(_local_paths(net, graph, sources, targets, radius)),
                          ignore_index=True)
        if not from_demand:
            nodes = nodes.rename(columns={"src": "tgt", "tgt": "src"})
        dem = pd.DataFrame({"src": dn[near_d], "i": np.flatnonzero(near_d),
                            "di": dd[near_d]})
        sup = pd.DataFrame({"tgt": sn[near_s], "j": np.flatnonzero(near_s),
                            "dj": sd[near_s]})
        full = nodes.merge(dem, on="src").merge(sup, on="tgt")
        total = full["di"].to_numpy() + full["path"].to_numpy() + full["dj"].to_numpy()
        keep = total <= radius
        return (full["i"].to_numpy(np.intp)[keep], full["j"].to_numpy(np.intp)[keep],
                total[keep])
