"""Composite indices: Berlin MSS known-answer test, hand-computed composites, type-9
quantiles (hand values and the published GISD quintiles), validation."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kekiz.analysis.indices import (
    INDEX_METHODS,
    IndicatorSpec,
    compute_index,
    mss_dynamics_class,
    mss_status_class,
    quantile_classes,
    quantile_type9,
    zscore,
)
from kekiz.domain.errors import MethodError

MSS_DIR = "data/berlin_mss_2013_2019"


def _mss_frame(shared_dir: Path, year: int) -> pd.DataFrame:
    folder = shared_dir / MSS_DIR / f"berlin-lor-monitoring-social-urban-development-{year}-00"
    path = folder / f"berlin-lor-monitoring-social-urban-development-{year}-00-planning-areas.csv"
    if not path.exists():
        pytest.skip(f"{path} not found")
    return pd.read_csv(path, dtype={"id": str})


def _share_columns(frame: pd.DataFrame, prefix: str) -> list[str]:
    return [c for c in frame.columns if c[0] == prefix and c[1].isdigit() and c[2] == "_"]


# -- Berlin MSS known-answer test ------------------------------------------------------------
@pytest.mark.parametrize("year", [2013, 2015, 2017, 2019])
def test_mss_reproduces_published_berlin_classes(shared_dir: Path, year: int) -> None:
    frame = _mss_frame(shared_dir, year)
    status, dynamics = _share_columns(frame, "s"), _share_columns(frame, "d")
    # 2013-2017: four shares (s1..s4); 2019: three (no long-term unemployment).
    assert len(status) == len(dynamics) == (3 if year == 2019 else 4)
    result = compute_index("mss", frame, status=status, dynamics=dynamics,
                           population_col="inhabitants")
    table = result.table
    assert result.excluded == ()  # the published file holds only areas >= 300 inhabitants
    status_rate = float((table["status_class"].to_numpy() == frame["status_index"]).mean())
    dyn_published = frame["dynamic_index"].map({"+": 1, "+/-": 2, "-": 3})
    dyn_rate = float((table["dynamics_class"].to_numpy() == dyn_published.to_numpy()).mean())
    assert status_rate >= 0.99, f"{year}: status classes match {status_rate:.2%}"
    assert dyn_rate >= 0.99, f"{year}: dynamics classes match {dyn_rate:.2%}"
    # labels and the 12-cell class use the published wording
    assert (table["status_label"].to_numpy() == frame["status_index_class"]).mean() >= 0.99
    assert (table["dynamics_label"].to_numpy() == frame["dynamic_index_class"]).mean() >= 0.99
    assert (table["combined_class"].to_numpy() == frame["status_dynamic_index"]).mean() >= 0.99
    assert (table["combined_label"].to_numpy()
            == frame["status_dynamic_index_class"]).mean() >= 0.99


@pytest.mark.parametrize("year", [2013, 2019])
def test_mss_z_scores_match_published_with_population_sd(shared_dir: Path, year: int) -> None:
    frame = _mss_frame(shared_dir, year)
    status = _share_columns(frame, "s")
    result = compute_index("mss", frame, status=status, population_col="inhabitants")
    for col in status:
        published = frame[f"z_{col}"].to_numpy(dtype=float)
        ours = result.components[col].to_numpy()
        # published to 5 decimals; ddof=1 would be off by ~0.1% of z (up to ~4e-3)
        np.testing.assert_allclose(ours, published, atol=2e-5)


def test_mss_hand_computed_with_exclusions() -> None:
    frame = pd.DataFrame({
        "id": ["a", "b", "c", "d", "small", "named"],
        "ew": [1000, 2000, 1500, 800, 250, 5000],
        "s1": [1.0, 2.0, 3.0, 4.0, 90.0, 70.0],
        "s2": [2.0, 2.0, 4.0, 4.0, 80.0, 60.0],
        "d1": [0.5, -0.5, 0.0, 0.0, 9.0, 9.0],
    })
    result = compute_index("mss", frame, status=["s1", "s2"], dynamics=["d1"],
                           population_col="ew", exclude_ids={"named": "Gewerbegebiet"})
    # s1 z: (x - 2.5) / sqrt(1.25); s2 z: (x - 3) / 1; sums +-2.341641, +-1.447214;
    # their population sd sqrt((2.341641^2 + 1.447214^2) / 2) = 1.946498
    expected = np.array([-2.341641, -1.447214, 1.447214, 2.341641]) / 1.946498
    t = result.table
    np.testing.assert_allclose(t.loc[["a", "b", "c", "d"], "status_index"], expected, atol=1e-6)
    assert t.loc[["a", "b", "c", "d"], "status_class"].tolist() == [1, 2, 2, 3]
    assert t.loc["d", "status_label"] == "niedrig"
    assert t.loc["d", "status_label_en"] == "low"
    # d1 = [0.5, -0.5, 0, 0]: z = [1.414214, -1.414214, 0, 0] -> negativ, positiv, stabil
    assert t.loc[["a", "b", "c", "d"], "dynamics_class"].tolist() == [3, 1, 2, 2]
    assert t.loc["a", "combined_class"] == "1-"
    assert t.loc["a", "combined_label"] == "Status hoch, Dynamik negativ"
    assert t.loc["b", "combined_label_en"] == "status medium, dynamics positive"
    assert result.excluded_ids == ["small", "named"]
    reasons = {e.id: (e.reason, e.reason_en) for e in result.excluded}
    assert reasons["small"] == ("weniger als 300 Einwohner (250)",
                                "fewer than 300 inhabitants (250)")
    assert reasons["named"][0] == "ausdrücklich ausgeschlossen: Gewerbegebiet"
    assert math.isnan(t.loc["small", "index"]) and not t.loc["small", "included"]
    assert t.loc["small", "excluded_reason"] == "weniger als 300 Einwohner (250)"


def test_mss_class_boundaries() -> None:
    x = pd.Series([-1.0000001, -1.0, 1.0, 1.0000001, 1.5, 1.5000001, math.nan])
    assert mss_status_class(x).tolist() == [1, 2, 2, 3, 3, 4, pd.NA]
    d = pd.Series([-1.0000001, -1.0, 1.0, 1.0000001])
    assert mss_dynamics_class(d).tolist() == [1, 2, 2, 3]


def test_mss_polarity_flips_a_share_where_higher_is_better() -> None:
    frame = pd.DataFrame({"id": list("abcd"), "bad": [1.0, 2, 3, 4], "good": [4.0, 3, 2, 1]})
    both = compute_index("mss", frame, status={"bad": "higher_is_worse",
                                               "good": "higher_is_better"})
    single = compute_index("mss", frame, status=["bad"])
    np.testing.assert_allclose(both.index, single.index)


# -- domain composites -----------------------------------------------------------------------
def _three_units() -> tuple[pd.DataFrame, list[IndicatorSpec]]:
    frame = pd.DataFrame({"id": ["a", "b", "c"], "x1": [1.0, 2.0, 3.0],
                          "x2": [10.0, 30.0, 20.0], "x3": [5.0, 5.0, 8.0]})
    specs = [IndicatorSpec("x1", "higher_is_worse", 1.0, "A"),
             IndicatorSpec("x2", "higher_is_better", 3.0, "A"),
             IndicatorSpec("x3", "higher_is_worse", 1.0, "B")]
    return frame, specs


def test_weighted_z_composite_hand_computed() -> None:
    frame, specs = _three_units()
    result = compute_index("weighted_z", frame, indicators=specs,
                           domain_weights={"A": 1, "B": 3})
    # z(x1) = [-1.224745, 0, 1.224745]; z(-x2) = [1.224745, -1.224745, 0];
    # z(x3) = [-0.707107, -0.707107, 1.414214]; A = (z1 + 3 z2) / 4; index = (A + 3 B) / 4
    np.testing.assert_allclose(result.domains["A"], [0.612372, -0.918559, 0.306186], atol=1e-6)
    np.testing.assert_allclose(result.index, [-0.377237, -0.759970, 1.137207], atol=1e-6)
    assert result.table["rank"].tolist() == [2, 3, 1]
    flipped = compute_index("weighted_z", frame, indicators=specs,
                            domain_weights={"A": 1, "B": 3}, higher_is="better")
    np.testing.assert_allclose(flipped.index, -result.index)


def test_minmax_composite_hand_computed() -> None:
    frame, specs = _three_units()
    result = compute_index("minmax", frame, indicators=specs, domain_weights={"A": 1, "B": 3})
    # x1 -> [0, .5, 1]; -x2 -> [1, 0, .5]; x3 -> [0, 0, 1]; A = [.75, .125, .625]
    np.testing.assert_allclose(result.domains["A"], [0.75, 0.125, 0.625])
    np.testing.assert_allclose(result.index, [0.1875, 0.03125, 0.90625])


def test_rank_composite_hand_computed() -> None:
    frame, specs = _three_units()
    result = compute_index("rank", frame, indicators=specs, domain_weights={"A": 1, "B": 3})
    # percent ranks: x1 [0, .5, 1]; -x2 [1, 0, .5]; x3 ties -> [.25, .25, 1]
    np.testing.assert_allclose(result.components["x3"], [0.25, 0.25, 1.0])
    np.testing.assert_allclose(result.index, [0.375, 0.21875, 0.90625])


def test_weighted_z_is_a_linear_transform_of_the_mss_status_index() -> None:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"id": range(30), **{f"s{i}": rng.gamma(2, 3, 30) for i in range(3)}})
    cols = ["s0", "s1", "s2"]
    mss = compute_index("mss", frame, status=cols)
    wz = compute_index("weighted_z", frame, indicators=cols)
    np.testing.assert_allclose(zscore(wz.index), mss.index, atol=1e-12)


def test_pca_composite_hand_computed() -> None:
    frame = pd.DataFrame({"id": list("abcd"), "x1": [1.0, 2, 3, 4], "x2": [2.0, 1, 4, 3],
                          "x3": [4.0, 3, 2, 1]})
    specs = [IndicatorSpec("x1", domain="A"), IndicatorSpec("x2", domain="A"),
             IndicatorSpec("x3", "higher_is_better", domain="B")]
    result = compute_index("pca", frame, indicators=specs, n_classes=2)
    # corr(x1, x2) = 0.6 -> eigenvalue 1.6, eigenvector (1, 1)/sqrt(2), loadings sqrt(0.8)
    lo = result.loadings
    assert lo is not None
    np.testing.assert_allclose(lo.loc[lo["domain"] == "A", "loading"], [0.894427, 0.894427],
                               atol=1e-6)
    np.testing.assert_allclose(lo.loc[lo["domain"] == "A", "explained"], [0.8, 0.8])
    np.testing.assert_allclose(lo.loc[lo["domain"] == "A", "eigenvalue"], [1.6, 1.6])
    # A: z1 + z2 = [-1.79, -1.79, 1.79, 1.79] -> [0, 0, 1, 1]; B: -x3 -> [0, 1/3, 2/3, 1]
    np.testing.assert_allclose(result.domains["A"], [0, 0, 1, 1], atol=1e-12)
    np.testing.assert_allclose(result.index, [0, 1 / 6, 5 / 6, 1], atol=1e-12)
    # type-9 median of the index = 0.5 -> classes 1, 1, 2, 2
    assert result.classes is not None
    assert result.classes.tolist() == [1, 1, 2, 2]


def test_pca_sign_follows_polarity() -> None:
    rng = np.random.default_rng(3)
    base = rng.normal(size=40)
    frame = pd.DataFrame({"id": range(40), "a": base + rng.normal(0, .3, 40),
                          "b": base + rng.normal(0, .3, 40), "c": -base + rng.normal(0, .3, 40)})
    worse = compute_index("pca", frame, indicators={"a": "higher_is_worse",
                                                    "b": "higher_is_worse",
                                                    "c": "higher_is_better"})
    better = compute_index("pca", frame, indicators={"a": "higher_is_better",
                                                     "b": "higher_is_better",
                                                     "c": "higher_is_worse"})
    assert np.corrcoef(worse.index, frame["a"])[0, 1] > 0.9
    np.testing.assert_allclose(better.index, 1 - worse.index, atol=1e-12)
    assert worse.loadings is not None and (worse.loadings["loading"] > 0).all()


# -- type-9 quantiles --------------------------------------------------------------------------
def test_quantile_type9_hand_computed() -> None:
    # R: quantile(c(2, 4, 7, 11, 16), c(.05, .25, .5, .75, .9, 0, 1), type = 9)
    # position n p + p/4 + 3/8: 0.6375 -> x1; 1.6875 -> 2 + .6875 * 2; 3 -> x3;
    # 4.3125 -> 11 + .3125 * 5; 5.1 -> x5
    got = quantile_type9([16, 2, 11, 4, 7], [0.05, 0.25, 0.5, 0.75, 0.9, 0, 1])
    np.testing.assert_allclose(got, [2, 3.375, 7, 12.5625, 16, 2, 16])
    # 1:10 -> n p + p/4 + 3/8 exactly
    np.testing.assert_allclose(quantile_type9(range(1, 11), [0.2, 0.4, 0.6, 0.8]),
                               [2.425, 4.475, 6.525, 8.575])


def test_quantile_type9_agrees_with_numpy_normal_unbiased() -> None:
    x = np.random.default_rng(11).normal(size=37)
    p = np.linspace(0, 1, 21)
    np.testing.assert_allclose(quantile_type9(x, p),
                               np.quantile(x, p, method="normal_unbiased"), atol=1e-12)


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=60),
       st.lists(st.floats(0, 1), min_size=1, max_size=10))
def test_quantile_type9_property_matches_numpy(values: list[float], probs: list[float]) -> None:
    np.testing.assert_allclose(quantile_type9(values, probs),
                               np.quantile(values, probs, method="normal_unbiased"),
                               rtol=1e-9, atol=1e-6)


@given(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=50), st.integers(2, 10))
def test_quantile_classes_are_monotone(values: list[float], n: int) -> None:
    series = pd.Series(values)
    classes = quantile_classes(series, n)
    ordered = classes[series.sort_values(kind="stable").index].to_numpy(dtype=int)
    assert (np.diff(ordered) >= 0).all() and ordered.min() >= 1 and ordered.max() <= n


def test_quantile_classes_hand_computed() -> None:
    values = pd.Series([float(v) for v in range(1, 11)] + [math.nan])
    assert quantile_classes(values, 5).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, pd.NA]


def test_quantile_classes_reproduce_published_gisd_quintiles(shared_dir: Path) -> None:
    path = shared_dir / "data/gisd_rki/Bund/GISD_Bund_Kreis.csv"
    if not path.exists():
        pytest.skip(f"{path} not found")
    gisd = pd.read_csv(path, dtype={"kreis_id": str})
    for _, year in gisd.groupby("year"):
        score = year["gisd_score"].reset_index(drop=True)
        assert (quantile_classes(score, 5).to_numpy() == year["gisd_5"].to_numpy()).all()
        assert (quantile_classes(score, 10).to_numpy() == year["gisd_10"].to_numpy()).all()


# -- registry and validation -------------------------------------------------------------------
def test_methods_are_registered_by_name() -> None:
    assert set(INDEX_METHODS) == {"mss", "weighted_z", "minmax", "rank", "pca"}
    with pytest.raises(MethodError, match="Unbekanntes Indexverfahren 'gisd'"):
        compute_index("gisd", pd.DataFrame())


@pytest.mark.parametrize(("frame", "params", "german", "english"), [
    (pd.DataFrame({"id": [1, 2], "a": [1.0, 2.0]}), {"indicators": ["b"]},
     r"Spalte\(n\) \['b'\] fehlen", "missing"),
    (pd.DataFrame({"id": [1, 2], "a": ["12,5", "3,0"]}), {"indicators": ["a"]},
     "Spalte 'a' ist nicht numerisch", "not numeric"),
    (pd.DataFrame({"id": [1, 1], "a": [1.0, 2.0]}), {"indicators": ["a"]},
     "Gebietsschlüssel mehrfach vorhanden", "Duplicate area keys"),
    (pd.DataFrame({"id": [1, 2], "a": [1.0, 2.0]}), {"indicators": {"a": "up"}},
     "Unbekannte Polarität", "Unknown polarity"),
    (pd.DataFrame({"id": [1, 2, 3], "a": [1.0, 1.0, 1.0]}), {"indicators": ["a"]},
     "keine Streuung", "does not vary"),
    (pd.DataFrame({"id": [1, 2, 3], "a": [1.0, 2.0, 3.0]}),
     {"indicators": ["a"], "exclude_ids": [9]}, "kommen in den Daten nicht vor", "not in the"),
    (pd.DataFrame({"id": [1, 2, 3], "a": [1.0, 2.0, 3.0], "ew": [100, 200, 5000]}),
     {"indicators": ["a"], "population_col": "ew", "min_population": 300},
     "Nur 1 Gebiet", "Only 1 area"),
])
def test_invalid_input_is_rejected_with_both_languages(frame: pd.DataFrame, params: dict,
                                                       german: str, english: str) -> None:
    with pytest.raises(MethodError, match=german) as info:
        compute_index("weighted_z", frame, **params)
    assert english in info.value.message_en
    assert info.value.status == 422


def test_rows_with_missing_values_are_excluded_and_reported() -> None:
    frame = pd.DataFrame({"id": ["a", "b", "c", "d"], "x": [1.0, 2.0, None, 4.0]})
    result = compute_index("minmax", frame, indicators=["x"])
    assert result.excluded_ids == ["c"]
    assert result.excluded[0].reason == "fehlende Werte in x"
    np.testing.assert_allclose(result.index.dropna(), [0, 1 / 3, 1])
