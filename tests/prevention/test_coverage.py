"""Coverage: places per child and 2SFCA/E2SFCA accessibility (issue #5)."""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from kekiz.domain.directory import Directory, Service
from kekiz.domain.errors import MethodError
from kekiz.domain.offers import add_offer
from kekiz.prevention.coverage import (
    UNIT_COVERAGE_COLUMNS,
    accessibility,
    coverage_by_unit,
    fca,
    places_per_child,
    weights,
)
from kekiz.prevention.geo import to_metric

# Four demand points and two offers on a line (metres), radius 1,500 m:
#   D1 (0, 0) 100 children     S1 (500, 0)  10 places
#   D2 (1000, 0) 50 children   S2 (4000, 0)  4 places
#   D3 (5000, 0) 20 children
#   D4 (4000, 1200) 30 children
# Distances within the radius: D1-S1 500, D2-S1 500, D3-S2 1000, D4-S2 1200;
# all others are 3,000 m or more.
DXY = np.array([[0.0, 0.0], [1000.0, 0.0], [5000.0, 0.0], [4000.0, 1200.0]])
POP = np.array([100.0, 50.0, 20.0, 30.0])
SXY = np.array([[500.0, 0.0], [4000.0, 0.0]])
CAP = np.array([10.0, 4.0])


def test_2sfca_hand_computed() -> None:
    res = fca(DXY, POP, SXY, CAP, radius=1500)
    # step 1: R1 = 10 / (100 + 50) = 0.0666...; R2 = 4 / (20 + 30) = 0.08
    assert res.ratio == pytest.approx([10 / 150, 4 / 50])
    assert res.demand_in_reach == pytest.approx([150, 50])
    # step 2: A1 = A2 = R1; A3 = A4 = R2
    assert res.accessibility == pytest.approx([10 / 150, 10 / 150, 0.08, 0.08])
    assert res.pairs == 4 and res.method == "2sfca"
    # places are conserved: sum_i P_i A_i = 100/15 + 50/15 + 20*0.08 + 30*0.08 = 14
    assert float(POP @ res.accessibility) == pytest.approx(14.0)


def test_e2sfca_step_hand_computed() -> None:
    res = fca(DXY, POP, SXY, CAP, radius=1500, decay="step")
    # zones of 500 m: weight 1 up to 500, 0.68 up to 1000, 0.22 up to 1500
    # R1 = 10 / (1*100 + 1*50) = 0.0666...
    # R2 = 4 / (0.68*20 + 0.22*30) = 4 / (13.6 + 6.6) = 4 / 20.2 = 0.1980198
    r2 = 4 / 20.2
    assert res.ratio == pytest.approx([10 / 150, r2])
    # A3 = 0.68 * R2 = 0.1346535; A4 = 0.22 * R2 = 0.0435644
    assert res.accessibility == pytest.approx([10 / 150, 10 / 150, 0.68 * r2, 0.22 * r2])
    assert res.accessibility[2] == pytest.approx(0.1346535, abs=1e-7)


def test_e2sfca_gaussian_hand_computed() -> None:
    res = fca(DXY, POP, SXY, CAP, radius=1500, decay="gaussian", sigma=1000)
    g500, g1000, g1200 = (math.exp(-(d ** 2) / (2 * 1000 ** 2)) for d in (500, 1000, 1200))
    # g500 = 0.8824969, g1000 = 0.6065307, g1200 = 0.4867523
    r1 = 10 / (g500 * 100 + g500 * 50)  # = 0.0755432
    r2 = 4 / (g1000 * 20 + g1200 * 30)  # = 4 / (12.130614 + 14.602569) = 0.1496268
    assert res.ratio == pytest.approx([r1, r2])
    assert r2 == pytest.approx(0.1496268, abs=1e-7)
    assert res.accessibility == pytest.approx([g500 * r1, g500 * r1, g1000 * r2,
                                               g1200 * r2])
    dai = weights(np.array([0.0, 750.0, 1500.0, 1600.0]), 1500, "dai")
    assert dai == pytest.approx([1.0, (math.exp(-0.125) - math.exp(-0.5)) /
                                 (1 - math.exp(-0.5)), 0.0, 0.0])


def test_bad_fca_input() -> None:
    with pytest.raises(MethodError, match="Radius"):
        fca(DXY, POP, SXY, CAP, radius=0)
    with pytest.raises(MethodError, match="Gewichte"):
        fca(DXY, POP[:2], SXY, CAP, radius=100)
    with pytest.raises(MethodError, match="Distanzgewichtung"):
        fca(DXY, POP, SXY, CAP, radius=100, decay="linear")
    empty = fca(np.zeros((0, 2)), [], SXY, CAP, radius=100)
    assert empty.accessibility.shape == (0,) and (empty.ratio == 0).all()


@pytest.mark.parametrize("decay,sigma,radius", [("none", None, 1000.0),
                                                ("gaussian", 400.0, 1000.0),
                                                ("step", None, 900.0)])
def test_matches_pysal_access(decay: str, sigma: float | None, radius: float) -> None:
    import access
    from access import weights as aw

    rng = np.random.default_rng(7)
    dxy = rng.uniform(0, 5000, (200, 2))
    sxy = rng.uniform(0, 5000, (30, 2))
    pop = rng.integers(1, 100, 200).astype(float)
    cap = rng.integers(1, 20, 30).astype(float)
    dist = np.hypot(dxy[:, None, 0] - sxy[None, :, 0], dxy[:, None, 1] - sxy[None, :, 1])
    i, j = np.meshgrid(np.arange(200), np.arange(30), indexing="ij")
    cost = pd.DataFrame({"origin": i.ravel(), "dest": j.ravel(), "cost": dist.ravel()})
    fn = {"none": None, "gaussian": aw.gaussian(sigma or 1.0),
          "step": aw.step_fn({radius / 3: 1.0, 2 * radius / 3: 0.68, radius: 0.22})}[decay]
    with warnings.catch_warnings():
        # access 1.1.10 still calls set_index(inplace=True), deprecated in pandas 3.1
        warnings.filterwarnings("ignore", category=pd.errors.Pandas4Warning,
                                module=r"access(\..*)?$")
        model = access.Access(
            demand_df=pd.DataFrame({"geoid": np.arange(200), "pop": pop}),
            demand_index="geoid", demand_value="pop",
            supply_df=pd.DataFrame({"geoid": np.arange(30), "cap": cap}),
            supply_index="geoid", supply_value="cap", cost_df=cost, cost_origin="origin",
            cost_dest="dest", cost_name="cost")
        if fn is None:
            theirs = model.two_stage_fca(name="x", max_cost=radius)["x_cap"]
        else:
            theirs = model.enhanced_two_stage_fca(name="x", max_cost=radius,
                                                  weight_fn=fn)["x_cap"]
    ours = fca(dxy, pop, sxy, cap, radius=radius, decay=decay, sigma=sigma)
    expected = theirs.reindex(range(200)).fillna(0.0).to_numpy()
    assert ours.accessibility == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert (ours.accessibility > 0).sum() > 100  # a meaningful comparison


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(1, 40), st.integers(1, 8), st.floats(200, 3000), st.integers(0, 10_000))
def test_places_are_conserved(n: int, m: int, radius: float, seed: int) -> None:
    """sum_i P_i A_i equals the places of the offers that reach any demand."""
    rng = np.random.default_rng(seed)
    dxy, sxy = rng.uniform(0, 4000, (n, 2)), rng.uniform(0, 4000, (m, 2))
    pop, cap = rng.uniform(1, 50, n), rng.uniform(0, 30, m)
    res = fca(dxy, pop, sxy, cap, radius=radius, decay="step")
    served = cap[res.demand_in_reach > 0].sum()
    assert float(pop @ res.accessibility) == pytest.approx(served, rel=1e-9, abs=1e-9)


def _offers() -> pd.DataFrame:
    d = Directory()
    for key, unit, lo, hi, cap in (("Kita A", "U1", 0.0, 6.0, 50.0),
                                   ("Kita C", "U1", 1.0, 2.5, 20.0),
                                   ("Kita B", "U2", 3.0, 6.0, 30.0),
                                   ("Jugend", "U2", 10.0, 16.0, 99.0)):
        add_offer(d, Service(id=key, name=key, age_min=lo, age_max=hi, capacity=cap),
                  organization="T", lat=50.9, lon=6.9, unit_id=unit)
    return d.offers()


def test_places_per_child_hand_computed() -> None:
    children = pd.Series({"U1": 100.0, "U2": 60.0, "U3": 40.0})
    out = places_per_child(_offers(), children, age=(3.0, 5.99)).set_index("unit_id")
    # 3 to under 6: U1 Kita A (50 places; Kita C ends at 2.5), U2 Kita B (30 places)
    assert out.loc["U1", "offers"] == 1 and out.loc["U1", "capacity"] == 50
    assert out.loc["U1", "places_per_child"] == pytest.approx(50 / 100)
    assert out.loc["U1", "offers_per_1000"] == pytest.approx(1 / 100 * 1000)
    assert out.loc["U2", "places_per_child"] == pytest.approx(30 / 60)
    assert out.loc["U2", "offers_per_1000"] == pytest.approx(1 / 60 * 1000)
    assert out.loc["U3", "offers"] == 0 and out.loc["U3", "places_per_child"] == 0
    by_phase = places_per_child(_offers(), children, life_phase="0-3").set_index("unit_id")
    assert by_phase.loc["U1", "capacity"] == 70 and by_phase.loc["U2", "capacity"] == 0


def test_accessibility_on_coordinates_and_units() -> None:
    lon0, lat0 = 6.95, 50.93
    xy0 = to_metric([lon0], [lat0])[0]
    from pyproj import Transformer

    back = Transformer.from_crs(25832, 4326, always_xy=True)
    dlon, dlat = back.transform(DXY[:, 0] + xy0[0], DXY[:, 1] + xy0[1])
    slon, slat = back.transform(SXY[:, 0] + xy0[0], SXY[:, 1] + xy0[1])
    demand = pd.DataFrame({"lat": dlat, "lon": dlon, "weight": POP,
                           "unit_id": ["U1", "U1", "U2", "U2"]})
    offers = pd.DataFrame({"lat": [*slat, np.nan], "lon": [*slon, np.nan],
                           "capacity": [*CAP, 99.0]})
    dem, sup = accessibility(offers, demand, radius=1500)
    assert dem["accessibility"].to_numpy() == pytest.approx([10 / 150, 10 / 150, 0.08, 0.08])
    assert len(sup) == 2  # the offer without coordinates is left out
    res = fca(DXY, POP, SXY, CAP, radius=1500)
    by_unit = res.by_group(demand["unit_id"], POP)
    assert by_unit["U1"] == pytest.approx(10 / 150) and by_unit["U2"] == pytest.approx(0.08)
    counted, _ = accessibility(offers, demand, radius=1500, capacity=None)
    assert counted["accessibility"].to_numpy() == pytest.approx([1 / 150, 1 / 150, 1 / 50,
                                                                 1 / 50])


def test_coverage_by_unit_hand_computed() -> None:
    # two squares of 0.01 degrees; offers with 10 places in 1, 4 in 2 and 3 outside both;
    # the population file names unit 1 twice (10 + 20 = 30), unit 3 that does not exist
    # and not unit 2
    units = gpd.GeoDataFrame({"id": ["1", "2"]}, geometry=[box(6.90, 50.90, 6.91, 50.91),
                                                           box(6.91, 50.90, 6.92, 50.91)],
                             crs=4326)
    notes: list[str] = ["Koordinaten als EPSG:25832 erkannt und umgerechnet"]
    out = coverage_by_unit(np.array([50.905, 50.905, 50.95]), np.array([6.905, 6.915, 6.95]),
                           np.array([10.0, 4.0, 3.0]), units, "id",
                           pd.Series([10.0, 20.0, 5.0], index=["1", "1", "3"]), notes)
    assert list(out.columns) == UNIT_COVERAGE_COLUMNS
    rows = out.set_index("unit_id")
    assert rows.loc["1"].tolist()[:3] == [1, 10.0, 30.0]
    assert rows.loc["1", "capacity_per_child"] == pytest.approx(10 / 30)
    assert rows.loc["2", "offers"] == 1 and rows.loc["2", "capacity"] == 4.0
    assert math.isnan(rows.loc["2", "population"])
    assert math.isnan(rows.loc["2", "capacity_per_child"])
    assert out.attrs["notes"] == notes == [
        "Koordinaten als EPSG:25832 erkannt und umgerechnet",
        "1 Angebot(e) liegen in keinem Gebiet und werden nicht gezählt",
        "Bevölkerung: Schlüssel mehrfach, die Werte werden addiert: 1",
        "1 Gebiet(e) ohne Bevölkerungszahl: 2",
        "1 Schlüssel der Bevölkerungsdatei ohne Gebiet: 3"]
