"""Map classification: hand-computed breaks, classes and German legend labels."""

from __future__ import annotations

import math
import warnings

import mapclassify
import numpy as np
import pandas as pd
import pytest

from kekiz.analysis.classify import CLASSIFIERS, classify
from kekiz.domain.errors import MethodError
from kekiz.i18n import fmt_number

ZERO_TO_TWELVE = [0, 1.5, 3, 4.5, 6, 7.5, 9, 10.5, 12]


def test_methods_are_registered() -> None:
    assert {"quantiles", "fisher_jenks", "natural_breaks", "equal_interval", "std_mean",
            "manual"} <= set(CLASSIFIERS)


def test_format_number_german_and_english() -> None:
    assert fmt_number(1234.5) == "1.234,5"
    assert fmt_number(1234567.891, 2) == "1.234.567,89"
    assert fmt_number(2.25) == "2,3"  # half up, not half even
    assert fmt_number(-1.25) == "-1,3"
    assert fmt_number(-0.04) == "0,0"  # never "-0,0"
    assert fmt_number(1234.5, 1, "en") == "1,234.5"
    assert fmt_number(1.5, 1, sign=True) == "+1,5"
    assert fmt_number(3, 0) == "3"
    assert fmt_number(math.nan) == "–"


def test_equal_interval_left_closed_labels() -> None:
    c = classify(ZERO_TO_TWELVE, "equal_interval", k=4)
    # width 12 / 4 = 3: breaks 3, 6, 9; a value on a break goes up ("bis unter")
    assert c.breaks == (3.0, 6.0, 9.0)
    assert c.bins == (3.0, 6.0, 9.0, 12.0)
    assert c.classes.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 4]
    assert c.labels == ("0,0 bis unter 3,0", "3,0 bis unter 6,0", "6,0 bis unter 9,0",
                        "9,0 bis 12,0")
    assert c.labels_en == ("0.0 to under 3.0", "3.0 to under 6.0", "6.0 to under 9.0",
                           "9.0 to 12.0")
    assert c.counts == (2, 2, 2, 3)


def test_equal_interval_right_closed_labels() -> None:
    c = classify(ZERO_TO_TWELVE, "equal_interval", k=4, closed="right")
    assert c.classes.tolist() == [1, 1, 1, 2, 2, 3, 3, 4, 4]
    assert c.labels == ("0,0 bis 3,0", "über 3,0 bis 6,0", "über 6,0 bis 9,0",
                        "über 9,0 bis 12,0")


def test_manual_breaks_with_open_ends() -> None:
    c = classify(pd.Series([0.5, 1.5, 2.99, 3.0, 10.0]), "manual", breaks=[1.5, 3.0, 4.5])
    assert c.classes.tolist() == [1, 2, 2, 3, 4]
    assert c.labels == ("unter 1,5", "1,5 bis unter 3,0", "3,0 bis unter 4,5", "4,5 und mehr")
    assert c.labels_en == ("under 1.5", "1.5 to under 3.0", "3.0 to under 4.5",
                           "4.5 and more")
    assert c.counts == (1, 2, 1, 1)


def test_quantiles_both_closures_keep_mapclassify_classes() -> None:
    values = [float(v) for v in range(1, 11)]
    right = classify(values, "quantiles", k=5, closed="right")
    # linear percentiles of 1..10: 2.8, 4.6, 6.4, 8.2
    np.testing.assert_allclose(right.breaks, [2.8, 4.6, 6.4, 8.2])
    assert right.labels[:2] == ("1,0 bis 2,8", "über 2,8 bis 4,6")
    left = classify(values, "quantiles", k=5)
    assert left.breaks == (3.0, 5.0, 7.0, 9.0)  # smallest value of each upper class
    assert left.labels == ("1,0 bis unter 3,0", "3,0 bis unter 5,0", "5,0 bis unter 7,0",
                           "7,0 bis unter 9,0", "9,0 bis 10,0")
    expected = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert left.classes.tolist() == right.classes.tolist() == expected
    assert (mapclassify.Quantiles(np.array(values), k=5).yb + 1).tolist() == expected


def test_fisher_jenks_hand_computed_groups() -> None:
    values = [1.0, 2, 3, 10, 11, 12, 30, 31]
    c = classify(values, "fisher_jenks", k=3)
    assert c.classes.tolist() == [1, 1, 1, 2, 2, 2, 3, 3]
    assert c.breaks == (10.0, 30.0)
    assert c.labels == ("1,0 bis unter 10,0", "10,0 bis unter 30,0", "30,0 bis 31,0")
    r = classify(values, "natural_breaks", k=3, closed="right")
    assert r.breaks == (3.0, 12.0)
    assert r.classes.tolist() == c.classes.tolist()


def test_fisher_jenks_agrees_with_mapclassify_on_random_data() -> None:
    y = np.random.default_rng(5).gamma(2.0, 3.0, 120)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Numba not installed")
        ref = mapclassify.FisherJenks(y, k=5).yb + 1
    for closed in ("left", "right"):
        assert (classify(y, "fisher_jenks", k=5, closed=closed).classes.to_numpy()
                == ref).all()


def test_std_mean_hand_computed() -> None:
    values = [2.0, 4, 4, 4, 5, 5, 7, 9]
    c = classify(values, "std_mean", multiples=(-1, 1))
    # mean 5, sample sd sqrt(32 / 7) = 2.138090
    np.testing.assert_allclose(c.breaks, [5 - 2.138090, 5 + 2.138090], atol=1e-6)
    assert c.classes.tolist() == [1, 2, 2, 2, 2, 2, 2, 3]
    assert c.labels == ("2,0 bis unter 2,9", "2,9 bis unter 7,1", "7,1 bis 9,0")


def test_std_mean_drops_breaks_outside_the_data() -> None:
    c = classify([4.0, 5.0, 6.0], "std_mean")  # mean 5, sd 1: breaks 3, 4, 6, 7
    # 3 and 7 lie outside; 4 = minimum would leave class 1 empty ("bis unter 4")
    assert c.breaks == (6.0,)
    assert c.classes.tolist() == [1, 1, 2]
    assert c.notes == ("Grenzen außerhalb des Wertebereichs weggelassen.",)


def test_zero_as_its_own_class() -> None:
    c = classify(pd.Series([0.0, 0.0, 1, 2, 3, 4], index=list("abcdef")), "equal_interval",
                 k=3, zero_class=True)
    # non-zero values 1..4: width 1, breaks 2 and 3
    assert c.classes.to_dict() == {"a": 0, "b": 0, "c": 1, "d": 2, "e": 3, "f": 3}
    assert c.class_ids == (0, 1, 2, 3)
    assert c.labels == ("0", "1,0 bis unter 2,0", "2,0 bis unter 3,0", "3,0 bis 4,0")
    assert c.counts == (2, 1, 1, 2)
    assert c.legend()[0] == (0, "0", 2)


def test_missing_values_stay_unclassified() -> None:
    c = classify(pd.Series([1.0, None, 3.0, 5.0]), "equal_interval", k=2, decimals=0)
    assert c.classes.tolist() == [1, pd.NA, 2, 2]
    assert c.label_of().tolist() == ["1 bis unter 3", "keine Angabe", "3 bis 5", "3 bis 5"]
    assert c.label_of("en").tolist()[1] == "no data"


def test_fewer_distinct_values_than_classes_is_noted_not_warned() -> None:
    c = classify([1.0, 1.0, 1.0, 2.0], "quantiles", k=4)
    assert c.k == 2
    assert c.classes.tolist() == [1, 1, 1, 2]
    assert c.labels == ("1,0 bis unter 2,0", "2,0")
    assert c.notes[0] == "Nur 2 verschiedene Werte: 2 statt 4 Klassen."


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"method": "jenks_caspall"}, "Unbekanntes Klassifizierungsverfahren"),
    ({"method": "manual"}, "fehlen die Grenzen"),
    ({"method": "manual", "breaks": [3, 1]}, "streng aufsteigende"),
    ({"closed": "both"}, "closed='both'"),
])
def test_invalid_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(MethodError, match=message):
        classify([1.0, 2.0, 3.0], **kwargs)


def test_non_numeric_values_are_rejected() -> None:
    with pytest.raises(MethodError, match="nicht numerisch") as info:
        classify(pd.Series(["1,5", "2,0"]))
    assert "not numeric" in info.value.message_en
