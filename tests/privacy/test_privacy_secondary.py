"""Secondary suppression and the LP audit: sdcTable reference and hand-checked tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kekiz.domain.errors import MethodError
from kekiz.privacy import (
    Table,
    attacker_intervals,
    audit,
    combine,
    dominance_rule,
    frequency_rule,
    min_population_rule,
    p_percent_rule,
    protect_table,
    suppress_secondary,
)
from kekiz.privacy.secondary import Method

METHODS: list[Method] = ["optimal", "heuristic"]


@pytest.fixture(scope="module")
def sdc_table(refdata: Path) -> Table:
    records = pd.read_csv(refdata / "sdc" / "microdata1.csv")
    return Table.from_records(records, ["region", "gender"], value="val")


def _cells(table: Table, mask: np.ndarray, cols: list[str]) -> set[tuple[str, ...]]:
    labels = table.labels("en")
    return {tuple(getattr(r, c) for c in cols) for r in labels[mask].itertuples()}


# ------------------------------------------------------------- sdcTable reference
@pytest.mark.parametrize("method", METHODS)
def test_reference_pattern_after_frequency_rule(sdc_table: Table, method: Method) -> None:
    result = protect_table(sdc_table, [frequency_rule(sdc_table, 3)], method=method)
    # REFERENCE.md: (A, female) primary; (A, male), (C, male), (C, female) secondary
    assert _cells(sdc_table, result.primary.mask, ["region", "gender"]) == {("A", "female")}
    assert _cells(sdc_table, result.secondary.secondary, ["region", "gender"]) == {
        ("A", "male"), ("C", "male"), ("C", "female")}
    assert result.suppressed.sum() == 4
    assert result.audit.passed


def test_reference_lp_audit_no_cell_derivable(sdc_table: Table) -> None:
    """Independent check of the reference pattern: attacker intervals by LP."""
    suppressed = np.zeros(sdc_table.n_cells, dtype=bool)
    for region, gender in [("A", "female"), ("A", "male"), ("C", "male"), ("C", "female")]:
        suppressed[sdc_table.index_of({"region": region, "gender": gender})] = True
    cells, lower, upper = attacker_intervals(sdc_table, suppressed, "count")
    got = {tuple(sdc_table.labels("en").iloc[c][["region", "gender"]]): (lo, hi)
           for c, lo, hi in zip(cells, lower, upper, strict=True)}
    # by hand, x = (A, female): (A, male) = 20 - x, (C, female) = 12 - x,
    # (C, male) = 10 + x, all >= 0  =>  x in [0, 12]
    assert got[("A", "female")] == pytest.approx((0.0, 12.0), abs=1e-7)
    assert got[("A", "male")] == pytest.approx((8.0, 20.0), abs=1e-7)
    assert got[("C", "female")] == pytest.approx((0.0, 12.0), abs=1e-7)
    assert got[("C", "male")] == pytest.approx((10.0, 22.0), abs=1e-7)
    assert all(hi - lo > 1 for lo, hi in got.values())  # none exactly derivable
    prim = combine(sdc_table, [frequency_rule(sdc_table, 3)])
    result = audit(sdc_table, suppressed, prim)
    assert result.passed
    row = result.frame[(result.frame["layer"] == "count")
                       & (result.frame["cell"] == sdc_table.index_of(
                           {"region": "A", "gender": "female"}))].iloc[0]
    # the interval [0, 12] covers the protection interval [0, 3]
    assert row["required_lower"] == 0 and row["required_upper"] == 3


def test_audit_detects_insufficient_patterns(sdc_table: Table) -> None:
    prim = combine(sdc_table, [frequency_rule(sdc_table, 3)])
    a_female = sdc_table.index_of({"region": "A", "gender": "female"})
    a_male = sdc_table.index_of({"region": "A", "gender": "male"})
    alone = audit(sdc_table, [a_female], prim)
    assert not alone.passed and bool(alone.frame["derivable"].iloc[0])
    # suppressing the whole row A is not enough either: the column totals give it away
    row = audit(sdc_table, [a_female, a_male], prim)
    assert not row.passed and row.frame["derivable"].all()


@pytest.mark.parametrize("method", METHODS)
def test_reference_dominance_and_p_percent_protected(sdc_table: Table, method: Method) -> None:
    rules = [dominance_rule(sdc_table, 2, 75), p_percent_rule(sdc_table, 70)]
    result = protect_table(sdc_table, rules, method=method)
    assert _cells(sdc_table, result.primary.mask, ["region", "gender"]) == {
        ("A", "female"), ("D", "male")}
    frame = result.audit.frame
    values = frame[frame["layer"] == "value"]
    assert result.audit.passed and not values["derivable"].any()
    d_male = values[values["cell"] == sdc_table.index_of({"region": "D", "gender": "male"})]
    need = (280 + 11) * 100 / 75 - 366  # the larger of the two rules' levels
    assert float(d_male["upper"].iloc[0]) >= 366 + need - 1e-6


# ------------------------------------------------------- three-level hierarchy
COUNTS = {  # (bezirk, teil): (m, w)
    ("N", "N1"): (10, 12), ("N", "N2"): (2, 9), ("N", "N3"): (8, 7),
    ("S", "S1"): (15, 1), ("S", "S2"): (11, 13),
}


@pytest.fixture(scope="module")
def city() -> Table:
    rows = [(b, t, s, n) for (b, t), (m, w) in COUNTS.items() for s, n in (("m", m), ("w", w))]
    cells = pd.DataFrame(rows, columns=["bezirk", "teil", "sex", "n"])
    return Table.from_cells(cells, [["bezirk", "teil"], "sex"], count="n")


@pytest.mark.parametrize("method", METHODS)
def test_city_bezirk_stadtteil_sex_hand_checked(city: Table, method: Method) -> None:
    """City > 2 Stadtbezirke > 5 Stadtteile x sex, primaries (N2, m) = 2 and (S1, w) = 1.

    Weights are count + 1.  In Bezirk N the cheapest protection of (N2, m) is the
    rectangle with N3: (N2, w), (N3, m), (N3, w) cost 10 + 9 + 8 = 27 (with N1: 34; via
    the Stadtteil totals: 37).  Bezirk S has only S1 and S2, so (S1, w) needs
    (S1, m), (S2, m), (S2, w) (cost 16 + 12 + 14 = 42; via the totals: 56).  No pattern
    across the Bezirke is cheaper, since each Bezirk's own sex columns must be broken.
    """
    result = protect_table(city, [frequency_rule(city, 3)], method=method)
    cols = ["bezirk", "teil", "sex"]
    assert _cells(city, result.primary.mask, cols) == {("N", "N2", "m"), ("S", "S1", "w")}
    assert _cells(city, result.secondary.secondary, cols) == {
        ("N", "N2", "w"), ("N", "N3", "m"), ("N", "N3", "w"),
        ("S", "S1", "m"), ("S", "S2", "m"), ("S", "S2", "w")}
    assert result.secondary.cost == pytest.approx(27 + 42)
    # by hand: x = (N2, m): (N3, m) = 10 - x, (N3, w) = 5 + x, (N2, w) = 11 - x => [0, 10]
    # y = (S1, w): (S1, m) = 16 - y, (S2, m) = 10 + y, (S2, w) = 14 - y => [0, 14]
    cells, lower, upper = attacker_intervals(city, result.suppressed, "count")
    bounds = dict(zip(cells.tolist(), zip(lower, upper, strict=True), strict=True))
    n2m = city.index_of({"bezirk": "N", "teil": "N2", "sex": "m"})
    s1w = city.index_of({"bezirk": "S", "teil": "S1", "sex": "w"})
    assert bounds[n2m] == pytest.approx((0.0, 10.0), abs=1e-7)
    assert bounds[s1w] == pytest.approx((0.0, 14.0), abs=1e-7)
    assert result.audit.passed


def test_city_small_area_rule(city: Table) -> None:
    """N2 with 250 inhabitants: all its cells primary, margins protected, audit passes."""
    pops = {"N1": 900, "N2": 250, "N3": 700, "S1": 800, "S2": 950}
    result = protect_table(city, [frequency_rule(city, 3),
                                  min_population_rule(city, "teil", pops)])
    labels = city.labels()
    n2 = (labels["teil"] == "N2").to_numpy()
    assert result.primary.mask[n2].all()
    reason = result.primary.reasons_de[city.index_of({"bezirk": "N", "teil": "N2",
                                                      "sex": "m"})]
    assert reason == "Fallzahl unter 3; Gebiet unter 300 Einwohnern"
    assert result.audit.passed
    assert not result.audit.frame["derivable"].any()


def test_forbidden_cells_are_respected(city: Table) -> None:
    prim = combine(city, [frequency_rule(city, 3)])
    n3w = city.index_of({"bezirk": "N", "teil": "N3", "sex": "w"})
    res = suppress_secondary(city, prim, method="optimal", forbidden=[n3w])
    assert not res.suppressed[n3w]
    assert audit(city, res.suppressed, prim).passed
    with pytest.raises(MethodError):
        suppress_secondary(city, prim, forbidden=np.flatnonzero(prim.mask))


def test_optimal_is_never_worse_than_heuristic(city: Table) -> None:
    prim = combine(city, [frequency_rule(city, 3)])
    opt = suppress_secondary(city, prim, method="optimal")
    heu = suppress_secondary(city, prim, method="heuristic")
    assert opt.optimal and opt.method == "optimal"
    assert opt.cost <= heu.cost + 1e-9
    with pytest.raises(MethodError):
        suppress_secondary(city, prim, method="exakt")  # type: ignore[arg-type]
