"""Network distance for accessibility: shortest paths over a local street network.

:func:`load_network` reads an OpenStreetMap file (``.osm.pbf``/``.pbf``/``.osm``, with
pyosmium: ways with a ``highway`` tag usable in the chosen mode, node coordinates from
the file, edge length by the haversine formula) or a GraphML file (networkx; node
coordinates ``x``/``y`` or ``lon``/``lat`` in WGS84 as written by OSMnx, edge ``length``
in metres or else the haversine length) into a sparse graph.

:class:`NetworkDistance` is a :class:`~kekiz.prevention.coverage.DistanceProvider` for
2SFCA: demand points and offers are snapped to the nearest node of the network's largest
connected part (k-d tree in EPSG:25832); the distance of a pair is the straight line from
the demand point to its node, plus the shortest path between the nodes, plus the
straight line from the offer's node to the offer.  Shortest paths come from
``scipy.sparse.csgraph.dijkstra`` started at the smaller of the two node sets (on the
reversed graph for one-way streets when starting at the offers) and cut off at the
radius, in spatially compact chunks of sources, each on the subgraph within reach of
the chunk, so that time and memory follow the catchments, not the size of the network
(``bench/bench_network_distance.py``).

Modes: ``walk`` (no motorways or trunk roads, one-way streets both ways), ``bike`` (no
motorways, trunk roads or steps; footways only where ``bicycle`` allows it) and
``drive`` (roads for cars, ``oneway`` respected).  Distances stay in metres; the mode's
usual speed (4.8, 15 and 30 km/h) only translates the radius into minutes for the text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from kekiz.analysis.classify import format_number
from kekiz.domain.errors import ImportFailed, MethodError, ValidationReport
from kekiz.domain.extras import require
from kekiz.prevention.geo import METRIC_CRS, to_metric

__all__ = ["MODES", "NetworkDistance", "StreetNetwork", "haversine", "load_network",
           "read_graphml", "read_osm"]

#: mode -> (usual speed in km/h, German words, English words)
MODES: dict[str, tuple[float, str, str]] = {
    "walk": (4.8, "zu Fuß", "on foot"),
    "bike": (15.0, "mit dem Rad", "by bike"),
    "drive": (30.0, "mit dem Auto", "by car"),
}
_ALIASES = {"walk": "walk", "walking": "walk", "fuss": "walk", "fuß": "walk", "foot": "walk",
            "bike": "bike", "cycling": "bike", "rad": "bike", "fahrrad": "bike",
            "drive": "drive", "driving": "drive", "car": "drive", "auto": "drive"}
_NEVER = {"construction", "proposed", "abandoned", "razed", "raceway", "bus_guideway",
          "platform", "elevator", "corridor", "escape", "emergency_bay", "rest_area",
          "services", "busway"}
_NO_WALK = {"motorway", "motorway_link", "trunk", "trunk_link"}
_NO_BIKE = _NO_WALK | {"steps"}
_FOOT_ONLY = {"footway", "pedestrian", "path", "bridleway"}
_DRIVE = {"motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link",
          "secondary", "secondary_link", "tertiary", "tertiary_link", "unclassified",
          "residential", "living_street", "service", "road"}
_OSM_SUFFIXES = (".pbf", ".osm", ".o5m", ".opl", ".bz2", ".gz")
_GRAPHML_SUFFIXES = (".graphml", ".xml")
#: sources per Dijkstra call are chosen so that one call's dense result stays this small
_CHUNK_CELLS = 4_000_000
EARTH_RADIUS_M = 6_371_008.8


def haversine(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> np.ndarray:
    """Great-circle distance in metres (mean earth radius 6,371,008.8 m)."""
    p1, p2 = np.radians(np.asarray(lat1, float)), np.radians(np.asarray(lat2, float))
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, float) - np.asarray(lon1, float))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def _mode(mode: str) -> str:
    key = _ALIASES.get(str(mode).strip().lower())
    if key is None:
        raise MethodError(f"Unbekannte Fortbewegungsart '{mode}'. Möglich: walk (zu Fuß), "
                          "bike (Rad), drive (Auto).",
                          message_en=f"Unknown mode '{mode}'. Possible: walk, bike, drive.")
    return key


def usable(tags: dict[str, str], mode: str) -> tuple[bool, int]:
    """(way usable in ``mode``, direction): direction 0 both ways, 1 along the way, -1
    against it (only ``drive`` follows ``oneway``; ``junction=roundabout`` is one-way)."""
    hw = tags.get("highway", "")
    if not hw or hw in _NEVER or tags.get("area") == "yes":
        return False, 0
    access = tags.get("access", "")
    own = {"walk": "foot", "bike": "bicycle", "drive": "motor_vehicle"}[mode]
    allowed = tags.get(own, tags.get("motorcar", "") if mode == "drive" else "")
    if allowed in ("no", "private", "use_sidepath"):
        return False, 0
    if access in ("no", "private") and allowed not in ("yes", "designated", "permissive",
                                                       "destination"):
        return False, 0
    if mode == "walk":
        return hw not in _NO_WALK, 0
    if mode == "bike":
        if hw in _NO_BIKE:
            return False, 0
        if hw in ("footway", "pedestrian") and allowed not in ("yes", "designated",
                                                               "permissive"):
            return False, 0
        return True, 0
    if hw not in _DRIVE:
        return False, 0
    oneway = tags.get("oneway", "")
    if oneway in ("yes", "true", "1") or (tags.get("junction") == "roundabout"
                                           and oneway != "no"):
        return True, 1
    if oneway == "-1":
        return True, -1
    return True, 0


@dataclass
class StreetNetwork:
    """A street network as a sparse graph: node coordinates (WGS84) and edge lengths in
    metres (``graph[a, b]`` the length from ``a`` to ``b``; symmetric unless
    ``directed``)."""

    lon: np.ndarray
    lat: np.ndarray
    graph: sparse.csr_matrix
    directed: bool
    mode: str
    source: str
    notes: list[str] = field(default_factory=list)
    _tree: cKDTree | None = field(default=None, repr=False)
    _main: np.ndarray | None = field(default=None, repr=False)
    _xy: np.ndarray | None = field(default=None, repr=False)

    @property
    def xy(self) -> np.ndarray:
        """Node coordinates in metres (EPSG:25832)."""
        if self._xy is None:
            self._xy = to_metric(self.lon, self.lat, METRIC_CRS)
        return self._xy

    @property
    def nodes(self) -> int:
        return len(self.lon)

    @property
    def edges(self) -> int:
        return int(self.graph.nnz if self.directed else self.graph.nnz // 2)

    def snap(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(nearest node of the largest connected part, straight-line metres to it)."""
        if self._tree is None:
            _n, labels = connected_components(self.graph, directed=self.directed,
                                              connection="weak")
            biggest = np.argmax(np.bincount(labels))
            self._main = np.flatnonzero(labels == biggest)
            self._tree = cKDTree(self.xy[self._main])
            dropped = self.nodes - len(self._main)
            if dropped:
                self.notes.append(f"{format_number(dropped, 0)} Knoten liegen in vom "
                                  "übrigen Netz getrennten Teilen; an sie wird nicht "
                                  "angebunden")
        assert self._main is not None
        d, k = self._tree.query(to_metric(lon, lat, METRIC_CRS))
        return self._main[np.asarray(k, int)], np.asarray(d, float)


def _graph(n: int, a: np.ndarray, b: np.ndarray, length: np.ndarray,
           direction: np.ndarray, directed: bool) -> sparse.csr_matrix:
    """CSR matrix of the shortest parallel edge (both ways unless directed and one-way).
    """
    keep = a != b
    a, b, length, direction = a[keep], b[keep], length[keep], direction[keep]
    fwd = direction >= 0 if directed else np.ones(len(a), bool)
    bwd = direction <= 0 if directed else np.ones(len(a), bool)
    rows = np.concatenate([a[fwd], b[bwd]])
    cols = np.concatenate([b[fwd], a[bwd]])
    vals = np.concatenate([length[fwd], length[bwd]])
    frame = pd.DataFrame({"r": rows, "c": cols, "v": vals}).groupby(
        ["r", "c"], sort=False)["v"].min().reset_index()
    # csgraph treats explicit zeros as missing edges: keep zero-length edges as 1 mm
    v = np.maximum(frame["v"].to_numpy(float), 1e-3)
    return sparse.csr_matrix((v, (frame["r"].to_numpy(), frame["c"].to_numpy())),
                             shape=(n, n))


def _fail(path: Path, message: str, expected: str, fix: str, message_en: str,
          value: Any = None) -> NoReturn:
    report = ValidationReport(path.name)
    report.add(message, expected=expected, fix=fix, message_en=message_en, value=value)
    raise ImportFailed(report)


def read_osm(path: Path, mode: str = "walk") -> StreetNetwork:
    """The ways of an OSM file usable in ``mode`` (see :func:`usable`) as a graph."""
    osmium = require("network")

    mode = _mode(mode)
    ids: dict[int, int] = {}
    lons: list[float] = []
    lats: list[float] = []
    a: list[int] = []
    b: list[int] = []
    dirs: list[int] = []
    ways = skipped = missing = 0
    try:
        proc = osmium.FileProcessor(str(path)).with_locations().with_filter(
            osmium.filter.KeyFilter("highway"))
        for obj in proc:
            if not isinstance(obj, osmium.osm.Way):
                continue
            ok, direction = usable(dict(obj.tags), mode)
            if not ok:
                skipped += 1
                continue
            prev = None
            for nd in obj.nodes:
                if not nd.location.valid():
                    missing += 1
                    prev = None
                    continue
                k = ids.get(nd.ref)
                if k is None:
                    k = ids[nd.ref] = len(lons)
                    lons.append(nd.lon)
                    lats.append(nd.lat)
                if prev is not None:
                    a.append(prev)
                    b.append(k)
                    dirs.append(direction)
                prev = k
            ways += 1
    except (RuntimeError, OSError, ValueError) as exc:
        _fail(path, f"keine lesbare OSM-Datei ({exc})",
              "eine OpenStreetMap-Datei (.osm.pbf oder .osm) mit Straßen (Wege mit "
              "highway-Tag) und ihren Knoten", "einen Auszug z. B. von download.geofabrik.de"
              " laden und mit 'osmium extract' auf die Kommune zuschneiden",
              f"not a readable OSM file ({exc})")
    if not a:
        _fail(path, f"enthält keine Straßen, die {MODES[mode][1]} nutzbar sind ({ways} "
              f"passende, {skipped} andere Wege mit highway-Tag, {missing} Knoten ohne "
              "Koordinaten)", "Wege mit highway-Tag (z. B. residential, footway) und ihre "
              "Knoten mit Koordinaten in derselben Datei",
              "einen vollständigen Auszug verwenden (osmium extract mit "
              "--strategy complete_ways) oder eine andere Fortbewegungsart wählen",
              f"holds no streets usable {MODES[mode][2]}")
    lon, lat = np.asarray(lons, float), np.asarray(lats, float)
    ai, bi = np.asarray(a, np.intp), np.asarray(b, np.intp)
    length = haversine(lon[ai], lat[ai], lon[bi], lat[bi])
    directed = mode == "drive"
    net = StreetNetwork(lon, lat, _graph(len(lon), ai, bi, length, np.asarray(dirs, int),
                                         directed), directed, mode, str(path))
    if missing:
        net.notes.append(f"{format_number(missing, 0)} Wegknoten ohne Koordinaten in "
                         f"{path.name} (Auszug unvollständig); diese Abschnitte fehlen")
    return net


def read_graphml(path: Path, mode: str = "walk") -> StreetNetwork:
    """A GraphML street network (networkx): node ``x``/``y`` or ``lon``/``lat`` (WGS84),
    edge ``length`` in metres (else haversine); a ``highway`` edge attribute is filtered
    by ``mode``; directed graphs keep their direction only for ``drive``."""
    import xml.etree.ElementTree as ET

    import networkx as nx

    mode = _mode(mode)
    try:
        g = nx.read_graphml(path)
    except (ET.ParseError, nx.NetworkXError, OSError, ValueError, KeyError) as exc:
        _fail(path, f"keine lesbare GraphML-Datei ({exc})",
              "GraphML (XML) mit Knoten (Attribute x/y oder lon/lat in WGS84) und Kanten "
              "(Attribut length in Metern)", "die Datei z. B. mit OSMnx "
              "(ox.save_graphml) oder networkx.write_graphml schreiben",
              f"not a readable GraphML file ({exc})")
    nodes = list(g.nodes)
    index = {n: k for k, n in enumerate(nodes)}
    lon = np.full(len(nodes), np.nan)
    lat = np.full(len(nodes), np.nan)
    report = ValidationReport(path.name)
    for k, (node, data) in enumerate(g.nodes(data=True)):
        x = data.get("x", data.get("lon"))
        y = data.get("y", data.get("lat"))
        try:
            lon[k], lat[k] = float(x), float(y)
        except (TypeError, ValueError):
            report.add("Knoten ohne Koordinaten", column="node", value=node,
                       expected="die Attribute x und y (oder lon und lat) in Grad WGS84",
                       fix="die Koordinaten ergänzen (OSMnx schreibt x/y)",
                       message_en="node without coordinates")
            continue
        if not (-180 <= lon[k] <= 180 and -90 <= lat[k] <= 90):
            report.add(f"Koordinaten {x}, {y} sind keine Grad WGS84", column="node",
                       value=node, expected="x (Länge) -180..180, y (Breite) -90..90",
                       fix="das Netz vor dem Speichern nach EPSG:4326 umprojizieren "
                       "(ox.project_graph(G, to_crs='EPSG:4326'))",
                       message_en="coordinates are not WGS84 degrees")
    a: list[int] = []
    b: list[int] = []
    lengths: list[float] = []
    dirs: list[int] = []
    directed = bool(g.is_directed()) and mode == "drive"
    for u, v, data in g.edges(data=True):
        hw = data.get("highway")
        if hw is not None:
            first = str(hw).strip("[]").split(",")[0].strip(" '\"")
            tags = {"highway": first, **{t: str(data[t]) for t in
                                         ("access", "foot", "bicycle", "motor_vehicle")
                                         if t in data}}
            if not usable(tags, mode)[0]:
                continue
        raw = data.get("length")
        if raw is not None:
            try:
                length = float(raw)
            except (TypeError, ValueError):
                length = -1.0
            if not np.isfinite(length) or length < 0:
                report.add("Kantenlänge ist keine Zahl ab 0", column="length",
                           value=f"{u} -> {v}: {raw}", expected="Meter, z. B. 84.5",
                           fix="die Länge korrigieren oder das Attribut weglassen (dann "
                           "zählt die Luftlinie zwischen den Knoten)",
                           message_en="edge length is not a number of at least 0")
                continue
        else:
            length = float("nan")
        a.append(index[u])
        b.append(index[v])
        lengths.append(length)
        dirs.append(1 if directed else 0)
    report.raise_if_failed()
    if not a:
        _fail(path, f"enthält keine Kanten, die {MODES[mode][1]} nutzbar sind",
              "Kanten zwischen Knoten (bei highway-Attribut: Straßen der Fortbewegungsart)",
              "ein Straßennetz mit Kanten verwenden oder eine andere Fortbewegungsart "
              "wählen", f"holds no edges usable {MODES[mode][2]}")
    ai, bi = np.asarray(a, np.intp), np.asarray(b, np.intp)
    length_arr = np.asarray(lengths, float)
    gap = np.isnan(length_arr)
    length_arr[gap] = haversine(lon[ai[gap]], lat[ai[gap]], lon[bi[gap]], lat[bi[gap]])
    return StreetNetwork(lon, lat, _graph(len(nodes), ai, bi, length_arr,
                                          np.asarray(dirs, int), directed),
                         directed, mode, str(path))


@lru_cache(maxsize=4)
def _cached(path: str, mode: str, _mtime: float, _size: int) -> StreetNetwork:
    p = Path(path)
    name = p.name.lower()
    if name.endswith(_GRAPHML_SUFFIXES):
        return read_graphml(p, mode)
    return read_osm(p, mode)


def load_network(path: Path, mode: str = "walk") -> StreetNetwork:
    """Read a street network file (see the module text), cached while it is unchanged."""
    path = Path(path)
    mode = _mode(mode)
    if not path.is_file():
        _fail(path, "Straßennetz-Datei nicht gefunden", "eine vorhandene Datei (.osm.pbf, "
              ".osm oder .graphml)", f"den Pfad prüfen ({path})",
              "street network file not found", value=str(path))
    name = path.name.lower()
    if not name.endswith(_OSM_SUFFIXES + _GRAPHML_SUFFIXES):
        _fail(path, f"unbekanntes Format '{path.suffix}' für ein Straßennetz",
              "OpenStreetMap (.osm.pbf, .pbf, .osm) oder GraphML (.graphml)",
              "die Datei als .osm.pbf (z. B. Geofabrik-Auszug) oder mit OSMnx als "
              ".graphml speichern", f"unknown street network format '{path.suffix}'")
    stat = path.stat()
    return _cached(str(path.resolve()), mode, stat.st_mtime, stat.st_size)


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
    xy = net.xy
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
        dn, dd = net.snap(np.asarray(demand_lon, float), np.asarray(demand_lat, float))
        sn, sd = net.snap(np.asarray(supply_lon, float), np.asarray(supply_lat, float))
        self.far_demand = int((dd > radius).sum())
        if len(dn) and self.far_demand == len(dn):
            raise MethodError(
                f"Keiner der {len(dn)} Nachfragepunkte liegt näher als "
                f"{format_number(radius, 0)} m am Straßennetz {Path(net.source).name}. "
                "Abhilfe: ein Straßennetz verwenden, das die Gebiete abdeckt.",
                message_en=f"None of the {len(dn)} demand points lies within "
                f"{format_number(radius, 0, 'en')} m of the street network "
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
