"""Primary rules against the sdcTable reference (``../shared/refdata/sdc``) and by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kekiz.domain.errors import MethodError
from kekiz.privacy import (
    Table,
    combine,
    dominance_rule,
    frequency_rule,
    manual_rule,
    min_denominator_rule,
    min_population_rule,
    p_percent_rule,
)


@pytest.fixture(scope="module")
def microdata1(refdata: Path) -> pd.DataFrame:
    return pd.read_csv(refdata / "sdc" / "microdata1.csv")


@pytest.fixture(scope="module")
def sdc_table(microdata1: pd.DataFrame) -> Table:
    return Table.from_records(microdata1, ["region", "gender"], value="val")


def _flagged(table: Table, mask: np.ndarray) -> set[tuple[str, str]]:
    labels = table.labels("en")[mask]
    return set(zip(labels["region"].astype(str), labels["gender"].astype(str), strict=True))


def test_reference_counts(sdc_table: Table) -> None:
    # REFERENCE.md: female/male A 2/18, B 19/14, C 10/12, D 14/11
    expect = {"A": (2, 18), "B": (19, 14), "C": (10, 12), "D": (14, 11)}
    for region, (female, male) in expect.items():
        assert sdc_table.count[sdc_table.index_of({"region": region,
                                                   "gender": "female"})] == female
        assert sdc_table.count[sdc_table.index_of({"region": region,
                                                   "gender": "male"})] == male
    assert sdc_table.count[sdc_table.index_of({})] == 100


def test_reference_frequency_rule_flags_only_a_female(sdc_table: Table) -> None:
    res = frequency_rule(sdc_table, 3)
    assert _flagged(sdc_table, res.mask) == {("A", "female")}
    assert res.reason_de == "Fallzahl unter 3" and res.reason_en == "count below 3"
    cell = sdc_table.index_of({"region": "A", "gender": "female"})
    # count 2, threshold 3: the interval must reach 3 and 0
    assert res.upper["count"][cell] == 1 and res.lower["count"][cell] == 2


@pytest.mark.parametrize("rule", [
    lambda t: dominance_rule(t, 2, 75),
    lambda t: p_percent_rule(t, 70),
])
def test_reference_dominance_rules_flag_a_female_and_d_male(sdc_table: Table, rule) -> None:
    res = rule(sdc_table)
    assert _flagged(sdc_table, res.mask) == {("A", "female"), ("D", "male")}


def test_dominance_protection_levels_by_hand(sdc_table: Table) -> None:
    d_male = sdc_table.index_of({"region": "D", "gender": "male"})
    # D/male: X = 366, x1 = 280, x2 = 11
    nk = dominance_rule(sdc_table, 2, 75)
    assert nk.upper["value"][d_male] == pytest.approx((280 + 11) * 100 / 75 - 366)
    assert nk.reason_de == "Dominanzregel (2,75 %)"
    pp = p_percent_rule(sdc_table, 70)
    assert pp.upper["value"][d_male] == pytest.approx(0.7 * 280 - (366 - 280 - 11))
    assert pp.lower["value"][d_male] == pytest.approx(0.7 * 280 - (366 - 280 - 11))
    assert pp.reason_de == "p%-Regel (70 %)" and pp.reason_en == "p% rule (70%)"


def test_combine_joins_reasons_and_takes_max_levels(sdc_table: Table) -> None:
    prim = combine(sdc_table, [frequency_rule(sdc_table, 3), dominance_rule(sdc_table, 2, 75),
                               p_percent_rule(sdc_table, 70)])
    a_female = sdc_table.index_of({"region": "A", "gender": "female"})
    assert prim.reasons_de[a_female] == ("Fallzahl unter 3; Dominanzregel (2,75 %); "
                                         "p%-Regel (70 %)")
    assert prim.mask.sum() == 2
    assert prim.lower["value"][a_female] <= 20.0  # never more than the value itself
    assert {r.direction for r in prim.requirements() if r.cell == a_female} == {1, -1}


def test_zeros_are_published_unless_configured() -> None:
    recs = pd.DataFrame({"g": ["a"] * 5 + ["b"] * 5, "s": ["m"] * 5 + ["w"] * 5})
    table = Table.from_records(recs, ["g", "s"])
    assert not frequency_rule(table, 3).mask.any()  # (a, w) and (b, m) are 0
    assert frequency_rule(table, 3, zeros_sensitive=True).mask.sum() == 2


def test_rules_need_magnitudes_and_valid_parameters() -> None:
    table = Table.from_records(pd.DataFrame({"g": ["a", "b"]}), ["g"])
    with pytest.raises(MethodError, match="Wertspalte"):
        dominance_rule(table, 2, 85)
    with pytest.raises(MethodError):
        frequency_rule(table, 0)
    with pytest.raises(MethodError):
        dominance_rule(table, 2, 120)


def test_min_denominator_rule() -> None:
    cells = pd.DataFrame({"teil": ["T1", "T2", "T3"], "sgb2": [4, 10, 0],
                          "u15": [25, 400, 0]})
    table = Table.from_cells(cells, ["teil"], count="sgb2", extra=["u15"])
    res = min_denominator_rule(table, "u15", 30)
    assert _labels(table, res.mask) == ["T1"]
    assert res.reason_de == "Nenner zu klein (unter 30)"
    cell = table.index_of({"teil": "T1"})
    assert res.upper["count"][cell] == 1 and res.lower["count"][cell] == 1


def test_min_population_rule_flags_every_cell_of_small_areas() -> None:
    recs = pd.DataFrame({"bezirk": ["N"] * 6 + ["S"] * 4,
                         "teil": ["N1"] * 3 + ["N2"] * 3 + ["S1"] * 4,
                         "sex": ["m", "w"] * 5})
    table = Table.from_records(recs, [["bezirk", "teil"], "sex"])
    res = min_population_rule(table, "teil", {"N1": 1200, "N2": 250, "S1": 900})
    labels = table.labels()
    hit = labels[res.mask]
    assert set(hit["teil"]) == {"N2"} and len(hit) == 3  # Insgesamt, m, w
    assert res.reason_de == "Gebiet unter 300 Einwohnern"
    assert res.reason_en == "area with fewer than 300 inhabitants"
    with pytest.raises(MethodError, match="Einwohnerzahl fehlt"):
        min_population_rule(table, "teil", {"N1": 1200})


def test_manual_rule() -> None:
    table = Table.from_records(pd.DataFrame({"g": ["a", "b", "b"]}), ["g"])
    res = manual_rule(table, [table.index_of({"g": "b"})], "Wunsch des Amtes", "on request")
    assert res.mask.sum() == 1 and res.reason_de == "Wunsch des Amtes"


def _labels(table: Table, mask: np.ndarray) -> list[str]:
    return table.labels()[mask]["teil"].tolist()
