"""Sites for new offers: p-median (OR-Library optima), covering, what-if (issue #5)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kekiz.domain.errors import MethodError
from kekiz.prevention.siting import (
    Change,
    choose_sites,
    greedy_interchange,
    max_covering,
    need_weights,
    p_median,
    read_orlib_pmed,
    what_if,
)

# Beasley (1985), OR-Library; pmed6-10 have 200 nodes (pmed6 takes about 20 s)
OPTIMA = {1: 5819, 2: 4093, 3: 4250, 4: 3034, 5: 1355,
          6: 7824, 7: 5631, 8: 4445, 9: 2734, 10: 1255}
P = {1: 5, 2: 10, 3: 10, 4: 20, 5: 33, 6: 5, 7: 10, 8: 20, 9: 40, 10: 67}


@pytest.mark.parametrize("k", [*range(1, 6), *(pytest.param(k, marks=pytest.mark.slow)
                                              for k in range(6, 11))])
def test_orlib_pmed_reaches_the_published_optimum(refdata: Path, k: int,
                                                  record_property: pytest.RecordProperty
                                                  ) -> None:
    dist, p = read_orlib_pmed(refdata / "orlib_pmed" / f"pmed{k}.txt")
    assert dist.shape == ((100, 100) if k <= 5 else (200, 200)) and p == P[k]
    start = time.perf_counter()
    res = p_median(dist, p, method="mip")
    seconds = time.perf_counter() - start
    record_property("seconds", round(seconds, 2))
    print(f"pmed{k}: p={p} objective={res.objective:.0f} MIP {res.seconds:.2f} s, "
          f"greedy+interchange {res.heuristic:.0f}")
    assert res.optimal and res.objective == OPTIMA[k] and res.bound == OPTIMA[k]
    assert len(res.chosen) == p
    assert res.heuristic is not None and res.heuristic >= OPTIMA[k]
    assert res.assignment is not None and set(res.assignment) <= set(res.chosen)


def test_orlib_reader_later_edge_overrides(tmp_path: Path) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text(" 3 3 1\n 1 2 5\n 2 3 1\n 2 1 2\n")  # edge 1-2 given twice: 2 wins
    dist, p = read_orlib_pmed(path)
    assert p == 1
    assert dist.tolist() == [[0, 2, 3], [2, 0, 1], [3, 1, 0]]
    res = p_median(dist, p)
    assert res.chosen == [1] and res.objective == 3  # node 2 (0-based 1): 2 + 0 + 1


# points on a line: 0, 1, 2, 10, 11; the last one counts twice
LINE = np.array([0.0, 1.0, 2.0, 10.0, 11.0])
DIST = np.abs(LINE[:, None] - LINE[None, :])
W = np.array([1.0, 1.0, 1.0, 1.0, 2.0])


def test_p_median_hand_computed() -> None:
    # sites 1 and 11: |0-1| + 0 + |2-1| + |10-11|*1 + 0 = 3 (site 10 instead: 2 + 2 = 4)
    res = p_median(DIST, 2, W)
    assert res.chosen == [1, 4] and res.objective == 3 and res.optimal
    heur = greedy_interchange(DIST, 2, W)
    assert heur.chosen == [1, 4] and heur.objective == 3
    # the site at 0 exists already: one new site, at 11; 0 + 1 + 2 + 1 + 0 = 4
    fixed = p_median(DIST, 1, W, fixed=[0])
    assert fixed.chosen == [0, 4] and fixed.objective == 4
    with pytest.raises(MethodError):
        p_median(DIST, 6)


def test_max_covering_hand_computed() -> None:
    pos = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 20.0])
    dist = np.abs(pos[:, None] - pos[None, :])
    w = np.array([1.0, 1.0, 2.0, 5.0, 5.0, 3.0])
    one = max_covering(dist, 1, 1.5, w)
    assert one.objective == 10 and one.chosen[0] in (3, 4)  # 10 or 11 covers 5 + 5
    two = max_covering(dist, 2, 1.5, w)
    # + the site at 1 covers 0, 1, 2: 1 + 1 + 2 = 4 (more than 20's 3)
    assert two.objective == 14 and 1 in two.chosen and two.optimal
    assert two.covered is not None and two.covered.tolist() == [True] * 5 + [False]
    fixed = max_covering(dist, 1, 1.5, w, fixed=[5])
    assert fixed.objective == 13 and 5 in fixed.chosen


def test_need_weights() -> None:
    assert need_weights([10, 10, 10], [0.0, 5.0, 10.0]).tolist() == [10, 15, 20]
    assert need_weights([10, 20], [3.0, 3.0]).tolist() == [10, 20]


def test_choose_sites_on_coordinates() -> None:
    demand = pd.DataFrame({"lat": [50.90, 50.90, 50.95], "lon": [6.90, 6.91, 6.95],
                           "weight": [100.0, 100.0, 10.0]})
    candidates = pd.DataFrame({"id": ["west", "mitte", "nord"],
                               "lat": [50.90, 50.90, 50.95], "lon": [6.89, 6.905, 6.95]})
    res = choose_sites(demand, candidates, 1)
    assert res.ids == ["mitte"]
    existing = pd.DataFrame({"lat": [50.90], "lon": [6.905]})
    res = choose_sites(demand, candidates, 1, existing=existing, objective="covering",
                       radius=500)
    assert res.ids == ["nord"] and res.objective == 210


def _scenario() -> tuple[pd.DataFrame, pd.DataFrame]:
    demand = pd.DataFrame({"lat": [50.90, 50.90, 50.95], "lon": [6.90, 6.91, 6.95],
                           "weight": [100.0, 50.0, 20.0], "unit_id": ["U1", "U1", "U2"]})
    offers = pd.DataFrame({"offer_id": ["S1", "S2"], "name": ["S1", "S2"],
                           "lat": [50.90, 50.9505], "lon": [6.905, 6.95],
                           "capacity": [10.0, 4.0], "status": ["active", "active"]})
    return demand, offers


def test_what_if_add_move_remove() -> None:
    demand, offers = _scenario()
    res = what_if(offers, demand, [Change("remove", "S2"),
                                   Change("add", lat=50.9503, lon=6.95, capacity=8.0,
                                          name="Neu"),
                                   Change("move", "S1", lat=50.90, lon=6.89)], radius=1000)
    # before: S1 (10 places) serves D1 and D2 (150 children): 1/15 each;
    #         S2 (4 places) serves D3 (20 children): 0.2
    assert res.demand["accessibility_before"].tolist() == pytest.approx([1 / 15, 1 / 15, 0.2])
    # after: S1 moved 700 m west of D1 (1,400 m from D2): 10/100 and 0;
    #        the new offer (8 places) serves D3 alone: 8/20
    assert res.demand["accessibility_after"].tolist() == pytest.approx([0.1, 0.0, 0.4])
    by_unit = res.by_unit.set_index("unit_id")
    assert by_unit.loc["U2", "before"] == pytest.approx(0.2)
    assert by_unit.loc["U2", "change"] == pytest.approx(0.2)
    assert by_unit.loc["U1", "after"] == pytest.approx(10 / 150)
    assert res.offers["offer_id"].iloc[0] == "S1" and len(res.offers) == 2
    assert res.summary_de[1] == ("Kinder ohne erreichbares Angebot: 0,0 % vorher, 29,4 % "
                                 "nachher.")
    assert res.summary_en[2] == "Largest change in U2: +0.200."
    with pytest.raises(MethodError, match="nicht gefunden"):
        what_if(offers, demand, [Change("remove", "S9")], radius=1000)
