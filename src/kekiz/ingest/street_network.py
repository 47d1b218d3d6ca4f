"""Reading street networks: OpenStreetMap (``.osm.pbf``/``.pbf``/``.osm``) and GraphML.

:func:`load_network` reads an OpenStreetMap file (with pyosmium: ways with a ``highway``
tag usable in the chosen mode, node coordinates from the file, edge length by the
haversine formula) or a GraphML file (networkx; node coordinates ``x``/``y`` or
``lon``/``lat`` in WGS84 as written by OSMnx, edge ``length`` in metres or else the
haversine length) into a :class:`~kekiz.domain.street_network.StreetNetwork`, and keeps
it while the file is unchanged.  Which ways a mode may use is :func:`usable`: ``walk``
(no motorways or trunk roads, one-way streets both ways), ``bike`` (no motorways, trunk
roads or steps; footways only where ``bicycle`` allows it) and ``drive`` (roads for cars,
``oneway`` respected).  Distances on the network are
:mod:`kekiz.prevention.network_distance`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd
from scipy import sparse

from kekiz.domain.errors import ImportFailed, ValidationReport
from kekiz.domain.extras import require
from kekiz.domain.street_network import MODES, StreetNetwork, street_mode

__all__ = ["EARTH_RADIUS_M", "haversine", "load_network", "read_graphml", "read_osm",
           "usable"]

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
EARTH_RADIUS_M = 6_371_008.8


def haversine(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> np.ndarray:
    """Great-circle distance in metres (mean earth radius 6,371,008.8 m)."""
    p1, p2 = np.radians(np.asarray(lat1, float)), np.radians(np.asarray(lat2, float))
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, float) - np.asarray(lon1, float))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def _count(n: int) -> str:
    """A count as German text (``12.345``)."""
    return f"{n:,}".replace(",", ".")


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


def _fail(path: Path, message: str, expected: str, fix: str, message_en: str,
          value: Any = None) -> NoReturn:
    report = ValidationReport(path.name)
    report.add(message, expected=expected, fix=fix, message_en=message_en, value=value)
    raise ImportFailed(report)


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


def read_osm(path: Path, mode: str = "walk") -> StreetNetwork:
    """The ways of an OSM file usable in ``mode`` (see :func:`usable`) as a graph."""
    osmium = require("network")

    mode = street_mode(mode)
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
        net.notes.append(f"{_count(missing)} Wegknoten ohne Koordinaten in "
                         f"{path.name} (Auszug unvollständig); diese Abschnitte fehlen")
    return net


def read_graphml(path: Path, mode: str = "walk") -> StreetNetwork:
    """A GraphML street network (networkx): node ``x``/``y`` or ``lon``/``lat`` (WGS84),
    edge ``length`` in metres (else haversine); a ``highway`` edge attribute is filtered
    by ``mode``; directed graphs keep their direction only for ``drive``."""
    import xml.etree.ElementTree as ET

    import networkx as nx

    mode = street_mode(mode)
    try:
        g = nx.read_graphml(path)
    except (ET.ParseError, nx.NetworkXError, OSError, ValueError, KeyError) as exc:
        _fail(path, f"keine lesbare GraphML-Datei ({exc})",
              "GraphML (XML) mit Knoten (Attribute x/y oder lon/lat in WGS84) und Kanten "
              "(Attribut length in Metern)", "die Datei z. B. mit OSMnx "
              "(ox.save_graphml) oder networkx.write_graphml schreiben",
              f"not a readable GraphML file ({exc})")
    report = ValidationReport(path.name)
    lon, lat = _graphml_nodes(g, report)
    directed = bool(g.is_directed()) and mode == "drive"
    a, b, length, dirs = _graphml_edges(g, mode, directed, report)
    report.raise_if_failed()
    if not len(a):
        _fail(path, f"enthält keine Kanten, die {MODES[mode][1]} nutzbar sind",
              "Kanten zwischen Knoten (bei highway-Attribut: Straßen der Fortbewegungsart)",
              "ein Straßennetz mit Kanten verwenden oder eine andere Fortbewegungsart "
              "wählen", f"holds no edges usable {MODES[mode][2]}")
    gap = np.isnan(length)
    length[gap] = haversine(lon[a[gap]], lat[a[gap]], lon[b[gap]], lat[b[gap]])
    return StreetNetwork(lon, lat, _graph(len(lon), a, b, length, dirs, directed),
                         directed, mode, str(path))


def _graphml_nodes(g: Any, report: ValidationReport) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of the nodes in the graph's order; nodes without WGS84 coordinates go to
    ``report``."""
    lon = np.full(g.number_of_nodes(), np.nan)
    lat = np.full(g.number_of_nodes(), np.nan)
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
    return lon, lat


def _graphml_edges(g: Any, mode: str, directed: bool, report: ValidationReport
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(from, to, length in metres or NaN, direction) of the edges usable in ``mode``;
    lengths that are no number of at least 0 go to ``report``."""
    index = {n: k for k, n in enumerate(g.nodes)}
    a: list[int] = []
    b: list[int] = []
    lengths: list[float] = []
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
        length = float("nan")
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
        a.append(index[u])
        b.append(index[v])
        lengths.append(length)
    dirs = np.full(len(a), 1 if directed else 0, int)
    return (np.asarray(a, np.intp), np.asarray(b, np.intp), np.asarray(lengths, float),
            dirs)


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
    mode = street_mode(mode)
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
