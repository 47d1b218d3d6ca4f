"""Benchmark: network distances for 2SFCA (issue #5).

A synthetic street grid (``--grid`` x ``--grid`` nodes, 100 m apart, near Köln) is
written as an OSM ``.pbf`` with pyosmium and read back with
:func:`kekiz.ingest.street_network.load_network`; ``--demand`` demand points and
``--supply`` offers are placed at random (seeded) inside it.  Timed:

* reading the ``.pbf`` into the sparse graph,
* :meth:`NetworkDistance.pairs` (snap with a k-d tree, multi-source ``scipy`` Dijkstra
  limited by the radius, in chunks) and the 2SFCA on those pairs,
* baseline in the same run: the direct way with networkx, one
  ``single_source_dijkstra_path_length`` (with cutoff) per distinct demand node, on the
  same graph and snapped nodes; its pairs are compared with kekiz's (largest absolute
  difference in metres),
* for scale: the straight-line 2SFCA (k-d tree) on the same points.

Run: ``.venv/bin/python bench/bench_network_distance.py [--grid 150 --demand 5000
--supply 500 --radius 1500] [--skip-baseline]``
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import osmium
import osmium.osm.mutable as mut
import pandas as pd

from kekiz.ingest.street_network import load_network
from kekiz.prevention.coverage import accessibility
from kekiz.prevention.network_distance import NetworkDistance, snap


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def _write_grid(path: Path, n: int) -> None:
    """An n x n street grid, 100 m apart, south-west corner 50.90 N, 6.85 E."""
    dlat, dlon = 100 / 111_195.0, 100 / (111_195.0 * np.cos(np.radians(50.95)))
    w = osmium.SimpleWriter(str(path))
    try:
        for r in range(n):
            for c in range(n):
                w.add_node(mut.Node(id=r * n + c + 1,
                                    location=(6.85 + c * dlon, 50.90 + r * dlat)))
        wid = 1
        for r in range(n):
            w.add_way(mut.Way(id=wid, nodes=[r * n + c + 1 for c in range(n)],
                              tags={"highway": "residential"}))
            wid += 1
        for c in range(n):
            w.add_way(mut.Way(id=wid, nodes=[r * n + c + 1 for r in range(n)],
                              tags={"highway": "residential"}))
            wid += 1
    finally:
        w.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grid", type=int, default=150)
    ap.add_argument("--demand", type=int, default=5_000)
    ap.add_argument("--supply", type=int, default=500)
    ap.add_argument("--radius", type=float, default=1500.0)
    ap.add_argument("--skip-baseline", action="store_true",
                    help="only kekiz (for large grids)")
    args = ap.parse_args()
    rng = np.random.default_rng(2012)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "grid.osm.pbf"
        _write_grid(path, args.grid)
        t_read, net = _timed(lambda: load_network(path, "walk"))
    lo_lon, hi_lon = net.lon.min(), net.lon.max()
    lo_lat, hi_lat = net.lat.min(), net.lat.max()

    def points(k: int) -> tuple[np.ndarray, np.ndarray]:
        return rng.uniform(lo_lon, hi_lon, k), rng.uniform(lo_lat, hi_lat, k)

    dlon, dlat = points(args.demand)
    slon, slat = points(args.supply)
    demand = pd.DataFrame({"lon": dlon, "lat": dlat,
                           "weight": rng.integers(1, 50, args.demand).astype(float)})
    offers = pd.DataFrame({"lon": slon, "lat": slat,
                           "capacity": rng.integers(10, 80, args.supply).astype(float)})
    dist = NetworkDistance(net)
    t_pairs, (i, j, d) = _timed(lambda: dist.pairs(dlon, dlat, slon, slat, args.radius))
    t_fca, _ = _timed(lambda: accessibility(offers, demand, radius=args.radius,
                                            capacity="capacity", distance=dist))
    t_line, _ = _timed(lambda: accessibility(offers, demand, radius=args.radius,
                                             capacity="capacity"))

    # baseline: networkx, one Dijkstra per distinct demand node
    def baseline() -> dict[tuple[int, int], float]:
        g = nx.Graph()
        coo = net.graph.tocoo()
        g.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(),
                                      coo.data.tolist(), strict=True))
        dn, dd = snap(net, dlon, dlat)
        sn, sd = snap(net, slon, slat)
        by_node: dict[int, list[int]] = {}
        for k, node in enumerate(sn.tolist()):
            by_node.setdefault(node, []).append(k)
        out: dict[tuple[int, int], float] = {}
        for src in np.unique(dn).tolist():
            reach = nx.single_source_dijkstra_path_length(g, src, cutoff=args.radius)
            for a in np.flatnonzero(dn == src).tolist():
                for node, length in reach.items():
                    for b in by_node.get(node, ()):
                        total = dd[a] + length + sd[b]
                        if total <= args.radius:
                            out[(a, b)] = total
        return out

    t_base, ref = (float("nan"), None) if args.skip_baseline else _timed(baseline)
    mine = {(int(a), int(b)): float(x) for a, b, x in zip(i, j, d, strict=True)}
    same_keys = ref is None or set(mine) == set(ref)
    diff = 0.0 if ref is None else max((abs(mine[k] - ref[k]) for k in ref if k in mine),
                                       default=0.0)
    print(f"Python {platform.python_version()}, {platform.machine()}; grid "
          f"{args.grid} x {args.grid} ({net.nodes:,} nodes, {net.edges:,} edges), "
          f"{args.demand:,} demand points x {args.supply:,} offers, radius "
          f"{args.radius:,.0f} m; {len(i):,} pairs in reach")
    print(f"read .pbf into the graph          {t_read:8.2f} s")
    print(f"kekiz NetworkDistance.pairs       {t_pairs:8.2f} s")
    print(f"kekiz 2SFCA over the network      {t_fca:8.2f} s (pairs included)")
    if ref is not None:
        print(f"baseline networkx per source      {t_base:8.2f} s  -> kekiz "
              f"{t_base / t_pairs:,.1f}x faster")
    print(f"straight-line 2SFCA (k-d tree)    {t_line:8.2f} s")
    if ref is not None:
        print(f"same pairs as the baseline: {same_keys}; largest difference {diff:.2e} m")


if __name__ == "__main__":
    main()
