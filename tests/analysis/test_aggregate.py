"""Upward aggregation against hand-computed values."""

from __future__ import annotations

import pandas as pd
import pytest

from kekiz.analysis.aggregate import aggregate_up
from kekiz.domain.model import Aggregation, Indicator

PARENTS = pd.Series({"a1": "A", "a2": "A", "b1": "B", "b2": "B", "b3": "B"})


def _obs(rows: list[tuple[str, float | None, float | None, float | None, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unit_id", "value", "numerator", "denominator",
                                       "status"]).assign(period="2021")


def test_counts_sum_only_when_complete() -> None:
    ind = Indicator("ew", "EW", "Inh", aggregation=Aggregation.SUM)
    obs = _obs([("a1", 10, None, None, "ok"), ("a2", 5, None, None, "ok"),
                ("b1", 1, None, None, "ok"), ("b2", 2, None, None, "ok"),
                ("b3", None, None, None, "suppressed")])
    up = aggregate_up(obs, PARENTS, ind)
    assert up[["unit_id", "value", "children"]].values.tolist() == [["A", 15.0, 2]]


def test_ratio_from_summed_numerators_never_averaged() -> None:
    ind = Indicator("q", "Q", "Q", aggregation=Aggregation.RATIO, scale=100.0)
    # a1: 1/10 = 10 %, a2: 9/90 = 10 %; b: 1/2 = 50 %, 1/98 = 1.02 %, 0/100 = 0 %
    obs = _obs([("a1", 10, 1, 10, "ok"), ("a2", 10, 9, 90, "ok"),
                ("b1", 50, 1, 2, "ok"), ("b2", 1.02, 1, 98, "ok"), ("b3", 0, 0, 100, "ok")])
    up = aggregate_up(obs, PARENTS, ind).set_index("unit_id")
    assert up.loc["A", "value"] == pytest.approx(10.0)
    assert up.loc["B", "value"] == pytest.approx(2 / 200 * 100)  # not mean(50, 1.02, 0)
    assert up.loc["B", "numerator"] == 2 and up.loc["B", "denominator"] == 200


def test_none_aggregation_gives_nothing() -> None:
    ind = Indicator("gisd", "GISD", "GISD", aggregation=Aggregation.NONE)
    obs = _obs([("a1", 0.3, None, None, "ok"), ("a2", 0.5, None, None, "ok")])
    assert aggregate_up(obs, PARENTS, ind).empty
