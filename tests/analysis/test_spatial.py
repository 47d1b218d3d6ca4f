"""Spatial weights, Moran's I, LISA and EB-Moran against spdep (REFERENCE.md: columbus/,
spdata/ africa, nc.sids, auckland)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from kekiz.analysis.smoothing import global_eb
from kekiz.analysis.spatial import (
    NOT_SIGNIFICANT,
    SpatialWeights,
    eb_moran,
    local_moran,
    moran,
    spatial_weights,
    weights_from_neighbours,
)
from kekiz.domain.errors import MethodError


def read_gal(path: Path) -> dict[int, list[int]]:
    """A GAL neighbour file (header line, then 'id count' / 'neighbour ids' pairs)."""
    lines = path.read_text().splitlines()
    neighbours: dict[int, list[int]] = {}
    i = 1
    while i < len(lines) and lines[i].strip():
        area, count = (int(v) for v in lines[i].split()[:2])
        neighbours[area] = [int(v) for v in lines[i + 1].split()] if count else []
        i += 2
    return neighbours


def gal_weights(path: Path, n: int, transform: str = "r") -> SpatialWeights:
    """spdep-style GAL (ids = 1-based row order) as weights over rows 1..n."""
    return weights_from_neighbours(read_gal(path), ids=list(range(1, n + 1)),
                                   transform=transform)


@pytest.fixture(scope="module")
def columbus(refdata: Path) -> pd.DataFrame:
    return pd.read_csv(refdata / "columbus" / "COL.OLD.csv")


@pytest.fixture(scope="module")
def africa(refdata: Path) -> pd.DataFrame:
    return pd.read_csv(refdata / "spdata" / "afcon.csv")


@pytest.fixture(scope="module")
def sids(refdata: Path) -> pd.DataFrame:
    return pd.read_csv(refdata / "spdata" / "nc.sids.csv")


# ------------------------------------------------------------------------ global Moran's I


def test_columbus_moran_row_standardised(refdata: Path, columbus: pd.DataFrame) -> None:
    """REFERENCE.md: CRIME, COL.nb, style W: I = 0.510951264, E[I] = -0.020833333,
    Var (randomisation) = 0.008908762, z = 5.6341; Var (normality) = 0.008779831,
    z = 5.6754."""
    weights = gal_weights(refdata / "columbus" / "COL.nb.gal", 49)
    result = moran(columbus["CRIME"], weights)
    assert pytest.approx(0.510951264, abs=5e-10) == result.I
    assert result.expected == pytest.approx(-0.020833333, abs=5e-10)
    assert result.variance_randomisation == pytest.approx(0.008908762, abs=5e-10)
    assert result.z_randomisation == pytest.approx(5.6341, abs=5e-5)
    assert result.variance_normality == pytest.approx(0.008779831, abs=5e-10)
    assert result.z_normality == pytest.approx(5.6754, abs=5e-5)
    assert result.n == 49 and result.islands == []
    assert result.p_sim is None


def test_columbus_moran_binary(refdata: Path, columbus: pd.DataFrame) -> None:
    """REFERENCE.md: binary weights: I = 0.52063815, Var = 0.00759872 (randomisation)."""
    weights = gal_weights(refdata / "columbus" / "COL.nb.gal", 49, transform="b")
    result = moran(columbus["CRIME"], weights)
    assert pytest.approx(0.52063815, abs=5e-9) == result.I
    assert result.variance_randomisation == pytest.approx(0.00759872, abs=5e-9)


def test_columbus_queen_from_polygons_gives_libpysal_value(refdata: Path) -> None:
    """REFERENCE.md note: the libpysal/GeoDa Columbus queen neighbours give I = 0.500188557
    (not spdep's 0.510951264); queen contiguity built from the columbus.gpkg polygons
    reproduces it."""
    frame = gpd.read_file(refdata / "spdata" / "columbus.gpkg")
    queen = spatial_weights(frame, "queen")
    assert pytest.approx(0.500188557, abs=5e-10) == moran(frame["CRIME"].to_numpy(), queen).I
    assert queen.method == "queen" and queen.transform == "r" and queen.islands == []


def test_africa_global_moran(refdata: Path, africa: pd.DataFrame) -> None:
    """REFERENCE.md: totcon, paper.nb, style W: I = 0.41679563, Var = 0.01029358,
    z = 4.3485."""
    weights = gal_weights(refdata / "spdata" / "paper.nb.gal", 42)
    result = moran(africa["totcon"], weights)
    assert pytest.approx(0.41679563, abs=5e-9) == result.I
    assert result.variance_randomisation == pytest.approx(0.01029358, abs=5e-9)
    assert result.z_randomisation == pytest.approx(4.3485, abs=5e-5)


def test_sids_raw_rate_moran_drops_islands_from_n(refdata: Path, sids: pd.DataFrame) -> None:
    """REFERENCE.md: SID74 / BIR74 with ncCC89 binary weights, counties without neighbours
    dropped from n: I = 0.20904.  The islands are reported, not fatal."""
    weights = gal_weights(refdata / "spdata" / "ncCC89.nb.gal", 100, transform="b")
    assert weights.islands == [56, 87]
    result = moran(sids["SID74"] / sids["BIR74"], weights)
    assert pytest.approx(0.20904, abs=5e-6) == result.I
    assert result.n == 98
    assert result.expected == pytest.approx(-1 / 97)
    assert result.islands == [56, 87]
    assert "2 ohne Nachbarn: 56, 87" in weights.describe()
    assert "2 without neighbours: 56, 87" in weights.describe("en")


# ---------------------------------------------------------------------------- EB Moran


def test_sids_eb_moran(refdata: Path, sids: pd.DataFrame) -> None:
    """REFERENCE.md: empirical-Bayes Moran (Assunção-Reis, spdep EBImoran) of SID74 / BIR74,
    ncCC89 binary weights = 0.25789."""
    weights = gal_weights(refdata / "spdata" / "ncCC89.nb.gal", 100, transform="b")
    result = eb_moran(sids["SID74"], sids["BIR74"], weights)
    assert pytest.approx(0.25789, abs=5e-6) == result.I
    assert result.n == 100
    eb = global_eb(sids["SID74"], sids["BIR74"])
    assert (result.a, result.b) == (pytest.approx(eb.a), pytest.approx(eb.b))
    expected_z = (eb.raw - eb.b) / np.sqrt(eb.a + eb.b / sids["BIR74"])
    np.testing.assert_allclose(result.standardised.to_numpy(), expected_z.to_numpy())


def test_eb_moran_permutation_is_seeded(refdata: Path, sids: pd.DataFrame) -> None:
    weights = gal_weights(refdata / "spdata" / "ncCC89.nb.gal", 100, transform="b")
    first = eb_moran(sids["SID74"], sids["BIR74"], weights, permutations=199, seed=7)
    again = eb_moran(sids["SID74"], sids["BIR74"], weights, permutations=199, seed=7)
    assert first.p_sim == again.p_sim
    assert first.p_sim is not None and 1 / 200 <= first.p_sim <= 0.05


# -------------------------------------------------------------------------- local Moran


def test_africa_local_moran_spdep(refdata: Path, africa: pd.DataFrame) -> None:
    """REFERENCE.md: spdep::localmoran of totcon, paper.nb, style W:
    THE GAMBIA I = 0.37523, E = -0.024317, Var = 0.99646, Z = 0.40025;
    MALI 0.46363, -0.021841, 0.10896, 1.4708; EGYPT 6.9467, -0.29968, 4.2971, 3.4957;
    mean(I_i) = 0.4167956."""
    weights = gal_weights(refdata / "spdata" / "paper.nb.gal", 42)
    values = pd.Series(africa["totcon"].to_numpy(), index=range(1, 43))
    result = local_moran(values, weights)
    table = result.table.assign(name=africa["name"].to_numpy()).set_index("name")
    expected = {
        "THE GAMBIA": (0.37523, -0.024317, 0.99646, 0.40025),
        "MALI": (0.46363, -0.021841, 0.10896, 1.4708),
        "EGYPT": (6.9467, -0.29968, 4.2971, 3.4957),
    }
    for name, (ii, ei, vi, zi) in expected.items():
        row = table.loc[name]
        assert row["I"] == pytest.approx(ii, abs=5e-5)
        assert row["expected"] == pytest.approx(ei, abs=5e-6)
        assert row["variance"] == pytest.approx(vi, abs=5e-5)
        assert row["z"] == pytest.approx(zi, abs=5e-5)
    assert result.mean_I == pytest.approx(0.4167956, abs=5e-8)
    assert table.loc["EGYPT", "cluster"] == "HH"


def test_local_moran_total_randomisation_matches_esda(refdata: Path,
                                                      africa: pd.DataFrame) -> None:
    """conditional=False gives the total-randomisation moments (Sokal 1998 A3/A4), which
    esda.Moran_Local reports as EI and VI; esda's I_i uses n - 1 instead of n."""
    weights = gal_weights(refdata / "spdata" / "paper.nb.gal", 42)
    x = africa["totcon"].to_numpy(dtype=float)
    result = local_moran(x, weights, permutations=0, conditional=False)
    reference = esda.Moran_Local(x, weights.w, transformation="r", permutations=0)
    np.testing.assert_allclose(result.table["I"], reference.Is * 42 / 41, rtol=1e-10)
    np.testing.assert_allclose(result.table["expected"], reference.EI, rtol=1e-10)
    np.testing.assert_allclose(result.table["variance"], reference.VI, rtol=1e-10)


def test_lisa_permutations_are_seeded(refdata: Path, africa: pd.DataFrame) -> None:
    weights = gal_weights(refdata / "spdata" / "paper.nb.gal", 42)
    first = local_moran(africa["totcon"], weights, seed=1)
    again = local_moran(africa["totcon"], weights, seed=1)
    other = local_moran(africa["totcon"], weights, seed=2)
    pd.testing.assert_frame_equal(first.table, again.table)
    assert not np.array_equal(first.table["p_sim"], other.table["p_sim"])
    assert first.permutations == 999 and first.seed == 1
    p = first.table["p_sim"]
    assert ((p >= 1 / 1000) & (p <= 0.5 + 1e-12)).all()


def test_lisa_fdr_is_stricter(refdata: Path, africa: pd.DataFrame) -> None:
    weights = gal_weights(refdata / "spdata" / "paper.nb.gal", 42)
    plain = local_moran(africa["totcon"], weights)
    fdr = local_moran(africa["totcon"], weights, fdr=True)
    assert (fdr.table["p_fdr"] >= fdr.table["p_sim"] - 1e-15).all()
    significant_fdr = fdr.table["cluster"] != NOT_SIGNIFICANT
    significant = plain.table["cluster"] != NOT_SIGNIFICANT
    assert not (significant_fdr & ~significant).any()
    assert plain.table["p_fdr"].isna().all()
    # Benjamini-Hochberg by hand for the smallest p-value
    p = fdr.table["p_sim"].to_numpy()
    order = np.argsort(p)
    by_hand = min(p[order[k]] * len(p) / (k + 1) for k in range(len(p)))
    assert fdr.table["p_fdr"].min() == pytest.approx(min(by_hand, 1.0))


def test_lisa_clusters_by_quadrant() -> None:
    """A 3 x 3 grid with a hot corner: the corner cells sit in HH, the opposite in LL."""
    cells = [box(c, r, c + 1, r + 1) for r in range(3) for c in range(3)]
    frame = gpd.GeoDataFrame({"v": [9, 8, 1, 8, 7, 1, 1, 1, 0]}, geometry=cells)
    weights = spatial_weights(frame, "rook")
    result = local_moran(frame["v"].to_numpy(), weights, permutations=99, alpha=0.5)
    assert result.table.loc[0, "quadrant"] == "HH"
    assert result.table.loc[8, "quadrant"] == "LL"
    assert set(result.table["cluster"]) <= {"HH", "LL", "HL", "LH", NOT_SIGNIFICANT}
    assert result.counts().index.tolist() == ["HH", "LL", "HL", "LH", NOT_SIGNIFICANT]


def test_lisa_with_islands_does_not_crash(refdata: Path, sids: pd.DataFrame) -> None:
    weights = gal_weights(refdata / "spdata" / "ncCC89.nb.gal", 100)
    result = local_moran(sids["SID74"] / sids["BIR74"], weights, permutations=99)
    islands = result.table.loc[[56, 87]]
    assert islands["island"].all()
    assert islands["p_sim"].isna().all() and islands["z"].isna().all()
    assert (islands["I"] == 0).all()
    assert (islands["cluster"] == NOT_SIGNIFICANT).all()
    assert result.islands == [56, 87]
    assert result.table["p_sim"].drop([56, 87]).notna().all()


# ------------------------------------------------------------------------------- weights


def test_auckland_queen_equals_spdata_neighbours(refdata: Path) -> None:
    """Queen contiguity from auckland.gpkg reproduces spData's auckland.nb (167 areas)."""
    frame = gpd.read_file(refdata / "spdata" / "auckland.gpkg")
    queen = spatial_weights(frame, "queen", transform="b")
    reference = read_gal(refdata / "spdata" / "auckland.nb.gal")
    for area in range(1, 168):
        assert set(queen.w.neighbors[area - 1]) == {j - 1 for j in reference[area]}
    assert queen.islands == [] and queen.transform == "b"


def test_rook_row_standardised_grid() -> None:
    cells = [box(c, r, c + 1, r + 1) for r in range(3) for c in range(3)]
    frame = gpd.GeoDataFrame({"key": list("abcdefghi")}, geometry=cells, crs="EPSG:25832")
    rook = spatial_weights(frame, "rook", id_column="key")
    queen = spatial_weights(frame, "queen", id_column="key")
    assert sorted(rook.w.neighbors["e"]) == ["b", "d", "f", "h"]
    assert len(queen.w.neighbors["e"]) == 8
    assert rook.w.weights["a"] == [0.5, 0.5]
    np.testing.assert_allclose(np.asarray(rook.matrix.sum(axis=1)).ravel(), 1.0)
    assert rook.neighbour_counts["a"] == 2


def test_distance_band_in_metric_crs_with_islands() -> None:
    """Points given in EPSG:4326 near Dortmund are measured in EPSG:25832 (metres):
    A-B 500 m, A-C 900 m, B-C 1030 m, D 20 km away.  At a 1 km band A has B and C, B and C
    only A, D is an island; at 800 m C becomes an island too."""
    metric = gpd.GeoSeries([Point(392000, 5708000), Point(392500, 5708000),
                            Point(392000, 5708900), Point(412000, 5708000)],
                           crs="EPSG:25832")
    frame = gpd.GeoDataFrame({"name": list("ABCD")}, geometry=metric.to_crs("EPSG:4326"))
    band = spatial_weights(frame, "distance", threshold=1000, id_column="name")
    assert sorted(band.w.neighbors["A"]) == ["B", "C"]
    assert band.w.neighbors["B"] == ["A"] and band.w.neighbors["C"] == ["A"]
    assert band.islands == ["D"]
    assert band.w.weights["A"] == [0.5, 0.5]
    assert band.crs == "EPSG:25832" and band.threshold == 1000
    narrow = spatial_weights(frame, "distance", threshold=800, id_column="name",
                             transform="b")
    assert narrow.w.neighbors["A"] == ["B"]
    assert narrow.islands == ["C", "D"]


def test_values_align_by_index(refdata: Path, columbus: pd.DataFrame) -> None:
    weights = gal_weights(refdata / "columbus" / "COL.nb.gal", 49)
    values = pd.Series(columbus["CRIME"].to_numpy(), index=range(1, 50))
    shuffled = values.sample(frac=1.0, random_state=3)
    assert pytest.approx(moran(values, weights).I, rel=1e-12) == moran(shuffled, weights).I


def test_global_moran_permutation_seeded(refdata: Path, columbus: pd.DataFrame) -> None:
    weights = gal_weights(refdata / "columbus" / "COL.nb.gal", 49)
    first = moran(columbus["CRIME"], weights, permutations=999, seed=11)
    again = moran(columbus["CRIME"], weights, permutations=999, seed=11)
    assert first.p_sim == again.p_sim == pytest.approx(0.001)
    two_sided = moran(columbus["CRIME"], weights, alternative="two-sided")
    assert two_sided.p_randomisation == pytest.approx(2 * first.p_randomisation)


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda w: spatial_weights(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)] * 3), "knn"),
         "Unbekannte Nachbarschaft"),
        (lambda w: spatial_weights(gpd.GeoDataFrame(geometry=[Point(0, 0), Point(1, 1)]),
                                   "queen"), "braucht Flächen"),
        (lambda w: spatial_weights(gpd.GeoDataFrame(geometry=[Point(0, 0), Point(1, 1)]),
                                   "distance", threshold=5), "kein Koordinatenbezugssystem"),
        (lambda w: spatial_weights(gpd.GeoDataFrame(geometry=[Point(0, 0), Point(1, 1)],
                                                    crs="EPSG:25832"), "distance"),
         "Abstandsband"),
        (lambda w: moran([1.0, 2.0, np.nan, 4.0, 5.0], w), "fehlende"),
        (lambda w: moran([3.0] * 5, w), "in allen Gebieten gleich"),
        (lambda w: moran([1.0, 2.0, 3.0], w), "3 Werte, aber 5 Gebiete"),
        (lambda w: moran(pd.Series([1.0, 2, 3, 4, 5], index=list("vwxyz")), w),
         "passen nicht zu den Gewichten"),
        (lambda w: moran([1.0, 2, 3, 4, 5], w, alternative="both"), "Alternativhypothese"),
        (lambda w: local_moran([1.0, 2, 3, 4, 5], w, alpha=5), "Signifikanzniveau"),
        (lambda w: local_moran([1.0, 2, 3, 4, 5], w, permutations=-1), "Permutationen"),
        (lambda w: weights_from_neighbours({1: [9]}), "unbekannte Nachbarn"),
        (lambda w: weights_from_neighbours({1: [2], 2: [1]}, transform="x"),
         "Unbekannte Gewichtung"),
        (lambda w: moran([1.0, 2, 3, 4, 5], "queen"), "Räumliche Gewichte erwartet"),
    ],
)
def test_errors_say_what_was_expected(call: Any, fragment: str) -> None:
    ring = weights_from_neighbours({i: [(i - 1) % 5, (i + 1) % 5] for i in range(5)})
    with pytest.raises(MethodError) as info:
        call(ring)
    assert fragment in info.value.message
    assert info.value.message_en and info.value.message_en != info.value.message


# ----------------------------------------------------------------------------- invariants


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=9, max_size=9),
       scale=st.floats(0.01, 100), shift=st.floats(-1e3, 1e3))
def test_moran_invariant_under_positive_affine_maps(values: list[float], scale: float,
                                                    shift: float) -> None:
    x = np.array(values)
    if np.ptp(x) < 1e-3:
        return
    cells = [box(c, r, c + 1, r + 1) for r in range(3) for c in range(3)]
    weights = spatial_weights(gpd.GeoDataFrame(geometry=cells), "queen")
    base = moran(x, weights)
    moved = moran(scale * x + shift, weights)
    assert pytest.approx(base.I, rel=1e-6, abs=1e-9) == moved.I
    local = local_moran(x, weights, permutations=0)
    # mean of the spdep-scaled local I equals the global I for row-standardised weights
    assert local.mean_I == pytest.approx(base.I, rel=1e-9, abs=1e-12)
    assert -1.0 - 1e-9 <= base.I <= 1.0 + 1e-9
