"""Reach of the state network (issue #7)."""

from __future__ import annotations

import json
import os
from datetime import date

import pandas as pd
import pytest

from kekiz.domain.errors import MethodError
from kekiz.domain.model import Member
from kekiz.network.reach import ChildCounts, active_members, compute_reach, estimate_children
from tests.inprocess import run_kekiz

UNITS = pd.DataFrame({
    "id": ["K1", "K2", "G11", "G12", "G21"],
    "name": ["Kreis 1", "Kreis 2", "Stadt 11", "Stadt 12", "Stadt 21"],
    "level": ["kreis", "kreis", "gemeinde", "gemeinde", "gemeinde"],
    "parent_id": [None, None, "K1", "K1", "K2"],
})
CHILDREN = ChildCounts(kreis=pd.Series({"K1": 600.0, "K2": 400.0}),
                       gemeinde=pd.Series({"G11": 100.0, "G12": 500.0, "G21": 400.0}),
                       source_de="Test", source_en="test", year="2022", estimated=False)


def test_town_inside_member_kreis_counts_once() -> None:
    members = [Member("K1", "Kreis 1", "p", date(2017, 1, 1)),
               Member("G11", "Stadt 11", "p", date(2012, 1, 1)),
               Member("G21", "Stadt 21", "p", date(2012, 1, 1))]
    r2012 = compute_reach(members, UNITS, CHILDREN, 2012, 18)
    assert r2012.children_in_members == 500 and r2012.share == pytest.approx(0.5)
    r2017 = compute_reach(members, UNITS, CHILDREN, 2017, 18)
    # K1 (600) + G21 (400); G11 lies inside member K1 and is not counted again
    assert r2017.children_in_members == 1000 and r2017.share == pytest.approx(1.0)
    g11 = next(m for m in r2017.members if m["unit_id"] == "G11")
    assert g11["counted"] is False and "einmal gezählt" in g11["note"]


def test_active_members_respects_leave_dates() -> None:
    m = [Member("K1", "", "p", date(2012, 3, 1), left=date(2015, 6, 30))]
    assert active_members(m, 2011) == [] and active_members(m, 2015) == m
    assert active_members(m, 2016) == []
    with pytest.raises(MethodError, match="keine Mitglieder"):
        compute_reach(m, UNITS, CHILDREN, 2020, 18)


def test_estimate_children_hand_computed() -> None:
    kreis, gem = estimate_children(
        pop_kreis=pd.Series({"K1": 1000.0}), u6_kreis=pd.Series({"K1": 5.0}),
        u6_18_kreis=pd.Series({"K1": 10.0}), pop_gem=pd.Series({"G11": 200.0}),
        u6_gem=pd.Series({"G11": 8.0}), gem_parent=pd.Series({"G11": "K1"}), age_max=18)
    assert kreis["K1"] == pytest.approx(150.0)  # 1000 * 15 %
    assert gem["G11"] == pytest.approx(200 * 0.08 * 3)  # u6 share x (15/5)
    with pytest.raises(MethodError, match="einwohner_u12"):
        estimate_children(pd.Series(dtype=float), pd.Series(dtype=float),
                          pd.Series(dtype=float), pd.Series(dtype=float),
                          pd.Series(dtype=float), pd.Series(dtype=str), 12)


@pytest.fixture(scope="module")
def demo_url(demo_module_url: str) -> str:
    return demo_module_url


def _reach(url: str, year: int) -> dict:  # type: ignore[type-arg]
    done = run_kekiz(["network", "reach", "--year", str(year), "--json"],
                     env={**os.environ, "KEKIZ_STORE": url})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_bundled_data_reach_2017_and_2012(demo_url: str) -> None:
    r17 = _reach(demo_url, 2017)
    assert {"year", "share", "children_in_members", "children_total", "members"} <= set(r17)
    assert 0.55 <= r17["share"] <= 0.62  # the programme stated about 60 %
    assert len(r17["members"]) == 40
    assert "VG250" in r17["population_source"] and r17["population_year"] == "2022"
    gladbeck = next(m for m in r17["members"] if m["unit_id"] == "05562014")
    assert gladbeck["counted"] is False  # inside member Kreis Recklinghausen since 2017
    r12 = _reach(demo_url, 2012)
    assert len(r12["members"]) == 18
    assert r12["share"] == pytest.approx(0.28, abs=0.02)
    assert next(m for m in r12["members"] if m["unit_id"] == "05562014")["counted"] is True
    assert r12["children_total"] == r17["children_total"]


def test_reach_total_is_the_sum_of_kreise(demo_url: str) -> None:
    r = _reach(demo_url, 2017)
    counted = sum(m["children"] for m in r["members"] if m["counted"])
    assert counted == pytest.approx(r["children_in_members"], abs=len(r["members"]))

