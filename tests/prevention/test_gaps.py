"""Need versus supply: quadrants and the ranked gap list (issue #5)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kekiz.domain.errors import MethodError
from kekiz.prevention.gaps import Measure, need_supply

FRAME = pd.DataFrame({
    "unit_id": ["A", "B", "C", "D", "E", "F"],
    "name": ["Chorweiler", "Kalk", "Lindenthal", "Hahnwald", "Nippes", "Ohne Daten"],
    "sgb2": [30.0, 25.0, 10.0, 5.0, 20.0, None],
    "places": [0.10, 0.50, 0.20, 0.60, 0.30, 0.40],
})
NEED = Measure("SGB-II-Quote", "SGB II rate", "%", 1)
SUPPLY = Measure("Plätze je Kind", "places per child", "", 2)


def test_quadrants_and_ranking_at_the_median() -> None:
    res = need_supply(FRAME, need="sgb2", supply="places", name="name",
                      need_measure=NEED, supply_measure=SUPPLY)
    # medians of the five units with both values: need 20 (5,10,20,25,30), supply 0.30
    assert (res.need_threshold, res.supply_threshold, res.split) == (20.0, 0.3, "median")
    t = res.table.set_index("unit_id")
    # high = strictly above the median
    assert t["quadrant"].to_dict() == {"A": "gap", "B": "served", "C": "low",
                                       "D": "surplus", "E": "low", "F": "unknown"}
    # percentiles: need D .2 C .4 E .6 B .8 A 1; supply A .2 C .4 E .6 B .8 D 1
    assert t.loc["A", "gap_score"] == pytest.approx(0.8)
    assert t.loc["D", "gap_score"] == pytest.approx(-0.8)
    assert t.loc[["B", "C", "E"], "gap_score"].tolist() == pytest.approx([0, 0, 0])
    assert math.isnan(t.loc["F", "gap_score"])
    # rank: score, then higher need first, missing last
    assert list(res.table["unit_id"]) == ["A", "B", "E", "C", "D", "F"]
    assert list(res.gaps()["unit_id"]) == ["A"]
    assert t.loc["A", "reason_de"] == (
        "Bedarf hoch: SGB-II-Quote 30,0 % (Schwelle 20,0 %, Rang 1 von 5); Angebot gering: "
        "Plätze je Kind 0,10 (Schwelle 0,30).")
    assert t.loc["A", "reason_en"] == (
        "Need high: SGB II rate 30.0% (threshold 20.0%, rank 1 of 5); supply low: places "
        "per child 0.10 (threshold 0.30).")
    assert t.loc["F", "reason_de"] == "Kein Wert für Bedarf; nicht eingeordnet."
    assert res.text() == ["1. Chorweiler: " + t.loc["A", "reason_de"]]
    assert res.to_dict()["units"][-1]["need"] is None


def test_given_thresholds() -> None:
    res = need_supply(FRAME, need="sgb2", supply="places", need_threshold=24,
                      supply_threshold=0.55)
    t = res.table.set_index("unit_id")
    assert res.split == "given"
    assert t.loc["A", "quadrant"] == "gap" and t.loc["B", "quadrant"] == "gap"
    assert t.loc["D", "quadrant"] == "surplus" and t.loc["E", "quadrant"] == "low"
    assert list(res.gaps()["unit_id"]) == ["A", "B"]


def test_missing_columns_and_values() -> None:
    with pytest.raises(MethodError, match="Spalte 'x' fehlt"):
        need_supply(FRAME, need="x", supply="places")
    with pytest.raises(MethodError, match="Kein Gebiet"):
        need_supply(FRAME.assign(sgb2=None), need="sgb2", supply="places")
