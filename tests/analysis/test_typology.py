"""District typology: hand-computed profiles, stable numbering, seeds, validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kekiz.analysis.typology import TYPOLOGY_METHODS, typology
from kekiz.domain.errors import MethodError

LABELS = {"arm": "Kinderarmut", "alo": "Arbeitslosigkeit", "wohn": "Wohndauer"}
LABELS_EN = {"arm": "child poverty", "alo": "unemployment", "wohn": "length of residence"}


def _six_areas() -> pd.DataFrame:
    return pd.DataFrame({
        "id": ["a", "b", "c", "d", "e", "f"],
        "arm": [10.0, 12, 30, 32, 11, 31],
        "alo": [5.0, 5, 9, 11, 6, 10],
        "wohn": [9.0, 8, 2, 1, 9, 2],
    })


@pytest.mark.parametrize("method", ["kmeans", "ward"])
def test_two_clear_types_hand_computed(method: str) -> None:
    r = typology(_six_areas(), ["arm", "alo"], 2, method=method, labels=LABELS,
                 labels_en=LABELS_EN)
    assert r.types.to_dict() == {"a": 1, "b": 1, "c": 2, "d": 2, "e": 1, "f": 2}
    assert r.sizes.to_dict() == {1: 3, 2: 3}
    # arm: mean 21, population sd sqrt(604 / 6) = 10.033278; type means 11 and 31
    # alo: mean 46 / 6, population sd sqrt(35.3333 / 6) = 2.426703; type means 16/3, 10
    np.testing.assert_allclose(r.z_centers["arm"], [-0.996683, 0.996683], atol=1e-6)
    np.testing.assert_allclose(r.z_centers["alo"], [-0.961524, 0.961524], atol=1e-6)
    np.testing.assert_allclose(r.centers.loc[1, "arm"], 11.0)
    assert r.profiles[1] == ("Typ 1 (3 Gebiete), Abweichung vom Durchschnitt in "
                             "Standardabweichungen: deutlich unter dem Durchschnitt bei "
                             "Kinderarmut (-1,0) und Arbeitslosigkeit (-1,0).")
    assert r.profiles_en[2] == ("Type 2 (3 areas), deviation from the average in standard "
                                "deviations: clearly above average in child poverty (+1.0) "
                                "and unemployment (+1.0).")
    # within-type sum of squared z deviations from the type means
    z_arm = (np.array([10, 12, 11, 30, 32, 31]) - 21) / np.sqrt(604 / 6)
    z_alo = (np.array([5, 5, 6, 9, 11, 10]) - 46 / 6) / np.sqrt(35.3333333333 / 6)
    ss = sum(((v[:3] - v[:3].mean()) ** 2).sum() + ((v[3:] - v[3:].mean()) ** 2).sum()
             for v in (z_arm, z_alo))
    assert r.inertia == pytest.approx(ss, rel=1e-6)


def test_profile_names_above_and_below_and_none() -> None:
    r = typology(_six_areas(), ["arm", "alo", "wohn"], 2, labels=LABELS)
    assert "deutlich über dem Durchschnitt bei" in r.profiles[2]
    assert r.profiles[2].endswith("deutlich unter dem Durchschnitt bei Wohndauer (-1,0).")
    quiet = typology(_six_areas(), ["arm", "alo"], 2, threshold=2.0, labels=LABELS)
    assert quiet.profiles[1] == ("Typ 1 (3 Gebiete): keine Kennzahl weicht deutlich vom "
                                 "Durchschnitt ab (±2,0 Standardabweichungen).")


def test_order_by_sets_the_type_numbers() -> None:
    r = typology(_six_areas(), ["arm", "alo", "wohn"], 2, order_by="wohn")
    # the high-poverty areas have the shorter residence, so they become type 1 now
    assert r.types.to_dict() == {"a": 2, "b": 2, "c": 1, "d": 1, "e": 2, "f": 1}


def test_kmeans_is_reproducible_and_numbered_by_first_indicator() -> None:
    rng = np.random.default_rng(42)
    frame = pd.DataFrame({"id": range(60), "x": rng.normal(size=60), "y": rng.normal(size=60),
                          "z": rng.normal(size=60)})
    first = typology(frame, ["x", "y", "z"], 4, seed=1)
    again = typology(frame, ["x", "y", "z"], 4, seed=1)
    assert first.types.equals(again.types)
    means = frame.groupby(first.types.to_numpy())["x"].mean()
    assert means.is_monotonic_increasing
    # the numbering does not depend on the row order
    shuffled = frame.sample(frac=1.0, random_state=0)
    other = typology(shuffled, ["x", "y", "z"], 4, seed=1)
    assert other.types.sort_index().equals(first.types.sort_index())


def test_ward_is_deterministic() -> None:
    rng = np.random.default_rng(8)
    frame = pd.DataFrame({"id": range(40), "x": rng.normal(size=40), "y": rng.normal(size=40)})
    a = typology(frame, ["x", "y"], 3, method="ward", seed=None)
    b = typology(frame, ["x", "y"], 3, method="ward", seed=None)
    assert a.types.equals(b.types)


def test_rows_with_missing_values_are_excluded() -> None:
    frame = _six_areas()
    frame.loc[5, "alo"] = np.nan
    r = typology(frame, ["arm", "alo"], 2)
    assert [e.id for e in r.excluded] == ["f"]
    assert r.excluded[0].reason == "fehlende Werte in alo"
    assert pd.isna(r.types["f"])
    assert r.sizes.sum() == 5


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"k": 1}, "k=1 Typen"),
    ({"k": 7}, "k=7 Typen"),
    ({"k": 2, "method": "dbscan"}, "Unbekanntes Typisierungsverfahren"),
    ({"k": 2, "order_by": "wohn"}, "order_by='wohn'"),
])
def test_invalid_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(MethodError, match=message):
        typology(_six_areas(), ["arm", "alo"], **kwargs)


def test_methods_registered() -> None:
    assert set(TYPOLOGY_METHODS) == {"kmeans", "ward"}
