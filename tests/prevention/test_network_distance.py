"""Network distance for 2SFCA (issue #5): hand-made OSM (.pbf, written with pyosmium)
and GraphML street networks where the way differs from the straight line, 2SFCA
hand-computed on them, modes, one-way streets, and bad network files."""

from __future__ import annotations

import math
import re
from pathlib import Path

import networkx as nx
import numpy as np
import osmium
import osmium.osm.mutable as mut
import pandas as pd
import pytest

from kekiz.domain.errors import ImportFailed, MethodError
from kekiz.ingest.street_network import load_network, read_osm, usable
from kekiz.prevention.coverage import accessibility
from kekiz.prevention.network_distance import NetworkDistance, snap
from kekiz.prevention.siting import Change

R = 6_371_008.8  # mean earth radius (m) of the haversine lengths
LAT0, LON0 = 50.95, 6.95
DLAT, DLON, SOUTH = 0.009, 0.0071, 0.0027


def north(dlat: float) -> float:
    """Length of a meridian arc of ``dlat`` degrees."""
    return R * math.radians(dlat)


def east(lat: float, dlon: float) -> float:
    """Haversine length of ``dlon`` degrees along the parallel ``lat``."""
    return 2 * R * math.asin(math.cos(math.radians(lat)) * math.sin(math.radians(dlon) / 2))


# A street network in Köln-like coordinates (metres rounded):
#
#   n2 (S2) ---- ~500 ---- n3 (D2)         residential street n1-n2-n3-n4 (a "U" around
#    |                      |              a river between n1 and n4)
#  1,001                  1,001
#    |                      |
#   n1 (D1)   river    n4 (S1)              straight line D1-S1: ~500 m
#    |                      |
#   300                    300             footway n1-n5-n6-n4 (a footbridge further
#    |                      |              south): walkable, not drivable
#   n5 ------ ~500 ------- n6
NODES = {1: (LON0, LAT0), 2: (LON0, LAT0 + DLAT), 3: (LON0 + DLON, LAT0 + DLAT),
         4: (LON0 + DLON, LAT0), 5: (LON0, LAT0 - SOUTH), 6: (LON0 + DLON, LAT0 - SOUTH)}
STREET = north(DLAT) + east(LAT0 + DLAT, DLON) + north(DLAT)  # D1 -> S1 by car
FOOTWAY = north(SOUTH) + east(LAT0 - SOUTH, DLON) + north(SOUTH)  # D1 -> S1 on foot
DEMAND = pd.DataFrame({"lat": [LAT0, LAT0 + DLAT], "lon": [LON0, LON0 + DLON],
                       "weight": [100.0, 50.0], "unit_id": ["U1", "U2"]})
OFFERS = pd.DataFrame({"lat": [LAT0, LAT0 + DLAT], "lon": [LON0 + DLON, LON0],
                       "capacity": [10.0, 30.0]})


def write_pbf(path: Path, nodes: dict[int, tuple[float, float]],
              ways: list[tuple[int, list[int], dict[str, str]]]) -> Path:
    writer = osmium.SimpleWriter(str(path))
    try:
        for nid, (lon, lat) in nodes.items():
            writer.add_node(mut.Node(id=nid, location=(lon, lat)))
        for wid, refs, tags in ways:
            writer.add_way(mut.Way(id=wid, nodes=refs, tags=tags))
    finally:
        writer.close()
    return path


@pytest.fixture
def pbf(tmp_path: Path) -> Path:
    return write_pbf(tmp_path / "koeln-test.osm.pbf", NODES, [
        (10, [1, 2, 3, 4], {"highway": "residential", "name": "Ringstraße"}),
        (11, [1, 5, 6, 4], {"highway": "footway", "bridge": "yes"}),
        (12, [5, 6], {"highway": "construction"})])


def test_hand_made_lengths() -> None:
    # the hand values the tests below rely on
    assert north(DLAT) == pytest.approx(1000.75, abs=0.01)
    assert round(STREET, 1) == 2498.8
    assert round(FOOTWAY, 1) == 1097.9


def test_pbf_graph_and_network_distances(pbf: Path) -> None:
    walk, drive = read_osm(pbf, "walk"), read_osm(pbf, "drive")
    assert (walk.nodes, walk.edges) == (6, 6)
    assert (drive.nodes, drive.edges) == (4, 6)  # 3 street edges, both ways
    assert drive.directed and not walk.directed
    dist = NetworkDistance(drive)
    i, j, d = dist.pairs(DEMAND["lon"].to_numpy(), DEMAND["lat"].to_numpy(),
                         OFFERS["lon"].to_numpy(), OFFERS["lat"].to_numpy(), 3000.0)
    got = {(int(a), int(b)): float(x) for a, b, x in zip(i, j, d, strict=True)}
    assert got == pytest.approx({(0, 0): STREET, (0, 1): north(DLAT),
                                 (1, 0): north(DLAT), (1, 1): east(LAT0 + DLAT, DLON)})
    i, j, d = NetworkDistance(walk).pairs(DEMAND["lon"].to_numpy(), DEMAND["lat"].to_numpy(),
                                          OFFERS["lon"].to_numpy(), OFFERS["lat"].to_numpy(),
                                          3000.0)
    got = {(int(a), int(b)): float(x) for a, b, x in zip(i, j, d, strict=True)}
    assert got[(0, 0)] == pytest.approx(FOOTWAY)
    # the radius cuts: only pairs within 1,050 m
    i, j, d = dist.pairs(DEMAND["lon"].to_numpy(), DEMAND["lat"].to_numpy(),
                         OFFERS["lon"].to_numpy(), OFFERS["lat"].to_numpy(), 1050.0)
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 1), (1, 0), (1, 1)]


def test_2sfca_over_the_network_hand_computed(pbf: Path) -> None:
    # straight line (radius 1,500 m): D1 reaches S1 (~500 m) and S2 (1,001 m), D2 reaches
    # S1 (1,001 m) and S2 (~500 m): R1 = 10 / 150, R2 = 30 / 150, A1 = A2 = 40 / 150
    straight, _ = accessibility(OFFERS, DEMAND, radius=1500)
    assert straight["accessibility"].tolist() == pytest.approx([40 / 150, 40 / 150])
    # by car the river is in the way: D1 -> S1 is 2,500 m, out of reach; so
    # R1 = 10 / 50 = 0.2 (D2 only), R2 = 30 / 150 = 0.2; A1 = R2 = 0.2, A2 = R1 + R2 = 0.4
    car, sup = accessibility(OFFERS, DEMAND, radius=1500,
                             distance=NetworkDistance(load_network(pbf, "drive")))
    assert car["accessibility"].tolist() == pytest.approx([0.2, 0.4])
    assert sup["demand_in_reach"].tolist() == pytest.approx([50.0, 150.0])
    # on foot the footbridge (1,100 m) brings S1 back in reach: as the straight line
    foot, _ = accessibility(OFFERS, DEMAND, radius=1500,
                            distance=NetworkDistance(load_network(pbf, "walk")))
    assert foot["accessibility"].tolist() == pytest.approx([40 / 150, 40 / 150])
    # with the footbridge but a radius of 1,050 m: D1 -> S1 (1,100 m) is out again
    foot, _ = accessibility(OFFERS, DEMAND, radius=1050,
                            distance=NetworkDistance(load_network(pbf, "walk")))
    assert foot["accessibility"].tolist() == pytest.approx([0.2, 0.4])


def test_snapping_adds_the_straight_line_to_the_node(pbf: Path) -> None:
    # a demand point 0.0002 degrees (22.2 m) north of n1: it joins the network at n1
    net = load_network(pbf, "drive")
    i, j, d = NetworkDistance(net).pairs(np.array([LON0]), np.array([LAT0 + 0.0002]),
                                         np.array([LON0]), np.array([LAT0 + DLAT]), 1500.0)
    assert (i.tolist(), j.tolist()) == ([0], [0])
    assert d[0] == pytest.approx(north(0.0002) + north(DLAT), abs=0.05)


def _graphml(path: Path, directed: bool = False) -> Path:
    """Three nodes a, b, c; a-b 300 m and b-c 400 m (given lengths), no a-c edge; with
    ``directed`` only a -> b and b -> c."""
    g: nx.Graph = nx.MultiDiGraph() if directed else nx.Graph()
    g.add_node("a", x=LON0, y=LAT0)
    g.add_node("b", x=LON0 + 0.004, y=LAT0)
    g.add_node("c", x=LON0 + 0.004, y=LAT0 + 0.003)
    g.add_edge("a", "b", length=300.0, highway="residential")
    g.add_edge("b", "c", length=400.0, highway="residential")
    nx.write_graphml(g, path)
    return path


def test_graphml_network_2sfca_hand_computed(tmp_path: Path) -> None:
    path = _graphml(tmp_path / "netz.graphml")
    net = load_network(path, "walk")
    assert (net.nodes, net.edges) == (3, 2)
    demand = pd.DataFrame({"lat": [LAT0, LAT0 + 0.003], "lon": [LON0, LON0 + 0.004],
                           "weight": [60.0, 20.0]})
    offers = pd.DataFrame({"lat": [LAT0 + 0.003], "lon": [LON0 + 0.004],
                           "capacity": [8.0]})
    dist = NetworkDistance(net)
    i, _j, d = dist.pairs(demand["lon"].to_numpy(), demand["lat"].to_numpy(),
                          offers["lon"].to_numpy(), offers["lat"].to_numpy(), 1000.0)
    # a -> c over b: 300 + 400 = 700 m (straight line about 440 m); c -> c: 0
    assert dict(zip(i.tolist(), d.tolist(), strict=True)) == pytest.approx({0: 700.0,
                                                                           1: 0.0})
    # radius 1,000 m: both reach the offer, R = 8 / 80 = 0.1 for both;
    # radius 600 m: a is out by the network (but in by the straight line): R = 8 / 20
    res, _ = accessibility(offers, demand, radius=1000, distance=dist)
    assert res["accessibility"].tolist() == pytest.approx([0.1, 0.1])
    res, _ = accessibility(offers, demand, radius=600, distance=dist)
    assert res["accessibility"].tolist() == pytest.approx([0.0, 0.4])
    straight, _ = accessibility(offers, demand, radius=600)
    assert straight["accessibility"].tolist() == pytest.approx([0.1, 0.1])


def test_one_way_edges_only_by_car(tmp_path: Path) -> None:
    path = _graphml(tmp_path / "einbahn.graphml", directed=True)
    c_lon, c_lat = np.array([LON0 + 0.004]), np.array([LAT0 + 0.003])
    a_lon, a_lat = np.array([LON0]), np.array([LAT0])
    car = NetworkDistance(load_network(path, "drive"))
    # from a to c along the one-way edges: 700 m; from c back to a: no way by car
    assert car.pairs(a_lon, a_lat, c_lon, c_lat, 1000)[2].tolist() == pytest.approx([700])
    assert car.pairs(c_lon, c_lat, a_lon, a_lat, 1000)[2].tolist() == []
    # starting at the offers (fewer nodes) walks the reversed graph: same answer
    two = car.pairs(np.r_[a_lon, LON0 + 0.004], np.r_[a_lat, LAT0], c_lon, c_lat, 1000)
    assert sorted(two[2].tolist()) == pytest.approx([400.0, 700.0])
    foot = NetworkDistance(load_network(path, "walk"))
    assert foot.pairs(c_lon, c_lat, a_lon, a_lat, 1000)[2].tolist() == pytest.approx([700])


@pytest.mark.parametrize(("tags", "mode", "expected"), [
    ({"highway": "motorway"}, "walk", (False, 0)),
    ({"highway": "motorway", "oneway": "yes"}, "drive", (True, 1)),
    ({"highway": "residential", "oneway": "-1"}, "drive", (True, -1)),
    ({"highway": "residential", "oneway": "yes"}, "walk", (True, 0)),
    ({"highway": "primary", "junction": "roundabout"}, "drive", (True, 1)),
    ({"highway": "footway"}, "drive", (False, 0)),
    ({"highway": "footway"}, "bike", (False, 0)),
    ({"highway": "footway", "bicycle": "yes"}, "bike", (True, 0)),
    ({"highway": "steps"}, "bike", (False, 0)),
    ({"highway": "service", "access": "private"}, "walk", (False, 0)),
    ({"highway": "service", "access": "no", "foot": "yes"}, "walk", (True, 0)),
    ({"highway": "track", "foot": "no"}, "walk", (False, 0)),
    ({"highway": "construction"}, "walk", (False, 0)),
])
def test_ways_usable_by_mode(tags: dict[str, str], mode: str,
                             expected: tuple[bool, int]) -> None:
    assert usable(tags, mode) == expected


def test_bad_network_files_name_file_expectation_and_fix(tmp_path: Path) -> None:
    def problem(path: Path, mode: str = "walk") -> str:
        with pytest.raises(ImportFailed) as exc:
            load_network(path, mode)
        text = exc.value.message
        assert path.name in text and "Erwartet:" in text and "Abhilfe:" in text
        return text

    assert "Straßennetz-Datei nicht gefunden" in problem(tmp_path / "fehlt.osm.pbf")
    (tmp_path / "netz.txt").write_text("x", encoding="utf-8")
    assert "unbekanntes Format '.txt'" in problem(tmp_path / "netz.txt")
    broken = tmp_path / "kaputt.osm.pbf"
    broken.write_bytes(b"\x00\x01 keine OSM-Daten " * 20)
    assert "keine lesbare OSM-Datei" in problem(broken)
    no_streets = write_pbf(tmp_path / "ohne.osm.pbf", NODES,
                           [(20, [1, 2], {"waterway": "river"}),
                            (21, [2, 3], {"highway": "footway"})])
    text = problem(no_streets, "drive")
    assert "keine Straßen, die mit dem Auto nutzbar sind" in text
    bad_xml = tmp_path / "kaputt.graphml"
    bad_xml.write_text("<graphml><graph><node id='a'>", encoding="utf-8")
    assert "keine lesbare GraphML-Datei" in problem(bad_xml)
    g = nx.Graph()
    g.add_node("a", x=LON0, y=LAT0)
    g.add_node("ohne")
    g.add_node("utm", x=356000.0, y=5645000.0)
    g.add_edge("a", "ohne", length=-5.0)
    g.add_edge("a", "utm", length="weit")
    nx.write_graphml(g, tmp_path / "fehler.graphml")
    text = problem(tmp_path / "fehler.graphml")
    assert "Spalte 'node': 'ohne' Knoten ohne Koordinaten" in text
    assert "keine Grad WGS84" in text and "EPSG:4326" in text
    assert "Kantenlänge ist keine Zahl ab 0" in text and "'a -> ohne: -5.0'" in text
    assert "'a -> utm: weit'" in text
    with pytest.raises(MethodError, match="Unbekannte Fortbewegungsart 'fliegen'"):
        load_network(no_streets, "fliegen")


def test_network_far_from_the_demand_is_an_error(pbf: Path) -> None:
    dist = NetworkDistance(load_network(pbf, "walk"))
    with pytest.raises(MethodError, match=re.escape(
            "Keiner der 1 Nachfragepunkte liegt näher als 1.500 m am Straßennetz "
            "koeln-test.osm.pbf")):
        dist.pairs(np.array([13.4]), np.array([52.5]), OFFERS["lon"].to_numpy(),
                   OFFERS["lat"].to_numpy(), 1500.0)


# -- through the facade and the CLI, on the small store of test_what_if -----------------

def _store_network(path: Path) -> Path:
    """Streets around the Kitas of ``test_what_if._store``: Kita A lies at U1's inner
    point P1, Kita B 0.001 degrees north of it but only reachable over a detour of about
    2.9 km; Kita C 0.001 degrees east of U2's inner point P2 on a short street; a long
    road joins both parts."""
    from tests.prevention.test_what_if import P1, P2

    nodes = {1: (P1.x, P1.y), 2: (P1.x, P1.y + 0.001), 3: (P1.x - 0.02, P1.y),
             4: (P1.x - 0.02, P1.y + 0.001), 5: (P2.x, P2.y), 6: (P2.x + 0.001, P2.y)}
    return write_pbf(path, nodes, [(1, [1, 3, 4, 2], {"highway": "residential"}),
                                   (2, [5, 6], {"highway": "living_street"}),
                                   (3, [1, 5], {"highway": "secondary"})])


def test_coverage_and_what_if_over_the_network(tmp_path: Path) -> None:
    from kekiz.app import Kekiz
    from kekiz.settings import load_settings
    from tests.prevention.test_what_if import U1, U2, _store

    store = _store(tmp_path)
    net = _store_network(tmp_path / "netz.osm.pbf")
    try:
        m = Kekiz(load_settings({"store": store.url}), store)
        # straight line: U1 reaches A and B (15 places / 100 children), U2 reaches C
        # (4 / 50); over the network B is 2.9 km away: U1 has A only, 10 / 100
        cmp = m.chain.compare_access(net, "walk", demand="units", radius=1500)
        t = cmp.table.set_index("unit_id")
        assert t.loc[U1, "accessibility_straight"] == pytest.approx(0.15)
        assert t.loc[U1, "accessibility_network"] == pytest.approx(0.10)
        assert t.loc[U2, "accessibility_network"] == pytest.approx(0.08)
        assert t.loc[U1, "change"] == pytest.approx(-0.05)
        assert cmp.meta["distance"] == "network" and cmp.meta["mode"] == "walk"
        assert cmp.meta["supply_label_de"] == ("Erreichbarkeit (2SFCA, Plätze je Kind "
                                               "innerhalb von 1,5 km zu Fuß im "
                                               "Straßennetz)")
        assert cmp.meta["network_nodes"] == 6
        cov = m.chain.coverage(demand="units", network=net)
        assert any("an den nächsten Knoten angebunden" in n for n in cov.notes)
        # what-if over the network: closing A leaves U1 without a Kita in reach
        res = m.chain.what_if([Change("remove", "Kita A")], demand="units", network=net)
        r = res.table.set_index("unit_id")
        assert r.loc[U1, "accessibility_before"] == pytest.approx(0.10)
        assert r.loc[U1, "accessibility_after"] == 0.0
        assert res.meta["children_without_after"] == 100
        with pytest.raises(ImportFailed, match="nicht gefunden"):
            m.chain.coverage(demand="units", network=tmp_path / "fehlt.osm.pbf")
    finally:
        store.dispose()


def test_cli_access_with_a_network(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from kekiz.cli import main as cli
    from tests.prevention.test_what_if import U1, _store

    store = _store(tmp_path)
    url = store.url
    store.dispose()
    net = _store_network(tmp_path / "netz.osm.pbf")
    try:
        done = CliRunner().invoke(cli.app, ["--store", url, "chain", "access", "--network",
                                            str(net), "--demand", "units", "--json"])
        assert done.exit_code == 0, done.output
        units = {u["unit_id"]: u for u in json.loads(done.output)["units"]}
        assert units[U1]["accessibility_network"] == pytest.approx(0.10)
        done = CliRunner().invoke(cli.app, ["--store", url, "chain", "coverage", "--network",
                                            str(net), "--mode", "drive", "--demand",
                                            "units"])
        assert done.exit_code == 0, done.output
        assert "mit dem Auto im Straßennetz" in done.output
        bad = CliRunner().invoke(cli.app, ["--store", url, "chain", "access", "--network",
                                           str(net), "--mode", "fliegen"])
        assert isinstance(bad.exception, MethodError)
        bad = CliRunner().invoke(cli.app, ["chain", "coverage", "--offers", str(net),
                                           "--network", str(net)])
        assert "--network gilt für die Erreichbarkeit" in str(bad.exception)
    finally:
        pass


def test_points_join_the_largest_connected_part(tmp_path: Path) -> None:
    # an isolated street (7-8) 0.001 degrees east of n4: a point on it joins n4 instead,
    # 0.001 degrees along the parallel away, and the note says why
    nodes = {**NODES, 7: (LON0 + DLON + 0.001, LAT0), 8: (LON0 + DLON + 0.001, LAT0 + 0.001)}
    path = write_pbf(tmp_path / "inseln.osm.pbf", nodes, [
        (10, [1, 2, 3, 4], {"highway": "residential"}),
        (13, [7, 8], {"highway": "residential"})])
    net = load_network(path, "drive")
    node, metres = snap(net, np.array([LON0 + DLON + 0.001]), np.array([LAT0]))
    assert (net.lon[node[0]], net.lat[node[0]]) == pytest.approx((LON0 + DLON, LAT0), abs=1e-7)
    # snapping measures in EPSG:25832 (GRS80 ellipsoid): east-west about 0.3 % longer here
    # than on the haversine sphere
    assert metres[0] == pytest.approx(east(LAT0, 0.001) * 1.003, rel=1e-3)
    assert net.notes == ["2 Knoten liegen in vom übrigen Netz getrennten Teilen; an sie "
                         "wird nicht angebunden"]


def test_the_network_is_indexed_once_while_the_file_is_unchanged(tmp_path: Path) -> None:
    # the network of an unchanged file is the same object (read once), and its node index
    # is built once: a second run over it neither rebuilds nor repeats the note
    nodes = {**NODES, 7: (LON0 + DLON + 0.001, LAT0), 8: (LON0 + DLON + 0.001, LAT0 + 0.001)}
    path = write_pbf(tmp_path / "inseln.osm.pbf", nodes, [
        (10, [1, 2, 3, 4], {"highway": "residential"}),
        (13, [7, 8], {"highway": "residential"})])
    first = NetworkDistance(load_network(path, "walk"))
    first.pairs(DEMAND["lon"].to_numpy(), DEMAND["lat"].to_numpy(),
                OFFERS["lon"].to_numpy(), OFFERS["lat"].to_numpy(), 3000.0)
    again = NetworkDistance(load_network(path, "walk"))
    assert again.network is first.network
    i, j, d = again.pairs(DEMAND["lon"].to_numpy(), DEMAND["lat"].to_numpy(),
                          OFFERS["lon"].to_numpy(), OFFERS["lat"].to_numpy(), 3000.0)
    assert again.network.notes == ["2 Knoten liegen in vom übrigen Netz getrennten Teilen; "
                                   "an sie wird nicht angebunden"]
    # D1 -> S1 along the residential street (the footway is not in this file)
    k = int(np.flatnonzero((i == 0) & (j == 0))[0])
    assert d[k] == pytest.approx(STREET, rel=1e-9)
